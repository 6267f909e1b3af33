"""Tests of boolfourier.fwht / ifwht: the public wrapper over the numba kernels."""

from __future__ import annotations

import json
import pathlib

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import naive
from boolfourier import fwht, ifwht, points

NORMS = ("backward", "forward", "ortho")
FLOATS = (np.float32, np.float64)
INTS = (np.int32, np.int64)
RNG = np.random.default_rng(20230131)


def _scale(norm, size):
    return {"backward": 1.0, "forward": 1.0 / size, "ortho": size**-0.5}[norm]


def _tol(dtype, size):
    # float32 sums of N terms of size ~1: relative error grows like log N * eps.
    return dict(rtol=0, atol=1e-5 * size) if dtype == np.float32 else dict(rtol=0, atol=1e-12 * size)


# --- the golden file: the index convention for n = 3 ------------------------------------


def test_golden_conventions():
    gold = json.loads((pathlib.Path(__file__).parent / "conventions.json").read_text())
    n = gold["n"]
    np.testing.assert_array_equal(points(n), np.array(gold["points"]))
    np.testing.assert_array_equal(fwht(np.eye(1 << n)), np.array(gold["hadamard"]))
    for ex in gold["examples"]:
        want = np.zeros(1 << n)
        for key, val in ex["coefficients"].items():
            want[int(key)] = val
        got = fwht(np.array(ex["values"], dtype=float), norm="forward")
        np.testing.assert_allclose(got, want, atol=1e-15, err_msg=ex["name"])
        # coefficient 0 is the mean
        assert got[0] == pytest.approx(np.mean(ex["values"]))


# --- against the dense Sylvester–Hadamard matrix --------------------------------------------


@pytest.mark.parametrize("norm", NORMS)
@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("n", range(0, 11))
def test_matches_dense_hadamard_float(n, dtype, norm):
    size = 1 << n
    a = RNG.standard_normal((3, size)).astype(dtype)
    want = naive.wht(a) * _scale(norm, size)
    got = fwht(a, norm=norm)
    assert got.dtype == dtype and got.shape == a.shape
    np.testing.assert_allclose(got, want, **_tol(dtype, size))


