r"""Walsh–Hadamard transform of PyTorch tensors: CPU and CUDA, differentiable.

:func:`fwht` / :func:`ifwht` have the semantics of :func:`boolfourier.fwht`
(scipy.fft's ``norm`` modes, any axis, any batch shape) for
``torch.Tensor`` input, so a model's output can be analysed, or a loss on
its spectrum trained, without leaving the device.  This module imports
torch; ``import boolfourier`` does not import it.

How it computes.  CPU tensors go to boolfourier's numba kernel (the one
CPU butterfly, STYLE §3.2) through a zero-copy numpy view, so they are as
fast as :func:`boolfourier.fwht`.  Other devices (CUDA) use dense matrix
products.  Write ``N = 2**n = A_1 A_2 ... A_m`` with every factor a
power of two of at most ``2**k`` (``k`` = 5–7 by device and dtype).  Since
the Sylvester matrix factorises as a Kronecker product,
``H_N = H_{A_1} ⊗ ... ⊗ H_{A_m}``, the transform of a tensor viewed as
``(..., A_1, ..., A_m, ...)`` is one small dense matrix product per factor
(``H_A`` is cached per size, scale, dtype and device).  That is
``ceil(n / k)`` passes over the data and as many allocations, instead of
``n`` butterfly passes; on GPUs the products run on the matrix units.
This is the second of boolfourier's two transform kernels: the numba one
is the CPU path, this one is for GPUs.  The tests run it on the CPU as
well (``_CPU_ENGINE = "matmul"``) and compare it with the numba one.
"""

from __future__ import annotations

import contextlib
import functools
import math

import torch

from .transform import fwht as _fwht_numpy  # the numba transform, for CPU tensors

__all__ = ["fwht", "ifwht"]

_NORMS = ("backward", "forward", "ortho")
_INVERSE_NORM = {"backward": "forward", "forward": "backward", "ortho": "ortho"}
_SUPPORTED = (torch.float16, torch.bfloat16, torch.float32, torch.float64)
_LOW_PRECISION = (torch.float16, torch.bfloat16)

# Largest Hadamard factor, as log2 of its size, per (device type, compute dtype).
# A factor of 2**k costs 2 * 2**k flops per element but saves k - 1 passes over
# memory.  CPU values were measured with MKL on a 2-core AMD EPYC (float64 GEMM
# there is ~4x slower than float32, so its blocks are smaller); the CUDA
# values are a starting point, not tuned.
_BLOCK_BITS = {
    ("cpu", torch.float32): 6,
    ("cpu", torch.float64): 5,
    ("cuda", torch.float32): 6,
    ("cuda", torch.float64): 5,
}
_DEFAULT_BLOCK_BITS = 6

# Which kernel CPU tensors use: "numba" (boolfourier.fwht, the fast CPU kernel)
# or "matmul" (the device kernel below; 5-15x slower on CPUs, kept selectable so
# the tests exercise it without a GPU).
_CPU_ENGINE = "numba"


@functools.lru_cache(maxsize=512)
def _hadamard(size: int, scale: float, dtype: torch.dtype, device: torch.device) -> torch.Tensor:
    """``scale * H_size`` (Sylvester order) as a dense tensor; cached."""
    # Built outside inference mode so the cached matrix is usable everywhere.
    with torch.inference_mode(False), torch.no_grad():
        idx = torch.arange(size)
        bits = torch.bitwise_and(idx[:, None], idx[None, :])
        parity = torch.zeros_like(bits)
        while bool(bits.any()):  # popcount parity of i & j, log2(size) steps
            parity ^= bits & 1
            bits >>= 1
        h = (1 - 2 * parity).to(torch.float64) * scale
        return h.to(dtype=dtype, device=device)


