#!/usr/bin/env python
"""Benchmark boolfourier's Walsh–Hadamard transform against its peers.

One script, one run.  Every candidate gets the same input at each size.
Within a run the candidates are interleaved: each repetition visits every
candidate once, in a freshly shuffled order, and every timed call works on
a fresh copy of the input made outside the timed region.  A repetition of a
fast candidate is the median of a burst of back-to-back calls lasting about
2 ms (each on its own fresh copy), so microsecond calls are timed with their
code hot rather than right after another candidate evicted it; a slow
candidate's repetition is one call.  ``OMP_WAIT_POLICY`` defaults to
``PASSIVE`` here (see below, and the JSON).  Before any candidate is
timed, the output of an untimed call is checked against the plain radix-2
reference kernel.  A candidate that fails the check, or raises, is reported
and is not timed.  The machine is noisy, so the whole suite runs ``--runs``
times (default 3), and the figure reported is the median of the per-run
medians.

The comparison is out of place for everyone, i.e. a copy plus the
transform, as in ``boolfourier.fwht(a)`` and ``fht_cpu.fht(a, inplace=False)``.
Rows marked ``[in place]`` time a peer's in-place API on the fresh copy.
They are shown for information and never count as "best peer".

Candidates
----------
memcpy           np.copyto into a preallocated buffer: the floor (yardstick)
stream_rw        2-thread in-place read+write sweep, numba prange (yardstick)
boolfourier      boolfourier.fwht(a), numba, default threads
boolfourier_1t   boolfourier.fwht(a, workers=1)
bf_torch         boolfourier.torch.fwht(t), CPU tensor (and bf_torch_cuda when CUDA is present)
numpy            a vectorised numpy radix-2 butterfly (baseline, not a peer)
scipy_H@x        scipy.linalg.hadamard(N) @ x, N <= 2**12; building H is not timed (peer)
sympy            sympy.discrete.transforms.fwht, 1-D, N <= 2**12 (peer)
fht_cpu          fht_cpu.fht(a, inplace=False): FFHT's AVX kernels (peer)
pyfwht_omp/cpu   pyfwht.fwht(a, backend=OPENMP / CPU); float32 goes through float64 (peer)
torch_ht         hadamard_transform.hadamard_transform(t), pure torch, scaled by 1/sqrt(N) (peer)

The peers come from ``benchmarks/requirements.txt``.  A peer that is not
installed is skipped with a note.

Also measured in fresh processes: the start-up cost with an empty numba cache
(``NUMBA_CACHE_DIR`` set to a new temporary folder: import plus first calls,
i.e. compile time), and that of later processes with the same, now warm,
cache (the median of ``WARM_STARTS`` processes).

Output: a table on stdout, plus ``transform-<stamp>.csv``, ``.json`` (with
the machine description, every per-run median and raw time) and ``.png``
(time vs n, log scale) under ``--out`` (default ``benchmarks/results``).

Examples
--------
Full run (about 35-45 min on this project's 2-core VM, over half of it in the slow
baselines torch_ht and numpy at 2^24-2^26)::

    .venv/bin/python benchmarks/bench_transform.py

Smoke run (small sizes, one run; this is what tests/test_benchmarks.py does)::

    .venv/bin/python benchmarks/bench_transform.py --quick --out /tmp/bench
"""

from __future__ import annotations

import os

# Candidates from several OpenMP runtimes (numba's omp layer, torch, pyfwht, fht_cpu)
# share two cores here.  With the default wait policy an idle runtime's threads spin
# after each parallel region and steal the cores from whichever candidate runs next
# in the interleaved order, so make idle threads sleep unless told otherwise.  Must be
# set before numba or torch loads an OpenMP runtime.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import argparse
import csv
import datetime as _dt
import gc
import importlib
import importlib.metadata
import json
import math
import pathlib
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass

import numba
import numpy as np

import boolfourier
from boolfourier.transform import _reference

HERE = pathlib.Path(__file__).resolve().parent
REPO = HERE.parent
DEFAULT_SIZES = "10,12,14,16,18,20,22,24,26,4096x10"
QUICK_SIZES = "8,10,64x8"
SLOW_CALL_S = 1.0  # a candidate whose checked call takes longer gets the minimum reps
MIN_REPS = 5
BATCH_S = 2e-3  # a repetition of a fast candidate: back-to-back calls for about this long
MAX_INNER = 200
# Largest error allowed against the float64 reference, relative to max |reference|.
TOL = {np.dtype(np.float64): 1e-12, np.dtype(np.float32): 2e-5}
# Packages whose versions go into the JSON (distribution names).
VERSIONED = (
    "boolfourier", "numpy", "numba", "llvmlite", "scipy", "sympy", "torch", "matplotlib",
    "fht-cpu", "pyfwht", "hadamard-transform",
)
PEER_KINDS = ("peer",)  # kinds that compete for "best peer"


