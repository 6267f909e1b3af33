"""Fast Walsh–Hadamard kernels (numba).

Contract, shared with :mod:`._reference`: ``fwht_inplace(a, scale)`` takes a
C-contiguous 2-D array ``(rows, N)``, ``N = 2**n >= 1``, of dtype float32,
float64, int32 or int64, and overwrites every row with ``scale * (H @ row)``
(``scale == 1`` for integers).  Float64 output is bit-identical to the
reference radix-2 kernel.
"""

from __future__ import annotations

from ._reference import fwht_inplace  # noqa: F401  (placeholder until the vector kernels land)
