r"""Safe expressions over the cube :math:`\{\pm1\}^n`: polynomials, named families, predicates.

Text such as ``"x0*x1 - 1.25*x1*x2 + 1.5*x2*x0"`` (a real-valued function) or
``"x0 == -1 and weight(x) <= 6"`` (a predicate, i.e. a subset of the cube) is
read by a hand-written tokenizer and a Pratt parser into a small immutable
AST of frozen dataclasses.  Nothing is ever passed to ``eval``, ``exec`` or
``compile``; there are no attributes, subscripts, strings or user-defined
names, so hostile text can only produce an :class:`ExpressionError`.

Grammar (precedence from loosest to tightest, as in Python)
-----------------------------------------------------------
==========================  ===================================================
``a or b``                  either condition (both sides must be conditions)
``a and b``                 both conditions
``not a``                   negation of a condition
``== != < <= > >=``         comparisons of numbers, chains allowed: ``-1 <= e < 2``
``a + b``, ``a - b``        sum, difference
``a * b``, ``a / c``        product; ``c`` must be a non-zero constant (``3/4``, ``x0/2``)
``-a``, ``+a``              unary minus / plus
``a ** k``                  power, ``k`` a constant integer ``0 <= k <= 64`` (``x0**2 = 1``)
``( ... )``                 grouping (conditions too: ``not (x0 == 1 or x1 == 1)``)
``x0, x1, ... x4095``       coordinates (written ``x`` + index, no leading zeros, no ``x_3``)
``1``, ``1.25``, ``.5``,    numeric literals (finite; no ``0x``, no ``_``)
``1e-3``
==========================  ===================================================

Functions (every value is real; ``-1`` plays *True* and ``+1`` *False*)
-----------------------------------------------------------------------
=======================  ==============================================================
``sign(e)``              ``+1`` if ``e >= 0`` else ``-1`` (so ``sign(0) = +1``)
``abs(e)``               absolute value
``parity(args)``         product of the arguments: ``parity(x0, x3) = x0*x3``
``weight(args)``         number of arguments that are negative (the ``-1`` coordinates)
``majority(args)``       ``sign(sum of the arguments)``; ties give ``+1``
``AND(args)``            ``-1`` if every argument is negative, else ``+1``
``OR(args)``             ``-1`` if some argument is negative, else ``+1``
``cyclic(k, n=N)``       :math:`\sum_{i<N} x_i x_{i+1} \cdots x_{i+k-1}`, indices mod ``N``
                         (``1 <= k <= N``); without ``n=`` it runs over all coordinates
=======================  ==============================================================

``args`` is one of: expressions (``majority(x0, x1, x2)``, ``AND(x0, -x1)``);
the letter ``x``, meaning every coordinate of the point (``weight(x)``);
or a single constant whole number ``k``, meaning ``x0, ..., x{k-1}``
(``majority(3)``, ``parity(15)``).  ``AND``/``OR`` are upper case because
``and``/``or``/``not`` are the keywords that combine conditions.

A *real* expression evaluates to float64 values; a *predicate* (top node a
comparison, ``and``, ``or`` or ``not``) to booleans.  Conditions and numbers
do not mix: ``x0 + (x1 == 1)`` and ``x0 and x1`` are errors (use ``AND(x0, x1)``
or ``x0 == -1 and x1 == -1``).  Comparisons are exact IEEE comparisons.

Limits (each breach is an :class:`ExpressionError`): text of at most
:data:`MAX_LENGTH` characters, ASCII only; coordinates below
:data:`MAX_VARIABLES`; nesting at most :data:`MAX_DEPTH` levels; exponents
at most :data:`MAX_EXPONENT`; every literal and every computed value finite.
"""

from __future__ import annotations

import functools
import math
import re
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np

from .cube import check_n, check_pm1, iter_points, points

__all__ = [
    "MAX_DEPTH",
    "MAX_EXPONENT",
    "MAX_LENGTH",
    "MAX_VARIABLES",
    "FUNCTIONS",
    "ExpressionError",
    "Expression",
    "parse",
    "evaluate",
    "check",
    # AST nodes
    "Node",
    "Number",
    "Variable",
    "Neg",
    "Add",
    "Mul",
    "Pow",
    "Call",
    "Family",
    "Cyclic",
    "Compare",
    "BoolOp",
    "Not",
]

#: Longest accepted text, in characters.
MAX_LENGTH = 100_000
#: Coordinates are ``x0 ... x{MAX_VARIABLES - 1}``.
MAX_VARIABLES = 4096
#: Deepest accepted nesting (of the parse and of the AST).
MAX_DEPTH = 100
#: Largest exponent of ``**``.
MAX_EXPONENT = 64
#: The function names, with what they do.
FUNCTIONS = {
    "AND": "-1 if every argument is negative (True), else +1",
    "OR": "-1 if some argument is negative (True), else +1",
    "abs": "absolute value",
    "cyclic": "cyclic(k, n=N) = sum_{i<N} x_i x_{i+1} ... x_{i+k-1}, indices mod N",
    "majority": "sign of the sum of the arguments (ties give +1)",
    "parity": "product of the arguments",
    "sign": "+1 if the argument is >= 0, else -1",
    "weight": "number of negative arguments (the -1 coordinates)",
}
_LIST_FUNCTIONS = ("AND", "OR", "majority", "parity", "weight")
_KEYWORDS = ("and", "or", "not")

# polynomial(): expansion budget (pairs of terms multiplied, roughly) and the largest
# sub-cube on which a non-polynomial node (sign, majority, ...) is tabulated.
_POLY_BUDGET = 1_000_000
_POLY_TABLE_MAX_VARS = 16


# --------------------------------------------------------------------------- errors


class ExpressionError(ValueError):
    """A malformed, unsafe or out-of-range expression.

    The message names the problem and, when the text is known, shows it with a
    caret under ``position`` (a 0-based character offset, or ``None``).

    Attributes
    ----------
    reason : str
        The message without the caret display.
    position : int or None
        Offset into ``text`` where the problem was found.
    text : str or None
        The expression text.
    """

    def __init__(self, reason: str, text: str | None = None, position: int | None = None):
        self.reason = reason
        self.text = text
        self.position = position
        super().__init__(_format_error(reason, text, position))


