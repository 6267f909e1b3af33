r"""Fourier spectra and the measures derived from them.

Every measure is a function of the coefficient array
:math:`\hat f(S) = 2^{-n} \sum_x f(x) \chi_S(x)`, indexed by the bitmask ``S``
and batched on the last axis: ``(..., 2**n) -> (..., n + 1)`` for the degree
profile, ``(..., n)`` for the influences, ``(...)`` for scalars.  A
``(steps, 2**n)`` training history is therefore one call.  Measures also accept
a :class:`Spectrum` or a :class:`~boolfourier.function.BooleanFunction` (its
spectrum is used).  Only :func:`coefficients` takes function *values*.

=====================  ==========================================================
``coefficients``       :math:`\hat f = 2^{-n} H f` (``fwht(values, norm="forward")``)
``degree_profile``     :math:`W^k = \sum_{|S|=k} \hat f(S)^2`, ``k = 0..n``
``influences``         :math:`\mathrm{Inf}_i = \sum_{S \ni i} \hat f(S)^2`
``total_influence``    :math:`I = \sum_S |S| \hat f(S)^2 = \sum_k k W^k`
``noise_stability``    :math:`\mathrm{Stab}_\rho = \sum_k \rho^k W^k`
``noise_sensitivity``  :math:`\mathrm{NS}_\delta = \tfrac12(\sum_k W^k - \mathrm{Stab}_{1-2\delta})`
``spectral_norm_l1``   :math:`\sum_S |\hat f(S)|`
``relevant_variables`` mask of coordinates with :math:`\mathrm{Inf}_i > \mathrm{tol}`
``top_coefficients``   the ``k`` largest :math:`|\hat f(S)|` and their masks
``distance``           :math:`\sqrt{E(f-g)^2}` on values (Parseval: coefficient ℓ2), sign error
=====================  ==========================================================

The degree profile and the influences come from one numba pass over the
squared coefficients (:func:`_sums_kernel`), so a full analysis costs about one
transform.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np

from ._jit import jit
from ._memory import check_dense
from .cube import degrees, mask_to_set, monomial_name, set_to_mask
from .transform import fwht

__all__ = [
    "Spectrum",
    "coefficients",
    "degree_profile",
    "influences",
    "total_influence",
    "noise_stability",
    "noise_sensitivity",
    "spectral_norm_l1",
    "relevant_variables",
    "top_coefficients",
    "to_polynomial_string",
    "distance",
]

# --------------------------------------------------------------------------- kernel

#: Low bits handled by the inner (contiguous) loop of the kernel: blocks of 2**8.
_LO_BITS = 8


@jit
def _popcount(x):
    c = 0
    while x:
        x &= x - 1
        c += 1
    return c


@jit
def _sums_kernel(c, n, prof, inf, want_inf):
    # c: (rows, N) C-contiguous, N = 2**n; prof: (rows, n + 1) zeros; inf: (rows, n) zeros.
    # Write S = (hi << lo_bits) | lo, so |S| = |hi| + |lo|.  For each block of
    # 2**lo_bits coefficients (fixed hi), c**2 is added elementwise into row
    # |hi| of acc (a contiguous, vectorisable loop); at the end
    # W^k = sum over |hi| + |lo| = k of acc[|hi|, lo].  The low-bit influences
    # come from the columns of acc, the high-bit ones from per-block sums.
    rows, N = c.shape
    lo_bits = min(n, _LO_BITS)
    B = 1 << lo_bits
    nhi = N >> lo_bits
    hi_bits = n - lo_bits
    deg_lo = np.empty(B, np.int64)
    for j in range(B):
        deg_lo[j] = _popcount(j)
    acc = np.empty((hi_bits + 1, B), np.float64)
    sq = np.empty(B, np.float64)
    col = np.empty(B, np.float64)
    blk = np.empty(nhi, np.float64)
    for r in range(rows):
        acc[:, :] = 0.0
        for h in range(nhi):
            base = h << lo_bits
            row = acc[_popcount(h)]
            for j in range(B):
                v = np.float64(c[r, base + j])
                s = v * v
                sq[j] = s
                row[j] += s
            if want_inf:
                # 8 independent partial sums: no serial dependency chain
                p0 = p1 = p2 = p3 = p4 = p5 = p6 = p7 = 0.0
                j = 0
                while j + 8 <= B:
                    p0 += sq[j]
                    p1 += sq[j + 1]
                    p2 += sq[j + 2]
                    p3 += sq[j + 3]
                    p4 += sq[j + 4]
                    p5 += sq[j + 5]
                    p6 += sq[j + 6]
                    p7 += sq[j + 7]
                    j += 8
                while j < B:
                    p0 += sq[j]
                    j += 1
                blk[h] = ((p0 + p1) + (p2 + p3)) + ((p4 + p5) + (p6 + p7))
        col[:] = 0.0
        for dh in range(hi_bits + 1):
            for j in range(B):
                prof[r, dh + deg_lo[j]] += acc[dh, j]
                col[j] += acc[dh, j]
        if want_inf:
            for j in range(B):
                x = j
                b = 0
                while x:
                    if x & 1:
                        inf[r, b] += col[j]
                    x >>= 1
                    b += 1
            for h in range(nhi):
                x = h
                b = lo_bits
                while x:
                    if x & 1:
                        inf[r, b] += blk[h]
                    x >>= 1
                    b += 1


# --------------------------------------------------------------------------- validation


def _n_of_length(m: int, what: str) -> int:
    if m < 1 or m & (m - 1):
        raise ValueError(
            f"{what} has length {m} on its last axis, which is not a power of two; "
            "a function on {±1}^n has 2**n entries (values in index order, or "
            "coefficients indexed by bitmask)"
        )
    return m.bit_length() - 1


#: Float dtypes the numba kernels are compiled for (native byte order).
_KERNEL_DTYPES = (np.dtype(np.float32), np.dtype(np.float64))


def _as_coefficients(c, what: str = "coefficients") -> tuple[np.ndarray, int]:
    """``(array (..., 2**n) float, n)`` from an array, a Spectrum or a BooleanFunction."""
    if isinstance(c, Spectrum):
        return c.coefficients, c.n
    spectrum = getattr(c, "spectrum", None)
    if callable(spectrum) and hasattr(c, "values"):  # a BooleanFunction
        s = spectrum()
        return s.coefficients, s.n
    a = _real_array(c, what)
    return a, _n_of_length(a.shape[-1], what)


def _real_array(x, what: str) -> np.ndarray:
    """``x`` as an array of at least one axis, float32/float64 as given, other real
    dtypes (ints, float16, longdouble, byte-swapped floats) as float64."""
    a = np.asarray(x)
    if a.ndim == 0:
        raise ValueError(f"{what} must have at least one axis of length 2**n, got a 0-d value")
    if a.dtype.kind == "b" or a.dtype.kind not in "iuf":
        raise TypeError(
            f"{what} must be real numbers, got dtype {a.dtype}; map a 0/1 or Boolean "
            "table to ±1 first (BooleanFunction.from_values(b, convention='01'))"
        )
    return a if a.dtype in _KERNEL_DTYPES else a.astype(np.float64)


def _sums(c, want_inf: bool) -> tuple[np.ndarray, np.ndarray, int]:
    """Degree profile ``(..., n+1)`` and influences ``(..., n)`` in one pass."""
    a, n = _as_coefficients(c)
    batch = a.shape[:-1]
    rows = a.reshape(-1, a.shape[-1])
    if not rows.flags.c_contiguous:
        rows = np.ascontiguousarray(rows)
    prof = np.zeros((rows.shape[0], n + 1), np.float64)
    inf = np.zeros((rows.shape[0], n), np.float64)
    if rows.size:
        _sums_kernel(rows, n, prof, inf, want_inf)
    return prof.reshape(batch + (n + 1,)), inf.reshape(batch + (n,)), n


# --------------------------------------------------------------------------- measures


def coefficients(values, axis: int = -1, *, workers: int | None = None) -> np.ndarray:
    r"""Fourier coefficients of functions given by their values.

    .. math:: \hat f(S) = 2^{-n} \sum_{x} f(x) \chi_S(x), \qquad \chi_S(x) = \prod_{k \in S} x_k,

    i.e. ``fwht(values, norm="forward")``.  ``coefficients(values)[..., 0]`` is
    the mean of ``f``.

    Parameters
    ----------
    values : array_like, shape (..., 2**n)
        Function values in index order (bit ``k`` of the index set means
        :math:`x_k = -1`), batched on the other axes; or a
        ``BooleanFunction`` (its values are used).  float32 and float64 are
        transformed as they are; other real dtypes (integers, float16,
        longdouble, non-native byte order) are converted to float64.
    axis : int, optional
        Axis of length ``2**n`` (default: the last).
    workers : int, optional
        Threads for the transform, as in :func:`~boolfourier.fwht`.

    Returns
    -------
    numpy.ndarray, shape (..., 2**n)
        The coefficients, indexed by the bitmask ``S``.

    Examples
    --------
    >>> coefficients([1, -1, -1, 1])  # x0*x1
    array([0., 0., 0., 1.])
    """
    v = getattr(values, "values", values) if hasattr(values, "spectrum") else values
    a = _real_array(v, "values")
    if isinstance(axis, bool) or not isinstance(axis, (int, np.integer)) or not -a.ndim <= axis < a.ndim:
        raise ValueError(f"axis {axis!r} is out of range for an array of {a.ndim} dimension(s)")
    n = _n_of_length(a.shape[axis], "values")
    check_dense(n, copies=max(1, a.size >> n), what="the coefficients of a function")
    return fwht(a, axis=axis, norm="forward", workers=workers)


def degree_profile(c) -> np.ndarray:
    r"""Fourier weight at each degree, :math:`W^k = \sum_{|S| = k} \hat f(S)^2`.

    Parameters
    ----------
    c : array_like, shape (..., 2**n), or Spectrum or BooleanFunction
        Fourier coefficients indexed by bitmask (see :func:`coefficients`).

    Returns
    -------
    numpy.ndarray, shape (..., n + 1)
        ``W[..., k]`` for ``k = 0..n`` (ascending; ``W.sum(-1)`` is
        :math:`E f^2` by Parseval).  The papers' DegP lists it highest degree
        first: ``W[..., ::-1]``.

    Examples
    --------
    >>> degree_profile([0.0, 0.0, 0.0, 1.0])  # x0*x1
    array([0., 0., 1.])
    """
    return _sums(c, want_inf=False)[0]


def influences(c) -> np.ndarray:
    r"""Influence of each coordinate, :math:`\mathrm{Inf}_i = \sum_{S \ni i} \hat f(S)^2`.

    Equal to :math:`\tfrac14 E[(f(x) - f(x^{\oplus i}))^2]`, and for ±1-valued
    ``f`` to :math:`P[f(x) \ne f(x^{\oplus i})]`.

    Parameters
    ----------
    c : array_like, shape (..., 2**n), or Spectrum or BooleanFunction
        Fourier coefficients indexed by bitmask.

    Returns
    -------
    numpy.ndarray, shape (..., n)

    Examples
    --------
    >>> influences([0.0, 0.5, 0.5, 0.0, 0.5, 0.0, 0.0, -0.5])  # majority of 3
    array([0.5, 0.5, 0.5])
    """
    return _sums(c, want_inf=True)[1]


def total_influence(c) -> np.ndarray | float:
    r"""Total influence :math:`I[f] = \sum_i \mathrm{Inf}_i = \sum_S |S| \hat f(S)^2 = \sum_k kW^k`.

    Parameters
    ----------
    c : array_like, shape (..., 2**n), or Spectrum or BooleanFunction

    Returns
    -------
    float or numpy.ndarray, shape (...)

    Examples
    --------
    >>> float(total_influence([0.0, 0.5, 0.5, 0.0, 0.5, 0.0, 0.0, -0.5]))
    1.5
    """
    w = degree_profile(c)
    return _scalar(w @ np.arange(w.shape[-1], dtype=np.float64))


def _scalar(x):
    return float(x) if np.ndim(x) == 0 else x


def _check_rho(rho, name="rho"):
    r = float(rho)
    if not -1.0 <= r <= 1.0 or math.isnan(r):
        raise ValueError(f"{name} must lie in [-1, 1], got {rho!r}")
    return r


def _stab_from_profile(w: np.ndarray, rho: float) -> np.ndarray:
    powers = rho ** np.arange(w.shape[-1], dtype=np.float64)
    if rho == 0.0:
        powers[0] = 1.0
    return w @ powers


def noise_stability(c, rho: float) -> np.ndarray | float:
    r"""Noise stability :math:`\mathrm{Stab}_\rho[f] = E[f(x) f(y)] = \sum_k \rho^k W^k`.

    ``y`` is ``x`` with each coordinate kept with probability
    :math:`(1+\rho)/2` and flipped otherwise, independently (so
    :math:`E[x_i y_i] = \rho`).

    Parameters
    ----------
    c : array_like, shape (..., 2**n), or Spectrum or BooleanFunction
    rho : float in [-1, 1]

    Returns
    -------
    float or numpy.ndarray, shape (...)

    Examples
    --------
    >>> maj3 = [0.0, 0.5, 0.5, 0.0, 0.5, 0.0, 0.0, -0.5]
    >>> float(noise_stability(maj3, 0.5))  # 3/4 rho + 1/4 rho**3
    0.40625
    """
    r = _check_rho(rho)
    return _scalar(_stab_from_profile(degree_profile(c), r))


def noise_sensitivity(c, delta: float) -> np.ndarray | float:
    r"""Noise sensitivity :math:`\mathrm{NS}_\delta[f] = \tfrac14 E[(f(x) - f(y))^2]`.

    ``y`` flips each coordinate of ``x`` with probability :math:`\delta`, so
    :math:`\mathrm{NS}_\delta = \tfrac12 (E f^2 - \mathrm{Stab}_{1 - 2\delta})`,
    which is :math:`P[f(x) \ne f(y)]` for ±1-valued ``f``.

    Parameters
    ----------
    c : array_like, shape (..., 2**n), or Spectrum or BooleanFunction
    delta : float in [0, 1]

    Returns
    -------
    float or numpy.ndarray, shape (...)

    Examples
    --------
    >>> float(noise_sensitivity([0.0, 0.0, 0.0, 1.0], 0.25))  # x0*x1: 1/2 - 1/2 (1/2)**2
    0.375
    """
    d = float(delta)
    if not 0.0 <= d <= 1.0:
        raise ValueError(f"delta must lie in [0, 1], got {delta!r}")
    w = degree_profile(c)
    return _scalar(0.5 * (w.sum(-1) - _stab_from_profile(w, 1.0 - 2.0 * d)))


def spectral_norm_l1(c) -> np.ndarray | float:
    r"""Spectral ℓ1 norm :math:`\|\hat f\|_1 = \sum_S |\hat f(S)|`.

    Examples
    --------
    >>> float(spectral_norm_l1([0.0, 0.5, 0.5, 0.0, 0.5, 0.0, 0.0, -0.5]))
    2.0
    """
    a, _ = _as_coefficients(c)
    return _scalar(np.abs(a).sum(-1))


def relevant_variables(c, tol: float = 1e-12) -> np.ndarray:
    r"""Which coordinates ``f`` depends on: :math:`\mathrm{Inf}_i > \mathrm{tol}`.

    Returns
    -------
    numpy.ndarray of bool, shape (..., n)
        Use ``np.flatnonzero`` on a single function's mask for the indices
        (or :meth:`Spectrum.relevant_variables`, which returns them).

    Examples
    --------
    >>> relevant_variables([0.0, 0.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0])  # x0*x2
    array([ True, False,  True])
    """
    return influences(c) > tol


def top_coefficients(c, k: int = 10) -> tuple[np.ndarray, np.ndarray]:
    r"""The ``k`` coefficients of largest :math:`|\hat f(S)|`, with their masks.

    Ties are broken by the smaller mask, so the result is deterministic.

    Parameters
    ----------
    c : array_like, shape (..., 2**n), or Spectrum or BooleanFunction
    k : int
        How many (at most ``2**n``).

    Returns
    -------
    masks : numpy.ndarray of int64, shape (..., min(k, 2**n))
    values : numpy.ndarray of float, shape (..., min(k, 2**n))
        Sorted by decreasing absolute value.

    Examples
    --------
    >>> masks, vals = top_coefficients([-1.0, 1.0, 1.0, 0.0], 2)  # x0 + x1 - 1
    >>> masks, vals
    (array([0, 1]), array([-1.,  1.]))
    """
    a, n = _as_coefficients(c)
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 0:
        raise ValueError(f"k must be a non-negative integer, got {k!r}")
    if np.isnan(a).any():
        raise ValueError("the coefficients contain NaN: they have no order by magnitude")
    N = a.shape[-1]
    k = min(int(k), N)
    rows = a.reshape(-1, N)
    masks = np.empty((rows.shape[0], k), np.int64)
    for r in range(rows.shape[0]):  # loop over functions, never over 2**n
        mag = np.abs(rows[r])
        if k == 0:
            continue
        if k < N:
            thr = np.partition(mag, N - k)[N - k]  # k-th largest magnitude
            above = np.flatnonzero(mag > thr)
            ties = np.flatnonzero(mag == thr)[: k - above.size]
            cand = np.concatenate([above, ties])
        else:
            cand = np.arange(N)
        # sort by decreasing magnitude, then increasing mask
        masks[r] = cand[np.lexsort((cand, -mag[cand]))]
    masks = masks.reshape(a.shape[:-1] + (k,))
    return masks, np.take_along_axis(a, masks, axis=-1)


def _format_number(x: float, digits: int) -> str:
    s = f"{x:.{digits}g}"
    if "e" not in s and "." in s:
        s = s.rstrip("0").rstrip(".")
    return s


def _terms_text(terms, digits: int = 6) -> str:
    """``[(mask, value)]`` as text: by degree, then coordinates, the constant last.

    The one polynomial printer: :func:`to_polynomial_string` (dense arrays) and
    the sparse interpolants of :mod:`boolfourier.interpolation` both use it.
    """
    rows = [(len(mask_to_set(m)), mask_to_set(m), int(m), float(v)) for m, v in terms]
    rows.sort(key=lambda t: (t[0] == 0, t[0], t[1]))
    parts: list[str] = []
    for deg, _, m, v in rows:
        mag = _format_number(abs(v), digits)
        body = mag if deg == 0 else (monomial_name(m) if mag == "1" else f"{mag}*{monomial_name(m)}")
        sign = "-" if v < 0 else "+"
        parts.append(f"{sign} {body}" if parts else (f"-{body}" if v < 0 else body))
    return " ".join(parts) if parts else "0"


def to_polynomial_string(
    c, tol: float = 1e-12, digits: int = 6, max_terms: int | None = None
) -> str:
    r"""The multilinear polynomial :math:`\sum_S \hat f(S) \chi_S` as text.

    Terms with :math:`|\hat f(S)| > \mathrm{tol}` are listed by degree, then
    lexicographically by their coordinates, with the constant last
    (``x0 + x1 - 1``); coefficients are rounded to ``digits`` significant
    digits and a coefficient of ±1 is not written.

    Parameters
    ----------
    c : array_like, shape (2**n,), or Spectrum or BooleanFunction
    tol : float
        Coefficients with absolute value at most ``tol`` are left out.
    digits : int
        Significant digits of the printed coefficients.
    max_terms : int, optional
        Print only the ``max_terms`` largest terms and say how many were left out.

    Returns
    -------
    str
        ``"0"`` for the zero function.

    Examples
    --------
    >>> to_polynomial_string([0.0, 0.5, 0.5, 0.0, 0.5, 0.0, 0.0, -0.5])
    '0.5*x0 + 0.5*x1 + 0.5*x2 - 0.5*x0*x1*x2'
    """
    a, n = _as_coefficients(c)
    if a.ndim != 1:
        raise ValueError(
            f"to_polynomial_string takes one function, got shape {a.shape}; loop over the batch"
        )
    idx = np.flatnonzero(np.abs(a) > tol)
    left_out = 0
    if max_terms is not None and idx.size > max_terms:
        keep = np.sort(top_coefficients(a, int(max_terms))[0])  # argpartition, not a full sort
        left_out = idx.size - keep.size
        idx = keep
    text = _terms_text([(int(S), a[S]) for S in idx], digits)
    if left_out:
        text += f" + ... ({left_out} smaller terms)"
    return text


def distance(f, g, metric: str = "l2") -> np.ndarray | float:
    r"""Distance between functions given by values (``(..., 2**n)``) or BooleanFunctions.

    * ``"l2"``: :math:`\sqrt{E_x (f(x) - g(x))^2}`, which by Parseval is also
      :math:`\|\hat f - \hat g\|_2` (for coefficient arrays use
      ``np.linalg.norm(cf - cg, axis=-1)``: a sum, not a mean);
    * ``"mse"``: its square;
    * ``"sign"``: :math:`P_x[\mathrm{sgn} f(x) \ne \mathrm{sgn} g(x)]` (values
      only; ``sgn 0 = +1``).

    Examples
    --------
    >>> distance([1, 1, 1, -1], [1, 1, 1, 1]), distance([1, 1, 1, -1], [1, 1, 1, 1], "sign")
    (1.0, 0.25)
    """
    a = np.asarray(getattr(f, "values", f), dtype=np.float64)
    b = np.asarray(getattr(g, "values", g), dtype=np.float64)
    if a.shape[-1:] != b.shape[-1:] or a.ndim == 0:
        raise ValueError(
            f"f and g must have the same number 2**n of values on the last axis, got "
            f"shapes {a.shape} and {b.shape}"
        )
    _n_of_length(a.shape[-1], "f")
    if metric in ("l2", "mse"):
        mse = np.mean((a - b) ** 2, axis=-1)
        return _scalar(mse if metric == "mse" else np.sqrt(mse))
    if metric == "sign":
        return _scalar(np.mean((a >= 0) != (b >= 0), axis=-1))
    raise ValueError(f"metric must be 'l2', 'mse' or 'sign', got {metric!r}")


# --------------------------------------------------------------------------- Spectrum


def _mask_of(S) -> int:
    if isinstance(S, (int, np.integer)) and not isinstance(S, bool):
        return int(S)
    if isinstance(S, Iterable):
        return set_to_mask(S)
    raise TypeError(f"a monomial is a bitmask int or an iterable of coordinates, got {S!r}")


class Spectrum:
    r"""The Fourier coefficients of one function on :math:`\{\pm1\}^n`, with its measures.

    A read-only coefficient vector indexed by bitmask plus cached derived
    measures (the degree profile and influences are computed together, once).

    Parameters
    ----------
    coefficients : array_like, shape (2**n,)
        :math:`\hat f(S)` for ``S = 0 .. 2**n - 1``.

    Examples
    --------
    >>> s = Spectrum([0.0, 0.5, 0.5, 0.0, 0.5, 0.0, 0.0, -0.5])
    >>> s
    Spectrum(n=3, 0.5*x0 + 0.5*x1 + 0.5*x2 - 0.5*x0*x1*x2)
    >>> s[{0, 1, 2}], s.degree_profile(), s.total_influence()
    (-0.5, array([0.  , 0.75, 0.  , 0.25]), 1.5)
    """

    __slots__ = ("_c", "_n", "_prof", "_inf")

    def __init__(self, coefficients):
        a, n = _as_coefficients(coefficients)
        if a.ndim != 1:
            raise ValueError(
                f"a Spectrum holds one function, got shape {a.shape}; the measure functions "
                "(degree_profile, influences, ...) take batches (..., 2**n)"
            )
        a = np.array(a, dtype=np.float64)  # our own copy, as in BooleanFunction
        a.setflags(write=False)
        self._c = a
        self._n = n
        self._prof = None
        self._inf = None

    @classmethod
    def from_values(cls, values, *, workers: int | None = None) -> "Spectrum":
        """Spectrum of a function given by its values ``(2**n,)`` (no copy of the coefficients).

        >>> Spectrum.from_values([1.0, -1.0, -1.0, 1.0])
        Spectrum(n=2, x0*x1)
        """
        c = coefficients(values, workers=workers)
        if c.ndim != 1:
            raise ValueError(f"a Spectrum holds one function, got values of shape {c.shape}")
        if c.dtype != np.float64:
            c = c.astype(np.float64)
        c.setflags(write=False)  # a fresh array: take it over instead of copying
        return cls(c)

    @property
    def n(self) -> int:
        """Number of variables."""
        return self._n

    @property
    def coefficients(self) -> np.ndarray:
        """The coefficients, shape ``(2**n,)``, read-only."""
        return self._c

    def __len__(self) -> int:
        return self._c.shape[0]

    def __array__(self, dtype=None, copy=None):
        return np.array(self._c, dtype=dtype) if dtype is not None or copy else self._c

    def __getitem__(self, S) -> float:
        """``s[S]``: the coefficient of monomial ``S`` (a bitmask, or coordinates: ``{0, 2}``)."""
        m = _mask_of(S)
        if not 0 <= m < self._c.shape[0]:
            raise IndexError(f"monomial {S!r} uses a coordinate >= n = {self._n}")
        return float(self._c[m])

    def _measures(self):
        if self._inf is None:
            prof, inf, _ = _sums(self._c, want_inf=True)
            prof.setflags(write=False)
            inf.setflags(write=False)
            self._prof, self._inf = prof, inf
        return self._prof, self._inf

    @property
    def mean(self) -> float:
        """:math:`E f = \\hat f(\\emptyset)`."""
        return float(self._c[0])

    @property
    def variance(self) -> float:
        """:math:`\\mathrm{Var} f = \\sum_{S \\ne \\emptyset} \\hat f(S)^2`."""
        return float(self._measures()[0][1:].sum())

    def degree_profile(self) -> np.ndarray:
        """:math:`W^k`, ``k = 0..n`` (see :func:`degree_profile`); read-only."""
        return self._measures()[0]

    def influences(self) -> np.ndarray:
        """:math:`\\mathrm{Inf}_i`, ``i = 0..n-1`` (see :func:`influences`); read-only."""
        return self._measures()[1]

    def total_influence(self) -> float:
        """:math:`\\sum_k k W^k` (see :func:`total_influence`)."""
        w = self._measures()[0]
        return float(w @ np.arange(w.size, dtype=np.float64))

    def noise_stability(self, rho: float) -> float:
        """:math:`\\sum_k \\rho^k W^k` (see :func:`noise_stability`)."""
        return float(_stab_from_profile(self._measures()[0], _check_rho(rho)))

    def noise_sensitivity(self, delta: float) -> float:
        """See :func:`noise_sensitivity`."""
        return noise_sensitivity(self, delta)

    def spectral_norm_l1(self) -> float:
        """:math:`\\sum_S |\\hat f(S)|`."""
        return float(np.abs(self._c).sum())

    def relevant_variables(self, tol: float = 1e-12) -> tuple[int, ...]:
        """Coordinates with influence above ``tol``, as sorted indices."""
        return tuple(int(i) for i in np.flatnonzero(self._measures()[1] > tol))

    def degree(self, tol: float = 1e-12) -> int:
        """:math:`\\max\\{|S| : |\\hat f(S)| > \\mathrm{tol}\\}` (``-1`` for the zero function)."""
        big = np.abs(self._c) > tol
        return int(degrees(self._n)[big].max()) if big.any() else -1

    def sparsity(self, tol: float = 1e-12) -> int:
        """Number of coefficients with :math:`|\\hat f(S)| > \\mathrm{tol}`."""
        return int(np.count_nonzero(np.abs(self._c) > tol))

    def top(self, k: int = 10, tol: float = 0.0) -> list[tuple[int, float]]:
        """The ``k`` largest coefficients as ``(mask, value)`` pairs, without ``|value| <= tol``."""
        masks, vals = top_coefficients(self._c, k)
        return [(int(m), float(v)) for m, v in zip(masks, vals) if abs(v) > tol]

    def to_polynomial_string(self, tol: float = 1e-12, digits: int = 6, max_terms=None) -> str:
        """See :func:`to_polynomial_string`."""
        return to_polynomial_string(self._c, tol=tol, digits=digits, max_terms=max_terms)

    def to_dict(self, tol: float = 1e-12) -> dict[int, float]:
        """``{mask: coefficient}`` for the coefficients with absolute value above ``tol``."""
        idx = np.flatnonzero(np.abs(self._c) > tol)
        return {int(s): float(self._c[s]) for s in idx}

    def __repr__(self) -> str:
        if self.sparsity() <= 16:
            return f"Spectrum(n={self._n}, {self.to_polynomial_string()})"
        return (
            f"Spectrum(n={self._n}, {self.sparsity()} nonzero coefficients, "
            f"degree profile {np.array2string(self.degree_profile(), precision=4)})"
        )
