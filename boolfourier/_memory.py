"""Memory guard for dense tables: refuse before allocating 2**n entries that cannot fit.

Dense analysis holds ``2**n`` float64 values (8 GiB at n = 30) plus a working
copy for the transform.  Constructors call :func:`check_dense` first, so an
impossible request fails at once with a message pointing to the sampling
estimators instead of swapping or being killed by the OOM killer.
"""

from __future__ import annotations

import os

__all__ = ["DenseMemoryError", "available_bytes", "check_dense"]


class DenseMemoryError(MemoryError, ValueError):
    """A dense table of ``2**n`` entries would not fit in available memory.

    Subclasses both :class:`MemoryError` and :class:`ValueError`, so callers may
    catch either.
    """


def available_bytes() -> int | None:
    """Bytes of memory available to a new allocation, or None when unknown.

    Reads ``MemAvailable`` from ``/proc/meminfo`` (Linux); elsewhere falls back
    to the physical memory size from :func:`os.sysconf`.
    """
    try:
        with open("/proc/meminfo", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:  # no procfs (macOS, Windows): use the physical size below
        pass
    try:
        return int(os.sysconf("SC_PHYS_PAGES")) * int(os.sysconf("SC_PAGE_SIZE"))
    except (AttributeError, ValueError, OSError):
        return None


def check_dense(
    n: int, *, copies: int = 2, itemsize: int = 8, what: str = "a dense function"
) -> None:
    """Raise :class:`DenseMemoryError` if ``copies`` arrays of ``2**n`` items won't fit.

    Called before allocating; the default ``copies=2`` counts the values and the
    transform's working copy.
    """
    need = (1 << n) * itemsize * copies
    if need < (1 << 26):  # below 64 MiB: not worth a system call
        return
    avail = available_bytes()
    if avail is not None and need > avail:
        raise DenseMemoryError(
            f"{what} with n = {n} needs about {need / 2**30:.1f} GiB "
            f"({copies} array(s) of 2**{n} x {itemsize} bytes) but only "
            f"{avail / 2**30:.1f} GiB is available; estimate the coefficients, "
            "influences or noise stability you need from samples with "
            "boolfourier.sampling (estimate_coefficients, estimate_influences, ...)"
        )
