"""Smoke test of benchmarks/bench_transform.py: a tiny --quick run in a subprocess.

The third-party peers are hidden from the child process, so this checks the
path CI takes (the peers live in benchmarks/requirements.txt, not in the
package's dependencies): they must be skipped with a note, not crash the run.
With a warm numba cache this takes a few seconds.
"""

from __future__ import annotations

import json
import pathlib
import subprocess
import sys

SCRIPT = pathlib.Path(__file__).resolve().parents[1] / "benchmarks" / "bench_transform.py"
PEERS = ("fht_cpu", "pyfwht", "hadamard_transform")

# Runs the script as __main__ with the peers made unimportable.
_CHILD = """
import runpy, sys
HIDDEN = set(sys.argv[2].split(","))

class _Hide:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in HIDDEN:
            raise ModuleNotFoundError(f"No module named {name!r} (hidden by the test)")
        return None

sys.meta_path.insert(0, _Hide())
script = sys.argv[1]
sys.argv = [script] + sys.argv[3:]
runpy.run_path(script, run_name="__main__")
"""


def test_quick_run_without_peers(tmp_path):
    out = tmp_path / "results"
    cmd = [sys.executable, "-c", _CHILD, str(SCRIPT), ",".join(PEERS),
           "--quick", "--sizes", "4,6,8x4", "--dtypes", "float64", "--out", str(out)]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    text = proc.stdout
    for peer in PEERS:
        assert f"{peer} not installed" in text, text[:2000]
    assert "FAILED" not in text and "!!" not in text, text
    for word in ("memcpy", "boolfourier", "x best peer", "2^6", "8x2^4"):
        assert word in text

    files = sorted(out.iterdir())
    assert sorted(f.suffix for f in files) == [".csv", ".json", ".png"], files
    doc = json.loads(next(f for f in files if f.suffix == ".json").read_text())
    assert doc["machine"]["versions"]["numpy"]
    assert doc["spec"]["runs"] == 1
    rows = {(r["size"], r["candidate"]): r for r in doc["summary"]}
    for size in ("2^4", "2^6", "8x2^4"):
        for name in ("memcpy", "stream_rw", "boolfourier", "boolfourier_1t", "numpy"):
            row = rows[(size, name)]
            assert row["status"] == "ok" and row["median_s"] > 0, row
        assert rows[(size, "memcpy")]["ratio_memcpy"] == 1.0
        # scipy (and sympy for 1-D) are the only peers left, so one of them is best.
        assert rows[(size, "boolfourier")]["best_peer"] in ("scipy_H@x", "sympy")
    assert rows[("8x2^4", "sympy")]["status"] == "1-D only"
