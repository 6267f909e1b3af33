r"""Train a network on the seen part of the cube and record its Fourier spectrum (GOTU).

One call, :func:`train`, reads top to bottom: data, model, optimiser, loop,
evaluation.  Three dataclasses configure it:

* :class:`TaskConfig` — the cube size ``n``, the target and the *unseen*
  domain as expressions (:mod:`boolfourier.expr`), sample sizes, the
  monomials to track, the min-degree interpolator (MDI);
* :class:`~boolfourier.models.ModelConfig` — the network;
* :class:`TrainConfig` — optimiser, learning rate, batch, epochs, seed, device,
  evaluation schedule, Degree-Curriculum.

At each evaluation (before training, every ``eval_every`` epochs and at the
end) the network is evaluated on the whole cube when ``n <=
full_spectrum_max_n``: the losses on the seen set, the unseen set (the GOTU
error, MSE on U) and the cube are exact, and the full spectrum
:math:`\hat f_{net} = 2^{-n} H f_{net}` is one torch transform on the device
(:func:`boolfourier.torch.fwht`), from which come the degree profile, the
tracked coefficients and :math:`\|f_{net} - f_{MDI}\|^2 = \sum_S (\hat f_{net}(S)
- \hat f_{MDI}(S))^2`.  For larger ``n`` the same quantities are estimated from
``task.test_size`` uniform points: :math:`\hat f(S) \approx \frac1m \sum_j
f(x_j)\chi_S(x_j)`.
"""

from __future__ import annotations

import dataclasses
import io
import math
import re
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch
from torch.nn import functional as F

from . import cube
from ._fields import check_fields
from ._io import atomic_write
from .cube import monomial_name
from .models import ModelConfig, build_model

__all__ = ["TaskConfig", "TrainConfig", "TrainResult", "TaskData", "make_task_data", "train",
           "monomial_mask", "monomial_name", "CheckpointError", "CHECKPOINT", "RESULT_NEUTRAL",
           "config_differences"]

#: File name of the resumable checkpoint inside a run directory.
CHECKPOINT = "checkpoint.pt"
#: (table, field) of the config that do not change a run's results: a finished
#: run or a checkpoint is reused for a request that differs only in these.
RESULT_NEUTRAL = frozenset({("train", "device"), ("train", "threads"), ("train", "eval_batch_size"),
                            ("train", "checkpoint_s")})


@dataclass
class TaskConfig:
    """A GOTU task: learn ``target`` on ``{±1}^n`` minus ``unseen``."""

    name: str = "custom"
    n: int = 15
    target: str = "x0*x1"  # real polynomial expression
    unseen: str = ""  # predicate expression; "" = nothing unseen
    track: list[str] = field(default_factory=lambda: ["1"])  # monomials to record, e.g. "x0*x1"
    mdi: str = "auto"  # "auto" (computed) | "none" | a polynomial expression (checked when computable)
    train_size: int = 0  # 0 = the whole seen set (dense n); else points sampled uniformly from it
    test_size: int = 2**15  # evaluation points when n > full_spectrum_max_n (estimates)
    description: str = ""

    def __post_init__(self):
        check_fields(self, "task")
        if not _NAME.fullmatch(self.name):
            raise ValueError(f"task.name names the run directory: letters, digits and _ . + - "
                             f"(not starting with . or -), got {self.name!r}")
        self.n = cube.check_n(self.n, dense=False)
        self.track = [monomial_name(monomial_mask(t, self.n)) for t in self.track]
        if self.train_size < 0 or self.test_size < 1:
            raise ValueError("task.train_size must be >= 0 (0 = the whole seen set) and task.test_size >= 1, "
                             f"got {self.train_size} and {self.test_size}")