# --- sizes ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Size:
    """One problem size: ``rows`` transforms of length ``2**n`` (rows == 0 means 1-D)."""

    n: int
    rows: int = 0

    @property
    def shape(self):
        return (1 << self.n,) if self.rows == 0 else (self.rows, 1 << self.n)

    @property
    def label(self):
        return f"2^{self.n}" if self.rows == 0 else f"{self.rows}x2^{self.n}"


def parse_sizes(text):
    sizes = []
    for tok in text.split(","):
        tok = tok.strip().lower()
        if not tok:
            continue
        if "x" in tok:
            rows, n = tok.split("x")
            sizes.append(Size(int(n), int(rows)))
        else:
            sizes.append(Size(int(tok)))
    return sizes


# --- candidates -------------------------------------------------------------------------------


@numba.njit(parallel=True, cache=True)
def _stream_rw(x):
    # In-place read + write of every element; negation keeps the check trivial.
    for i in numba.prange(x.size):
        x[i] = -x[i]


def _numpy_fwht(a):
    """Vectorised radix-2 butterflies, out of place (one temporary per level)."""
    out = np.array(a, copy=True)
    size = out.shape[-1]
    rows = out.reshape(-1, size)
    h = 1
    while h < size:
        v = rows.reshape(rows.shape[0], -1, 2, h)
        x, y = v[:, :, 0, :], v[:, :, 1, :]
        t = x - y
        x += y
        y[...] = t
        h *= 2
    return out


@dataclass
class Candidate:
    """A way to compute the transform.

    ``setup(a, size, work)`` returns ``(refresh, run, to_numpy)``: ``refresh()``
    makes the fresh input (untimed; copies ``a`` into the shared buffer ``work``
    unless the candidate needs another kind), ``run()`` is the timed call and returns
    the output, ``to_numpy(out)`` gives it back as an array for the check.
    ``expect(ref, a, size)`` is what a correct output equals.
    """

    name: str
    kind: str  # yardstick | ours | baseline | peer | peer-inplace
    setup: object
    applies: object = None  # (size, dtype) -> None or a reason to skip
    expect: object = None

    def skip_reason(self, size, dtype):
        return self.applies(size, dtype) if self.applies else None


def _fresh_numpy(a, work, call, threads=None):
    def refresh():
        np.copyto(work, a)
        if threads is not None:
            numba.set_num_threads(threads)

    return refresh, (lambda: call(work)), np.asarray


def _from_numpy_call(call, threads=None):
    return lambda a, size, work: _fresh_numpy(a, work, call, threads)


def _only(max_n=None, one_d=False, dtypes=None):
    def applies(size, dtype):
        if max_n is not None and size.n > max_n:
            return f"n > {max_n}"
        if one_d and size.rows:
            return "1-D only"
        if dtypes is not None and np.dtype(dtype) not in [np.dtype(d) for d in dtypes]:
            return f"{np.dtype(dtype)} not supported"
        return None

    return applies


def _import(name):
    try:
        return importlib.import_module(name), None
    except ImportError as exc:
        return None, f"{name} not installed ({exc.__class__.__name__}); " \
            "pip install -r benchmarks/requirements.txt"


