r"""boolfourier: Fourier analysis of Boolean functions and GOTU experiments.

Conventions (see ``shared/DESIGN.md``; pinned by ``tests/conventions.json``):

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
"""

from .cube import points
from .transform import fwht, ifwht

__version__ = "0.1.0.dev0"

__all__ = [
    "fwht",
    "ifwht",
    "points",
]
