"""Tests of boolfourier.expr: the safe expression parser and evaluator.

Every construct is checked against numpy written by hand on ``points(n)``;
hypothesis checks that (a) arbitrary text only ever raises ExpressionError,
(b) rendered polynomials parse back to their coefficients, and (c) random
ASTs evaluate like their direct numpy twin.
"""

from __future__ import annotations

import pathlib
import re
import time

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from boolfourier import fwht
from boolfourier.cube import points
from boolfourier.expr import (
    MAX_DEPTH,
    MAX_LENGTH,
    ExpressionError,
    Expression,
    check,
    evaluate,
    parse,
)

FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def X(n):
    """All of {±1}^n as float64, shape (2**n, n)."""
    return points(n).astype(np.float64)


def sgn(v):
    return np.where(v < 0, -1.0, 1.0)


def poly_values(poly: dict, n: int) -> np.ndarray:
    """Brute-force sum_S c_S prod_{k in S} x_k on the whole cube."""
    x = X(n)
    out = np.zeros(1 << n)
    for mask, c in poly.items():
        term = np.ones(1 << n)
        for k in range(n):
            if mask >> k & 1:
                term = term * x[:, k]
        out += c * term
    return out


def render(poly: dict, fmt=repr) -> str:
    """The printer's format (DESIGN §1): ``1.25*x1*x2``, terms by degree then coordinates,
    joined by `` + `` / `` - ``, a coefficient of 1 left out, the constant last."""
    terms = sorted(
        (
            (bin(m).count("1"), [k for k in range(m.bit_length()) if m >> k & 1], c)
            for m, c in poly.items()
            if c
        ),
        key=lambda t: (t[0] == 0, t[0], t[1]),
    )
    out = []
    for deg, ks, c in terms:
        mag = fmt(abs(c))
        mono = "*".join(f"x{k}" for k in ks)
        body = mag if deg == 0 else (mono if abs(c) == 1 else f"{mag}*{mono}")
        out.append(("- " if c < 0 else "+ ") + body if out else ("-" if c < 0 else "") + body)
    return " ".join(out) or "0"


# --------------------------------------------------------------------------- constructs

x = X(4)
x0, x1, x2, x3 = x.T
CASES = [
    # literals and arithmetic
    ("1", np.ones(16)),
    ("1.25", np.full(16, 1.25)),
    (".5", np.full(16, 0.5)),
    ("1e-3", np.full(16, 1e-3)),
    ("2.5E+2", np.full(16, 250.0)),
    ("3/4", np.full(16, 0.75)),
    ("x0", x0),
    ("x0*x1 - 1.25*x1*x2 + 1.5*x2*x0", x0 * x1 - 1.25 * x1 * x2 + 1.5 * x2 * x0),
    ("0.5*x0 + x2 - 1", 0.5 * x0 + x2 - 1),
    ("x0 - x1 - x2", x0 - x1 - x2),
    ("x0 - (x1 - x2)", x0 - (x1 - x2)),
    ("x0/2/4", x0 / 2 / 4),
    ("x0/(2*4)", x0 / 8),
    ("3*x0/4", 3 * x0 / 4),
    ("-x0", -x0),
    ("--x0", x0),
    ("+x0", x0),
    ("-x0*x1", -x0 * x1),
    ("x0*-x1", -x0 * x1),
    ("(x0 + x1)**2", (x0 + x1) ** 2),
    ("x0**2", np.ones(16)),
    ("-x0**2", -np.ones(16)),  # Python's precedence: -(x0**2)
    ("2**3**2", np.full(16, 512.0)),  # right-associative
    ("2**-0", np.ones(16)),
    ("x1**(1+2)", x1**3),
    ("(x0 + 1.5)**0", np.ones(16)),
    ("2*x0 + 3*x1*x2", 2 * x0 + 3 * x1 * x2),
    ("  x0\t+\nx1  ", x0 + x1),
    # functions
    ("sign(x0 + x1)", sgn(x0 + x1)),
    ("sign(0)", np.ones(16)),  # sign(0) = +1
    ("sign(-0.5)", -np.ones(16)),
    ("abs(x0 + x1)", np.abs(x0 + x1)),
    ("weight(x)", (x < 0).sum(1).astype(float)),
    ("weight(4)", (x < 0).sum(1).astype(float)),
    ("weight(2)", (x[:, :2] < 0).sum(1).astype(float)),
    ("weight(x1, x3)", (x1 < 0) * 1.0 + (x3 < 0)),
    ("weight(x0*x1, -x2)", (x0 * x1 < 0) * 1.0 + (-x2 < 0)),
    ("majority(x0, x1, x2)", sgn(x0 + x1 + x2)),
    ("majority(3)", sgn(x0 + x1 + x2)),
    ("majority(x0, x1)", sgn(x0 + x1)),  # a tie gives +1
    ("majority(x)", sgn(x.sum(1))),
    ("majority(2*x0, x1, x2)", sgn(2 * x0 + x1 + x2)),
    ("parity(x0, x3)", x0 * x3),
    ("parity(3)", x0 * x1 * x2),
    ("parity(x)", x.prod(1)),
    ("parity(0)", np.ones(16)),
    ("AND(x0, x1)", np.where((x0 < 0) & (x1 < 0), -1.0, 1.0)),
    ("AND(3)", np.where((x[:, :3] < 0).all(1), -1.0, 1.0)),
    ("OR(x0, x1)", np.where((x0 < 0) | (x1 < 0), -1.0, 1.0)),
    ("OR(x)", np.where((x < 0).any(1), -1.0, 1.0)),
    ("AND(x0, -x1)", np.where((x0 < 0) & (x1 > 0), -1.0, 1.0)),
    ("cyclic(2, n=3)", x0 * x1 + x1 * x2 + x2 * x0),
    ("cyclic(2, 3)", x0 * x1 + x1 * x2 + x2 * x0),
    ("cyclic(1)", x.sum(1)),
    ("cyclic(3)", x0 * x1 * x2 + x1 * x2 * x3 + x2 * x3 * x0 + x3 * x0 * x1),
    ("cyclic(4, n=4)", 4 * x.prod(1)),
    ("1 - 2*abs(sign(x0) - majority(x1, x2, x3))/2", 1 - np.abs(sgn(x0) - sgn(x1 + x2 + x3))),
]


