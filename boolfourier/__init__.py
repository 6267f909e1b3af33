r"""boolfourier: Fourier analysis of Boolean functions and GOTU experiments.

Conventions (pinned by ``tests/conventions.json``; README, "Conventions"):

* a point :math:`x \in \{\pm1\}^n` is the index ``i = sum_k b_k 2**k`` with
  :math:`x_k = (-1)^{b_k}` (bit 0 of ``i`` is :math:`x_0`; a set bit means -1);
* a monomial :math:`\chi_S(x) = \prod_{k \in S} x_k` is the bitmask ``S``;
* :math:`\hat f(S) = 2^{-n} \sum_x f(x) \chi_S(x)`, i.e.
  ``fwht(values, norm="forward")[S]``.

Transforms
----------
fwht, ifwht           Walsh–Hadamard transform (numba), scipy.fft's ``norm`` modes.
boolfourier.torch.fwht  the same for torch tensors (CPU/CUDA, autograd).

The cube
--------
points                all of {±1}^n in index order.

Functions (``boolfourier.function``)
------------------------------------
BooleanFunction       immutable dense function: from_values / from_callable /
                      from_expression / from_coefficients, evaluate, restrict,
                      arithmetic, spectrum().
parity, monomial, dictator, majority, threshold, and_, or_, tribes,
cyclic_sum, pvr, random_function, constant     named families.

Spectra and measures (``boolfourier.spectrum``; batched on the last axis)
-------------------------------------------------------------------------
coefficients          f̂ = fwht(values, norm="forward").
degree_profile        W^k = Σ_{|S|=k} f̂(S)², k = 0..n.
influences            Inf_i = Σ_{S∋i} f̂(S)².
total_influence, noise_stability, noise_sensitivity, spectral_norm_l1,
relevant_variables, top_coefficients, to_polynomial_string, distance.
Spectrum              one function's coefficients with cached measures.

Sampling for large n (``boolfourier.sampling``)
-----------------------------------------------
estimate_coefficients, estimate_degree_weights, estimate_influences,
estimate_total_influence, estimate_noise_stability (each an Estimate with a
standard error), sample_points.

Reports (``boolfourier.report``)
--------------------------------
analyze_report, format_report   the body of ``boolfourier analyze``.
"""

from .cube import points
from .transform import fwht, ifwht
from ._memory import DenseMemoryError
from .function import (
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
from .domains import Domain
from .interpolation import (
    GotuError,
    Interpolant,
    JuntaFunction,
    canonical_holdout_error,
    gotu_error,
    min_degree_interpolator,
    min_norm_interpolator,
    min_weighted_norm_interpolator,
    symmetric_min_degree_interpolator,
)
from .report import analyze_report, format_report
from .sampling import (
    Estimate,
    estimate_coefficients,
    estimate_degree_weights,
    estimate_influences,
    estimate_noise_stability,
    estimate_total_influence,
    sample_points,
)
from .spectrum import (
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

__version__ = "0.1.0.dev0"

__all__ = [
    "fwht",
    "ifwht",
    "points",
    # functions and families
    "BooleanFunction",
    "parity",
    "monomial",
    "dictator",
    "majority",
    "threshold",
    "and_",
    "or_",
    "tribes",
    "cyclic_sum",
    "pvr",
    "random_function",
    "constant",
    "DenseMemoryError",
    # spectra and measures
    "Spectrum",
    "coefficients",
    "degree_profile",
    "influences",
    "total_influence",
    "noise_stability",
    "noise_sensitivity",
    "spectral_norm_l1",
    "relevant_variables",
    "top_coefficients",
    "to_polynomial_string",
    "distance",
    # sampling
    "Estimate",
    "estimate_coefficients",
    "estimate_degree_weights",
    "estimate_influences",
    "estimate_total_influence",
    "estimate_noise_stability",
    "sample_points",
    # domains and interpolators (GOTU)
    "Domain",
    "min_degree_interpolator",
    "min_norm_interpolator",
    "min_weighted_norm_interpolator",
    "symmetric_min_degree_interpolator",
    "Interpolant",
    "JuntaFunction",
    "gotu_error",
    "GotuError",
    "canonical_holdout_error",
    # reports
    "analyze_report",
    "format_report",
]