def build_candidates(default_threads):
    """All candidates, and notes about those that are unavailable."""
    notes = []
    two = min(2, numba.config.NUMBA_NUM_THREADS)
    cands = []

    def memcpy_setup(a, size, work):
        buf = np.empty_like(a)
        return (lambda: np.copyto(work, a)), (lambda: np.copyto(buf, work) or buf), np.asarray

    cands.append(Candidate("memcpy", "yardstick", memcpy_setup,
                           expect=lambda ref, a, size: a))
    cands.append(Candidate(
        "stream_rw", "yardstick",
        lambda a, size, work: _fresh_numpy(a, work, lambda w: _stream_rw(w.reshape(-1)) or w, two),
        expect=lambda ref, a, size: -a))
    cands.append(Candidate("boolfourier", "ours",
                           _from_numpy_call(boolfourier.fwht, default_threads)))
    cands.append(Candidate("boolfourier_1t", "ours", _from_numpy_call(
        lambda w: boolfourier.fwht(w, workers=1), default_threads)))

    torch, why = _import("torch")
    if torch is None:
        notes.append(f"bf_torch, torch_ht: {why}")
    else:
        import boolfourier.torch as bft

        def bf_torch_setup(a, size, work):
            t = torch.from_numpy(work)  # shares work's memory: refreshed with it
            refresh, _, _ = _fresh_numpy(a, work, None, default_threads)  # numba underneath
            return refresh, (lambda: bft.fwht(t)), (lambda o: o.numpy())

        cands.append(Candidate("bf_torch", "ours", bf_torch_setup))
        if torch.cuda.is_available():
            def cuda_setup(a, size, work):
                src = torch.from_numpy(a).cuda()
                t = torch.empty_like(src)

                def refresh():
                    t.copy_(src)
                    torch.cuda.synchronize()

                def run():
                    out = bft.fwht(t)
                    torch.cuda.synchronize()
                    return out

                return refresh, run, (lambda o: o.cpu().numpy())

            cands.append(Candidate("bf_torch_cuda", "ours", cuda_setup))
        else:
            notes.append("bf_torch_cuda: no CUDA device")

    cands.append(Candidate("numpy", "baseline", _from_numpy_call(_numpy_fwht)))

    import scipy.linalg

    def scipy_setup(a, size, work):
        h = scipy.linalg.hadamard(1 << size.n, dtype=a.dtype)  # not timed
        # H is symmetric: rows @ H transforms each row.
        return _fresh_numpy(a, work, lambda w: w @ h)

    cands.append(Candidate("scipy_H@x", "peer", scipy_setup, _only(max_n=12)))

    import sympy.discrete.transforms as sdt

    cands.append(Candidate(
        "sympy", "peer",
        _from_numpy_call(lambda w: np.array(sdt.fwht(w.tolist()), dtype=w.dtype)),
        _only(max_n=12, one_d=True)))

    fht_cpu, why = _import("fht_cpu")
    if fht_cpu is None:
        notes.append(f"fht_cpu: {why}")
    else:
        cands.append(Candidate("fht_cpu", "peer", _from_numpy_call(
            lambda w: fht_cpu.fht(w, inplace=False))))
        cands.append(Candidate("fht_cpu [in place]", "peer-inplace", _from_numpy_call(
            lambda w: fht_cpu.fht(w, inplace=True))))

    pyfwht, why = _import("pyfwht")
    if pyfwht is None:
        notes.append(f"pyfwht: {why}")
    else:
        # Always pass the backend: pyfwht's default tries CUDA.
        def pyfwht_applies(size, dtype):
            # 2-D input on the CPU is a Python loop over rows calling the float64-only
            # in-place transform, so float32 batches raise TypeError.
            if size.rows and np.dtype(dtype) != np.float64:
                return f"2-D {np.dtype(dtype)} not supported on the CPU backends"
            return None

        for label, backend in (("omp", pyfwht.Backend.OPENMP), ("cpu", pyfwht.Backend.CPU)):
            cands.append(Candidate(f"pyfwht_{label}", "peer", _from_numpy_call(
                lambda w, b=backend: pyfwht.fwht(w, backend=b)), pyfwht_applies))
        cands.append(Candidate(
            "pyfwht_omp [in place]", "peer-inplace",
            _from_numpy_call(lambda w: pyfwht.transform(w, backend=pyfwht.Backend.OPENMP) or w),
            _only(one_d=True, dtypes=[np.float64])))

    ht, why = _import("hadamard_transform")
    if ht is None:
        notes.append(f"torch_ht: {why}")
    elif torch is not None:
        def ht_setup(a, size, work):
            t = torch.from_numpy(work)
            return ((lambda: np.copyto(work, a)), (lambda: ht.hadamard_transform(t)),
                    (lambda o: o.numpy()))

        cands.append(Candidate(
            "torch_ht", "peer", ht_setup,
            expect=lambda ref, a, size: ref / math.sqrt(1 << size.n)))  # normalised
    return cands, notes


# --- measuring --------------------------------------------------------------------------------


def make_input(size, dtype):
    rng = np.random.default_rng(1000 * size.n + size.rows)
    return rng.standard_normal(size.shape).astype(dtype)