@pytest.mark.parametrize("text,want", CASES, ids=[c[0] for c in CASES])
def test_real_constructs(text, want):
    e = parse(text)
    assert e.kind == "real"
    got = e.evaluate(points(4))
    assert got.dtype == np.float64 and got.shape == (16,)
    np.testing.assert_allclose(got, want, rtol=1e-15, atol=0)
    # int8 and float inputs agree, and values(n) is evaluate(points(n))
    np.testing.assert_array_equal(e.evaluate(X(4)), got)
    np.testing.assert_array_equal(e.values(4), got)


@pytest.mark.parametrize("text,want", CASES, ids=[c[0] for c in CASES])
def test_polynomial_matches_values(text, want):
    e = parse(text)
    p = e.polynomial(4)
    assert p is not None
    np.testing.assert_allclose(poly_values(p, 4), want, atol=1e-12)
    # and the coefficients are the Fourier coefficients
    c = fwht(np.asarray(want, dtype=np.float64), norm="forward")
    dense = np.zeros(16)
    for m, v in p.items():
        dense[m] = v
    np.testing.assert_allclose(dense, c, atol=1e-12)


def test_cyclic_gotu_f3():
    # the GOTU paper's f3 = sum_{i<15} x_i x_{i+1} x_{i+2}, indices mod 15
    xx = X(15)
    want = sum(xx[:, i] * xx[:, (i + 1) % 15] * xx[:, (i + 2) % 15] for i in range(15))
    e = parse("cyclic(3, n=15)")
    np.testing.assert_array_equal(e.evaluate(points(15)), want)
    assert e.variables == frozenset(range(15)) and e.min_n == 15
    p = e.polynomial()
    assert p == {(0b111 << i | 0b111 >> (15 - i)) & 0x7FFF: 1.0 for i in range(15)}
    # on more coordinates it still uses only x0..x14
    np.testing.assert_array_equal(e.evaluate(points(16))[: 1 << 15], want)


def test_cyclic_wraps_for_every_k():
    xx = X(6)
    for k in range(1, 7):
        want = sum(np.prod([xx[:, (i + j) % 6] for j in range(k)], axis=0) for i in range(6))
        np.testing.assert_array_equal(parse(f"cyclic({k})").evaluate(xx), want)
        np.testing.assert_allclose(poly_values(parse(f"cyclic({k})").polynomial(6), 6), want)


def test_majority_ties_and_large_counts():
    xx = X(6)
    np.testing.assert_array_equal(parse("majority(6)").evaluate(xx), sgn(xx.sum(1)))
    np.testing.assert_array_equal(parse("majority(x)").evaluate(xx), sgn(xx.sum(1)))
    w = (xx < 0).sum(1)
    np.testing.assert_array_equal(parse("majority(6)").evaluate(xx)[w == 3], 1.0)


# --------------------------------------------------------------------------- predicates

