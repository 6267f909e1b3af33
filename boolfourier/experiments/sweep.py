"""Run many configs (typically one per seed): in-process, in a local process pool, or on Dask.

Finished runs are skipped (see :func:`~boolfourier.experiments.runs.run_experiment`),
so re-running a sweep resumes it.  Dask is optional: it is imported only when a
scheduler address is given.
"""

from __future__ import annotations

import os
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path

from .config import RunConfig

__all__ = ["parse_seeds", "run_sweep"]


def parse_seeds(text: str) -> list[int]:
    """``"1-10"`` → 1..10, ``"1,3,5"``, ``"4"``, or mixed ``"1-3,7"``."""
    seeds = []
    for part in str(text).split(","):
        part = part.strip()
        if not part:
            continue
        lo, sep, hi = part.partition("-")
        try:
            seeds += list(range(int(lo), int(hi) + 1)) if sep else [int(lo)]
        except ValueError:
            raise ValueError(f"cannot read seeds {text!r}: use e.g. 1-10, 1,3,5 or 4") from None
    if not seeds:
        raise ValueError(f"no seeds in {text!r}")
    return list(dict.fromkeys(seeds))


def _run_one(config: RunConfig, out: str, overwrite: bool, quiet: bool, threads: int) -> str:
    """Worker entry point (top level so it pickles); returns the run directory."""
    import dataclasses

    from .runs import run_experiment

    if threads and config.train.device == "cpu" and not config.train.threads:
        config = dataclasses.replace(config, train=dataclasses.replace(config.train, threads=threads))
    return str(run_experiment(config, out, overwrite=overwrite, quiet=quiet).path)


def run_sweep(configs: list[RunConfig], out="runs", *, workers: int | None = None, scheduler: str | None = None,
              overwrite: bool = False, quiet: bool = False) -> list[Path]:
    """Run every config and return their run directories (in the order of ``configs``).

    ``workers``: local processes (default: one per CPU core, at most one per
    config; 1 runs in this process with a progress bar).  CPU threads are split
    evenly between workers.  ``scheduler``: a Dask scheduler address
    (``tcp://host:8786``); each config becomes one Dask task.  ``out`` is
    made absolute here, on the client, so that workers started in another
    directory write where the client reads (on a remote cluster it must be a
    filesystem the workers share).
    """
    out = Path(out).resolve()
    if scheduler:
        try:
            from dask.distributed import Client
        except ImportError:
            raise ImportError("--scheduler needs dask.distributed: pip install 'dask[distributed]'") from None
        try:
            client = Client(scheduler)
        except (OSError, TimeoutError) as e:
            raise ValueError(f"cannot reach the Dask scheduler at {scheduler!r} ({e})") from None
        with client:
            futures = client.map(_run_one, configs, out=str(out), overwrite=overwrite, quiet=True, threads=0, pure=False)
            return [Path(p) for p in client.gather(futures)]
    cores = os.cpu_count() or 1
    workers = min(workers or cores, len(configs)) or 1
    if workers == 1:
        return [Path(_run_one(c, str(out), overwrite, quiet, 0)) for c in configs]
    threads = max(1, cores // workers)
    with ProcessPoolExecutor(workers, mp_context=get_context("spawn")) as pool:
        futures = [pool.submit(_run_one, c, str(out), overwrite, True, threads) for c in configs]
        paths = []
        for c, f in zip(configs, futures):
            paths.append(Path(f.result()))
            if not quiet:
                print(f"done: {paths[-1]}")
        return paths