def reference(a):
    """Plain radix-2 butterflies (boolfourier's reference kernel), in float64."""
    ref = np.array(a, dtype=np.float64, copy=True).reshape(-1, a.shape[-1])
    _reference.fwht_inplace(ref, 1.0)
    return ref.reshape(a.shape)


def check(out, want, dtype):
    """None if ``out`` matches ``want``; else a short reason."""
    out = np.asarray(out)
    if out.shape != want.shape:
        return f"shape {out.shape} != {want.shape}"
    err = np.max(np.abs(out.astype(np.float64) - want)) / max(np.max(np.abs(want)), 1e-300)
    tol = TOL[np.dtype(dtype)]
    return None if err <= tol else f"relative error {err:.2e} > {tol:.0e}"


def _one_call(refresh, call):
    """Seconds for one call on a fresh input (the refresh is not timed)."""
    refresh()
    t0 = time.perf_counter_ns()
    out = call()
    t1 = time.perf_counter_ns()
    del out
    return (t1 - t0) * 1e-9


def run_size(cands, size, dtype, reps, log, seed=0):
    """One run at one size: check every candidate, then time them interleaved.

    A repetition calls each candidate ``inner`` times in a row, each call on a fresh
    copy, and keeps the median call; ``inner`` makes a repetition last about
    BATCH_S, so microsecond calls are timed with their code hot, as a caller
    would see them, rather than right after another candidate evicted it.
    The candidates' order is shuffled in every repetition.

    Returns {name: {"times": [...], "inner": k, "median": s} or {"skipped"/"failed": why}}.
    """
    a = make_input(size, dtype)
    ref = reference(a)
    work = np.empty_like(a)  # every candidate's fresh copy goes here (one buffer: 2^26 is big)
    live, result = [], {}
    for c in cands:
        reason = c.skip_reason(size, dtype)
        if reason:
            result[c.name] = {"skipped": reason}
            continue
        out = None
        try:
            refresh, call, to_np = c.setup(a, size, work)
            refresh()
            t0 = time.perf_counter()
            out = call()
            first = time.perf_counter() - t0
            want = c.expect(ref, a, size) if c.expect else ref
            bad = check(to_np(out), want, dtype)
        except Exception as exc:  # a peer's failure is a result to report, not a crash
            bad = f"raised {exc.__class__.__name__}: {exc}"
        del out
        if bad:
            result[c.name] = {"failed": bad}
            log(f"  !! {c.name} at {size.label} {np.dtype(dtype)}: {bad} (not timed)")
            continue
        # Calibrate on a second call: the first may include JIT compilation or lazy set-up
        # (it is reported as first_call_s), and would otherwise shrink the bursts to one call.
        warm = _one_call(refresh, call)
        inner = max(1, min(MAX_INNER, int(BATCH_S / max(warm, 1e-9))))
        n_reps = reps if warm < SLOW_CALL_S else min(reps, MIN_REPS)
        live.append((c, refresh, call, n_reps, inner))
        result[c.name] = {"times": [], "inner": inner, "first_call_s": first}
    del ref
    rng = np.random.default_rng(seed)
    gc.collect()
    gc.disable()
    try:
        for rep in range(max((item[3] for item in live), default=0)):
            for i in rng.permutation(len(live)):
                c, refresh, call, n_reps, inner = live[i]
                if rep < n_reps:
                    calls = [_one_call(refresh, call) for _ in range(inner)]
                    result[c.name]["times"].append(statistics.median(calls))
    finally:
        gc.enable()
    for c, *_ in live:
        result[c.name]["median"] = statistics.median(result[c.name]["times"])
    return result


# --- start-up ---------------------------------------------------------------------------------

_STARTUP_CHILD = r"""
import json, time
t0 = time.perf_counter()
import numpy as np
t1 = time.perf_counter()
import boolfourier
t2 = time.perf_counter()
res = {"import_numpy_s": t1 - t0, "import_boolfourier_s": t2 - t1}
rng = np.random.default_rng(0)
for label, shape, dt in [("f64 2^10", (1 << 10,), "float64"), ("f32 2^10", (1 << 10,), "float32"),
                         ("f64 2^20", (1 << 20,), "float64"), ("f32 2^20", (1 << 20,), "float32"),
                         ("f64 4096x2^10", (4096, 1 << 10), "float64")]:
    a = rng.standard_normal(shape).astype(dt)
    t = time.perf_counter(); boolfourier.fwht(a); first = time.perf_counter() - t
    t = time.perf_counter(); boolfourier.fwht(a); second = time.perf_counter() - t
    res["first call " + label] = first
    res["second call " + label] = second
print("STARTUP_JSON " + json.dumps(res))
"""


