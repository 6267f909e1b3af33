"""Tests of boolfourier.interpolation against tests/naive.py and the closed forms of PAPER_NOTES."""

from __future__ import annotations

import math

import numpy as np
import pytest

import naive
from boolfourier.domains import Domain
from boolfourier.function import BooleanFunction, cyclic_sum, majority, parity
from boolfourier.interpolation import (
    Interpolant,
    JuntaFunction,
    canonical_holdout_error,
    format_interpolate_report,
    gotu_error,
    interpolate_report,
    min_degree_interpolator,
    min_norm_interpolator,
    min_weighted_norm_interpolator,
)
from boolfourier.spectrum import degree_profile, influences


def _poly(n, terms):
    """Values of sum c * prod x_i over the cube, from {tuple: c}."""
    x = np.array(naive.cube(n), dtype=float)
    out = np.zeros(1 << n)
    for s, c in terms.items():
        out += c * (np.prod(x[:, list(s)], axis=1) if s else 1.0)
    return out


def _random_instance(rng, n_max=6):
    n = int(rng.integers(1, n_max + 1))
    N = 1 << n
    f = rng.normal(size=N) if rng.random() < 0.5 else rng.choice([-1.0, 1.0], size=N)
    seen = rng.random(N) < rng.uniform(0.15, 0.9)
    if not seen.any():
        seen[rng.integers(N)] = True
    return f, seen


def _lex_le(w_a, w_b, tol=1e-9):
    """DegP(a) <= DegP(b): compare W^n, W^{n-1}, ... (highest degree first)."""
    for a, b in zip(w_a[::-1], w_b[::-1]):
        if a < b - tol:
            return True
        if a > b + tol:
            return False
    return True


# ------------------------------------------------------------------ general solver vs brute force


@pytest.mark.parametrize("seed", range(8))
def test_mdi_matches_bruteforce_random(seed):
    rng = np.random.default_rng(seed)
    for _ in range(12):
        f, seen = _random_instance(rng)
        ref = naive.interp_mdi_bruteforce(f, seen)
        for method in ("auto", "general", "general_values", "general_coefficients"):
            g = min_degree_interpolator(f, seen, method=method)
            np.testing.assert_allclose(g.values, ref, atol=1e-8, err_msg=f"{method} {g.method}")
            np.testing.assert_array_equal(g.values[seen], f[seen])


def test_mdi_low_degree_target_uses_coefficient_space():
    rng = np.random.default_rng(5)
    n = 8
    f = _poly(n, {(0, 3): 1.0, (2,): -0.5, (1, 5): 2.0})
    seen = rng.random(1 << n) < 0.2
    g = min_degree_interpolator(f, seen)
    assert g.method == "general" and g.info["space"] == "coefficients"
    h = min_degree_interpolator(f, seen, method="general_values")
    np.testing.assert_allclose(g.values, h.values, atol=1e-8)


def test_mdi_is_lexicographically_minimal_among_random_interpolators():
    rng = np.random.default_rng(11)
    for _ in range(10):
        f, seen = _random_instance(rng, n_max=5)
        g = min_degree_interpolator(f, seen).values
        wg = naive.interp_degree_profile(g)
        for _ in range(5):
            h = np.where(seen, f, g + rng.normal(scale=0.3, size=f.shape))
            assert _lex_le(wg, naive.interp_degree_profile(h))


# ------------------------------------------------------------------ closed forms vs the general solver


def test_frozen_closed_form_matches_general():
    rng = np.random.default_rng(1)
    for _ in range(15):
        n = int(rng.integers(2, 7))
        k = int(rng.integers(1, n))
        coords = rng.choice(n, size=k, replace=False)
        seen = Domain.frozen({int(i): int(rng.choice([-1, 1])) for i in coords}, n)
        f = rng.normal(size=1 << n)
        g = min_degree_interpolator(f, seen, junta=False)
        assert g.method == "frozen"
        ref = min_degree_interpolator(f, seen, method="general_values", junta=False)
        np.testing.assert_allclose(g.values, ref.values, atol=1e-9)


