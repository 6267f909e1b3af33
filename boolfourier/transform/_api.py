"""Public Walsh–Hadamard transform: validation, dispatch and normalisation.

The wrapper validates and lays the data out; the kernel computes (STYLE §3).
"""

from __future__ import annotations

import math
import os

import numba
import numpy as np

from . import _kernels, _reference

__all__ = ["fwht", "ifwht"]

_KERNEL_ENV = "BOOLFOURIER_FWHT_KERNEL"
_kernel_choice = os.environ.get(_KERNEL_ENV, "fast").strip().lower() or "fast"
if _kernel_choice == "fast" and numba.config.DISABLE_JIT:
    # The vector kernels are LLVM intrinsics, which have no pure-Python form; the
    # reference butterflies run as plain Python (e.g. for coverage runs).
    _kernel_choice = "reference"
if _kernel_choice == "fast":
    _kernel = _kernels
elif _kernel_choice == "reference":
    _kernel = _reference
else:  # fail loudly at import: a typo must not silently pick a kernel
    raise ValueError(
        f"{_KERNEL_ENV}={_kernel_choice!r} is not a kernel; use 'fast' or 'reference'"
    )
#: ``inplace(rows, scale)`` and ``copy(rows, scale) -> new rows``: the kernel's two entries.
_inplace, _copy = _kernel.fwht_inplace, _kernel.fwht_copy

#: (dtype, length, scale mode) -> a function giving the transformed copy of a 1-D array:
#: the path of small transforms, where the call overhead is most of the time.
_SMALL: dict = {}

_NORMS = ("backward", "forward", "ortho")
_INVERSE_NORM = {"backward": "forward", "forward": "backward", "ortho": "ortho"}
_FLOAT_TYPES = (np.dtype(np.float32), np.dtype(np.float64))
_INT_TYPES = (np.dtype(np.int32), np.dtype(np.int64))
_KERNEL_TYPES = frozenset(_FLOAT_TYPES + _INT_TYPES)  # native byte order only


def _check_dtype(dt: np.dtype) -> np.dtype:
    """Return the native dtype the kernel runs in, or raise naming the fix."""
    native = dt.newbyteorder("=") if dt.byteorder not in ("=", "|") else dt
    if native in _FLOAT_TYPES or native in _INT_TYPES:
        return native
    if dt.kind == "f":  # float16, longdouble
        raise TypeError(
            f"fwht does not support dtype {dt}; cast to float32 or float64 "
            "(e.g. a.astype(np.float64))"
        )
    if dt.kind in "iub":  # small or unsigned integers, bool
        raise TypeError(
            f"fwht does not support dtype {dt}; cast to int64 for exact integer "
            "butterflies or to float64 (e.g. a.astype(np.int64))"
        )
    if dt.kind == "c":
        raise TypeError(
            f"fwht does not support complex dtype {dt}; the transform is real, so "
            "transform the real and imaginary parts separately"
        )
    raise TypeError(f"fwht needs numeric input, got dtype {dt}")


def _scale(norm: str, n_points: int) -> float:
    if norm == "backward":
        return 1.0
    if norm == "forward":
        return 1.0 / n_points  # a power of two: exact
    return 1.0 / math.sqrt(n_points)


def _check_norm(norm):
    if norm is None:
        return "backward"
    if norm not in _NORMS:
        raise ValueError(f"norm must be one of {_NORMS}, got {norm!r}")
    return norm


