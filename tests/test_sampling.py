"""Sampling estimators: unbiased against exact values on small n (fixed seeds); large n."""

from __future__ import annotations

import importlib.util

import numpy as np
import pytest

from boolfourier.function import BooleanFunction, majority, random_function
from boolfourier.sampling import (
    Estimate,
    estimate_coefficients,
    estimate_degree_weights,
    estimate_influences,
    estimate_noise_stability,
    estimate_total_influence,
    sample_points,
)

HAS_EXPR = importlib.util.find_spec("boolfourier.expr") is not None

Z = 4.5  # tolerance in standard errors (fixed seeds: these are deterministic)


def small_function(seed=0, n=6):
    g = np.random.default_rng(seed)
    c = np.zeros(1 << n)
    c[g.choice(1 << n, 8, replace=False)] = g.standard_normal(8)
    return BooleanFunction.from_coefficients(c)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_coefficients_unbiased(seed):
    f = small_function(seed)
    c = f.spectrum().coefficients
    masks = list(range(1 << f.n))
    est = estimate_coefficients(f, masks, samples=4000, rng=seed)
    assert isinstance(est, Estimate) and est.samples == 4000
    assert est.value.shape == est.stderr.shape == (1 << f.n,)
    assert np.all(np.abs(est.value - c) <= Z * est.stderr + 1e-12)
    # a plain callable and coordinate sets give the same numbers with the same seed
    est2 = estimate_coefficients(
        lambda x: f.evaluate(x.astype(np.int8)), [set(), {0}], n=f.n, samples=4000, rng=seed
    )
    np.testing.assert_allclose(est2.value, est.value[:2])


def test_coefficients_mean_over_seeds():
    # the average of many independent estimates converges to the exact value
    f = small_function(5, n=4)
    c = f.spectrum().coefficients
    vals = np.array(
        [estimate_coefficients(f, range(16), samples=50, rng=s).value for s in range(300)]
    )
    se = vals.std(0, ddof=1) / np.sqrt(len(vals))
    assert np.all(np.abs(vals.mean(0) - c) <= Z * se + 1e-12)


def test_degree_weights_unbiased_small_samples():
    # with m = 30 samples the squared mean is biased by Var/m; the U-statistic is not
    f = small_function(3, n=4)
    exact = f.spectrum().degree_profile()
    masks = range(16)
    runs = [estimate_degree_weights(f, masks, samples=30, rng=s) for s in range(400)]
    vals = np.array([r.value for r in runs])
    mean, se = vals.mean(0), vals.std(0, ddof=1) / np.sqrt(len(vals))
    assert np.all(np.abs(mean - exact) <= Z * se + 1e-12)
    # the jackknife standard error matches the spread across seeds (within a factor of 2)
    spread = vals.std(0, ddof=1)
    typical = np.median([r.stderr for r in runs], axis=0)
    ok = spread > 1e-9
    assert np.all((typical[ok] > spread[ok] / 2) & (typical[ok] < spread[ok] * 2))


def test_degree_weights_restricted_set():
    f = small_function(4)
    c = f.spectrum().coefficients
    masks = [0b11, 0b101, 0b1, 0b111000]
    est = estimate_degree_weights(f, masks, samples=20000, rng=4)
    want = np.zeros(f.n + 1)
    for m in masks:
        want[bin(m).count("1")] += c[m] ** 2
    assert est.value.shape == (f.n + 1,)
    assert np.all(np.abs(est.value - want) <= Z * est.stderr + 1e-9)
    assert est.stderr[0] == 0 and est.value[0] == 0  # no degree-0 monomial in the set


@pytest.mark.parametrize("seed", [0, 1])
def test_influences_unbiased(seed):
    f = random_function(5, rng=seed, kind="gaussian")
    exact = f.spectrum().influences()
    est = estimate_influences(f, samples=3000, rng=seed)
    assert est.value.shape == (5,)
    assert np.all(np.abs(est.value - exact) <= Z * est.stderr)
    tot = estimate_total_influence(f, samples=3000, rng=seed)
    assert abs(tot.value - f.spectrum().total_influence()) <= Z * tot.stderr
    sub = estimate_influences(f, coords=[4, 0], samples=3000, rng=seed)
    assert np.all(np.abs(sub.value - exact[[4, 0]]) <= Z * sub.stderr)


