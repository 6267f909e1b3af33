"""Figures (matplotlib; imported only by the code that draws).

Figures are made with matplotlib's object API (``matplotlib.figure.Figure``), not
pyplot, so drawing never switches the caller's backend (notebooks keep theirs)
and no figure is left open in pyplot's registry.

``plot_trajectories``  tracked Fourier coefficients of a run vs epoch, the MDI's values dashed
``plot_degree_profile`` the degree profile W^k of a run vs epoch (one line per degree)
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

__all__ = ["plot_trajectories", "plot_degree_profile"]


def _new_axes():
    from matplotlib.figure import Figure

    fig = Figure(figsize=(7, 4.2))
    return fig, fig.add_subplot()


def _spectra(run):
    """``run``: a :class:`~boolfourier.experiments.runs.Run`, a run directory, or a spectra dict."""
    if isinstance(run, dict):
        return run, ""
    if isinstance(run, (str, Path)):
        from .experiments.runs import load_run

        run = load_run(run)
    c = run.config
    return run.spectra, f"{c.task.name} / {c.model.kind} ({c.preset}), seed {c.train.seed}"


def plot_trajectories(run, path=None, *, names=None, title=None, ax=None):
    """Tracked coefficients :math:`\\hat f_{net}(S)` vs epoch; the MDI's as dashed lines, the
    target's as stars right of the last epoch (staggered, so equal values stay visible).

    Parameters
    ----------
    run : Run, run directory, or dict with ``epochs``, ``tracked`` (E, T),
        ``track_masks``, ``mdi_track`` and ``target_track``
    path : where to save a PNG (optional)
    names : labels of the tracked monomials (default: from ``track_masks``)

    Returns
    -------
    matplotlib.figure.Figure
    """
    import matplotlib

    from .cube import monomial_name

    spectra, default_title = _spectra(run)
    epochs, tracked = spectra["epochs"], spectra["tracked"]
    names = names or [monomial_name(int(m)) for m in spectra["track_masks"]]
    if ax is None:
        fig, ax = _new_axes()
    else:
        fig = ax.figure
    colors = matplotlib.rcParams["axes.prop_cycle"].by_key()["color"]
    span = max(float(epochs[-1] - epochs[0]), 1.0) if len(epochs) else 1.0
    for t, name in enumerate(names):
        col = colors[t % len(colors)]
        ax.plot(epochs, tracked[:, t], color=col, lw=1.8, label=name)
        mdi = spectra["mdi_track"][t]
        if np.isfinite(mdi):
            ax.axhline(mdi, color=col, ls="--", lw=1.0, alpha=0.8)
        if len(epochs):
            ax.plot([epochs[-1] + (0.04 + 0.03 * t) * span], [spectra["target_track"][t]], marker="*", ms=11,
                    color=col, ls="none", clip_on=False, zorder=5)
    ax.set_xlabel("epoch")
    ax.set_ylabel("Fourier coefficient")
    ax.set_title(title or default_title or "tracked coefficients")
    handles, labels = ax.get_legend_handles_labels()
    from matplotlib.lines import Line2D

    handles += [Line2D([], [], color="gray", ls="--"), Line2D([], [], color="gray", marker="*", ms=11, ls="none")]
    labels += ["MDI", "target"]
    ax.legend(handles, labels, loc="center left", bbox_to_anchor=(1.01, 0.5), frameon=False)
    ax.grid(alpha=0.3)
    fig.tight_layout()
    if path is not None:
        fig.savefig(path, dpi=120)
    return fig


def plot_degree_profile(run, path=None, *, degrees=None, title=None, ax=None):
    """Degree profile :math:`W^k` of the network vs epoch (needs a dense run), one line per degree."""
    spectra, default_title = _spectra(run)
    if "degree_profile" not in spectra:
        raise ValueError("this run has no degree profile (n was above train.full_spectrum_max_n)")
    epochs, w = spectra["epochs"], spectra["degree_profile"]
    if degrees is None:  # the degrees that ever hold 0.1 % of the largest weight (NaN epochs ignored)
        top = np.nanmax(w) if np.isfinite(w).any() else 0.0
        degrees = [k for k in range(w.shape[1]) if top > 0 and np.nanmax(w[:, k], initial=0.0) >= 1e-3 * top] \
            or list(range(w.shape[1]))
    if ax is None:
        fig, ax = _new_axes()
    else:
        fig = ax.figure
    for k in degrees:
        ax.plot(epochs, w[:, k], label=f"$W^{{{k}}}$")
    ax.set_xlabel("epoch")
    ax.set_ylabel("weight $W^k$")
    ax.set_title(title or default_title or "degree profile")
    ax.legend(loc="center left", bbox_to_anchor=(1.01, 0.5), frameon=False)
    ax.grid(alpha=0.3)
    fig.tight_layout()
    if path is not None:
        fig.savefig(path, dpi=120)
    return fig
