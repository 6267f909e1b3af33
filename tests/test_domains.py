"""Tests of boolfourier.domains: masks against definitions, set algebra, sizes, sampling."""

from __future__ import annotations

import math

import numpy as np
import pytest

import naive
from boolfourier import points
from boolfourier.domains import Domain, as_domain, compress_index, expand_index, seen_and_unseen
from boolfourier.expr import parse


def _mask_by_definition(n, pred):
    return np.array([bool(pred(x)) for x in naive.cube(n)])


# ------------------------------------------------------------------ constructors


def test_from_mask_roundtrip_and_variables():
    m = _mask_by_definition(3, lambda x: x[0] == -1 or x[2] == 1)
    d = Domain.from_mask(m)
    assert d.n == 3 and d.kind == "mask"
    np.testing.assert_array_equal(d.mask, m)
    assert d.variables == {0, 2}
    assert d.size == int(m.sum())
    assert Domain.from_mask(np.array([1, 0, 1, 1])).size == 3  # 0/1 integers accepted


@pytest.mark.parametrize("bad", [np.ones(3, bool), np.ones((2, 2), bool), np.array([0.5, 1.0])])
def test_from_mask_rejects(bad):
    with pytest.raises((ValueError, TypeError)):
        Domain.from_mask(bad)


def test_subcube_frozen_holdout_match_definition():
    n = 4
    d = Domain.subcube({0: -1, 2: 1}, n)
    np.testing.assert_array_equal(d.mask, _mask_by_definition(n, lambda x: x[0] == -1 and x[2] == 1))
    assert d.size == 4 and d.variables == {0, 2}
    h = Domain.canonical_holdout(1, n)
    np.testing.assert_array_equal(h.mask, _mask_by_definition(n, lambda x: x[1] == 1))
    np.testing.assert_array_equal(Domain.frozen({1: 1}, n).mask, h.mask)
    with pytest.raises(ValueError, match="out of range"):
        Domain.subcube({4: 1}, n)
    with pytest.raises(ValueError, match=r"\+1 or -1"):
        Domain.subcube({0: 0}, n)


def test_hamming_ball_definition_center_and_edges():
    n = 5
    b = Domain.hamming_ball(2, n)
    np.testing.assert_array_equal(b.mask, _mask_by_definition(n, lambda x: sum(v == -1 for v in x) <= 2))
    c = np.array([1, -1, -1, 1, 1])
    bc = Domain.hamming_ball(1, n, center=c)
    np.testing.assert_array_equal(
        bc.mask, _mask_by_definition(n, lambda x: sum(a != b for a, b in zip(x, c)) <= 1)
    )
    assert Domain.hamming_ball(-1, n).is_empty()
    assert Domain.hamming_ball(n, n).kind == "full"


def test_curriculum_ball_sizes_n16():
    # PAPER_NOTES §7 fact 10
    sizes = [Domain.hamming_ball(r, 16).size for r in (4, 8, 12, 16)]
    assert sizes == [2517, 39203, 64839, 65536]
    assert Domain.hamming_ball(4, 16).size == int(Domain.hamming_ball(4, 16).mask.sum())


def test_set_algebra():
    n = 4
    a = Domain.from_mask(_mask_by_definition(n, lambda x: x[0] * x[1] == 1))
    b = Domain.hamming_ball(2, n)
    c = Domain.subcube({3: -1}, n)
    np.testing.assert_array_equal((~a).mask, ~a.mask)
    np.testing.assert_array_equal((a & b).mask, a.mask & b.mask)
    np.testing.assert_array_equal((a | c).mask, a.mask | c.mask)
    np.testing.assert_array_equal((b - c).mask, b.mask & ~c.mask)
    np.testing.assert_array_equal((~(b & c)).mask, ~(b.mask & c.mask))
    assert (Domain.subcube({0: 1}, n) & Domain.subcube({0: -1}, n)).is_empty()
    assert (~Domain.full(n)).is_empty() and (~Domain.empty(n)).size == 16
    s, u = seen_and_unseen(b)
    np.testing.assert_array_equal(u.mask, ~s.mask)
    with pytest.raises(ValueError, match="different cubes"):
        a & Domain.full(5)


