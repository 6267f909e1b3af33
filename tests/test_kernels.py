"""Tests of the fast numba kernels (boolfourier.transform._kernels) against the
plain radix-2 reference kernel, path by path.

Float64 must match the reference bit for bit, float32 to 1e-6 of the row's
norm, integers exactly.  Paths that the size rules take only at large N
(two passes, threads over rows, L1 sub-blocks) are forced at small N through
explicit plans (``_kernels.make_plan`` keywords).
"""

from __future__ import annotations

import platform

import numba
import numpy as np
import pytest

from boolfourier.transform import _buffers, _kernels, _reference

pytestmark = pytest.mark.skipif(
    numba.config.DISABLE_JIT, reason="the vector kernels are LLVM intrinsics: compiled only"
)

# _run (called directly below) links in threaded code; when it comes from
# numba's cache the threading layer must be started first, as
# _kernels.fwht_inplace does on its first call.
numba.get_num_threads()

DTYPES = (np.float64, np.float32, np.int64, np.int32)
RNG = np.random.default_rng(20240601)


def _data(dtype, rows, n):
    if np.dtype(dtype).kind == "f":
        return RNG.standard_normal((rows, 1 << n)).astype(dtype)
    return RNG.integers(-1000, 1000, (rows, 1 << n)).astype(dtype)


def _check(got, want):
    if got.dtype == np.float32:
        # relative error 1e-6 of each row's 2-norm (the transform preserves norms up to sqrt(N))
        norm = np.linalg.norm(want.astype(np.float64), axis=1, keepdims=True)
        err = np.abs(got.astype(np.float64) - want.astype(np.float64))
        assert np.all(err <= 1e-6 * norm + 1e-30)
    else:  # float64 bit-identical, integers exact
        assert got.dtype == want.dtype
        assert np.array_equal(got, want)


def _scales(dtype, n):
    return (1.0,) if np.dtype(dtype).kind == "i" else (1.0, 0.5**n, 2.0 ** (-n / 2))


def _run_both(a, scale, plan=None, nthreads=1):
    # in place, and into a new array (the copy fused into the first pass)
    got = a.copy()
    want = a.copy()
    orig = a.copy()
    if plan is None:
        _kernels.fwht_inplace(got, scale)
        out = _kernels.fwht_copy(a, scale)
    else:
        _kernels._run(got, float(scale), plan, nthreads)
        out = _kernels._run_copy(a, float(scale), plan, nthreads)
    _reference.fwht_inplace(want, scale)
    _check(got, want)
    _check(out, want)
    assert np.array_equal(a, orig, equal_nan=True)  # the source is untouched


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("n", range(13))
def test_default_plans_small(dtype, n):
    # n = 0..12 covers the scalar path, a lone _low chunk, _low + sweeps, and
    # (n = 12 for 8-byte types) the sweeps above an L1 sub-block.
    for rows in (1, 3):
        for scale in _scales(dtype, n):
            _run_both(_data(dtype, rows, n), scale)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("n", [13, 15, 16, 17])
def test_default_plans_large(dtype, n):
    # 2**16 float64 / 2**17 float32 are the first two-pass sizes (> 256 KiB).
    a = _data(dtype, 1, n)
    for scale in _scales(dtype, n)[:2]:
        _run_both(a, scale)


def test_identity_columns():
    # the kernel applied to the identity rows gives the Sylvester matrix
    n = 6
    h = np.eye(1 << n)
    _kernels.fwht_inplace(h)
    idx = np.arange(1 << n)
    pop = np.vectorize(lambda v: bin(v).count("1"))(idx[:, None] & idx[None, :])
    assert np.array_equal(h, (-1.0) ** pop)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("n", [7, 9, 11])
def test_small_l1_subblocks(dtype, n):
    # L1 sub-blocks of 512 bytes: every size above goes sub-blocks + tail sweeps
    plan = _kernels.make_plan(dtype, 1 << n, l1_bytes=512)
    for scale in _scales(dtype, n)[:2]:
        _run_both(_data(dtype, 2, n), scale, plan)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("n", [3, 6, 10])