def test_subcube_closed_form_matches_general():
    rng = np.random.default_rng(2)
    for _ in range(15):
        n = int(rng.integers(2, 7))
        k = int(rng.integers(2, n + 1))
        coords = rng.choice(n, size=k, replace=False)
        unseen = Domain.subcube({int(i): int(rng.choice([-1, 1])) for i in coords}, n)
        f = rng.normal(size=1 << n)
        g = min_degree_interpolator(f, ~unseen, junta=False)
        assert g.method == "subcube"
        ref = min_degree_interpolator(f, ~unseen, method="general_values", junta=False)
        np.testing.assert_allclose(g.values, ref.values, atol=1e-9)
        np.testing.assert_allclose(g.values, naive.interp_mdi_bruteforce(f, (~unseen).mask), atol=1e-8)


def test_hamming_ball_closed_form_matches_general():
    rng = np.random.default_rng(3)
    for _ in range(15):
        n = int(rng.integers(2, 7))
        r = int(rng.integers(1, n))
        center = rng.choice([-1, 1], size=n)
        seen = Domain.hamming_ball(r, n, center=center)
        f = rng.normal(size=1 << n)
        g = min_degree_interpolator(f, seen)
        # radius n - 1 leaves one unseen point: a subcube, detected first
        assert g.method == ("hamming_ball" if r < n - 1 else "subcube")
        assert min_degree_interpolator(f, seen, method="hamming_ball").values == pytest.approx(g.values)
        ref = min_degree_interpolator(f, seen, method="general_values")
        np.testing.assert_allclose(g.values, ref.values, atol=1e-8)
        assert g.degree() <= r


def test_symmetric_reduction_matches_general():
    rng = np.random.default_rng(4)
    for _ in range(15):
        n = int(rng.integers(3, 7))
        w = np.array([bin(i).count("1") for i in range(1 << n)])
        phi = rng.normal(size=n + 1)
        sig = rng.random(n + 1) < 0.5
        sig[rng.integers(n + 1)] = True
        if sig.all():
            sig[rng.integers(n + 1)] = False
        f, seen = phi[w], sig[w]
        g = min_degree_interpolator(f, seen)
        if g.method != "symmetric":  # a ball or subcube happened to fit: still check the value
            assert g.method in ("hamming_ball", "subcube", "frozen")
        ref = naive.interp_mdi_bruteforce(f, seen)
        np.testing.assert_allclose(g.values, ref, atol=1e-8)
        s = min_degree_interpolator(f, seen, method="symmetric")
        np.testing.assert_allclose(s.values, ref, atol=1e-8)


def test_forced_method_that_does_not_apply():
    seen = np.array([True, False, False, True])
    with pytest.raises(ValueError, match="does not apply"):
        min_degree_interpolator(np.array([1.0, 2.0, 3.0, 4.0]), seen, method="frozen")
    with pytest.raises(ValueError, match="method must be"):
        min_degree_interpolator(np.ones(4), seen, method="magic")


# ------------------------------------------------------------------ junta reduction


def test_junta_reduction_dense_and_expression():
    n = 8
    f = _poly(n, {(1, 4): 1.0})
    seen = ~Domain.subcube({1: -1, 4: -1}, n)
    g = min_degree_interpolator(f, seen)
    assert isinstance(g, Interpolant)
    assert g.method == "junta+subcube" and g.variables == (1, 4)
    np.testing.assert_allclose(g.values, _poly(n, {(1,): 1, (4,): 1, (): -1}), atol=1e-12)
    full = min_degree_interpolator(f, seen, junta=False)
    np.testing.assert_allclose(g.values, full.values, atol=1e-12)
    # the same target as an expression, in n = 40: a JuntaFunction
    h = min_degree_interpolator("x1*x4", ~Domain.subcube({1: -1, 4: -1}, 40))
    assert isinstance(h, JuntaFunction) and h.n == 40 and h.variables == (1, 4)
    assert h.polynomial() == "x1 + x4 - 1"
    assert h.coefficients() == {0b10: 1.0, 0b10000: 1.0, 0: -1.0}
    x = Domain.full(40).sample(100, rng=0)
    np.testing.assert_allclose(h.evaluate(x), x[:, 1] + x[:, 4] - 1.0)
    assert h.degree_profile().shape == (41,)
    with pytest.raises(ValueError, match="too large"):
        h.values  # noqa: B018


def test_junta_drops_declared_but_unused_coordinates():
    n = 6
    # the domain is declared on all coordinates (ball-like callable) but depends on x0, x1 only
    seen = Domain.from_callable(lambda x: (x[:, 0] == 1) | (x[:, 1] == 1), n)
    f = _poly(n, {(0, 1): 1.0})
    g = min_degree_interpolator(f, seen)
    assert g.variables == (0, 1)
    assert g.polynomial() == "x0 + x1 - 1"


