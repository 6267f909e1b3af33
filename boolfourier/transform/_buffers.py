"""Output buffers for large transforms, reused once the caller has dropped them.

A fresh buffer of many megabytes costs the kernel's page faults and zeroing on
first touch: at 2**24 float64 (128 MiB) the whole out-of-place transform takes
33-38 ms into fresh memory against 27-29 ms into reused memory (2-core Zen 3
VM, transparent huge pages).  ``fwht(a)`` in a loop returns a new large array
every time and the caller usually drops the last one before asking for the
next, so the memory of the *most recent* large output is kept here and
handed out again once no array refers to it.

Safety rests on numpy's view rule: every view of an array made over a
foreign buffer keeps that array (its ``base``) alive.  The buffer here is a
private anonymous ``mmap`` that only this module holds (copy-on-write across
``fork``, like numpy's own memory); the one ndarray made over it (``root``)
is tracked by a weak reference, and the memory is reused only when
that weak reference is dead, i.e. when no array, view or exported buffer
can still reach it.  A lock makes take-and-reuse atomic between threads.

At most one buffer is retained, and only for outputs of at least
``MIN_BYTES``; :func:`release` drops it, and ``BOOLFOURIER_FWHT_REUSE=0``
turns reuse off (every large output is then a fresh mapping).
"""

from __future__ import annotations

import mmap
import os
import threading
import weakref

import numpy as np

__all__ = ["empty", "release", "MIN_BYTES"]

#: Outputs from this size (bytes) come from the reusable mapping.
MIN_BYTES = 16 << 20
#: Alignment of the data start (mmap gives page alignment anyway).
_ALIGN = 64

_lock = threading.Lock()
_mem: mmap.mmap | None = None  # the retained mapping (strong reference: ours only)
_root_ref = None  # weak reference to the ndarray last made over _mem


def _enabled() -> bool:
    return os.environ.get("BOOLFOURIER_FWHT_REUSE", "1") != "0"


def _new_mapping(nbytes: int) -> mmap.mmap:
    # Private, not Python's default MAP_SHARED: a shared mapping is inherited
    # as *shared* memory by forked children, so a child writing its copy of a
    # result (or reusing the retained buffer for its own) would change the
    # parent's arrays.  A private mapping is copy-on-write across fork, like
    # numpy's own memory, and is also the kind that gets transparent huge pages
    # (shared anonymous memory is shmem, with huge pages usually off).
    flags = getattr(mmap, "MAP_PRIVATE", None)
    if flags is None:  # pragma: no cover - Windows: private to the process anyway
        mem = mmap.mmap(-1, nbytes)
    else:
        mem = mmap.mmap(-1, nbytes, flags=flags | mmap.MAP_ANONYMOUS)
    if hasattr(mem, "madvise") and hasattr(mmap, "MADV_HUGEPAGE"):
        try:  # transparent huge pages: 512x fewer faults on first touch
            mem.madvise(mmap.MADV_HUGEPAGE)
        except OSError:  # pragma: no cover - kernels without THP
            pass
    return mem


def empty(shape, dtype) -> np.ndarray:
    """Uninitialised C-contiguous array of ``shape`` and ``dtype``, 64-byte aligned.

    From the retained mapping when it is free and fits (at most twice the
    size needed, so a small request never pins a huge buffer), else from a
    new mapping, which is then the one retained.
    """
    global _mem, _root_ref
    dtype = np.dtype(dtype)
    nbytes = int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
    if not _enabled():
        return _view(_new_mapping(max(nbytes, 1)), shape, dtype, nbytes)
    with _lock:
        mem = _mem
        free = mem is not None and (_root_ref is None or _root_ref() is None)
        if not (free and nbytes <= len(mem) <= 2 * nbytes):
            mem = _new_mapping(max(nbytes, 1))
        root = np.frombuffer(mem, dtype=np.uint8)
        _mem, _root_ref = mem, weakref.ref(root)
        return _view(root, shape, dtype, nbytes)


def _view(buf, shape, dtype, nbytes) -> np.ndarray:
    root = buf if isinstance(buf, np.ndarray) else np.frombuffer(buf, dtype=np.uint8)
    assert root.ctypes.data % _ALIGN == 0  # mappings start on a page
    return root[:nbytes].view(dtype).reshape(shape)


def release() -> None:
    """Drop the retained buffer (its memory is returned once no array uses it)."""
    global _mem, _root_ref
    with _lock:
        _mem, _root_ref = None, None