def test_from_expression_and_variables():
    n = 3
    d = Domain.from_expression("x0 == -1 and x1 == -1", n)
    np.testing.assert_array_equal(d.mask, _mask_by_definition(n, lambda x: x[0] == -1 and x[1] == -1))
    assert d.variables == {0, 1}
    f1 = Domain.from_expression("x0*x1*x2 == 1", n)
    assert f1.size == 4
    w = Domain.from_expression("weight(x) <= 1", 4)
    assert w.variables == set(range(4))
    np.testing.assert_array_equal(w.mask, Domain.hamming_ball(1, 4).mask)
    comp = Domain.from_expression("x1 == -1", 5) | ~Domain.from_expression("x3 == 1", 5)
    np.testing.assert_array_equal(comp.mask, _mask_by_definition(5, lambda x: x[1] == -1 or x[3] == -1))
    assert comp.variables == {1, 3} and comp.size == 24
    with pytest.raises(TypeError, match="predicate"):
        Domain.from_expression("x0*x1", n)
    with pytest.raises(ValueError, match="n >= 5"):
        Domain.from_expression("x4 == 1", 3)


def test_large_n_without_tables():
    n = 40
    u = Domain.from_expression("x0 == -1 and x1 == -1", n)
    assert u.size == 2 ** 38 and u.density == 0.25
    assert (~u).density == 0.75
    np.testing.assert_array_equal(u.reduced_mask((0, 1)), [False, False, False, True])
    with pytest.raises(ValueError, match="too large"):
        u.mask  # noqa: B018
    x = np.ones((2, n), dtype=np.int8)
    x[1, :2] = -1
    np.testing.assert_array_equal(u.contains(x), [False, True])
    assert Domain.hamming_ball(3, 64).size == sum(math.comb(64, j) for j in range(4))


@pytest.mark.parametrize(
    "dom",
    [
        Domain.subcube({0: -1, 5: 1}, 50),
        Domain.hamming_ball(3, 30),
        Domain.hamming_ball(2, 8, center=[1, -1] * 4),
        ~Domain.subcube({0: -1, 1: -1}, 40),
        Domain.from_mask(np.arange(16) % 3 == 0),
        Domain.from_expression("x0*x1 == -1 or x7 == 1", 40),
        Domain.full(70),
    ],
)
def test_sample_lies_in_domain(dom):
    x = dom.sample(500, rng=1)
    assert x.shape == (500, dom.n) and x.dtype == np.int8
    assert np.all(dom.contains(x))


def test_ball_sample_distance_distribution():
    n, k = 10, 3
    x = Domain.hamming_ball(k, n).sample(20000, rng=0)
    w = (x == -1).sum(1)
    p = np.array([math.comb(n, j) for j in range(k + 1)], float)
    p /= p.sum()
    np.testing.assert_allclose(np.bincount(w, minlength=k + 1) / w.size, p, atol=0.015)


def test_empty_domain_errors():
    e = Domain.subcube({0: 1}, 3) & Domain.subcube({1: 1}, 3) & Domain.subcube({0: -1}, 3)
    assert e.is_empty()
    with pytest.raises(ValueError, match="empty"):
        e.sample(3, rng=0)
    with pytest.raises(ValueError, match="seen set is empty"):
        Domain.from_mask(np.zeros(8, bool)).require_nonempty("the seen set")


def test_contains_validation_and_index_maps():
    d = Domain.subcube({0: -1}, 2)
    with pytest.raises(ValueError, match="shape"):
        d.contains(np.ones((3, 3)))
    with pytest.raises(ValueError, match=r"\+1 or -1"):
        d.contains(np.zeros((1, 2)))
    assert [-1, 1] in d and [1, 1] not in d
    j = np.arange(8)
    np.testing.assert_array_equal(compress_index(expand_index(j, (1, 4, 6)), (1, 4, 6)), j)


def test_as_domain():
    assert as_domain([True, False]).n == 1
    assert as_domain("x0 == 1", 3).size == 4
    with pytest.raises(ValueError, match="expected 2"):
        as_domain(np.ones(8, bool), 2)
    with pytest.raises(TypeError, match="subcube"):
        as_domain({0: 1}, 3)


def test_emptiness_of_predicates_on_many_coordinates():
    # weight-only predicates are shells: exact at any n
    unseen = Domain.from_expression("weight(x) > 30", 40)
    assert not unseen.is_empty() and not (~unseen).is_empty()
    assert (~unseen).require_nonempty("the seen domain") is not None
    assert Domain.from_expression("weight(x) > 100", 40).is_empty()
    # a predicate that also reads a coordinate has no closed form: a probe finds members ...
    assert not Domain.from_expression("x0 == 1 and weight(x) > 15", 40).is_empty()
    # ... and a sparse (here: empty) one that cannot be counted is refused, not guessed
    with pytest.raises(ValueError, match="cannot tell whether"):
        Domain.from_expression("x0 == 1 and weight(x) > 100", 40).is_empty()