# ------------------------------------------------------------------ PAPER_NOTES §2 and §7 facts


def test_fact1_x0x1_direction():
    seen = ~Domain.subcube({0: -1, 1: -1}, 2)
    f = _poly(2, {(0, 1): 1.0})
    g = min_degree_interpolator(f, seen)
    np.testing.assert_allclose(g.values, _poly(2, {(0,): 1, (1,): 1, (): -1}), atol=1e-12)
    e = gotu_error(g, f, ~seen)
    assert e.unseen_mse == pytest.approx(16.0) and e.cube_mse == pytest.approx(4.0)
    r = min_degree_interpolator(f, seen, method="general")
    np.testing.assert_allclose(r.values, g.values, atol=1e-12)


def test_fact2_x0x1x2():
    seen = ~Domain.subcube({0: -1, 1: -1, 2: -1}, 3)
    g = min_degree_interpolator(_poly(3, {(0, 1, 2): 1.0}), seen)
    ref = _poly(3, {(): 1, (0,): -1, (1,): -1, (2,): -1, (0, 1): 1, (0, 2): 1, (1, 2): 1})
    np.testing.assert_allclose(g.values, ref, atol=1e-12)
    assert g.values[7] == pytest.approx(7.0)


def test_fact4_f1_threesym_n15():
    n = 15
    g = min_degree_interpolator("x0*x1 - 1.25*x1*x2 + 1.5*x0*x2", Domain.from_expression("x0*x1*x2 == 1", n))
    assert g.polynomial() == "-1.25*x0 + 1.5*x1 + x2"
    assert g.method == "junta+general"
    # -f on the unseen set
    f = BooleanFunction.from_expression("x0*x1 - 1.25*x1*x2 + 1.5*x0*x2", n).values
    unseen = Domain.from_expression("x0*x1*x2 == -1", n).mask
    np.testing.assert_allclose(g.values[unseen], -f[unseen], atol=1e-12)


def test_fact5_rfexample_and_influence():
    n = 18
    f = BooleanFunction.from_expression("x0*x1*x2 + x0*x3*x4*x5", n)
    seen = Domain.frozen({0: 1}, n)
    g = min_degree_interpolator(f, seen)
    assert g.polynomial() == "x1*x2 + x3*x4*x5" and g.method == "junta+frozen"
    e = gotu_error(g, f, ~seen)
    assert e.unseen_mse == pytest.approx(8.0)
    assert influences(f.spectrum().coefficients)[0] == pytest.approx(2.0)
    h = canonical_holdout_error(f, 0)
    assert h.unseen_mse == pytest.approx(8.0) and h.cube_mse == pytest.approx(4.0)


def test_fact8_majority_holdout():
    e = canonical_holdout_error(majority(3), 0)
    assert (e.unseen_mse, e.cube_mse, e.unseen_sign_error) == pytest.approx((2.0, 1.0, 0.5))


def test_canonical_holdout_is_four_influences():
    rng = np.random.default_rng(7)
    for _ in range(10):
        n = int(rng.integers(1, 7))
        f = rng.choice([-1.0, 1.0], size=1 << n)
        i = int(rng.integers(n))
        inf = influences(np.asarray(BooleanFunction(f).spectrum().coefficients))[i]
        e = canonical_holdout_error(f, i)
        assert e.unseen_mse == pytest.approx(4 * inf)
        assert e.cube_mse == pytest.approx(2 * inf)
        assert e.unseen_sign_error == pytest.approx(inf)
        g = min_degree_interpolator(f, Domain.canonical_holdout(i, n))
        assert gotu_error(g, f, ~Domain.canonical_holdout(i, n)).unseen_mse == pytest.approx(4 * inf)


def test_f2_f3_f4_paper_mdis():
    n = 15
    f2 = min_degree_interpolator("x0*x1", Domain.from_expression("x0 == 1 or x1 == 1", n))
    assert f2.polynomial() == "x0 + x1 - 1"
    f3 = cyclic_sum(n, 3)
    seen = ~Domain.subcube({0: -1, 1: -1, 2: -1}, n)
    g3 = min_degree_interpolator(f3, seen)
    assert g3.method == "subcube"
    extra = {(0, 1, 2): -1, (0, 1): 1, (0, 2): 1, (1, 2): 1, (0,): -1, (1,): -1, (2,): -1, (): 1}
    x = np.array(naive.cube(n), dtype=np.int8)[:: 997]  # a spread of points
    expect = f3.values[:: 997] + sum(c * (np.prod(x[:, list(s)], axis=1) if s else 1) for s, c in extra.items())
    np.testing.assert_allclose(g3.values[:: 997], expect, atol=1e-10)
    assert g3.spectrum()[0b111000000] == pytest.approx(1.0)  # the control monomial x6*x7*x8
    g4 = min_degree_interpolator(majority(3), Domain.from_expression("x0 == 1 or x1 == 1", 3))
    assert g4.polynomial() == "0.5*x0 + 0.5*x1 + x2 - 0.5*x0*x2 - 0.5*x1*x2"