#: Fresh processes timed with the warm cache (the median is reported: one
#: process start on a noisy machine varies by +-30 %).
WARM_STARTS = 5


def _startup_child(env, log):
    t0 = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", _STARTUP_CHILD], env=env,
                          capture_output=True, text=True, cwd=tempfile.gettempdir())
    wall = time.perf_counter() - t0
    if proc.returncode != 0:
        log(f"  !! start-up child failed: {proc.stderr.strip()[-500:]}")
        return {"failed": proc.stderr.strip()[-2000:]}
    line = [ln for ln in proc.stdout.splitlines() if ln.startswith("STARTUP_JSON ")][-1]
    res = json.loads(line[len("STARTUP_JSON "):])
    res["process_wall_s"] = wall
    res["import + first call f64 2^10 s"] = res["import_boolfourier_s"] + res["first call f64 2^10"]
    res["import + all first calls s"] = res["import_boolfourier_s"] + sum(
        v for k, v in res.items() if k.startswith("first call"))
    return res


def measure_startup(log):
    """Import + first calls in a fresh process with an empty numba cache (compiles), then
    in WARM_STARTS further processes with that cache warm (median of each figure)."""
    out = {}
    with tempfile.TemporaryDirectory(prefix="bf-numba-cache-") as cache:
        env = dict(os.environ, NUMBA_CACHE_DIR=cache)
        out["cold cache (compile)"] = _startup_child(env, log)
        warm = [_startup_child(env, log) for _ in range(WARM_STARTS)]
        ok = [w for w in warm if "failed" not in w]
        if not ok:
            out["warm cache (second process)"] = warm[0]
            return out
        med = {k: statistics.median(w[k] for w in ok) for k in ok[0]}
        med["samples"] = len(ok)
        out["warm cache (second process)"] = med
        out["warm cache samples"] = ok
    return out


# --- machine ----------------------------------------------------------------------------------


def _threading_layer():
    try:
        return numba.threading_layer()
    except ValueError:  # no parallel region has run yet
        return None


def machine_info(default_threads):
    info = {
        "platform": platform.platform(),
        "python": sys.version.split()[0],
        "cpu_count": os.cpu_count(),
        "affinity": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None,
        "numba_threads": default_threads,
        "numba_threading_layer": _threading_layer(),
        "OMP_WAIT_POLICY": os.environ.get("OMP_WAIT_POLICY"),
        "numba_num_threads_max": numba.config.NUMBA_NUM_THREADS,
        "loadavg_start": os.getloadavg() if hasattr(os, "getloadavg") else None,
    }
    try:
        lscpu = subprocess.run(["lscpu"], capture_output=True, text=True, check=True).stdout
        fields = {}
        for line in lscpu.splitlines():
            key, _, val = line.partition(":")
            fields[key.strip()] = val.strip()
        keep = ("Model name", "CPU family", "Model", "Stepping", "CPU(s)", "Thread(s) per core",
                "Core(s) per socket", "Socket(s)", "L1d cache", "L2 cache", "L3 cache",
                "Hypervisor vendor", "CPU max MHz")
        info["lscpu"] = {k: fields[k] for k in keep if k in fields}
        flags = set(fields.get("Flags", "").split())
        info["simd"] = sorted(f for f in flags if f in {"avx", "avx2", "fma"}
                              or f.startswith("avx512"))
    except (OSError, subprocess.CalledProcessError) as exc:
        info["lscpu"] = f"unavailable: {exc}"
    try:
        with open("/proc/meminfo") as fh:
            info["memtotal"] = fh.readline().split(":", 1)[1].strip()
    except OSError:
        pass
    try:
        import llvmlite.binding as llvm

        info["llvm_host_cpu"] = llvm.get_host_cpu_name()  # what numba compiles for
    except (ImportError, AttributeError):
        pass
    versions = {}
    for dist in VERSIONED:
        try:
            versions[dist] = importlib.metadata.version(dist)
        except importlib.metadata.PackageNotFoundError:
            versions[dist] = None
    info["versions"] = versions
    try:
        import torch

        info["torch_threads"] = torch.get_num_threads()
        info["cuda"] = torch.cuda.get_device_name(0) if torch.cuda.is_available() else None
    except ImportError:
        pass
    try:
        head = subprocess.run(["git", "-C", str(REPO), "rev-parse", "HEAD"],
                              capture_output=True, text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", str(REPO), "status", "--porcelain", "--",
                                "boolfourier"], capture_output=True, text=True).stdout.strip()
        info["git"] = {"commit": head, "boolfourier_dirty": bool(dirty)}
    except (OSError, subprocess.CalledProcessError):
        info["git"] = None
    return info


