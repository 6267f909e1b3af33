"""Benchmark the spectral analysis layer against the transform alone and against boofun.

Cases (issue 3 targets):

* ``analysis_n24``: full analysis (coefficients + degree profile + influences
  + total influence) of a dense n = 24 function, vs the transform alone.
  Target: ratio <= 3.
* ``history_100x2^15``: degree profiles of a (100, 2**15) history of spectra,
  vs 100 transforms (one batched call).  Target: ratio <= 2.  Also reported:
  values -> coefficients -> profiles.
* ``boofun_n{10,16,20}``: the same full analysis of a random Boolean function
  given as a 0/1 truth table, boolfourier vs boofun (created afresh every
  repetition so nothing is cached).

Method: candidates of a case are interleaved within each repetition; a run
takes the median of ``--reps`` repetitions per candidate; ``--runs`` runs are
reported (median, min, max of the run medians).  Every candidate's output is
verified against the reference before timing.  Results go to
``benchmarks/results/bench_spectrum.{csv,json}``.

    python benchmarks/bench_spectrum.py [--runs 3] [--reps 5] [--quick]
"""

from __future__ import annotations

import argparse
import csv
import datetime
import json
import os
import pathlib
import platform
import statistics
import time

import numba
import numpy as np

from boolfourier import fwht
from boolfourier.spectrum import Spectrum, coefficients, degree_profile, influences

RESULTS = pathlib.Path(__file__).parent / "results"


def full_analysis(values, workers=None):
    s = Spectrum.from_values(values, workers=workers)
    return s.coefficients, s.degree_profile(), s.influences(), s.total_influence()


def check_full(out, v):
    c, w, inf, tot = out
    np.testing.assert_allclose(c, fwht(v, norm="forward"), rtol=0, atol=0)
    np.testing.assert_allclose(w.sum(), np.mean(v * v), rtol=1e-10)
    np.testing.assert_allclose(inf.sum(), tot, rtol=1e-10)
    np.testing.assert_allclose(tot, w @ np.arange(w.size), rtol=1e-12)


def time_case(cands, reps, runs):
    """cands: {name: zero-arg callable}; interleaved; returns {name: [run medians]}."""
    meds = {k: [] for k in cands}
    for _ in range(runs):
        ts = {k: [] for k in cands}
        for _ in range(reps):
            for k, fn in cands.items():  # interleave candidates
                t = time.perf_counter()
                fn()
                ts[k].append(time.perf_counter() - t)
        for k in cands:
            meds[k].append(statistics.median(ts[k]))
    return meds


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument(
        "--boofun-reps-n20",
        type=int,
        default=1,
        help="repetitions for boofun at n = 20 (about 15 s each)",
    )
    ap.add_argument("--quick", action="store_true", help="skip boofun at n = 20")
    ap.add_argument("--out", default=str(RESULTS), help="output folder (default: %(default)s)")
    args = ap.parse_args(argv)
    rows = []
    g = np.random.default_rng(0)

    def record(case, meds, baseline, target=None, note=""):
        base = statistics.median(meds[baseline])
        for k, m in meds.items():
            med = statistics.median(m)
            rows.append(
                {
                    "case": case,
                    "candidate": k,
                    "median_s": med,
                    "min_s": min(m),
                    "max_s": max(m),
                    "runs": len(m),
                    "ratio_to_baseline": med / base,
                    "baseline": baseline,
                    "target_ratio": target if k != baseline else None,
                    "note": note,
                }
            )
            print(f"{case:22s} {k:26s} {med * 1e3:10.2f} ms  (x{med / base:7.2f} of {baseline})")

    # warm-up (compile)
    full_analysis(g.standard_normal(1 << 10))
    degree_profile(np.zeros((2, 1 << 9)))

    # --- full analysis at n = 24
    v = g.standard_normal(1 << 24)
    check_full(full_analysis(v), v)
    meds = time_case(
        {
            "transform": lambda: fwht(v, norm="forward"),
            "transform_workers1": lambda: fwht(v, norm="forward", workers=1),
            "full_analysis": lambda: full_analysis(v),
            "full_analysis_workers1": lambda: full_analysis(v, workers=1),
        },
        args.reps,
        args.runs,
    )
    record("analysis_n24", meds, "transform", 3.0)
    del v

    # --- history of spectra
    h = g.standard_normal((100, 1 << 15))
    ch = coefficients(h)
    w_ref = np.stack(
        [
            np.bincount(np.bitwise_count(np.arange(1 << 15)), ch[i] ** 2, minlength=16)
            for i in range(100)
        ]
    )
    np.testing.assert_allclose(degree_profile(ch), w_ref, rtol=1e-12)
    np.testing.assert_allclose(degree_profile(coefficients(h)), w_ref, rtol=1e-12)
    meds = time_case(
        {
            "100_transforms": lambda: fwht(h, norm="forward"),
            "100_transforms_workers1": lambda: fwht(h, norm="forward", workers=1),
            "degree_profiles": lambda: degree_profile(ch),
            "coefficients+profiles": lambda: degree_profile(coefficients(h)),
        },
        args.reps,
        args.runs,
    )
    record(
        "history_100x2^15",
        meds,
        "100_transforms",
        2.0,
        "target applies to degree_profiles (history of spectra -> profiles)",
    )
    del h, ch

    # --- boofun
    try:
        import boofun
    except ImportError:
        boofun = None
        print("boofun is not installed: skipping the comparison")
    if boofun is not None:
        for n in (10, 16, 20):
            if n == 20 and args.quick:
                continue
            t = g.integers(0, 2, 1 << n).astype(bool)

            def ours(t=t):
                return full_analysis(1.0 - 2.0 * t)

            def ours_w1(t=t):
                return full_analysis(1.0 - 2.0 * t, workers=1)

            def theirs(t=t):
                f = boofun.create(t)
                return (
                    np.asarray(f.fourier()),
                    f.spectral_weight_by_degree(),
                    np.asarray(f.influences()),
                    f.total_influence(),
                )

            a, b = ours(), theirs()
            np.testing.assert_allclose(a[0], b[0], atol=1e-12)
            np.testing.assert_allclose(a[1], [b[1].get(k, 0.0) for k in range(n + 1)], atol=1e-12)
            np.testing.assert_allclose(a[2], b[2], atol=1e-12)
            np.testing.assert_allclose(a[3], b[3], rtol=1e-12)
            reps = args.boofun_reps_n20 if n == 20 else args.reps
            meds = time_case(
                {"boolfourier": ours, "boolfourier_workers1": ours_w1, "boofun": theirs},
                reps,
                args.runs,
            )
            record(f"boofun_n{n}", meds, "boolfourier", None, f"reps={reps}")

    meta = {
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "machine": platform.machine(),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "numba": numba.__version__,
        "cpus": os.cpu_count(),
        "numba_threads": numba.get_num_threads(),
        "loadavg": os.getloadavg() if hasattr(os, "getloadavg") else None,
        "runs": args.runs,
        "reps": args.reps,
    }
    out = pathlib.Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    with open(out / "bench_spectrum.csv", "w", newline="") as fh:
        wr = csv.DictWriter(fh, fieldnames=list(rows[0]))
        wr.writeheader()
        wr.writerows(rows)
    (out / "bench_spectrum.json").write_text(
        json.dumps({"meta": meta, "results": rows}, indent=1)
    )
    print(f"wrote {out / 'bench_spectrum.csv'} and .json")


if __name__ == "__main__":
    main()