@pytest.mark.parametrize("k", [6, 8, 10])
def test_lengthgen_parity_ball(k):
    n = 15
    g = min_degree_interpolator(parity(range(n), n), Domain.hamming_ball(k, n))
    assert g.method == "hamming_ball" and g.degree() == k
    w = g.degree_profile()
    expect = [math.comb(n, d) * math.comb(n - d - 1, k - d) ** 2 if d <= k else 0 for d in range(n + 1)]
    np.testing.assert_allclose(w, expect, rtol=1e-9)
    # p_k(k+1) = (-1)^k (2^{k+1} - 1) at weight k + 1: the wrong sign
    assert g.values[(1 << (k + 1)) - 1] == pytest.approx((-1) ** k * (2 ** (k + 1) - 1))
    # MDI^(T) = (-1)^{k-|T|} C(n-|T|-1, k-|T|) for |T| <= k
    c = np.asarray(g.spectrum().coefficients)
    deg = np.array([bin(t).count("1") for t in range(1 << n)])
    expect_c = np.array([(-1) ** (k - d) * math.comb(n - d - 1, k - d) if d <= k else 0 for d in deg])
    np.testing.assert_allclose(c, expect_c, atol=1e-9)


# ------------------------------------------------------------------ other interpolators


def test_min_norm_interpolator():
    f = np.array([1.0, -1.0, -1.0, 1.0])
    seen = np.array([True, True, True, False])
    g = min_norm_interpolator(f, seen)
    np.testing.assert_array_equal(g.values, [1.0, -1.0, -1.0, 0.0])
    assert g.method == "min_norm"


def test_weighted_norm_matches_bruteforce():
    rng = np.random.default_rng(9)
    for _ in range(10):
        f, seen = _random_instance(rng, n_max=5)
        n = f.shape[0].bit_length() - 1
        w = float(rng.uniform(0.5, 3.0)) ** np.arange(n + 1)
        g = min_weighted_norm_interpolator(f, seen, w)
        ref = naive.interp_min_weighted_norm_bruteforce(f, seen, w)
        np.testing.assert_allclose(g.values, ref, atol=1e-7)
        s = min_weighted_norm_interpolator(f, seen, w, preconditioner="schur")
        np.testing.assert_allclose(s.values, ref, atol=1e-7)


def test_weighted_norm_leak_formula_and_limits():
    # PAPER_NOTES §2 (b): for x0*x1 the leak is t(lam) = (1 + 2 lam) / (1 + lam)^2
    f = _poly(2, {(0, 1): 1.0})
    seen = ~Domain.subcube({0: -1, 1: -1}, 2)
    for lam in (1.0, 3.0, 20.0):
        g = min_weighted_norm_interpolator(f, seen, lambda k: lam**k)
        t = (1 + 2 * lam) / (1 + lam) ** 2
        assert g.spectrum()[0b11] == pytest.approx(t, abs=1e-9)
    np.testing.assert_allclose(
        min_weighted_norm_interpolator(f, seen, [1.0, 1.0, 1.0]).values, min_norm_interpolator(f, seen).values,
        atol=1e-12,
    )
    big = min_weighted_norm_interpolator(f, seen, [1.0, 1e3, 1e6])
    np.testing.assert_allclose(big.values, min_degree_interpolator(f, seen).values, atol=1e-2)
    with pytest.raises(ValueError, match="positive"):
        min_weighted_norm_interpolator(f, seen, [1.0, 0.0, 1.0])
    with pytest.raises(ValueError, match="at least 3"):
        min_weighted_norm_interpolator(f, seen, [1.0, 1.0])


# ------------------------------------------------------------------ measures