WEIGHT_PREDICATES = [
    ("weight(x) <= 3", "ball", "weight(x) <= 3"),
    ("weight(x) < 3.5", "ball", "weight(x) <= 3"),
    ("weight(x) > 3", "shells", "weight(x) >= 4"),
    ("3 < weight(x)", "shells", "weight(x) >= 4"),
    ("not weight(x) <= 3", "shells", "weight(x) >= 4"),
    ("2 <= weight(x) <= 5", "shells", "2 <= weight(x) <= 5"),
    ("weight(x) == 4", "shells", "weight(x) == 4"),
    ("weight(x) <= 1 or weight(x) >= 6", "shells", "weight(x) in {0, 1, 6, 7}"),
    ("majority(x) == 1", "ball", "weight(x) <= 3"),
    ("2*weight(x) - 1 >= -0.5 and weight(x) != 7", "shells", "1 <= weight(x) <= 6"),
]


@pytest.mark.parametrize("text,kind,describe", WEIGHT_PREDICATES)
def test_weight_predicates_become_hamming_shells(text, kind, describe):
    d = Domain.from_expression(text, 7)
    assert d.kind == kind and repr(d) == f"Domain(n=7: {describe})"
    np.testing.assert_array_equal(d.mask, parse(text).evaluate(points(7)))
    assert d.size == int(np.count_nonzero(parse(text).evaluate(points(7))))
    big = Domain.from_expression(text, 60)  # exact size and samples where tabulation is impossible
    w = np.arange(61)
    reps = np.where(np.arange(60)[None, :] < w[:, None], -1, 1)
    assert big.size == sum(math.comb(60, int(k)) for k in w[parse(text).evaluate(reps)])
    assert parse(text).evaluate(big.sample(300, rng=0)).all()
    np.testing.assert_array_equal(big.contains(reps), parse(text).evaluate(reps))


@pytest.mark.parametrize("text", [t for t, _, _ in WEIGHT_PREDICATES])
def test_radius_is_that_of_a_ball_about_any_centre(text):
    # by brute force: the domain is a ball of radius r about some point iff radius == r
    d = Domain.from_expression(text, 7)
    x = points(7)
    balls = {r for r in range(8) for c in (x[0], x[-1])
             if np.array_equal(d.mask, np.count_nonzero(x != c, axis=1) <= r)}
    assert {d.radius} - {None} == balls


def test_predicates_reading_coordinates_stay_expressions():
    for text in ("weight(x) <= 3 and x0 == 1", "weight(4) <= 1", "cyclic(2) >= 0"):
        assert Domain.from_expression(text, 8).kind == "expression"


def test_hamming_shells_algebra_and_errors():
    a, b = Domain.hamming_shells([0, 1, 2], 9), Domain.hamming_shells([2, 3], 9)
    assert (a & b).kind == "shells" and (a & b).size == math.comb(9, 2)
    assert (a | b).kind == "ball" and (a | b).size == sum(math.comb(9, k) for k in range(4))
    assert (~a).size == 2**9 - a.size and (~~a).kind == "ball"
    c = Domain.hamming_shells([1], 9, center=[-1] + [1] * 8)
    assert (a & c).kind == "intersection"  # different centres: no closed form, still right
    np.testing.assert_array_equal((a & c).mask, a.mask & c.mask)
    assert Domain.hamming_shells([], 9).kind == "empty" and Domain.hamming_shells(range(10), 9).kind == "full"
    with pytest.raises(ValueError, match="0..n"):
        Domain.hamming_shells([10], 9)
    with pytest.raises(ValueError, match="0..n"):
        Domain.hamming_shells([True], 9)


def test_sample_zero_points_of_any_domain():
    for dom in (Domain.from_expression("weight(x) <= 30", 30), Domain.hamming_ball(3, 30),
                Domain.subcube({0: -1}, 30), Domain.full(30)):
        x = dom.sample(0, rng=0)
        assert x.shape == (0, 30) and x.dtype == np.int8


def test_density_for_very_large_n():
    assert Domain.subcube({0: -1}, 2000).density == 0.5
    assert (~Domain.subcube({0: -1, 1: -1}, 1500)).density == 0.75
