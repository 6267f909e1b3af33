r"""Dense functions on :math:`\{\pm1\}^n`: :class:`BooleanFunction`, its constructors and families.

A :class:`BooleanFunction` is a thin, immutable wrapper around ``n`` and the
``2**n`` real values in index order (bit ``k`` of index ``i`` set means
:math:`x_k = -1`).  Its measures are the array functions of
:mod:`boolfourier.spectrum`, reached through :meth:`BooleanFunction.spectrum`.

Boolean outputs follow the ±1 convention: ``True``/bit 1 is :math:`-1`, so
``and_(n)`` is :math:`-1` exactly when every :math:`x_i = -1` (O'Donnell's
convention).  The 0/1 convention ``b = (1 - x)/2`` is accepted at the edges
(``from_values(b, convention="01")``, :meth:`BooleanFunction.to_01`).

Families
--------
parity / monomial     :math:`\chi_S(x) = \prod_{k\in S} x_k`
dictator              :math:`x_i`
majority              :math:`\mathrm{sgn}(\sum_i x_i)`, odd ``n``
threshold             :math:`\mathrm{sgn}(b + \sum_i w_i x_i)`, ``sgn 0 = +1``
and_, or_             -1 iff all / any coordinate is -1
tribes                OR of ANDs of disjoint blocks
cyclic_sum            :math:`\sum_{i<n} \prod_{j<k} x_{(i+j) \bmod n}` (the GOTU paper's f3)
pvr                   pointer-value retrieval (Boolean version)
random_function       uniform ±1 (or Gaussian) values, ``rng=``
constant              :math:`c`
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np

from ._memory import check_dense
from .cube import as_mask, check_coordinate, check_n, iter_points, point_to_index
from .spectrum import Spectrum
from .transform import ifwht

__all__ = [
    "BooleanFunction",
    "parity",
    "monomial",
    "dictator",
    "majority",
    "threshold",
    "and_",
    "or_",
    "tribes",
    "cyclic_sum",
    "pvr",
    "random_function",
    "constant",
]

#: Rows of points evaluated per call of a user callable.
_CHUNK = 1 << 16


def _n_from_length(m: int) -> int:
    if m < 1 or m & (m - 1):
        raise ValueError(
            f"got {m} values, which is not a power of two; a function on {{±1}}^n has 2**n "
            "values in index order"
        )
    return m.bit_length() - 1




def _check_finite(a: np.ndarray) -> None:
    # min/max propagate NaN and show inf without a temporary of 2**n booleans
    if a.size and not (np.isfinite(a.min()) and np.isfinite(a.max())):
        bad = int(np.flatnonzero(~np.isfinite(a))[0])
        raise ValueError(f"function values must be finite, got {a[bad]} at index {bad} "
                         "(a function with NaN or inf values has no Fourier expansion)")


class BooleanFunction:
    r"""A real function on :math:`\{\pm1\}^n`, stored densely in index order.

    Immutable: ``values`` is a read-only float64 array of length ``2**n``;
    arithmetic returns new functions.  Build one with a ``from_*``
    constructor or a family function (:func:`parity`, :func:`majority`, ...).

    Parameters
    ----------
    values : array_like, shape (2**n,)
        Real values in index order (see :meth:`from_values` for conventions).
    n : int, optional
        Number of variables; inferred from the length when omitted.

    Examples
    --------
    >>> f = BooleanFunction.from_expression("x0*x1 + x2", 3)
    >>> f
    BooleanFunction(n=3, x2 + x0*x1)
    >>> f.spectrum().degree_profile()
    array([0., 1., 1., 0.])
    """

    __slots__ = ("_n", "_values", "_spectrum")
    __array_ufunc__ = None  # so that ``np.float64(2) * f`` calls f.__rmul__

    def __init__(self, values, n: int | None = None):
        a = np.asarray(values)
        if a.ndim != 1:
            raise ValueError(f"values must be one-dimensional (2**n,), got shape {a.shape}")
        if a.dtype.kind == "b":
            raise TypeError(
                "Boolean values are ambiguous; use BooleanFunction.from_values(b, "
                "convention='01') (True -> -1) or pass a.astype(float)"
            )
        if a.dtype.kind not in "iuf":
            raise TypeError(f"values must be real numbers, got dtype {a.dtype}")
        m = _n_from_length(a.shape[0])
        if n is not None and check_n(n) != m:
            raise ValueError(
                f"{a.shape[0]} values do not match n = {n} (expected 2**{n} = {1 << n})"
            )
        # always our own read-only copy: a caller's read-only array can be made
        # writeable again by its owner (setflags), which then changed this function
        a = np.array(a, dtype=np.float64)
        a.setflags(write=False)
        _check_finite(a)
        self._n = m
        self._values = a
        self._spectrum = None

    @classmethod
    def _own(cls, values: np.ndarray) -> "BooleanFunction":
        """Wrap a fresh float64 array without copying it (internal: the caller gives it up)."""
        a = np.asarray(values, dtype=np.float64)
        if a.ndim != 1:
            raise ValueError(f"values must be one-dimensional (2**n,), got shape {a.shape}")
        a.setflags(write=False)
        _check_finite(a)
        self = cls.__new__(cls)
        self._n = _n_from_length(a.shape[0])
        self._values = a
        self._spectrum = None
        return self

    # ------------------------------------------------------------------ constructors

    @classmethod
    def from_values(
        cls, values, n: int | None = None, *, convention: str = "pm1"
    ) -> "BooleanFunction":
        r"""Function with the given values in index order.

        Parameters
        ----------
        values : array_like, shape (2**n,)
            ``convention="pm1"`` (default): the values themselves, ±1 or any
            reals.  ``convention="01"``: 0/1 (or bool) outputs ``b``, stored as
            ``1 - 2 b`` (so 1/True becomes -1).
        n : int, optional
            Checked against the length when given.
        convention : {"pm1", "01"}

        Examples
        --------
        >>> BooleanFunction.from_values([0, 1, 1, 0], convention="01").values
        array([ 1., -1., -1.,  1.])
        """
        if convention == "pm1":
            return cls(values, n)
        if convention == "01":
            b = np.asarray(values)
            if b.dtype.kind not in "biuf" or not np.all((b == 0) | (b == 1)):
                raise ValueError("convention='01' needs values in {0, 1} (or booleans)")
            return cls(1.0 - 2.0 * b.astype(np.float64), n)
        raise ValueError(f"convention must be 'pm1' or '01', got {convention!r}")

    @classmethod
    def from_callable(
        cls,
        fn: Callable[[np.ndarray], np.ndarray],
        n: int,
        *,
        chunk: int = _CHUNK,
        dtype=np.float64,
        convention: str = "pm1",
    ) -> "BooleanFunction":
        r"""Tabulate ``fn`` on the whole cube, ``chunk`` points per call.

        Parameters
        ----------
        fn : callable
            Maps an ``(m, n)`` array of ±1 points (dtype ``dtype``, rows in
            index order) to ``m`` real values (shape ``(m,)`` or ``(m, 1)``) —
            e.g. a vectorised formula or a wrapped network.  Boolean outputs
            need ``convention="01"`` (True becomes -1).
        n : int
        chunk : int
            Points per call (memory: ``chunk * n`` entries of ``dtype``).
        dtype : numpy dtype
            Dtype of the points passed to ``fn`` (float64 by default, so
            arithmetic in ``fn`` cannot overflow).
        convention : {"pm1", "01"}
            How to read the outputs (see :meth:`from_values`).

        Examples
        --------
        >>> BooleanFunction.from_callable(lambda x: x[:, 0] * x[:, 1], 2).values
        array([ 1., -1., -1.,  1.])
        """
        if not callable(fn):
            raise TypeError(
                f"fn must be callable on an (m, n) array of ±1, got {type(fn).__name__}"
            )
        n = check_n(n)
        if convention not in ("pm1", "01"):
            raise ValueError(f"convention must be 'pm1' or '01', got {convention!r}")
        check_dense(n, what="tabulating a callable")
        out = np.empty(1 << n, np.float64)
        for start, x in iter_points(n, chunk=chunk, dtype=dtype):
            y = np.asarray(fn(x))
            m = x.shape[0]
            if y.shape == (m, 1):
                y = y[:, 0]
            if y.shape != (m,):
                raise ValueError(
                    f"fn returned shape {y.shape} for {m} points; it must return one value "
                    f"per row, shape ({m},)"
                )
            if y.dtype.kind == "b" or convention == "01":
                if convention != "01":
                    raise TypeError(
                        "fn returned booleans; pass convention='01' (True -> -1) or return numbers"
                    )
                if not np.all((y == 0) | (y == 1)):
                    raise ValueError("convention='01' needs fn to return values in {0, 1}")
                y = 1.0 - 2.0 * y.astype(np.float64)
            elif y.dtype.kind not in "iuf":
                raise TypeError(f"fn must return real numbers, got dtype {y.dtype}")
            out[start : start + m] = y
        return cls._own(out)

    @classmethod
    def from_expression(
        cls, text: str, n: int | None = None, *, predicate: str = "pm1"
    ) -> "BooleanFunction":
        r"""Function given by a safe expression (parsed by :mod:`boolfourier.expr`, no ``eval``).

        Parameters
        ----------
        text : str
            A real expression (``"x0*x1 - 1.25*x1*x2"``) or a predicate
            (``"x0 == -1 and x1 == -1"``).
        n : int, optional
            Number of variables; at least the expression's own ``min_n``
            (its default).
        predicate : {"pm1", "indicator"}
            How a predicate becomes a function: ``"pm1"`` maps True to -1 and
            False to +1; ``"indicator"`` maps True to 1 and False to 0.

        Examples
        --------
        >>> BooleanFunction.from_expression("x0 + x1 - 1").values
        array([ 1., -1., -1., -3.])
        """
        from .expr import parse  # expr is a sibling; imported here to keep imports light

        if not isinstance(text, str):
            raise TypeError(f"text must be a string, got {type(text).__name__}")
        if predicate not in ("pm1", "indicator"):
            raise ValueError(f"predicate must be 'pm1' or 'indicator', got {predicate!r}")
        e = parse(text)
        min_n = int(e.min_n)
        if n is None:
            if e.variables is None:
                raise ValueError(f"{text!r} depends on every coordinate (e.g. weight(x)); pass n")
            n = min_n
        n = check_n(n)
        if n < min_n:
            raise ValueError(f"{text!r} uses x{min_n - 1}, so it needs n >= {min_n}; got n = {n}")
        if e.kind == "predicate":
            if predicate == "pm1":
                return cls.from_callable(e.evaluate, n, dtype=np.int8, convention="01")

            def ind(x):
                return np.asarray(e.evaluate(x), dtype=np.float64)

            return cls.from_callable(ind, n, dtype=np.int8)
        return cls.from_callable(e.evaluate, n, dtype=np.int8)

    @classmethod
    def from_coefficients(cls, coeffs, n: int | None = None) -> "BooleanFunction":
        r"""Function :math:`f = \sum_S \hat f(S) \chi_S` from its Fourier coefficients.

        Parameters
        ----------
        coeffs : array_like, shape (2**n,), or Spectrum, or mapping
            Coefficients indexed by bitmask; or ``{S: value}`` with ``S`` a
            bitmask or an iterable of coordinates (then ``n`` is required).
        n : int, optional

        Examples
        --------
        >>> BooleanFunction.from_coefficients({0b11: 1.0}, 2).values
        array([ 1., -1., -1.,  1.])
        """
        if isinstance(coeffs, Spectrum):
            coeffs = coeffs.coefficients
        if isinstance(coeffs, Mapping):
            if n is None:
                raise ValueError("from_coefficients with a mapping needs n")
            n = check_n(n)
            check_dense(n)
            c = np.zeros(1 << n, np.float64)
            for S, v in coeffs.items():
                c[as_mask(S, n)] += float(v)
        else:
            c = np.asarray(coeffs, dtype=np.float64)
            if c.ndim != 1:
                raise ValueError(
                    f"coefficients must be one-dimensional (2**n,), got shape {c.shape}"
                )
            m = _n_from_length(c.shape[0])
            if n is not None and check_n(n) != m:
                raise ValueError(f"{c.shape[0]} coefficients do not match n = {n}")
        return cls._own(ifwht(c, norm="forward"))

    # ------------------------------------------------------------------ basic access

    @property
    def n(self) -> int:
        """Number of variables."""
        return self._n

    @property
    def values(self) -> np.ndarray:
        """Values in index order, shape ``(2**n,)``, float64, read-only."""
        return self._values

    def __len__(self) -> int:
        return self._values.shape[0]

    def __array__(self, dtype=None, copy=None):
        return np.array(self._values, dtype=dtype) if dtype is not None or copy else self._values

    def spectrum(self) -> Spectrum:
        r"""The Fourier spectrum :math:`\hat f` (computed once, then cached)."""
        if self._spectrum is None:
            self._spectrum = Spectrum.from_values(self._values)
        return self._spectrum

    def evaluate(self, x=None, *, index=None) -> np.ndarray:
        """Values at points ``x`` (shape ``(..., n)``, entries ±1) or at integer indices ``index``.

        >>> majority(3).evaluate([[1, -1, -1], [1, 1, -1]])
        array([-1.,  1.])
        """
        if (x is None) == (index is None):
            raise TypeError("pass exactly one of x (points) or index= (integer indices)")
        if x is not None:
            x = np.asarray(x)
            if x.ndim == 0 or x.shape[-1] != self._n:
                raise ValueError(f"points must have shape (..., {self._n}), got {x.shape}")
            idx = point_to_index(x)
        else:
            idx = np.asarray(index)
            if idx.dtype.kind not in "iu":
                raise TypeError(f"indices must be integers, got dtype {idx.dtype}")
            if idx.size and (idx.min() < 0 or idx.max() >= len(self)):
                raise IndexError(f"indices must lie in [0, 2**{self._n})")
        return self._values[idx]

    __call__ = evaluate

    def restrict(self, fixed: Mapping[int, int], *, keep_n: bool = False) -> "BooleanFunction":
        r"""Fix coordinates: :math:`f|_{x_k = v_k}`.

        Parameters
        ----------
        fixed : mapping {coordinate: +1 or -1}
        keep_n : bool
            False (default): a function of the ``n - len(fixed)`` free
            coordinates, renumbered in increasing order.  True: a function of
            all ``n`` coordinates that ignores the fixed ones (e.g. the
            canonical-holdout MDI ``f|_{x_i = 1}``).

        Examples
        --------
        >>> majority(3).restrict({2: -1})  # x0 AND-like: -1 unless x0 = x1 = 1
        BooleanFunction(n=2, 0.5*x0 + 0.5*x1 + 0.5*x0*x1 - 0.5)
        """
        if not isinstance(fixed, Mapping):
            raise TypeError("fixed must be a mapping {coordinate: +1 or -1}, e.g. {0: 1}")
        n = self._n
        sel: list = [slice(None)] * n  # axis a of the (2,)*n view is coordinate n - 1 - a
        for k, v in fixed.items():
            k = check_coordinate(k, n)
            if isinstance(v, bool) or v not in (1, -1):
                raise ValueError(f"fixed values are +1 or -1, got {v!r} for x{k}")
            sel[n - 1 - k] = 0 if v == 1 else 1
        if n == 0:
            return self
        cube = self._values.reshape((2,) * n)
        if keep_n:
            sub = cube[tuple(slice(s, s + 1) if isinstance(s, int) else s for s in sel)]
            return BooleanFunction(np.broadcast_to(sub, (2,) * n).reshape(-1))
        return BooleanFunction(np.ascontiguousarray(cube[tuple(sel)]).reshape(-1))

    # ------------------------------------------------------------------ arithmetic

    def _other(self, other):
        if isinstance(other, BooleanFunction):
            if other._n != self._n:
                raise ValueError(
                    f"functions of n = {self._n} and n = {other._n} variables cannot be combined"
                )
            return other._values
        if isinstance(other, (int, float, np.integer, np.floating)) and not isinstance(other, bool):
            return float(other)
        return NotImplemented

    def __add__(self, other):
        o = self._other(other)
        return NotImplemented if o is NotImplemented else BooleanFunction._own(self._values + o)

    __radd__ = __add__

    def __sub__(self, other):
        o = self._other(other)
        return NotImplemented if o is NotImplemented else BooleanFunction._own(self._values - o)

    def __rsub__(self, other):
        o = self._other(other)
        return NotImplemented if o is NotImplemented else BooleanFunction._own(o - self._values)

    def __mul__(self, other):
        o = self._other(other)
        return NotImplemented if o is NotImplemented else BooleanFunction._own(self._values * o)

    __rmul__ = __mul__

    def __truediv__(self, other):
        if isinstance(other, BooleanFunction):
            return NotImplemented
        o = self._other(other)
        return NotImplemented if o is NotImplemented else BooleanFunction._own(self._values / o)

    def __neg__(self):
        return BooleanFunction._own(-self._values)

    def __pos__(self):
        return self

    def __eq__(self, other):
        if not isinstance(other, BooleanFunction):
            return NotImplemented
        return self._n == other._n and bool(np.array_equal(self._values, other._values))

    __hash__ = None  # equality is by value; the object holds an array

    # ------------------------------------------------------------------ conveniences

    @property
    def is_boolean(self) -> bool:
        """True when every value is ±1."""
        return bool(np.all(np.abs(self._values) == 1.0))

    def to_01(self) -> np.ndarray:
        """Values in the 0/1 convention ``(1 - f)/2`` (needs a ±1-valued function), dtype uint8."""
        if not self.is_boolean:
            raise ValueError("to_01 needs a ±1-valued function; use sign() first")
        return ((1.0 - self._values) / 2.0).astype(np.uint8)

    def sign(self) -> "BooleanFunction":
        """:math:`\\mathrm{sgn} f` with ``sgn 0 = +1``."""
        return BooleanFunction._own(np.where(self._values >= 0, 1.0, -1.0))

    def __repr__(self) -> str:
        if self._spectrum is not None or self._n <= 16:
            s = self.spectrum()
            if s.sparsity() <= 16:
                return f"BooleanFunction(n={self._n}, {s.to_polynomial_string()})"
            poly = s.to_polynomial_string(max_terms=4)
            return f"BooleanFunction(n={self._n}, {poly})"
        v = np.array2string(self._values[:8], precision=4, separator=", ")
        return f"BooleanFunction(n={self._n}, values={v[:-1]}, ...])"


# ====================================================================== families


def parity(S=None, n: int | None = None) -> BooleanFunction:
    r"""The character :math:`\chi_S(x) = \prod_{k \in S} x_k` (parity of the bits in ``S``).

    Parameters
    ----------
    S : int or iterable of int, optional
        Bitmask or coordinates; default: all ``n`` coordinates.
    n : int
        Number of variables (default: just enough for ``S``).

    Examples
    --------
    >>> parity(0b11, 2).values
    array([ 1., -1., -1.,  1.])
    """
    if S is None and n is None:
        raise TypeError("parity needs S or n (parity(n=3) is x0*x1*x2)")
    if S is None:
        n = check_n(n)
        m = (1 << n) - 1
    else:
        m = as_mask(S)
        n = m.bit_length() if n is None else check_n(n)
        if m >> n:
            raise ValueError(f"monomial {S!r} uses a coordinate >= n = {n}")
    check_dense(n)
    idx = np.arange(1 << n, dtype=np.int64)
    from .cube import popcount

    return BooleanFunction._own(1.0 - 2.0 * (popcount(idx & m) & 1))


#: Alias: a monomial is a character.
monomial = parity


def dictator(i: int, n: int) -> BooleanFunction:
    r"""The dictator :math:`x_i`.

    >>> dictator(1, 2).values
    array([ 1.,  1., -1., -1.])
    """
    n = check_n(n)
    return parity(1 << check_coordinate(i, n), n)


def majority(n: int) -> BooleanFunction:
    r"""Majority :math:`\mathrm{Maj}_n(x) = \mathrm{sgn}(\sum_i x_i)` for odd ``n``.

    >>> majority(3).spectrum()
    Spectrum(n=3, 0.5*x0 + 0.5*x1 + 0.5*x2 - 0.5*x0*x1*x2)
    """
    n = check_n(n)
    if n % 2 == 0:
        raise ValueError(
            f"majority needs an odd n to avoid ties, got {n}; use threshold(np.ones(n), bias=...) "
            "to choose how ties break"
        )
    from .cube import weights

    return BooleanFunction._own(np.where(2 * weights(n).astype(np.int64) < n, 1.0, -1.0))


def threshold(weights, bias: float = 0.0) -> BooleanFunction:
    r"""Linear threshold function :math:`\mathrm{sgn}(b + \sum_i w_i x_i)`, ``sgn 0 = +1``.

    Parameters
    ----------
    weights : array_like, shape (n,)
    bias : float

    Examples
    --------
    >>> threshold([2, 1, 1]).values  # sgn(2 x0 + x1 + x2), ties -> +1
    array([ 1.,  1.,  1., -1.,  1., -1.,  1., -1.])
    """
    w = np.asarray(weights, dtype=np.float64)
    if w.ndim != 1:
        raise ValueError(f"weights must be a 1-D array (n,), got shape {w.shape}")
    if not (np.isfinite(w).all() and np.isfinite(bias)):
        raise ValueError("threshold weights and bias must be finite (no NaN or inf)")
    n = check_n(w.shape[0])
    check_dense(n, copies=3)
    s = np.full(1 << n, float(bias))
    for start, x in iter_points(n):  # chunked: (chunk, n) points at a time
        s[start : start + x.shape[0]] += x @ w
    return BooleanFunction._own(np.where(s >= 0, 1.0, -1.0))


def and_(n: int) -> BooleanFunction:
    r"""AND in the ±1 convention (True = -1): -1 iff every :math:`x_i = -1`.

    >>> and_(2).values
    array([ 1.,  1.,  1., -1.])
    """
    n = check_n(n)
    check_dense(n)
    v = np.ones(1 << n)
    v[-1] = -1.0
    return BooleanFunction._own(v)


def or_(n: int) -> BooleanFunction:
    r"""OR in the ±1 convention (True = -1): -1 iff some :math:`x_i = -1`.

    >>> or_(2).values
    array([ 1., -1., -1., -1.])
    """
    n = check_n(n)
    check_dense(n)
    v = -np.ones(1 << n)
    v[0] = 1.0
    return BooleanFunction._own(v)


def tribes(width: int, count: int) -> BooleanFunction:
    r"""Tribes: OR of ``count`` ANDs over disjoint blocks of ``width`` coordinates.

    ``n = width * count``; block ``j`` is ``x[j*width : (j+1)*width]``.  In the
    ±1 convention (True = -1): -1 iff some block is all -1.

    >>> tribes(2, 2).values.tolist().count(-1.0)  # 16 - 3*3 points
    7
    """
    width, count = int(width), int(count)
    if width < 1 or count < 1:
        raise ValueError(f"tribes needs width >= 1 and count >= 1, got {width}, {count}")
    n = check_n(width * count)
    check_dense(n)
    idx = np.arange(1 << n, dtype=np.int64)
    block = (1 << width) - 1
    hit = np.zeros(1 << n, dtype=bool)
    for j in range(count):  # loop over blocks, vectorised over the cube
        hit |= ((idx >> (j * width)) & block) == block
    return BooleanFunction._own(np.where(hit, -1.0, 1.0))


def cyclic_sum(n: int, k: int = 3) -> BooleanFunction:
    r"""Cyclic sum of ``k``-products :math:`\sum_{i=0}^{n-1} \prod_{j=0}^{k-1} x_{(i+j) \bmod n}`.

    With ``n = 15, k = 3`` this is the GOTU paper's f3 (``cyclic3dim15``).

    >>> cyclic_sum(4, 2)
    BooleanFunction(n=4, x0*x1 + x0*x3 + x1*x2 + x2*x3)
    """
    n = check_n(n)
    k = int(k)
    if not 1 <= k <= n:
        raise ValueError(f"cyclic_sum needs 1 <= k <= n, got k = {k}, n = {n}")
    check_dense(n, copies=3)
    from .cube import popcount

    idx = np.arange(1 << n, dtype=np.int64)
    v = np.zeros(1 << n)
    for i in range(n):  # n monomials, each vectorised over the cube
        m = 0
        for j in range(k):
            m |= 1 << ((i + j) % n)
        v += 1.0 - 2.0 * (popcount(idx & m) & 1)
    return BooleanFunction._own(v)


def pvr(
    pointer_bits: int, window: int = 1, aggregate: str = "parity", *, wrap: bool = True
) -> BooleanFunction:
    r"""Pointer-value retrieval, Boolean version (Zhang et al. 2021; Abbe et al. 2022).

    Documented choices (the papers leave them open):

    * the pointer is the first ``p = pointer_bits`` coordinates read as a
      binary number in boolfourier's bit convention, LSB first:
      :math:`j = \sum_{b<p} \frac{1 - x_b}{2} 2^b`;
    * the value bits are :math:`v_t = x_{p + t}`; there are ``m = 2**p`` of
      them when ``wrap`` (the window :math:`v_j, \dots, v_{j+w-1}` wraps
      around mod ``m``), and ``m = 2**p + w - 1`` otherwise;
    * the label aggregates the window: ``"parity"`` :math:`\prod v`,
      ``"majority"`` :math:`\mathrm{sgn} \sum v` (odd ``w``), ``"and"`` /
      ``"or"`` in the ±1 convention (True = -1).

    So ``n = p + m``.

    >>> f = pvr(1, 1)  # n = 3: x1 if x0 = +1 else x2
    >>> f.spectrum()
    Spectrum(n=3, 0.5*x1 + 0.5*x2 + 0.5*x0*x1 - 0.5*x0*x2)
    """
    p, w = int(pointer_bits), int(window)
    if p < 0 or w < 1:
        raise ValueError(f"pvr needs pointer_bits >= 0 and window >= 1, got {p}, {w}")
    if aggregate not in ("parity", "majority", "and", "or"):
        raise ValueError(
            f"aggregate must be 'parity', 'majority', 'and' or 'or', got {aggregate!r}"
        )
    if aggregate == "majority" and w % 2 == 0:
        raise ValueError(f"aggregate='majority' needs an odd window, got {w}")
    m = (1 << p) if wrap else (1 << p) + w - 1
    if wrap and w > m:
        raise ValueError(f"window {w} is longer than the {m} value bits")
    n = check_n(p + m)
    check_dense(n, copies=3)
    idx = np.arange(1 << n, dtype=np.int64)
    j = idx & ((1 << p) - 1)  # pointer value per point
    ones = np.zeros(1 << n, np.int64)  # number of -1 (bit 1) in the window
    for t in range(w):  # loop over the window, vectorised over the cube
        pos = p + ((j + t) % m if wrap else j + t)
        ones += (idx >> pos) & 1
    if aggregate == "parity":
        v = 1.0 - 2.0 * (ones & 1)
    elif aggregate == "majority":
        v = np.where(2 * ones < w, 1.0, -1.0)
    elif aggregate == "and":
        v = np.where(ones == w, -1.0, 1.0)
    else:
        v = np.where(ones > 0, -1.0, 1.0)
    return BooleanFunction._own(v)


def random_function(n: int, rng=None, *, kind: str = "pm1") -> BooleanFunction:
    r"""A random function: uniform ±1 values (``kind="pm1"``) or i.i.d. N(0, 1) (``"gaussian"``).

    Parameters
    ----------
    n : int
    rng : numpy.random.Generator or int seed, optional
    kind : {"pm1", "gaussian"}

    >>> random_function(3, rng=0).is_boolean
    True
    """
    n = check_n(n)
    check_dense(n)
    g = np.random.default_rng(rng)
    if kind == "pm1":
        return BooleanFunction._own(1.0 - 2.0 * g.integers(0, 2, 1 << n))
    if kind == "gaussian":
        return BooleanFunction._own(g.standard_normal(1 << n))
    raise ValueError(f"kind must be 'pm1' or 'gaussian', got {kind!r}")


def constant(c: float, n: int) -> BooleanFunction:
    """The constant function ``c`` on ``n`` variables.

    >>> constant(-1, 1).values
    array([-1., -1.])
    """
    n = check_n(n)
    check_dense(n)
    return BooleanFunction._own(np.full(1 << n, float(c)))