def test_gotu_error_matches_naive_and_batches():
    rng = np.random.default_rng(12)
    f = rng.choice([-1.0, 1.0], size=16)
    unseen = rng.random(16) < 0.4
    unseen[0] = True
    preds = rng.normal(size=(3, 5, 16))
    e = gotu_error(preds, f, unseen)
    assert np.shape(e.unseen_mse) == (3, 5)
    for a in range(3):
        for b in range(5):
            ref = naive.interp_gotu_bruteforce(preds[a, b], f, unseen)
            got = (e.unseen_mse[a, b], e.cube_mse[a, b], e.unseen_sign_error[a, b])
            np.testing.assert_allclose(got, ref, atol=1e-12)
    assert set(gotu_error(preds[0, 0], f, unseen).as_dict()) == {"unseen_mse", "cube_mse", "unseen_sign_error"}
    with pytest.raises(ValueError, match="empty"):
        gotu_error(f, f, np.zeros(16, bool))
    with pytest.raises(ValueError, match="last axis"):
        gotu_error(np.zeros(8), f, unseen)
    # a diverged step (NaN) has NaN errors, the sign error included (it was a silent 0.5)
    hist = np.stack([f, np.full(16, np.nan)])
    e = gotu_error(hist, f, unseen)
    assert e.unseen_sign_error[0] == 0.0 and np.isnan(e.unseen_sign_error[1])
    assert np.isnan(e.unseen_mse[1]) and np.isnan(e.cube_mse[1])
    with pytest.raises(ValueError, match="target has NaN"):
        gotu_error(hist[0], hist[1], unseen)


# ------------------------------------------------------------------ errors and limits


def test_empty_seen_and_size_mismatch():
    with pytest.raises(ValueError, match="seen set is empty"):
        min_degree_interpolator(np.ones(8), np.zeros(8, bool))
    with pytest.raises(ValueError, match="n = 3"):
        min_degree_interpolator(np.ones(8), Domain.full(4))
    with pytest.raises(TypeError, match="seen"):
        min_degree_interpolator(np.ones(8))


def test_refuses_before_allocating_beyond_limit():
    rng = np.random.default_rng(0)
    n = 10
    f = rng.normal(size=1 << n)
    seen = rng.random(1 << n) < 0.5
    with pytest.raises(ValueError, match="max_unknowns") as exc:
        min_degree_interpolator(f, seen, max_unknowns=100)
    assert "Hamming ball" in str(exc.value)


def test_degree_profile_of_mdi_consistent():
    rng = np.random.default_rng(13)
    f, seen = _random_instance(rng, n_max=5)
    g = min_degree_interpolator(f, seen)
    np.testing.assert_allclose(g.degree_profile(), degree_profile(np.asarray(g.spectrum().coefficients)))
    np.testing.assert_allclose(g.degree_profile(), naive.interp_degree_profile(g.values), atol=1e-12)


# ------------------------------------------------------------------ CLI report


def test_interpolate_report_n40():
    r = interpolate_report("x0*x1", unseen="x0 == -1 and x1 == -1", n=40)
    assert r["mdi"] == "x0 + x1 - 1" and r["method"] == "junta+subcube"
    assert r["gotu"]["unseen_mse"] == pytest.approx(16.0)
    assert r["gotu"]["cube_mse"] == pytest.approx(4.0)
    assert r["degree_profile"]["target"][2] == pytest.approx(1.0)
    assert r["degree_profile"]["mdi"][:2] == pytest.approx([1.0, 2.0])
    assert r["seen_density"] == pytest.approx(0.75) and r["variables"] == [0, 1]
    assert r["mdi_coefficients"] == {"1": -1.0, "x0": 1.0, "x1": 1.0}
    text = format_interpolate_report(r)
    assert "x0 + x1 - 1" in text and "junta+subcube" in text and "16" in text


def test_interpolate_report_dense_and_method():
    f = majority(3)
    r = interpolate_report(f, Domain.from_expression("x0 == 1 or x1 == 1", 3), method="general")
    assert r["method"] == "general"
    assert r["mdi"] == "0.5*x0 + 0.5*x1 + x2 - 0.5*x0*x2 - 0.5*x1*x2"
    import json

    json.dumps(r)


@pytest.mark.slow
def test_general_solver_n10_random_half_unseen():
    rng = np.random.default_rng(21)
    n = 10
    f = rng.choice([-1.0, 1.0], size=1 << n)
    seen = np.zeros(1 << n, bool)
    seen[rng.choice(1 << n, 1 << (n - 1), replace=False)] = True
    g = min_degree_interpolator(f, seen)
    np.testing.assert_array_equal(g.values[seen], f[seen])
    ref = naive.interp_mdi_bruteforce(f, seen)
    np.testing.assert_allclose(g.values, ref, atol=1e-7)