PREDICATES = [
    ("x0 == -1 and x1 == -1", lambda x: (x[:, 0] == -1) & (x[:, 1] == -1)),
    ("x0*x1*x2 == -1", lambda x: x[:, 0] * x[:, 1] * x[:, 2] == -1),
    ("weight(x) <= 6", lambda x: (x < 0).sum(1) <= 6),
    ("weight(x) > 10", lambda x: (x < 0).sum(1) > 10),
    ("not (x0 == 1 or x1 == 1)", lambda x: ~((x[:, 0] == 1) | (x[:, 1] == 1))),
    ("not x0 == 1", lambda x: x[:, 0] != 1),
    ("x0 != x1", lambda x: x[:, 0] != x[:, 1]),
    ("x0 + x1 >= 0", lambda x: x[:, 0] + x[:, 1] >= 0),
    ("x0 < x1", lambda x: x[:, 0] < x[:, 1]),
    ("-1 <= x0 + x1 + x2 < 3", lambda x: (-1 <= x[:, :3].sum(1)) & (x[:, :3].sum(1) < 3)),
    ("x0 == x1 == x2", lambda x: (x[:, 0] == x[:, 1]) & (x[:, 1] == x[:, 2])),
    (
        "x0 == 1 or x1 == 1 and x2 == 1",  # 'and' binds tighter than 'or'
        lambda x: (x[:, 0] == 1) | ((x[:, 1] == 1) & (x[:, 2] == 1)),
    ),
    (
        "(x0 == 1 or x1 == 1) and x2 == 1",
        lambda x: ((x[:, 0] == 1) | (x[:, 1] == 1)) & (x[:, 2] == 1),
    ),
    ("not not x3 == -1", lambda x: x[:, 3] == -1),
    ("AND(x0, x1) == -1", lambda x: (x[:, 0] == -1) & (x[:, 1] == -1)),
    ("majority(5) == -1 and parity(x) == 1", lambda x: (x[:, :5].sum(1) < 0) & (x.prod(1) == 1)),
    ("1 < 2", lambda x: np.ones(len(x), bool)),
    ("not 1 < 2", lambda x: np.zeros(len(x), bool)),
]


@pytest.mark.parametrize("text,want", PREDICATES, ids=[p[0] for p in PREDICATES])
def test_predicates(text, want):
    e = parse(text)
    assert e.kind == "predicate"
    xx = X(12)
    got = e.evaluate(points(12))
    assert got.dtype == np.bool_ and got.shape == (1 << 12,)
    np.testing.assert_array_equal(got, want(xx))
    assert e.polynomial() is None


# --------------------------------------------------------------------------- metadata


@pytest.mark.parametrize(
    "text,kind,variables,min_n",
    [
        ("x0*x1 - 1", "real", {0, 1}, 2),
        ("x7", "real", {7}, 8),
        ("3/4", "real", set(), 0),
        ("majority(3)", "real", {0, 1, 2}, 3),
        ("parity(x0, x5)", "real", {0, 5}, 6),
        ("cyclic(3, n=15)", "real", set(range(15)), 15),
        ("cyclic(3)", "real", None, 3),
        ("weight(x)", "real", None, 0),
        ("weight(x) + x5", "real", None, 6),
        ("x0 == -1 and x4 == -1", "predicate", {0, 4}, 5),
        ("weight(x) <= 6", "predicate", None, 0),
        ("x4095", "real", {4095}, 4096),
    ],
)
def test_metadata(text, kind, variables, min_n):
    e = parse(text)
    assert e.kind == kind
    assert e.variables == (None if variables is None else frozenset(variables))
    assert e.min_n == min_n


def test_expression_is_immutable_and_compares_by_ast():
    e = parse("x0*x1 - 1")
    assert isinstance(e, Expression)
    assert e == parse("(x0 * x1) - (1)") and hash(e) == hash(parse("x0*x1-1"))
    assert e != parse("x1*x0 - 1")
    with pytest.raises(AttributeError):
        e.root = None
    with pytest.raises(AttributeError):
        e.root.factors = ()
    assert parse("x0*x1 - 1") is e  # cached
    assert str(e) == "x0*x1 - 1" and repr(e) == "parse('x0*x1 - 1')"


