"""BooleanFunction: constructors, families, evaluation, restriction, arithmetic."""

from __future__ import annotations

import importlib.util
import json
import pathlib
from itertools import product

import numpy as np
import pytest

import naive
from boolfourier.cube import points
from boolfourier.function import (
    BooleanFunction,
    and_,
    constant,
    cyclic_sum,
    dictator,
    majority,
    monomial,
    or_,
    parity,
    pvr,
    random_function,
    threshold,
    tribes,
)
from boolfourier.spectrum import Spectrum

CONVENTIONS = json.loads((pathlib.Path(__file__).parent / "conventions.json").read_text())
HAS_EXPR = importlib.util.find_spec("boolfourier.expr") is not None
needs_expr = pytest.mark.skipif(not HAS_EXPR, reason="boolfourier.expr is not written yet")


def brute(fn, n):
    """Values of fn(point) over naive.cube(n), one point at a time."""
    return np.array([float(fn(np.array(p))) for p in naive.cube(n)])


# ----------------------------------------------------------------- constructors


def test_from_values_conventions():
    f = BooleanFunction.from_values([1, -1, -1, 1])
    assert f.n == 2 and f.values.dtype == np.float64
    assert BooleanFunction.from_values([0, 1, 1, 0], convention="01") == f
    assert BooleanFunction.from_values(np.array([False, True, True, False]), convention="01") == f
    assert BooleanFunction.from_values([0.5, 2.0]).values.tolist() == [0.5, 2.0]  # real values
    with pytest.raises(ValueError, match="power of two"):
        BooleanFunction.from_values([1, 1, 1])
    with pytest.raises(ValueError, match="n = 3"):
        BooleanFunction.from_values([1, 1, 1, 1], n=3)
    with pytest.raises(ValueError, match="0, 1"):
        BooleanFunction.from_values([0, 2], convention="01")
    with pytest.raises(ValueError, match="convention"):
        BooleanFunction.from_values([0, 1], convention="10")
    with pytest.raises(TypeError, match="convention='01'"):
        BooleanFunction(np.array([True, False]))
    with pytest.raises(ValueError, match="one-dimensional"):
        BooleanFunction(np.ones((2, 2)))


def test_conventions_golden():
    pts = np.array(CONVENTIONS["points"])
    np.testing.assert_array_equal(points(3), pts)
    for ex in CONVENTIONS["examples"]:
        f = BooleanFunction.from_values(ex["values"])
        coeffs = {int(k): v for k, v in ex["coefficients"].items()}
        assert BooleanFunction.from_coefficients(coeffs, 3) == f


def test_from_callable_matches_brute_force():
    def fn(x):
        return x[:, 0] * x[:, 2] + 0.5 * x[:, 1] - x[:, 3]

    f = BooleanFunction.from_callable(fn, 4, chunk=3)  # chunks that do not divide 2**n
    np.testing.assert_array_equal(f.values, brute(lambda p: p[0] * p[2] + 0.5 * p[1] - p[3], 4))
    g = BooleanFunction.from_callable(lambda x: (x[:, 0] == -1)[:, None], 2, convention="01")
    assert g.values.tolist() == [1, -1, 1, -1]
    with pytest.raises(TypeError, match="convention='01'"):
        BooleanFunction.from_callable(lambda x: x[:, 0] == -1, 2)
    with pytest.raises(ValueError, match="one value per row"):
        BooleanFunction.from_callable(lambda x: x, 2)
    with pytest.raises(TypeError, match="callable"):
        BooleanFunction.from_callable([1, 2], 2)
    assert BooleanFunction.from_callable(lambda x: np.ones(len(x)), 0).values.tolist() == [1.0]


