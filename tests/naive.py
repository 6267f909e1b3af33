"""Slow, obviously-correct twins of boolfourier's fast functions (STYLE §3.7).

Every fast function is compared against a function here on small inputs.
Nothing in this file may call the code it checks.
"""

from __future__ import annotations

import numpy as np


def hadamard(n: int) -> np.ndarray:
    """The 2**n × 2**n Sylvester–Hadamard matrix built from its definition,
    ``H[S, i] = (-1)**popcount(S & i)`` (natural order)."""
    size = 1 << n
    return np.array(
        [[(-1) ** bin(s & i).count("1") for i in range(size)] for s in range(size)],
        dtype=np.int64,
    )


def wht(a: np.ndarray, axis: int = -1) -> np.ndarray:
    """Unnormalised transform ``H @ a`` along ``axis`` by a dense matrix product (float64)."""
    a = np.moveaxis(np.asarray(a, dtype=np.float64), axis, -1)
    n = a.shape[-1].bit_length() - 1
    return np.moveaxis(a @ hadamard(n).T.astype(np.float64), -1, axis)


def wht_radix2(a: np.ndarray) -> np.ndarray:
    """Radix-2 butterflies in pure Python/numpy, level by level ``h = 1, 2, 4, ...``:
    the floating-point reference for bit-identity of the fast float64 kernels."""
    out = np.array(a, copy=True)
    n_pts = out.shape[-1]
    h = 1
    while h < n_pts:
        v = out.reshape(out.shape[:-1] + (n_pts // (2 * h), 2, h))
        u, w = v[..., 0, :].copy(), v[..., 1, :].copy()
        v[..., 0, :] = u + w
        v[..., 1, :] = u - w
        h *= 2
    return out


def chi(mask: int, x) -> int:
    """Character ``prod_{k in S} x_k`` of one point given as a sequence of ±1."""
    return int(np.prod([x[k] for k in range(len(x)) if (mask >> k) & 1])) if mask else 1


def cube(n: int):
    """All points of {±1}^n in index order, from the definition ``x_k = (-1)**bit_k(i)``."""
    return [tuple(1 - 2 * ((i >> k) & 1) for k in range(n)) for i in range(1 << n)]