@dataclass
class TrainConfig:
    """Optimisation and bookkeeping of one run (the paper's defaults: SGD, no momentum, batch 64)."""

    optimizer: str = "sgd"  # sgd | adam (L2 weight decay, as the paper's) | adamw
    lr: float = 3e-3
    momentum: float = 0.0  # sgd only
    weight_decay: float = 0.0  # the paper's adam runs use 1e-3 (see presets)
    batch_size: int = 64
    epochs: int = 50
    eval_every: int = 1  # evaluate at epoch -1, every eval_every epochs and at the last epoch
    seed: int = 1  # model init, data sampling and batch order
    device: str = "cpu"  # cpu | cuda | cuda:1 ...
    threads: int = 0  # torch.set_num_threads on CPU; 0 leaves torch's default
    full_spectrum_max_n: int = 22  # above: tracked coefficients from task.test_size samples
    keep_spectra_max_n: int = 16  # above: the full spectrum is computed, only its profile and tracked part kept
    eval_batch_size: int = 8192
    curriculum_leap: int = 0  # Degree-Curriculum: train on weight(x) <= r, r += leap; 0 = off
    loss_threshold: float = 0.0  # epoch-mean train loss below it: next ball, or stop; 0 = never stop
    checkpoint_s: float = 60.0  # given a checkpoint file: save at an epoch's end once this many seconds
    #                             passed since the last save (0 = every epoch, inf = never)

    def __post_init__(self):
        check_fields(self, "train")
        if self.optimizer not in ("sgd", "adam", "adamw"):
            raise ValueError(f"train.optimizer must be sgd, adam or adamw, got {self.optimizer!r}")
        for name in ("batch_size", "eval_every", "eval_batch_size"):
            if getattr(self, name) < 1:
                raise ValueError(f"train.{name} must be >= 1, got {getattr(self, name)}")
        for name in ("epochs", "curriculum_leap", "threads", "full_spectrum_max_n", "keep_spectra_max_n"):
            if getattr(self, name) < 0:
                raise ValueError(f"train.{name} must be >= 0, got {getattr(self, name)}")
        if not 0 < self.lr < math.inf:
            raise ValueError(f"train.lr must be a positive number, got {self.lr}")
        for name in ("momentum", "weight_decay"):
            if not 0 <= getattr(self, name) < math.inf:
                raise ValueError(f"train.{name} must be >= 0, got {getattr(self, name)}")
        if not 0 <= self.seed < 2**63:
            raise ValueError(f"train.seed must be in [0, 2**63), got {self.seed}")
        if not re.fullmatch(r"cpu|cuda(:\d+)?", self.device):
            raise ValueError(f"train.device must be cpu, cuda or cuda:K, got {self.device!r}")
        if not self.loss_threshold >= 0:  # also rejects nan
            raise ValueError(f"train.loss_threshold must be >= 0 (0 = never stop), got {self.loss_threshold}")
        if not self.checkpoint_s >= 0:
            raise ValueError(f"train.checkpoint_s must be >= 0 (0 = every epoch, inf = never), got {self.checkpoint_s}")
        if self.curriculum_leap and not self.loss_threshold:
            raise ValueError("train.curriculum_leap needs train.loss_threshold > 0: the Hamming ball only grows "
                             "when the epoch-mean train loss falls below it (the paper uses 1e-3)")


_MONOMIAL = re.compile(r"^x(\d+)$")
_NAME = re.compile(r"[A-Za-z0-9_+][A-Za-z0-9_.+-]*")


def monomial_mask(text, n: int) -> int:
    """Bitmask of a monomial written ``"1"``, ``"x3"`` or ``"x0*x1"`` (or given as an int mask)."""
    if isinstance(text, (int, np.integer)):
        mask = int(text)
    else:
        s = str(text).replace(" ", "")
        mask = 0
        if s != "1":
            for factor in s.split("*"):
                m = _MONOMIAL.match(factor)
                if not m:
                    raise ValueError(f"cannot read monomial {text!r}: write it as '1', 'x3' or 'x0*x1'")
                mask ^= 1 << int(m.group(1))  # x*x = 1
    if mask < 0 or mask >> n:
        raise ValueError(f"monomial {text!r} uses a coordinate >= n = {n}")
    return mask


