"""Benchmark of boolfourier.interpolation: the paper's tasks, the general solver, the weighted CG.

Usage::

    python benchmarks/bench_interpolation.py [--quick] [--blas-threads K] [--out FILE.json]

Targets (issue 4):

* every GOTU task of the paper (PAPER_NOTES §3; n = 15 to 18, lengthgen
  k = 6..10 at n = 15, f2 at n = 40 via the junta reduction) in < 1 s each;
* the general solver (no reduction applies: random ±1 targets, random unseen
  sets of size 2**(n-1)) at n = 12 in < 10 s, with the growth in n;
* the weighted-norm interpolator (w_k = 2**k) at n = 20 in < 30 s.

Times are wall-clock seconds of one call (the first call of the process pays
numba's cache load and is run once before timing).  ``--blas-threads`` sets
``OPENBLAS_NUM_THREADS``/``OMP_NUM_THREADS`` before numpy is imported: on a
busy or small machine, multi-threaded LAPACK can be many times slower than
one thread (measured here: a 924 x 2048 SVD took 1.8 s on one thread and
49 s on two contended threads).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time


def _parse():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--quick", action="store_true", help="general solver up to n = 10 and CG at n = 16 only")
    p.add_argument("--blas-threads", type=int, default=None, help="set OPENBLAS/OMP threads before numpy loads")
    p.add_argument("--out", default=None, help="write the results as JSON here")
    return p.parse_args()


ARGS = _parse()
if ARGS.blas_threads is not None:
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = str(ARGS.blas_threads)

import numpy as np  # noqa: E402

from boolfourier.domains import Domain  # noqa: E402
from boolfourier.function import BooleanFunction, cyclic_sum, parity  # noqa: E402
from boolfourier.interpolation import (  # noqa: E402
    gotu_error,
    min_degree_interpolator,
    min_weighted_norm_interpolator,
)


def _timed(fn):
    t = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - t


def paper_tasks():
    """(name, target, seen) for the paper's GOTU tasks (PAPER_NOTES §3)."""
    n = 15
    tasks = [
        ("f1 threesym (n=15)", BooleanFunction.from_expression("x0*x1 - 1.25*x1*x2 + 1.5*x2*x0", n),
         Domain.from_expression("x0*x1*x2 == 1", n)),
        ("f2 2parity (n=15)", BooleanFunction.from_expression("x0*x1", n),
         Domain.from_expression("x0 == 1 or x1 == 1", n)),
        ("f3 cyclic3dim15 (n=15)", cyclic_sum(n, 3), Domain.from_expression("x0 == 1 or x1 == 1 or x2 == 1", n)),
        ("f4 maj3 freeze2 (n=15)", BooleanFunction.from_expression("majority(3)", n),
         Domain.from_expression("x0 == 1 or x1 == 1", n)),
        ("f2 at n=40 (expressions)", "x0*x1", Domain.from_expression("x0 == 1 or x1 == 1", 40)),
        ("rfexample (n=18)", BooleanFunction.from_expression("x0*x1*x2 + x0*x3*x4*x5", 18),
         Domain.frozen({0: 1}, 18)),
    ]
    for k in range(6, 11):
        tasks.append((f"lengthgen k={k} (n=15)", parity(range(n), n), Domain.hamming_ball(k, n)))
    for r in (4, 8, 12):
        tasks.append((f"full16parity ball r<={r} (n=16)", parity(range(16), 16), Domain.hamming_ball(r, 16)))
    return tasks


def bench_paper(results):
    print("== paper tasks (target < 1 s each) ==")
    min_degree_interpolator(np.array([1.0, -1.0, -1.0, 1.0]), np.array([True, True, True, False]))  # warm-up
    rows = []
    for name, f, seen in paper_tasks():
        g, dt = _timed(lambda f=f, seen=seen: min_degree_interpolator(f, seen))
        poly = g.polynomial(digits=4)
        if len(poly) > 60:
            poly = f"(degree {g.degree()}, {len(g.coefficients())} terms)"
        err = ""
        if isinstance(f, BooleanFunction):
            e = gotu_error(g, f, ~seen)
            err = f"GOTU mse={e.unseen_mse:.4g}"
        print(f"  {name:34s} {dt * 1e3:8.1f} ms  {g.method:22s} {err:18s} MDI = {poly}")
        rows.append({"task": name, "seconds": dt, "method": g.method, "mdi": g.polynomial(digits=6)[:500]})
    results["paper_tasks"] = rows


def bench_general(results, n_max):
    print("== general solver: random ±1 target, random unseen set of size 2**(n-1) (target n=12 < 10 s) ==")
    rng = np.random.default_rng(0)
    rows = []
    for n in range(6, n_max + 1):
        N = 1 << n
        f = rng.choice([-1.0, 1.0], size=N)
        seen = np.zeros(N, dtype=bool)
        seen[rng.choice(N, N // 2, replace=False)] = True
        g, dt = _timed(lambda f=f, seen=seen: min_degree_interpolator(f, seen))
        fit = float(np.max(np.abs(g.values[seen] - f[seen])))
        print(f"  n={n:2d}  unknowns={g.info['unknowns']:5d} ({g.info['space']})  {dt:8.3f} s  "
              f"degree={g.degree()}  max seen residual={fit:.1e}")
        rows.append({"n": n, "seconds": dt, "unknowns": g.info["unknowns"], "space": g.info["space"],
                     "degree": g.degree()})
    if len(rows) >= 3:
        a, b = rows[-2], rows[-1]
        print(f"  growth n={a['n']}->{b['n']}: x{b['seconds'] / max(a['seconds'], 1e-9):.1f} "
              "(expected ~x8: unknowns double, work ~ unknowns^2 * levels)")
    results["general"] = rows


def bench_weighted(results, n):
    print(f"== weighted-norm interpolator, w_k = 2**k, n = {n} (target n=20 < 30 s) ==")
    rng = np.random.default_rng(1)
    N = 1 << n
    rows = []
    cases = [
        ("random ±1 target, random half seen", rng.choice([-1.0, 1.0], size=N), rng.random(N) < 0.5),
        ("x0*x1, seen x0=1 or x1=1 (no junta)", BooleanFunction.from_expression("x0*x1", n).values,
         Domain.from_expression("x0 == 1 or x1 == 1 or x2 == 1 or x3 == 1", n).mask
         | (rng.random(N) < 0.5)),
    ]
    for name, f, seen in cases:
        g, dt = _timed(lambda f=f, seen=seen: min_weighted_norm_interpolator(f, seen, lambda k: 2.0**k))
        print(f"  {name:40s} {dt:7.2f} s  iterations={g.info['iterations']}  residual={g.info['residual']:.1e}"
              f"  converged={g.info.get('converged')}  method={g.method}")
        rows.append({"case": name, "n": n, "seconds": dt, **{k: v for k, v in g.info.items()}})
    results["weighted"] = rows


def main():
    import numba

    results = {
        "machine": {"cpus": os.cpu_count(), "numba_threads": numba.get_num_threads(),
                    "blas_threads": os.environ.get("OPENBLAS_NUM_THREADS"),
                    "load": os.getloadavg() if hasattr(os, "getloadavg") else None},
    }
    print(f"machine: {results['machine']}")
    bench_paper(results)
    bench_general(results, 10 if ARGS.quick else 12)
    bench_weighted(results, 16 if ARGS.quick else 20)
    if ARGS.out:
        with open(ARGS.out, "w", encoding="utf-8") as fh:
            json.dump(results, fh, indent=1, default=float)
        print(f"wrote {ARGS.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