def _format_error(reason: str, text: str | None, position: int | None) -> str:
    if text is None or position is None:
        return reason
    # a window of the text around the position, control characters made visible
    lo = max(0, position - 40)
    hi = min(len(text), position + 40)
    shown = "".join(c if " " <= c <= "~" else " " if c in "\t\r\n" else "?" for c in text[lo:hi])
    prefix = "..." if lo > 0 else ""
    suffix = "..." if hi < len(text) else ""
    caret = " " * (len(prefix) + position - lo) + "^"
    return f"{reason} (at position {position})\n    {prefix}{shown}{suffix}\n    {caret}"


# --------------------------------------------------------------------------- AST

_OPS_CMP = {
    "==": np.equal,
    "!=": np.not_equal,
    "<": np.less,
    "<=": np.less_equal,
    ">": np.greater,
    ">=": np.greater_equal,
}

# binding powers (Python's order); also used by the unparser
_BP_OR, _BP_AND, _BP_NOT, _BP_CMP, _BP_ADD, _BP_MUL, _BP_UNARY, _BP_POW, _BP_ATOM = range(1, 10)


def _meta(**kw):
    return field(compare=False, repr=False, **kw)


@dataclass(frozen=True)
class Node:
    """Base of the AST nodes.

    Every node carries, besides its data, ``pos`` (offset of its leading token in
    the text, not compared) and derived facts: ``kind`` (``"real"`` or
    ``"predicate"``), ``mask`` (bitmask of the coordinates it names explicitly),
    ``every`` (whether it depends on every coordinate: ``weight(x)``,
    ``cyclic(k)``), ``min_n``, ``height`` and ``size``.
    """

    pos: int = _meta(default=0, kw_only=True)
    kind: str = _meta(init=False, default="real")
    mask: int = _meta(init=False, default=0)
    every: bool = _meta(init=False, default=False)
    min_n: int = _meta(init=False, default=0)
    height: int = _meta(init=False, default=1)
    size: int = _meta(init=False, default=1)

    def children(self) -> tuple:
        return ()

    def __post_init__(self):
        kids = self.children()
        mask, every, min_n, height, size = self._own()
        for c in kids:
            mask |= c.mask
            every = every or c.every
            min_n = max(min_n, c.min_n)
            height = max(height, c.height + 1)
            size += c.size
        object.__setattr__(self, "kind", self._kind())
        object.__setattr__(self, "mask", mask)
        object.__setattr__(self, "every", every)
        object.__setattr__(self, "min_n", max(min_n, mask.bit_length()))
        object.__setattr__(self, "height", height)
        object.__setattr__(self, "size", size)

    def _own(self):
        return 0, False, 0, 1, 1

    def _kind(self) -> str:
        return "real"

    @property
    def is_constant(self) -> bool:
        """True when the node touches no coordinate."""
        return self.mask == 0 and not self.every and self.min_n == 0


@dataclass(frozen=True)
class Number(Node):
    """A finite numeric literal."""

    value: float

    def _eval(self, env):
        return np.float64(self.value)

    def _poly(self, ctx):
        return {0: float(self.value)} if self.value != 0 else {}

    def _text(self):
        v = float(self.value)
        if v.is_integer() and abs(v) < 1e16:
            s = str(int(v))
        else:
            s = repr(v)
        return (f"({s})" if v < 0 or s.startswith("-") else s), _BP_ATOM


@dataclass(frozen=True)
class Variable(Node):
    """The coordinate ``x{index}``."""

    index: int

    def _own(self):
        return 1 << self.index, False, 0, 1, 1

    def _eval(self, env):
        return env.col(self.index)

    def _poly(self, ctx):
        return {1 << self.index: 1.0}

    def _text(self):
        return f"x{self.index}", _BP_ATOM


@dataclass(frozen=True)
class Neg(Node):
    """``-operand``."""

    operand: Node

    def children(self):
        return (self.operand,)

    def _eval(self, env):
        return -self.operand._eval(env)

    def _poly(self, ctx):
        return {m: -c for m, c in self.operand._poly(ctx).items()}

    def _text(self):
        return "-" + _wrap(self.operand, _BP_UNARY), _BP_UNARY


@dataclass(frozen=True)
class Add(Node):
    """``terms[0] ± terms[1] ± ...``, left to right; ``negate[i]`` marks a ``-``."""

    terms: tuple
    negate: tuple

    def children(self):
        return self.terms

    def _eval(self, env):
        acc = self.terms[0]._eval(env)
        for t, neg in zip(self.terms[1:], self.negate[1:]):
            v = t._eval(env)
            acc = acc - v if neg else acc + v
        return acc

    def _poly(self, ctx):
        out: dict = {}
        for t, neg in zip(self.terms, self.negate):
            p = t._poly(ctx)
            ctx.spend(len(p))
            for m, c in p.items():
                out[m] = out.get(m, 0.0) + (-c if neg else c)
        return {m: c for m, c in out.items() if c != 0.0}

    def _text(self):
        parts = [_wrap(self.terms[0], _BP_ADD + 1)]  # (a + b) + c stays as written
        for t, neg in zip(self.terms[1:], self.negate[1:]):
            parts.append(("- " if neg else "+ ") + _wrap(t, _BP_MUL))
        return " ".join(parts), _BP_ADD


@dataclass(frozen=True)
class Mul(Node):
    """``factors[0] */ factors[1] */ ...``, left to right; ``divide[i]`` marks ``/``
    (divisors are non-zero constants)."""

    factors: tuple
    divide: tuple

    def children(self):
        return self.factors

    def _eval(self, env):
        acc = self.factors[0]._eval(env)
        for f, div in zip(self.factors[1:], self.divide[1:]):
            v = f._eval(env)
            acc = acc / v if div else acc * v
        return acc

    def _poly(self, ctx):
        acc = self.factors[0]._poly(ctx)
        for f, div in zip(self.factors[1:], self.divide[1:]):
            p = f._poly(ctx)
            if div:
                d = p.get(0, 0.0)  # a constant: checked when parsed
                ctx.spend(len(acc))
                acc = {m: c / d for m, c in acc.items()}
            else:
                acc = _poly_mul(acc, p, ctx)
        return acc

    def _text(self):
        parts = [_wrap(self.factors[0], _BP_MUL + 1)]
        for f, div in zip(self.factors[1:], self.divide[1:]):
            parts.append(("/" if div else "*") + _wrap(f, _BP_UNARY))
        return "".join(parts), _BP_MUL