# --------------------------------------------------------------------------- data

@dataclass
class TaskData:
    """Everything a run needs from its task, as numpy arrays (device-independent)."""

    n: int
    x_train: np.ndarray  # (m, n) int8 ±1
    y_train: np.ndarray  # (m,) float64
    dense: bool  # evaluation on the whole cube (else on x_eval samples)
    x_eval: np.ndarray | None  # (m_eval, n) int8 when not dense
    y_eval: np.ndarray  # (2**n,) or (m_eval,)
    unseen_eval: np.ndarray  # bool, same length as y_eval
    mdi_eval: np.ndarray | None  # MDI values at the evaluation points
    track_masks: np.ndarray  # (T,) int64
    target_track: np.ndarray  # (T,) exact coefficients of the target
    mdi_track: np.ndarray  # (T,) exact coefficients of the MDI (nan if unknown)


def _sparse_coefficients(poly, masks) -> np.ndarray:
    """Coefficients at ``masks`` of a ``{mask: coefficient}`` polynomial (nan where there is none)."""
    if poly is None:
        return np.full(len(masks), np.nan)
    return np.array([poly.get(int(m), 0.0) for m in masks], dtype=np.float64)


def make_task_data(task: TaskConfig, train_cfg: TrainConfig, rng: np.random.Generator) -> TaskData:
    """Sample or enumerate the training set and set up the evaluation points of ``task``.

    Dense (``n <= train_cfg.full_spectrum_max_n``): evaluation on the whole cube.
    Otherwise on ``task.test_size`` uniform points.  The training set is the whole
    seen set when ``task.train_size == 0``, else that many uniform seen points.
    """
    from .domains import Domain
    from .expr import check

    n = task.n
    target = check(task.target, n, "real")
    unseen = Domain.from_expression(check(task.unseen, n, "predicate"), n) if task.unseen.strip() else Domain.empty(n)
    seen = ~unseen
    seen.require_nonempty("the seen domain (task.unseen covers the whole cube)")
    dense = n <= train_cfg.full_spectrum_max_n
    masks = np.array([monomial_mask(t, n) for t in task.track], dtype=np.int64)
    from .interpolation import min_degree_interpolator

    computed = None
    if task.mdi != "none":  # closed forms or the general solver; a JuntaFunction for large n
        try:
            computed = min_degree_interpolator(task.target, seen)
        except ValueError as e:  # e.g. too many relevant coordinates for an exact solve
            if task.mdi == "auto":
                raise ValueError(f"task {task.name}: cannot compute its MDI ({e}); set task.mdi = \"none\" "
                                 "or give the MDI as a polynomial expression") from e
    if task.mdi in ("auto", "none"):
        mdi = computed
    else:  # the user's MDI: checked against the computed one where that exists, else on the seen set
        mdi = check(task.mdi, n, "real")

    if dense:
        x_eval = None
        x_points = cube.points(n)
    elif task.train_size == 0:
        raise ValueError(f"n = {n} is too large to enumerate the seen set: set task.train_size > 0")
    else:
        x_points = x_eval = (1 - 2 * rng.integers(0, 2, size=(task.test_size, n))).astype(np.int8)
    y_eval = np.asarray(target.evaluate(x_points), dtype=np.float64)
    unseen_eval = np.asarray(unseen.contains(x_points), dtype=bool)
    mdi_eval = None if mdi is None else np.asarray(mdi.evaluate(x_points), dtype=np.float64)
    if mdi_eval is not None and np.abs(mdi_eval - y_eval)[~unseen_eval].max(initial=0.0) > 1e-8:
        raise ValueError(f"task.mdi = {task.mdi!r} does not equal the target on the seen set")
    if computed is not None and mdi is not computed:
        want = np.asarray(computed.evaluate(x_points), dtype=np.float64)
        if np.abs(mdi_eval - want).max(initial=0.0) > 1e-8 * (1.0 + np.abs(want).max(initial=0.0)):
            text = computed.polynomial()
            if len(text) > 300:
                text = f"a polynomial of degree {computed.degree()} with {len(computed.coefficients())} terms"
            raise ValueError(f"task.mdi = {task.mdi!r} interpolates the target on the seen set but is not "
                             f"its min-degree interpolator, which is {text}; "
                             "use mdi = \"auto\" or fix the expression")

    if task.train_size > 0:
        x_train = seen.sample(task.train_size, rng=rng)
        y_train = np.asarray(target.evaluate(x_train), dtype=np.float64)
    else:
        idx = np.flatnonzero(~unseen_eval)
        x_train, y_train = x_points[idx], y_eval[idx]

    if dense:  # the torch transform: already loaded, no JIT compilation in every run's process
        from .torch import fwht

        def coefficients(v):
            return fwht(torch.from_numpy(v), norm="forward").numpy()[masks]

        target_track = coefficients(y_eval)
        mdi_track = coefficients(mdi_eval) if mdi is not None else np.full(len(masks), np.nan)
    else:
        target_track = _sparse_coefficients(target.polynomial(n), masks)
        mdi_poly = None if mdi is None else mdi.coefficients() if task.mdi == "auto" else mdi.polynomial(n)
        mdi_track = _sparse_coefficients(mdi_poly, masks)
    return TaskData(n, x_train, y_train, dense, x_eval, y_eval, unseen_eval, mdi_eval,
                    masks, target_track, mdi_track)