@pytest.mark.parametrize(
    "text,canonical",
    [
        ("(x0*x1)-(1)", "x0*x1 - 1"),
        ("x0 - (x1 - x2)", "x0 - (x1 - x2)"),
        ("-(x0*x1)", "-(x0*x1)"),
        ("(-x0)**2", "(-x0)**2"),
        ("x0*(x1/2)", "x0*(x1/2)"),
        ("not (x0 == 1 or x1 == 1)", "not (x0 == 1 or x1 == 1)"),
        ("(x0 == 1) and (x1 == 1)", "x0 == 1 and x1 == 1"),
        ("majority( 3 )", "majority(3)"),
        ("weight( x )<=6", "weight(x) <= 6"),
        ("cyclic(3,15)", "cyclic(3, n=15)"),
        ("1e-05*x0 + 1e20", "1e-05*x0 + 1e+20"),
        ("(x0*x1)*x2", "(x0*x1)*x2"),
        ("x0 - -x1", "x0 - -x1"),
        ("(x0 == 1 and x1 == 1) and x2 == 1", "(x0 == 1 and x1 == 1) and x2 == 1"),
    ],
)
def test_str_is_canonical_and_reparses(text, canonical):
    e = parse(text)
    assert str(e) == canonical
    assert parse(str(e)) == e


# --------------------------------------------------------------------------- polynomial()


def test_polynomial_examples():
    assert parse("x0*x1 - 1").polynomial() == {0b11: 1.0, 0: -1.0}
    assert parse("x0*x1 - 1.25*x1*x2 + 1.5*x2*x0").polynomial() == {
        0b011: 1.0,
        0b110: -1.25,
        0b101: 1.5,
    }
    assert parse("x0*x0").polynomial() == {0: 1.0}
    assert parse("x0**3*x1**2").polynomial() == {1: 1.0}
    assert parse("(x0 + x1)**2").polynomial() == {0: 2.0, 0b11: 2.0}
    assert parse("x0 - x0").polynomial() == {}
    assert parse("0").polynomial() == {}
    assert parse("3/4").polynomial() == {0: 0.75}
    assert parse("parity(x)").polynomial(3) == {0b111: 1.0}
    assert parse("weight(x)").polynomial(2) == {0: 1.0, 1: -0.5, 2: -0.5}
    assert parse("majority(3)").polynomial() == {1: 0.5, 2: 0.5, 4: 0.5, 7: -0.5}
    assert parse("AND(x0, x1)").polynomial() == {0: 0.5, 1: 0.5, 2: 0.5, 3: -0.5}
    assert parse("x4095").polynomial() == {1 << 4095: 1.0}
    assert parse("parity(4096)").polynomial() == {(1 << 4096) - 1: 1.0}
    # non-polynomial nodes on scattered coordinates map back to the right masks
    assert parse("majority(x1, x5, x70)").polynomial() == {
        2: 0.5,
        1 << 5: 0.5,
        1 << 70: 0.5,
        2 | 1 << 5 | 1 << 70: -0.5,
    }


def test_polynomial_none_and_errors():
    assert parse("x0 == 1").polynomial() is None
    assert parse("majority(40)").polynomial() is None  # too many coordinates to tabulate
    assert parse("(" + " + ".join(f"x{i}" for i in range(30)) + ")**30").polynomial() is None
    with pytest.raises(ExpressionError, match="pass n"):
        parse("weight(x)").polynomial()
    with pytest.raises(ExpressionError, match="n >= 3"):
        parse("x2").polynomial(2)


def test_polynomial_is_bounded_in_time():
    t0 = time.perf_counter()
    assert parse(" + ".join(["majority(16)"] * 2000)).polynomial() is None
    assert parse(" + ".join(["cyclic(4096, n=4096)"] * 100)).polynomial() is None
    assert parse("(" + "+".join(f"x{i}" for i in range(64)) + ")**64").polynomial() is None
    assert time.perf_counter() - t0 < 20  # generous: the machine is shared


# --------------------------------------------------------------------------- evaluate()


def test_evaluate_shapes_and_dtypes():
    e = parse("x0 + x1")
    assert e.evaluate([1, -1]).shape == ()
    assert e.evaluate([1, -1]) == 0.0
    assert e.evaluate(np.ones((2, 3, 4))).shape == (2, 3)
    assert e.evaluate(np.ones((0, 2), np.int8)).shape == (0,)
    assert parse("2").evaluate(np.ones((5, 0))).tolist() == [2.0] * 5
    assert parse("x0 == 1").evaluate(np.ones((3, 1), np.int32)).tolist() == [True] * 3
    np.testing.assert_array_equal(evaluate("x0*x1*x2 == -1", points(3)), [0, 1, 1, 0, 1, 0, 0, 1])


def test_evaluate_rejects_bad_points():
    e = parse("x0")
    with pytest.raises(ValueError, match=r"\+1 or -1"):
        e.evaluate([[0, 1]])
    with pytest.raises(TypeError, match="1 - 2\\*b"):
        e.evaluate(np.array([[True]]))
    with pytest.raises(TypeError):
        e.evaluate(np.array([["a"]]))
    with pytest.raises(ValueError):
        e.evaluate(1)


