"""Run directories: one per (config, seed), written atomically, never overwritten unless asked.

A finished run directory holds::

    config.toml    the fully resolved RunConfig (re-running it reproduces the run)
    metrics.csv    tidy: one row per evaluation (epoch, step, losses, tracked coefficients, W0..Wn)
    spectra.npz    float32 history: epochs, tracked (E, T), degree_profile (E, n+1),
                   coefficients (E, 2**n) when n <= train.keep_spectra_max_n; MDI/target tracked
    summary.json   final numbers (GOTU error, learned vs MDI coefficients, wall time, device,
                   versions); written last, so its presence marks the run as finished

While the run trains, ``checkpoint.pt`` (model, optimiser, batch-order generator and
the metrics so far; see :func:`boolfourier.training.train`) lets an interrupted run
resume; it is removed once the run is written.

Every file is written to a temporary name and renamed into place.
:func:`summarize` returns a plain column table (``dict`` of numpy arrays), not a
pandas DataFrame: pandas is not a dependency of boolfourier, and
``pandas.DataFrame(table)`` converts it in one line.
"""

from __future__ import annotations

import csv
import io
import json
import math
import os
import platform
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .._io import atomic_write
from ..training import CHECKPOINT, CheckpointError, config_differences
from .config import RunConfig, dumps, loads

__all__ = ["RunDirectoryError", "Run", "run_dir", "is_finished", "load_run", "write_run",
           "run_experiment", "summarize", "FILES"]

FILES = ("config.toml", "metrics.csv", "spectra.npz", "summary.json")


class RunDirectoryError(ValueError):
    """A run directory is incomplete, corrupt, or holds a different run."""


@dataclass
class Run:
    """A finished run loaded from disk."""

    path: Path
    config: RunConfig
    metrics: dict[str, np.ndarray]  # columns of metrics.csv
    spectra: dict[str, np.ndarray]
    summary: dict


def run_dir(out: str | os.PathLike, config: RunConfig) -> Path:
    """``out/<task>/<model>-<preset>/seed<k>``."""
    c = config
    return Path(out) / c.task.name / f"{c.model.kind}-{c.preset}" / f"seed{c.train.seed}"


def _versions() -> dict:
    import torch

    from .. import __version__

    return {"boolfourier": __version__, "torch": torch.__version__, "numpy": np.__version__,
            "python": platform.python_version()}


def _csv_bytes(rows: list[dict]) -> bytes:
    cols = list(dict.fromkeys(k for r in rows for k in r))
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=cols, lineterminator="\n")
    w.writeheader()
    for r in rows:
        w.writerow({k: (repr(v) if isinstance(v, float) else v) for k, v in r.items()})
    return buf.getvalue().encode()


def write_run(path, config: RunConfig, result) -> Path:
    """Write a :class:`~boolfourier.training.TrainResult` of ``config`` into ``path`` (atomically, summary last)."""
    path = Path(path)
    path.mkdir(parents=True, exist_ok=True)
    atomic_write(path / "config.toml", dumps(config, "boolfourier gotu run config (fully resolved)").encode())
    atomic_write(path / "metrics.csv", _csv_bytes(result.rows))
    buf = io.BytesIO()
    np.savez(buf, **result.spectra)
    atomic_write(path / "spectra.npz", buf.getvalue())
    summary = {**result.summary, "preset": config.preset, "versions": _versions(), "finished": True}
    atomic_write(path / "summary.json", json.dumps(summary, indent=2, allow_nan=True).encode())
    for leftover in path.glob(".*.tmp-*"):  # from an earlier, interrupted write
        leftover.unlink(missing_ok=True)
    return path


def is_finished(path) -> bool:
    """Whether ``path`` holds a summary.json, i.e. a run that completed (it may still be corrupt)."""
    return (Path(path) / "summary.json").is_file()


def _read_csv(path: Path) -> dict[str, np.ndarray]:
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f))
    if not rows:
        raise RunDirectoryError(f"{path} has no rows")
    out = {}
    for k in rows[0]:
        vals = [r[k] for r in rows]
        if any(v is None for v in vals):
            raise RunDirectoryError(f"{path} has truncated rows")
        try:
            out[k] = np.array([float(v) if v != "" else math.nan for v in vals])
        except ValueError:
            out[k] = np.array(vals)
    return out


def load_run(path) -> Run:
    """Load a finished run directory; raise :class:`RunDirectoryError` with the reason if it is not one."""
    path = Path(path)
    if not path.is_dir():
        what = "it is a file" if path.exists() else "it does not exist"
        raise RunDirectoryError(f"{path} is not a run directory ({what})")
    missing = [f for f in FILES if not (path / f).is_file()]
    leftovers = sorted(p.name for p in path.glob(".*.tmp-*"))
    if missing:
        why = "the run is unfinished or was interrupted" if "summary.json" in missing else "the directory is corrupt"
        if "summary.json" in missing and (path / CHECKPOINT).is_file():
            why += "; it has a checkpoint: rerun the same command to resume it"
        extra = f"; half-written files: {', '.join(leftovers)}" if leftovers else ""
        raise RunDirectoryError(f"{path}: missing {', '.join(missing)} ({why}{extra}); "
                                "delete it or rerun with --overwrite")
    try:
        config = loads((path / "config.toml").read_text())
        summary = json.loads((path / "summary.json").read_text())
        metrics = _read_csv(path / "metrics.csv")
        with np.load(path / "spectra.npz") as z:
            spectra = {k: z[k] for k in z.files}
    except RunDirectoryError:
        raise
    except (ValueError, OSError, KeyError, TypeError, EOFError, zipfile.BadZipFile) as e:  # toml/json: ValueError
        raise RunDirectoryError(f"{path} is corrupt ({type(e).__name__}: {e}); delete it or rerun with --overwrite") from e
    if not isinstance(summary, dict):
        raise RunDirectoryError(f"{path}/summary.json is not a JSON object (corrupt); "
                                "delete it or rerun with --overwrite")
    if not summary.get("finished"):
        raise RunDirectoryError(f"{path}/summary.json does not mark the run finished; delete it or rerun with --overwrite")
    if len(spectra.get("epochs", ())) != len(metrics.get("epoch", ())):
        raise RunDirectoryError(f"{path}: metrics.csv and spectra.npz disagree on the number of evaluations "
                                "(corrupt); delete it or rerun with --overwrite")
    return Run(path, config, metrics, spectra, summary)