@pytest.mark.parametrize("rho", [-0.5, 0.3, 0.9])
def test_noise_stability_unbiased(rho):
    f = majority(5)
    est = estimate_noise_stability(f, rho, samples=20000, rng=1)
    assert abs(est.value - f.spectrum().noise_stability(rho)) <= Z * est.stderr
    assert estimate_noise_stability(f, 1.0, samples=100, rng=0).value == pytest.approx(1.0)


def test_large_n():
    n = 100  # beyond 64 bits: masks are Python ints, bits packed in two words

    def f(x):
        return x[:, 0] * x[:, 70] * x[:, 99] + 0.5 * x[:, 3]

    est = estimate_coefficients(
        f, [(1 << 99) | (1 << 70) | 1, 1 << 3, 1 << 98], n=n, samples=2000, rng=0
    )
    np.testing.assert_allclose(est.value[:2], [1.0, 0.5], atol=Z * est.stderr.max() + 1e-12)
    inf = estimate_influences(f, n, coords=[0, 3, 50], samples=500, rng=0)
    np.testing.assert_allclose(inf.value, [1.0, 0.25, 0.0])
    assert np.all(inf.stderr == 0)
    w = estimate_degree_weights(f, [(1 << 99) | (1 << 70) | 1, 1 << 3], n, samples=2000, rng=0)
    assert (
        abs(w.value[3] - 1.0) <= Z * w.stderr[3]
        and abs(w.value[1] - 0.25) <= Z * w.stderr[1] + 1e-12
    )
    # x0 x1 at n = 64 with the top bit
    e = estimate_coefficients(lambda x: x[:, 63] * x[:, 0], [(1 << 63) | 1], 64, samples=100, rng=0)
    assert e.value[0] == 1.0 and e.stderr[0] == 0.0


def test_estimate_unpacks_and_errors():
    v, se = estimate_noise_stability(majority(3), 0.5, samples=100, rng=0)
    assert isinstance(v, float) and isinstance(se, float)
    with pytest.raises(TypeError, match="n is required"):
        estimate_influences(lambda x: x[:, 0])
    with pytest.raises(ValueError, match="samples"):
        estimate_coefficients(majority(3), [1], samples=1)
    with pytest.raises(ValueError, match="samples >= 3"):  # the jackknife would divide by zero
        estimate_degree_weights(majority(3), [1], samples=2)
    e = estimate_degree_weights(majority(3), range(8), samples=3, rng=0)
    assert np.all(np.isfinite(e.value)) and np.all(np.isfinite(e.stderr))
    with pytest.raises(ValueError, match=">= n"):
        estimate_coefficients(majority(3), [1 << 3])
    with pytest.raises(ValueError, match="n = 3"):
        estimate_coefficients(majority(3), [1], n=4)
    with pytest.raises(ValueError, match="rho"):
        estimate_noise_stability(majority(3), 2.0)
    with pytest.raises(ValueError, match="shape"):
        estimate_coefficients(lambda x: x, [1], 3, samples=10)
    with pytest.raises(TypeError):
        estimate_coefficients(42, [1], 3)


def test_sample_points():
    x = sample_points(70, 1000, rng=0)
    assert x.shape == (1000, 70) and x.dtype == np.int8 and set(np.unique(x)) == {-1, 1}
    assert abs(x.mean()) < 0.02
    np.testing.assert_array_equal(sample_points(70, 10, rng=3), sample_points(70, 10, rng=3))
    y = sample_points(10, 500, domain=lambda x: (x[:, 0] == -1) & (x[:, 1] == -1), rng=1)
    assert y.shape == (500, 10) and np.all(y[:, :2] == -1)
    assert abs(y[:, 2:].mean()) < 0.1

    class Dom:
        def contains(self, x):
            return x.sum(1) > 0

    assert np.all(sample_points(9, 50, domain=Dom(), rng=2).sum(1) > 0)
    with pytest.raises(ValueError, match="too small"):
        sample_points(5, 10, domain=lambda x: np.zeros(len(x), bool), rng=0, max_draws=1000)
    with pytest.raises(TypeError, match="booleans"):
        sample_points(5, 10, domain=lambda x: x[:, 0], rng=0)
    assert sample_points(4, 0, rng=0).shape == (0, 4)


@pytest.mark.skipif(not HAS_EXPR, reason="boolfourier.expr is not written yet")
def test_expressions():
    est = estimate_coefficients("x0*x1 + 0.5*x63", [0b11, 1 << 63], n=64, samples=200, rng=0)
    np.testing.assert_allclose(est.value, [1.0, 0.5], atol=Z * est.stderr.max() + 1e-12)
    y = sample_points(12, 100, domain="x0 == -1 and x1 == -1", rng=0)
    assert np.all(y[:, :2] == -1)


