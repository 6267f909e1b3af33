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



# ---- spectrum / function measures (issue 3) ---------------------------------------


def naive_character_matrix(n: int) -> np.ndarray:
    """``M[S, i] = prod_{k in S} x_k`` for the points ``x`` of :func:`cube`, by explicit products."""
    pts = np.array(cube(n), dtype=np.float64).reshape(1 << n, n)
    out = np.ones((1 << n, 1 << n))
    for s in range(1 << n):
        for k in range(n):
            if (s >> k) & 1:
                out[s] *= pts[:, k]
    return out


def naive_coefficients(values) -> np.ndarray:
    """``fhat(S) = 2**-n sum_x f(x) chi_S(x)`` by direct sums over the cube."""
    f = np.asarray(values, dtype=np.float64)
    n = f.shape[-1].bit_length() - 1
    return f @ naive_character_matrix(n).T / (1 << n)


def naive_degree_profile(values) -> np.ndarray:
    """``W^k = sum_{|S|=k} fhat(S)**2`` with |S| counted by ``bin(S).count('1')``."""
    c = naive_coefficients(values)
    n = c.shape[-1].bit_length() - 1
    w = np.zeros(c.shape[:-1] + (n + 1,))
    for s in range(1 << n):
        w[..., bin(s).count("1")] += c[..., s] ** 2
    return w


def naive_influence(values, i: int) -> float:
    """``Inf_i = 1/4 E[(f(x) - f(x with coordinate i flipped))**2]``, flipping over the whole cube."""
    f = np.asarray(values, dtype=np.float64)
    n = f.shape[0].bit_length() - 1
    pts = cube(n)
    where = {p: j for j, p in enumerate(pts)}
    total = 0.0
    for j, p in enumerate(pts):
        q = list(p)
        q[i] = -q[i]
        total += (f[j] - f[where[tuple(q)]]) ** 2
    return total / 4 / len(pts)


def naive_noise_stability(values, rho: float) -> float:
    """``E[f(x) f(y)]`` summed over all pairs, ``P(y | x) = prod_k (1 + rho x_k y_k)/2``."""
    f = np.asarray(values, dtype=np.float64)
    n = f.shape[0].bit_length() - 1
    pts = np.array(cube(n), dtype=np.float64).reshape(1 << n, n)
    agree = pts @ pts.T  # sum_k x_k y_k = n - 2 * hamming
    ham = (n - agree) / 2
    p = ((1 + rho) / 2) ** (n - ham) * ((1 - rho) / 2) ** ham
    return float(f @ p @ f) / (1 << n)


# ---------------------------------------------------------------- interpolation (issue 4)
# Brute-force twins of boolfourier.interpolation: dense character matrices and
# scipy's SVD-based null spaces, following PAPER_NOTES §2 algorithm (a).


def interp_character_matrix(n: int) -> np.ndarray:
    """``C[x, T] = chi_T(x)`` for all points ``x`` and sets ``T`` (float64, from :func:`hadamard`)."""
    return hadamard(n).T.astype(np.float64)


def interp_degree_profile(values) -> np.ndarray:
    """``W^k = sum_{|T|=k} fhat(T)^2`` by a dense matrix product and Python popcounts."""
    values = np.asarray(values, dtype=np.float64)
    n = values.shape[0].bit_length() - 1
    c = hadamard(n).astype(np.float64) @ values / values.shape[0]
    w = np.zeros(n + 1)
    for t in range(values.shape[0]):
        w[bin(t).count("1")] += c[t] ** 2
    return w


def interp_mdi_bruteforce(values, seen) -> np.ndarray:
    """Min-degree interpolator by the nested least squares of PAPER_NOTES §2 (a).

    ``c`` = a particular solution of ``A c = y`` (``A`` = the seen rows of the
    character matrix), ``N`` = a basis of ``null(A)``; for ``k = n..0``:
    ``z = argmin ||c[T_k] + N[T_k] z||``, ``c += N z``, ``N <- N null(N[T_k])``.
    Returns the values ``C c``.
    """
    import scipy.linalg

    values = np.asarray(values, dtype=np.float64)
    seen = np.asarray(seen, dtype=bool)
    n = values.shape[0].bit_length() - 1
    C = interp_character_matrix(n)
    A = C[seen]
    # One relative rank tolerance for every solve and null space: with two different ones
    # (lstsq's and null_space's defaults), a singular value between them is inverted by one
    # and dropped by the other, which blows up on rank-deficient levels.
    rcond = 1e-10
    c = np.linalg.lstsq(A, values[seen], rcond=rcond)[0]
    null = scipy.linalg.null_space(A, rcond=rcond)
    deg = np.array([bin(t).count("1") for t in range(1 << n)])
    for k in range(n, -1, -1):
        if null.shape[1] == 0:
            break
        rows = deg == k
        z = np.linalg.lstsq(null[rows], -c[rows], rcond=rcond)[0]
        c = c + null @ z
        inner = scipy.linalg.null_space(null[rows], rcond=rcond)
        null = null @ inner
    return C @ c


def interp_min_weighted_norm_bruteforce(values, seen, degree_weights) -> np.ndarray:
    """Least ``sum_T w_|T| fhat(T)^2`` subject to interpolation: ``c = D^-1/2 pinv(A D^-1/2) y``."""
    values = np.asarray(values, dtype=np.float64)
    seen = np.asarray(seen, dtype=bool)
    n = values.shape[0].bit_length() - 1
    C = interp_character_matrix(n)
    w = np.array([degree_weights[bin(t).count("1")] for t in range(1 << n)], dtype=np.float64)
    B = C[seen] / np.sqrt(w)
    c = (np.linalg.pinv(B) @ values[seen]) / np.sqrt(w)
    return C @ c


def interp_gotu_bruteforce(pred, target, unseen):
    """(MSE on unseen, MSE on cube, sign disagreement on unseen) by Python loops; sgn 0 = +1."""
    sq_u, sq, bad, m = 0.0, 0.0, 0, 0
    for i in range(len(target)):
        d = (float(pred[i]) - float(target[i])) ** 2
        sq += d
        if unseen[i]:
            m += 1
            sq_u += d
            bad += (pred[i] >= 0) != (target[i] >= 0)
    return sq_u / m, sq / len(target), bad / m
