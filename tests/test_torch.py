"""Tests of boolfourier.torch.fwht / ifwht against the numba transform (STYLE §3.2)."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

torch = pytest.importorskip("torch")

import boolfourier  # noqa: E402
import boolfourier.torch  # noqa: E402
import naive  # noqa: E402
from boolfourier.torch import fwht, ifwht  # noqa: E402

NORMS = ("backward", "forward", "ortho")
DTYPES = (torch.float16, torch.bfloat16, torch.float32, torch.float64)
# Largest error allowed, relative to the largest entry of the exact result.
# float16/bfloat16 are computed in float32 and rounded once: half an ulp of the output.
REL_TOL = {torch.float64: 1e-12, torch.float32: 1e-5, torch.float16: 1e-3, torch.bfloat16: 8e-3}
INVERSE = {"backward": "forward", "forward": "backward", "ortho": "ortho"}
HAS_CUDA = torch.cuda.is_available()
needs_cuda = pytest.mark.skipif(not HAS_CUDA, reason="needs a CUDA device")


@pytest.fixture(autouse=True, params=["numba", "matmul"])
def cpu_engine(request, monkeypatch):
    """Run every test with both CPU kernels: numba (the default) and the device matmul kernel."""
    monkeypatch.setattr(boolfourier.torch, "_CPU_ENGINE", request.param)
    return request.param


def _rand(shape, dtype, seed=0, device="cpu"):
    g = torch.Generator().manual_seed(seed)
    return torch.randn(shape, generator=g, dtype=torch.float64).to(dtype=dtype, device=device)


def _check_close(got, want, dtype):
    """``got`` (tensor) against ``want`` (float64 array), relative to max |want|."""
    assert got.dtype == dtype
    got64 = got.detach().cpu().double().numpy()
    scale = max(np.abs(want).max(), 1e-300)
    err = np.abs(got64 - want).max() / scale
    assert err <= REL_TOL[dtype], f"relative error {err:.3g} > {REL_TOL[dtype]:.3g}"


def _numba(t, dim, norm, inverse=False):
    """The numba transform of exactly the values held by ``t``, in float64."""
    a = t.detach().cpu().double().numpy()
    return (boolfourier.ifwht if inverse else boolfourier.fwht)(a, axis=dim, norm=norm)


# --- values: against the numba transform ---------------------------------------------------


@pytest.mark.parametrize("norm", NORMS)
@pytest.mark.parametrize("dtype", DTYPES, ids=str)
@pytest.mark.parametrize("n", range(0, 13))
def test_matches_numba(n, dtype, norm):
    t = _rand((3, 1 << n), dtype, seed=n)
    _check_close(fwht(t, norm=norm), _numba(t, -1, norm), dtype)
    _check_close(ifwht(t, norm=norm), _numba(t, -1, norm, inverse=True), dtype)


def test_cpu_numba_engine_is_bit_identical(cpu_engine):
    if cpu_engine != "numba":
        pytest.skip("the matmul kernel sums in another order")
    for dtype in (torch.float32, torch.float64):
        t = _rand((3, 1 << 11), dtype)
        for norm in NORMS:
            want = boolfourier.fwht(t.numpy(), norm=norm)
            np.testing.assert_array_equal(fwht(t, norm=norm).numpy(), want)


@pytest.mark.parametrize("n", [0, 1, 3, 7])
def test_matches_dense_hadamard(n):
    # An independent check that does not go through either kernel.
    t = _rand((2, 1 << n), torch.float64, seed=7)
    np.testing.assert_allclose(fwht(t).numpy(), naive.wht(t.numpy()), rtol=0, atol=1e-12)


@pytest.mark.parametrize("dim", [0, 1, 2, 3, -1, -2, -3, -4])
@pytest.mark.parametrize("dtype", [torch.float32, torch.float64], ids=str)
def test_any_dim_and_batch_shape(dim, dtype):
    shape = [4, 8, 2, 16]
    t = _rand(shape, dtype, seed=3)
    for norm in NORMS:
        got = fwht(t, dim=dim, norm=norm)
        assert got.shape == t.shape
        _check_close(got, _numba(t, dim, norm), dtype)


def test_large_n_several_factors():
    # n = 16 and 19 use three and four Kronecker factors; the last dim is not the transform dim.
    for n in (16, 19):
        t = _rand((1 << n, 2), torch.float64, seed=n)
        _check_close(fwht(t, dim=0, norm="ortho"), _numba(t, 0, "ortho"), torch.float64)


def test_non_contiguous_input():
    base = _rand((16, 64), torch.float64, seed=5)
    t = base.t()[:, ::2]  # (64, 8), strided
    assert not t.is_contiguous()
    _check_close(fwht(t, dim=0), _numba(t, 0, "backward"), torch.float64)


def test_lazy_negative_view():
    # x.conj().imag is a real tensor with torch's lazy "negative" bit set.
    view = _rand((4, 16), torch.float64).to(torch.complex128).conj().imag
    assert view.is_neg()
    torch.testing.assert_close(fwht(view), fwht(view.resolve_neg()), rtol=0, atol=1e-15)


def test_empty_batch():
    t = torch.zeros((0, 8), dtype=torch.float64)
    assert fwht(t).shape == (0, 8)
    t = torch.zeros((8, 0), dtype=torch.float32)
    assert fwht(t, dim=0).shape == (8, 0)


def test_characters_transform_to_deltas():
    # The character chi_S has coefficient 1 at S and 0 elsewhere.
    n = 5
    pts = torch.from_numpy(boolfourier.points(n)).double()  # (2**n, n) of ±1
    for s in (0, 1, 0b10110, 0b11111):
        chi = torch.ones(1 << n, dtype=torch.float64)
        for k in range(n):
            if s >> k & 1:
                chi = chi * pts[:, k]
        want = torch.zeros(1 << n, dtype=torch.float64)
        want[s] = 1.0
        torch.testing.assert_close(fwht(chi, norm="forward"), want, rtol=0, atol=1e-15)


@pytest.mark.parametrize("norm", NORMS)
@pytest.mark.parametrize("dtype", DTYPES, ids=str)
def test_round_trip(dtype, norm):
    t = _rand((5, 256), dtype, seed=11)
    back = ifwht(fwht(t, norm=norm), norm=norm)
    assert back.dtype == dtype
    # Two roundings of the low-precision output, each half an ulp of the values.
    tol = {torch.float64: 1e-12, torch.float32: 1e-5, torch.float16: 4e-3, torch.bfloat16: 3e-2}
    torch.testing.assert_close(back.double(), t.double(), rtol=0, atol=tol[dtype] * 4)


def test_input_untouched_and_output_fresh():
    for n in (0, 3, 10):
        t = _rand((2, 1 << n), torch.float64, seed=2)
        before = t.clone()
        for norm in NORMS:
            out = fwht(t, norm=norm)
            assert out.data_ptr() != t.data_ptr()
            out.add_(1.0)  # writing to the output must not touch the input
        torch.testing.assert_close(t, before, rtol=0, atol=0)


# --- autograd --------------------------------------------------------------------------------


@pytest.mark.parametrize("norm", NORMS)
@pytest.mark.parametrize("n", [0, 1, 3, 5])
def test_gradcheck(n, norm):
    # Small on purpose: gradcheck builds the dense Jacobian, gradgradcheck its square.
    t = _rand((2, 1 << n, 2), torch.float64, seed=n).requires_grad_()
    assert torch.autograd.gradcheck(lambda x: fwht(x, dim=1, norm=norm), (t,))
    assert torch.autograd.gradcheck(lambda x: ifwht(x, dim=1, norm=norm), (t,))
    if n <= 3:
        assert torch.autograd.gradgradcheck(lambda x: fwht(x, dim=1, norm=norm), (t,))


@pytest.mark.parametrize("norm", NORMS)
@pytest.mark.parametrize("dtype", [torch.float32, torch.float64, torch.bfloat16], ids=str)
def test_gradient_is_the_transform_of_the_upstream_gradient(dtype, norm):
    # y = s H x with H symmetric, so dL/dx = s H g: the same transform, same norm.
    for func in (fwht, ifwht):
        x = _rand((3, 128), dtype, seed=1).requires_grad_()
        g = _rand((3, 128), dtype, seed=2)
        func(x, norm=norm).backward(g)
        assert x.grad.dtype == dtype
        torch.testing.assert_close(x.grad, func(g, norm=norm), rtol=0, atol=0)


def test_gradient_flows_through_a_spectral_loss():
    # The energy above degree 0 of a function, differentiated through the transform.
    x = _rand((64,), torch.float64, seed=4).requires_grad_()
    loss = (fwht(x, norm="forward")[1:] ** 2).sum()
    loss.backward()
    # d/dx of sum_{S != 0} fhat(S)^2 = 2/N * (x - mean(x)) by Parseval.
    want = 2.0 / 64 * (x.detach() - x.detach().mean())
    torch.testing.assert_close(x.grad, want, rtol=0, atol=1e-14)


def test_no_graph_without_requires_grad():
    t = _rand((4, 32), torch.float32)
    assert fwht(t).grad_fn is None
    with torch.no_grad():
        assert fwht(t.requires_grad_()).grad_fn is None


def _dense(n, dtype=torch.float64):
    return torch.tensor(naive.hadamard(n), dtype=dtype)


def test_output_is_not_a_view_so_in_place_ops_work_under_autograd():
    for device in ("cpu", "meta"):
        x = torch.randn(4, 16, dtype=torch.float64, device=device, requires_grad=True)
        y = fwht(x, dim=0)
        y.mul_(3)  # raised "Output 0 of _FWHT is a view ..." on the matmul path
        if device == "cpu":
            y.sum().backward()
            np.testing.assert_allclose(x.grad.numpy(), 3 * (_dense(2) @ torch.ones(4, 16, dtype=torch.float64)).numpy())


# torch's own forward-AD decompositions load through torch.jit.script, which warns
@pytest.mark.filterwarnings("ignore:`torch.jit.script` is deprecated:DeprecationWarning")
def test_forward_mode_and_torch_func():
    import torch.autograd.forward_ad as fwad

    h = _dense(3)
    x = torch.randn(5, 8, dtype=torch.float64)
    with fwad.dual_level():  # the tangent was dropped (a dual tensor does not require grad)
        tangent = fwad.unpack_dual(fwht(fwad.make_dual(x[0], torch.ones(8, dtype=torch.float64)))).tangent
    torch.testing.assert_close(tangent, h @ torch.ones(8, dtype=torch.float64))
    torch.testing.assert_close(torch.func.vmap(fwht)(x), x @ h)
    torch.testing.assert_close(torch.func.vmap(fwht, in_dims=1)(x.T.contiguous()), x @ h)
    torch.testing.assert_close(torch.func.vmap(lambda v: ifwht(v, norm="ortho"))(x), x @ h / 8**0.5)
    torch.testing.assert_close(torch.func.grad(lambda v: (fwht(v) ** 2).sum())(x[0]), 2 * h @ (h @ x[0]))
    torch.testing.assert_close(torch.func.jacrev(fwht)(x[0]), h)
    torch.testing.assert_close(torch.func.jacfwd(lambda v: fwht(v, norm="forward"))(x[0]), h / 8)


def test_autocast_does_not_lower_the_precision():
    a = _rand((4, 1024), torch.float32)
    want = boolfourier.fwht(a.double().numpy())
    with torch.autocast("cpu", dtype=torch.bfloat16):
        got = fwht(a)
    assert got.dtype == torch.float32
    assert np.abs(got.double().numpy() - want).max() <= REL_TOL[torch.float32] * np.abs(want).max()


# --- bad input -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value, match",
    [
        (torch.arange(8), "cast it first"),
        (torch.ones(8, dtype=torch.int32), "cast it first"),
        (torch.ones(8, dtype=torch.bool), "cast it first"),
        (torch.ones(8, dtype=torch.complex128), "real and imaginary"),
        (np.ones(8), "needs a torch.Tensor"),
        ([1.0, 2.0], "needs a torch.Tensor"),
    ],
)
def test_bad_types(value, match):
    for func in (fwht, ifwht):
        with pytest.raises(TypeError, match=match):
            func(value)


@pytest.mark.skipif(not hasattr(torch, "float8_e4m3fn"), reason="no float8 in this torch")
def test_float8_rejected():
    with pytest.raises(TypeError, match="float32"):
        fwht(torch.ones(8).to(torch.float8_e4m3fn))


@pytest.mark.parametrize("length", [0, 3, 6, 12, 1000])
def test_length_not_power_of_two(length):
    with pytest.raises(ValueError, match="not a power of two"):
        fwht(torch.ones(2, length))
    with pytest.raises(ValueError, match="not a power of two"):
        ifwht(torch.ones(length, 2), dim=0)


def test_zero_dim_bad_dim_bad_norm():
    with pytest.raises(ValueError, match="at least one dimension"):
        fwht(torch.tensor(1.0))
    for dim in (2, -3):
        with pytest.raises(ValueError, match="out of range"):
            fwht(torch.ones(2, 4), dim=dim)
    for dim in (1.0, -1.0, None, True):  # a type error, as in the numpy transform
        with pytest.raises(TypeError, match="dim must be an integer"):
            fwht(torch.ones(2, 4), dim=dim)
    with pytest.raises(ValueError, match="norm must be one of"):
        fwht(torch.ones(4), norm="unitary")
    torch.testing.assert_close(fwht(torch.ones(4), norm=None), fwht(torch.ones(4)))
    torch.testing.assert_close(fwht(torch.ones(2, 4), dim=np.int64(0)), fwht(torch.ones(2, 4), dim=0))


def test_import_boolfourier_does_not_import_torch():
    code = "import sys, boolfourier; print(sorted(m for m in sys.modules if 'torch' in m))"
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "[]", proc.stdout


# --- CUDA (skipped without a device; CI has none) ------------------------------------------


@pytest.fixture
def no_tf32():
    # The float32 tolerance assumes full-precision products (PyTorch's default).
    before = torch.backends.cuda.matmul.allow_tf32
    torch.backends.cuda.matmul.allow_tf32 = False
    try:
        yield
    finally:
        torch.backends.cuda.matmul.allow_tf32 = before


@pytest.mark.gpu
@needs_cuda
@pytest.mark.parametrize("norm", NORMS)
@pytest.mark.parametrize("dtype", DTYPES, ids=str)
@pytest.mark.parametrize("n", [0, 1, 5, 7, 12, 13, 20])
def test_cuda_matches_numba(n, dtype, norm, no_tf32):
    if n == 20 and dtype != torch.float32:
        pytest.skip("one large size is enough")
    t = _rand((2, 1 << n), dtype, seed=n, device="cuda")
    got = fwht(t, norm=norm)
    assert got.device == t.device
    _check_close(got, _numba(t, -1, norm), dtype)
    _check_close(ifwht(t, norm=norm), _numba(t, -1, norm, inverse=True), dtype)


@pytest.mark.gpu
@needs_cuda
@pytest.mark.parametrize("dim", [0, 1, -1])
def test_cuda_any_dim_and_gradients(dim):
    t = _rand((8, 16, 32), torch.float64, seed=9, device="cuda").requires_grad_()
    y = fwht(t, dim=dim, norm="ortho")
    _check_close(y, _numba(t, dim, "ortho"), torch.float64)
    g = _rand((8, 16, 32), torch.float64, seed=10, device="cuda")
    y.backward(g)
    assert t.grad.device == t.device
    torch.testing.assert_close(t.grad, fwht(g, dim=dim, norm="ortho"), rtol=0, atol=0)
    small = _rand((2, 8), torch.float64, seed=1, device="cuda").requires_grad_()
    assert torch.autograd.gradcheck(lambda x: fwht(x, norm="forward"), (small,))


@pytest.mark.gpu
@needs_cuda
def test_cuda_round_trip_and_input_untouched(no_tf32):
    t = _rand((3, 1 << 14), torch.float32, device="cuda")
    before = t.clone()
    torch.testing.assert_close(ifwht(fwht(t)), t, rtol=0, atol=1e-4)
    torch.testing.assert_close(t, before, rtol=0, atol=0)
