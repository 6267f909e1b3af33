"""The one place where numba decorator flags are chosen.

Every kernel in boolfourier is compiled through :data:`jit` (serial) or
:data:`pjit` (threaded).  ``cache=True`` keeps the compiled machine code on
disk, so a second process pays no compile time; ``fastmath`` is never on,
because the transforms must be bit-exact.
"""

from __future__ import annotations

import functools

import numba

#: Serial kernel decorator.
jit = functools.partial(numba.njit, cache=True, nogil=True)

#: Threaded kernel decorator (use with ``numba.prange``); only where a
#: benchmark shows a gain.
pjit = functools.partial(numba.njit, cache=True, nogil=True, parallel=True)