# --- report -----------------------------------------------------------------------------------


def fmt_time(s):
    if s is None:
        return ""
    for unit, f in (("s", 1.0), ("ms", 1e-3), ("us", 1e-6)):
        if s >= f:
            return f"{s / f:.3g} {unit}"
    return f"{s / 1e-9:.3g} ns"


def summarise(per_run, cands):
    """Median of per-run medians, per (dtype, size label, candidate), with ratios."""
    kinds = {c.name: c.kind for c in cands}
    rows = []
    keys = []
    for run in per_run:
        for (dt, label), res in run.items():
            if (dt, label) not in keys:
                keys.append((dt, label))
    for dt, label in keys:
        meds, status = {}, {}
        for c in cands:
            vals = [run[(dt, label)][c.name]["median"] for run in per_run
                    if (dt, label) in run and "median" in run[(dt, label)].get(c.name, {})]
            if vals:
                meds[c.name] = (statistics.median(vals), min(vals), vals)
            else:
                info = next((run[(dt, label)][c.name] for run in per_run
                             if (dt, label) in run and c.name in run[(dt, label)]), {})
                status[c.name] = info.get("failed") and f"FAILED: {info['failed']}" \
                    or info.get("skipped", "")
        peers = {k: v[0] for k, v in meds.items() if kinds[k] in PEER_KINDS}
        best = min(peers, key=peers.get) if peers else None
        memcpy = meds.get("memcpy", (None,))[0]
        for c in cands:
            if c.name in meds:
                med, best_run, vals = meds[c.name]
                rows.append({
                    "dtype": dt, "size": label, "candidate": c.name, "kind": c.kind,
                    "median_s": med, "best_run_median_s": best_run, "run_medians_s": vals,
                    "ratio_memcpy": med / memcpy if memcpy else None,
                    "ratio_best_peer": med / peers[best] if best else None,
                    "best_peer": best, "status": "ok",
                })
            else:
                rows.append({"dtype": dt, "size": label, "candidate": c.name, "kind": c.kind,
                             "median_s": None, "best_run_median_s": None, "run_medians_s": [],
                             "ratio_memcpy": None, "ratio_best_peer": None, "best_peer": best,
                             "status": status.get(c.name, "")})
    return rows


def print_table(rows, runs, write=print):
    write(f"\nMedian of {runs} per-run median(s); ratios: time / memcpy and time / best peer "
          "(fastest of scipy, sympy, fht_cpu, pyfwht, torch_ht; < 1 beats it).")
    current = None
    for r in rows:
        if (r["dtype"], r["size"]) != current:
            current = (r["dtype"], r["size"])
            write(f"\n{r['dtype']}  {r['size']}   best peer: {r['best_peer'] or '-'}")
            write(f"  {'candidate':<24}{'time':>11}{'x memcpy':>10}{'x best peer':>13}")
        if r["median_s"] is None:
            if r["status"]:
                write(f"  {r['candidate']:<24}{'':>11}  ({r['status']})")
            continue
        rm = f"{r['ratio_memcpy']:.2f}" if r["ratio_memcpy"] is not None else ""
        rb = f"{r['ratio_best_peer']:.2f}" if r["ratio_best_peer"] is not None else ""
        write(f"  {r['candidate']:<24}{fmt_time(r['median_s']):>11}{rm:>10}{rb:>13}")
    # One line per dtype: boolfourier against the best peer, size by size.
    for dt in dict.fromkeys(r["dtype"] for r in rows):
        bits = [f"{r['size']}: {r['ratio_best_peer']:.2f}" for r in rows
                if r["dtype"] == dt and r["candidate"] == "boolfourier"
                and r["ratio_best_peer"] is not None]
        if bits:
            write(f"\nboolfourier / best peer, {dt}: " + ", ".join(bits))