def test_symmetric_weights_api_exact_at_n40():
    # PAPER_NOTES §2 (iii): parity with a Hamming-ball seen set, p_k(w) = sum_{j<=k} (-2)^j C(w, j)
    from boolfourier.interpolation import symmetric_min_degree_interpolator

    n, k = 40, 10
    psi = symmetric_min_degree_interpolator([(-1.0) ** w for w in range(n + 1)], [w <= k for w in range(n + 1)])
    ref = [sum((-2) ** j * math.comb(w, j) for j in range(k + 1)) for w in range(n + 1)]
    np.testing.assert_array_equal(psi, np.array(ref, dtype=float))
    with pytest.raises(ValueError, match="no weight is seen"):
        symmetric_min_degree_interpolator([1.0, 1.0], [False, False])


try:
    from hypothesis import given, settings
    from hypothesis import strategies as st
except ImportError:  # pragma: no cover
    given = None

if given is not None:

    @settings(max_examples=40, deadline=None)
    @given(
        st.integers(1, 4).flatmap(
            lambda n: st.tuples(
                st.lists(st.integers(-3, 3), min_size=1 << n, max_size=1 << n),
                st.lists(st.booleans(), min_size=1 << n, max_size=1 << n).filter(any),
            )
        )
    )
    def test_mdi_property_interpolates_and_matches_bruteforce(data):
        f = np.array(data[0], dtype=float)
        seen = np.array(data[1], dtype=bool)
        g = min_degree_interpolator(f, seen)
        np.testing.assert_array_equal(g.values[seen], f[seen])
        np.testing.assert_allclose(g.values, naive.interp_mdi_bruteforce(f, seen), atol=1e-8)


def test_tall_levels_are_compressed_without_changing_the_mdi(monkeypatch):
    # A few unseen points inside a subcube: the high levels are rank-deficient on U, so the
    # solve goes down to middle levels whose character matrices have many more rows than
    # unknowns. Those are reduced chunk by chunk to a square R (QR); forcing tiny chunks must
    # give the same interpolator as the coefficient space and the brute-force solver.
    import boolfourier.interpolation as interp

    rng = np.random.default_rng(2)
    n = 8
    idx = np.arange(1 << n)
    unseen = rng.choice(np.flatnonzero((idx & 0b1111) == 0b1111), 10, replace=False)
    seen = np.ones(1 << n, dtype=bool)
    seen[unseen] = False
    v = rng.standard_normal(1 << n)
    whole = min_degree_interpolator(v, seen, method="general_values", junta=False)
    calls = []
    real = interp._row_compressed
    monkeypatch.setattr(interp, "_STAGE_ENTRIES", 1 << 5)
    monkeypatch.setattr(
        interp, "_row_compressed", lambda rows, m, p: calls.append((m, p)) or real(rows, m, p)
    )
    chunked = min_degree_interpolator(v, seen, method="general_values", junta=False)
    assert any(m > p for m, p in calls)  # the chunked QR path ran
    coeff = min_degree_interpolator(v, seen, method="general_coefficients", junta=False)
    np.testing.assert_allclose(chunked.values, whole.values, atol=1e-9)
    np.testing.assert_allclose(chunked.values, coeff.values, atol=1e-9)
    np.testing.assert_allclose(chunked.values, naive.interp_mdi_bruteforce(v, seen), atol=1e-8)


def test_degree_of_the_zero_interpolant_is_minus_one():
    # same convention as Spectrum.degree: the zero polynomial has degree -1
    g = min_degree_interpolator(np.zeros(16), Domain.subcube({0: 1}, 4))
    assert g.degree() == -1 and g.spectrum().degree() == -1 and g.polynomial() == "0"
    assert min_degree_interpolator(np.ones(16), Domain.subcube({0: 1}, 4)).degree() == 0


def test_refuses_before_allocating_a_problem_beyond_memory(monkeypatch):
    from boolfourier import DenseMemoryError, _memory

    monkeypatch.setattr(_memory, "available_bytes", lambda: 1 << 20)  # pretend 1 MiB is free
    with pytest.raises(DenseMemoryError, match="min-degree problem"):  # depends on all 21 coordinates
        min_degree_interpolator("x0*x1", unseen=Domain.from_expression("x0 == -1 and weight(x) >= 20", 21))
    # a ball needs no table when the target's degree is at most its radius: the MDI is the target
    g = min_degree_interpolator("x0*x1", unseen=Domain.from_expression("weight(x) >= 20", 21))
    assert g.method == "hamming_ball" and g.polynomial() == "x0*x1"