@pytest.mark.parametrize("dtype", INTS)
@pytest.mark.parametrize("n", range(0, 11))
def test_matches_dense_hadamard_int_exact(n, dtype):
    size = 1 << n
    a = RNG.integers(-1000, 1000, size=(2, size)).astype(dtype)
    got = fwht(a)
    assert got.dtype == dtype
    np.testing.assert_array_equal(got, (a.astype(np.int64) @ naive.hadamard(n).T).astype(dtype))
    # the inverse of the unscaled integer transform is exact too, once divided by N
    np.testing.assert_array_equal(fwht(got) // size, a)


@pytest.mark.parametrize("n", [1, 4, 9, 13, 16])
def test_float64_bit_identical_to_radix2(n):
    a = RNG.standard_normal((2, 1 << n))
    np.testing.assert_array_equal(fwht(a), naive.wht_radix2(a))


# --- identities -------------------------------------------------------------------------------


@pytest.mark.parametrize("norm", NORMS)
@pytest.mark.parametrize("dtype", FLOATS)
def test_round_trip_every_norm(dtype, norm):
    a = RNG.standard_normal((4, 1 << 9)).astype(dtype)
    np.testing.assert_allclose(ifwht(fwht(a, norm=norm), norm=norm), a, **_tol(dtype, 8))
    np.testing.assert_allclose(fwht(ifwht(a, norm=norm), norm=norm), a, **_tol(dtype, 8))


def test_involution_and_parseval():
    a = RNG.standard_normal(1 << 12)
    np.testing.assert_allclose(fwht(fwht(a)), (1 << 12) * a, rtol=1e-12)
    c = fwht(a, norm="forward")
    assert np.sum(c**2) == pytest.approx(np.mean(a**2), rel=1e-12)  # Parseval, f̂ convention
    assert np.sum(fwht(a, norm="ortho") ** 2) == pytest.approx(np.sum(a**2), rel=1e-12)


def test_linearity():
    a, b = RNG.standard_normal((2, 1 << 10))
    np.testing.assert_allclose(fwht(2.5 * a - b), 2.5 * fwht(a) - fwht(b), atol=1e-10)


def test_characters_transform_to_deltas():
    n = 6
    x = points(n).astype(float)
    for mask in (0, 1, 0b101, 0b111111):
        chi = np.prod(np.where((mask >> np.arange(n)) & 1, x, 1.0), axis=1)
        c = fwht(chi, norm="forward")
        want = np.zeros(1 << n)
        want[mask] = 1.0
        np.testing.assert_array_equal(c, want)


# --- batching and axes ------------------------------------------------------------------------


def test_batch_equals_loop_over_rows():
    a = RNG.standard_normal((5, 3, 1 << 7))
    got = fwht(a)
    for idx in np.ndindex(5, 3):
        np.testing.assert_array_equal(got[idx], fwht(a[idx]))


@pytest.mark.parametrize("axis", [0, 1, 2, -1, -2, -3])
def test_any_axis(axis):
    shape = [4, 8, 16]
    a = RNG.standard_normal(shape)
    got = fwht(a, axis=axis, norm="ortho")
    want = np.moveaxis(fwht(np.moveaxis(a, axis, -1), norm="ortho"), -1, axis)
    np.testing.assert_array_equal(got, want)
    np.testing.assert_allclose(got, naive.wht(a, axis=axis) / np.sqrt(a.shape[axis]), atol=1e-12)


def test_non_contiguous_and_non_native_input():
    a = RNG.standard_normal((8, 32))
    view = a[::2, ::2]  # strided view, length 16
    np.testing.assert_allclose(fwht(view), naive.wht(view), atol=1e-12)
    big_endian = a.astype(">f8")
    np.testing.assert_array_equal(fwht(big_endian), fwht(a))
    assert fwht([1, 1]).tolist() == [2, 0]  # lists work; ints stay ints


def test_empty_batch():
    out = fwht(np.zeros((0, 8)))
    assert out.shape == (0, 8)


# --- overwrite_x ------------------------------------------------------------------------------


def test_input_untouched_by_default():
    a = RNG.standard_normal((3, 64))
    keep = a.copy()
    fwht(a)
    ifwht(a, norm="ortho")
    np.testing.assert_array_equal(a, keep)


def test_overwrite_x_works_in_place_when_possible():
    a = RNG.standard_normal((3, 64))
    want = fwht(a)
    out = fwht(a, overwrite_x=True)
    assert np.shares_memory(out, a)
    np.testing.assert_array_equal(out, want)


def test_overwrite_x_still_correct_when_not_possible():
    a = RNG.standard_normal((64, 3))  # axis 0 is not contiguous
    keep = a.copy()
    out = fwht(a, axis=0, overwrite_x=True)
    np.testing.assert_allclose(out, naive.wht(keep, axis=0), atol=1e-12)
    ints = np.arange(8, dtype=np.int16)  # unsupported dtype: cast, never written
    with pytest.raises(TypeError):
        fwht(ints, overwrite_x=True)


# --- workers ---------------------------------------------------------------------------------


@pytest.mark.parametrize("workers", [1, 2, -1])
def test_workers(workers):
    a = RNG.standard_normal((2, 1 << 12))
    np.testing.assert_array_equal(fwht(a, workers=workers), fwht(a))


@pytest.mark.parametrize("workers", [0, 1.5, "2"])
@pytest.mark.parametrize("shape", [(4,), (0, 4)])  # checked for an empty batch too
def test_bad_workers(workers, shape):
    with pytest.raises(ValueError, match="workers"):
        fwht(np.ones(shape), workers=workers)


# --- bad input ---------------------------------------------------------------------------------


@pytest.mark.parametrize("length", [0, 3, 6, 12, 1000])
def test_length_not_power_of_two(length):
    with pytest.raises(ValueError, match="power of two"):
        fwht(np.ones(length))


def test_zero_dim_and_bad_axis_and_norm():
    with pytest.raises(ValueError, match="0-d"):
        fwht(np.float64(1.0))
    with pytest.raises(ValueError, match="axis"):
        fwht(np.ones((2, 4)), axis=2)
    fwht(np.ones(4)), ifwht(np.ones(4))  # (1-d calls of a size seen before take a fast path)
    for a in (np.ones((2, 4)), np.ones(4)):
        for axis in (-1.0, 1.0, "x", None, (0,), True):  # -1.0 == -1 once slipped through
            with pytest.raises(TypeError, match="axis must be an integer"):
                fwht(a, axis=axis)
            with pytest.raises(TypeError, match="axis must be an integer"):
                ifwht(a, axis=axis)
    a = np.ones((2, 4))
    np.testing.assert_array_equal(fwht(a, axis=np.int64(0)), fwht(a, axis=0))
    with pytest.raises(ValueError, match="norm"):
        fwht(np.ones(4), norm="unitary")
    with pytest.raises(ValueError, match="norm"):
        ifwht(np.ones(4), norm=True)


@pytest.mark.parametrize(
    "value, match",
    [
        (np.ones(4, dtype=np.complex128), "complex"),
        (np.ones(4, dtype=np.float16), "float32"),
        (np.ones(4, dtype=bool), "int64"),
        (np.ones(4, dtype=np.uint8), "int64"),
        (np.array(["a", "b"]), "numeric"),
        (np.array([None, None]), "numeric"),
    ],
)
def test_bad_dtypes(value, match):
    with pytest.raises(TypeError, match=match):
        fwht(value)


def test_integer_input_refuses_scaling():
    with pytest.raises(TypeError, match="float64"):
        fwht(np.ones(4, dtype=np.int64), norm="forward")
    with pytest.raises(TypeError, match="norm='backward'"):
        ifwht(np.ones(4, dtype=np.int64))  # backward inverse divides by N
    np.testing.assert_array_equal(ifwht(np.array([4, 0, 0, 0]), norm="forward"), [4, 4, 4, 4])


def test_nan_propagates_within_its_row_only():
    a = np.ones((2, 8))
    a[0, 3] = np.nan
    out = fwht(a)
    assert np.isnan(out[0]).all()
    assert np.isfinite(out[1]).all()


# --- properties (hypothesis) -----------------------------------------------------------------

_tables = st.integers(0, 8).flatmap(
    lambda n: hnp.arrays(
        np.float64, (1 << n,), elements=st.floats(-1e3, 1e3, allow_nan=False, width=64)
    )
)


@settings(max_examples=150, deadline=None)
@given(_tables, st.sampled_from(NORMS))
def test_property_round_trip_and_parseval(f, norm):
    c = fwht(f, norm=norm)
    np.testing.assert_allclose(ifwht(c, norm=norm), f, atol=1e-9 * (1 + np.abs(f).max()))
    assert np.sum(fwht(f, norm="ortho") ** 2) == pytest.approx(np.sum(f**2), rel=1e-9, abs=1e-9)


@settings(max_examples=100, deadline=None)
@given(_tables)
def test_property_matches_dense(f):
    np.testing.assert_allclose(fwht(f), naive.wht(f), atol=1e-9 * (1 + np.abs(f).sum()))


@settings(max_examples=100, deadline=None)
@given(st.integers(0, 8).flatmap(lambda n: hnp.arrays(np.int8, (1 << n,), elements=st.sampled_from([-1, 1]))))
def test_property_boolean_spectrum(f):
    # a ±1-valued function: Parseval gives sum of squared coefficients == 1, and the
    # unscaled integer transform is exact, with every entry ≡ N (mod 2).
    c = fwht(f.astype(np.int64))
    assert int(np.sum(c * c)) == f.size**2
    assert np.all((c - f.size) % 2 == 0)


def test_read_only_input():
    a = RNG.standard_normal((2, 64))
    a.setflags(write=False)
    np.testing.assert_array_equal(fwht(a), naive.wht_radix2(a))
    np.testing.assert_array_equal(fwht(a, overwrite_x=True), naive.wht_radix2(a))  # never written


@pytest.mark.parametrize("norm", NORMS)
def test_small_transform_fast_path_agrees_and_still_validates(norm):
    # The first call of a (dtype, length, norm) takes the general path and registers a
    # direct kernel call for later 1-D calls; both must agree, and later calls with
    # anything unusual must still be checked.
    a = RNG.standard_normal(1 << 9)
    first, second = fwht(a, norm=norm), fwht(a, norm=norm)
    np.testing.assert_array_equal(first, second)
    np.testing.assert_allclose(second, naive.wht_radix2(a) * _scale(norm, a.size), rtol=1e-15, atol=1e-13)
    assert not np.shares_memory(second, a)
    np.testing.assert_allclose(ifwht(ifwht(fwht(a, norm=norm), norm=norm), norm=norm),
                               ifwht(a, norm=norm), atol=1e-12)
    ro = a.copy()
    ro.setflags(write=False)
    np.testing.assert_array_equal(fwht(ro, norm=norm), second)
    np.testing.assert_array_equal(fwht(np.repeat(a, 2)[::2], norm=norm), second)
    with pytest.raises(ValueError, match="workers"):
        fwht(a, norm=norm, workers=0)
    with pytest.raises(ValueError, match="norm"):
        fwht(a, norm=norm.upper())


# --- processes and threads ---------------------------------------------------------------

_FORK_CHILD = """
import multiprocessing as mp
import numpy as np
from boolfourier import fwht
from boolfourier.transform import _reference

def energy(seed):
    x = np.random.default_rng(seed).standard_normal((1, 1 << 20))
    want = x.copy()
    _reference.fwht_inplace(want)
    return bool(np.array_equal(fwht(x), want))

if __name__ == "__main__":
    assert energy(0)  # a parallel transform in the parent first
    with mp.get_context("fork").Pool(2) as pool:
        print(pool.map_async(energy, range(1, 3)).get(timeout=120))
"""

_THREADS_CHILD = """
import threading
import numba
import numpy as np
from boolfourier import fwht
from boolfourier.transform import _reference

x = np.random.default_rng(0).standard_normal((1, 1 << 18))
want = x.copy()
_reference.fwht_inplace(want)
bad = []

def work():
    for _ in range(10):
        bad.extend([] if np.array_equal(fwht(x, workers=2), want) else [1])

threads = [threading.Thread(target=work) for _ in range(4)]
for t in threads:
    t.start()
for t in threads:
    t.join()
print(numba.threading_layer(), len(bad))
"""


def _python(script, **env):
    import os
    import subprocess
    import sys

    return subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=400,
                          env={**os.environ, **env})


