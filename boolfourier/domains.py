r"""Subsets of the cube :math:`\{\pm1\}^n`: the *seen* and *unseen* domains of GOTU.

A :class:`Domain` is a set of points of :math:`\{\pm1\}^n`.  It is described
either densely (a boolean mask over the ``2**n`` indices, bit ``k`` of index
``i`` set meaning :math:`x_k = -1`) or structurally (a subcube, a Hamming
ball, a predicate expression, a complement / intersection / union of
domains).  Structural domains work for any ``n``: :meth:`Domain.contains`,
:meth:`Domain.sample`, :attr:`Domain.size` and :attr:`Domain.variables` never
build a table of ``2**n`` entries; :attr:`Domain.mask` does, for ``n`` up to
:data:`boolfourier.cube.MAX_DENSE_N`.

A domain only depends on the coordinates in :attr:`Domain.variables`; the
interpolators use this for the junta reduction, so a domain such as
``x0 == -1 and x1 == -1`` in ``n = 40`` costs ``2**2`` work, not ``2**40``.

Named families (all classmethods of :class:`Domain`):

* :meth:`Domain.full`, :meth:`Domain.empty`;
* :meth:`Domain.subcube` ``{x : x_i = a_i for i in S}``; :meth:`Domain.frozen`
  is the same set read as a *seen* domain (frozen coordinates), and
  :meth:`Domain.canonical_holdout` freezes one coordinate to ``+1``;
* :meth:`Domain.hamming_ball` ``{x : #(x_i != c_i) <= k}`` (``c = 1^n`` by
  default, i.e. ``weight(x) <= k`` with weight the number of ``-1``'s), and
  :meth:`Domain.hamming_shells` ``{x : #(x_i != c_i) in D}``, which is what
  :meth:`Domain.from_expression` makes of a predicate that only reads
  ``weight(x)`` (``"weight(x) > 6"``, ``"2 <= weight(x) <= 5"``);
* ``~D``, ``D & E``, ``D | E``, ``D - E``.

Seen and unseen sets are complements of each other: ``unseen = ~seen``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np

from . import cube

__all__ = ["Domain", "as_domain", "seen_and_unseen", "expand_index", "compress_index"]

#: Largest number of relevant variables for which a domain given by a
#: predicate is tabulated over its variables (for size, density, sampling).
MAX_REDUCED_VARIABLES = 24

_CHUNK = 1 << 16

#: Kinds stored as ``(allowed distances, centre)``: Hamming balls and shells.
_SHELLS = ("ball", "shells")

#: Largest ``n`` for which a weight-only predicate is turned into shells.
_MAX_SHELL_N = 4096

#: Uniform points probed by :meth:`Domain.is_empty` when the size cannot be counted.
_EMPTY_PROBE = 1 << 12


def _check_sign(a, what: str) -> int:
    if isinstance(a, bool) or a not in (1, -1):
        raise ValueError(f"{what} must be +1 or -1, got {a!r} (0/1 bits b map to 1 - 2*b)")
    return int(a)


def _parse_variable(v) -> int:
    """``3`` or ``"x3"`` -> ``3`` (expression variable sets may hold either)."""
    if isinstance(v, str):
        s = v.strip()
        if s.startswith("x") and s[1:].isdigit():
            return int(s[1:])
        raise ValueError(f"cannot read variable {v!r}; expected an index or a name like 'x3'")
    return int(v)


def expand_index(j, variables) -> np.ndarray:
    """Full-cube indices of reduced indices ``j`` over ``variables`` (others ``+1``).

    Bit ``t`` of ``j`` becomes bit ``variables[t]`` of the result.

    >>> expand_index(np.arange(4), (1, 3))
    array([ 0,  2,  8, 10])
    """
    j = np.asarray(j, dtype=np.int64)
    out = np.zeros(j.shape, dtype=np.int64)
    for t, v in enumerate(variables):
        out |= ((j >> t) & 1) << int(v)
    return out


def compress_index(i, variables) -> np.ndarray:
    """Reduced indices over ``variables`` of full-cube indices ``i`` (inverse of
    :func:`expand_index`).

    >>> compress_index(np.array([0, 2, 8, 10, 15]), (1, 3))
    array([0, 1, 2, 3, 3])
    """
    i = np.asarray(i, dtype=np.int64)
    out = np.zeros(i.shape, dtype=np.int64)
    for t, v in enumerate(variables):
        out |= ((i >> int(v)) & 1) << t
    return out


def _embed_points(xr: np.ndarray, variables, n: int) -> np.ndarray:
    """Full-cube points: coordinates ``variables`` from ``xr``, ``+1`` elsewhere."""
    x = np.ones((xr.shape[0], n), dtype=np.int8)
    if len(variables):
        x[:, list(variables)] = xr
    return x


def _mask_variables(mask: np.ndarray, n: int) -> frozenset:
    """Coordinates ``k`` of a dense mask with ``mask[i] != mask[i ^ 2**k]`` for some ``i``."""
    out = []
    for k in range(n):
        v = mask.reshape(-1, 2, 1 << k)
        if not np.array_equal(v[:, 0, :], v[:, 1, :]):
            out.append(k)
    return frozenset(out)


def _symmetric_shells(expression, n: int) -> "Domain | None":
    """The domain of a predicate that only sees ``weight(x)`` (or another list
    function of every coordinate), as Hamming shells about ``1^n``; None when
    the predicate reads single coordinates.

    Such a predicate is invariant under permuting the coordinates, so it is
    the set of points whose weight lies in ``{w : predicate(1^{n-w} (-1)^w)}``:
    evaluating it on ``n + 1`` representatives settles it at any ``n``, and
    :attr:`Domain.size` and :meth:`Domain.sample` stay exact where a generic
    predicate on every coordinate could only be tabulated or rejection-sampled.
    """
    from . import expr as _expr  # noqa: PLC0415  (higher layer, loaded by the caller)

    symmetric = (_expr.Number, _expr.Neg, _expr.Add, _expr.Mul, _expr.Pow,
                 _expr.Compare, _expr.BoolOp, _expr.Not)

    def ok(node) -> bool:
        if isinstance(node, _expr.Family):
            return node.count is None
        return isinstance(node, symmetric) and all(ok(c) for c in node.children())

    root = getattr(expression, "root", None)
    if root is None or n > _MAX_SHELL_N or not ok(root):
        return None  # (n + 1) x n representatives: keep them small
    reps = np.where(np.arange(n)[None, :] < np.arange(n + 1)[:, None], -1, 1).astype(np.int8)
    return Domain.hamming_shells(np.flatnonzero(expression.evaluate(reps)), n)


class Domain:
    r"""A subset of the cube :math:`\{\pm1\}^n`.

    Build domains with the classmethods (:meth:`from_mask`,
    :meth:`from_expression`, :meth:`from_callable`, :meth:`subcube`,
    :meth:`frozen`, :meth:`canonical_holdout`, :meth:`hamming_ball`,
    :meth:`full`, :meth:`empty`) and combine them with ``~`` (complement),
    ``&`` (intersection), ``|`` (union) and ``-`` (difference).  Domains are
    immutable.

    Attributes
    ----------
    n : int
        Number of coordinates.
    kind : str
        How the domain is described: ``"mask"``, ``"subcube"``, ``"ball"``,
        ``"shells"``, ``"expression"``, ``"callable"``, ``"full"``, ``"empty"``,
        ``"complement"``, ``"intersection"`` or ``"union"``.
    variables : frozenset of int
        Coordinates the membership test depends on (a superset for
        callables given without ``variables``).

    Examples
    --------
    >>> seen = Domain.frozen({0: 1}, n=3)          # canonical holdout of x0
    >>> seen.size, (~seen).size
    (4, 4)
    >>> seen.mask
    array([ True, False,  True, False,  True, False,  True, False])
    >>> ball = Domain.hamming_ball(1, n=3)         # weight(x) <= 1
    >>> int(ball.size), float(ball.density)
    (4, 0.5)
    >>> Domain.subcube({0: -1, 1: -1}, n=40).density   # x0 = x1 = -1 in n = 40
    0.25
    """

    __slots__ = ("_n", "_kind", "_data", "_variables", "_mask_cache", "_size_cache")

    def __init__(self, n, kind, data, variables):
        # Private: use the classmethods.
        self._n = n
        self._kind = kind
        self._data = data
        self._variables = frozenset(int(v) for v in variables)
        self._mask_cache = None
        self._size_cache = None

    # ------------------------------------------------------------------ constructors
    @classmethod
    def from_mask(cls, mask) -> "Domain":
        """Domain with the given membership mask over the ``2**n`` indices.

        Parameters
        ----------
        mask : array_like of bool, shape (2**n,)
            ``mask[i]`` is True when point ``i`` belongs to the domain
            (integer 0/1 arrays are accepted too).

        Examples
        --------
        >>> Domain.from_mask([True, True, True, False]).size   # x0 = x1 = -1 unseen
        3
        """
        m = np.asarray(mask)
        if m.ndim != 1:
            raise ValueError(
                f"a domain mask is one-dimensional (2**n entries), got shape {m.shape}"
            )
        if m.dtype != np.bool_:
            if m.dtype.kind not in "iu" or not np.all((m == 0) | (m == 1)):
                raise TypeError(
                    f"a domain mask must be boolean (or 0/1 integers), got dtype {m.dtype}; "
                    "use e.g. values > 0 to build one"
                )
            m = m.astype(np.bool_)
        size = m.shape[0]
        if size < 1 or size & (size - 1):
            raise ValueError(
                f"mask length {size} is not a power of two (a domain in n has 2**n entries)"
            )
        n = size.bit_length() - 1
        m = np.array(m, dtype=np.bool_, copy=True)
        m.setflags(write=False)
        return cls(n, "mask", m, _mask_variables(m, n))

    @classmethod
    def from_expression(cls, expression, n) -> "Domain":
        """Domain ``{x : predicate(x)}`` from a predicate expression.

        Parameters
        ----------
        expression : str or Expression
            A predicate in the syntax of :mod:`boolfourier.expr` (its
            ``variables``, ``None`` meaning every coordinate, drive the junta
            reduction), e.g.
            ``"x0 == -1 and x1 == -1"``, ``"x0*x1*x2 == 1"`` or
            ``"weight(x) <= 3"``.  Strings are parsed with
            :func:`boolfourier.expr.parse`.
        n : int
            Number of coordinates (any size; only the expression's variables
            are ever tabulated).  A predicate that reads only ``weight(x)``
            (or another list function of every coordinate) becomes
            :meth:`hamming_shells` (a ``"ball"`` for ``weight(x) <= k``), exact
            at any ``n``.

        Raises
        ------
        TypeError
            If the expression is real-valued rather than a predicate.
        """
        n = cube.check_n(n, dense=False)
        if isinstance(expression, str):
            from . import expr as _expr  # noqa: PLC0415  (higher layer, optional at import)

            expression = _expr.parse(expression)
        kind = getattr(expression, "kind", "predicate")
        if kind != "predicate":
            raise TypeError(
                "a domain needs a predicate (e.g. 'x0 == -1 and x1 == -1' or 'weight(x) <= 3'); "
                f"got a {kind!r} expression"
            )
        raw_vars = getattr(expression, "variables", None)
        if raw_vars is None:
            variables = frozenset(range(n))
        else:
            variables = frozenset(_parse_variable(v) for v in raw_vars)
        min_n = int(getattr(expression, "min_n", 0))
        if min_n > n:
            raise ValueError(
                f"the predicate uses x{min_n - 1}, so it needs n >= {min_n}; got n = {n}"
            )
        for v in variables:
            cube.check_coordinate(v, n)
        shells = _symmetric_shells(expression, n)
        if shells is not None:
            return shells
        return cls(n, "expression", expression, variables)

    @classmethod
    def from_callable(cls, predicate, n, variables=None) -> "Domain":
        """Domain ``{x : predicate(x)}`` from a vectorised Python predicate.

        Parameters
        ----------
        predicate : callable
            ``(m, n)`` array of ±1 -> ``(m,)`` booleans.
        n : int
            Number of coordinates.
        variables : iterable of int, optional
            The coordinates the predicate reads; enables the junta reduction
            at large ``n`` (default: all ``n``).
        """
        n = cube.check_n(n, dense=False)
        if not callable(predicate):
            raise TypeError(f"predicate must be callable, got {type(predicate).__name__}")
        vs = range(n) if variables is None else variables
        vs = frozenset(cube.check_coordinate(v, n) for v in vs)
        return cls(n, "callable", predicate, vs)

    @classmethod
    def full(cls, n) -> "Domain":
        """The whole cube."""
        return cls(cube.check_n(n, dense=False), "full", None, ())

    @classmethod
    def empty(cls, n) -> "Domain":
        """The empty set."""
        return cls(cube.check_n(n, dense=False), "empty", None, ())

    @classmethod
    def subcube(cls, assignment: Mapping, n) -> "Domain":
        r"""The subcube :math:`\{x : x_i = a_i \ \forall i \in S\}` for ``assignment = {i: a_i}``.

        The unseen subcube of the GOTU paper is ``Domain.subcube({i: -1 for i
        in S}, n)``; its seen set is the complement ``~Domain.subcube(...)``.

        >>> Domain.subcube({0: -1, 2: -1}, n=3).mask.nonzero()[0]
        array([5, 7])
        """
        n = cube.check_n(n, dense=False)
        if not isinstance(assignment, Mapping):
            raise TypeError("assignment must be a mapping {coordinate: +1 or -1}, e.g. {0: 1}")
        fixed = {}
        for i, a in assignment.items():
            fixed[cube.check_coordinate(i, n)] = _check_sign(a, f"the value of x{i}")
        if not fixed:
            return cls.full(n)
        return cls(n, "subcube", dict(sorted(fixed.items())), fixed.keys())

    @classmethod
    def frozen(cls, assignment: Mapping, n) -> "Domain":
        """Seen domain with frozen coordinates: ``frozen({0: 1}, n)`` is seen where ``x0 = 1``.

        The same set as :meth:`subcube`; the name says how it is used.
        """
        return cls.subcube(assignment, n)

    @classmethod
    def canonical_holdout(cls, i, n) -> "Domain":
        """Seen domain of the canonical holdout of coordinate ``i``: ``{x : x_i = 1}``."""
        return cls.subcube({i: 1}, n)

    @classmethod
    def hamming_ball(cls, k, n, center=None) -> "Domain":
        r"""Hamming ball :math:`\{x : \#\{i : x_i \ne c_i\} \le k\}`.

        With the default centre :math:`c = 1^n` this is ``weight(x) <= k``,
        ``weight`` counting the ``-1`` coordinates (the Degree-Curriculum and
        length-generalisation seen sets).

        Parameters
        ----------
        k : int
            Radius (``k < 0`` gives the empty set, ``k >= n`` the whole cube).
        n : int
            Number of coordinates.
        center : sequence of ±1, optional
            The centre ``c`` (default all ``+1``).

        >>> Domain.hamming_ball(2, n=16).size
        137
        """
        n = cube.check_n(n, dense=False)
        if isinstance(k, bool) or not isinstance(k, (int, np.integer)):
            raise TypeError(f"the radius k must be an integer, got {k!r}")
        return cls.hamming_shells(range(min(int(k), n) + 1), n, center)

    @classmethod
    def hamming_shells(cls, distances, n, center=None) -> "Domain":
        r"""Union of Hamming spheres :math:`\{x : \#\{i : x_i \ne c_i\} \in D\}`.

        Every permutation-invariant domain is of this form with ``c = 1^n``
        (``D`` the allowed weights); :meth:`from_expression` builds it for
        predicates such as ``"weight(x) > 6"`` or ``"2 <= weight(x) <= 5"``,
        so their size and samples are exact at any ``n``.  When ``D`` is
        ``{0, ..., k}`` the domain is a Hamming ball (``kind == "ball"``);
        complements, intersections and unions of shells about one centre
        stay shells.

        Parameters
        ----------
        distances : iterable of int
            The allowed distances from the centre, in ``0..n``.
        n : int
            Number of coordinates.
        center : sequence of ±1, optional
            The centre ``c`` (default all ``+1``).

        >>> Domain.hamming_shells([0, 16], n=16).size
        2
        >>> Domain.from_expression("weight(x) > 6", n=40)
        Domain(n=40: weight(x) >= 7)
        """
        n = cube.check_n(n, dense=False)
        allowed = np.zeros(n + 1, dtype=np.bool_)
        for d in distances:
            if isinstance(d, bool) or not isinstance(d, (int, np.integer)) or not 0 <= d <= n:
                raise ValueError(f"distances must be integers in 0..n = {n}, got {d!r}")
            allowed[int(d)] = True
        if center is None:
            c = np.ones(n, dtype=np.int8)
        else:
            c = np.asarray(center)
            if c.shape != (n,) or not np.all((c == 1) | (c == -1)):
                raise ValueError(f"center must be a sequence of n = {n} entries +1/-1")
            c = c.astype(np.int8)
        if not allowed.any():
            return cls.empty(n)
        if allowed.all():
            return cls.full(n)
        allowed.setflags(write=False)
        c.setflags(write=False)
        k = int(np.count_nonzero(allowed))
        kind = "ball" if allowed[:k].all() else "shells"
        return cls(n, kind, (allowed, c), range(n))

    def _shells_with(self, other, op) -> "Domain | None":
        """``op`` of two shell domains about the same centre, else None."""
        if self._kind in _SHELLS and other._kind in _SHELLS:
            (a, c), (b, d) = self._data, other._data
            if np.array_equal(c, d):
                return Domain.hamming_shells(np.flatnonzero(op(a, b)), self._n, c)
        return None

    # ------------------------------------------------------------------ set algebra
    def _check_same_n(self, other) -> "Domain":
        if not isinstance(other, Domain):
            raise TypeError(f"can only combine a Domain with a Domain, got {type(other).__name__}")
        if other._n != self._n:
            raise ValueError(f"domains live in different cubes: n = {self._n} and n = {other._n}")
        return other

    def complement(self) -> "Domain":
        """The complement ``{±1}^n \\ self`` (also ``~self``)."""
        if self._kind == "full":
            return Domain.empty(self._n)
        if self._kind == "empty":
            return Domain.full(self._n)
        if self._kind == "complement":
            return self._data
        if self._kind == "mask":
            m = ~self._data
            m.setflags(write=False)
            return Domain(self._n, "mask", m, self._variables)
        if self._kind in _SHELLS:
            allowed, c = self._data
            return Domain.hamming_shells(np.flatnonzero(~allowed), self._n, c)
        return Domain(self._n, "complement", self, self._variables)

    def intersection(self, other: "Domain") -> "Domain":
        """The intersection (also ``self & other``)."""
        other = self._check_same_n(other)
        if self._kind == "empty" or other._kind == "full":
            return self
        if other._kind == "empty" or self._kind == "full":
            return other
        if self._kind == "subcube" and other._kind == "subcube":
            a, b = self._data, other._data
            if any(a[i] != b[i] for i in a.keys() & b.keys()):
                return Domain.empty(self._n)
            return Domain.subcube({**a, **b}, self._n)
        shells = self._shells_with(other, np.logical_and)
        if shells is not None:
            return shells
        return Domain(self._n, "intersection", (self, other), self._variables | other._variables)

    def union(self, other: "Domain") -> "Domain":
        """The union (also ``self | other``)."""
        other = self._check_same_n(other)
        if self._kind == "full" or other._kind == "empty":
            return self
        if other._kind == "full" or self._kind == "empty":
            return other
        shells = self._shells_with(other, np.logical_or)
        if shells is not None:
            return shells
        return Domain(self._n, "union", (self, other), self._variables | other._variables)

    __invert__ = complement
    __and__ = intersection
    __or__ = union

    def __sub__(self, other: "Domain") -> "Domain":
        return self.intersection(self._check_same_n(other).complement())

    # ------------------------------------------------------------------ properties
    @property
    def n(self) -> int:
        return self._n

    @property
    def kind(self) -> str:
        return self._kind

    @property
    def radius(self) -> int | None:
        """The radius ``k`` when the domain is a Hamming ball, else None: a ball about
        its centre ``c`` (``kind == "ball"``), or about ``-c`` (``kind == "shells"`` with
        the distances ``n - k, ..., n`` from ``c``, such as ``weight(x) >= 3``).

        >>> Domain.from_expression("weight(x) < 3", n=40).radius
        2
        >>> Domain.from_expression("weight(x) >= 3", n=40).radius
        37
        """
        if self._kind not in _SHELLS:
            return None
        allowed = self._data[0]
        k = int(np.count_nonzero(allowed)) - 1
        return k if self._kind == "ball" or allowed[self._n - k:].all() else None

    @property
    def variables(self) -> frozenset:
        return self._variables

    def _describe(self) -> str:
        if self._kind == "subcube":
            return " and ".join(f"x{i} == {a}" for i, a in self._data.items())
        if self._kind in _SHELLS:
            allowed, c = self._data
            d = "weight(x)" if np.all(c == 1) else f"distance(x, {''.join('+' if v == 1 else '-' for v in c)})"
            w = np.flatnonzero(allowed)
            if self._kind == "ball":
                return f"{d} <= {w[-1]}"
            if w[-1] == self._n and w.size == self._n + 1 - w[0]:
                return f"{d} >= {w[0]}"
            if w.size == 1:
                return f"{d} == {w[0]}"
            if w.size == w[-1] + 1 - w[0]:
                return f"{w[0]} <= {d} <= {w[-1]}"
            return f"{d} in {{{', '.join(str(int(v)) for v in w)}}}"
        if self._kind == "expression":
            return str(getattr(self._data, "text", self._data))
        if self._kind == "complement":
            return f"not ({self._data._describe()})"
        if self._kind in ("intersection", "union"):
            op = " and " if self._kind == "intersection" else " or "
            return op.join(f"({d._describe()})" for d in self._data)
        if self._kind == "mask":
            return f"mask with {int(np.count_nonzero(self._data))} points"
        return self._kind

    def __repr__(self) -> str:
        return f"Domain(n={self._n}: {self._describe()})"

    @property
    def mask(self) -> np.ndarray:
        """Dense membership mask over the ``2**n`` indices (bool, read-only, cached).

        Raises
        ------
        ValueError
            If ``n`` exceeds :data:`boolfourier.cube.MAX_DENSE_N`; use
            :meth:`contains` or :meth:`sample` instead.
        """
        if self._mask_cache is None:
            n = cube.check_n(self._n)
            m = self._mask_over(tuple(range(n)))
            m.setflags(write=False)
            self._mask_cache = m
        return self._mask_cache

    def reduced_mask(self, variables, *, check=True) -> np.ndarray:
        """Mask over the ``2**len(variables)`` points of the subcube on ``variables``.

        Entry ``j`` tells whether the point with ``x_{variables[t]} = (-1)**bit_t(j)``
        (and any values of the other coordinates) is in the domain.  Needs
        ``self.variables <= set(variables)`` (``check=False`` skips the test, for callers
        that know the domain is invariant under the other coordinates).

        >>> Domain.subcube({5: -1}, n=40).reduced_mask((5,))
        array([False,  True])
        """
        variables = tuple(int(v) for v in variables)
        if check and not self._variables <= set(variables):
            missing = sorted(self._variables - set(variables))
            raise ValueError(
                f"the domain depends on x{missing}, which are not among the given variables"
            )
        if len(variables) > cube.MAX_DENSE_N:
            raise ValueError(
                f"{len(variables)} variables are too many to tabulate (limit {cube.MAX_DENSE_N})"
            )
        return self._mask_over(variables)

    def _mask_over(self, variables: tuple) -> np.ndarray:
        """Membership of the points ``expand_index(j, variables)``, ``j < 2**len(variables)``."""
        k = len(variables)
        j = np.arange(1 << k, dtype=np.int64)
        kind = self._kind
        own = tuple(sorted(self._variables))
        if kind in ("expression", "callable", "complement", "intersection", "union") and len(
            own
        ) < k and set(own) <= set(variables):
            # tabulate over the domain's own variables only, then broadcast
            pos = [variables.index(v) for v in own]
            return self._mask_over(own)[compress_index(j, pos)]
        if kind == "full":
            return np.ones(1 << k, dtype=np.bool_)
        if kind == "empty":
            return np.zeros(1 << k, dtype=np.bool_)
        if kind == "mask":
            return self._data[expand_index(j, variables)]
        if kind == "subcube":
            pos = {v: t for t, v in enumerate(variables)}
            want = np.int64(0)
            care = np.int64(0)
            for i, a in self._data.items():
                if i not in pos:  # coordinate held at +1 by the embedding
                    if a == -1:
                        return np.zeros(1 << k, dtype=np.bool_)
                    continue
                care |= np.int64(1) << pos[i]
                if a == -1:
                    want |= np.int64(1) << pos[i]
            return (j & care) == want
        if kind in _SHELLS:
            allowed, c = self._data
            if len(variables) == self._n and variables == tuple(range(self._n)):
                cidx = int(cube.point_to_index(c)) if self._n <= 63 else None
                if cidx is not None:
                    return allowed[cube.popcount(j ^ cidx)]
        if kind == "complement":
            return ~self._data._mask_over(variables)
        if kind == "intersection":
            return self._data[0]._mask_over(variables) & self._data[1]._mask_over(variables)
        if kind == "union":
            return self._data[0]._mask_over(variables) | self._data[1]._mask_over(variables)
        # expression, callable, ball (general): evaluate on embedded points, chunked.
        out = np.empty(1 << k, dtype=np.bool_)
        for start in range(0, 1 << k, _CHUNK):
            jj = j[start:start + _CHUNK]
            xr = cube.index_to_point(jj, k) if k else np.ones((jj.shape[0], 0), dtype=np.int8)
            out[start:start + _CHUNK] = self._contains(_embed_points(xr, variables, self._n))
        return out

    # ------------------------------------------------------------------ membership
    def contains(self, points) -> np.ndarray:
        """Membership of points: an ``(m, n)`` array of ±1 (or one point of shape ``(n,)``).

        >>> Domain.subcube({0: -1}, n=2).contains([[1, 1], [-1, 1]])
        array([False,  True])
        """
        x = np.asarray(points)
        single = x.ndim == 1
        if single:
            x = x[None, :]
        if x.ndim != 2 or x.shape[1] != self._n:
            raise ValueError(
                f"points must have shape (m, {self._n}), got {np.asarray(points).shape}"
            )
        cube.check_pm1(x)
        out = self._contains(x)
        return out[0] if single else out

    def _contains(self, x: np.ndarray) -> np.ndarray:
        kind = self._kind
        m = x.shape[0]
        if kind == "full":
            return np.ones(m, dtype=np.bool_)
        if kind == "empty":
            return np.zeros(m, dtype=np.bool_)
        if kind == "mask":
            return self._data[cube.point_to_index(x)]
        if kind == "subcube":
            idx = list(self._data.keys())
            vals = np.array(list(self._data.values()), dtype=x.dtype)
            return np.all(x[:, idx] == vals, axis=1)
        if kind in _SHELLS:
            allowed, c = self._data
            return allowed[np.count_nonzero(x != c, axis=1)]
        if kind in ("expression", "callable"):
            fn = self._data.evaluate if kind == "expression" else self._data
            res = np.asarray(fn(x))
            if res.shape != (m,):
                raise ValueError(f"the predicate returned shape {res.shape}, expected ({m},)")
            if res.dtype != np.bool_:
                if res.dtype.kind not in "iuf" or not np.all((res == 0) | (res == 1)):
                    raise TypeError(
                        "the predicate must return booleans (use a comparison, e.g. 'x0 == -1')"
                    )
                res = res.astype(np.bool_)
            return res
        if kind == "complement":
            return ~self._data._contains(x)
        if kind == "intersection":
            return self._data[0]._contains(x) & self._data[1]._contains(x)
        if kind == "union":
            return self._data[0]._contains(x) | self._data[1]._contains(x)
        raise RuntimeError(f"unknown domain kind {kind!r}")  # pragma: no cover

    def __contains__(self, point) -> bool:
        return bool(self.contains(np.asarray(point).reshape(-1)))

    # ------------------------------------------------------------------ sizes
    @property
    def size(self) -> int:
        """Number of points (exact Python ``int``, for any ``n``).

        Computed from the structure (subcube, ball) or by tabulating the
        domain over its :attr:`variables`.

        Raises
        ------
        ValueError
            If the domain depends on more than ``MAX_REDUCED_VARIABLES``
            coordinates and has no closed form; estimate the density from
            :meth:`contains` on uniform samples instead.
        """
        if self._size_cache is None:
            self._size_cache = self._compute_size()
        return self._size_cache

    def _compute_size(self) -> int:
        n, kind = self._n, self._kind
        if kind == "full":
            return 1 << n
        if kind == "empty":
            return 0
        if kind == "mask":
            return int(np.count_nonzero(self._data))
        if kind == "subcube":
            return 1 << (n - len(self._data))
        if kind in _SHELLS:
            return sum(math.comb(n, int(j)) for j in np.flatnonzero(self._data[0]))
        if kind == "complement":
            return (1 << n) - self._data.size
        variables = tuple(sorted(self._variables))
        if len(variables) > MAX_REDUCED_VARIABLES:
            raise ValueError(
                f"this domain depends on {len(variables)} coordinates (limit "
                f"{MAX_REDUCED_VARIABLES} for exact counting); estimate its density with "
                "contains() on uniform samples"
            )
        return int(np.count_nonzero(self._mask_over(variables))) << (n - len(variables))

    @property
    def density(self) -> float:
        """``size / 2**n``, the uniform probability of the domain."""
        return self.size / (1 << self._n)  # int / int: no float overflow of 2**n for n >= 1024

    def is_empty(self) -> bool:
        """True when the domain has no point.

        Exact when :attr:`size` is (closed forms, or at most
        ``MAX_REDUCED_VARIABLES`` relevant coordinates).  Beyond that a uniform
        probe of ``_EMPTY_PROBE`` points that finds a member settles it; when
        none is found the question is refused with a ``ValueError``.
        """
        try:
            return self.size == 0
        except ValueError as exc:
            too_many = exc
        x = (1 - 2 * np.random.default_rng(0).integers(0, 2, size=(_EMPTY_PROBE, self._n))).astype(np.int8)
        if self._contains(x).any():
            return False
        raise ValueError(
            f"cannot tell whether {self!r} is empty: {too_many}; and none of {_EMPTY_PROBE} uniform "
            "points lies in it. Describe it as a subcube, a Hamming ball or a mask, or on fewer "
            "coordinates"
        ) from None

    def require_nonempty(self, what: str = "the domain") -> "Domain":
        """Return ``self``, or raise ``ValueError`` naming ``what`` if the domain is empty."""
        if self.is_empty():
            raise ValueError(
                f"{what} is empty ({self!r}); give a domain with at least one point "
                "(check the predicate, or pass its complement)"
            )
        return self

    # ------------------------------------------------------------------ sampling
    def sample(self, m, rng=None) -> np.ndarray:
        """``m`` points drawn uniformly and independently from the domain (with replacement).

        Parameters
        ----------
        m : int
            Number of points.
        rng : numpy.random.Generator or int or None
            Source of randomness (passed to :func:`numpy.random.default_rng`).

        Returns
        -------
        numpy.ndarray
            ``(m, n)`` int8 array of ±1.

        Raises
        ------
        ValueError
            If the domain is empty, or (for predicates on many variables) too
            sparse for rejection sampling.

        Examples
        --------
        >>> x = Domain.subcube({0: -1}, n=50).sample(3, rng=0)
        >>> x.shape, bool(np.all(x[:, 0] == -1))
        ((3, 50), True)
        """
        if isinstance(m, bool) or not isinstance(m, (int, np.integer)) or m < 0:
            raise ValueError(f"m must be a non-negative integer, got {m!r}")
        m = int(m)
        rng = np.random.default_rng(rng)
        n, kind = self._n, self._kind
        if kind == "empty":
            self.require_nonempty("the domain to sample from")
        if kind == "full":
            return (1 - 2 * rng.integers(0, 2, size=(m, n))).astype(np.int8)
        if kind == "subcube":
            x = (1 - 2 * rng.integers(0, 2, size=(m, n))).astype(np.int8)
            for i, a in self._data.items():
                x[:, i] = a
            return x
        if kind in _SHELLS:
            allowed, c = self._data
            ds = np.flatnonzero(allowed)
            sizes = [math.comb(n, int(d)) for d in ds]
            total = sum(sizes)  # exact ints: float C(n, d) overflows past n ~ 1030
            probs = np.array([sz / total for sz in sizes], dtype=np.float64)
            dist = ds[rng.choice(ds.size, size=m, p=probs / probs.sum())]
            order = np.argsort(rng.random((m, n)), axis=1)  # a random permutation per row
            ranks = np.empty_like(order)
            np.put_along_axis(ranks, order, np.arange(n)[None, :].repeat(m, 0), axis=1)
            flip = ranks < dist[:, None]
            return np.where(flip, -c, c).astype(np.int8)
        if kind == "mask":
            idx = np.flatnonzero(self._data)
            if idx.size == 0:
                self.require_nonempty("the domain to sample from")
            return cube.index_to_point(rng.choice(idx, size=m), n)
        variables = tuple(sorted(self._variables))
        if len(variables) <= MAX_REDUCED_VARIABLES:
            red = np.flatnonzero(self._mask_over(variables))
            if red.size == 0:
                self.require_nonempty("the domain to sample from")
            x = (1 - 2 * rng.integers(0, 2, size=(m, n))).astype(np.int8)
            if variables:
                x[:, list(variables)] = cube.index_to_point(rng.choice(red, size=m), len(variables))
            return x
        return self._rejection_sample(m, rng)

    def _rejection_sample(self, m, rng, max_draws=1 << 24) -> np.ndarray:
        n = self._n
        out = [np.empty((0, n), dtype=np.int8)]  # m = 0: an empty (0, n) sample
        got = drawn = 0
        while got < m:
            batch = max(1024, 2 * (m - got))
            x = (1 - 2 * rng.integers(0, 2, size=(batch, n))).astype(np.int8)
            keep = x[self._contains(x)]
            out.append(keep)
            got += keep.shape[0]
            drawn += batch
            if drawn > max_draws and got < m:
                raise ValueError(
                    f"rejection sampling accepted {got} of {drawn} uniform points; the domain is "
                    "empty or too sparse; describe it with a subcube / ball / mask instead"
                )
        return np.concatenate(out)[:m]


def as_domain(domain, n=None, *, what="seen") -> Domain:
    """Coerce a :class:`Domain`, a boolean mask or a predicate string to a :class:`Domain`.

    ``n`` is required for strings; for masks it is checked when given.
    """
    if isinstance(domain, Domain):
        if n is not None and domain.n != n:
            raise ValueError(f"the {what} domain lives in n = {domain.n}, expected n = {n}")
        return domain
    if isinstance(domain, str) or hasattr(domain, "evaluate"):
        if n is None:
            raise ValueError(f"give n to build the {what} domain from an expression")
        return Domain.from_expression(domain, n)
    if isinstance(domain, Mapping):
        raise TypeError(f"for a subcube use Domain.subcube({dict(domain)!r}, n)")
    try:
        d = Domain.from_mask(domain)
    except TypeError as exc:
        raise TypeError(
            f"the {what} set must be a Domain, a boolean mask or a predicate; {exc}"
        ) from None
    if n is not None and d.n != n:
        raise ValueError(f"the {what} mask has 2**{d.n} entries, expected 2**{n}")
    return d


def seen_and_unseen(seen) -> tuple[Domain, Domain]:
    """``(seen, ~seen)`` as domains (``seen`` a Domain or mask)."""
    d = as_domain(seen)
    return d, ~d