def test_low_degree_target_on_a_hamming_ball_at_any_n():
    # degree <= radius: the values on the ball determine the polynomial, so the MDI is f itself
    f = "x0*x1 - 2*x3 + 0.5"
    small = min_degree_interpolator(f, Domain.hamming_ball(3, 10, center=[-1] + [1] * 9))
    want = BooleanFunction.from_expression(f, 10).values
    np.testing.assert_allclose(small.values, want, atol=1e-9)  # the dense solver agrees
    big = min_degree_interpolator(f, unseen=Domain.from_expression("weight(x) > 3", 40))
    assert big.method == "hamming_ball" and big.polynomial() == "-2*x3 + x0*x1 + 0.5"
    x = Domain.full(40).sample(50, rng=0)
    np.testing.assert_allclose(big.evaluate(x), x[:, 0] * x[:, 1] - 2 * x[:, 3] + 0.5)
    with pytest.raises(ValueError, match="40 coordinates"):  # degree 4 > radius 3: no closed form
        min_degree_interpolator("x0*x1*x2*x3", unseen=Domain.from_expression("weight(x) > 3", 40))
    # the report (what `boolfourier interpolate` prints): the MDI is f, so every GOTU error is 0
    r = interpolate_report(f, unseen="weight(x) > 3", n=40)
    assert r["method"] == "hamming_ball" and r["seen_size"] == sum(math.comb(40, j) for j in range(4))
    assert r["gotu"] == {"unseen_mse": 0.0, "cube_mse": 0.0, "unseen_sign_error": 0.0}


def test_report_when_the_domain_names_a_coordinate_the_mdi_drops():
    # x2 appears in the predicate but not in the set it defines (x0 == -1): the GOTU
    # errors are computed on x0, x1, x2 all the same (this raised an AssertionError)
    r = interpolate_report("x0*x1", unseen="x0 == -1 and (x2 == 1 or x2 == -1)", n=3)
    assert r["mdi"] == "x1" and r["variables"] == [0, 1]
    # on x0 = -1 the target is -x1 and the MDI x1
    assert r["gotu"] == {"unseen_mse": 4.0, "cube_mse": 2.0, "unseen_sign_error": 1.0}


def test_report_n_and_huge_n():
    r = interpolate_report("x0*x1", unseen="x0 == -1 and x1 == -1")  # n from the expressions
    assert r["n"] == 2 and r["mdi"] == "x0 + x1 - 1"
    with pytest.raises(ValueError, match="give n"):
        interpolate_report("x0*x1", unseen="weight(x) > 6")
    # |S| has ~4500 digits at n = 15000: left out of the report, the density stays
    r = interpolate_report("x0*x1", unseen="x0 == -1 and x1 == -1", n=15000)
    assert r["seen_size"] is None and r["seen_density"] == 0.75 and r["mdi"] == "x0 + x1 - 1"
    assert "(0.75 of the cube)" in format_interpolate_report(r)


def test_low_degree_target_on_a_ball_needs_no_table_at_any_n(monkeypatch):
    from boolfourier import _memory

    monkeypatch.setattr(_memory, "available_bytes", lambda: 1 << 20)  # a 2**28 table would be refused
    r = interpolate_report("x0*x1", unseen="weight(x) > 6", n=28)
    assert r["method"] == "hamming_ball" and r["mdi"] == "x0*x1" and r["gotu"]["unseen_mse"] == 0.0
    g = min_degree_interpolator("3", unseen=Domain.from_expression("weight(x) > 6", 40))  # constant
    assert g.polynomial() == "3"


@pytest.mark.parametrize("bad", [np.float64(1.0), np.ones((2, 4)), [1.0, 2.0, 3.0], [], [1.0]])
def test_canonical_holdout_error_checks_its_target(bad):
    with pytest.raises(ValueError, match="2\\*\\*n values"):
        canonical_holdout_error(bad, 0)
    with pytest.raises(TypeError, match="integers"):
        canonical_holdout_error([1.0, -1.0], 0.5)