def test_parallel_rows(dtype, n):
    plan = _kernels.make_plan(dtype, 1 << n, par_min=1)
    assert plan[0] == 0
    for scale in _scales(dtype, n)[:2]:
        _run_both(_data(dtype, 37, n), scale, plan, nthreads=2)


# (n, b, m): pass 1 on blocks of 2**b, column passes over levels b..m-1 and
# m..n-1.  A column pass of c <= 3 levels is done in place, 4..6 as gather +
# scatter, >= 7 adds middle stages in the buffer; b below the _low size
# exercises scalar pass-1 blocks.
MULTI_PASS = [
    (8, 6, 8), (10, 7, 10), (10, 6, 10), (12, 7, 12), (12, 5, 12), (13, 6, 13),
    (13, 4, 13), (14, 3, 14), (11, 10, 11),
    (12, 5, 9), (13, 6, 8), (14, 5, 12), (14, 6, 13),
]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("n,b,m", MULTI_PASS)
def test_multi_pass(dtype, n, b, m):
    w = _kernels._width(np.dtype(dtype).itemsize)
    if (1 << b) < w:
        pytest.skip("tile narrower than one vector")
    for tw in sorted({w, min(1 << b, 4 * w), 1 << b}):
        plan = _kernels.make_plan(
            dtype, 1 << n, kind=1, b=b, m=m, tw=tw, tw2=min(1 << m, 2 * w), l1_bytes=1024, par_min=1
        )
        assert plan[6] == m
        for nthreads in (1, 2, 3):  # 3 > cores: more workers than cores
            rows = 2 if nthreads == 2 else 1
            for scale in _scales(dtype, n)[:2]:
                _run_both(_data(dtype, rows, n), scale, plan, nthreads)


# (n, b, s, m): super-blocks of 2**s (pass 1 on blocks of 2**b, then levels
# b..s-1 in one column pass, one thread per super-block), then column passes
# over s..m-1 and m..n-1.  s == b is the plan without super-blocks.
SUPER_BLOCKS = [
    (12, 5, 8, 12), (12, 4, 7, 10), (13, 5, 9, 11), (14, 6, 9, 14), (10, 5, 9, 10),
    (11, 6, 10, 11), (13, 4, 11, 12),
]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("n,b,s,m", SUPER_BLOCKS)
def test_super_blocks(dtype, n, b, s, m):
    w = _kernels._width(np.dtype(dtype).itemsize)
    if (1 << b) < w:
        pytest.skip("tile narrower than one vector")
    for tw0 in sorted({w, 1 << b}):
        plan = _kernels.make_plan(dtype, 1 << n, kind=1, b=b, s=s, m=m, tw0=tw0, l1_bytes=1024,
                                  par_min=1)
        assert (plan[3], plan[8], plan[6], plan[9]) == (b, s, m, tw0)
        for nthreads in (1, 2, 3):
            rows = 2 if nthreads == 2 else 1
            for scale in _scales(dtype, n)[:2]:
                _run_both(_data(dtype, rows, n), scale, plan, nthreads)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("ahead", [0, 1, 7, 64, 1000, 1 << 20])
def test_super_blocks_with_prefetch(dtype, ahead):
    # the prefetch distance changes which lines are fetched early, never a result
    w = _kernels._width(np.dtype(dtype).itemsize)
    b = max(5, w.bit_length() + 2)
    plan = _kernels.make_plan(dtype, 1 << (b + 6), kind=1, b=b, s=b + 3, l1_bytes=1024,
                              par_min=1, ahead=ahead)
    assert plan[10] == ahead
    for nthreads in (1, 2):
        _run_both(_data(dtype, 1, b + 6), 1.0, plan, nthreads)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("ahead", [0, 1, 40, 300, 1 << 20])
