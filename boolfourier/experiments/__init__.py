"""GOTU experiments: shipped tasks (TOML), presets, run directories, sweeps and the ``gotu`` command.

Example::

    from boolfourier.experiments import resolve, run_experiment
    run = run_experiment(resolve("2parity", "mlp", "quick"), "runs")
    run.summary["coefficients"]["x0*x1"]     # learned vs MDI vs target

=================  ============================================================
``resolve``        (task, model, preset) → a fully resolved ``RunConfig``
``load_config``    a user's run TOML → ``RunConfig``
``list_tasks``     names of the shipped tasks (``experiments/tasks/*.toml``)
``run_experiment`` train one config into its run directory (skips finished runs)
``run_sweep``      many configs: in-process, a local process pool, or Dask
``load_run``       a finished run directory → ``Run`` (raises on corrupt ones)
``summarize``      mean/std across seeds as a column table (dict of arrays)
=================  ============================================================

The names above load on first use (PEP 562), so ``boolfourier gotu --help``
and the other commands do not pay for importing torch.
"""

import importlib

_EXPORTS = {
    "RunConfig": "config", "resolve": "config", "load_config": "config", "load_task": "config",
    "list_tasks": "config", "dumps": "config", "loads": "config",
    "Run": "runs", "RunDirectoryError": "runs", "run_experiment": "runs", "load_run": "runs",
    "summarize": "runs",
    "run_sweep": "sweep", "parse_seeds": "sweep",
}

__all__ = list(_EXPORTS)


def __getattr__(name):
    if name in _EXPORTS:
        return getattr(importlib.import_module(f".{_EXPORTS[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted(list(globals()) + __all__)