def _split_bits(n: int, k: int) -> list[int]:
    """Split ``n`` levels into ``ceil(n / k)`` nearly equal factors (most significant first)."""
    m = max(1, -(-n // k))
    return [n // m + (1 if i < n % m else 0) for i in range(m)]


def _transform3(x: torch.Tensor, scale: float, out: torch.Tensor | None = None) -> torch.Tensor:
    """``scale * H`` applied to axis 1 of the contiguous 3-D tensor ``x`` (pre, N, post);
    the last product writes into ``out`` (same shape and dtype) when given."""
    pre, size, post = x.shape
    n = size.bit_length() - 1
    if n == 0:
        y = x * scale if scale != 1.0 else x.clone()
        return y if out is None else out.copy_(y)
    k = _BLOCK_BITS.get((x.device.type, x.dtype), _DEFAULT_BLOCK_BITS)
    y = x
    inner = post  # product of the axes after the current factor, post included
    # Factor j acts on the axis of size A_j inside (pre * outer, A_j, inner).
    # Start from the least significant factor: when post == 1 that is a plain
    # 2-D GEMM on contiguous rows.  The scale rides on the first factor only.
    factors = list(reversed(_split_bits(n, k)))
    for j, bits in enumerate(factors):
        a = 1 << bits
        h = _hadamard(a, scale, x.dtype, x.device)
        scale = 1.0
        last = out if j == len(factors) - 1 else None
        if inner == 1:  # (rows, a) @ H_a; H symmetric
            y = torch.matmul(y.reshape(-1, a), h, **({} if last is None else {"out": last.view(-1, a)}))
        else:  # H_a @ (batch, a, inner)
            y = torch.matmul(h, y.reshape(-1, a, inner), **({} if last is None else {"out": last.view(-1, a, inner)}))
        inner *= a
    return y.reshape(pre, size, post) if out is None else out


def _apply(x: torch.Tensor, dim: int, mode: str) -> torch.Tensor:
    """``x`` transformed along ``dim``, scaled as ``fwht(norm=mode)``; a new tensor, same dtype."""
    if x.numel() == 0:
        return x.clone()
    if x.device.type == "cpu" and _CPU_ENGINE == "numba":
        return _apply_numba(x, dim, mode)
    return _apply_matmul(x, dim, _scale(mode, x.shape[dim]))


def _apply_numba(x, dim, mode):
    low = x.dtype in _LOW_PRECISION
    # force=True: detach and resolve a negative-view bit; a view of x, never a copy of it.
    arr = (x.detach().float() if low else x).numpy(force=True)
    # overwrite_x only for the float32 temporary made here; x itself is never written.
    y = torch.from_numpy(_fwht_numpy(arr, axis=dim, norm=mode, overwrite_x=low))
    return y.to(x.dtype) if low else y


def _apply_matmul(x, dim, scale):
    shape = x.shape
    size = shape[dim]
    pre = math.prod(shape[:dim])
    post = math.prod(shape[dim + 1:])
    work = x.float() if x.dtype in _LOW_PRECISION else x
    # A fresh tensor of x's shape, not a view of a temporary: a custom Function
    # returning a view breaks in-place ops on its output under autograd.
    out = torch.empty(shape, dtype=x.dtype, device=x.device)
    out3 = out.view(pre, size, post)
    # autocast would run the products in float16/bfloat16: this is exact arithmetic
    with _no_autocast(x.device.type):
        if work.dtype == x.dtype:
            _transform3(work.contiguous().view(pre, size, post), scale, out=out3)
        else:
            out3.copy_(_transform3(work.contiguous().view(pre, size, post), scale))
    return out


def _no_autocast(device_type: str):
    if device_type in ("cpu", "cuda"):
        return torch.autocast(device_type, enabled=False)
    return contextlib.nullcontext()


class _FWHT(torch.autograd.Function):
    """``y = s H x`` along one axis.  ``H`` is symmetric, so the adjoint is the same map,
    and the map is linear, so its forward-mode derivative (jvp) is the map itself.
    Written with ``setup_context`` and a ``vmap`` rule so that torch.func
    (grad, jacrev, jacfwd, vmap) works through it."""

    @staticmethod
    def forward(x, dim, mode):
        return _apply(x, dim, mode)

    @staticmethod
    def setup_context(ctx, inputs, output):
        _, ctx.dim, ctx.mode = inputs

    @staticmethod
    def backward(ctx, grad):
        # Through .apply, so double backward works too.
        return _FWHT.apply(grad, ctx.dim, ctx.mode), None, None

    @staticmethod
    def jvp(ctx, tangent, _dim, _mode):
        return _FWHT.apply(tangent, ctx.dim, ctx.mode)

    @staticmethod
    def vmap(info, in_dims, x, dim, mode):
        if in_dims[0] is None:
            return _FWHT.apply(x, dim, mode), None
        # the batch axis first; dim (>= 0) counted on one sample
        return _FWHT.apply(x.movedim(in_dims[0], 0), dim + 1, mode), 0


def _check(t, dim, norm, name):
    if not isinstance(t, torch.Tensor):
        raise TypeError(
            f"boolfourier.torch.{name} needs a torch.Tensor, got {type(t).__name__}; "
            f"use torch.as_tensor(a), or boolfourier.{name} for numpy arrays"
        )
    if t.dtype not in _SUPPORTED:
        if t.is_complex():
            fix = "transform the real and imaginary parts separately (t.real, t.imag)"
        else:
            fix = "cast it first, e.g. t.float() or t.double()"
        raise TypeError(
            f"boolfourier.torch.{name} supports float16, bfloat16, float32 and float64 "
            f"tensors, got {t.dtype}; {fix}"
        )
    if norm is None:
        norm = "backward"
    if norm not in _NORMS:
        raise ValueError(f"norm must be one of {_NORMS}, got {norm!r}")
    if t.dim() == 0:
        raise ValueError(
            f"{name} needs a tensor with at least one dimension; got a 0-d tensor "
            "(wrap it: t.reshape(1))"
        )
    if isinstance(dim, bool) or not hasattr(dim, "__index__"):
        raise TypeError(f"dim must be an integer, got {dim!r}")
    if not -t.dim() <= dim.__index__() < t.dim():
        raise ValueError(f"dim {dim!r} is out of range for a tensor with {t.dim()} dimension(s)")
    dim = dim.__index__()  # numpy integers too, as boolfourier.fwht's axis
    dim %= t.dim()
    size = t.shape[dim]
    if size < 1 or size & (size - 1):
        raise ValueError(
            f"length {size} along dim {dim} is not a power of two; a function on "
            "{±1}^n has 2**n values (pad or truncate to a power of two)"
        )
    return dim, norm, size


def _scale(norm: str, size: int) -> float:
    if norm == "backward":
        return 1.0
    if norm == "forward":
        return 1.0 / size  # a power of two: exact
    return 1.0 / math.sqrt(size)


def _run(t, dim, norm, inverse, name):
    dim, norm, _ = _check(t, dim, norm, name)
    mode = _INVERSE_NORM[norm] if inverse else norm  # the scaling this call applies
    if (torch.is_grad_enabled() and t.requires_grad) or _traced(t):
        return _FWHT.apply(t, dim, mode)
    return _apply(t, dim, mode)


def _traced(t) -> bool:
    """Whether ``t`` carries a forward-mode tangent or a torch.func transform is active:
    then the call must go through the Function (its jvp / vmap rules)."""
    fwad = torch.autograd.forward_ad
    if getattr(fwad, "_current_level", -1) >= 0 and fwad.unpack_dual(t).tangent is not None:
        return True
    active = getattr(torch._C, "_are_functorch_transforms_active", None)
    return bool(active and active())


def fwht(t, dim=-1, norm="backward"):
    r"""Fast Walsh–Hadamard transform of a tensor along one dimension.

    Computes ``y = H t`` for the unnormalised Sylvester–Hadamard matrix ``H``
    of size ``N = 2**n`` in natural order,

    .. math:: y[S] = \sum_{i=0}^{N-1} (-1)^{\mathrm{popcount}(S \,\&\, i)}\, t[i],

    exactly as :func:`boolfourier.fwht` does for arrays: with
    ``norm="forward"`` the output is the Fourier coefficient vector
    :math:`\hat f(S) = 2^{-n} \sum_x f(x) \chi_S(x)` of the function whose
    values (in boolfourier's index order) are ``t``.

    Parameters
    ----------
    t : torch.Tensor
        Input on any device, float16, bfloat16, float32 or float64, with
        ``2**n`` entries (``n >= 0``) along ``dim`` and any number of other
        (batch) dimensions.
    dim : int, optional
        Dimension to transform (default: the last).
    norm : {"backward", "forward", "ortho"}, optional
        scipy.fft's normalisation modes: ``"backward"`` (default) returns
        ``H t``, ``"forward"`` returns ``H t / N`` and ``"ortho"`` returns
        ``H t / sqrt(N)``.  ``None`` means ``"backward"``.

    Returns
    -------
    torch.Tensor
        A new tensor with the shape, dtype and device of ``t``; ``t`` is
        never modified.

    Raises
    ------
    TypeError
        If ``t`` is not a tensor, or its dtype is integer, bool, complex or
        another floating type, or ``dim`` is not an integer.
    ValueError
        If the length along ``dim`` is not a power of two, ``t`` is 0-d,
        ``dim`` is out of range or ``norm`` is unknown.

    Notes
    -----
    Differentiable: the map is linear and ``H`` is symmetric, so the
    gradient of ``fwht(t, norm=m)`` with respect to ``t`` is
    ``fwht(g, norm=m)`` of the upstream gradient ``g`` (and likewise for
    :func:`ifwht`); higher derivatives work too.

    Devices and precision.  CPU tensors run boolfourier's numba kernel (same
    speed and bits as :func:`boolfourier.fwht`; the output is a fresh tensor
    that shares no memory with the input).  On other devices the transform
    is a few dense products with ``±1`` matrices (see the module docstring), so float64 agrees with
    the CPU result to about ``1e-15 * log2(N)`` relative, not bit for bit.
    float16 and bfloat16 are computed in float32 and rounded back once at the
    end, on every device.  **TF32**: on
    CUDA, if TF32 matrix products are allowed
    (``torch.backends.cuda.matmul.allow_tf32 = True`` or
    ``torch.set_float32_matmul_precision("high")``), float32 inputs are
    rounded to a 10-bit mantissa inside the products and results are only
    good to about ``1e-3`` relative; keep TF32 off (PyTorch's default) or use
    float64 when exact spectra matter.  Likewise ``"medium"`` precision may
    use bfloat16 products.

    Examples
    --------
    >>> import torch
    >>> from boolfourier.torch import fwht
    >>> fwht(torch.tensor([1.0, 0.0, 0.0, 0.0]))
    tensor([1., 1., 1., 1.])
    >>> fwht(torch.tensor([1.0, -1.0, -1.0, 1.0]), norm="forward")  # x0*x1
    tensor([0., 0., 0., 1.])
    """
    return _run(t, dim, norm, False, "fwht")


def ifwht(t, dim=-1, norm="backward"):
    r"""Inverse fast Walsh–Hadamard transform of a tensor along one dimension.

    Since ``H @ H = N I``, the inverse of :func:`fwht` is the same transform
    with the normalisation on the other side: ``"backward"`` (default)
    returns ``H t / N``, ``"forward"`` returns ``H t`` and ``"ortho"``
    returns ``H t / sqrt(N)``.  So ``ifwht(fwht(t, norm=m), norm=m)``
    equals ``t`` (up to rounding) for every mode ``m``.

    Parameters, return value, errors and notes are those of :func:`fwht`.

    Examples
    --------
    >>> import torch
    >>> from boolfourier.torch import ifwht
    >>> ifwht(torch.tensor([0.0, 0.0, 0.0, 1.0]), norm="forward")  # values of x0*x1
    tensor([ 1., -1., -1.,  1.])
    """
    return _run(t, dim, norm, True, "ifwht")