@pytest.mark.skipif(not hasattr(__import__("os"), "fork"), reason="needs fork")
def test_a_process_forked_after_a_parallel_transform_can_transform():
    # GNU OpenMP: numba terminates a forked child that starts a parallel region,
    # and a multiprocessing pool then hangs; such a child must run on one thread
    proc = _python(_FORK_CHILD)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert proc.stdout.strip() == "[True, True]"


def test_threads_at_once_under_the_workqueue_layer():
    # numba's workqueue layer (no OpenMP or TBB installed) is not thread-safe
    proc = _python(_THREADS_CHILD, NUMBA_THREADING_LAYER="workqueue")
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert proc.stdout.split() == ["workqueue", "0"]


def test_integer_inverse_and_odd_norm_values():
    a = np.array([1, 2, 3, 4])
    with pytest.raises(TypeError, match="norm='forward'"):  # the unscaled direction of ifwht
        ifwht(a)
    np.testing.assert_array_equal(ifwht(fwht(a), norm="forward"), 4 * a)
    fwht(np.ones(8))  # builds the small-size fast path
    for bad in (["ortho"], {"ortho": 1}):
        with pytest.raises(ValueError, match="norm"):
            fwht(np.ones(8), norm=bad)
        with pytest.raises(ValueError, match="norm"):
            ifwht(np.ones(8), norm=bad)