@dataclass(frozen=True)
class Pow(Node):
    """``base ** exponent`` with a constant integer ``0 <= exponent <= MAX_EXPONENT``."""

    base: Node
    exponent: int

    def children(self):
        return (self.base,)

    def _eval(self, env):
        return self.base._eval(env) ** self.exponent

    def _poly(self, ctx):
        result: dict = {0: 1.0}
        base = self.base._poly(ctx)
        e = self.exponent
        while e:
            if e & 1:
                result = _poly_mul(result, base, ctx)
            e >>= 1
            if e:
                base = _poly_mul(base, base, ctx)
        return result

    def _text(self):
        return f"{_wrap(self.base, _BP_ATOM)}**{self.exponent}", _BP_POW


def _sign(v):
    return np.where(v < 0, -1.0, 1.0)


@dataclass(frozen=True)
class Call(Node):
    """``name(args...)`` with explicit argument expressions (``sign``, ``abs`` and the
    list functions ``AND``, ``OR``, ``majority``, ``parity``, ``weight``)."""

    name: str
    args: tuple

    def children(self):
        return self.args

    def _eval(self, env):
        vals = [_finite(a._eval(env), a, env) for a in self.args]
        name = self.name
        if name == "sign":
            return _sign(vals[0])
        if name == "abs":
            return np.abs(vals[0])
        if name == "parity":
            return functools.reduce(np.multiply, vals)
        if name == "majority":
            return _sign(functools.reduce(np.add, vals))
        negs = [np.less(v, 0) for v in vals]
        if name == "weight":
            return functools.reduce(np.add, [n.astype(np.float64) for n in negs])
        if name == "AND":
            return np.where(functools.reduce(np.logical_and, negs), -1.0, 1.0)
        if name == "OR":
            return np.where(functools.reduce(np.logical_or, negs), -1.0, 1.0)
        raise AssertionError(name)  # pragma: no cover - the parser admits only the above

    def _poly(self, ctx):
        if self.name == "parity":
            acc: dict = {0: 1.0}
            for a in self.args:
                acc = _poly_mul(acc, a._poly(ctx), ctx)
            return acc
        if self.name == "weight":
            ps = [a._poly(ctx) for a in self.args]
            if all(len(p) == 1 and abs(next(iter(p.values()))) == 1.0 for p in ps):
                out: dict = {0: 0.0}
                for p in ps:  # on a ±1 value a, [a < 0] = (1 - a) / 2
                    ((m, c),) = p.items()
                    out[0] += 0.5
                    out[m] = out.get(m, 0.0) - 0.5 * c
                return {m: c for m, c in out.items() if c != 0.0}
        return _poly_by_table(self, ctx)

    def _text(self):
        return f"{self.name}({', '.join(_wrap(a, 0) for a in self.args)})", _BP_ATOM


@dataclass(frozen=True)
class Family(Node):
    """A list function over the first ``count`` coordinates (``majority(3)``), or over
    every coordinate when ``count`` is ``None`` (``weight(x)``)."""

    name: str
    count: int | None

    def _own(self):
        if self.count is None:
            return 0, True, 0, 1, 1
        return (1 << self.count) - 1, False, self.count, 1, 1

    def _eval(self, env):
        block = env.first(self.count)  # (..., k) of ±1
        k = block.shape[-1]
        w = np.count_nonzero(block < 0, axis=-1)  # number of -1 coordinates
        name = self.name
        if name == "weight":
            return w.astype(np.float64)
        if name == "parity":
            return np.where(w % 2 == 1, -1.0, 1.0)
        if name == "majority":  # sum = k - 2w
            return np.where(2 * w > k, -1.0, 1.0)
        if name == "AND":
            return np.where(w == k, -1.0, 1.0)
        if name == "OR":
            return np.where(w > 0, -1.0, 1.0)
        raise AssertionError(name)  # pragma: no cover

    def _poly(self, ctx):
        k = ctx.n if self.count is None else self.count
        if self.name == "parity":
            return {(1 << k) - 1: 1.0}
        if self.name == "weight":
            out = {1 << i: -0.5 for i in range(k)}
            if k:
                out[0] = k / 2
            ctx.spend(k)
            return out
        return _poly_by_table(self, ctx)

    def _text(self):
        return f"{self.name}({'x' if self.count is None else self.count})", _BP_ATOM


