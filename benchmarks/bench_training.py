"""Training-loop benchmark: boolfourier's GOTU loop vs the paper's original loop, side by side.

Same task (2parity: f = x0*x1, n = 15, unseen x0 = x1 = -1), same model (the
paper's MLP 15-512-1024-512-64-1), SGD lr 3e-3, batch 64, same number of
epochs, evaluation every epoch:

* boolfourier: ``boolfourier.training.train`` with the paper preset; every
  evaluation is one forward pass over the 2^15 points of the cube, the full
  Fourier spectrum (torch transform), the degree profile, 4 tracked
  coefficients and the distance to the MDI.
* reference: the paper's own ``main.py`` (aryol/GOTU @8ce173c) run from a copy
  OUTSIDE this project (``--reference DIR``; never copied into the project).
  Its einops import is satisfied by a stub on its PYTHONPATH (its MLP never
  calls einops).  Its loop: a DataLoader over a TensorDataset (batch 64),
  evaluation every epoch of the seen set and the cube (batches of 8192), and
  the coefficients of the 4 tracked monomials by a dense product in numpy.
  Without ``--reference``, ``_paper_loop_reimplementation`` below runs instead: a
  re-implementation of that loop written from its description in
  shared/PAPER_NOTES.md, labelled as such in the output.

Both run as fresh processes (``python -c`` / ``python main.py``), so both pay
the torch import; wall time of the whole process is compared, alternating the
order.  ``matmul_work`` counts the multiply-adds of the network's matrix
products in each loop: on a CPU both are bound by them, so their ratio is what
the wall-time ratio tends to when both run them at the same speed.  Then the spectrum tracking overhead is measured in-process: the time of
the spectrum part of an evaluation (transform, degree profile, tracked
coefficients, copy to the host) against one training epoch.

With ``--gpu``: the paper preset of 2parity for the four models on CUDA
(epochs as in the paper unless ``--gpu-epochs``), times written to
``benchmarks/results/bench_training_gpu.json``.

Usage::

    .venv/bin/python benchmarks/bench_training.py --epochs 3 --threads 1 --reference /tmp/gotu_ref
    .venv/bin/python benchmarks/bench_training.py --gpu
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"

_OURS = """
import json, sys, time, torch
from boolfourier.experiments import resolve
from boolfourier.training import train
c = resolve("2parity", "mlp", "paper", train_overrides={{"epochs": {epochs}, "eval_every": 1, "threads": {threads},
            "device": "{device}"}})