def print_startup(startup, write=print):
    if not startup:
        return
    warm = startup.get("warm cache (second process)", {})
    write(f"\nStart-up (fresh process; seconds; warm: median of {warm.get('samples', 1)} processes)")
    keys = ["import_boolfourier_s", "first call f64 2^10", "first call f32 2^10",
            "first call f64 2^20", "first call f32 2^20", "first call f64 4096x2^10",
            "import + first call f64 2^10 s", "import + all first calls s", "process_wall_s"]
    labels = [lab for lab in startup if lab != "warm cache samples"]
    write(f"  {'':<34}" + "".join(f"{lab:>30}" for lab in labels))
    for k in keys:
        vals = [startup[lab].get(k) for lab in labels]
        write(f"  {k:<34}" + "".join(f"{v:>30.3f}" if isinstance(v, float) else f"{'-':>30}"
                                     for v in vals))


def write_csv(rows, path):
    cols = ["dtype", "size", "candidate", "kind", "median_s", "best_run_median_s",
            "ratio_memcpy", "ratio_best_peer", "best_peer", "status", "run_medians_s"]
    with open(path, "w", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=cols)
        w.writeheader()
        for r in rows:
            w.writerow({**r, "run_medians_s": " ".join(f"{v:.6g}" for v in r["run_medians_s"])})