@pytest.mark.parametrize("scale", [1e-13, 1e-7, 1.0, 1e9])
def test_the_mdi_is_linear_whatever_the_units(scale):
    # the MDI is linear in f, so its decisions (junta reduction, symmetric path, degree
    # bound) must not depend on the units: at 1e-13 an absolute floor of 1 in the
    # invariance test dropped x2 and returned a non-interpolant
    rng = np.random.default_rng(7)
    seen = ~Domain.subcube({0: -1, 1: -1}, 3)
    f = BooleanFunction.from_expression("x0*x1 + x2", 3)
    g = min_degree_interpolator(f * scale, seen)
    np.testing.assert_allclose(g.values / scale, _poly(3, {(0,): 1, (1,): 1, (2,): 1, (): -1}),
                               rtol=0, atol=1e-12)
    # a random target on a symmetric seen set is not symmetric at any scale
    w = np.array([bin(i).count("1") for i in range(16)])
    v, sym_seen = rng.standard_normal(16), (w <= 1) | (w == 3)
    g = min_degree_interpolator(v * scale, sym_seen)
    assert g.method == "general"
    want = naive.interp_mdi_bruteforce(v, sym_seen)
    np.testing.assert_allclose(g.values / scale, want, atol=1e-9)


@pytest.mark.parametrize("offset", [0.0, 1e6, 1e12])
def test_the_mdi_commutes_with_adding_a_constant(offset):
    # MDI(f + C) = MDI(f) + C: a scale of max|f| made 1e12 + 0.4*x1*x2 (seen: x0 == 1)
    # look constant, and its MDI came back as 1e12 (0.8 off on the seen set)
    f = BooleanFunction.from_expression(f"{offset!r} + 0.4*x1*x2", 3)
    g = min_degree_interpolator(f, Domain.from_expression("x0 == 1", 3))
    np.testing.assert_allclose(g.values - offset, f.values - offset, rtol=0, atol=1e-3)
    # degree 2 > radius 1: on a Hamming ball the target is not its own MDI, at any n
    ball = Domain.hamming_ball(1, 8)
    g8 = min_degree_interpolator(f"{offset!r} + 0.4*x1*x2", ball)
    ref = naive.interp_mdi_bruteforce(BooleanFunction.from_expression("0.4*x1*x2", 8).values,
                                      ball.mask)
    np.testing.assert_allclose(g8.values - offset, ref, rtol=0, atol=1e-3)
    g40 = min_degree_interpolator(f"{offset!r} + 0.4*x1*x2", Domain.hamming_ball(2, 40))
    assert g40.method == "hamming_ball"  # degree 2 <= radius 2: the target itself
    with pytest.raises(ValueError, match="40 coordinates"):  # radius 1: no closed form at n = 40
        min_degree_interpolator(f"{offset!r} + 0.4*x1*x2", Domain.hamming_ball(1, 40))


def test_a_ball_is_a_ball_however_it_was_built():
    # weight(x) >= 3 is the ball of radius 37 about -1^40; built from the predicate it is
    # a "shells" domain, and the closed form applied only to kind "ball" (refused at n = 40)
    shells = Domain.from_expression("weight(x) >= 3", 40)
    ball = Domain.hamming_ball(37, 40, center=-np.ones(40))
    assert shells.kind == "shells" and shells.radius == ball.radius == 37
    assert shells.size == ball.size
    for seen in (shells, ball):
        g = min_degree_interpolator("x0*x1 - x5", seen)
        assert g.method == "hamming_ball" and g.polynomial() == "-x5 + x0*x1"
    r = interpolate_report("x0*x1", unseen="weight(x) <= 2", n=40)
    assert r["method"] == "hamming_ball" and r["mdi"] == "x0*x1"
    # the dense solver agrees where it can run
    small = min_degree_interpolator("x0*x1 - x5", Domain.from_expression("weight(x) >= 3", 8))
    want = BooleanFunction.from_expression("x0*x1 - x5", 8).values
    np.testing.assert_allclose(small.values, want, atol=1e-9)


def test_junta_function_checks_every_coordinate_of_its_points():
    g = min_degree_interpolator("x0*x1", unseen=Domain.from_expression("weight(x) > 3", 40))
    x = Domain.full(40).sample(5, rng=0)
    np.testing.assert_array_equal(g.evaluate(x), x[:, 0] * x[:, 1])
    x[2, 17] = 0  # a coordinate the function does not read: still not a point of the cube
    with pytest.raises(ValueError, match="entries \\+1 or -1"):
        g.evaluate(x)