def test_evaluate_out_of_range_variable_points_at_it():
    e = parse("x0 + x1*x5")
    with pytest.raises(ExpressionError) as info:
        e.evaluate(points(3))
    assert info.value.position == 8
    assert "n = 3" in str(info.value) and "n >= 6" in str(info.value)
    with pytest.raises(ExpressionError, match="n >= 15"):
        parse("x0 + cyclic(3, n=15)").evaluate(points(4))
    with pytest.raises(ExpressionError, match="n >= 5"):
        parse("majority(5)").values(4)
    assert check("x0 + x1", 2).min_n == 2
    with pytest.raises(ExpressionError):
        check("x2", 2)
    with pytest.raises(ExpressionError, match="condition"):
        check("x0", 2, kind="predicate")
    assert check("x0 == 1", 2, kind="predicate").kind == "predicate"


def test_overflow_is_an_expression_error():
    with pytest.raises(ExpressionError, match="not finite") as info:
        parse("x0 + sign(1e300*x1*1e300)").evaluate(points(2))
    assert info.value.position == 10
    with pytest.raises(ExpressionError, match="not finite"):
        parse("1e200*x0*1e200").evaluate(points(1))
    with pytest.raises(ExpressionError, match="not finite"):
        parse("(1e200*x0)**2 > 0").evaluate(points(1))
    with pytest.raises(ExpressionError, match="not finite"):
        parse("1e200*x0*1e200").polynomial()


# --------------------------------------------------------------------------- errors

ERRORS = [
    # text, position, words in the message
    ("", 0, "empty"),
    ("   ", 0, "empty"),
    ("__import__('os')", 0, "unknown name '__import__'"),
    ("x0.real", 2, "attribute"),
    ("x0[1]", 2, "subscript"),
    ("'x0'", 0, "string"),
    ('"x0"', 0, "string"),
    ("lambda: 1", 0, "unknown name 'lambda'"),
    ("x0 if x1 else x2", 3, "after a complete expression"),
    ("x0**999999999", 4, "exponent"),
    ("x0**65", 4, "exponent"),
    ("x0**-1", 4, "exponent"),
    ("x0**0.5", 4, "exponent"),
    ("x0**x1", 4, "constant"),
    ("1e999999", 0, "not finite"),
    ("x99999999999", 0, "out of range"),
    ("x4096", 0, "out of range"),
    ("x0 + é", 5, "non-ASCII"),
    ("1 2", 2, "missing an operator"),
    ("x0 x1", 3, "missing an operator"),
    ("x0 ==", 5, "end of the text"),
    ("x0 +", 4, "end of the text"),
    ("and x0 == 1", 0, "needs a condition before"),
    ("or", 0, "needs a condition before"),
    ("x0 == 1 and", 11, "end of the text"),
    ("* x0", 0, "needs an expression before"),
    ("x0 +* x1", 4, "needs an expression before"),
    ("(x0", 3, "expected ')'"),
    ("x0)", 2, "unbalanced"),
    ("()", 1, "expected an expression"),
    ("x0/x1", 3, "division"),
    ("x0/0", 3, "division by zero"),
    ("x0/(1 - 1)", 4, "division by zero"),
    ("x_3", 0, "written x3"),
    ("X0", 0, "written x0"),
    ("x01", 0, "written x1"),
    ("Sign(x0)", 0, "did you mean sign"),
    ("foo(x0)", 0, "known names: AND, OR, abs, cyclic, majority, parity, sign, weight"),
    ("x", 0, "whole point"),
    ("x + 1", 0, "whole point"),
    ("weight(x, x0)", 7, "only argument"),
    ("sign(x)", 5, "only argument"),
    ("x0(1)", 2, "not a function"),
    ("sign x0", 5, "expected '('"),
    ("sign(x0, x1)", 0, "exactly one argument"),
    ("abs()", 0, "exactly one argument"),
    ("majority()", 0, "needs arguments"),
    ("majority(2.5)", 9, "whole number"),
    ("parity(-1)", 7, "whole number"),
    ("parity(4097)", 7, "whole number"),
    ("cyclic(0)", 7, "whole number"),
    ("cyclic(5, n=3)", 12, "whole number from 5"),
    ("cyclic(3, m=3)", 10, "no argument 'm'"),
    ("cyclic(x0)", 7, "constant"),
    ("cyclic()", 0, "takes k"),
    ("sign(x0, n=1)", 9, "no keyword"),
    ("majority(x0, n=1)", 13, "no keyword"),
    ("majority(x0 x1)", 12, "expected ',' or ')'"),
    ("x0 and x1", 0, "needs a condition"),
    ("x0 == 1 and x1", 12, "needs a condition"),
    ("not x0", 4, "needs a condition"),
    ("x0 + (x1 == 1)", 6, "condition"),
    ("sign(x0 == 1)", 5, "condition"),
    ("(x0 == 1) == (x1 == 1)", 1, "condition"),
    ("x0 == not x1", 6, "parenthesised"),
    ("and(x0, x1)", 0, "AND(...)"),
    ("x0 = 1", 3, "use =="),
    ("x0 ^ x1", 3, "**"),
    ("x0 & x1", 3, "'and'"),
    ("x0 | x1", 3, "'or'"),
    ("~x0", 0, "'not'"),
    ("!x0", 0, "'not'"),
    ("x0; x1", 2, "one expression"),
    ("1e", 0, "malformed number"),
    ("2x0", 0, "write 2*x0"),
    ("1.2.3", 0, "malformed number"),
    ("0x10", 0, "malformed number"),
    ("1_000", 0, "malformed number"),
    ("x0 @ x1", 3, "not supported"),
    ("x0\x00", 2, "unexpected character"),
    ("{x0}", 0, "unexpected character"),
    ("x0 % 2", 3, "not supported"),
]


