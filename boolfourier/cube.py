r"""The index convention of the cube :math:`\{\pm 1\}^n`, written once.

* A point :math:`x \in \{\pm1\}^n` is the integer ``i = sum_k b_k 2**k`` with
  :math:`x_k = (-1)^{b_k}`: bit ``k`` clear means :math:`x_k = +1`, set means
  :math:`x_k = -1`.  Coordinates are numbered from 0.
* A subset :math:`S \subseteq \{0, \dots, n-1\}` (the character
  :math:`\chi_S(x) = \prod_{k \in S} x_k`) is the bitmask with bit ``k`` set
  for ``k in S``; its degree is ``popcount(S)``.
* Hence :math:`\chi_S(x_i) = (-1)^{\mathrm{popcount}(S \,\&\, i)}`.

Every other module takes points, masks and degrees from here.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Iterator

import numpy as np

__all__ = [
    "MAX_DENSE_N",
    "check_n",
    "points",
    "iter_points",
    "index_to_point",
    "point_to_index",
    "mask_to_set",
    "set_to_mask",
    "as_mask",
    "monomial_name",
    "popcount",
    "degrees",
    "weights",
]

#: Largest n for which dense helpers build arrays of length 2**n.
MAX_DENSE_N = 30


def check_n(n, *, dense: bool = True) -> int:
    """Validate a number of variables and return it as ``int``."""
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)):
        raise TypeError(f"n must be an integer, got {type(n).__name__}")
    n = int(n)
    if n < 0:
        raise ValueError(f"n must be >= 0, got {n}")
    if dense and n > MAX_DENSE_N:
        raise ValueError(
            f"n = {n} is too large for a dense table of 2**n entries (limit {MAX_DENSE_N}); "
            "use the sampling estimators in boolfourier.sampling"
        )
    return n


def popcount(a) -> np.ndarray:
    """Number of set bits of each (non-negative, < 2**64) integer in ``a``.

    >>> popcount(np.array([0, 1, 3, 7, 255]))
    array([0, 1, 2, 3, 8], dtype=uint8)
    """
    x = np.asarray(a)
    if x.dtype.kind not in "iu":
        raise TypeError(f"popcount needs integers, got dtype {x.dtype}")
    if hasattr(np, "bitwise_count"):  # numpy >= 2.0
        return np.bitwise_count(x).astype(np.uint8, copy=False)
    x = x.astype(np.uint64)
    out = np.zeros(x.shape, dtype=np.uint8)
    while np.any(x):
        out += (x & np.uint64(1)).astype(np.uint8)
        x >>= np.uint64(1)
    return out


@functools.lru_cache(maxsize=32)
def _degrees_cached(n: int) -> np.ndarray:
    d = popcount(np.arange(1 << n, dtype=np.int64))
    d.setflags(write=False)
    return d


def degrees(n: int) -> np.ndarray:
    """``degrees(n)[S] = |S|`` for every bitmask ``S`` in ``[0, 2**n)`` (read-only, cached).

    The same table counts the ``-1`` coordinates of point ``i`` (its Hamming
    weight), see :func:`weights`.

    >>> degrees(2)
    array([0, 1, 1, 2], dtype=uint8)
    """
    return _degrees_cached(check_n(n))


def weights(n: int) -> np.ndarray:
    """Number of ``-1`` coordinates of each point ``i`` in ``[0, 2**n)`` (alias of :func:`degrees`)."""
    return degrees(n)


def points(n: int, dtype=np.int8) -> np.ndarray:
    """All of :math:`\\{\\pm1\\}^n` as a ``(2**n, n)`` array in index order.

    Row ``i`` is the point with index ``i``: ``points(n)[i, k] = (-1)**((i >> k) & 1)``.

    >>> points(2)
    array([[ 1,  1],
           [-1,  1],
           [ 1, -1],
           [-1, -1]], dtype=int8)
    """
    n = check_n(n)
    return index_to_point(np.arange(1 << n, dtype=np.int64), n, dtype=dtype)


def iter_points(n: int, chunk: int = 1 << 16, dtype=np.int8) -> Iterator[tuple[int, np.ndarray]]:
    """Yield ``(start, block)`` with ``block = points(n)[start:start + chunk]``, lazily.

    For evaluating a function on the whole cube without holding the
    ``(2**n, n)`` point array in memory.
    """
    n = check_n(n)
    if chunk < 1:
        raise ValueError(f"chunk must be >= 1, got {chunk}")
    total = 1 << n
    for start in range(0, total, chunk):
        idx = np.arange(start, min(start + chunk, total), dtype=np.int64)
        yield start, index_to_point(idx, n, dtype=dtype)


def _integer(i) -> int:
    # a coordinate is an int or numpy integer, never a float or bool
    if isinstance(i, bool) or not isinstance(i, (int, np.integer)):
        raise TypeError(f"coordinates are integers, got {i!r}")
    return int(i)


def check_coordinate(i, n: int) -> int:
    """``i`` as an int, checked to be a coordinate ``0 <= i < n`` (an integer, not a float or bool)."""
    i = _integer(i)
    if not 0 <= i < n:
        raise ValueError(f"coordinate {i} is out of range for n = {n} (use 0 <= i < n)")
    return i


def check_point_dtype(dtype) -> np.dtype:
    """The dtype of ±1 points: signed integers or floats (unsigned or bool cannot hold -1)."""
    dt = np.dtype(dtype)
    if dt.kind not in "if":
        raise TypeError(f"points have entries ±1: use a signed integer or float dtype, got {dt}")
    return dt


def index_to_point(index, n: int, dtype=np.int8) -> np.ndarray:
    """Points (shape ``(..., n)``, entries ±1) of the given indices ``0 <= index < 2**n``."""
    n = check_n(n, dense=False)
    if n > 64:
        raise ValueError(f"indices hold at most 64 coordinates, got n = {n}")
    dtype = check_point_dtype(dtype)
    idx = np.asarray(index)
    if idx.dtype.kind not in "iu":
        raise TypeError(f"indices must be integers, got dtype {idx.dtype}")
    if idx.size and ((idx.dtype.kind == "i" and idx.min() < 0) or (n < 64 and int(idx.max()) >> n)):
        raise ValueError(f"indices of points of {{±1}}^{n} are in [0, 2**{n}), got {idx.min()}..{idx.max()}")
    idx = idx.astype(np.uint64)
    bits = (idx[..., None] >> np.arange(n, dtype=np.uint64)) & np.uint64(1)
    return (1 - 2 * bits.astype(np.int8)).astype(dtype, copy=False)


def check_pm1(x: np.ndarray) -> None:
    """Raise ValueError unless every entry of ``x`` is ``+1`` or ``-1``."""
    if x.size and not np.all((x == 1) | (x == -1)):
        raise ValueError(
            "points must have entries +1 or -1 (for 0/1 bits b use 1 - 2*b, "
            "so that bit 1 means x = -1)"
        )


def point_to_index(x) -> np.ndarray:
    """Indices of points ``x`` (shape ``(..., n)``, entries ±1); inverse of :func:`index_to_point`."""
    x = np.asarray(x)
    if x.ndim == 0:
        raise ValueError("a point needs at least one axis (shape (..., n))")
    n = x.shape[-1]
    if n > 63:
        raise ValueError(f"indices hold at most 63 coordinates here, got n = {n}")
    check_pm1(x)
    bits = (x == -1).astype(np.int64)
    return bits @ (np.int64(1) << np.arange(n, dtype=np.int64))


def set_to_mask(s: Iterable[int]) -> int:
    """Bitmask of a set of coordinates: ``{0, 2} -> 0b101``."""
    mask = 0
    for k in s:
        k = _integer(k)
        if k < 0:
            raise ValueError(f"coordinates are >= 0, got {k}")
        mask |= 1 << k
    return mask


def mask_to_set(mask: int) -> tuple[int, ...]:
    """Coordinates in a bitmask, sorted: ``0b101 -> (0, 2)``."""
    mask = int(mask)
    if mask < 0:
        raise ValueError(f"masks are >= 0, got {mask}")
    out = []
    k = 0
    while mask:
        if mask & 1:
            out.append(k)
        mask >>= 1
        k += 1
    return tuple(out)


def as_mask(S, n: int | None = None) -> int:
    """A monomial given as a bitmask int or an iterable of coordinates, as a bitmask.

    With ``n``, also check that it uses only coordinates ``< n``.

    >>> as_mask({0, 2}), as_mask(5), as_mask([], 3)
    (5, 5, 0)
    """
    if isinstance(S, bool):
        raise TypeError("a monomial is a bitmask int or an iterable of coordinates, got a bool")
    if isinstance(S, (int, np.integer)):
        m = int(S)
        if m < 0:
            raise ValueError(f"a bitmask is >= 0, got {m}")
    elif isinstance(S, Iterable):
        m = set_to_mask(S)
    else:
        raise TypeError(f"a monomial is a bitmask int or an iterable of coordinates, got {S!r}")
    if n is not None and m >> n:
        raise ValueError(f"monomial {S!r} uses a coordinate >= n = {n}")
    return m


def monomial_name(mask: int) -> str:
    """The monomial of a bitmask as people write it: ``0b101 -> 'x0*x2'``, ``0 -> '1'``."""
    return "*".join(f"x{k}" for k in mask_to_set(mask)) or "1"