def _transform(a, axis, scale_mode, overwrite_x, workers, name, norm):
    # scale_mode: the scaling applied by this call (ifwht swaps it); norm: the user's word.
    # Kept lean: at 2**10 the whole call is a few microseconds.
    x = a if type(a) is np.ndarray else np.asarray(a)
    dt = x.dtype
    if dt not in _KERNEL_TYPES:
        dt = _check_dtype(dt)
    ndim = x.ndim
    if ndim == 0:
        raise ValueError(
            f"{name} needs an array with at least one axis; got a 0-d value "
            "(wrap it: np.atleast_1d(a))"
        )
    if dt.kind == "i" and scale_mode != "backward":
        unscaled = "backward" if name == "fwht" else "forward"
        raise TypeError(
            f"integer input is transformed exactly, so {name} supports it only without "
            f"scaling (norm={unscaled!r}); cast to float64 (a.astype(np.float64)) for norm={norm!r}"
        )
    if axis != -1 or type(axis) is not int:
        if isinstance(axis, bool) or not isinstance(axis, (int, np.integer)):
            raise TypeError(f"axis must be an integer, got {axis!r}")
        if not -ndim <= axis < ndim:
            raise ValueError(
                f"axis {axis!r} is out of range for an array with {ndim} dimension(s)"
            )
        axis = int(axis) % ndim
    n_points = x.shape[axis]
    if n_points < 1 or n_points & (n_points - 1):
        raise ValueError(
            f"length {n_points} along axis {axis} is not a power of two; a function on "
            "{±1}^n has 2**n values (pad or truncate to a power of two)"
        )
    last = axis == -1 or axis == ndim - 1
    xm = x if last else np.moveaxis(x, axis, -1)
    scale = _scale(scale_mode, n_points)
    before = None if workers is None else _set_threads(workers)  # checks workers
    try:
        if xm.size == 0:
            return np.array(x, dtype=dt, copy=True)
        if overwrite_x and x.dtype == dt and xm.flags.c_contiguous and xm.flags.writeable:
            buf = xm  # in the caller's memory
            _inplace(buf.reshape(-1, n_points), scale)
        elif x.dtype == dt and xm.flags.c_contiguous:
            # the copy is fused into the kernel's first pass
            buf = _copy(xm.reshape(-1, n_points), scale).reshape(xm.shape)
            key = (dt, n_points, scale_mode)
            if ndim == 1 and workers is None and _kernel is _kernels and key not in _SMALL:
                _SMALL[key] = _kernels.small_copier(dt, n_points, scale)  # None if not small
        else:  # strided, non-native or converted: lay out a contiguous copy first
            buf = np.array(xm, dtype=dt, order="C", copy=True)
            _inplace(buf.reshape(-1, n_points), scale)
    finally:
        if before is not None:
            numba.set_num_threads(before)
    return buf if last else np.moveaxis(buf, -1, axis)


def _set_threads(workers) -> int | None:
    """Apply ``workers`` to numba's thread count; return the count to restore, or None."""
    if isinstance(workers, bool) or not isinstance(workers, (int, np.integer)) or workers == 0:
        raise ValueError(f"workers must be a non-zero integer or None, got {workers!r}")
    most = numba.config.NUMBA_NUM_THREADS
    # scipy.fft semantics: negative values count back from the number of CPUs.
    n_threads = int(workers) if workers > 0 else max(1, most + 1 + int(workers))
    n_threads = min(n_threads, most)
    before = numba.get_num_threads()
    if n_threads == before:  # setting the thread count costs microseconds: skip it when idle
        return None
    numba.set_num_threads(n_threads)
    return before