@pytest.mark.parametrize("text,position,words", ERRORS, ids=[repr(e[0]) for e in ERRORS])
def test_errors_name_the_position(text, position, words):
    with pytest.raises(ExpressionError) as info:
        parse(text)
    err = info.value
    assert isinstance(err, ValueError)
    assert err.position == position, str(err)
    assert words in str(err)
    assert f"(at position {position})" in str(err)
    # the caret sits under the position in the displayed text
    lines = str(err).splitlines()
    shown, caret = lines[-2], lines[-1]
    assert shown.startswith("    ") and caret == " " * (4 + position) + "^"


def test_error_display_is_a_window_for_long_text():
    text = "x0 + " * 1000 + "x0 +* x1"
    with pytest.raises(ExpressionError) as info:
        parse(text)
    shown, caret = str(info.value).splitlines()[-2:]
    assert len(shown) < 100 and shown[len(caret) - 1] == "*"


def test_non_string_is_a_type_error():
    for bad in (None, 1, b"x0", ["x0"]):
        with pytest.raises(TypeError):
            parse(bad)


HOSTILE = [
    "(" * 10_000,
    "(" * 10_000 + "x0" + ")" * 10_000,
    "-" * 10_000 + "x0",
    "not " * 10_000 + "x0 == 1",
    "sign(" * 5_000 + "x0" + ")" * 5_000,
    "x0" + "**2" * 10_000,
    "majority(" * 3_000 + "x0" + ")" * 3_000,
    "x0 + " * (MAX_LENGTH // 5 + 1) + "x0",
    "1" * (MAX_LENGTH + 1),
    "1" * 5_000 + "e" + "9" * 5_000,
    "x" + "9" * 50_000,
    "x0 " + "< x0 " * 15_000 + "<",
]


@pytest.mark.parametrize("text", HOSTILE, ids=lambda t: f"{t[:12]}...({len(t)})")
def test_hostile_input_fails_fast_and_cleanly(text):
    t0 = time.perf_counter()
    with pytest.raises(ExpressionError):
        parse(text)
    assert time.perf_counter() - t0 < 5


def test_deep_but_allowed_nesting_works_everywhere():
    d = MAX_DEPTH - 2
    for text in (
        "(" * d + "x0" + ")" * d,
        "-" * d + "x0",
        "sign(" * d + "x0" + ")" * d,
        "not " * d + "x0 == 1",
    ):
        e = parse(text)
        e.evaluate(points(1))
        assert e.polynomial() is not None or e.kind == "predicate"
        assert parse(str(e)) == e
        hash(e), repr(e)


def test_long_flat_expressions_are_fine():
    text = " + ".join(f"{i % 7}*x{i % 10}*x{(i + 3) % 10}" for i in range(4000))
    assert len(text) < MAX_LENGTH
    t0 = time.perf_counter()
    e = parse(text)
    np.testing.assert_allclose(poly_values(e.polynomial(), 10), e.evaluate(points(10)), rtol=1e-12)
    assert time.perf_counter() - t0 < 10


def test_no_eval_exec_or_attribute_access_in_the_module():
    import boolfourier.expr as mod

    src = pathlib.Path(mod.__file__).read_text()
    assert not re.search(r"(?<![\w.])(eval|exec|compile|__import__|getattr|literal_eval)\(", src)


# --------------------------------------------------------------------------- fuzzing (a)

SOUP = [
    "x0",
    "x1",
    "x2",
    "x",
    "x4095",
    "x4096",
    "0",
    "1",
    "2",
    "1.5",
    ".5",
    "1e3",
    "1e999",
    "-",
    "+",
    "*",
    "/",
    "**",
    "(",
    ")",
    ",",
    "=",
    "==",
    "!=",
    "<",
    "<=",
    ">",
    ">=",
    "and",
    "or",
    "not",
    "sign",
    "abs",
    "weight",
    "majority",
    "parity",
    "AND",
    "OR",
    "cyclic",
    "n",
    "64",
    "65",
    "__import__",
    ".",
    "[",
    "]",
    "'",
    "lambda",
    ":",
    " ",
]


def _parse_and_use(text):
    try:
        e = parse(text)
    except ExpressionError as err:
        assert err.position is None or 0 <= err.position <= len(text)
        return
    n = max(e.min_n, 3)
    if n <= 8:
        try:
            v = e.evaluate(points(n))
            assert v.shape == (1 << n,)
            p = e.polynomial(n)
            if p is not None and e.kind == "real":
                np.testing.assert_allclose(
                    poly_values(p, n), v, rtol=1e-9, atol=1e-9 * (1 + np.abs(v).max())
                )
        except ExpressionError:
            pass
    assert parse(str(e)) == e


@FUZZ
@given(st.text(max_size=80))
def test_fuzz_random_text(text):
    _parse_and_use(text)


@FUZZ
@given(st.lists(st.sampled_from(SOUP), max_size=25), st.sampled_from(["", " "]))
def test_fuzz_token_soup(tokens, sep):
    _parse_and_use(sep.join(tokens))


# --------------------------------------------------------------------------- fuzzing (b)

coefficient = st.one_of(
    st.integers(-8, 8).map(lambda k: k / 4),
    st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False),
    st.floats(1e-8, 1e-3),
)