def plot(rows, sizes, path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import matplotlib.ticker

    colours = plt.get_cmap("tab20")
    dtypes = list(dict.fromkeys(r["dtype"] for r in rows))
    one_d = {s.label: s.n for s in sizes if s.rows == 0}
    fig, axes = plt.subplots(2, len(dtypes), figsize=(7 * len(dtypes), 9), squeeze=False,
                             sharex=True)
    for j, dt in enumerate(dtypes):
        names = list(dict.fromkeys(r["candidate"] for r in rows if r["dtype"] == dt))
        for name in names:
            pts = sorted((one_d[r["size"]], r["median_s"], r["ratio_memcpy"], r["kind"])
                         for r in rows if r["dtype"] == dt and r["candidate"] == name
                         and r["size"] in one_d and r["median_s"] is not None)
            if not pts:
                continue
            kind = pts[0][3]
            style = {"ours": dict(lw=2.5, marker="o"), "yardstick": dict(ls="--"),
                     "peer-inplace": dict(ls=":")}.get(kind, dict(marker="."))
            style["color"] = colours(names.index(name) % 20)
            xs = [p[0] for p in pts]
            axes[0][j].plot(xs, [p[1] for p in pts], label=name, **style)
            if pts[0][2] is not None:
                axes[1][j].plot(xs, [p[2] for p in pts], label=name, **style)
        axes[0][j].set_title(f"{dt}: median time per call (out of place)")
        axes[0][j].set_yscale("log")
        axes[0][j].set_ylabel("seconds")
        axes[1][j].set_yscale("log")
        axes[1][j].set_ylabel("time / memcpy")
        axes[1][j].set_xlabel("n (transform length 2^n)")
        for ax in axes[:, j]:
            ax.grid(True, which="both", alpha=0.3)
            ax.xaxis.set_major_locator(matplotlib.ticker.MaxNLocator(integer=True))
        axes[0][j].legend(fontsize=7, ncol=2)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


# --- main -------------------------------------------------------------------------------------


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--sizes", help=f"comma list of n (length 2^n) or ROWSxn for batched rows "
                   f"(default {DEFAULT_SIZES}; --quick: {QUICK_SIZES})")
    p.add_argument("--dtypes", default="float64,float32", help="comma list (default: %(default)s)")
    p.add_argument("--runs", type=int, help="interleaved suite repetitions (default 3; --quick: 1)")
    p.add_argument("--reps", type=int, default=7,
                   help=f"repetitions per candidate per run, >= {MIN_REPS} (default %(default)s; "
                   f"calls slower than {SLOW_CALL_S:g} s get {MIN_REPS}); a repetition of a "
                   f"fast call is the median of a ~{BATCH_S * 1e3:g} ms burst")
    p.add_argument("--quick", action="store_true",
                   help="small sizes, one run, no start-up measurement (smoke test)")
    p.add_argument("--no-startup", action="store_true", help="skip the start-up measurement")
    p.add_argument("--skip", default="", metavar="NAMES",
                   help="comma list of candidates to leave out, e.g. 'sympy,torch_ht' "
                   "(the yardstick memcpy cannot be skipped)")
    p.add_argument("--out", default=str(HERE / "results"),
                   help="output folder (default: %(default)s)")
    args = p.parse_args(argv)

    try:
        sizes = parse_sizes(args.sizes or (QUICK_SIZES if args.quick else DEFAULT_SIZES))
        dtypes = [np.dtype(d.strip()) for d in args.dtypes.split(",") if d.strip()]
    except (ValueError, TypeError) as e:
        p.error(f"cannot read --sizes/--dtypes: {e}")
    for dt in dtypes:
        if dt not in TOL:
            p.error(f"dtype {dt} is not benchmarked; use float64 and/or float32")
    runs = args.runs if args.runs is not None else (1 if args.quick else 3)
    if runs < 1 or args.reps < MIN_REPS:
        p.error(f"need --runs >= 1 and --reps >= {MIN_REPS}")
    out_dir = pathlib.Path(args.out)
    out_dir.mkdir(parents=True, exist_ok=True)

    def log(msg):
        print(msg, flush=True)

    default_threads = numba.get_num_threads()
    cands, notes = build_candidates(default_threads)
    skip = {name.strip() for name in args.skip.split(",") if name.strip()}
    unknown = skip - {c.name for c in cands} - {"bf_torch_cuda", "fht_cpu", "pyfwht_omp",
                                                 "pyfwht_cpu", "torch_ht"}
    if unknown or "memcpy" in skip:
        p.error(f"--skip: cannot skip {sorted(unknown | (skip & {'memcpy'}))}; "
                f"candidates are {[c.name for c in cands]}")
    if skip:
        notes.append(f"left out by --skip: {', '.join(sorted(skip))}")
        cands = [c for c in cands if c.name not in skip]
    info = machine_info(default_threads)
    cpu = info["lscpu"] if isinstance(info["lscpu"], dict) else {}
    log(f"boolfourier FWHT benchmark: {cpu.get('Model name', '?')} "
        f"({info.get('llvm_host_cpu', '?')}; {' '.join(info.get('simd', []))}), "
        f"{info['cpu_count']} CPUs, numba threads {default_threads}, "
        f"OMP_WAIT_POLICY={os.environ.get('OMP_WAIT_POLICY')}")
    log("candidates: " + ", ".join(c.name for c in cands))
    for note in notes:
        log(f"  skipped: {note}")

    t_start = time.perf_counter()
    startup = None
    if not (args.quick or args.no_startup):
        log("start-up: fresh processes with an empty, then warm, numba cache ...")
        startup = measure_startup(log)

    per_run = []
    for run in range(runs):
        results = {}
        for dt in dtypes:
            for size in sizes:
                t0 = time.perf_counter()
                results[(str(dt), size.label)] = run_size(
                    cands, size, dt, args.reps, log, seed=run * 1000 + size.n)
                log(f"run {run + 1}/{runs}  {dt}  {size.label:<11} "
                    f"{time.perf_counter() - t0:7.1f} s")
        per_run.append(results)

    rows = summarise(per_run, cands)
    print_table(rows, runs, log)
    print_startup(startup, log)
    info["numba_threading_layer"] = _threading_layer()
    info["loadavg_end"] = os.getloadavg() if hasattr(os, "getloadavg") else None
    info["bench_wall_s"] = time.perf_counter() - t_start

    stamp = _dt.datetime.now(_dt.timezone.utc).strftime("%Y%m%d-%H%M%S")
    base = out_dir / f"transform-{stamp}"
    write_csv(rows, base.with_suffix(".csv"))
    doc = {
        "spec": {"sizes": [s.label for s in sizes], "dtypes": [str(d) for d in dtypes],
                 "runs": runs, "reps": args.reps, "min_reps": MIN_REPS,
                 "slow_call_s": SLOW_CALL_S, "batch_s": BATCH_S, "max_inner": MAX_INNER,
                 "quick": args.quick,
                 "statistic": "median over runs of the per-run median"},
        "machine": info,
        "notes": notes,
        "startup": startup,
        "summary": rows,
        "runs": [{f"{dt} {label}": res for (dt, label), res in run.items()} for run in per_run],
    }
    base.with_suffix(".json").write_text(json.dumps(doc, indent=1, default=float))
    try:
        plot(rows, sizes, base.with_suffix(".png"))
    except ImportError as exc:
        log(f"no plot: {exc}")
    log(f"\nwrote {base}.csv, .json, .png  ({info['bench_wall_s']:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