# --------------------------------------------------------------------------- evaluation

class _Evaluator:
    """Evaluates a network at the task's evaluation points: losses, spectrum, tracked coefficients."""

    def __init__(self, data: TaskData, device, batch: int, keep_spectrum: bool):
        t = lambda a, dt=torch.float32: torch.tensor(np.asarray(a), dtype=dt, device=device)  # noqa: E731
        self.n, self.dense, self.batch, self.keep = data.n, data.dense, batch, keep_spectrum and data.dense
        self.y, self.unseen = t(data.y_eval), t(data.unseen_eval, torch.bool)
        self.has_unseen = bool(data.unseen_eval.any())
        self.mdi = None if data.mdi_eval is None else t(data.mdi_eval)
        self.masks = t(data.track_masks, torch.long)
        if self.dense:
            self.shifts = torch.arange(self.n, device=device)
            self.degrees = t(cube.degrees(self.n), torch.long)
        else:
            self.x = t(data.x_eval)
            self.chi = torch.stack([self.x[:, cube.mask_to_set(int(m))].prod(1) for m in data.track_masks], 1) \
                if len(data.track_masks) else torch.zeros(len(self.x), 0, device=device)

    def points(self, start: int, stop: int):  # (stop - start, n) float32 ±1, cube indices start..stop-1
        idx = torch.arange(start, stop, device=self.shifts.device)
        return (1 - 2 * ((idx[:, None] >> self.shifts) & 1)).float()

    @torch.no_grad()
    def outputs(self, net):  # (2**n,) in index order, or (m_eval,)
        total = len(self.y)
        get = self.points if self.dense else (lambda a, b: self.x[a:b])
        return torch.cat([net(get(a, min(a + self.batch, total))).float() for a in range(0, total, self.batch)])

    @torch.no_grad()
    def __call__(self, net) -> tuple[dict, dict]:
        from .torch import fwht

        out = self.outputs(net)
        err = (out - self.y) ** 2
        nan = torch.tensor(float("nan"))
        flips = (out >= 0) != (self.y >= 0)  # sgn 0 = +1, as gotu_error
        row = {"seen_loss": err[~self.unseen].mean(),
               "unseen_loss": err[self.unseen].mean() if self.has_unseen else nan,
               "cube_loss": err.mean(),
               "unseen_sign_error": flips[self.unseen].float().mean() if self.has_unseen else nan}
        arrays = {}
        if self.dense:
            c = fwht(out, norm="forward")  # (2**n,) the network's Fourier coefficients
            tracked = c[self.masks]
            arrays["degree_profile"] = torch.zeros(self.n + 1, device=c.device).index_add_(0, self.degrees, c * c)
            if self.keep:
                arrays["coefficients"] = c
        else:
            tracked = (out[:, None] * self.chi).mean(0)  # Monte-Carlo estimates
        arrays["tracked"] = tracked
        if self.mdi is not None:
            row["mdi_distance"] = ((out - self.mdi) ** 2).mean()  # ||f_net - f_MDI||^2 (Parseval)
        row = {k: float(v) for k, v in row.items()}
        return row, {k: v.cpu().numpy().astype(np.float32) for k, v in arrays.items()}


