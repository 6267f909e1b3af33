"""Atomic file writes, shared by the run directories and the training checkpoints."""

from __future__ import annotations

import os
from pathlib import Path


def atomic_write(path: str | os.PathLike, data: bytes) -> None:
    """Write ``data`` to ``path`` so that readers see the old file or the whole new one.

    The bytes go to a hidden temporary file beside ``path`` (``.<name>.tmp-<pid>``),
    are flushed to disk, and the file is renamed over ``path`` (atomic on POSIX and
    on Windows for a file on the same volume).
    """
    path = Path(path)
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    with open(tmp, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)
