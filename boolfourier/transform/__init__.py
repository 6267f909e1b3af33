"""The Walsh–Hadamard transform: the one transform every part of boolfourier calls.

:func:`fwht` / :func:`ifwht` validate and dispatch to numba kernels
(:mod:`._kernels`, with the portable radix-2 reference in :mod:`._reference`).
The PyTorch transform, for tensors, GPUs and autograd, is
:func:`boolfourier.torch.fwht`.
"""

from ._api import fwht, ifwht

__all__ = ["fwht", "ifwht"]