def test_from_coefficients_roundtrip():
    f = random_function(7, rng=3, kind="gaussian")
    g = BooleanFunction.from_coefficients(f.spectrum())
    np.testing.assert_allclose(g.values, f.values, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(
        BooleanFunction.from_coefficients(f.spectrum().coefficients).values, f.values, atol=1e-12
    )
    h = BooleanFunction.from_coefficients({(0, 1): 1.0, 0b10: 1.0, (): -1.0}, 2)  # x0x1 + x1 - 1
    np.testing.assert_array_equal(h.values, brute(lambda p: p[0] * p[1] + p[1] - 1, 2))
    with pytest.raises(ValueError, match="needs n"):
        BooleanFunction.from_coefficients({1: 1.0})
    with pytest.raises(ValueError, match=">= n"):
        BooleanFunction.from_coefficients({0b100: 1.0}, 2)


@needs_expr
def test_from_expression():
    f = BooleanFunction.from_expression("x0*x1 - 1.25*x1*x2 + 1.5*x0*x2", 5)
    assert f.n == 5
    assert f.spectrum().to_dict() == pytest.approx({3: 1.0, 6: -1.25, 5: 1.5})
    np.testing.assert_array_equal(
        BooleanFunction.from_expression("x0 + x1 - 1").values, [1, -1, -1, -3]
    )
    assert BooleanFunction.from_expression("x2").n == 3
    p = BooleanFunction.from_expression("x0 == -1 and x1 == -1", 2)
    assert p == and_(2)  # predicates: True -> -1
    ind = BooleanFunction.from_expression("x0 == -1 and x1 == -1", 2, predicate="indicator")
    assert ind.values.tolist() == [0, 0, 0, 1]
    with pytest.raises(ValueError, match="n >= 3"):
        BooleanFunction.from_expression("x2", 2)


@needs_expr
def test_from_expression_rejects_unsafe():
    from boolfourier.expr import ExpressionError

    with pytest.raises(ExpressionError):
        BooleanFunction.from_expression("__import__('os').system('true')", 2)


# ----------------------------------------------------------------- families


@pytest.mark.parametrize("n", [1, 3, 5, 7])
def test_majority(n):
    np.testing.assert_array_equal(majority(n).values, brute(lambda p: np.sign(p.sum()), n))
    with pytest.raises(ValueError, match="odd"):
        majority(n + 1)


def test_parity_monomial_dictator():
    np.testing.assert_array_equal(parity({0, 2}, 3).values, brute(lambda p: p[0] * p[2], 3))
    assert parity(0b101) == monomial([0, 2], 3)
    assert parity(n=3) == parity(0b111, 3)
    assert dictator(1, 3) == parity(0b10, 3)
    with pytest.raises(ValueError, match=">= n"):
        parity(0b1000, 3)
    with pytest.raises(TypeError):
        parity()
    with pytest.raises(ValueError):
        dictator(3, 3)


def test_threshold_and_or_tribes_constant():
    w = [3.0, -1.0, 2.0, 0.5]
    np.testing.assert_array_equal(
        threshold(w, bias=-0.5).values, brute(lambda p: 1.0 if -0.5 + p @ w >= 0 else -1.0, 4)
    )
    assert threshold(np.ones(3)) == majority(3)
    np.testing.assert_array_equal(
        and_(3).values, brute(lambda p: -1.0 if np.all(p == -1) else 1.0, 3)
    )
    np.testing.assert_array_equal(
        or_(3).values, brute(lambda p: -1.0 if np.any(p == -1) else 1.0, 3)
    )
    np.testing.assert_array_equal(
        tribes(2, 3).values,
        brute(
            lambda p: -1.0 if any(np.all(p[2 * j : 2 * j + 2] == -1) for j in range(3)) else 1.0, 6
        ),
    )
    assert constant(2.5, 2).values.tolist() == [2.5] * 4


def test_cyclic_sum_is_paper_f3():
    f = cyclic_sum(15, 3)
    s = f.spectrum()
    assert s.to_dict() == {
        (1 << i) | (1 << ((i + 1) % 15)) | (1 << ((i + 2) % 15)): 1.0 for i in range(15)
    }
    assert s[{6, 7, 8}] == 1.0
    np.testing.assert_allclose(s.degree_profile(), np.eye(16)[3] * 15)
    np.testing.assert_array_equal(
        cyclic_sum(5, 2).values, brute(lambda p: sum(p[i] * p[(i + 1) % 5] for i in range(5)), 5)
    )


@pytest.mark.parametrize(
    "p, w, agg, wrap",
    [
        (1, 1, "parity", True),
        (2, 2, "parity", True),
        (2, 3, "majority", True),
        (2, 2, "and", False),
        (1, 2, "or", True),
    ],
)
def test_pvr_definition(p, w, agg, wrap):
    m = (1 << p) if wrap else (1 << p) + w - 1
    n = p + m

    def ref(x):
        j = sum(((1 - int(x[b])) // 2) << b for b in range(p))
        win = [x[p + ((j + t) % m if wrap else j + t)] for t in range(w)]
        if agg == "parity":
            return np.prod(win)
        if agg == "majority":
            return np.sign(sum(win))
        if agg == "and":
            return -1.0 if all(v == -1 for v in win) else 1.0
        return -1.0 if any(v == -1 for v in win) else 1.0

    f = pvr(p, w, agg, wrap=wrap)
    assert f.n == n
    np.testing.assert_array_equal(f.values, brute(ref, n))


def test_pvr_errors():
    with pytest.raises(ValueError, match="odd"):
        pvr(2, 2, "majority")
    with pytest.raises(ValueError, match="aggregate"):
        pvr(2, 1, "sum")


def test_random_function_rng():
    a, b = random_function(6, rng=11), random_function(6, rng=np.random.default_rng(11))
    assert a == b and a.is_boolean
    assert random_function(6, rng=12) != a
    g = random_function(4, rng=0, kind="gaussian")
    assert not g.is_boolean
    with pytest.raises(ValueError, match="kind"):
        random_function(3, kind="uniform")


# ----------------------------------------------------------------- evaluate, restrict


def test_evaluate_points_and_indices():
    f = random_function(5, rng=1, kind="gaussian")
    x = points(5)
    np.testing.assert_array_equal(f.evaluate(x), f.values)
    np.testing.assert_array_equal(f(x[[3, 7]]), f.values[[3, 7]])
    np.testing.assert_array_equal(f.evaluate(index=np.array([[0, 31]])), f.values[[[0, 31]]])
    with pytest.raises(TypeError, match="exactly one"):
        f.evaluate()
    with pytest.raises(ValueError, match="shape"):
        f.evaluate(np.ones((2, 4)))
    with pytest.raises(IndexError):
        f.evaluate(index=[32])


def test_restrict():
    f = random_function(5, rng=2, kind="gaussian")
    fixed = {1: -1, 3: 1}
    r = f.restrict(fixed)
    assert r.n == 3
    free = [0, 2, 4]
    for q in product([1, -1], repeat=3):
        x = np.ones(5, dtype=np.int8)
        x[free] = q
        for k, v in fixed.items():
            x[k] = v
        assert r.evaluate(np.array([q])) == f.evaluate(x[None])[0]
    k = f.restrict(fixed, keep_n=True)
    assert k.n == 5 and set(k.spectrum().relevant_variables()) <= set(free)
    x = points(5).copy()
    x[:, 1], x[:, 3] = -1, 1
    np.testing.assert_array_equal(k.values, f.evaluate(x))
    assert f.restrict({}) == f
    with pytest.raises(ValueError, match="out of range"):
        f.restrict({5: 1})
    with pytest.raises(ValueError, match="\\+1 or -1"):
        f.restrict({0: 0})


def test_restrict_gives_canonical_holdout_mdi():
    # PAPER_NOTES 7.5: rfexample restricted to x0 = 1 is x1x2 + x3x4x5, Inf_0 = 2
    f = BooleanFunction.from_coefficients({0b111: 1.0, 0b111001: 1.0}, 6)
    mdi = f.restrict({0: 1}, keep_n=True)
    assert mdi.spectrum().to_dict() == pytest.approx({0b110: 1.0, 0b111000: 1.0})
    assert f.spectrum().influences()[0] == pytest.approx(2.0)


# ----------------------------------------------------------------- arithmetic, immutability, repr


def test_arithmetic():
    a, b = parity(0b01, 2), parity(0b10, 2)
    assert (a + b - 1).spectrum().to_polynomial_string() == "x0 + x1 - 1"
    assert (a * b) == parity(0b11, 2)
    assert 2 * a == a + a and a * 2.0 == a + a and np.float64(2) * a == a + a
    assert (1 - a).values.tolist() == [0, 2, 0, 2]
    assert (-a / 2).values.tolist() == [-0.5, 0.5, -0.5, 0.5]
    assert +a is a
    with pytest.raises(ValueError, match="n = 2 and n = 3"):
        a + parity(1, 3)
    with pytest.raises(TypeError):
        a + "x0"
    with pytest.raises(TypeError):
        a / b


def test_immutable():
    f = majority(3)
    with pytest.raises(ValueError):
        f.values[0] = 0.0
    with pytest.raises(AttributeError):
        f.n = 4
    v = np.ones(4)
    g = BooleanFunction(v)
    v[0] = -1  # the caller's array is copied
    assert g.values[0] == 1.0
    with pytest.raises(TypeError):
        hash(f)
    # also a read-only one, which its owner can make writeable again
    v = np.array([1.0, -1.0, -1.0, 1.0])
    v.setflags(write=False)
    g, s = BooleanFunction(v), Spectrum(v)
    g.spectrum()
    v.setflags(write=True)
    v[3] = 5.0
    assert g.values.tolist() == [1.0, -1.0, -1.0, 1.0] and g.spectrum().coefficients[3] == 1.0
    assert s.coefficients[3] == 1.0 and s.mean == 1.0


def test_repr_and_conveniences():
    assert repr(majority(3)) == "BooleanFunction(n=3, 0.5*x0 + 0.5*x1 + 0.5*x2 - 0.5*x0*x1*x2)"
    assert "smaller terms" in repr(random_function(6, rng=0))
    assert repr(random_function(17, rng=0)).startswith("BooleanFunction(n=17, values=[")
    assert majority(3).to_01().tolist() == [0, 0, 0, 1, 0, 1, 1, 1]
    assert (parity(1, 1) * 0.5).sign() == parity(1, 1)
    with pytest.raises(ValueError, match="sign"):
        (parity(1, 1) * 0.5).to_01()


@needs_expr
def test_from_expression_every_coordinate_needs_n():
    with pytest.raises(ValueError, match="pass n"):
        BooleanFunction.from_expression("weight(x) > 1")
    f = BooleanFunction.from_expression("weight(x) > 1", 3)
    np.testing.assert_array_equal(
        f.values, brute(lambda p: -1.0 if (p == -1).sum() > 1 else 1.0, 3)
    )


# ----------------------------------------------------------------- properties (hypothesis)

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402


@settings(max_examples=30, deadline=None)
@given(n=st.integers(0, 7), seed=st.integers(0, 2**32 - 1), data=st.data())
def test_properties(n, seed, data):
    f = random_function(n, rng=seed, kind="gaussian")
    # coefficients round-trip
    np.testing.assert_allclose(
        BooleanFunction.from_coefficients(f.spectrum()).values, f.values, atol=1e-12
    )
    # restriction agrees with evaluation at the completed points
    fixed = (
        data.draw(
            st.dictionaries(st.integers(0, max(n - 1, 0)), st.sampled_from([1, -1]), max_size=n)
        )
        if n
        else {}
    )
    r = f.restrict(fixed, keep_n=True)
    x = points(n).copy()
    for k, v in fixed.items():
        x[:, k] = v
    np.testing.assert_array_equal(r.values, f.evaluate(x) if n else f.values)
    # arithmetic is pointwise and linear in the spectrum
    g = random_function(n, rng=seed + 1)
    np.testing.assert_allclose(
        (2 * f - g).spectrum().coefficients,
        2 * f.spectrum().coefficients - g.spectrum().coefficients,
        atol=1e-12,
    )


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_non_finite_values_are_refused(bad):
    with pytest.raises(ValueError, match="finite.*index 2"):
        BooleanFunction([1.0, -1.0, bad, 1.0])
    with pytest.raises(ValueError, match="finite"):
        BooleanFunction.from_callable(lambda x: np.where(x[:, 0] > 0, bad, 1.0), 2)
    with pytest.raises(ValueError, match="finite"):
        threshold([bad, 1.0])


def test_coordinates_must_be_integers():
    f = majority(3)
    for call in (lambda: f.restrict({0.5: 1}), lambda: dictator(1.5, 3), lambda: f.restrict({True: 1})):
        with pytest.raises(TypeError, match="coordinates are integers"):
            call()
    assert f.restrict({np.int64(2): -1}) == f.restrict({2: -1})
