"""The demo: f2 = x0*x1 in n = 15, unseen x0 = x1 = -1, learned by the (quick) MLP on the CPU.

Prints the learned coefficients of 1, x0, x1, x0*x1 next to the min-degree
interpolator's (-1, 1, 1, 0) and the target's (0, 0, 0, 1), and saves their
trajectories as a PNG.  ``boolfourier demo`` runs :func:`run_demo`.
"""

from __future__ import annotations

import dataclasses
import time
from pathlib import Path

__all__ = ["run_demo"]


def run_demo(out_dir="runs/demo", quiet: bool = False, *, overwrite: bool = True):
    """Run the quick 2parity/MLP experiment into ``out_dir`` and print the comparison.

    Returns the loaded :class:`~boolfourier.experiments.runs.Run`; the figure is
    ``out_dir/trajectories.png``.
    """
    from ..plotting import plot_trajectories
    from .config import resolve
    from .runs import run_experiment

    config = resolve("2parity", "mlp", "quick")
    # one thread: on a shared 2-core machine two OpenMP threads can be many times slower
    config = dataclasses.replace(config, train=dataclasses.replace(config.train, device="cpu", threads=1))
    out = Path(out_dir)
    say = (lambda *a: None) if quiet else print
    t, m, tr = config.task, config.model, config.train
    say(f"GOTU demo: learn f = {t.target} on {{±1}}^{t.n} without ever seeing {t.unseen}")
    say(f"model: MLP {t.n}-{'-'.join(map(str, m.hidden))}-1, SGD lr {tr.lr}, batch {tr.batch_size}, "
        f"{tr.epochs} epochs (the 'quick' preset; the paper: 512-1024-512-64, lr 0.003, 50 epochs)")
    t0 = time.perf_counter()
    run = run_experiment(config, path=out, overwrite=overwrite, quiet=quiet)
    s = run.summary
    say(f"\n{'monomial':>10} {'learned':>9} {'MDI':>6} {'target':>7}")
    for name, c in s["coefficients"].items():
        say(f"{name:>10} {c['learned']:>+9.3f} {c['mdi']:>+6.2f} {c['target']:>+7.2f}")
    leak = s["coefficients"]["x0*x1"]["learned"]
    say(f"\nloss on the seen set {s['seen_loss']:.4f}; GOTU error (MSE on the unseen set) "
        f"{s['gotu_error']:.3f}, the MDI's is {s['mdi_gotu_error']:.0f} and the target's 0")
    verdict = ("nearer the MDI's 0 than the target's 1: a leaky min-degree interpolator, as the paper "
               "reports for MLPs") if abs(leak) < 0.5 else "not near the MDI's 0 (try more epochs)"
    say(f"the x0*x1 coefficient (the 'leak' t of the interpolators (t-1, 1-t, 1-t, t)) is {leak:.3f}: {verdict}")
    png = out / "trajectories.png"
    plot_trajectories(run, png, title=f"f = x0*x1, n = {t.n}, unseen x0 = x1 = -1 (MLP, quick)")
    say(f"trajectories: {png}   run directory: {out}   ({time.perf_counter() - t0:.0f} s)")
    return run
