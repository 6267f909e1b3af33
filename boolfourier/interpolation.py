r"""Interpolators on the seen set, and the GOTU error measures.

The interpolators of a target :math:`f` on a seen set :math:`S \subseteq
\{\pm1\}^n` (unseen set :math:`U = S^c`) form the affine space

.. math:: I(f, S) = \{g : g = f \text{ on } S\} = f\,1_S + \{1_U h\}.

* :func:`min_degree_interpolator` (MDI): the :math:`g \in I` whose degree
  profile :math:`(W^n, W^{n-1}, \dots, W^0)`, :math:`W^k = \sum_{|T|=k} \hat
  g(T)^2`, is lexicographically smallest, highest degree first.  It is
  unique: stage :math:`k = n, \dots, 0` minimises the strictly convex
  :math:`\|P_k g\|^2` over the affine set left by the stages above.
* :func:`min_norm_interpolator`: least :math:`E g^2`, i.e. :math:`g = 0` on U.
* :func:`min_weighted_norm_interpolator`: least
  :math:`\sum_T w_{|T|} \hat g(T)^2`; with :math:`w_k = \lambda^k` it tends to
  the MDI as :math:`\lambda \to \infty` (the "leaky" kernel picture).
* :func:`gotu_error`, :func:`canonical_holdout_error`: MSE on the unseen set,
  MSE on the whole cube, sign disagreement on the unseen set; batched.

How the MDI is computed (``Interpolant.method`` says which path ran):

1. **Junta reduction** (always): coordinates on which neither the target nor
   the seen set depends are dropped; by uniqueness the MDI does not depend on
   them either.  Targets given as expressions are reduced from their variable
   sets, so ``n = 40`` problems cost ``2**k`` work for ``k`` relevant
   coordinates.
2. **Closed forms**, recognised from the (reduced) seen mask whatever way the
   domain was built:

   * ``"identity"`` -- nothing is unseen: the MDI is ``f``.
   * ``"frozen"`` -- the seen set is a subcube :math:`\{x_F = b_F\}`: the MDI
     is :math:`g(x) = f(b_F, x_{F^c})` (canonical holdout: :math:`f|_{x_i=1}`).
   * ``"subcube"`` -- the unseen set is a subcube :math:`\{x_S = a_S\}`: on U,
     :math:`g(a_S, y) = f(a_S, y) - \chi_S(a_S) \sum_{x_S} f(x_S, y)\chi_S(x_S)`,
     i.e. :math:`g = f - \prod_{i \in S}(x_i - 1) f_S` for :math:`a_S = -1`
     (Abbe et al., ICML 2023); it kills every :math:`\hat g(T)`, :math:`T \supseteq S`.
   * ``"hamming_ball"`` -- the seen set is a Hamming ball of radius ``r``: the
     MDI is the unique interpolator of degree :math:`\le r`, the degree-``r``
     truncation of the 0/1 Möbius expansion (two fast Möbius transforms,
     :math:`O(n 2^n)`).  A target expression of degree :math:`\le r` is
     therefore its own MDI, which answers at any ``n`` (e.g. ``x0*x1`` with
     ``unseen = "weight(x) > 6"`` in ``n = 40``).
3. ``"symmetric"`` -- target and seen set invariant under permutations of the
   coordinates: ``n + 1`` unknowns (one coefficient per level, linked to the
   values by Krawtchouk numbers); since each level is one number, the nested
   problem is exact rational linear algebra (see
   :func:`symmetric_min_degree_interpolator`, which works for any ``n``).
4. ``"general"`` -- the nested least-squares problem, level by level, with
   thin SVDs (no normal equations), in the smaller of two spaces: the values
   on U (``|U|`` unknowns, level ``k`` rows :math:`2^{-n/2}\chi_T(x)`,
   :math:`|T| = k`, :math:`x \in U`), or the coefficients of degree
   :math:`\le d` (``d`` the least feasible degree found, constrained by
   the seen values).  Instances with more than ``max_unknowns`` unknowns are
   refused before anything large is allocated.

Results
-------
Interpolators return an :class:`Interpolant`, a
:class:`~boolfourier.function.BooleanFunction` over the full ``n`` that also
carries ``method``, ``seconds``, ``variables`` (the relevant coordinates) and
``core`` (the function on those coordinates only).  When the target is an
expression and ``n > DENSE_RESULT_N`` (24; e.g. ``x0*x1`` in ``n = 40``) no
dense table is made: they return a :class:`JuntaFunction` instead, that is
``core`` plus the variable map, with :meth:`~JuntaFunction.evaluate` on ``(m, n)`` points, a sparse
:meth:`~JuntaFunction.coefficients` dict keyed by full-``n`` bitmasks,
:meth:`~JuntaFunction.degree_profile` of length ``n + 1`` and
:meth:`~JuntaFunction.polynomial` text in the original variable names.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import numpy as np

from . import cube
from ._memory import check_dense
from .domains import Domain, as_domain, compress_index, expand_index
from .function import BooleanFunction
from .spectrum import _terms_text
from .spectrum import coefficients as _coefficients
from .spectrum import degree_profile as _degree_profile
from .transform import fwht

__all__ = [
    "Interpolant",
    "JuntaFunction",
    "GotuError",
    "min_degree_interpolator",
    "min_norm_interpolator",
    "min_weighted_norm_interpolator",
    "symmetric_min_degree_interpolator",
    "gotu_error",
    "canonical_holdout_error",
    "interpolate_report",
    "format_interpolate_report",
    "METHODS",
    "MAX_UNKNOWNS",
    "DENSE_RESULT_N",
]

#: Default limit on the unknowns of the general solver (a dense ``p x p``
#: basis is held: 4096 unknowns = 128 MiB, about a minute at worst).
MAX_UNKNOWNS = 4096

#: Interpolators return a dense :class:`Interpolant` when the target was given
#: densely or ``n`` is at most this, and a :class:`JuntaFunction` otherwise.
DENSE_RESULT_N = 24

#: Values of ``method=`` accepted by :func:`min_degree_interpolator`.
METHODS = (
    "auto",
    "general",
    "general_values",
    "general_coefficients",
    "frozen",
    "subcube",
    "hamming_ball",
    "symmetric",
)

#: Singular values below this (the stage matrices have norm <= 1) count as zero.
_RANK_TOL = 1e-9

#: Relative tolerance of the invariance tests (junta reduction, symmetric path), of the
#: spread max f - min f of the values (see _spread).
_INVARIANCE_RTOL = 1e-12


# =========================================================================== results


class _JuntaView:
    """Shared read-outs of a function of ``n`` coordinates given by ``core`` on ``variables``."""

    __slots__ = ()

    def _nonzero(self, rtol: float):
        """Core coefficients and the indices with ``|c| > rtol * max|c|`` (no rounding noise)."""
        c = np.asarray(self.core.spectrum().coefficients)
        big = float(np.max(np.abs(c))) if c.size else 0.0
        return c, np.flatnonzero(np.abs(c) > rtol * big)

    def coefficients(self, rtol: float = 1e-10) -> dict:
        """Fourier coefficients as ``{full-n bitmask (int): value}`` (sparse; any ``n``).

        Coefficients below ``rtol`` times the largest one are rounding noise
        of the solver and are left out.
        """
        c, nz = self._nonzero(rtol)
        out = {}
        for j in nz:
            mask = 0
            for t, v in enumerate(self.variables):
                if (int(j) >> t) & 1:
                    mask |= 1 << v
            out[mask] = float(c[j])
        return out

    def polynomial(self, digits: int = 6, rtol: float = 1e-10) -> str:
        """The multilinear polynomial in the original variable names, e.g. ``'x0 + x1 - 1'``.

        Coefficients below ``rtol`` times the largest one are left out.
        """
        return _terms_text(self.coefficients(rtol).items(), digits)

    def degree_profile(self) -> np.ndarray:
        """``W^k`` for ``k = 0..n`` (ascending), shape ``(n + 1,)``."""
        w = np.zeros(self.n + 1)
        wk = self.core.spectrum().degree_profile()
        w[: wk.shape[0]] = wk
        return w

    def degree(self, rtol: float = 1e-10) -> int:
        """Degree: the largest ``|T|`` with ``|c_T| > rtol * max|c|`` (``-1`` for the zero
        function, as :meth:`Spectrum.degree <boolfourier.spectrum.Spectrum.degree>`)."""
        _, nz = self._nonzero(rtol)
        return int(cube.popcount(nz.astype(np.int64)).max()) if nz.size else -1


class Interpolant(BooleanFunction, _JuntaView):
    r"""A :class:`~boolfourier.function.BooleanFunction` returned by an interpolator.

    Attributes
    ----------
    method : str
        The path that computed it (``"frozen"``, ``"subcube"``,
        ``"hamming_ball"``, ``"symmetric"``, ``"general"``, ``"identity"``,
        ``"min_norm"``, ``"weighted_cg"``), prefixed by ``"junta+"`` when
        coordinates were dropped.
    variables : tuple of int
        The relevant coordinates (those of the reduced problem).
    core : BooleanFunction
        The function on ``variables`` only (``core.n == len(variables)``).
    seconds : float
        Wall time of the solve.
    info : dict
        Path details (space and number of unknowns of the general solver,
        CG iterations and residual, ...).
    """

    __slots__ = ("method", "variables", "core", "seconds", "info")

    def __init__(self, values, n=None):
        super().__init__(values, n)
        self.method = None
        self.variables = tuple(range(self.n))
        self.core = self
        self.seconds = float("nan")
        self.info = {}

    def __repr__(self) -> str:
        return f"Interpolant(n={self.n}, method={self.method!r}, {self.polynomial()})"


class JuntaFunction(_JuntaView):
    r"""A function of ``n`` coordinates that depends only on ``variables``.

    Returned by the interpolators when ``n`` is too large for a dense table;
    ``core`` is a :class:`~boolfourier.function.BooleanFunction` on
    ``k = len(variables)`` coordinates, coordinate ``t`` of ``core`` being
    ``x_{variables[t]}``.

    Examples
    --------
    >>> from boolfourier.domains import Domain
    >>> g = min_degree_interpolator("x0*x1", ~Domain.subcube({0: -1, 1: -1}, n=40))
    >>> g
    JuntaFunction(n=40, variables=(0, 1), x0 + x1 - 1)
    >>> g.method, g.evaluate(-np.ones((1, 40), dtype=np.int8))
    ('junta+subcube', array([-3.]))
    """

    __slots__ = ("n", "variables", "core", "method", "seconds", "info")

    def __init__(self, core: BooleanFunction, variables, n: int, method=None,
                 seconds=float("nan"), info=None):
        variables = tuple(int(v) for v in variables)
        if core.n != len(variables):
            raise ValueError(
                f"core has {core.n} coordinates but {len(variables)} variables were given"
            )
        self.n = cube.check_n(n, dense=False)
        self.variables = variables
        self.core = core
        self.method = method
        self.seconds = seconds
        self.info = {} if info is None else info

    def evaluate(self, x) -> np.ndarray:
        """Values at points ``x`` of shape ``(..., n)`` (entries ±1)."""
        x = np.asarray(x)
        if x.ndim == 0 or x.shape[-1] != self.n:
            raise ValueError(f"points must have shape (..., {self.n}), got {x.shape}")
        cube.check_pm1(x)  # every coordinate, not only those the function reads
        if not self.variables:
            return np.full(x.shape[:-1], self.core.values[0])
        return self.core.values[cube.point_to_index(x[..., list(self.variables)])]

    __call__ = evaluate

    def to_function(self) -> Interpolant:
        """The dense function over all ``n`` coordinates (needs ``n`` small enough for a table)."""
        return _lift(self.core, self.variables, self.n, self.method, self.seconds, self.info,
                     allow_junta=False)

    @property
    def values(self) -> np.ndarray:
        return self.to_function().values

    def __repr__(self) -> str:
        return f"JuntaFunction(n={self.n}, variables={self.variables}, {self.polynomial()})"


def _lift(core: BooleanFunction, variables, n: int, method, seconds, info, *, allow_junta=True,
          dense_input=False):
    """Interpolant over all ``n`` coordinates from its core (a JuntaFunction if ``n`` is large)."""
    variables = tuple(variables)
    if n > DENSE_RESULT_N and not dense_input:
        if allow_junta:
            return JuntaFunction(core, variables, n, method, seconds, info)
        raise ValueError(
            f"n = {n} is too large for a dense table here (limit {DENSE_RESULT_N}); use "
            "evaluate(x) on points, coefficients() or polynomial(), or the core function on "
            "the relevant variables"
        )
    check_dense(n, what="the interpolant")
    if len(variables) == n:
        vals = core.values
    else:
        vals = core.values[compress_index(np.arange(1 << n, dtype=np.int64), variables)]
    out = Interpolant(vals)
    out.method = method
    out.variables = variables
    out.core = core
    out.seconds = seconds
    out.info = info
    return out


# =========================================================================== inputs


def _parse(text):
    from .expr import parse  # noqa: PLC0415  (sibling module, imported on use)

    return parse(text)


def _expression_variables(e, n: int) -> tuple:
    raw = getattr(e, "variables", None)
    if raw is None:
        return tuple(range(n))
    out = set()
    for v in raw:
        if isinstance(v, str):
            v = int(v.strip().lstrip("x"))
        out.add(int(v))
    return tuple(sorted(out))


class _Target:
    """A target given densely (``values``) or as a real expression (``expr``)."""

    def __init__(self, target, n_hint):
        self.values = None
        self.expr = None
        if isinstance(target, _JuntaView) and not isinstance(target, BooleanFunction):
            target = target.to_function()
        if isinstance(target, BooleanFunction):
            self.values = np.asarray(target.values, dtype=np.float64)
            self.n = target.n
            return
        if isinstance(target, str) or (hasattr(target, "evaluate") and hasattr(target, "kind")):
            e = _parse(target) if isinstance(target, str) else target
            if getattr(e, "kind", "real") != "real":
                raise TypeError(
                    "the target must be a real expression (e.g. 'x0*x1'); got a predicate -- "
                    "wrap it as BooleanFunction.from_expression(text) to use its ±1 version"
                )
            if n_hint is None:
                raise ValueError(
                    "give the seen set as a Domain (it fixes n) when the target is an expression"
                )
            self.expr = e
            self.n = n_hint
            self.variables = _expression_variables(e, n_hint)
            if self.variables and max(self.variables) >= n_hint:
                raise ValueError(f"the target uses x{max(self.variables)} but n = {n_hint}")
            return
        a = np.asarray(target)
        if a.ndim != 1:
            raise ValueError(
                "the target must be a BooleanFunction or a values vector of length 2**n, "
                f"got shape {a.shape}"
            )
        if a.dtype.kind not in "iuf" or a.dtype.kind == "b":
            raise TypeError(f"target values must be real numbers, got dtype {a.dtype}")
        m = a.shape[0]
        if m < 1 or m & (m - 1):
            raise ValueError(
                f"the target has {m} values, not a power of two (a function on {{±1}}^n has 2**n)"
            )
        self.values = a.astype(np.float64)
        self.n = m.bit_length() - 1

    def on(self, variables) -> np.ndarray:
        """Values on the subcube over ``variables`` (other coordinates +1)."""
        k = len(variables)
        if self.values is not None:
            if k == self.n:
                return self.values
            return self.values[expand_index(np.arange(1 << k, dtype=np.int64), variables)]
        y = np.empty(1 << k, dtype=np.float64)
        step = max(1, _EVAL_CHUNK // max(self.n, 1))  # points per chunk: bounded memory
        for start in range(0, 1 << k, step):
            stop = min(start + step, 1 << k)
            x = np.ones((stop - start, self.n), dtype=np.int8)
            if k:
                x[:, list(variables)] = cube.index_to_point(np.arange(start, stop, dtype=np.int64), k)
            part = np.asarray(self.expr.evaluate(x), dtype=np.float64)
            if part.shape != (stop - start,):
                raise ValueError(
                    f"the target expression returned shape {part.shape}, expected ({stop - start},)"
                )
            y[start:stop] = part
        return y


#: Entries (points x coordinates) of one chunk of points when a target
#: expression is tabulated: 2**22 int8, 4 MiB.
_EVAL_CHUNK = 1 << 22


def _resolve(target, seen, *, unseen=None):
    """-> (_Target, seen Domain, n)."""
    if seen is None and unseen is None:
        raise TypeError("give the seen set (seen=...) or the unseen set (unseen=...)")
    if seen is not None and unseen is not None:
        raise TypeError("give either seen= or unseen=, not both")
    dom_in = seen if seen is not None else unseen
    n_hint = dom_in.n if isinstance(dom_in, Domain) else None
    if n_hint is None and not isinstance(dom_in, str) and not hasattr(dom_in, "evaluate"):
        m = np.shape(dom_in)
        if len(m) == 1 and m[0] >= 1 and not m[0] & (m[0] - 1):
            n_hint = m[0].bit_length() - 1
    if n_hint is None and not isinstance(target, str) and not hasattr(target, "kind"):
        t = _Target(target, None)
        n_hint = t.n
    else:
        t = _Target(target, n_hint)
    dom = as_domain(dom_in, n_hint, what="seen" if seen is not None else "unseen")
    if dom.n != t.n:
        raise ValueError(f"the target has n = {t.n} coordinates but the domain has n = {dom.n}")
    if seen is None:
        dom = ~dom
    return t, dom, t.n


def _spread(values: np.ndarray) -> float:
    """``max - min`` of the values: the scale of the invariance tests.

    The MDI is linear and commutes with adding a constant, so its decisions
    must not depend on the units or on an offset: a scale of ``max|f|`` with
    a floor of 1 dropped the coordinates of ``1e-13*x0*x1 + 1e-13*x2`` and the
    ``0.4*x1*x2`` of ``1e12 + 0.4*x1*x2``, returning non-interpolants.
    """
    return float(np.max(values) - np.min(values)) if values.size else 0.0


def _invariant_bits(values: np.ndarray, mask: np.ndarray | None, k: int) -> list:
    """Coordinates ``t < k`` under whose flip both ``values`` and ``mask`` are invariant."""
    atol = _INVARIANCE_RTOL * _spread(values)
    out = []
    for t in range(k):
        v = values.reshape(-1, 2, 1 << t)
        if np.max(np.abs(v[:, 0, :] - v[:, 1, :]), initial=0.0) > atol:
            continue
        if mask is not None:
            m = mask.reshape(-1, 2, 1 << t)
            if not np.array_equal(m[:, 0, :], m[:, 1, :]):
                continue
        out.append(t)
    return out


def _ball_low_degree(t: _Target, dom: Domain):
    """-> (variables, values) of the target when the seen set is a Hamming ball of
    radius ``r`` and the target (an expression on few variables) has degree
    ``<= r``; else None.

    A polynomial of degree ``<= r`` is determined by its values on a ball of
    radius ``r`` (the closed form of the ``"hamming_ball"`` path), so the MDI
    is the target itself: this answers at any ``n``, where the ball depends on
    every coordinate and cannot be tabulated.
    """
    if dom.radius is None or t.expr is None:  # (a ball about any centre)
        return None
    tv = tuple(sorted(t.variables))
    if len(tv) > MAX_LOW_DEGREE_VARIABLES:
        return None
    vals = t.on(tv)
    degree = _degree_of(_forward(vals))
    return (tv, vals) if degree <= dom.radius else None


_TARGET_ITSELF = "target of degree <= the ball's radius"


def _own_n(target, seen, unseen) -> int:
    """n for string inputs given without one: the largest coordinate they use, plus one
    (or the target's own n); an error if a predicate depends on every coordinate."""
    from .expr import parse

    ns = [int(target.n)] if hasattr(target, "n") else []
    for text in (target, seen, unseen):
        if isinstance(text, str):
            e = parse(text)
            if e.variables is None:
                raise ValueError(f"{text!r} depends on every coordinate (weight(x), majority(x), ...): "
                                 "give n (--n) to fix the cube")
            ns.append(e.min_n)
    return max(ns)


#: Most target variables tabulated by :func:`_ball_low_degree`.
MAX_LOW_DEGREE_VARIABLES = 20


def _reduce_problem(t: _Target, dom: Domain, junta: bool):
    """-> (variables, reduced values, reduced seen mask)."""
    n = t.n
    if not junta:
        variables = tuple(range(n))
    else:
        tv = t.variables if t.expr is not None else tuple(range(n))
        variables = tuple(sorted(set(tv) | set(dom.variables)))
    if len(variables) > cube.MAX_DENSE_N:
        raise ValueError(
            f"the problem depends on {len(variables)} coordinates, too many for an exact solve; "
            "use a target/domain on fewer coordinates"
        )
    # the values, the mask and the solvers' working copies of 2**k entries
    check_dense(len(variables), copies=4, what="the min-degree problem on the relevant coordinates")
    vals = t.on(variables)
    mask = dom.reduced_mask(variables)
    if junta:  # second pass: drop what the tables do not depend on after all
        k = len(variables)
        drop = _invariant_bits(vals, mask, k)
        if drop:
            keep = [t_ for t_ in range(k) if t_ not in set(drop)]
            sub = expand_index(np.arange(1 << len(keep), dtype=np.int64), keep)
            vals, mask = vals[sub], mask[sub]
            variables = tuple(variables[t_] for t_ in keep)
    vals = np.ascontiguousarray(vals, dtype=np.float64)
    return variables, vals, np.ascontiguousarray(mask, dtype=np.bool_)


# =========================================================================== engine


def _nested_lstsq(stages, p: int, tol: float = _RANK_TOL):
    r"""Lexicographic least squares: minimise :math:`\|A_1 x - b_1\|`, then
    :math:`\|A_2 x - b_2\|` over the minimisers, and so on.

    ``stages`` yields ``(A, b)`` with ``A`` of shape ``(m, p)`` and norm
    :math:`\le 1`.  The solution set after each stage is ``x + null``, where
    ``null`` is the orthogonal complement of ``span(W)``; stage ``k`` takes a
    thin SVD of :math:`M = A (I - W W^T)`, moves ``x`` by :math:`M^+ r` and
    appends the right singular vectors of rank to ``W``.  Stops once ``W``
    spans :math:`\mathbb R^p`.  Returns ``(x, ranks)``.
    """
    x = np.zeros(p)
    W = np.empty((p, p))
    filled = 0
    ranks = []
    for A, b in stages:
        if filled >= p:
            break
        if A.shape[0] == 0:
            continue
        r = b - A @ x
        Wf = W[:, :filled]
        M = A - (A @ Wf) @ Wf.T if filled else A
        u, s, vt = np.linalg.svd(M, full_matrices=False)
        rank = int(np.count_nonzero(s > tol))
        ranks.append(rank)
        if rank == 0:
            continue
        V = vt[:rank].T
        x += V @ ((u[:, :rank].T @ r) / s[:rank])
        if filled + rank >= p:  # the solution set is now a point
            break
        if filled:  # re-orthogonalise against the earlier directions
            V = V - Wf @ (Wf.T @ V)
            V, _ = np.linalg.qr(V)
        take = min(rank, p - filled)
        W[:, filled:filled + take] = V[:, :take]
        filled += take
    return x, ranks


def _forward(values: np.ndarray) -> np.ndarray:
    """Fourier coefficients ``fwht(values, norm="forward")``; small sizes by numpy butterflies
    (so that small problems do not wait for the numba kernel to load)."""
    if values.shape[0] > 1 << 14:
        return fwht(values, norm="forward")
    out = np.array(values, dtype=np.float64, copy=True)
    h = 1
    while h < out.shape[0]:
        v = out.reshape(-1, 2, h)
        a = v[:, 0, :].copy()
        v[:, 0, :] += v[:, 1, :]
        v[:, 1, :] = a - v[:, 1, :]
        h *= 2
    return out / out.shape[0]


def _level_masks(k: int):
    deg = cube.degrees(k)
    order = np.argsort(deg, kind="stable")
    counts = np.bincount(deg, minlength=k + 1)
    starts = np.concatenate([[0], np.cumsum(counts)])
    return [order[starts[j]:starts[j + 1]].astype(np.int64) for j in range(k + 1)]


def _chi(rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """``(-1)**popcount(rows[:, None] & cols[None, :])`` as float64."""
    par = cube.popcount(rows[:, None] & cols[None, :]) & 1
    return 1.0 - 2.0 * par


def _degree_of(c: np.ndarray) -> int:
    """Degree of the coefficient vector ``c``, rounding noise aside: coefficients up to
    1e-12 of the largest non-constant one are zero.  (Not of ``max|c|``, which a large
    constant term inflates: the degree of ``1e12 + 0.4*x1*x2`` came out as 0.)"""
    tol = 1e-12 * float(np.max(np.abs(c[1:]), initial=0.0))
    nz = np.flatnonzero(np.abs(c) > tol)
    return int(cube.popcount(nz).max()) if nz.size else 0


def _degree_bound(values):
    """-> (the target's degree, cumulative level sizes ``dims[d] = #{T : |T| <= d}``).

    The MDI's degree is at most the target's (the target interpolates itself).
    """
    k = int(values.shape[0]).bit_length() - 1
    dims = np.cumsum([math.comb(k, j) for j in range(k + 1)])
    return _degree_of(_forward(values)), dims


def _feasible_degree(values, seen, k, d_hi, dims, budget):
    """Least ``d <= d_hi`` such that a degree-``d`` polynomial interpolates (within ``budget``)."""
    s_idx = np.flatnonzero(seen)
    y = values[s_idx]
    ynorm = max(float(np.linalg.norm(y)), 1e-300)
    deg = cube.degrees(k)
    for d in range(d_hi):
        if dims[d] >= budget or s_idx.size * dims[d] ** 2 > 1 << 28:
            break  # no gain, or the test would cost more than it can save
        mons = np.flatnonzero(deg <= d).astype(np.int64)
        A = _chi(s_idx.astype(np.int64), mons)
        sol, *_ = np.linalg.lstsq(A, y, rcond=None)
        if np.linalg.norm(A @ sol - y) <= 1e-9 * ynorm:
            return d
    return d_hi


#: Rows of a stage matrix formed at once (the values space): 2**25 entries, 256 MiB.
_STAGE_ENTRIES = 1 << 25


def _row_compressed(rows, m: int, p: int):
    r"""One least-squares stage ``(A, b)`` of ``m`` rows and ``p`` columns, built in row chunks.

    ``rows(slice)`` returns those rows of ``A`` and ``b``.  When ``A`` is tall
    (a middle degree level of many variables has far more monomials than
    unknowns), it is replaced by ``(R, Q^T b)`` from a QR factorisation
    accumulated chunk by chunk: :math:`\|Ax - b\|^2 = \|Rx - Q^Tb\|^2 +`
    const and ``R`` has the singular values of ``A``, so the nested solve is
    unchanged while memory stays at ``O(p^2 + chunk * p)``.
    """
    chunk = max(p, _STAGE_ENTRIES // max(p, 1))
    if m <= chunk:
        return rows(slice(0, m))
    R = np.zeros((0, p))
    c = np.zeros(0)
    for start in range(0, m, chunk):
        A, b = rows(slice(start, min(start + chunk, m)))
        q, R = np.linalg.qr(np.vstack([R, A]))
        c = q.T @ np.concatenate([c, b])
    return R, c


def _check_unknowns(unknowns: int, max_unknowns: int, space: str):
    if unknowns > max_unknowns:
        raise ValueError(
            f"the general min-degree solver would need {unknowns} unknowns ({space} space), above "
            f"max_unknowns = {max_unknowns} (about {8 * unknowns**2 / 2**20:.0f} MiB and "
            f"O(unknowns^2 * 2^n) time). Reduce the instance: drop coordinates the target and the "
            "seen set do not depend on (done automatically), use a seen set with a closed form "
            "(frozen coordinates, an unseen subcube, a Hamming ball), a permutation-symmetric "
            "target and domain, or approximate with min_weighted_norm_interpolator(..., "
            "degree_weights=lam**k) for a large lam; or raise max_unknowns."
        )


def _solve_general(values, seen, space, max_unknowns, tol):
    k = int(values.shape[0]).bit_length() - 1
    N = 1 << k
    d_hi, dims = _degree_bound(values)
    U = np.flatnonzero(~seen).astype(np.int64)
    u = U.size
    degree = k
    if space == "coefficients":
        degree = _feasible_degree(values, seen, k, d_hi, dims, budget=int(dims[d_hi]) + 1)
    elif space == "auto":
        # a lower feasible degree may make the coefficient space the smaller one (only
        # worth testing while it would also fit under max_unknowns)
        d = _feasible_degree(values, seen, k, d_hi, dims, budget=min(u, max_unknowns + 1))
        if dims[d] < u:
            space, degree = "coefficients", d
        else:
            space = "values"
    unknowns = u if space == "values" else int(dims[degree])
    _check_unknowns(unknowns, max_unknowns, space)
    levels = _level_masks(k)
    sq = math.sqrt(N)
    if space == "values":
        h = np.where(seen, values, 0.0)
        hhat = _forward(h)

        def stages():
            for j in range(k, -1, -1):
                T = levels[j]
                yield _row_compressed(lambda r: (_chi(T[r], U) / sq, -sq * hhat[T[r]]), T.size, u)

        x, ranks = _nested_lstsq(stages(), u, tol)
        g = h.copy()
        g[U] = x
        return g, {"space": "values", "unknowns": u, "ranks": ranks}
    deg = cube.degrees(k)
    mons = np.flatnonzero(deg <= degree).astype(np.int64)  # sorted by mask
    pos = {j: np.flatnonzero(deg[mons] == j) for j in range(degree + 1)}
    S = np.flatnonzero(seen).astype(np.int64)
    D = mons.size

    def cstages():
        yield _chi(S, mons) / sq, values[S] / sq
        for j in range(degree, -1, -1):
            A = np.zeros((pos[j].size, D))
            A[np.arange(pos[j].size), pos[j]] = 1.0
            yield A, np.zeros(pos[j].size)

    x, ranks = _nested_lstsq(cstages(), D, tol)
    c = np.zeros(N)
    c[mons] = x
    g = _forward(c) * N  # H c: the values of sum_T c_T chi_T
    g[S] = values[S]  # exact on the seen set (the constraint holds to rounding)
    info = {"space": "coefficients", "unknowns": int(D), "degree_bound": int(degree)}
    return g, {**info, "ranks": ranks}


# =========================================================================== closed forms


def _subcube_of(mask: np.ndarray, k: int):
    """``(care, want)`` with ``mask == ((i & care) == want)``, or None if it is not a subcube."""
    idx = np.flatnonzero(mask).astype(np.int64)
    if idx.size == 0:
        return None
    a = int(np.bitwise_and.reduce(idx))
    o = int(np.bitwise_or.reduce(idx))
    care = ~(a ^ o) & ((1 << k) - 1)
    free = k - bin(care).count("1")
    if idx.size != 1 << free:
        return None
    return care, a & care


def _solve_frozen(values, seen, k):
    sc = _subcube_of(seen, k)
    care, want = sc
    i = np.arange(1 << k, dtype=np.int64)
    return values[(i & ~care) | want]


def _solve_subcube(values, seen, k):
    care, want = _subcube_of(~seen, k)
    v = values.reshape((2,) * k) if k else values
    F = v
    for s in range(k):
        if (care >> s) & 1:
            ax = k - 1 - s  # C-order reshape: axis 0 is the highest bit
            F = F.take([0], axis=ax) - F.take([1], axis=ax)
    F = np.broadcast_to(F, (2,) * k).reshape(-1) if k else F
    chi_a = -1.0 if bin(want).count("1") & 1 else 1.0
    g = values.copy()
    U = ~seen
    g[U] = values[U] - chi_a * F[U]
    return g


def _ball_of(mask: np.ndarray, k: int):
    """``(center index, radius)`` with ``mask == popcount(i ^ c) <= r``, or None."""
    idx = np.flatnonzero(mask).astype(np.int64)
    if idx.size == 0 or idx.size == mask.size:
        return None
    c = 0
    for t in range(k):
        ones = int(np.count_nonzero((idx >> t) & 1))
        if 2 * ones == idx.size:
            return None
        if 2 * ones > idx.size:
            c |= 1 << t
    r = int(cube.popcount(idx ^ c).max())
    i = np.arange(1 << k, dtype=np.int64)
    if np.array_equal(mask, cube.popcount(i ^ c) <= r):
        return c, r
    return None


def _mobius(v: np.ndarray, k: int, sign: float) -> np.ndarray:
    """In place: ``sign=-1`` is the Möbius transform ``a_A = sum_{B<=A} (-1)^{|A-B|} v_B``,
    ``sign=+1`` its inverse (the zeta transform)."""
    for t in range(k):
        w = v.reshape(-1, 2, 1 << t)
        w[:, 1, :] += sign * w[:, 0, :]
    return v


def _solve_ball(values, seen, k):
    c, r = _ball_of(seen, k)
    i = np.arange(1 << k, dtype=np.int64)
    a = _mobius(values[i ^ c].copy(), k, -1.0)
    a[cube.degrees(k) > r] = 0.0
    g_c = _mobius(a, k, 1.0)
    g = g_c[i ^ c]
    g[seen] = values[seen]
    return g


def _symmetric_tables(values, seen, k):
    """``(phi, sigma)`` per weight if values and mask depend on the weight only, else None."""
    w = cube.degrees(k)
    rep = np.array([(1 << j) - 1 for j in range(k + 1)], dtype=np.int64)
    phi, sig = values[rep], seen[rep]
    if np.max(np.abs(values - phi[w])) > _INVARIANCE_RTOL * _spread(values):
        return None
    if not np.array_equal(seen, sig[w]):
        return None
    return phi, sig


def _krawtchouk(n: int) -> list:
    r"""Exact Krawtchouk numbers (Python ints): ``P[j][w]`` is
    :math:`\sum_{|T|=j} \chi_T(x)` at any :math:`|x| = w`, i.e.
    :math:`P_j(w) = \sum_i (-1)^i C(w, i) C(n-w, j-i)`."""
    def p(j, w):
        return sum((-1) ** i * math.comb(w, i) * math.comb(n - w, j - i)
                   for i in range(min(w, j) + 1))

    return [[p(j, w) for w in range(n + 1)] for j in range(n + 1)]


def _solve_symmetric(values, seen, k, tol):
    phi, sig = _symmetric_tables(values, seen, k)
    return _symmetric_core(phi, sig, tol)[cube.degrees(k)]


def _symmetric_core(phi, sig, tol=None):
    r"""MDI over the weights, in exact rational arithmetic.

    A symmetric ``g`` is :math:`\sum_j \hat g_j \sum_{|T|=j} \chi_T`, so
    :math:`\psi(w) = \sum_j P_j(w) \hat g_j` and :math:`W^j = C(n,j)\hat g_j^2`.
    Each level has a single coordinate, and an affine function on an affine
    set is either constant or takes the value 0; so stage ``j`` (from ``n``
    down) sets :math:`\hat g_j = 0` exactly when :math:`\hat g_j` is not yet
    determined by the seen values and the earlier stages.  This is linear
    algebra over the rationals (the Krawtchouk numbers are integers and
    floats are exact rationals): elimination with :class:`fractions.Fraction`,
    exact for any ``n``, then rounded once to float64.
    """
    from fractions import Fraction

    n = phi.shape[0] - 1
    P = _krawtchouk(n)
    pivots: list = []  # (pivot column, row of Fractions, rhs), each reduced by the earlier pivots

    def insert(row, rhs):
        row = list(row)
        for c, prow, prhs in pivots:
            f = row[c]
            if f:
                row = [a - f * b for a, b in zip(row, prow)]
                rhs -= f * prhs
        lead = next((c for c, a in enumerate(row) if a), None)
        if lead is None:
            return False
        inv = 1 / row[lead]
        pivots.append((lead, [a * inv for a in row], rhs * inv))
        return True

    for w in np.flatnonzero(sig):
        insert([Fraction(P[j][w]) for j in range(n + 1)], Fraction(float(phi[w])))
    for j in range(n, -1, -1):
        if len(pivots) == n + 1:
            break
        insert([Fraction(int(c == j)) for c in range(n + 1)], Fraction(0))
    ghat = [Fraction(0)] * (n + 1)
    for c, prow, prhs in reversed(pivots):  # back substitution (triangular in insertion order)
        known = (prow[d] * ghat[d] for d in range(n + 1) if d != c and prow[d])
        ghat[c] = prhs - sum(known, Fraction(0))
    psi = np.array(
        [float(sum((P[j][w] * ghat[j] for j in range(n + 1)), Fraction(0))) for w in range(n + 1)]
    )
    psi[sig] = phi[sig]
    return psi


def symmetric_min_degree_interpolator(phi, seen_weights, *, tol=_RANK_TOL) -> np.ndarray:
    r"""MDI of a permutation-symmetric problem, for any ``n``, from tables over the weights.

    The target is :math:`f(x) = \varphi(|x|)` and the seen set is
    :math:`\{x : \sigma(|x|)\}`, :math:`|x|` the number of ``-1``
    coordinates.  The MDI is symmetric too, :math:`g(x) = \psi(|x|)`; its
    level-``j`` coefficients are :math:`\hat g_j = 2^{-n}\sum_w K_j(w)\psi(w)`
    with the Krawtchouk numbers :math:`K_j(w) = \sum_i (-1)^i C(j,i) C(n-j, w-i)`,
    so each level is one row of a nested least-squares problem in the
    unseen weights; since each level is a single coefficient, the nested
    problem is exact linear algebra over the rationals, done with
    :class:`fractions.Fraction` (exact for any ``n``; rounded once at the end).

    Parameters
    ----------
    phi : array_like, shape (n + 1,)
        Target value at each weight ``w = 0..n``.
    seen_weights : array_like of bool, shape (n + 1,)
        Whether the points of weight ``w`` are seen.
    tol : float
        Unused (the solve is exact); kept for a uniform signature.

    Returns
    -------
    numpy.ndarray, shape (n + 1,)
        :math:`\psi(w)`, the MDI's value at weight ``w``.

    Examples
    --------
    >>> n, k = 40, 3                       # parity of 40 bits, seen weight(x) <= 3
    >>> psi = symmetric_min_degree_interpolator([(-1.0) ** w for w in range(n + 1)],
    ...                                         [w <= k for w in range(n + 1)])
    >>> float(psi[k + 1])                  # (-1)^k (2^(k+1) - 1)
    -15.0
    """
    phi = np.asarray(phi, dtype=np.float64)
    sig = np.asarray(seen_weights, dtype=bool)
    if phi.ndim != 1 or sig.shape != phi.shape:
        raise ValueError(
            f"phi and seen_weights must both have shape (n + 1,), got {phi.shape} and {sig.shape}"
        )
    if not sig.any():
        raise ValueError(
            "no weight is seen (the seen set is empty); mark at least one weight as seen"
        )
    return _symmetric_core(phi, sig, tol)


def _detect(values, seen, k):
    """Name of the fastest applicable path."""
    if seen.all():
        return "identity"
    if _subcube_of(seen, k) is not None:
        return "frozen"
    if _subcube_of(~seen, k) is not None:
        return "subcube"
    if _ball_of(seen, k) is not None:
        return "hamming_ball"
    if k >= 2 and _symmetric_tables(values, seen, k) is not None:
        return "symmetric"
    return "general"


def _solve_reduced(values, seen, method, max_unknowns, tol):
    """MDI of a dense problem on ``k`` coordinates -> (values, path, info)."""
    k = int(values.shape[0]).bit_length() - 1
    path = _detect(values, seen, k) if method == "auto" else method
    info: dict = {}
    if method not in ("auto",) and not method.startswith("general"):
        ok = {
            "frozen": lambda: _subcube_of(seen, k) is not None,
            "subcube": lambda: _subcube_of(~seen, k) is not None,
            "hamming_ball": lambda: _ball_of(seen, k) is not None,
            "symmetric": lambda: _symmetric_tables(values, seen, k) is not None,
        }[method]()
        if not ok:
            raise ValueError(
                f"method={method!r} does not apply to this seen set/target (after the junta "
                "reduction); use method='auto' to pick the applicable path, or method='general'"
            )
    if path == "identity":
        return values.copy(), "identity", info
    if path == "frozen":
        return _solve_frozen(values, seen, k), path, info
    if path == "subcube":
        return _solve_subcube(values, seen, k), path, info
    if path == "hamming_ball":
        return _solve_ball(values, seen, k), path, info
    if path == "symmetric":
        return _solve_symmetric(values, seen, k, tol), path, info
    space = {"general": "auto", "general_values": "values",
             "general_coefficients": "coefficients"}[path]
    g, info = _solve_general(values, seen, space, max_unknowns, tol)
    return g, "general", info


# =========================================================================== public interpolators


def _check_method(method):
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}, got {method!r}")


def min_degree_interpolator(target, seen=None, *, unseen=None, method="auto", junta=True,
                            max_unknowns=MAX_UNKNOWNS, tol=_RANK_TOL):
    r"""The min-degree interpolator (MDI) of ``target`` on the seen set.

    .. math:: f_{\mathrm{MDI}} = \operatorname{argmin}_{g = f \text{ on } S}
              \mathrm{DegP}(g), \qquad
              \mathrm{DegP}(g) = (W^n(g), W^{n-1}(g), \dots, W^0(g)),

    compared lexicographically (highest degree first): the least degree, then
    the least weight at that degree, then at the next degree down, and so on.

    Parameters
    ----------
    target : BooleanFunction, array_like of shape (2**n,), str or Expression
        The target; expressions (e.g. ``"x0*x1"``) need ``seen`` as a
        :class:`~boolfourier.domains.Domain` (it fixes ``n``) and are only
        tabulated over their relevant coordinates.
    seen : Domain or array_like of bool, shape (2**n,)
        The seen set :math:`S` (where the interpolator equals the target).
    unseen : Domain or mask, optional
        Alternatively, the unseen set :math:`U = S^c`.
    method : str
        ``"auto"`` (default) picks, after the junta reduction, the first
        applicable of ``"identity"``, ``"frozen"``, ``"subcube"``,
        ``"hamming_ball"``, ``"symmetric"``, ``"general"``.  Name a path to
        force it (``ValueError`` if it does not apply); ``"general_values"`` /
        ``"general_coefficients"`` force the general solver's space.
    junta : bool
        Drop coordinates on which neither the target nor the seen set depends
        (default True; exact by uniqueness of the MDI).
    max_unknowns : int
        The general solver refuses, before allocating, instances with more
        unknowns than this.
    tol : float
        Singular values below ``tol`` count as zero in the general and
        symmetric solvers (their stage matrices have norm at most 1).

    Returns
    -------
    Interpolant or JuntaFunction
        An :class:`Interpolant` (a ``BooleanFunction`` with ``method``,
        ``variables``, ``core``, ``seconds``, ``info``) when the target was
        given densely or ``n <= DENSE_RESULT_N`` (24); otherwise (an
        expression target in large ``n``) a :class:`JuntaFunction`.

    Raises
    ------
    ValueError
        If the seen set is empty, sizes disagree, a forced method does not
        apply, or the general solver would exceed ``max_unknowns``.

    Notes
    -----
    The closed forms and the general solver are described in the module
    docstring.  Each stage of the general solver is a least-squares problem
    solved with a thin SVD of the stage matrix projected on the remaining
    null space, so the error is of the order of the rounding error times the
    conditioning of the seen/unseen split; no normal equations are formed.

    Examples
    --------
    >>> import numpy as np
    >>> from boolfourier.function import BooleanFunction
    >>> from boolfourier.domains import Domain
    >>> f = BooleanFunction.from_values(np.array([1.0, -1.0, -1.0, 1.0]))   # x0*x1
    >>> g = min_degree_interpolator(f, ~Domain.subcube({0: -1, 1: -1}, n=2))
    >>> g.polynomial(), g.method
    ('x0 + x1 - 1', 'subcube')
    """
    _check_method(method)
    t0 = time.perf_counter()
    t, dom, n = _resolve(target, seen, unseen=unseen)
    dom.require_nonempty("the seen set")
    if method in ("auto", "hamming_ball") and t.expr is not None and not dom.variables <= set(t.variables):
        # a ball on more coordinates than the target's (typically all n): tabulating
        # it costs 2**n, the closed form nothing
        low = _ball_low_degree(t, dom)
        if low is not None:  # the target itself, on its own few variables
            info = {"relevant": len(low[0]), "closed_form": _TARGET_ITSELF}
            return _lift(BooleanFunction(low[1]), low[0], n, "hamming_ball", time.perf_counter() - t0,
                         info)
    variables, vals, mask = _reduce_problem(t, dom, junta)
    if not mask.any():
        dom.require_nonempty("the seen set")  # pragma: no cover (caught above)
    g, path, info = _solve_reduced(vals, mask, method, max_unknowns, tol)
    if len(variables) < n:
        path = f"junta+{path}"
    info = {**info, "relevant": len(variables)}
    core = BooleanFunction(g)
    return _lift(core, variables, n, path, time.perf_counter() - t0, info,
                 dense_input=t.values is not None)


def min_norm_interpolator(target, seen=None, *, unseen=None):
    r"""The interpolator of least :math:`L^2` norm: ``f`` on the seen set, ``0`` on the unseen set.

    .. math:: \operatorname{argmin}_{g = f \text{ on } S} E_x g(x)^2 = f \, 1_S.

    Parameters
    ----------
    target : BooleanFunction or array_like or str
    seen, unseen : Domain or mask
        As in :func:`min_degree_interpolator`.

    Returns
    -------
    Interpolant or JuntaFunction

    Examples
    --------
    >>> min_norm_interpolator([1.0, -1.0, -1.0, 1.0], [True, True, True, False]).values
    array([ 1., -1., -1.,  0.])
    """
    t0 = time.perf_counter()
    t, dom, n = _resolve(target, seen, unseen=unseen)
    dom.require_nonempty("the seen set")
    variables, vals, mask = _reduce_problem(t, dom, True)
    g = np.where(mask, vals, 0.0)
    path = "min_norm" if len(variables) == n else "junta+min_norm"
    return _lift(BooleanFunction(g), variables, n, path, time.perf_counter() - t0, {},
                 dense_input=t.values is not None)


def _weights_vector(degree_weights, k):
    if callable(degree_weights):
        w = np.array([float(degree_weights(j)) for j in range(k + 1)])
    else:
        w = np.asarray(degree_weights, dtype=np.float64)
    return w


def min_weighted_norm_interpolator(target, seen=None, degree_weights=None, *, unseen=None,
                                   rtol=1e-10, maxiter=None, x0=None, preconditioner=None):
    r"""Interpolator of least weighted norm :math:`\sum_T w_{|T|} \hat g(T)^2`.

    The unknowns are the values ``u`` on the unseen set.  With
    :math:`K = 2^{-n} H\, \mathrm{diag}(w_{|T|})\, 2^{-n} H` (two transforms
    per product), the minimiser solves the SPD system
    :math:`K_{UU} u = -K_{US} f_S`, solved by conjugate gradients.  The
    eigenvalues of :math:`K_{UU}` lie in :math:`[\min w, \max w] / 2^n`, so
    with :math:`w_k = \lambda^k` the condition number is at most
    :math:`\lambda^n` and the iteration count grows with :math:`\lambda`
    (measured at n = 10, random half seen: about 60 iterations for
    :math:`\lambda = 2`, 250 for 4, 900 for 10).  For the exact limit use
    :func:`min_degree_interpolator`.

    With :math:`w_k = \lambda^k` this is the "leaky" picture of the paper: it
    tends to the MDI as :math:`\lambda \to \infty` and equals the min-norm
    interpolator at :math:`\lambda = 1`.

    Parameters
    ----------
    target : BooleanFunction or array_like or str
    seen : Domain or mask
    degree_weights : array_like of shape (n + 1,) or callable
        :math:`w_0, \dots, w_n > 0` (for the relevant coordinates after the
        junta reduction, ``w`` is read as a function of the degree; give at
        least ``k + 1`` entries), or a callable ``k -> w_k``.
    unseen : Domain or mask, optional
    rtol : float
        CG stops when the residual norm is below ``rtol`` times the norm of
        the right-hand side.
    maxiter : int, optional
        Iteration cap (default ``10 * |U|`` capped at 20000).
    x0 : array_like, optional
        Initial guess for the values on the unseen set (in the order of the
        unseen indices of the reduced problem).
    preconditioner : {None, "schur"}
        ``"schur"`` preconditions with :math:`(K^{-1})_{UU} = (H\,
        \mathrm{diag}(1/w)\, H)_{UU}` (exact for constant weights; it helps for
        slowly growing weights and hurts for fast-growing ones).  Default: none.

    Returns
    -------
    Interpolant or JuntaFunction
        ``info`` holds ``iterations`` and ``residual``.

    Examples
    --------
    >>> g = min_weighted_norm_interpolator([1.0, -1.0, -1.0, 1.0], [True, True, True, False],
    ...                                    degree_weights=[1.0, 1.0, 1.0])
    >>> np.round(g.values, 12)   # constant weights: the min-norm interpolator
    array([ 1., -1., -1.,  0.])
    """
    t0 = time.perf_counter()
    if degree_weights is None:
        raise TypeError("give degree_weights, e.g. [lam**k for k in range(n + 1)]")
    t, dom, n = _resolve(target, seen, unseen=unseen)
    dom.require_nonempty("the seen set")
    variables, vals, mask = _reduce_problem(t, dom, True)
    k = len(variables)
    w = _weights_vector(degree_weights, k)
    if w.ndim != 1 or w.shape[0] < k + 1:
        raise ValueError(
            f"degree_weights needs at least {k + 1} entries (w_0..w_{k}), got shape {w.shape}"
        )
    w = w[: k + 1]  # the reduced problem has degrees 0..k only
    if not np.all(np.isfinite(w)) or np.any(w <= 0):
        raise ValueError("degree_weights must be positive and finite")
    if preconditioner not in (None, "schur"):
        raise ValueError(f"preconditioner must be None or 'schur', got {preconditioner!r}")
    g, info = _weighted_cg(vals, mask, w, rtol, maxiter, x0, preconditioner == "schur")
    path = "weighted_cg" if len(variables) == n else "junta+weighted_cg"
    return _lift(BooleanFunction(g), variables, n, path, time.perf_counter() - t0, info,
                 dense_input=t.values is not None)


def _weighted_cg(values, seen, w, rtol, maxiter, x0, schur):
    k = int(values.shape[0]).bit_length() - 1
    wd = w[cube.degrees(k)]  # weight of each coefficient
    inv = 1.0 / wd
    U = ~seen
    u = int(np.count_nonzero(U))
    if u == 0:
        return values.copy(), {"iterations": 0, "residual": 0.0, "converged": True}
    # CG vectors live on the whole cube and vanish on the seen set (masking is cheaper than
    # gathering and scattering the unseen entries at every product)
    mU = U.astype(np.float64)

    def K(v):  # K_UU v = (2^-n H diag(w) 2^-n H v) on U
        c = fwht(v, norm="forward")
        c *= wd
        out = fwht(c, norm="forward", overwrite_x=True)
        out *= mU
        return out

    def P(v):  # (K^{-1})_UU v = (H diag(1/w) H v) on U
        if not schur:
            return v.copy()
        c = fwht(v)
        c *= inv
        out = fwht(c, overwrite_x=True)
        out *= mU
        return out

    h = np.where(seen, values, 0.0)
    b = -K(h)
    bnorm = float(np.linalg.norm(b))
    x = np.zeros(values.shape[0])
    if x0 is not None:
        x0 = np.asarray(x0, dtype=np.float64)
        if x0.shape != (u,):
            raise ValueError(
                f"x0 must have shape ({u},) (the unseen points of the reduced problem)"
            )
        x[U] = x0
    if maxiter is None:
        maxiter = min(10 * u, 20000)
    if bnorm == 0.0:
        return h, {"iterations": 0, "residual": 0.0, "converged": True}
    r = b - K(x)
    z = P(r)
    p = z.copy()
    rz = float(r @ z)
    it = 0
    res = float(np.linalg.norm(r))
    while res > rtol * bnorm and it < maxiter:
        Kp = K(p)
        alpha = rz / float(p @ Kp)
        x += alpha * p
        r -= alpha * Kp
        z = P(r)
        rz_new = float(r @ z)
        p *= rz_new / rz
        p += z
        rz = rz_new
        it += 1
        res = float(np.linalg.norm(r))
    g = h + x
    return g, {"iterations": it, "residual": res / bnorm, "converged": bool(res <= rtol * bnorm)}


# =========================================================================== GOTU measures


@dataclass(frozen=True)
class GotuError:
    r"""Errors of a prediction against the target.

    Attributes
    ----------
    unseen_mse : float or ndarray
        :math:`E_{x \sim U}(g(x) - f(x))^2` (the GOTU error with square loss).
    cube_mse : float or ndarray
        :math:`E_{x}(g(x) - f(x))^2` over the whole cube (the paper code's
        "test loss").
    unseen_sign_error : float or ndarray
        :math:`P_{x \sim U}[\mathrm{sgn}\, g(x) \ne \mathrm{sgn}\, f(x)]`
        with :math:`\mathrm{sgn}\, 0 = +1`.
    """

    unseen_mse: object
    cube_mse: object
    unseen_sign_error: object

    def as_dict(self) -> dict:
        """Plain ``dict`` (floats or lists) for JSON."""
        def conv(v):
            a = np.asarray(v)
            return float(a) if a.ndim == 0 else a.tolist()
        return {"unseen_mse": conv(self.unseen_mse), "cube_mse": conv(self.cube_mse),
                "unseen_sign_error": conv(self.unseen_sign_error)}


def _values_of(x, what):
    if isinstance(x, BooleanFunction):
        return np.asarray(x.values)
    if isinstance(x, _JuntaView):
        return np.asarray(x.values)
    a = np.asarray(x)
    if a.dtype.kind not in "iuf" or a.dtype.kind == "b":
        raise TypeError(f"{what} must be real values (or a BooleanFunction), got dtype {a.dtype}")
    return a.astype(np.float64, copy=False)


def _gotu_arrays(pred, target, unseen_mask):
    diff2 = (pred - target) ** 2
    u = int(np.count_nonzero(unseen_mask))
    if u == 0:
        raise ValueError(
            "the unseen set is empty, so the GOTU error is undefined; check the domain"
        )
    if not np.isfinite(target).all():
        raise ValueError("the target has NaN or infinite values")
    sgn_p = np.where(pred >= 0, 1.0, -1.0)
    sgn_t = np.where(target >= 0, 1.0, -1.0)
    unseen_mse = diff2[..., unseen_mask].mean(axis=-1)
    cube_mse = diff2.mean(axis=-1)
    sign = (sgn_p != sgn_t)[..., unseen_mask].mean(axis=-1)
    # a NaN prediction (a diverged run) has no sign: NaN, like its MSE (it counted as -1);
    # the target is finite, so the unseen MSE is NaN exactly when a prediction on U is
    sign = np.where(np.isnan(unseen_mse), np.nan, sign)
    def sc(v):
        return float(v) if np.ndim(v) == 0 else v
    return GotuError(sc(unseen_mse), sc(cube_mse), sc(sign))


def gotu_error(prediction, target, unseen) -> GotuError:
    r"""GOTU errors of predictions (batched) against a target.

    Parameters
    ----------
    prediction : array_like, shape (..., 2**n), or BooleanFunction
        One prediction or a history of them (e.g. ``(steps, 2**n)``).
    target : array_like, shape (2**n,), or BooleanFunction
    unseen : Domain or array_like of bool, shape (2**n,)
        The unseen set :math:`U`.

    Returns
    -------
    GotuError
        ``unseen_mse``, ``cube_mse`` and ``unseen_sign_error``, each a float
        or an array of shape ``prediction.shape[:-1]``; NaN for a prediction
        with NaN values (e.g. a step of a diverged run).

    Examples
    --------
    >>> e = gotu_error([1.0, -1.0, -1.0, -3.0], [1.0, -1.0, -1.0, 1.0], [False, False, False, True])
    >>> e.unseen_mse, e.cube_mse, e.unseen_sign_error   # MDI of x0*x1 on U = {x0 = x1 = -1}
    (16.0, 4.0, 1.0)
    """
    p = _values_of(prediction, "prediction")
    f = _values_of(target, "target")
    if f.ndim != 1:
        raise ValueError(f"target must be one function (2**n,), got shape {f.shape}")
    if p.shape[-1:] != f.shape:
        raise ValueError(
            f"prediction has shape {p.shape}; its last axis must match the target's {f.shape}"
        )
    n = f.shape[0].bit_length() - 1
    dom = as_domain(unseen, n, what="unseen")
    return _gotu_arrays(p, f, np.asarray(dom.mask))


def canonical_holdout_error(target, i) -> GotuError:
    r"""GOTU errors of the canonical-holdout MDI :math:`f|_{x_i = 1}` (seen set :math:`x_i = 1`).

    On the unseen set the prediction at :math:`x` is :math:`f(x^{\oplus i})` (``x``
    with :math:`x_i` flipped), so with :math:`\mathrm{Inf}_i(f) = E_x[((f(x) -
    f(x^{\oplus i}))/2)^2]` (Abbe et al., ICML 2023): MSE on the unseen set
    :math:`= 4\,\mathrm{Inf}_i(f)`, MSE on the cube :math:`= 2\,\mathrm{Inf}_i(f)`,
    and for ±1-valued ``f`` the sign error on the unseen set
    :math:`= \mathrm{Inf}_i(f)`.

    Parameters
    ----------
    target : BooleanFunction or array_like, shape (2**n,)
    i : int
        The held-out coordinate (unseen set :math:`x_i = -1`).

    Returns
    -------
    GotuError

    Examples
    --------
    >>> from boolfourier.function import majority
    >>> e = canonical_holdout_error(majority(3), 0)
    >>> e.unseen_mse, e.unseen_sign_error
    (2.0, 0.5)
    """
    f = _values_of(target, "target")
    if f.ndim != 1 or f.shape[0] < 2 or f.shape[0] & (f.shape[0] - 1):
        raise ValueError(f"the target must be the 2**n values (n >= 1) of one function, got shape {f.shape}")
    n = f.shape[0].bit_length() - 1
    i = cube.check_coordinate(i, n)
    idx = np.arange(1 << n, dtype=np.int64)
    pred = f[idx & ~(1 << i)]
    unseen = ((idx >> i) & 1).astype(np.bool_)
    return _gotu_arrays(pred, f, unseen)


# =========================================================================== CLI report


def interpolate_report(target, seen=None, method="auto", *, unseen=None, n=None, digits=6) -> dict:
    """Everything ``boolfourier interpolate`` prints, as a JSON-ready ``dict``.

    Parameters
    ----------
    target : str, Expression, BooleanFunction or array_like
        The target (an expression such as ``"x0*x1"`` needs ``n``).
    seen, unseen : Domain, mask or predicate string
        One of them (a predicate string needs ``n``).
    method : str
        As in :func:`min_degree_interpolator`.
    n : int, optional
        Number of coordinates, for string inputs.
    digits : int
        Significant digits of the printed polynomials.

    Returns
    -------
    dict
        Keys ``n``, ``target``, ``seen``, ``seen_size``, ``seen_density``,
        ``variables``, ``method``, ``seconds``, ``mdi`` (polynomial text),
        ``mdi_coefficients`` (``{"x0*x1": value}``), ``degree`` (target and
        MDI), ``degree_profile`` (``{"target": [W^0..W^n], "mdi": [...]}``),
        ``gotu`` (``unseen_mse``, ``cube_mse``, ``unseen_sign_error``).

    Examples
    --------
    >>> r = interpolate_report("x0*x1", unseen="x0 == -1 and x1 == -1", n=40)
    >>> r["mdi"], r["method"], r["gotu"]["unseen_mse"]
    ('x0 + x1 - 1', 'junta+subcube', 16.0)
    """
    if isinstance(seen, str) or isinstance(unseen, str):
        if n is None:
            n = _own_n(target, seen, unseen)
        if isinstance(seen, str):
            seen = Domain.from_expression(seen, n)
        if isinstance(unseen, str):
            unseen = Domain.from_expression(unseen, n)
    t, dom, n_ = _resolve(target, seen, unseen=unseen)
    g = min_degree_interpolator(target, dom, method=method)
    variables = g.variables
    vals = t.on(variables)
    core = g.core
    k = len(variables)
    if g.info.get("closed_form") == _TARGET_ITSELF:  # a ball at any n: the MDI is the target
        err = GotuError(0.0, 0.0, 0.0)
    else:  # on the coordinates of both (the domain may name some the MDI does not depend on)
        union = tuple(sorted(set(variables) | dom.variables))
        check_dense(len(union), copies=4, what="the GOTU errors on the relevant coordinates")
        on_union = compress_index(expand_index(np.arange(1 << len(union), dtype=np.int64), union), variables)
        target_on_union = vals if union == tuple(variables) else t.on(union)
        err = _gotu_arrays(core.values[on_union], target_on_union, ~dom.reduced_mask(union))
    wt = np.zeros(n_ + 1)
    wt[: k + 1] = _degree_profile(_coefficients(vals))
    tv = JuntaFunction(BooleanFunction(vals), variables, n_)
    try:
        seen_size = int(dom.size)
        seen_density = float(dom.density)
    except ValueError:
        seen_size, seen_density = None, None
    if seen_size is not None and seen_size.bit_length() > 1000:  # no 300-digit counts in a report
        seen_size = None
    mcoef = {}
    for mask, v in sorted(g.coefficients().items(), key=lambda kv: (bin(kv[0]).count("1"), kv[0])):
        name = "*".join(f"x{j}" for j in cube.mask_to_set(mask)) or "1"
        mcoef[name] = v
    return {
        "n": n_,
        "target": tv.polynomial(digits=digits),
        "seen": repr(dom),
        "seen_size": seen_size,
        "seen_density": seen_density,
        "variables": list(variables),
        "method": g.method,
        "seconds": g.seconds,
        "mdi": g.polynomial(digits=digits),
        "mdi_coefficients": mcoef,
        "degree": {"target": tv.degree(), "mdi": g.degree()},
        "degree_profile": {
            "target": _clean(wt).tolist(),
            "mdi": _clean(g.degree_profile()).tolist(),
        },
        "gotu": err.as_dict(),
    }


def _clean(w: np.ndarray, rtol: float = 1e-20) -> np.ndarray:
    """Degree profile with rounding noise (below ``rtol`` of the total weight) set to 0."""
    w = np.asarray(w, dtype=np.float64).copy()
    w[np.abs(w) <= rtol * max(float(np.sum(np.abs(w))), 1e-300)] = 0.0
    return w


def format_interpolate_report(report: dict) -> str:
    """Human-readable text of :func:`interpolate_report`'s dict (what the CLI prints).

    Parameters
    ----------
    report : dict
        The output of :func:`interpolate_report`.

    Returns
    -------
    str
        Target, seen set, MDI, method and time, the two degree profiles side
        by side (highest degree first) and the GOTU errors.
    """
    n = report["n"]
    wt = report["degree_profile"]["target"]
    wm = report["degree_profile"]["mdi"]
    lines = [
        f"target  f = {report['target']}   (n = {n})",
        f"seen      = {report['seen']}"
        + (f"   |S| = {report['seen_size']} ({report['seen_density']:.4g} of the cube)"
           if report["seen_size"] is not None
           else f"   ({report['seen_density']:.4g} of the cube)" if report["seen_density"] is not None else ""),
        f"MDI       = {report['mdi']}",
        f"method    = {report['method']}   ({report['seconds'] * 1e3:.1f} ms; relevant "
        f"variables: {', '.join(f'x{v}' for v in report['variables']) or 'none'})",
        "degree profile (W^k, highest degree first):",
        f"  {'k':>3}  {'target':>12}  {'MDI':>12}",
    ]
    top = max(report["degree"]["target"], report["degree"]["mdi"])
    for j in range(top, -1, -1):
        lines.append(f"  {j:>3}  {wt[j]:>12.6g}  {wm[j]:>12.6g}")
    e = report["gotu"]
    lines.append(
        f"GOTU: MSE on unseen = {e['unseen_mse']:.6g}   MSE on cube = {e['cube_mse']:.6g}   "
        f"sign error on unseen = {e['unseen_sign_error']:.4g}"
    )
    return "\n".join(lines)