def test_sample_points_from_domain():
    domains = pytest.importorskip("boolfourier.domains")
    dom = domains.Domain.canonical_holdout(2, 8)
    x = sample_points(8, 200, domain=dom, rng=0)
    assert np.all(dom.contains(x))
    with pytest.raises(ValueError, match="n = 9"):
        sample_points(9, 5, domain=dom, rng=0)


def test_point_dtypes_must_hold_minus_one():
    from boolfourier import cube

    for call in (lambda: cube.points(1, dtype=np.uint8), lambda: cube.points(1, dtype=bool),
                 lambda: estimate_coefficients(lambda x: x[:, 0], [1], n=2, samples=10, rng=0, dtype=np.uint8),
                 lambda: BooleanFunction.from_callable(lambda x: x[:, 0].astype(float), 1, dtype=np.uint16)):
        with pytest.raises(TypeError, match="signed integer or float"):
            call()
    np.testing.assert_array_equal(cube.points(1, dtype=np.float32), [[1.0], [-1.0]])
    for bad in (8, -1, [0, 9]):
        with pytest.raises(ValueError, match="in \\[0, 2\\*\\*3\\)"):
            cube.index_to_point(bad, 3)


def test_repeated_monomials_count_once_and_coordinates_are_integers():
    est = estimate_degree_weights("x0", [1, 1, 0b1], n=1, samples=2000, rng=0)
    assert est.value[1] == pytest.approx(1.0)  # W^1 of x0 is 1, not 2 or 3
    with pytest.raises(TypeError, match="integers"):
        estimate_influences(lambda x: x[:, 0], 2, coords=[0.7], samples=10, rng=0)


@pytest.mark.parametrize("offset", [0.0, 1e7, 1e8])
def test_standard_errors_do_not_depend_on_an_offset(offset):
    # sum(v**2) - m*mean**2 cancelled catastrophically for |mean| >> std: at 1e7 the
    # standard error of E[f] was 2.5x too small, at 1e8 7x too large
    f = lambda x: offset + x[:, 0]  # noqa: E731
    est = estimate_coefficients(f, [0, 1], 10, samples=100_000, rng=0)
    base = estimate_coefficients(lambda x: x[:, 0], [0], 10, samples=100_000, rng=0)
    np.testing.assert_allclose(est.stderr[0], base.stderr[0], rtol=1e-6)  # same points
    assert abs(est.value[0] - offset) < Z * est.stderr[0]
    assert abs(est.value[1] - 1.0) <= Z * est.stderr[1]  # (f * x0 = offset*x0 + 1)
    # Stab_rho[c + x0] = c**2 + rho: the products are ~c**2 with a spread ~c
    rho = 0.5
    st = estimate_noise_stability(f, rho, 10, samples=50_000, rng=1)
    x = np.where(np.random.default_rng(2).random((200_000, 2)) < 0.5, 1.0, -1.0)  # Var of f(x)f(y)
    y0 = np.where(np.random.default_rng(3).random(200_000) < (1 - rho) / 2, -x[:, 0], x[:, 0])
    want_se = np.std((offset + x[:, 0]) * (offset + y0)) / np.sqrt(50_000)
    if offset:
        assert 0.9 < st.stderr / want_se < 1.1
    assert abs(st.value - (offset**2 + rho)) < Z * st.stderr + 1e-9 * offset**2
    # influences: the flip differences are exactly 1 for x0 and 0 elsewhere, at any offset
    inf = estimate_influences(f, 10, coords=[0, 1], samples=1000, rng=0)
    assert inf.value.tolist() == [1.0, 0.0] and inf.stderr.tolist() == [0.0, 0.0]
    tot = estimate_total_influence(f, 10, samples=1000, rng=0)
    assert (tot.value, tot.stderr) == (1.0, 0.0)


def test_a_callable_returning_nan_is_refused():
    def f(x):
        y = x[:, 0].astype(float)
        y[::97] = np.nan
        return y

    for est in (lambda: estimate_coefficients(f, [1], 5, samples=1000, rng=0),
                lambda: estimate_influences(f, 5, samples=1000, rng=0),
                lambda: estimate_noise_stability(f, 0.5, 5, samples=1000, rng=0),
                lambda: estimate_degree_weights(f, [1], 5, samples=1000, rng=0)):
        with pytest.raises(ValueError, match="NaN or infinity at 11 of 1000 points"):
            est()
