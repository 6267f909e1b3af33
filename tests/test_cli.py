"""End-to-end tests of the ``boolfourier`` command line."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from boolfourier.cli import build_parser, main


def _run(*args):
    return subprocess.run(
        [sys.executable, "-m", "boolfourier", *args], capture_output=True, text=True, timeout=300
    )


def _commands():
    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    return sorted(sub.choices)


@pytest.mark.parametrize("command", _commands())
def test_every_command_has_help(command, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main([command, "--help"])
    assert exit_info.value.code == 0
    assert "usage: boolfourier " + command in capsys.readouterr().out


def test_top_level_help_through_python_m():
    proc = _run("--help")
    assert proc.returncode == 0
    for command in _commands():
        assert command in proc.stdout


def test_analyze_json_through_python_m():
    proc = _run("analyze", "majority(x0, x1, x2)", "--json", "--rho", "0.5")
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    assert report["n"] == 3
    assert report["degree_profile"] == pytest.approx([0, 0.75, 0, 0.25])
    assert report["influences"] == pytest.approx([0.5, 0.5, 0.5])
    assert report["total_influence"] == pytest.approx(1.5)
    assert report["noise_stability"][0]["value"] == pytest.approx(0.75 * 0.5 + 0.25 * 0.5**3)


def test_analyze_text(capsys):
    assert main(["analyze", "x0*x1 - 1", "--n", "4", "--top", "2"]) == 0
    out = capsys.readouterr().out
    assert "x0*x1 - 1" in out and "total influence" in out


@pytest.mark.parametrize(
    "args, message",
    [
        (["analyze", "x0 +"], "position"),
        (["analyze", "x0*x7", "--n", "3"], "x7"),
        (["analyze", "__import__('os')"], "unknown name"),
        (["analyze", "x0", "--n", "40"], "sampling"),
    ],
)
def test_bad_input_is_one_clear_line(args, message, capsys):
    assert main(args) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


@pytest.mark.slow
def test_demo_runs(tmp_path):
    proc = _run("demo", "--out", str(tmp_path / "demo"))
    assert proc.returncode == 0, proc.stderr
    assert "x0*x1" in proc.stdout
    assert (tmp_path / "demo" / "trajectories.png").stat().st_size > 0


def test_bad_values_and_missing_n(capsys):
    # squares that overflow float64 would print invalid JSON (Infinity): refused instead
    assert main(["analyze", "1e200*x0", "--json"]) == 2
    err = capsys.readouterr().err
    assert "overflow" in err and "Traceback" not in err
    # interpolate reads n from its expressions when --n is left out (as --help says) ...
    assert main(["interpolate", "x0*x1", "--unseen", "x0 == -1 and x1 == -1", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["n"] == 2 and out["mdi"] == "x0 + x1 - 1"
    # ... unless a predicate depends on every coordinate
    assert main(["interpolate", "x0*x1", "--unseen", "weight(x) > 6"]) == 2
    assert "give n" in capsys.readouterr().err


_WITHOUT_TORCH = """
import sys

class _Hide:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] == "torch":
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None

sys.meta_path.insert(0, _Hide())
from boolfourier.cli import main
sys.exit(main(sys.argv[1:]))
"""


@pytest.mark.parametrize("argv", [["gotu", "--list"], ["demo", "--quiet"]])
def test_experiments_without_torch_say_what_to_install(argv, tmp_path):
    proc = subprocess.run([sys.executable, "-c", _WITHOUT_TORCH, *argv], capture_output=True, text=True,
                          cwd=tmp_path, timeout=300)
    assert proc.returncode == 2, proc.stderr
    assert "pip install 'boolfourier[torch]'" in proc.stderr and "Traceback" not in proc.stderr