def fwht(a, axis=-1, norm="backward", *, overwrite_x=False, workers=None):
    r"""Fast Walsh–Hadamard transform along one axis.

    Computes ``y = H a`` for the unnormalised Sylvester–Hadamard matrix ``H``
    of size ``N = 2**n`` in natural order,

    .. math:: y[S] = \sum_{i=0}^{N-1} (-1)^{\mathrm{popcount}(S \,\&\, i)}\, a[i],

    so that with ``norm="forward"`` the output is the Fourier coefficient
    vector :math:`\hat f(S) = 2^{-n} \sum_x f(x) \chi_S(x)` of a function given
    by its values ``a`` in boolfourier's index order (bit ``k`` of ``i`` set
    means :math:`x_k = -1`).

    Parameters
    ----------
    a : array_like
        Input, float32, float64, int32 or int64, with ``2**n`` entries
        (``n >= 0``) along ``axis`` and any number of other (batch) axes.
        Lists are converted with :func:`numpy.asarray`.
    axis : int, optional
        Axis to transform (default: the last).
    norm : {"backward", "forward", "ortho"}, optional
        scipy.fft's normalisation modes: ``"backward"`` (default) returns
        ``H a``, ``"forward"`` returns ``H a / N`` and ``"ortho"`` returns
        ``H a / sqrt(N)``.  ``None`` means ``"backward"``.  Integer input
        supports ``"backward"`` only.
    overwrite_x : bool, optional
        If True, the transform may be done in the memory of ``a`` (it is,
        when ``a`` is a writeable ndarray of a supported dtype that is
        C-contiguous once ``axis`` is moved last); ``a``'s content is then
        undefined.  If False (default), ``a`` is never modified.
    workers : int, optional
        Maximum number of threads for this call (negative values count back
        from the number of CPUs, as in scipy.fft).  Default: numba's
        current setting.  Small transforms always run on one thread.

    Returns
    -------
    numpy.ndarray
        The transform, same shape and dtype as the input.

    Raises
    ------
    ValueError
        If the length along ``axis`` is not a power of two, the input is 0-d,
        ``axis`` is out of range or ``norm`` is unknown.
    TypeError
        For unsupported dtypes (complex, float16, bool, small or unsigned
        integers), for integer input with ``norm`` other than
        ``"backward"``, and for an ``axis`` that is not an integer.

    Notes
    -----
    Float64 output is bit-identical to the plain radix-2 butterfly applied
    level by level (``h = 1, 2, 4, ...``).  Integer butterflies are exact but
    wrap around on overflow (two's complement), as numpy integer arithmetic
    does: with int64 this cannot happen while ``N * max|a| < 2**63``.
    NaN and infinity propagate as IEEE arithmetic dictates (a NaN in a row
    makes every output of that row NaN).  ``fwht`` is its own inverse up to
    the factor ``N``: ``ifwht(fwht(a, norm=m), norm=m)`` is ``a`` up to
    rounding for float input and every ``m`` (integers, exactly:
    ``ifwht(fwht(a), norm="forward") == N * a``).

    Outputs of 16 MiB and more live in a memory mapping that is kept after
    the caller drops the array and reused by the next large call (a fresh
    mapping costs page faults and zeroing: 2**24 float64 took 33-38 ms into
    fresh memory and 27-29 ms into reused memory on a 2-core machine); it is
    never reused while any array or view refers to it.  At most one such
    buffer is retained; ``BOOLFOURIER_FWHT_REUSE=0`` turns this off.

    Examples
    --------
    >>> import numpy as np
    >>> from boolfourier import fwht
    >>> fwht(np.array([1.0, 0.0, 0.0, 0.0]))
    array([1., 1., 1., 1.])
    >>> fwht(np.array([1.0, -1.0, -1.0, 1.0]), norm="forward")  # x0*x1
    array([0., 0., 0., 1.])
    """
    if (type(a) is np.ndarray and a.ndim == 1 and axis == -1 and type(axis) is int
            and not overwrite_x and workers is None):
        small = _SMALL.get((a.dtype, a.shape[0], norm)) if type(norm) is str else None
        if small is not None:
            flags = a.flags
            if flags.c_contiguous and flags.writeable:
                return small(a)
    norm = _check_norm(norm)
    return _transform(a, axis, norm, overwrite_x, workers, "fwht", norm)


def ifwht(a, axis=-1, norm="backward", *, overwrite_x=False, workers=None):
    r"""Inverse fast Walsh–Hadamard transform along one axis.

    Since ``H @ H = N I``, the inverse of :func:`fwht` is the same transform
    with the normalisation on the other side: ``"backward"`` (default)
    returns ``H a / N``, ``"forward"`` returns ``H a`` and ``"ortho"``
    returns ``H a / sqrt(N)``.  So ``ifwht(fwht(a, norm=m), norm=m)`` gives
    back ``a`` (up to rounding) for every mode ``m``; with
    ``norm="forward"``, ``ifwht`` turns Fourier coefficients back into
    function values.

    Parameters and errors are those of :func:`fwht`, except that integer
    input needs ``norm="forward"`` here (the unscaled direction).

    Examples
    --------
    >>> import numpy as np
    >>> from boolfourier import ifwht
    >>> ifwht(np.array([0.0, 0.0, 0.0, 1.0]), norm="forward")  # values of x0*x1
    array([ 1., -1., -1.,  1.])
    """
    if (type(a) is np.ndarray and a.ndim == 1 and axis == -1 and type(axis) is int
            and not overwrite_x and workers is None):
        small = _SMALL.get((a.dtype, a.shape[0], _INVERSE_NORM.get(norm))) if type(norm) is str else None
        if small is not None:
            flags = a.flags
            if flags.c_contiguous and flags.writeable:
                return small(a)
    norm = _check_norm(norm)
    return _transform(a, axis, _INVERSE_NORM[norm], overwrite_x, workers, "ifwht", norm)