def _differences(a: RunConfig, b: RunConfig) -> list[str]:
    da, db = a.to_dict(), b.to_dict()
    return ([] if da["preset"] == db["preset"] else ["preset"]) + config_differences(da, db)


def run_experiment(config: RunConfig, out="runs", *, path=None, overwrite: bool = False,
                   quiet: bool = False) -> Run:
    """Train ``config`` and write its run directory; return the loaded :class:`Run`.

    A finished run with the same config is loaded, not recomputed, unless
    ``overwrite``; one with a different config raises.  An unfinished directory
    (no summary.json: an interrupted run) resumes from its checkpoint
    (``checkpoint.pt``, saved every ``train.checkpoint_s`` seconds, removed
    once the run is written) when it has one, else it is recomputed.
    """
    path = Path(path) if path is not None else run_dir(out, config)
    if is_finished(path) and not overwrite:
        run = load_run(path)
        diff = _differences(config, run.config)
        if diff:
            raise RunDirectoryError(f"{path} holds a finished run with a different config ({'; '.join(diff)}); "
                                    "choose another --out or pass --overwrite")
        if not quiet:
            print(f"{path}: finished run found, skipped (pass --overwrite to recompute)")
        return run
    made = [p for p in (path, *path.parents) if not p.exists()]  # what a failure must not leave behind
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as e:  # a file in the way, no permission, ...
        raise RunDirectoryError(f"cannot create the run directory {path} ({e.strerror or e}); "
                                "choose another --out") from e
    (path / "summary.json").unlink(missing_ok=True)  # the directory is invalid until we finish
    ckpt = path / CHECKPOINT
    if overwrite:
        ckpt.unlink(missing_ok=True)
    from ..training import train

    result = None
    try:
        result = train(config.task, config.model, config.train, quiet=quiet, checkpoint=ckpt)
    except CheckpointError as e:
        raise RunDirectoryError(f"{e}, or pass --overwrite") from None
    finally:
        if result is None:  # training failed (the error propagates): remove what we made, if still empty
            _remove_empty(made)
    write_run(path, config, result)
    ckpt.unlink(missing_ok=True)
    return load_run(path)


def _remove_empty(dirs) -> None:
    """rmdir ``dirs`` innermost first, stopping at the first that is not empty (a checkpoint stays)."""
    for p in dirs:
        try:
            p.rmdir()
        except OSError:
            return


def summarize(runs, group_by=("task", "model", "preset")) -> dict[str, np.ndarray]:
    """Mean and standard deviation across seeds of the final numbers of ``runs``.

    Parameters
    ----------
    runs : iterable of Run or paths
    group_by : summary keys that define a group

    Returns
    -------
    dict of column name -> numpy array (one row per group): the ``group_by``
    columns, ``seeds``, and ``<metric>_mean`` / ``<metric>_std`` for the GOTU
    error, the sign error on the unseen set, losses, MDI distance, wall time
    and each tracked coefficient
    (``coef[x0*x1]_mean`` ...) with its MDI value (``mdi[x0*x1]``).
    """
    runs = [r if isinstance(r, Run) else load_run(r) for r in runs]
    groups: dict[tuple, list[Run]] = {}
    for r in runs:
        groups.setdefault(tuple(r.summary.get(k) for k in group_by), []).append(r)
    rows = []
    for key, members in groups.items():
        row = dict(zip(group_by, key))
        row["seeds"] = len(members)
        values: dict[str, list] = {}
        for r in members:
            s = r.summary
            for m in ("gotu_error", "unseen_sign_error", "seen_loss", "cube_loss", "mdi_distance",
                      "mdi_gotu_error", "wall_time_s"):
                values.setdefault(m, []).append(s.get(m, math.nan))
            for t, c in s.get("coefficients", {}).items():
                values.setdefault(f"coef[{t}]", []).append(c["learned"])
                row[f"mdi[{t}]"] = c["mdi"]
        for m, v in values.items():
            v = np.asarray(v, dtype=float)
            row[f"{m}_mean"] = float(np.mean(v))
            row[f"{m}_std"] = float(np.std(v, ddof=1)) if len(v) > 1 else math.nan
        rows.append(row)
    cols = list(dict.fromkeys(k for r in rows for k in r))
    return {c: np.array([r.get(c, math.nan) for r in rows]) for c in cols}