@dataclass(frozen=True)
class Cyclic(Node):
    r"""``cyclic(k, n=N)`` = :math:`\sum_{i<N} \prod_{j<k} x_{(i+j) \bmod N}`; ``n=None``
    takes ``N`` from the points (every coordinate)."""

    k: int
    n: int | None

    def _own(self):
        if self.n is None:
            return 0, True, self.k, 1, 1
        return (1 << self.n) - 1, False, self.n, 1, 1

    def _eval(self, env):
        block = env.first(self.n)
        n, k = block.shape[-1], self.k
        neg = (block < 0).astype(np.int32)
        ext = np.concatenate([neg, neg[..., : k - 1]], axis=-1)
        csum = np.concatenate([np.zeros(neg.shape[:-1] + (1,), np.int32), np.cumsum(ext, -1)], -1)
        window = csum[..., k : k + n] - csum[..., :n]  # -1s in each window of k
        return (n - 2 * np.count_nonzero(window % 2, axis=-1)).astype(np.float64)

    def _poly(self, ctx):
        n, k = (ctx.n if self.n is None else self.n), self.k
        ctx.spend(n * (1 + n // 64))  # n rotations of an n-bit mask
        m = (1 << k) - 1
        full = (1 << n) - 1
        out: dict = {}
        for i in range(n):  # window i = {i, ..., i+k-1} mod n
            out[m] = out.get(m, 0.0) + 1.0
            m = ((m << 1) | (m >> (n - 1))) & full  # rotate by one
        return out

    def _text(self):
        return (
            f"cyclic({self.k})" if self.n is None else f"cyclic({self.k}, n={self.n})"
        ), _BP_ATOM


@dataclass(frozen=True)
class Compare(Node):
    """``operands[0] ops[0] operands[1] ops[1] ...`` (a chain means *and*)."""

    ops: tuple
    operands: tuple

    def children(self):
        return self.operands

    def _kind(self):
        return "predicate"

    def _eval(self, env):
        vals = [_finite(o._eval(env), o, env) for o in self.operands]
        out = None
        for op, a, b in zip(self.ops, vals, vals[1:]):
            r = _OPS_CMP[op](a, b)
            out = r if out is None else np.logical_and(out, r)
        return out

    def _text(self):
        parts = [_wrap(self.operands[0], _BP_ADD)]
        for op, o in zip(self.ops, self.operands[1:]):
            parts.append(f"{op} {_wrap(o, _BP_ADD)}")
        return " ".join(parts), _BP_CMP


@dataclass(frozen=True)
class BoolOp(Node):
    """``operands[0] op operands[1] op ...`` with ``op`` ``"and"`` or ``"or"``."""

    op: str
    operands: tuple

    def children(self):
        return self.operands

    def _kind(self):
        return "predicate"

    def _eval(self, env):
        f = np.logical_and if self.op == "and" else np.logical_or
        return functools.reduce(f, [o._eval(env) for o in self.operands])

    def _text(self):
        bp = _BP_AND if self.op == "and" else _BP_OR
        return f" {self.op} ".join(_wrap(o, bp + 1) for o in self.operands), bp


@dataclass(frozen=True)
class Not(Node):
    """``not operand``."""

    operand: Node

    def children(self):
        return (self.operand,)

    def _kind(self):
        return "predicate"

    def _eval(self, env):
        return np.logical_not(self.operand._eval(env))

    def _text(self):
        return "not " + _wrap(self.operand, _BP_NOT), _BP_NOT


def _wrap(node: Node, need: int) -> str:
    """Text of ``node``, parenthesised when it binds looser than ``need``."""
    s, bp = node._text()
    return f"({s})" if bp < need else s


def _finite(v, node, env):
    if not np.all(np.isfinite(v)):
        raise ExpressionError(
            "this value is not finite (overflow); scale the coefficients down", env.text, node.pos
        )
    return v


# --------------------------------------------------------------------------- evaluation


class _Env:
    """What nodes read while evaluating: the ±1 points ``x`` (shape ``(..., n)``) and
    float64 columns; ``where`` maps a coordinate to its column (sub-cube tables)."""

    def __init__(self, x, text, where=None):
        self.x = x
        self.text = text
        self.where = where
        self._cols: dict = {}

    def col(self, k):
        c = self._cols.get(k)
        if c is None:
            j = k if self.where is None else self.where[k]
            c = self._cols[k] = self.x[..., j].astype(np.float64)
        return c

    def first(self, k):
        # the first k coordinates; where they are mapped, they map to columns 0..k-1
        return self.x if k is None else self.x[..., :k]


def _as_points(X) -> np.ndarray:
    x = np.asarray(X)
    if x.dtype == bool or x.dtype.kind not in "iuf":
        raise TypeError(
            f"points must be an array of ±1 numbers, got dtype {x.dtype}"
            + ("; for 0/1 bits b use 1 - 2*b" if x.dtype == bool else "")
        )
    if x.ndim == 0:
        raise ValueError("points need at least one axis: shape (n,) or (m, n)")
    check_pm1(x)
    return x


# --------------------------------------------------------------------------- polynomials


class _TooBig(Exception):
    pass


class _PolyContext:
    def __init__(self, n, text):
        self.n = n
        self.text = text
        self.left = _POLY_BUDGET
        self.tables: dict = {}  # node -> polynomial, for repeated sub-expressions

    def spend(self, amount):
        self.left -= amount
        if self.left < 0:
            raise _TooBig


def _poly_mul(a: dict, b: dict, ctx) -> dict:
    """Product of multilinear polynomials, using x_i**2 = 1 (masks multiply by XOR)."""
    ctx.spend(len(a) * len(b))
    out: dict = {}
    for ma, ca in a.items():
        for mb, cb in b.items():
            m = ma ^ mb
            out[m] = out.get(m, 0.0) + ca * cb
    return {m: c for m, c in out.items() if c != 0.0}


def _poly_by_table(node: Node, ctx) -> dict:
    """Coefficients of a non-polynomial node (sign, majority, ...) from its table on the
    sub-cube of the coordinates it touches (at most ``_POLY_TABLE_MAX_VARS``)."""
    if node in ctx.tables:
        return ctx.tables[node]
    if node.every:
        coords = list(range(ctx.n))
    else:
        coords = [k for k in range(node.mask.bit_length()) if node.mask >> k & 1]
    d = len(coords)
    if d > _POLY_TABLE_MAX_VARS:
        raise _TooBig
    ctx.spend((node.size << d) // 32 + (1 << d) + 1)  # numpy evaluation, then the terms
    pts = points(d)
    env = _Env(pts, ctx.text, where={k: j for j, k in enumerate(coords)})
    with np.errstate(all="ignore"):
        vals = np.broadcast_to(np.asarray(node._eval(env), dtype=np.float64), (1 << d,))
    _finite(vals, node, env)
    from .transform import fwht  # the one transform; imported here to keep parsing light

    coef = fwht(np.array(vals), norm="forward")
    tol = 1e-13 * max(1.0, float(np.max(np.abs(vals))))
    local = np.flatnonzero(np.abs(coef) > tol)  # masks over the sub-cube's coordinates
    values = coef[local].tolist()
    if coords == list(range(d)):
        masks = local.tolist()
    elif coords[-1] < 63:
        bits = (local[:, None] >> np.arange(d)) & 1
        masks = (bits << np.array(coords, dtype=np.int64)).sum(axis=1).tolist()
    else:
        ctx.spend(local.size * d)
        masks = [sum(1 << coords[j] for j in range(d) if s >> j & 1) for s in local.tolist()]
    out = dict(zip(masks, values))
    ctx.tables[node] = out
    return out


# --------------------------------------------------------------------------- Expression


@dataclass(frozen=True)
class Expression:
    """A parsed expression: immutable, reusable, cheap to evaluate many times.

    Build it with :func:`parse`.  Two expressions are equal when their ASTs are
    (spacing and redundant parentheses do not matter).

    Attributes
    ----------
    text : str
        The text it was parsed from (not compared).
    root : Node
        The AST.

    Examples
    --------
    >>> e = parse("x0*x1 - 1")
    >>> e.kind, sorted(e.variables), e.min_n
    ('real', [0, 1], 2)
    >>> e.evaluate(points(2))
    array([ 0., -2., -2.,  0.])
    >>> parse("weight(x) <= 1").evaluate(points(2))
    array([ True,  True,  True, False])
    """

    text: str = field(compare=False, repr=False)
    root: Node

    @property
    def kind(self) -> str:
        """``"predicate"`` if the top node is a comparison, ``and``, ``or`` or ``not``,
        else ``"real"``."""
        return self.root.kind

    @property
    def variables(self) -> frozenset | None:
        """The coordinates the expression uses, or ``None`` when it depends on every
        coordinate of the point (``weight(x)``, ``majority(x)``, ``cyclic(k)``
        without ``n=``), whatever ``n`` is.  ``majority(3)`` uses ``{0, 1, 2}``,
        ``cyclic(3, n=15)`` uses ``{0, ..., 14}``."""
        if self.root.every:
            return None
        m = self.root.mask
        return frozenset(k for k in range(m.bit_length()) if m >> k & 1)

    @property
    def min_n(self) -> int:
        """The smallest number of coordinates the expression makes sense for
        (``1 + `` its largest coordinate; ``k`` for ``cyclic(k)``)."""
        return self.root.min_n

    def __str__(self) -> str:
        """Canonical text (minimal parentheses) that parses back to the same AST."""
        return _wrap(self.root, 0)

    def __repr__(self) -> str:
        return f"parse({str(self)!r})"

    def _check_n(self, n: int) -> None:
        if self.root.min_n > n:
            node = self.root
            while True:  # descend to the node that asks for too many coordinates
                kids = [c for c in node.children() if c.min_n > n]
                if not kids:
                    break
                node = kids[0]
            need = node.min_n
            raise ExpressionError(
                f"this needs n >= {need} (x0..x{need - 1}), but n = {n}",
                self.text,
                node.pos,
            )

    def evaluate(self, X) -> np.ndarray:
        """Values at the points ``X``, vectorised over the rows.

        Parameters
        ----------
        X : array_like, shape (..., n)
            Points with entries ±1 (any integer or float dtype), e.g. ``points(n)``.

        Returns
        -------
        numpy.ndarray, shape X.shape[:-1]
            float64 for a real expression, bool for a predicate.

        Raises
        ------
        ExpressionError
            When the expression uses a coordinate ``>= n`` or a value overflows.
        ValueError, TypeError
            When ``X`` is not an array of ±1.

        Examples
        --------
        >>> parse("majority(3)").evaluate([[1, 1, -1], [-1, 1, -1]])
        array([ 1., -1.])
        """
        x = _as_points(X)
        self._check_n(x.shape[-1])
        env = _Env(x, self.text)
        with np.errstate(all="ignore"):
            r = self.root._eval(env)
        shape = x.shape[:-1]
        if self.kind == "predicate":
            dtype = np.bool_
        else:
            dtype = np.float64
            _finite(r, self.root, env)
        if isinstance(r, np.ndarray) and r.shape == shape and r.dtype == dtype:
            return r
        out = np.empty(shape, dtype=dtype)
        out[...] = r
        return out

    def values(self, n: int, chunk: int = 1 << 16) -> np.ndarray:
        """Values on the whole cube in index order (``evaluate(points(n))``), computed
        in chunks of ``chunk`` points so the ``(2**n, n)`` point array is never built.

        Returns
        -------
        numpy.ndarray, shape (2**n,)
            float64, or bool for a predicate.

        Examples
        --------
        >>> parse("x0 == -1 and x1 == -1").values(2)
        array([False, False, False,  True])
        """
        n = check_n(n)
        self._check_n(n)
        out = np.empty(1 << n, dtype=np.bool_ if self.kind == "predicate" else np.float64)
        for start, block in iter_points(n, chunk=chunk):
            out[start : start + block.shape[0]] = self.evaluate(block)
        return out

    def polynomial(self, n: int | None = None) -> dict | None:
        """The multilinear polynomial ``{bitmask S: coefficient}`` equal to the expression
        on the cube, or ``None``.

        Arithmetic, ``parity``, ``weight`` (of ±1 monomials) and ``cyclic`` are
        expanded exactly, using :math:`x_i^2 = 1`; other functions (``sign``,
        ``majority``, ``AND``, ...) are tabulated on the sub-cube of the
        coordinates they touch when there are at most 16 of them (coefficients at
        rounding level are dropped).  Terms whose coefficient is exactly 0 are
        left out, so the zero function gives ``{}``.

        Parameters
        ----------
        n : int, optional
            Number of coordinates; needed only when the expression depends on every
            coordinate (``weight(x)``, ``cyclic(k)``).

        Returns
        -------
        dict or None
            Sorted by mask.  ``None`` for a predicate, or when no compact form can
            be had (a non-polynomial function of more than 16 coordinates, or an
            expansion beyond about a million term products).

        Examples
        --------
        >>> parse("x0*x1 - 1").polynomial()
        {0: -1.0, 3: 1.0}
        >>> parse("(x0 + x1)**2").polynomial()
        {0: 2.0, 3: 2.0}
        >>> parse("majority(3)").polynomial()
        {1: 0.5, 2: 0.5, 4: 0.5, 7: -0.5}
        """
        if self.kind != "real":
            return None
        if n is None:
            if self.root.every:
                raise ExpressionError(
                    "this depends on every coordinate of the point; pass n",
                    self.text,
                    self.root.pos,
                )
        else:
            n = check_n(n, dense=False)
            self._check_n(n)
        ctx = _PolyContext(n, self.text)
        try:
            p = self.root._poly(ctx)
        except _TooBig:
            return None
        if not all(math.isfinite(c) for c in p.values()):
            raise ExpressionError(
                "a coefficient is not finite (overflow)", self.text, self.root.pos
            )
        return {m: float(p[m]) for m in sorted(p) if p[m] != 0.0}


# --------------------------------------------------------------------------- tokenizer

_TOKEN = re.compile(
    r"""
    (?P<ws>[ \t\r\n]+)
  | (?P<num>(?:\d+\.\d*|\.\d+|\d+)(?:[eE][+-]?\d+)?)
  | (?P<name>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<op>\*\*|==|!=|<=|>=|[-+*/<>(),=])
    """,
    re.VERBOSE,
)
_VAR = re.compile(r"x(0|[1-9][0-9]*)")
_CHAR_HINTS = {
    ".": "'.' is not allowed here: there is no attribute access (numbers are written 0.5 or .5)",
    "[": "subscripts are not supported",
    "]": "subscripts are not supported",
    "'": "strings are not supported",
    '"': "strings are not supported",
    "&": "'&' is not supported; use 'and' between conditions or AND(...) on ±1 values",
    "|": "'|' is not supported; use 'or' between conditions or OR(...) on ±1 values",
    "~": "'~' is not supported; use 'not' before a condition",
    "!": "'!' is not supported; use 'not' before a condition, or != to compare",
    "^": "'^' is not supported; use ** for powers or parity(...) for products of ±1 values",
    "%": "'%' is not supported",
    "@": "'@' is not supported",
    ":": "':' is not supported (no lambdas, slices or dicts)",
    ";": "';' is not supported: one expression only",
}


class _Tok(NamedTuple):
    type: str  # "num", "name", "op", "end", or "bad" (then text is the error message)
    text: str
    pos: int


def _tokenize(text: str) -> list:
    """All tokens; a character or number that cannot be read becomes a "bad" token
    (and ends the list), raised when the parser reaches it, so errors come in text order."""
    toks = []
    pos, end = 0, len(text)
    match = _TOKEN.match
    while pos < end:
        m = match(text, pos)
        if m is None:
            ch = text[pos]
            toks.append(_Tok("bad", _CHAR_HINTS.get(ch, f"unexpected character {ch!r}"), pos))
            return toks
        kind = m.lastgroup
        if kind == "num":
            after = m.end()
            if after < end and (text[after].isalnum() or text[after] in "._"):
                nxt = re.match(r"[A-Za-z_][A-Za-z0-9_]*", text[after : after + 20])
                hint = f"; write {m.group()}*{nxt.group()}" if nxt and text[after] != "e" else ""
                toks.append(_Tok("bad", f"malformed number {text[pos:after + 1]!r}{hint}", pos))
                return toks
        if kind != "ws":
            toks.append(_Tok(kind, m.group(), pos))
        pos = m.end()
    toks.append(_Tok("end", "", end))
    return toks


# --------------------------------------------------------------------------- parser

_INFIX_BP = {
    "or": _BP_OR,
    "and": _BP_AND,
    **{op: _BP_CMP for op in _OPS_CMP},
    "+": _BP_ADD,
    "-": _BP_ADD,
    "*": _BP_MUL,
    "/": _BP_MUL,
    "**": _BP_POW,
}
_EVERY = object()  # the bare `x` argument


def _describe(tok: _Tok) -> str:
    if tok.type == "end":
        return "the end of the text"
    if tok.type == "num":
        return f"number {tok.text!r}"
    if tok.type == "name":
        return f"{'keyword' if tok.text in _KEYWORDS else 'name'} {tok.text!r}"
    return repr(tok.text)


def _known_names() -> str:
    return (
        "known names: "
        + ", ".join(sorted(FUNCTIONS))
        + f", the coordinates x0 ... x{MAX_VARIABLES - 1}, "
        "x (every coordinate, inside weight/majority/parity/AND/OR), and the keywords and, or, not"
    )


class _Parser:
    def __init__(self, text: str):
        self.text = text
        self.toks = _tokenize(text)
        self.i = 0

    # -- helpers
    def error(self, reason, pos):
        return ExpressionError(reason, self.text, pos)

    def peek(self) -> _Tok:
        t = self.toks[self.i]
        if t.type == "bad":
            raise self.error(t.text, t.pos)
        return t

    def next(self) -> _Tok:
        t = self.peek()
        if t.type != "end":
            self.i += 1
        return t

    def after(self) -> str:
        """Text of the token after the next one (lookahead; "" at the end)."""
        return self.toks[self.i + 1].text if self.i + 1 < len(self.toks) else ""

    def expect(self, op: str, context: str) -> _Tok:
        t = self.next()
        if t.type != "op" or t.text != op:
            raise self.error(f"expected {op!r} {context}, got {_describe(t)}", t.pos)
        return t

    def make(self, cls, *args, pos):
        node = cls(*args, pos=pos)
        if node.height > MAX_DEPTH:
            raise self.error(f"expression nested too deeply (more than {MAX_DEPTH} levels)", pos)
        return node

    def real(self, node: Node, where: str) -> Node:
        if node.kind != "real":
            raise self.error(
                f"{where} needs a number, but this is a condition (true/false); "
                "use ±1 functions such as AND(...), OR(...), sign(...) for arithmetic",
                node.pos,
            )
        return node

    def cond(self, node: Node, where: str) -> Node:
        if node.kind != "predicate":
            raise self.error(
                f"{where} needs a condition, but this is a number; compare it, e.g. "
                "'x0 == -1', or use AND(...)/OR(...) for the ±1 functions",
                node.pos,
            )
        return node

    def constant(self, node: Node, what: str) -> float:
        if not node.is_constant:
            raise self.error(f"{what} must be a constant number", node.pos)
        with np.errstate(all="ignore"):
            v = float(node._eval(_Env(np.ones(0), self.text)))
        if not math.isfinite(v):
            raise self.error(f"{what} is not finite", node.pos)
        return v

    def whole(self, node: Node, what: str, lo: int, hi: int) -> int:
        v = self.constant(node, what)
        if not (v.is_integer() and lo <= v <= hi):
            raise self.error(
                f"{what} must be a whole number from {lo} to {hi}, got {v:g}", node.pos
            )
        return int(v)

    # -- grammar
    def parse(self) -> Node:
        if self.peek().type == "end":
            raise self.error("empty expression", 0)
        node = self.expr(0, 1)
        t = self.peek()
        if t.type != "end":
            if t.text == ")":
                hint = "unbalanced parentheses?"
            elif t.type in ("num", "name") or t.text == "(":
                hint = "missing an operator?"
            else:
                hint = "a stray symbol?"
            raise self.error(
                f"unexpected {_describe(t)} after a complete expression ({hint})", t.pos
            )
        return node

    def expr(self, min_bp: int, depth: int) -> Node:
        """Parse operators binding at least as tightly as ``min_bp``."""
        if depth > MAX_DEPTH:
            raise self.error(
                f"expression nested too deeply (more than {MAX_DEPTH} levels)", self.peek().pos
            )
        t = self.next()
        # ---- prefix
        if t.type == "op" and t.text in "+-":
            operand = self.real(self.expr(_BP_UNARY, depth + 1), f"unary {t.text!r}")
            left = operand if t.text == "+" else self.make(Neg, operand, pos=t.pos)
        elif t.type == "name" and t.text == "not":
            if min_bp > _BP_NOT:
                raise self.error("'not' must be parenthesised here: (not ...)", t.pos)
            operand = self.cond(self.expr(_BP_NOT, depth + 1), "'not'")
            left = self.make(Not, operand, pos=t.pos)
        elif t.type == "op" and t.text == "(":
            left = self.expr(0, depth + 1)
            self.expect(")", f"to close the '(' at position {t.pos}")
        elif t.type == "num":
            v = float(t.text)
            if not math.isfinite(v):
                raise self.error(f"number {t.text[:20]!r} is too large (not finite)", t.pos)
            left = Number(v, pos=t.pos)
        elif t.type == "name":
            left = self.name(t, depth)
        else:
            if t.type == "end":
                reason = "expected an expression, got the end of the text"
            elif t.type == "name" or t.text in _INFIX_BP:
                reason = f"{_describe(t)} needs an expression before it"
            elif t.text == "=":
                reason = "'=' is not a comparison; use =="
            else:
                reason = f"expected an expression, got {_describe(t)}"
            raise self.error(reason, t.pos)

        # ---- infix
        while True:
            t = self.peek()
            if t.type == "op" and t.text == "=":
                raise self.error("'=' is not a comparison; use ==", t.pos)
            bp = _INFIX_BP.get(t.text) if t.type in ("op", "name") else None
            if bp is None or bp < min_bp:
                return left
            if t.text == "**":
                self.next()
                self.real(left, "'**'")
                e = self.expr(_BP_UNARY, depth + 1)
                k = self.whole(self.real(e, "'**'"), "the exponent", 0, MAX_EXPONENT)
                left = self.make(Pow, left, k, pos=left.pos)
            elif bp in (_BP_ADD, _BP_MUL):
                ops = ("+", "-") if bp == _BP_ADD else ("*", "/")
                items, flags = [self.real(left, repr(t.text))], [False]
                while self.peek().type == "op" and self.peek().text in ops:
                    op = self.next()
                    item = self.real(self.expr(bp + 1, depth + 1), repr(op.text))
                    if op.text == "/":
                        if not item.is_constant:
                            raise self.error(
                                "division by an expression that depends on x; only division "
                                "by a constant is supported (3/4, x0/2)",
                                item.pos,
                            )
                        if self.constant(item, "the divisor") == 0:
                            raise self.error("division by zero", item.pos)
                    items.append(item)
                    flags.append(op.text in ("-", "/"))
                cls = Add if bp == _BP_ADD else Mul
                left = self.make(cls, tuple(items), tuple(flags), pos=left.pos)
            elif bp == _BP_CMP:
                ops, items = [], [self.real(left, f"comparison {t.text!r}")]
                while self.peek().type == "op" and self.peek().text in _OPS_CMP:
                    op = self.next()
                    ops.append(op.text)
                    items.append(
                        self.real(self.expr(_BP_CMP + 1, depth + 1), f"comparison {op.text!r}")
                    )
                left = self.make(Compare, tuple(ops), tuple(items), pos=left.pos)
            else:  # and / or
                word = t.text
                items = [self.cond(left, repr(word))]
                while self.peek().type == "name" and self.peek().text == word:
                    self.next()
                    items.append(self.cond(self.expr(bp + 1, depth + 1), repr(word)))
                left = self.make(BoolOp, word, tuple(items), pos=left.pos)

    def name(self, t: _Tok, depth: int) -> Node:
        word = t.text
        m = _VAR.fullmatch(word)
        if m:
            digits = m.group(1)
            if len(digits) > 4 or int(digits) >= MAX_VARIABLES:
                raise self.error(
                    f"coordinate {word[:12]}{'...' if len(word) > 12 else ''} is out of range "
                    f"(at most x{MAX_VARIABLES - 1})",
                    t.pos,
                )
            if self.peek().text == "(":
                raise self.error(
                    f"{word} is a coordinate, not a function; write {word}*(...)", self.peek().pos
                )
            return Variable(int(digits), pos=t.pos)
        if word in FUNCTIONS:
            return self.call(t, depth)
        if word in _KEYWORDS:
            hint = (
                f"; for the ±1 function write {word.upper()}(...)"
                if self.peek().text == "("
                else ""
            )
            raise self.error(f"keyword {word!r} needs a condition before it{hint}", t.pos)
        if word == "x":
            raise self.error(
                "'x' alone stands for the whole point and is allowed only as the argument of "
                "weight, majority, parity, AND or OR (weight(x)); "
                "write x0, x1, ... for coordinates",
                t.pos,
            )
        hint = ""
        if re.fullmatch(r"[xX]_?\d+", word):
            hint = f"coordinates are written x{word.lstrip('xX_').lstrip('0') or '0'}; "
        elif word.casefold() in {f.casefold() for f in FUNCTIONS}:
            hint = f"did you mean {[f for f in FUNCTIONS if f.casefold() == word.casefold()][0]}? "
        shown = word if len(word) <= 30 else word[:30] + "..."
        raise self.error(f"unknown name {shown!r}; {hint}{_known_names()}", t.pos)

    def call(self, t: _Tok, depth: int) -> Node:
        name = t.text
        self.expect("(", f"after {name!r}")
        args, kwargs = [], {}
        if self.peek().text != ")":
            while True:
                a = self.peek()
                if a.type == "name" and self.after() == "=":
                    self.i += 2
                    if a.text in kwargs:
                        raise self.error(f"keyword argument {a.text!r} given twice", a.pos)
                    kwargs[a.text] = (self.expr(0, depth + 1), a.pos)
                elif a.type == "name" and a.text == "x" and self.after() in (",", ")"):
                    self.i += 1
                    if kwargs:
                        raise self.error("positional argument after a keyword argument", a.pos)
                    args.append((_EVERY, a.pos))
                else:
                    if kwargs:
                        raise self.error("positional argument after a keyword argument", a.pos)
                    node = self.expr(0, depth + 1)
                    args.append((self.real(node, f"an argument of {name}()"), node.pos))
                sep = self.next()
                if sep.text == ")":
                    break
                if sep.text != ",":
                    raise self.error(
                        f"expected ',' or ')' in the arguments of {name}(), got {_describe(sep)}",
                        sep.pos,
                    )
        else:
            self.next()

        if name == "cyclic":
            return self.cyclic(t, args, kwargs)
        if kwargs:
            key, (_, pos) = next(iter(kwargs.items()))
            raise self.error(f"{name}() takes no keyword arguments, got {key}=", pos)
        if any(a is _EVERY for a, _ in args) and (name not in _LIST_FUNCTIONS or len(args) > 1):
            pos = next(p for a, p in args if a is _EVERY)
            raise self.error(
                "'x' (every coordinate) must be the only argument of weight, majority, "
                "parity, AND or OR",
                pos,
            )
        if name in ("sign", "abs"):
            if len(args) != 1:
                raise self.error(f"{name}() takes exactly one argument, got {len(args)}", t.pos)
            return self.make(Call, name, (args[0][0],), pos=t.pos)
        # list functions
        if not args:
            raise self.error(
                f"{name}() needs arguments: expressions, x (every coordinate) or a count k", t.pos
            )
        if len(args) == 1:
            a = args[0][0]
            if a is _EVERY:
                return Family(name, None, pos=t.pos)
            if a.is_constant:
                k = self.whole(a, f"the count k of {name}(k)", 0, MAX_VARIABLES)
                return Family(name, k, pos=t.pos)
        return self.make(Call, name, tuple(a for a, _ in args), pos=t.pos)

    def cyclic(self, t: _Tok, args, kwargs) -> Node:
        usage = "cyclic(k) or cyclic(k, n=N)"
        if any(a is _EVERY for a, _ in args):
            raise self.error(f"cyclic() takes whole numbers: {usage}", t.pos)
        for key, (_, pos) in kwargs.items():
            if key != "n":
                raise self.error(f"cyclic() has no argument {key!r}; {usage}", pos)
        if not 1 <= len(args) + len(kwargs) <= 2 or len(args) < 1:
            raise self.error(f"cyclic() takes k and optionally n: {usage}", t.pos)
        k = self.whole(args[0][0], "k of cyclic(k, n)", 1, MAX_VARIABLES)
        n_node = args[1][0] if len(args) == 2 else kwargs.get("n", (None,))[0]
        if n_node is None:
            return Cyclic(k, None, pos=t.pos)
        n = self.whole(self.real(n_node, "n of cyclic()"), "n of cyclic(k, n)", k, MAX_VARIABLES)
        return Cyclic(k, n, pos=t.pos)


# --------------------------------------------------------------------------- public functions


@functools.lru_cache(maxsize=128)
def _parse_cached(text: str) -> Expression:
    if len(text) > MAX_LENGTH:
        raise ExpressionError(f"expression too long ({len(text)} characters; at most {MAX_LENGTH})")
    if not text.isascii():
        pos = next(i for i, c in enumerate(text) if ord(c) > 127)
        raise ExpressionError(f"non-ASCII character {ascii(text[pos])} is not allowed", text, pos)
    try:
        root = _Parser(text).parse()
    except RecursionError:  # a safety net; MAX_DEPTH keeps the stack well below the limit
        raise ExpressionError(
            f"expression nested too deeply (more than {MAX_DEPTH} levels)"
        ) from None
    return Expression(text, root)


def parse(text: str) -> Expression:
    """Parse an expression (see the module docstring for the grammar).

    Parameters
    ----------
    text : str
        For example ``"x0*x1 - 1.25*x1*x2 + 1.5*x2*x0"``, ``"majority(3)"``,
        ``"cyclic(3, n=15)"`` or ``"x0 == -1 and x1 == -1"``.

    Returns
    -------
    Expression
        Immutable; results are cached, so parsing the same text twice is cheap.

    Raises
    ------
    ExpressionError
        For any malformed, unsafe or too large input; the message shows the
        position with a caret.
    TypeError
        If ``text`` is not a ``str``.

    Examples
    --------
    >>> parse("x0*x1 - 1.25*x1*x2").polynomial()
    {3: 1.0, 6: -1.25}
    >>> parse("not (x0 == 1 or x1 == 1)").kind
    'predicate'
    >>> parse("x0 +* x1")
    Traceback (most recent call last):
    ...
    boolfourier.expr.ExpressionError: '*' needs an expression before it (at position 4)
        x0 +* x1
            ^
    """
    if not isinstance(text, str):
        raise TypeError(f"an expression must be a str, got {type(text).__name__}")
    return _parse_cached(text)


def evaluate(text: str, X) -> np.ndarray:
    """``parse(text).evaluate(X)``.

    Examples
    --------
    >>> evaluate("x0*x1*x2 == -1", points(3))
    array([False,  True,  True, False,  True, False, False,  True])
    """
    return parse(text).evaluate(X)


def check(text: str, n: int, kind: str | None = None) -> Expression:
    """Parse ``text`` and check that it makes sense on :math:`\\{\\pm1\\}^n`
    (and, if given, that its ``kind`` is ``"real"`` or ``"predicate"``).

    Returns
    -------
    Expression

    Examples
    --------
    >>> check("x0 + x1", 2).min_n
    2
    >>> check("x3", 2)
    Traceback (most recent call last):
    ...
    boolfourier.expr.ExpressionError: this needs n >= 4 (x0..x3), but n = 2 (at position 0)
        x3
        ^
    """
    e = parse(text)
    n = check_n(n, dense=False)
    e._check_n(n)
    if kind is not None:
        if kind not in ("real", "predicate"):
            raise ValueError(f"kind must be 'real' or 'predicate', got {kind!r}")
        if e.kind != kind:
            want = (
                "a condition such as 'x0 == -1'"
                if kind == "predicate"
                else "a number-valued expression"
            )
            raise ExpressionError(f"expected {want}, got a {e.kind} expression", text, e.root.pos)
    return e