r = train(c.task, c.model, c.train, quiet=True)
print("RESULT", json.dumps({{"train_wall_s": r.summary["wall_time_s"], "coef": r.summary["coefficients"]}}))
"""


def _paper_loop_reimplementation(epochs: int, threads: int) -> dict:
    """RE-IMPLEMENTATION (not the paper's code) of the paper's training loop, from shared/PAPER_NOTES.md §3.

    A DataLoader over a TensorDataset of the seen set (batch 64, shuffled);
    before training and after every epoch: the loss on the seen set (valid,
    batches of 8192), the outputs on the whole cube (test, batches of 8192),
    and the coefficients of the 4 tracked monomials as a dense product
    ``chi(monomials, X) @ y / m`` in numpy.
    """
    import itertools

    import numpy as np
    import torch
    from torch import nn
    from torch.utils.data import DataLoader, TensorDataset

    torch.set_num_threads(threads)
    np.random.seed(1)
    torch.manual_seed(1)
    n = 15
    X = np.array(list(itertools.product([-1, 1], repeat=n)), dtype=np.float32)
    y = X[:, 0] * X[:, 1]
    seen = (X[:, 0] == 1) | (X[:, 1] == 1)
    perm = np.random.permutation(len(X))
    tX, ty = torch.tensor(X[perm][seen[perm]]), torch.tensor(y[perm][seen[perm]]).reshape(-1, 1)
    vX, vy = torch.tensor(X[seen]), torch.tensor(y[seen]).reshape(-1, 1)
    cX, cy = torch.tensor(X), torch.tensor(y).reshape(-1, 1)
    train_dl = DataLoader(TensorDataset(tX, ty), batch_size=64, shuffle=True)
    valid_dl = DataLoader(TensorDataset(vX, vy), batch_size=8192)
    test_dl = DataLoader(TensorDataset(cX, cy), batch_size=8192)
    monomials = np.zeros((4, n))
    monomials[1, 0] = monomials[2, 1] = monomials[3, 0] = monomials[3, 1] = 1
    model = nn.Sequential(nn.Linear(n, 512), nn.ReLU(), nn.Linear(512, 1024), nn.ReLU(), nn.Linear(1024, 512),
                          nn.ReLU(), nn.Linear(512, 64), nn.ReLU(), nn.Linear(64, 1))
    opt = torch.optim.SGD(model.parameters(), lr=3e-3, momentum=0.0, weight_decay=0.0)
    loss_func = nn.MSELoss()
    coefficients = []

    def evaluate():
        model.eval()
        with torch.no_grad():
            pred = torch.vstack([model(xb) for xb, _ in test_dl])
            chi = -2 * ((monomials @ ((1 - X.T) / 2)) % 2) + 1  # (4, 2^n) dense characters
            coefficients.append((chi @ pred.numpy()) / len(X))
            sum(loss_func(model(xb), yb) for xb, yb in valid_dl)
            loss_func(pred, cy)
        model.train()

    t0 = time.perf_counter()
    evaluate()
    for _ in range(epochs):
        for xb, yb in train_dl:
            loss = loss_func(model(xb), yb)
            loss.backward()
            opt.step()
            opt.zero_grad()
        evaluate()
    return {"train_wall_s": time.perf_counter() - t0, "coef": np.asarray(coefficients[-1]).ravel().tolist()}


def _timed(cmd, env, cwd=None) -> tuple[float, float, str]:
    """Wall time and CPU time (user + sys of the child) of a command; CPU time is the robust
    figure on a shared machine."""
    import resource

    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    p = subprocess.run(cmd, env=env, cwd=cwd, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if p.returncode:
        raise RuntimeError(f"{cmd[:3]} failed:\n{p.stderr[-3000:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, p.stdout


def side_by_side(epochs: int, threads: int, reference: str | None, repeats: int) -> dict:
    env = {**os.environ, "OMP_NUM_THREADS": str(threads), "MKL_NUM_THREADS": str(threads)}
    py = sys.executable
    out = {"epochs": epochs, "threads": threads, "ours_wall_s": [], "reference_wall_s": [],
           "ours_cpu_s": [], "reference_cpu_s": []}
    if reference and (Path(reference) / "main.py").is_file():
        out["reference"] = f"aryol/GOTU main.py from {reference} (run outside the project)"
        ref_env = {**env, "PYTHONPATH": os.pathsep.join([reference, str(Path(reference) / "stubs")])}
        if not (Path(reference) / "stubs" / "einops.py").is_file():
            ref_env["PYTHONPATH"] = reference  # einops must then be installed
        ref_cmd = [py, str(Path(reference) / "main.py"), "-task", "2parity", "-model", "mlp", "-lr", "0.003",
                   "-epochs", str(epochs), "-seed", "1", "-batch-size", "64"]
    else:
        ref_env = env
        out["reference"] = "RE-IMPLEMENTATION of the paper's loop from PAPER_NOTES (the paper's code was not run)"
        ref_cmd = [py, "-c", f"import json, sys; sys.path.insert(0, {str(Path(__file__).parent)!r}); "
                   "from bench_training import _paper_loop_reimplementation as f; "
                   f"print('RESULT', json.dumps(f({epochs}, {threads})))"]
    ours_cmd = [py, "-c", _OURS.format(epochs=epochs, threads=threads, device="cpu")]
    with tempfile.TemporaryDirectory() as tmp:  # the reference writes its .npz into its cwd
        for i in range(repeats):
            order = [("ours", ours_cmd, env), ("reference", ref_cmd, ref_env)]
            for name, cmd, cmd_env in (order if i % 2 == 0 else order[::-1]):
                wall, cpu, stdout = _timed(cmd, cmd_env, cwd=tmp)
                out[f"{name}_wall_s"].append(wall)
                out[f"{name}_cpu_s"].append(cpu)
                if name == "ours":
                    out["ours_inner"] = json.loads(stdout.split("RESULT", 1)[1])
    out["ratio_best"] = min(out["ours_wall_s"]) / min(out["reference_wall_s"])
    out["cpu_ratio_best"] = min(out["ours_cpu_s"]) / min(out["reference_cpu_s"])
    return out


def matmul_work(epochs: int, n: int = 15) -> dict:
    """Multiply-adds of the network's matrix products in both loops (paper MLP, 2parity).

    Per seen point and step: forward ``P`` (the sum of in*out over the layers),
    weight gradients ``P``, input gradients ``P - n*h0`` (none for the input
    layer).  Evaluations (before training and after every epoch): ours one
    forward pass over the 2^n cube points; the reference's over the cube and
    again over the seen set (its validation set is the whole seen set).  On a
    CPU both loops are bound by these products, so ``ratio`` is the wall-time
    ratio they would show if both ran them at the same speed.
    """
    from boolfourier.models import ModelConfig

    dims = [n, *ModelConfig("mlp").hidden, 1]
    P = sum(a * b for a, b in zip(dims[:-1], dims[1:]))
    seen = 3 * 2 ** (n - 2)  # x0 = x1 = -1 unseen
    train = epochs * seen * (3 * P - n * dims[1])
    ours = train + (epochs + 1) * 2**n * P
    ref = train + (epochs + 1) * (2**n + seen) * P
    return {"ours_gmac": ours / 1e9, "reference_gmac": ref / 1e9, "ratio": ours / ref}


def spectrum_overhead(threads: int, reps: int = 20) -> dict:
    """Spectrum part of one evaluation vs one training epoch, n = 15, paper MLP, batch 64, on the CPU."""
    import torch

    from boolfourier import cube
    from boolfourier.models import ModelConfig, build_model
    from boolfourier.torch import fwht

    torch.set_num_threads(threads)
    n = 15
    torch.manual_seed(0)
    net = build_model(ModelConfig("mlp"), n)
    opt = torch.optim.SGD(net.parameters(), lr=3e-3)
    X = 1 - 2 * torch.randint(0, 2, (3 * 2**13, n)).float()
    Y = X[:, 0] * X[:, 1]
    t0 = time.perf_counter()
    perm = torch.randperm(len(X))
    xs, ys = X[perm], Y[perm]
    for a in range(0, len(X), 64):
        loss = torch.nn.functional.mse_loss(net(xs[a:a + 64]).squeeze(-1), ys[a:a + 64])
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
    epoch_s = time.perf_counter() - t0
    cubex = torch.tensor(cube.points(n), dtype=torch.float32)
    t0 = time.perf_counter()
    with torch.no_grad():
        out = torch.cat([net(cubex[a:a + 8192]).squeeze(-1) for a in range(0, 2**n, 8192)])
    forward_s = time.perf_counter() - t0
    degrees = torch.tensor(cube.degrees(n).astype("int64"))
    masks = torch.tensor([0, 1, 2, 3])
    fwht(out, norm="forward")  # the process's first call loads the kernel (once per run, not per evaluation)
    t0 = time.perf_counter()
    for _ in range(reps):
        c = fwht(out, norm="forward")
        profile = torch.zeros(n + 1).index_add_(0, degrees, c * c)
        tracked = c[masks]
        _ = (c.numpy().astype("float32"), profile.numpy(), tracked.numpy())
    spectrum_s = (time.perf_counter() - t0) / reps
    return {"epoch_train_s": epoch_s, "cube_forward_s": forward_s, "spectrum_s": spectrum_s,
            "spectrum_over_epoch": spectrum_s / epoch_s, "evaluation_over_epoch": (forward_s + spectrum_s) / epoch_s}


def gpu_paper_runs(epochs: int | None) -> dict:
    import torch

    from boolfourier.experiments import resolve
    from boolfourier.training import train

    if not torch.cuda.is_available():
        raise SystemExit("--gpu needs a CUDA device")
    out = {"device": torch.cuda.get_device_name(0), "runs": {}}
    for model in ("mlp", "meanfield", "rf_relu", "transformer"):
        over = {"device": "cuda"} | ({"epochs": epochs} if epochs else {})
        c = resolve("2parity", model, "paper", train_overrides=over)
        r = train(c.task, c.model, c.train, quiet=True)
        s = r.summary
        out["runs"][model] = {"epochs": s["epochs_run"], "wall_s": s["wall_time_s"],
                              "s_per_epoch": s["wall_time_s"] / max(s["epochs_run"], 1),
                              "gotu_error": s["gotu_error"], "seen_loss": s["seen_loss"],
                              "coefficients": {k: v["learned"] for k, v in s["coefficients"].items()}}
        print(model, json.dumps(out["runs"][model]), flush=True)
    return out


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--epochs", type=int, default=3)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--repeats", type=int, default=1)
    p.add_argument("--reference", help="a checkout of aryol/GOTU kept outside the project (with stubs/einops.py)")
    p.add_argument("--gpu", action="store_true", help="paper preset of 2parity, four models, on CUDA")
    p.add_argument("--gpu-epochs", type=int, default=None)
    p.add_argument("--out", default=str(RESULTS))
    args = p.parse_args(argv)
    Path(args.out).mkdir(parents=True, exist_ok=True)
    load = os.getloadavg() if hasattr(os, "getloadavg") else None
    meta = {"date": time.strftime("%Y-%m-%d %H:%M:%S"), "machine": platform.processor() or platform.machine(),
            "cpus": os.cpu_count(), "loadavg_at_start": load}
    if args.gpu:
        res = {**meta, **gpu_paper_runs(args.gpu_epochs)}
        (Path(args.out) / "bench_training_gpu.json").write_text(json.dumps(res, indent=2))
        return 0
    res = {**meta, "side_by_side": side_by_side(args.epochs, args.threads, args.reference, args.repeats),
           "matmul_work": matmul_work(args.epochs), "spectrum_overhead": spectrum_overhead(args.threads)}
    res["loadavg_at_end"] = os.getloadavg() if hasattr(os, "getloadavg") else None
    (Path(args.out) / "bench_training_cpu.json").write_text(json.dumps(res, indent=2))
    s, o, w = res["side_by_side"], res["spectrum_overhead"], res["matmul_work"]
    print(f"reference: {s['reference']}")
    print(f"{s['epochs']} epochs, {s['threads']} thread(s): boolfourier {min(s['ours_wall_s']):.1f} s, "
          f"reference {min(s['reference_wall_s']):.1f} s, ratio {s['ratio_best']:.2f} (target <= 0.5); "
          f"CPU time {min(s['ours_cpu_s']):.1f} s vs {min(s['reference_cpu_s']):.1f} s, ratio {s['cpu_ratio_best']:.2f}")
    print(f"matrix-product work: {w['ours_gmac']:.0f} vs {w['reference_gmac']:.0f} GMAC, ratio {w['ratio']:.2f} "
          "(the wall-time ratio if both ran their products at the same speed)")
    print(f"spectrum per evaluation {1e3 * o['spectrum_s']:.1f} ms = {100 * o['spectrum_over_epoch']:.2f} % of a "
          f"training epoch ({o['epoch_train_s']:.2f} s; target <= 5 %); with the cube forward pass "
          f"{100 * o['evaluation_over_epoch']:.1f} %")
    print(f"load average {load} -> {res['loadavg_at_end']} on {os.cpu_count()} CPUs")
    return 0


if __name__ == "__main__":
    sys.exit(main())