@FUZZ
@given(st.dictionaries(st.integers(0, 63), coefficient, max_size=12))
def test_fuzz_rendered_polynomials_round_trip(poly):
    poly = {m: c for m, c in poly.items() if c != 0}
    e = parse(render(poly))
    assert e.polynomial() == {m: poly[m] for m in sorted(poly)}
    assert e.min_n <= 6
    scale = 1 + sum(abs(c) for c in poly.values())
    np.testing.assert_allclose(
        e.evaluate(points(6)), poly_values(poly, 6), rtol=0, atol=1e-13 * scale
    )


@settings(max_examples=50, deadline=None)
@given(st.dictionaries(st.integers(0, 31), st.integers(-12, 12).map(lambda k: k / 4), max_size=10))
def test_fuzz_spectrum_printer_output_parses(poly):
    spectrum = pytest.importorskip("boolfourier.spectrum")
    c = np.zeros(32)
    for m, v in poly.items():
        c[m] = v
    text = spectrum.to_polynomial_string(c)
    got = parse(text).polynomial()
    assert got == {m: v for m, v in sorted(poly.items()) if v != 0}


# --------------------------------------------------------------------------- fuzzing (c)

N_FUZZ = 4
_leaf = st.one_of(
    st.integers(0, N_FUZZ - 1).map(lambda k: (f"x{k}", lambda x, k=k: x[:, k])),
    st.sampled_from([0.0, 1.0, 2.0, 0.5, 1.25, 3.0]).map(
        lambda v: (repr(v), lambda x, v=v: np.full(len(x), v))
    ),
)


