"""Named presets: the paper's settings and the ``quick`` ones for a 2-core CPU.

``paper``
    The paper's run of the task for that model (``[paper.<model>]`` in the task
    file, copied from aryol/GOTU ``script.sh``) over the model family's default
    below, which is used as is for a (task, model) pair the paper did not run.
    Models have the paper's sizes.

``quick``
    ``paper`` made small enough to finish in a minute or two on a 2-core CPU
    (n = 15, one process); for smoke tests and demos, not for reproducing figures:

    ============  ==========================================  ==========================
    model         size                                         learning rate
    ============  ==========================================  ==========================
    mlp           hidden 128-256-128-32 (paper 512-1024-512-64)  paper's
    meanfield     width 2^11 (paper 2^16)                     paper's × 2^11/2^16 (lr ∝ width)
    rf_relu/poly  2^10 features (paper 2^13)                  paper's × 8 (readout kernel ∝ width)
    transformer   d 64, 2 blocks, 2 heads × 32, MLP 64         paper's × 10
    ============  ==========================================  ==========================

    epochs ≤ 20 (transformer ≤ 5; loss-threshold runs ≤ 100), at most ~20
    evaluations, and sampled sets of 2^15 points (2parity40, maj3) cut to 2^13.  A task file may refine it
    with ``[quick.<model>]`` (2parity's MLP: lr 0.01, 12 epochs, for the demo).

any other name
    ``[<name>.<model>]`` of the task file over ``paper`` (e.g. ``curriculum``
    for the full16parity tasks).

``custom``
    The dataclass defaults only.
"""

from __future__ import annotations

import math

__all__ = ["MODEL_DEFAULTS", "QUICK_MODELS", "preset_overrides", "preset_names"]

#: The paper's setting of each model family (its most common one in script.sh).
MODEL_DEFAULTS = {
    "mlp": {"optimizer": "sgd", "lr": 3e-3, "epochs": 50, "batch_size": 64},
    "meanfield": {"optimizer": "sgd", "lr": 1000.0, "epochs": 50, "batch_size": 64},
    "rf_relu": {"optimizer": "sgd", "lr": 1e-5, "epochs": 40, "batch_size": 256},
    "rf_poly": {"optimizer": "sgd", "lr": 3e-4, "epochs": 100, "batch_size": 256},
    "transformer": {"optimizer": "adam", "weight_decay": 1e-3, "lr": 1e-5, "epochs": 20, "batch_size": 256},
}

#: Model sizes of the quick preset, and the factor applied to the paper's learning rate.
QUICK_MODELS = {
    "mlp": ({"hidden": [128, 256, 128, 32]}, 1.0),
    "meanfield": ({"width": 2**11}, 2**11 / 2**16),
    "rf_relu": ({"width": 2**10}, 2**13 / 2**10),
    "rf_poly": ({"width": 2**10}, 2**13 / 2**10),
    "transformer": ({"dim": 64, "depth": 2, "heads": 2, "dim_head": 32, "mlp_dim": 64}, 10.0),
}
QUICK_MAX_EPOCHS, QUICK_MAX_EPOCHS_TRANSFORMER, QUICK_MAX_EPOCHS_THRESHOLD = 20, 5, 100
QUICK_MAX_SAMPLES = 2**13
QUICK_MAX_EVALS = 20


def preset_names(doc: dict) -> list[str]:
    """Presets available in a task document (besides ``paper``, ``quick``, ``custom``)."""
    return sorted(k for k, v in doc.items() if k != "task" and isinstance(v, dict))


def preset_overrides(doc: dict, model: str, preset: str) -> tuple[dict, dict, dict]:
    """(task, model, train) overrides of ``preset`` for ``model`` in the task document ``doc``."""
    from .config import split_overrides

    if model not in MODEL_DEFAULTS:
        raise ValueError(f"unknown model {model!r}; choose one of {', '.join(MODEL_DEFAULTS)}")
    if preset == "custom":
        return {}, {}, {}
    name = doc.get("task", {}).get("name", "?")
    paper = {**MODEL_DEFAULTS[model], **doc.get("paper", {}).get(model, {})}
    t, m, tr = split_overrides(paper, f"[paper.{model}] of task {name}")
    if preset == "paper":
        return t, m, tr
    if preset == "quick":
        sizes, lr_factor = QUICK_MODELS[model]
        m = {**m, **sizes}
        tr["lr"] = tr["lr"] * lr_factor
        cap = QUICK_MAX_EPOCHS_THRESHOLD if tr.get("loss_threshold") else \
            QUICK_MAX_EPOCHS_TRANSFORMER if model == "transformer" else QUICK_MAX_EPOCHS
        tr["epochs"] = min(tr["epochs"], cap)
        task = doc.get("task", {})
        for key in ("train_size", "test_size"):
            if task.get(key, 0) > 2 * QUICK_MAX_SAMPLES:  # the paper's 2**15; full16parity keeps its sizes
                t[key] = QUICK_MAX_SAMPLES
        extra = doc.get("quick", {}).get(model, {})
        qt, qm, qtr = split_overrides(extra, f"[quick.{model}] of task {name}")
        t, m, tr = {**t, **qt}, {**m, **qm}, {**tr, **qtr}
        tr["eval_every"] = max(tr.get("eval_every", 1), math.ceil(tr["epochs"] / QUICK_MAX_EVALS))
        return t, m, tr
    table = doc.get(preset, {})
    if model not in table:
        raise ValueError(f"task {name} has no preset {preset!r} for model {model!r}; presets: "
                         f"paper, quick, custom, {', '.join(p for p in preset_names(doc) if p not in ('paper', 'quick'))}")
    pt, pm, ptr = split_overrides(table[model], f"[{preset}.{model}] of task {name}")
    return {**t, **pt}, {**m, **pm}, {**tr, **ptr}