def test_block_prefetch_cursor(dtype, ahead):
    # _block returns how far its sweeps prefetched: up to ``ahead`` elements past
    # the block it read, never past ``lim``, and (for distances its last sweep
    # alone covers: 2**12 / (8W) iterations, one 64-byte line each) exactly
    # that far; the block's result is unaffected
    itemsize = np.dtype(dtype).itemsize
    w = _kernels._width(itemsize)
    nbits, l1bits, lowbits = 12, 9, (_kernels.LOW_U * w).bit_length() - 1
    size = 1 << nbits
    covered = (size // (8 * w)) * (64 // itemsize)
    src = _data(dtype, 1, nbits + 2).ravel()
    for start, lim in ((0, 4 * size), (size, 2 * size + 100), (2 * size, 3 * size)):
        x = np.zeros_like(src)
        pc = _kernels._block(src, start, x, start, nbits, l1bits, lowbits, 1.0, False,
                             start, lim, ahead)
        want = src[start:start + size].copy().reshape(1, -1)
        _reference.fwht_inplace(want, 1.0)
        np.testing.assert_array_equal(x[start:start + size], want[0])
        end = min(start + size + ahead, lim)
        assert start + size <= pc <= end
        if end - (start + size) <= covered:
            assert pc == end
        else:
            assert pc > start + size + covered


@pytest.mark.skipif(platform.machine() not in ("x86_64", "AMD64"), reason="x86 mnemonic")
@pytest.mark.parametrize("kernel", ["_c2p", "_c4p", "_c8p"])
def test_prefetching_kernels_emit_prefetches(kernel):
    # the prefetching kernels must really prefetch, and compute what the plain
    # ones do; a fresh uncached function, since numba cannot show the machine
    # code of one loaded from its cache
    k = getattr(_kernels, kernel)

    @numba.njit
    def run(x, y):
        k(x, 0, 64, x, 0, 64, 64, 1, 0, 0, 1.0, y, 0, 512)

    x = RNG.integers(-1000, 1000, 512).astype(np.float64)  # exact sums in any order
    want = x.copy().reshape(8, 64)
    radix = int(kernel[2])
    h = np.array([[1.0]])
    while h.shape[0] < radix:
        h = np.block([[h, h], [h, -h]])
    want[:radix] = h @ want[:radix]
    run(x, np.zeros(1024))
    np.testing.assert_array_equal(x.reshape(8, 64), want)
    assert "prefetcht0" in "".join(run.inspect_asm().values())


@pytest.mark.parametrize("nthreads", [1, 2])
@pytest.mark.parametrize("n,b,s,m", [(12, 5, 5, 9), (14, 6, 6, 10), (13, 6, 6, 13),
                                     (13, 5, 9, 11), (12, 4, 8, 12)])
def test_passes_stay_inside_the_counter_array(n, b, s, m, nthreads):
    # the kernels index their shared counters without bounds checks: a pass that
    # counts into a slot past _N_COUNTERS corrupts the heap (the second column pass
    # did, at the default plan of 2**26 float64) while the result stays right
    numba.get_num_threads()
    plan = _kernels.make_plan(np.float64, 1 << n, kind=1, b=b, s=s, m=m, par_min=1)
    prm = plan[list(_kernels._PRM_OF_PLAN)]
    x = np.random.default_rng(0).standard_normal(1 << n)
    want = x.copy()
    _reference.fwht_inplace(want.reshape(1, -1))
    counter = np.zeros(_kernels._N_COUNTERS + 1, dtype=np.int64)  # one sentinel slot
    _kernels._pass(1, x, x, 0, n, prm, 1.0, False, nthreads, counter)
    np.testing.assert_array_equal(x, want)
    assert counter[-1] == 0


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_default_plans_of_large_rows(dtype):
    itemsize = np.dtype(dtype).itemsize
    s = (_kernels.SUPER_BYTES // itemsize).bit_length() - 1
    first = (_kernels.SUPER_MIN_BYTES // itemsize).bit_length() - 1
    assert first > s
    # rows below SUPER_MIN_BYTES: no super-blocks
    plan = _kernels.make_plan(dtype, 1 << (first - 1))
    assert plan[0] == 1 and plan[8] == plan[3]
    # larger rows: super-blocks of SUPER_BYTES, then one column pass ...
    for n in (first, s + 5, s + _kernels.MAX_ROW_BITS):
        plan = _kernels.make_plan(dtype, 1 << n)
        assert plan[0] == 1 and plan[3] < plan[8] == s and plan[6] == n
    # ... or two, when the levels left are too many for one
    plan = _kernels.make_plan(dtype, 1 << (s + _kernels.MAX_ROW_BITS + 1))
    assert plan[8] == s < plan[6] < s + _kernels.MAX_ROW_BITS + 1


@pytest.mark.parametrize("dtype", DTYPES)
def test_default_super_block_plan(dtype, monkeypatch):
    # the default rule, scaled down: super-blocks of 16 KiB planned like rows
    monkeypatch.setattr(_kernels, "SUPER_BYTES", 16 << 10)
    monkeypatch.setattr(_kernels, "SUPER_MIN_BYTES", 64 << 10)
    itemsize = np.dtype(dtype).itemsize
    s = ((16 << 10) // itemsize).bit_length() - 1
    plan = _kernels.make_plan(dtype, 1 << (s + 4), kind=1, l1_bytes=1024, par_min=1)
    assert plan[3] < plan[8] == s < plan[6]
    for nthreads in (1, 2):
        _run_both(_data(dtype, 1, s + 4), 1.0, plan, nthreads)


def test_bad_plan_rejected():
    with pytest.raises(ValueError):
        _kernels.make_plan(np.float64, 1 << 10, kind=1, b=10)
    with pytest.raises(ValueError):  # super-blocks must leave levels to the column passes
        _kernels.make_plan(np.float64, 1 << 10, kind=1, b=5, s=10)
    with pytest.raises(ValueError):
        _kernels.make_plan(np.float64, 1 << 10, kind=1, b=6, s=5)
    with pytest.raises(ValueError):  # tile wider than the super-block's rows
        _kernels.make_plan(np.float64, 1 << 10, kind=1, b=5, s=8, tw0=64)


def test_special_values_float64():
    # signed zeros, infinities and NaN propagate exactly as in the reference
    a = _data(np.float64, 2, 9)
    a[0, ::7] = -0.0
    a[1, 3] = np.inf
    a[1, 100] = -np.inf
    a[0, 5] = np.nan
    got = a.copy()
    want = a.copy()
    _kernels.fwht_inplace(got)
    _reference.fwht_inplace(want)
    assert np.array_equal(got, want, equal_nan=True)
    assert np.array_equal(np.signbit(got), np.signbit(want))


def test_int_wraparound():
    a = np.full((1, 1 << 8), np.iinfo(np.int64).max, dtype=np.int64)
    got = a.copy()
    want = a.copy()
    _kernels.fwht_inplace(got)
    _reference.fwht_inplace(want)
    assert np.array_equal(got, want)


def test_copy_into_reusable_buffer(monkeypatch):
    # fwht_copy of a large array writes into a buffer from transform._buffers
    monkeypatch.setattr(_buffers, "MIN_BYTES", 0)
    for dtype in DTYPES:
        for n in (4, 11, 17):
            _run_both(_data(dtype, 2, n), 1.0)


@pytest.mark.slow
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("n", [20, 22])
def test_default_plans_very_large(dtype, n):
    _run_both(_data(dtype, 1, n), 2.0 ** (-n / 2))


def test_copy_of_readonly_and_strided_input():
    a = _data(np.float64, 3, 6)
    want = a.copy()
    _reference.fwht_inplace(want, 0.5)
    ro = a.copy()
    ro.flags.writeable = False
    _check(_kernels.fwht_copy(ro, 0.5), want)
    wide = np.zeros((3, 128))
    wide[:, ::2] = a
    _check(_kernels.fwht_copy(wide[:, ::2], 0.5), want)