# --------------------------------------------------------------------------- training

@dataclass
class TrainResult:
    """What :func:`train` returns: tidy metrics, spectrum history, final summary, the trained net."""

    rows: list[dict]  # one per evaluation
    spectra: dict[str, np.ndarray]  # "epochs", "tracked" (E, T), "degree_profile" (E, n+1), "coefficients" (E, 2**n)
    summary: dict
    model: torch.nn.Module


def _optimizer(net, cfg: TrainConfig):
    params = [p for p in net.parameters() if p.requires_grad]
    if cfg.optimizer == "sgd":
        return torch.optim.SGD(params, lr=cfg.lr, momentum=cfg.momentum, weight_decay=cfg.weight_decay)
    if cfg.optimizer == "adam":
        return torch.optim.Adam(params, lr=cfg.lr, weight_decay=cfg.weight_decay)
    return torch.optim.AdamW(params, lr=cfg.lr, weight_decay=cfg.weight_decay)


class CheckpointError(ValueError):
    """A checkpoint cannot be read, or belongs to a different run."""


def config_differences(a: dict, b: dict) -> list[str]:
    """Fields of run configs ``a`` (requested) and ``b`` (on disk) that differ, ignoring
    :data:`RESULT_NEUTRAL`; each is a ``{"task", "model", "train"}`` dict of dicts."""
    out = []
    for table in ("task", "model", "train"):
        for k in a[table]:
            if (table, k) not in RESULT_NEUTRAL and a[table][k] != b[table].get(k):
                out.append(f"{table}.{k}: {b[table].get(k)!r} on disk vs {a[table][k]!r} requested")
    return out


def _config_dict(task, model, cfg) -> dict:
    return {"task": dataclasses.asdict(task), "model": dataclasses.asdict(model), "train": dataclasses.asdict(cfg)}


def _read_checkpoint(path: Path, config: dict) -> dict:
    # on the CPU: the generator states must be CPU tensors; load_state_dict moves
    # the weights and the optimiser state to the parameters' device
    try:
        state = torch.load(path, map_location="cpu", weights_only=True)
        if not isinstance(state, dict) or state.get("format") != 1:
            raise ValueError("not a boolfourier checkpoint")
    except Exception as e:  # torch raises pickle, zip and runtime errors alike
        raise CheckpointError(f"{path} is not a readable checkpoint ({type(e).__name__}: {e}); "
                              "delete it to start the run over") from e
    diff = config_differences(config, state["config"])
    if diff:
        raise CheckpointError(f"{path} is a checkpoint of a different run ({'; '.join(diff)}); "
                              "delete it to start the run over")
    return state


