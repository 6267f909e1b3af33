"""``boolfourier gotu``: train networks on the seen part of the cube and record their spectra.

Wired into :mod:`boolfourier.cli` by ``add_gotu_parser(subparsers)``.  Heavy
imports (torch) happen in the handler, so ``--help`` stays fast.
"""

from __future__ import annotations

import argparse
import math
import sys

__all__ = ["add_gotu_parser", "run_gotu"]

_EPILOG = """\
examples:
  boolfourier gotu --task 2parity --model mlp --preset quick
  boolfourier gotu --task 2parity --model mlp,meanfield,rf_relu,transformer --seeds 1-10 --device cuda
  boolfourier gotu --task full16parity3000 --model mlp --preset curriculum --seeds 1-5
  boolfourier gotu --task 2parity --preset fig6-lr0.03 --seeds 1-10      # Fig 6's learning rates
  boolfourier gotu --task my_task.toml --model rf_poly --preset quick
  boolfourier gotu --config my.toml --seeds 1-3 --set train.lr=0.01
  boolfourier gotu --list

Each run writes OUT/<task>/<model>-<preset>/seed<k>/ with config.toml (fully resolved),
metrics.csv (one row per evaluation), spectra.npz and summary.json.  Finished runs
are skipped, so rerunning a sweep resumes it (--overwrite recomputes).  A run also
saves checkpoint.pt at an epoch's end every train.checkpoint_s seconds (default 60):
rerunning an interrupted run continues from it, with the metrics of an uninterrupted run.

presets: paper = the paper's settings (aryol/GOTU script.sh); quick = small models and
few epochs for a 2-core CPU (see boolfourier.experiments.presets); a task file may name
more ([curriculum.mlp] in full16parity*, fig6-lr* in 2parity); custom = dataclass defaults.
"""