def _extend(children):
    two = st.tuples(children, children)
    three = st.tuples(children, children, children)
    return st.one_of(
        two.map(
            lambda ab: (
                f"({ab[0][0]}) + ({ab[1][0]})",
                lambda x, a=ab[0][1], b=ab[1][1]: a(x) + b(x),
            )
        ),
        two.map(
            lambda ab: (
                f"({ab[0][0]}) - ({ab[1][0]})",
                lambda x, a=ab[0][1], b=ab[1][1]: a(x) - b(x),
            )
        ),
        two.map(
            lambda ab: (f"({ab[0][0]})*({ab[1][0]})", lambda x, a=ab[0][1], b=ab[1][1]: a(x) * b(x))
        ),
        children.map(lambda a: (f"-({a[0]})", lambda x, a=a[1]: -a(x))),
        st.tuples(children, st.sampled_from([2.0, 4.0, 0.5])).map(
            lambda ac: (f"({ac[0][0]})/{ac[1]!r}", lambda x, a=ac[0][1], c=ac[1]: a(x) / c)
        ),
        st.tuples(children, st.integers(0, 3)).map(
            lambda ak: (f"({ak[0][0]})**{ak[1]}", lambda x, a=ak[0][1], k=ak[1]: a(x) ** k)
        ),
        children.map(lambda a: (f"sign({a[0]})", lambda x, a=a[1]: sgn(a(x)))),
        children.map(lambda a: (f"abs({a[0]})", lambda x, a=a[1]: np.abs(a(x)))),
        three.map(
            lambda t: (
                f"majority({t[0][0]}, {t[1][0]}, {t[2][0]})",
                lambda x, t=t: sgn(t[0][1](x) + t[1][1](x) + t[2][1](x)),
            )
        ),
        two.map(
            lambda ab: (
                f"parity({ab[0][0]}, {ab[1][0]})",
                lambda x, a=ab[0][1], b=ab[1][1]: a(x) * b(x),
            )
        ),
        two.map(
            lambda ab: (
                f"weight({ab[0][0]}, {ab[1][0]})",
                lambda x, a=ab[0][1], b=ab[1][1]: (a(x) < 0).astype(float) + (b(x) < 0),
            )
        ),
        two.map(
            lambda ab: (
                f"AND({ab[0][0]}, {ab[1][0]})",
                lambda x, a=ab[0][1], b=ab[1][1]: np.where((a(x) < 0) & (b(x) < 0), -1.0, 1.0),
            )
        ),
        two.map(
            lambda ab: (
                f"OR({ab[0][0]}, {ab[1][0]})",
                lambda x, a=ab[0][1], b=ab[1][1]: np.where((a(x) < 0) | (b(x) < 0), -1.0, 1.0),
            )
        ),
    )


real_exprs = st.recursive(_leaf, _extend, max_leaves=10)
_CMP = {
    "==": np.equal,
    "!=": np.not_equal,
    "<": np.less,
    "<=": np.less_equal,
    ">": np.greater,
    ">=": np.greater_equal,
}
_atom_pred = st.tuples(real_exprs, st.sampled_from(sorted(_CMP)), real_exprs).map(
    lambda t: (f"{t[0][0]} {t[1]} {t[2][0]}", lambda x, t=t: _CMP[t[1]](t[0][1](x), t[2][1](x)))
)
predicates = st.recursive(
    _atom_pred,
    lambda ch: st.one_of(
        st.tuples(ch, ch).map(
            lambda ab: (
                f"({ab[0][0]}) and ({ab[1][0]})",
                lambda x, a=ab[0][1], b=ab[1][1]: a(x) & b(x),
            )
        ),
        st.tuples(ch, ch).map(
            lambda ab: (
                f"({ab[0][0]}) or ({ab[1][0]})",
                lambda x, a=ab[0][1], b=ab[1][1]: a(x) | b(x),
            )
        ),
        ch.map(lambda a: (f"not ({a[0]})", lambda x, a=a[1]: ~a(x))),
    ),
    max_leaves=4,
)


def _reference(ref, xx):
    """The numpy twin's values, or None when it overflows on the way."""
    with np.errstate(over="raise", invalid="raise"):
        try:
            return np.broadcast_to(ref(xx), (len(xx),))
        except FloatingPointError:
            return None


def _overflows(e):
    with pytest.raises(ExpressionError, match="not finite"):
        e.evaluate(points(N_FUZZ))
        raise ExpressionError("not finite")  # an overflow that cancelled out is fine too


@FUZZ
@given(real_exprs)
def test_fuzz_real_ast_matches_numpy(pair):
    text, ref = pair
    e = parse(text)
    xx = X(N_FUZZ)
    want = _reference(ref, xx)
    if want is None:
        return _overflows(e)
    got = e.evaluate(points(N_FUZZ))
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=0)
    # the canonical text means the same, and the polynomial reproduces the values
    np.testing.assert_allclose(parse(str(e)).evaluate(xx), got, rtol=1e-12, atol=0)
    p = e.polynomial(N_FUZZ)
    assert p is not None
    np.testing.assert_allclose(
        poly_values(p, N_FUZZ), got, rtol=1e-9, atol=1e-9 * (1 + np.abs(got).max())
    )


@FUZZ
@given(predicates)
def test_fuzz_predicate_ast_matches_numpy(pair):
    text, ref = pair
    e = parse(text)
    assert e.kind == "predicate"
    xx = X(N_FUZZ)
    want = _reference(ref, xx)
    if want is None:
        return _overflows(e)
    np.testing.assert_array_equal(e.evaluate(points(N_FUZZ)), want)
    np.testing.assert_array_equal(parse(str(e)).evaluate(xx), want)