def train(task: TaskConfig, model: ModelConfig, cfg: TrainConfig, *, quiet: bool = False,
          checkpoint: str | Path | None = None) -> TrainResult:
    """Train ``model`` on the seen part of ``task`` with ``cfg``; record the spectrum as it learns.

    Deterministic on the CPU for a given ``cfg.seed``.  See the module docstring
    for what is recorded.

    ``checkpoint``: a file for a resumable checkpoint (model, optimiser, batch-order
    generator, the metrics so far), written atomically at the end of an epoch once
    ``cfg.checkpoint_s`` seconds have passed since the last.  If the file exists,
    training resumes from it (on the CPU with exactly the metrics and weights of
    an uninterrupted run); :class:`CheckpointError` if it is unreadable or was
    made with a different config.  ``wall_time_s`` then counts every session.
    """
    from tqdm.auto import tqdm

    t_start = time.perf_counter()
    device = torch.device(cfg.device)
    if device.type == "cuda" and not torch.cuda.is_available():
        raise RuntimeError("train.device is cuda but torch sees no CUDA device; use --device cpu")
    if cfg.threads and device.type == "cpu":
        torch.set_num_threads(cfg.threads)

    # data: numpy, seeded; then tensors on the device
    rng = np.random.default_rng(cfg.seed)
    data = make_task_data(task, cfg, rng)
    X = torch.as_tensor(data.x_train, dtype=torch.float32, device=device)  # (m, n)
    Y = torch.as_tensor(data.y_train, dtype=torch.float32, device=device)  # (m,)
    weight = (X < 0).sum(1)  # number of -1 coordinates, for the curriculum
    # evaluation batches hold at most ~2**25 activations of the widest layer (2**16-wide mean-field nets)
    widest = {"mlp": max(model.hidden, default=1),
              "transformer": (task.n + 1) * max(model.dim, model.mlp_dim, 3 * model.heads * model.dim_head)
              }.get(model.kind, model.width)
    eval_batch = min(cfg.eval_batch_size, max(256, 2**25 // max(widest, 1)))
    evaluator = _Evaluator(data, device, eval_batch, task.n <= cfg.keep_spectra_max_n)

    # model and optimiser
    torch.manual_seed(cfg.seed)
    gen = torch.Generator().manual_seed(cfg.seed)  # batch order, on the CPU for every device
    net = build_model(model, task.n).to(device)
    opt = _optimizer(net, cfg)

    def ball(r):  # indices of the seen points in the Hamming ball of radius r
        return torch.nonzero(weight <= r).squeeze(1).cpu()

    # Degree-Curriculum (Abbe et al.): the smallest ball radius r = k*leap holding data
    radius = task.n
    if cfg.curriculum_leap:
        radius = cfg.curriculum_leap
        while not bool((weight <= radius).any()):
            radius += cfg.curriculum_leap
    active = ball(radius)

    rows, history = [], {}
    step = 0

    def evaluate(epoch: int, train_loss: float):
        net.train(False)  # torch's evaluation mode: dropout and batch-norm statistics frozen
        row, arrays = evaluator(net)
        for k, v in arrays.items():
            history.setdefault(k, []).append(v)
        rows.append({"epoch": epoch, "step": step, "train_loss": train_loss, **row,
                     **({"radius": radius} if cfg.curriculum_leap else {}),
                     **{f"coef[{t}]": float(v) for t, v in zip(task.track, arrays["tracked"])},
                     **{f"W{k}": float(w) for k, w in enumerate(arrays.get("degree_profile", []))},
                     "elapsed": time.perf_counter() - t_start})
        net.train()

    start = 0
    ckpt = Path(checkpoint) if checkpoint is not None else None
    if ckpt is not None and ckpt.is_file():
        state = _read_checkpoint(ckpt, _config_dict(task, model, cfg))
        net.load_state_dict(state["model"])
        opt.load_state_dict(state["optimizer"])
        gen.set_state(state["generator"])
        torch.set_rng_state(state["torch_rng"])
        rows = state["rows"]
        history = {k: [t.numpy() for t in v] for k, v in state["history"].items()}
        step, radius, start = state["step"], state["radius"], state["epoch"] + 1
        active = ball(radius)
        t_start -= state["elapsed"]
        if not quiet:
            tqdm.write(f"{ckpt}: resuming after epoch {start} of {cfg.epochs}")
    else:
        evaluate(-1, float("nan"))
    saved = time.perf_counter()

    def save(epoch: int):
        state = {"format": 1, "config": _config_dict(task, model, cfg), "epoch": epoch, "step": step,
                 "radius": radius, "elapsed": time.perf_counter() - t_start, "model": net.state_dict(),
                 "optimizer": opt.state_dict(), "generator": gen.get_state(), "torch_rng": torch.get_rng_state(),
                 "rows": rows, "history": {k: [torch.from_numpy(a) for a in v] for k, v in history.items()}}
        buf = io.BytesIO()
        torch.save(state, buf)
        atomic_write(ckpt, buf.getvalue())

    bar = tqdm(range(start, cfg.epochs), disable=quiet, desc=f"{task.name}/{model.kind} seed {cfg.seed}",
               unit="epoch", leave=False, initial=start, total=cfg.epochs)
    for epoch in bar:
        perm = active[torch.randperm(len(active), generator=gen)].to(device)
        xs, ys = X[perm], Y[perm]  # one gather per epoch; batches are views
        total = torch.zeros((), device=device)
        batches = 0
        for a in range(0, len(perm), cfg.batch_size):
            loss = F.mse_loss(net(xs[a:a + cfg.batch_size]), ys[a:a + cfg.batch_size])
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            total += loss.detach()
            batches += 1
        step += batches
        train_loss = float(total) / max(batches, 1)
        bar.set_postfix(loss=f"{train_loss:.3g}", refresh=False)

        converged = bool(cfg.loss_threshold) and train_loss < cfg.loss_threshold
        stop = converged and radius >= task.n
        if epoch % cfg.eval_every == 0 or epoch == cfg.epochs - 1 or stop:
            evaluate(epoch, train_loss)  # the row's radius is the ball this epoch trained on
        if stop:
            break
        if converged:  # next Hamming ball
            radius += cfg.curriculum_leap
            active = ball(radius)
        if ckpt is not None and epoch < cfg.epochs - 1 and time.perf_counter() - saved >= cfg.checkpoint_s:
            save(epoch)
            saved = time.perf_counter()
    bar.close()

    spectra = {"epochs": np.array([r["epoch"] for r in rows], dtype=np.int64),
               "track_masks": data.track_masks,
               "target_track": data.target_track.astype(np.float32),
               "mdi_track": data.mdi_track.astype(np.float32),
               **{k: np.stack(v) for k, v in history.items()}}
    final = rows[-1]
    unseen_mdi = float(np.mean((data.mdi_eval - data.y_eval)[data.unseen_eval] ** 2)) \
        if data.mdi_eval is not None and data.unseen_eval.any() else float("nan")
    summary = {
        "task": task.name, "model": model.kind, "seed": cfg.seed,
        "epochs_run": int(final["epoch"]) + 1, "steps": step, "train_size": len(X),
        "gotu_error": final["unseen_loss"], "unseen_sign_error": final["unseen_sign_error"],
        "seen_loss": final["seen_loss"], "cube_loss": final["cube_loss"],
        "train_loss": final["train_loss"], "mdi_gotu_error": unseen_mdi,
        "mdi_distance": final.get("mdi_distance", float("nan")),
        "exact": data.dense,
        "coefficients": {t: {"learned": final[f"coef[{t}]"], "mdi": float(m), "target": float(g)}
                         for t, m, g in zip(task.track, data.mdi_track, data.target_track)},
        "parameters": sum(p.numel() for p in net.parameters()),
        "wall_time_s": time.perf_counter() - t_start,
        "device": torch.cuda.get_device_name(device) if device.type == "cuda" else f"cpu ({torch.get_num_threads()} threads)",
    }
    return TrainResult(rows, spectra, summary, net)
