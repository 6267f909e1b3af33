"""Spectral measures: against brute force (tests/naive.py), closed forms, identities, boofun."""

from __future__ import annotations

import json
import math
import pathlib

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import naive
from boolfourier import _memory
from boolfourier.function import BooleanFunction, dictator, majority, parity, random_function
from boolfourier.spectrum import (
    Spectrum,
    coefficients,
    degree_profile,
    distance,
    influences,
    noise_sensitivity,
    noise_stability,
    relevant_variables,
    spectral_norm_l1,
    to_polynomial_string,
    top_coefficients,
    total_influence,
)

CONVENTIONS = json.loads((pathlib.Path(__file__).parent / "conventions.json").read_text())


def rand_values(n, seed, real=False):
    g = np.random.default_rng(seed)
    return g.standard_normal(1 << n) if real else 1.0 - 2.0 * g.integers(0, 2, 1 << n)


# ----------------------------------------------------------------- against brute force


@pytest.mark.parametrize("n", [0, 1, 2, 5, 10])
@pytest.mark.parametrize("real", [False, True])
def test_measures_match_naive(n, real):
    v = rand_values(n, seed=100 + n, real=real)
    c = coefficients(v)
    np.testing.assert_allclose(c, naive.naive_coefficients(v), rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(
        degree_profile(c), naive.naive_degree_profile(v), rtol=1e-11, atol=1e-14
    )
    inf = influences(c)
    assert inf.shape == (n,)
    want = [naive.naive_influence(v, i) for i in range(n)]
    np.testing.assert_allclose(inf, want, rtol=1e-11, atol=1e-14)
    assert math.isclose(total_influence(c), sum(want), rel_tol=1e-11, abs_tol=1e-14)


@pytest.mark.parametrize("n", [0, 1, 3, 6])
@pytest.mark.parametrize("rho", [-0.7, 0.0, 0.3, 1.0])
def test_noise_stability_matches_pair_sum(n, rho):
    v = rand_values(n, seed=7 + n, real=True)
    assert math.isclose(
        noise_stability(coefficients(v), rho),
        naive.naive_noise_stability(v, rho),
        rel_tol=1e-10,
        abs_tol=1e-12,
    )


@pytest.mark.parametrize("n", [9, 12])  # blocks of 2**8 plus high bits
def test_kernel_high_bits(n):
    c = np.random.default_rng(n).standard_normal(1 << n)
    deg = np.array([bin(s).count("1") for s in range(1 << n)])
    np.testing.assert_allclose(
        degree_profile(c), np.bincount(deg, c**2, minlength=n + 1), rtol=1e-12
    )
    want = [(c**2)[(np.arange(1 << n) >> i) & 1 == 1].sum() for i in range(n)]
    np.testing.assert_allclose(influences(c), want, rtol=1e-12)


# ----------------------------------------------------------------- closed forms


def test_parity_and_dictator():
    for S, n in [(0b1011, 5), (0, 3), (0b11111, 5)]:
        s = parity(S, n).spectrum()
        k = bin(S).count("1")
        np.testing.assert_array_equal(s.degree_profile(), np.eye(n + 1)[k])
        np.testing.assert_array_equal(s.influences(), [(S >> i) & 1 for i in range(n)])
        assert s.total_influence() == k
        assert s.noise_stability(0.3) == pytest.approx(0.3**k)
    d = dictator(2, 4).spectrum()
    assert d.to_dict() == {4: 1.0}
    np.testing.assert_array_equal(d.influences(), [0, 0, 1, 0])


def test_majority_3_and_5():
    s3 = majority(3).spectrum()
    np.testing.assert_allclose(s3.influences(), [0.5] * 3)
    np.testing.assert_allclose(s3.degree_profile(), [0, 0.75, 0, 0.25])
    assert s3.total_influence() == pytest.approx(1.5)
    for rho in (-0.5, 0.2, 0.9):
        assert s3.noise_stability(rho) == pytest.approx(0.75 * rho + 0.25 * rho**3)
    s5 = majority(5).spectrum()
    np.testing.assert_allclose(s5.influences(), [6 / 16] * 5)  # C(4,2)/2**4
    np.testing.assert_allclose(s5.degree_profile(), [0, 45 / 64, 0, 10 / 64, 0, 9 / 64])
    assert s5.total_influence() == pytest.approx(15 / 8)


def test_noise_sensitivity_boolean():
    v = rand_values(6, seed=3)
    c = coefficients(v)
    for d in (0.0, 0.1, 0.5, 1.0):
        assert noise_sensitivity(c, d) == pytest.approx(0.5 - 0.5 * noise_stability(c, 1 - 2 * d))
    # x0*x1 at delta = 1/4: P[flip parity] = 1/2 - 1/2 (1/2)**2
    assert noise_sensitivity(parity(0b11, 2), 0.25) == pytest.approx(0.375)


# ----------------------------------------------------------------- identities (hypothesis)


@settings(max_examples=40, deadline=None)
@given(n=st.integers(0, 8), seed=st.integers(0, 2**32 - 1), real=st.booleans())
def test_identities(n, seed, real):
    v = rand_values(n, seed, real)
    c = coefficients(v)
    w = degree_profile(c)
    inf = influences(c)
    assert w.sum() == pytest.approx(np.mean(v**2))  # Parseval
    assert total_influence(c) == pytest.approx(w @ np.arange(n + 1))
    assert inf.sum() == pytest.approx(w @ np.arange(n + 1))
    idx = np.arange(1 << n)
    for i in range(n):  # Inf_i = 1/4 E (f(x) - f(x^i))^2
        assert inf[i] == pytest.approx(0.25 * np.mean((v - v[idx ^ (1 << i)]) ** 2), abs=1e-12)
    assert noise_stability(c, 1.0) == pytest.approx(w.sum())
    assert spectral_norm_l1(c) >= np.sqrt(w.sum()) - 1e-12


@settings(max_examples=20, deadline=None)
@given(n=st.integers(1, 7), S=st.integers(0, 2**7 - 1))
def test_parity_influence_indicator(n, S):
    S &= (1 << n) - 1
    np.testing.assert_array_equal(influences(parity(S, n)), [(S >> i) & 1 for i in range(n)])


# ----------------------------------------------------------------- batching and dtypes


def test_batched_history():
    g = np.random.default_rng(0)
    hist = g.standard_normal((4, 3, 1 << 7))  # (..., 2**n)
    c = coefficients(hist)
    assert c.shape == hist.shape
    w = degree_profile(c)
    inf = influences(c)
    assert w.shape == (4, 3, 8) and inf.shape == (4, 3, 7)
    assert total_influence(c).shape == (4, 3)
    assert noise_stability(c, 0.5).shape == (4, 3)
    for i in range(4):
        for j in range(3):
            np.testing.assert_allclose(w[i, j], degree_profile(c[i, j]), rtol=1e-13)
            np.testing.assert_allclose(inf[i, j], influences(c[i, j]), rtol=1e-13)
    # non-contiguous input (a transposed history)
    np.testing.assert_allclose(degree_profile(np.asfortranarray(c[0])), w[0], rtol=1e-13)
    assert degree_profile(np.zeros((0, 8))).shape == (0, 4)


def test_dtypes_and_axis():
    v = rand_values(5, 1)
    np.testing.assert_allclose(coefficients(v.astype(np.int64)), coefficients(v))
    np.testing.assert_allclose(
        degree_profile(coefficients(v).astype(np.float32)),
        degree_profile(coefficients(v)),
        rtol=1e-6,
    )
    np.testing.assert_allclose(
        coefficients(np.stack([v, v], axis=1), axis=0)[:, 1], coefficients(v)
    )
    assert coefficients(v)[0] == pytest.approx(v.mean())


@pytest.mark.parametrize(
    "bad, err",
    [
        (np.zeros(6), ValueError),
        (np.float64(1.0), ValueError),
        (np.zeros(4, dtype=bool), TypeError),
        (np.zeros(4, dtype=complex), TypeError),
    ],
)
def test_errors(bad, err):
    with pytest.raises(err):
        coefficients(bad)
    with pytest.raises(err):
        degree_profile(bad)


def test_rho_delta_range():
    with pytest.raises(ValueError, match="rho"):
        noise_stability([1.0, 0.0], 1.5)
    with pytest.raises(ValueError, match="delta"):
        noise_sensitivity([1.0, 0.0], -0.1)


# ----------------------------------------------------------------- top, strings, distance


def test_top_coefficients():
    c = np.array([0.1, -0.5, 0.5, 0.0, 0.3, -0.3, 0.0, 0.2])
    m, v = top_coefficients(c, 3)
    assert m.tolist() == [1, 2, 4] and v.tolist() == [-0.5, 0.5, 0.3]  # ties: smaller mask
    m, v = top_coefficients(np.stack([c, -c]), 2)
    assert m.shape == (2, 2) and m.tolist() == [[1, 2], [1, 2]]
    assert top_coefficients(c, 100)[0].shape == (8,)
    assert Spectrum(c).top(10, tol=0.15) == [(1, -0.5), (2, 0.5), (4, 0.3), (5, -0.3), (7, 0.2)]


def test_polynomial_strings_golden():
    for ex in CONVENTIONS["examples"]:
        c = coefficients(np.array(ex["values"], dtype=float))
        got = {str(k): v for k, v in Spectrum(c).to_dict().items()}
        assert got == pytest.approx(ex["coefficients"])
        if ex["polynomial"] is not None:
            assert to_polynomial_string(c) == ex["polynomial"]


def test_polynomial_string_formatting():
    assert to_polynomial_string(np.zeros(4)) == "0"
    assert to_polynomial_string([-1.0, 0.0, 0.0, 0.0]) == "-1"
    assert to_polynomial_string([0.0, -1.0, 0.0, 0.0]) == "-x0"
    assert to_polynomial_string([0.0, 0.1 + 0.2, 0.0, -2.0]) == "0.3*x0 - 2*x0*x1"
    # lexicographic within a degree: x0*x3 before x1*x2
    c = np.zeros(16)
    c[0b1001] = c[0b0110] = 1.0
    assert to_polynomial_string(c) == "x0*x3 + x1*x2"
    c = np.arange(16, dtype=float)
    assert (
        to_polynomial_string(c, max_terms=2)
        == "14*x1*x2*x3 + 15*x0*x1*x2*x3 + ... (13 smaller terms)"
    )


def test_distance():
    f, g = np.array([1.0, -1, 1, 1]), np.array([1.0, 1, 1, 1])
    assert distance(f, g) == pytest.approx(1.0)
    assert distance(f, g, "mse") == pytest.approx(1.0)
    assert distance(f, g, "sign") == pytest.approx(0.25)
    # Parseval: the same on coefficients
    assert np.linalg.norm(coefficients(f) - coefficients(g)) == pytest.approx(distance(f, g))
    assert distance(BooleanFunction(f), BooleanFunction(g), "sign") == pytest.approx(0.25)
    with pytest.raises(ValueError, match="metric"):
        distance(f, g, "l1")
    with pytest.raises(ValueError):
        distance(f, np.ones(8))


def test_relevant_variables():
    f = BooleanFunction.from_coefficients({0b101: 1.0, 0b100000: 1e-20}, 6)
    assert relevant_variables(f).tolist() == [True, False, True, False, False, False]
    assert f.spectrum().relevant_variables() == (0, 2)


# ----------------------------------------------------------------- Spectrum object


def test_spectrum_object():
    s = majority(3).spectrum()
    assert s.n == 3 and len(s) == 8
    assert s[{0, 1, 2}] == pytest.approx(-0.5) and s[0b1] == pytest.approx(0.5)
    assert s.mean == 0.0 and s.variance == pytest.approx(1.0)
    assert s.degree() == 3 and s.sparsity() == 4
    assert repr(s) == "Spectrum(n=3, 0.5*x0 + 0.5*x1 + 0.5*x2 - 0.5*x0*x1*x2)"
    with pytest.raises(ValueError):
        s.coefficients[0] = 1.0
    with pytest.raises(ValueError):
        s.degree_profile()[0] = 1.0
    with pytest.raises(IndexError):
        s[1 << 3]
    with pytest.raises(ValueError, match="batch"):
        Spectrum(np.zeros((2, 4)))
    # measures accept Spectrum and BooleanFunction
    np.testing.assert_array_equal(influences(s), s.influences())
    np.testing.assert_array_equal(influences(majority(3)), s.influences())
    assert "nonzero coefficients" in repr(random_function(6, rng=0).spectrum())
    assert Spectrum(np.zeros(4)).degree() == -1


# ----------------------------------------------------------------- memory guard


def test_memory_guard(monkeypatch):
    monkeypatch.setattr(_memory, "available_bytes", lambda: 1 << 20)
    with pytest.raises(MemoryError, match="sampling"):
        random_function(24, rng=0)
    with pytest.raises(ValueError, match="sampling"):
        BooleanFunction.from_callable(lambda x: x[:, 0], 25)


# ----------------------------------------------------------------- boofun as an oracle


boofun = pytest.importorskip("boofun", reason="boofun (test-only oracle) is not installed")


@pytest.mark.parametrize("n, seed", [(1, 0), (3, 1), (6, 2), (10, 3)])
def test_against_boofun(n, seed):
    # boofun's truth table is 0/1 with True = -1 and the same bit order (LSB = x0),
    # so our values are 1 - 2*table.
    t = np.random.default_rng(seed).integers(0, 2, 1 << n)
    bf = boofun.create(t.astype(bool))
    s = BooleanFunction.from_values(t, convention="01").spectrum()
    np.testing.assert_allclose(s.coefficients, np.asarray(bf.fourier()), atol=1e-12)
    np.testing.assert_allclose(s.influences(), np.asarray(bf.influences()), atol=1e-12)
    assert s.total_influence() == pytest.approx(float(bf.total_influence()))
    for rho in (0.3, 0.8):
        assert s.noise_stability(rho) == pytest.approx(float(bf.noise_stability(rho)))
    w = bf.spectral_weight_by_degree()
    np.testing.assert_allclose(
        s.degree_profile(), [float(w.get(k, 0.0)) for k in range(n + 1)], atol=1e-12
    )


# ----------------------------------------------------------------- the analysis report (CLI body)


def test_analyze_report():
    from boolfourier.report import analyze_report, format_report

    r = analyze_report(majority(3), top=3, rho=0.5)
    assert json.loads(json.dumps(r)) == r  # JSON-serialisable as is
    assert r["n"] == 3 and r["is_boolean"] is True and r["expression"] is None
    assert r["degree_profile"] == pytest.approx([0, 0.75, 0, 0.25])
    assert r["influences"] == pytest.approx([0.5] * 3) and r["total_influence"] == pytest.approx(
        1.5
    )
    assert r["noise_stability"] == [{"rho": 0.5, "value": pytest.approx(0.75 * 0.5 + 0.25 * 0.125)}]
    assert [t["mask"] for t in r["top_coefficients"]] == [1, 2, 4]
    assert r["top_coefficients"][0]["monomial"] == "x0"
    assert r["polynomial"] == "0.5*x0 + 0.5*x1 + 0.5*x2 - 0.5*x0*x1*x2"
    assert r["relevant_variables"] == [0, 1, 2] and r["degree"] == 3 and r["sparsity"] == 4
    # values and spectra work too; constants print as "1"
    r2 = analyze_report(np.full(4, 2.0))
    assert r2["top_coefficients"] == [{"monomial": "1", "mask": 0, "coefficient": 2.0}]
    assert analyze_report(majority(3).spectrum())["is_boolean"] is None
    text = format_report(r)
    assert "total influence:  1.5" in text and "k=3: 0.25" in text and "rho=0.5: 0.40625" in text


def test_analyze_report_expression():
    pytest.importorskip("boolfourier.expr")
    from boolfourier.report import analyze_report, format_report

    r = analyze_report("x0*x1 - 1.25*x1*x2 + 1.5*x0*x2", n=15, top=5)
    assert r["n"] == 15 and r["expression"].startswith("x0*x1")
    assert r["polynomial"] == "x0*x1 + 1.5*x0*x2 - 1.25*x1*x2"
    assert r["degree_profile"][2] == pytest.approx(1 + 1.25**2 + 1.5**2)
    assert format_report(r).startswith("f = x0*x1 - 1.25*x1*x2 + 1.5*x0*x2  (n = 15)")


@pytest.mark.parametrize("dtype", [np.longdouble, ">f8", ">f4", np.float16, np.int16])
def test_other_real_dtypes_are_computed_in_float64(dtype):
    v = np.array([1, -1, -1, 1, 2, 0, 1, 3])
    want_c = coefficients(v.astype(np.float64))
    np.testing.assert_allclose(coefficients(v.astype(dtype)), want_c)
    c = (4 * want_c).astype(dtype)  # exact in every dtype here
    np.testing.assert_array_equal(degree_profile(c), degree_profile(c.astype(np.float64)))
    np.testing.assert_array_equal(influences(c), influences(c.astype(np.float64)))


def test_bad_axis_and_nan_order():
    with pytest.raises(ValueError, match="axis 5 is out of range"):
        coefficients(np.ones((2, 4)), axis=5)
    np.testing.assert_array_equal(coefficients(np.ones((4, 2)), axis=-2)[:, 0], [1, 0, 0, 0])
    for c in ([np.nan, 1, 2, 3.0], [1, np.nan, 2, 3.0]):
        with pytest.raises(ValueError, match="NaN"):
            top_coefficients(c, 2)


@pytest.mark.parametrize("scale", [1e-7, 1.0, 1e6])
def test_report_relevant_variables_are_those_of_its_polynomial(scale):
    # the report's tol is on coefficients: 1e-7*x0 had degree 1 and no relevant variable
    # (the influence 1e-14 fell below the same tol)
    from boolfourier.report import analyze_report

    r = analyze_report(BooleanFunction.from_expression("x0 + x1*x3", 5) * scale)
    assert r["degree"] == 2 and r["relevant_variables"] == [0, 1, 3]
    r = analyze_report(BooleanFunction.from_expression("x0 + 1e-13*x2", 3), tol=1e-12)
    assert r["relevant_variables"] == [0] and r["polynomial"] == "x0"