def add_gotu_parser(subparsers) -> argparse.ArgumentParser:
    """Register the ``gotu`` subcommand on an ``argparse`` subparsers object."""
    p = subparsers.add_parser(
        "gotu", help="train on the seen domain, track the Fourier spectrum (GOTU experiments)",
        description="Train a network on the seen part of {±1}^n, record its Fourier spectrum during "
                    "training and compare it with the min-degree interpolator (Abbe et al., ICML 2023).",
        epilog=_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    what = p.add_argument_group("what to run")
    what.add_argument("--task", help="shipped task name(s), comma-separated, or a task .toml file (see --list)")
    what.add_argument("--model", default=None,
                      help="mlp, meanfield, rf_relu, rf_poly, transformer; comma-separated for several (default mlp)")
    what.add_argument("--preset", default=None, help="paper (default), quick, custom, or a preset of the task file")
    what.add_argument("--config", help="a run TOML with [task], [model], [train] tables (instead of --task/--model)")
    what.add_argument("--seeds", default=None, help="e.g. 1-10, 1,3,5 or 4 (default: the config's seed, 1)")
    what.add_argument("--set", action="append", default=[], metavar="TABLE.KEY=VALUE",
                      help="override a field, e.g. --set train.lr=0.01 --set model.hidden=[64,64] (TOML values)")
    what.add_argument("--epochs", type=int, help="shorthand for --set train.epochs=N")
    what.add_argument("--lr", type=float, help="shorthand for --set train.lr=X")
    how = p.add_argument_group("where and how")
    how.add_argument("--device", default=None, help="cpu (default) or cuda[:k]")
    how.add_argument("--out", default="runs", help="output root directory (default runs/)")
    how.add_argument("--workers", type=int, default=None,
                     help="local worker processes for a sweep (default: one per core; 1 = in this process)")
    how.add_argument("--scheduler", metavar="ADDRESS", help="run the sweep on a Dask cluster (needs dask.distributed)")
    how.add_argument("--overwrite", action="store_true",
                     help="recompute finished runs and restart interrupted ones (drop their checkpoints)")
    how.add_argument("--quiet", action="store_true", help="no progress bars or per-run messages")
    how.add_argument("--list", action="store_true", help="list the shipped tasks and their presets, then exit")
    p.set_defaults(func=run_gotu)
    return p


def _overrides(args) -> dict[str, dict]:
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10
        import tomli as tomllib
    out = {"task": {}, "model": {}, "train": {}}
    items = list(args.set)
    if args.epochs is not None:
        items.append(f"train.epochs={args.epochs}")
    if args.lr is not None:
        items.append(f"train.lr={args.lr!r}")
    if args.device is not None:
        items.append(f'train.device="{args.device}"')
    for item in items:
        key, eq, value = item.partition("=")
        table, dot, field = key.strip().partition(".")
        if not eq or not dot or table not in out:
            raise SystemExit(f"gotu: cannot read --set {item!r}; write TABLE.KEY=VALUE with TABLE task, model or train")
        try:
            out[table][field] = tomllib.loads(f"v = {value}")["v"]
        except tomllib.TOMLDecodeError:
            out[table][field] = value  # a bare string
    return out


def _list() -> int:
    from .config import list_tasks, load_task_file
    from .presets import preset_names

    for name in list_tasks():
        doc = load_task_file(name)
        models = sorted(doc.get("paper", {}))
        extra = [p for p in preset_names(doc) if p not in ("paper", "quick")]
        print(f"{name:18s} {doc['task'].get('description', '')}")
        print(f"{'':18s} paper runs: {', '.join(models) or '-'}" + (f"; presets: {', '.join(extra)}" if extra else ""))
    return 0


def _configs(args):
    from .config import RunConfig, load_config, resolve
    from .sweep import parse_seeds

    over = _overrides(args)
    if args.config:
        if args.task:
            raise SystemExit("gotu: give --config or --task, not both")
        if args.preset:
            raise SystemExit('gotu: with --config, set the preset inside the file (preset = "quick")')
        if args.model or "kind" in over["model"]:
            raise SystemExit('gotu: with --config, set the model inside the file ([model] kind = "rf_relu")')
        d = load_config(args.config).to_dict()
        for t in ("task", "model", "train"):
            d[t].update(over[t])
        bases = [RunConfig.from_dict(d)]
    else:
        if not args.task:
            raise SystemExit("gotu: give --task NAME (see --list) or --config FILE")
        bases = [resolve(t.strip(), m.strip(), args.preset or "paper", task_overrides=over["task"],
                         model_overrides=over["model"], train_overrides=over["train"])
                 for t in args.task.split(",") for m in (args.model or "mlp").split(",")]
    seeds = parse_seeds(args.seeds) if args.seeds else None
    return [b.with_seed(s) for b in bases for s in (seeds or [b.train.seed])]


def _print_table(table) -> None:
    core = ["task", "model", "preset", "seeds", "gotu_error_mean", "gotu_error_std", "mdi_gotu_error_mean",
            "unseen_sign_error_mean", "seen_loss_mean", "mdi_distance_mean", "wall_time_s_mean"]
    cols = [c for c in core if c in table]
    if len(set(table["task"])) == 1:  # one task: its tracked coefficients too, learned next to the MDI's
        cols += [c for c in table if c.startswith(("coef[", "mdi[")) and not c.endswith("_std")]
    width = {c: max(len(c), 9) for c in cols}
    print("  ".join(c.rjust(width[c]) for c in cols))
    for i in range(len(table[cols[0]])):
        cells = []
        for c in cols:
            v = table[c][i]
            cells.append((f"{float(v):.4g}" if isinstance(v, float) or hasattr(v, "dtype") and v.dtype.kind == "f"
                          else str(v)).rjust(width[c]))
        print("  ".join(cells))


def run_gotu(args) -> int:
    """Handler of ``boolfourier gotu``."""
    if args.list:
        return _list()
    try:
        configs = _configs(args)
    except (ValueError, TypeError) as e:  # bad task, preset, field, seeds: one clear line
        print(f"gotu: {e}", file=sys.stderr)
        return 2
    from .runs import load_run, summarize
    from .sweep import run_sweep

    if any(c.train.device.startswith("cuda") for c in configs) and not args.scheduler:
        import torch

        if not torch.cuda.is_available():
            print("gotu: --device cuda, but torch sees no CUDA device here (use --device cpu)", file=sys.stderr)
            return 2

    paths = run_sweep(configs, args.out, workers=args.workers, scheduler=args.scheduler,
                      overwrite=args.overwrite, quiet=args.quiet)
    runs = [load_run(p) for p in paths]
    if not args.quiet:
        for r in runs:
            s = r.summary
            coefs = ", ".join(f"{t}: {c['learned']:+.3f} (MDI {c['mdi']:+.3f})" for t, c in s["coefficients"].items()
                              if not math.isnan(c["mdi"]) or len(s["coefficients"]) <= 8)
            print(f"{r.path}: GOTU error {s['gotu_error']:.4g} (MDI's {s['mdi_gotu_error']:.4g}), "
                  f"sign error on U {s.get('unseen_sign_error', math.nan):.3g}, "
                  f"{s['wall_time_s']:.1f} s | {coefs}")
        if len(runs) > 1:
            _print_table(summarize(runs))
    return 0
