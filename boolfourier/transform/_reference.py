"""Plain radix-2 butterflies: the generic, portable reference kernel.

This is the textbook in-place Walsh–Hadamard transform in natural (Sylvester)
order: for ``h = 1, 2, 4, ...`` every pair ``(a[j], a[j + h])`` becomes
``(a[j] + a[j + h], a[j] - a[j + h])``.  It relies on nothing but scalar
arithmetic, so it is correct on every CPU numba supports.  The fast kernels
in :mod:`boolfourier.transform._kernels` must reproduce its float64 output
bit for bit (they apply the same additions in the same order).

Select it for every call with the environment variable
``BOOLFOURIER_FWHT_KERNEL=reference`` (read at import time).
"""

from __future__ import annotations

import numpy as np

from .._jit import jit


@jit
def _rows_inplace(a, scale):
    # a: (rows, N) C-contiguous, N a power of two; transformed row by row.
    m, n = a.shape
    for r in range(m):
        h = 1
        while h < n:
            for i in range(0, n, 2 * h):
                for j in range(i, i + h):
                    u = a[r, j]
                    v = a[r, j + h]
                    a[r, j] = u + v
                    a[r, j + h] = u - v
            h *= 2
        if scale != 1.0:
            for j in range(n):
                a[r, j] = a[r, j] * scale


def fwht_inplace(a: np.ndarray, scale: float = 1.0) -> None:
    """Transform each row of the C-contiguous 2-D array ``a`` in place.

    Computes ``a[r] <- scale * (H @ a[r])`` with ``H`` the unnormalised
    Sylvester–Hadamard matrix.  ``scale`` must be 1 for integer arrays.
    """
    if a.dtype.kind == "f":
        _rows_inplace(a, a.dtype.type(scale))
    else:
        _rows_inplace(a, a.dtype.type(1))


def fwht_copy(a: np.ndarray, scale: float = 1.0) -> np.ndarray:
    """A transformed copy of the rows of ``a`` (``a`` is unchanged); see :func:`fwht_inplace`."""
    out = np.array(a, order="C", copy=True)
    fwht_inplace(out, scale)
    return out
