"""Tasks, presets, TOML, run directories, sweeps and the ``gotu`` command (tiny runs, n <= 8)."""

import argparse
import dataclasses
import json
import os
import sys

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from boolfourier.domains import Domain  # noqa: E402
from boolfourier.experiments import (  # noqa: E402
    RunConfig, RunDirectoryError, dumps, list_tasks, load_config, load_run, loads, parse_seeds, resolve,
    run_experiment, run_sweep, summarize)
from boolfourier.experiments.cli_gotu import add_gotu_parser  # noqa: E402
from boolfourier.experiments.config import load_task, load_task_file  # noqa: E402
from boolfourier.experiments.runs import FILES, run_dir  # noqa: E402
from boolfourier.expr import parse  # noqa: E402
from boolfourier.interpolation import min_degree_interpolator  # noqa: E402

torch.set_num_threads(1)

PAPER_TASKS = {"threesym", "2parity", "2parity40", "cyclic3dim15", "maj3", "rfexample", "lengthgen6", "lengthgen7",
               "lengthgen8", "lengthgen9", "lengthgen10", "full16parity3000", "full16parity5000",
               "full16parity7000", "full16parity9000", "full16parity11000"}


def tiny(seed=1, **train):
    """2parity shrunk to n = 6 with a small MLP: a run takes well under a second."""
    return resolve("2parity", "mlp", "quick", task_overrides={"n": 6}, model_overrides={"hidden": [16]},
                   train_overrides={"epochs": 2, "batch_size": 16, "seed": seed, **train})


# --------------------------------------------------------------------------- tasks and presets

def test_every_paper_task_is_shipped():
    assert PAPER_TASKS <= set(list_tasks())


@pytest.mark.parametrize("name", sorted(PAPER_TASKS))
def test_task_files_resolve(name):
    doc = load_task_file(name)
    task = load_task(name)
    assert task.name == name and task.track
    for model in doc["paper"]:
        for preset in ("paper", "quick"):
            c = resolve(name, model, preset)
            assert c.model.kind == model and c.train.epochs >= 1
    for preset in set(doc) - {"task", "paper", "quick"}:
        for model in doc[preset]:
            resolve(name, model, preset)


@pytest.mark.parametrize("name", ["2parity", "2parity40", "threesym", "cyclic3dim15", "maj3", "rfexample"])
def test_shipped_mdi_is_the_min_degree_interpolator(name):
    task = load_task(name)
    seen = ~Domain.from_expression(task.unseen, task.n)
    computed = min_degree_interpolator(task.target, seen).coefficients()
    given = parse(task.mdi).polynomial(task.n)
    keys = set(computed) | set(given)
    np.testing.assert_allclose([computed.get(k, 0.0) for k in keys], [given.get(k, 0.0) for k in keys], atol=1e-9)


def test_paper_settings():
    c = resolve("2parity", "mlp", "paper")
    assert (c.train.optimizer, c.train.lr, c.train.epochs, c.train.batch_size, c.train.momentum,
            c.train.weight_decay) == ("sgd", 0.003, 50, 64, 0.0, 0.0)
    assert c.model.hidden == [512, 1024, 512, 64] and c.task.n == 15 and c.task.train_size == 0
    t = resolve("2parity", "transformer", "paper")
    assert (t.train.optimizer, t.train.lr, t.train.weight_decay, t.train.epochs, t.train.batch_size) == \
        ("adam", 1e-5, 1e-3, 20, 256)
    assert resolve("threesym", "meanfield", "paper").train.lr == 1000.0
    assert resolve("rfexample", "rf_poly", "paper").train.epochs == 100
    f = resolve("full16parity3000", "mlp", "paper")
    assert (f.train.curriculum_leap, f.train.loss_threshold, f.train.epochs, f.task.train_size) == (16, 1e-3, 2000, 3000)
    assert resolve("full16parity3000", "mlp", "curriculum").train.curriculum_leap == 4
    q = resolve("threesym", "meanfield", "quick")
    assert q.model.width == 2**11 and q.train.lr == pytest.approx(1000 * 2**11 / 2**16) and q.train.epochs == 20
    with pytest.raises(ValueError, match="no preset 'curriculum'"):
        resolve("2parity", "mlp", "curriculum")
    with pytest.raises(ValueError, match="unknown task"):
        resolve("nope", "mlp")


# --------------------------------------------------------------------------- TOML

def test_toml_round_trip():
    c = resolve("cyclic3dim15", "transformer", "quick")
    assert loads(dumps(c)) == c
    odd = dataclasses.replace(c, task=dataclasses.replace(c.task, description='quote " and \\ back\nslash'))
    assert loads(dumps(odd)) == odd
    # control characters too (a finished run with one in its config.toml could never be loaded)
    ctl = dataclasses.replace(c, task=dataclasses.replace(c.task, description="a\x01b\rc\x7fd\x08e\x1f"))
    assert loads(dumps(ctl)) == ctl


def test_user_config(tmp_path):
    p = tmp_path / "my.toml"
    p.write_text('preset = "quick"\n[task]\nname = "2parity"\nn = 7\n[model]\nkind = "mlp"\nhidden = [8]\n'
                 '[train]\nlr = 0.05\n')
    c = load_config(p)
    assert (c.preset, c.task.n, c.task.target, c.model.hidden, c.train.lr, c.train.epochs) == \
        ("quick", 7, "x0*x1", [8], 0.05, 12)
    p.write_text('[task]\nname = "mine"\nn = 5\ntarget = "x0*x1*x2"\nunseen = "x0 == -1"\n[train]\nepochs = 1\n')
    c = load_config(p)
    assert c.preset == "custom" and c.task.target == "x0*x1*x2" and c.model.kind == "mlp"
    task_file = tmp_path / "mytask.toml"
    task_file.write_text('[task]\nname = "mytask"\nn = 5\ntarget = "x0*x1*x2"\nunseen = "x0 == -1"\n'
                         '[paper.mlp]\nlr = 0.02\nepochs = 3\n')
    c = resolve(str(task_file), "mlp", "paper")
    assert (c.task.name, c.train.lr, c.train.epochs, c.train.optimizer) == ("mytask", 0.02, 3, "sgd")
    assert resolve("2parity", "mlp", "fig6-lr0.15").train.epochs == 4
    p.write_text('[train]\nlearning_rate = 1\n')
    with pytest.raises(ValueError, match="unknown keys in \\[train\\]"):
        load_config(p)


def test_user_task_overrides_beat_the_preset(tmp_path):
    # quick cuts maj3's 2**15 training samples to 2**13; a user's own size must still win
    assert resolve("maj3", "mlp", "quick").task.train_size == 2**13
    assert resolve("maj3", "mlp", "quick", task_overrides={"train_size": 100}).task.train_size == 100
    p = tmp_path / "my.toml"
    p.write_text('preset = "quick"\n[task]\nname = "maj3"\ntrain_size = 100\n[model]\nkind = "mlp"\n')
    assert load_config(p).task.train_size == 100


# --------------------------------------------------------------------------- run directories

def test_run_directory(tmp_path):
    c = tiny()
    run = run_experiment(c, tmp_path, quiet=True)
    assert run.path == tmp_path / "2parity" / "mlp-quick" / "seed1"
    assert sorted(os.listdir(run.path)) == ["config.toml", "metrics.csv", "spectra.npz", "summary.json"]
    assert run.config == c
    assert list(run.metrics["epoch"]) == [-1, 0, 1]
    assert run.spectra["coefficients"].dtype == np.float32 and run.spectra["coefficients"].shape == (3, 64)
    s = run.summary
    assert s["finished"] and s["versions"]["torch"] == torch.__version__ and s["device"].startswith("cpu")
    assert set(s["coefficients"]) == {"1", "x0", "x1", "x0*x1"} and s["coefficients"]["x0"]["mdi"] == 1.0
    again = load_run(run.path)
    np.testing.assert_array_equal(again.metrics["coef[x0*x1]"], run.metrics["coef[x0*x1]"])


def test_finished_runs_are_skipped_not_overwritten(tmp_path, monkeypatch):
    c = tiny()
    first = run_experiment(c, tmp_path, quiet=True)
    stamp = (first.path / "metrics.csv").stat().st_mtime_ns
    import boolfourier.training as training

    monkeypatch.setattr(training, "train", lambda *a, **k: pytest.fail("a finished run was recomputed"))
    again = run_experiment(dataclasses.replace(c, train=dataclasses.replace(c.train, threads=1)), tmp_path, quiet=True)
    assert (again.path / "metrics.csv").stat().st_mtime_ns == stamp
    with pytest.raises(RunDirectoryError, match="different config.*train.lr"):
        run_experiment(tiny(lr=0.5), tmp_path, quiet=True)
    monkeypatch.undo()
    redone = run_experiment(tiny(lr=0.5), tmp_path, overwrite=True, quiet=True)
    assert redone.config.train.lr == 0.5


def test_corrupt_and_half_written_runs(tmp_path):
    run = run_experiment(tiny(), tmp_path, quiet=True)
    p = run.path
    (p / "spectra.npz").write_bytes(b"PK\x03\x04 not a zip")
    with pytest.raises(RunDirectoryError, match="corrupt"):
        load_run(p)
    (p / "spectra.npz").unlink()
    with pytest.raises(RunDirectoryError, match="missing spectra.npz"):
        load_run(p)
    (p / "summary.json").unlink()
    (p / ".metrics.csv.tmp-123").write_text("epoch,st")
    with pytest.raises(RunDirectoryError, match="unfinished.*half-written files: .metrics.csv.tmp-123"):
        load_run(p)
    with pytest.raises(RunDirectoryError, match="not a run directory"):
        load_run(tmp_path / "nothing")
    # an interrupted run is recomputed from scratch
    redone = run_experiment(tiny(), tmp_path, quiet=True)
    assert (redone.path / "spectra.npz").is_file()
    summary = json.loads((p / "summary.json").read_text())
    summary["finished"] = False
    (p / "summary.json").write_text(json.dumps(summary))
    with pytest.raises(RunDirectoryError, match="finished"):
        load_run(p)
    (p / "metrics.csv").write_text("epoch,step\n-1,0\n")
    (p / "summary.json").write_text(json.dumps({**summary, "finished": True}))
    with pytest.raises(RunDirectoryError, match="disagree"):
        load_run(p)
    for text in ("[]", "null", "3"):  # valid JSON, not an object (was an AttributeError)
        (p / "summary.json").write_text(text)
        with pytest.raises(RunDirectoryError, match="not a JSON object"):
            load_run(p)
    with pytest.raises(RunDirectoryError, match="not a run directory \\(it is a file\\)"):
        load_run(p / "config.toml")


def test_out_that_cannot_hold_run_directories(tmp_path):
    # a file where a directory must go: a clear RunDirectoryError (was a raw NotADirectoryError)
    (tmp_path / "afile").write_text("")
    with pytest.raises(RunDirectoryError, match="cannot create the run directory .* another --out"):
        run_experiment(tiny(), tmp_path / "afile", quiet=True)


def test_summarize_across_seeds(tmp_path):
    paths = run_sweep([tiny(seed=s) for s in (1, 2)], tmp_path, workers=1, quiet=True)
    table = summarize(paths)
    assert list(table["seeds"]) == [2] and list(table["task"]) == ["2parity"]
    assert np.isfinite(table["gotu_error_mean"][0]) and np.isfinite(table["gotu_error_std"][0])
    assert table["mdi[x0*x1]"][0] == 0.0 and "coef[x0*x1]_mean" in table


def test_parse_seeds():
    assert parse_seeds("1-3") == [1, 2, 3] and parse_seeds("1,3,5") == [1, 3, 5] and parse_seeds("4") == [4]
    assert parse_seeds("1-2,2,7") == [1, 2, 7]
    with pytest.raises(ValueError, match="cannot read seeds"):
        parse_seeds("a-b")


def test_dask_is_optional(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "dask.distributed", None)  # as if not installed
    with pytest.raises(ImportError, match="dask"):
        run_sweep([tiny()], tmp_path, scheduler="tcp://127.0.0.1:1")


def test_dask_sweep_matches_local_runs(tmp_path, monkeypatch):
    distributed = pytest.importorskip("dask.distributed")
    configs = [tiny(seed=s) for s in (1, 2)]
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=False,
                                  dashboard_address=None) as cluster:
        paths = run_sweep(configs, tmp_path / "dask", scheduler=cluster.scheduler_address)
    assert [p.name for p in paths] == ["seed1", "seed2"]
    local = run_sweep(configs, tmp_path / "local", workers=1, quiet=True)
    # a relative --out is resolved on the client: workers started in another directory
    # wrote there, and the client then failed to find the runs
    monkeypatch.chdir(tmp_path)
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=False,
                                  dashboard_address=None) as cluster:
        rel = run_sweep(configs[:1], "rel", scheduler=cluster.scheduler_address)
    assert rel == [tmp_path / "rel" / paths[0].relative_to(tmp_path / "dask")]
    for p, q in zip(paths, local):
        a, b = load_run(p), load_run(q)
        assert a.summary["gotu_error"] == b.summary["gotu_error"]  # same seed, same numbers
        assert _without_elapsed(p) == _without_elapsed(q)


def _without_elapsed(run_dir):
    rows = (run_dir / "metrics.csv").read_text().splitlines()
    col = rows[0].split(",").index("elapsed")  # wall time: the one column that may differ
    return [",".join(v for i, v in enumerate(r.split(",")) if i != col) for r in rows]


@pytest.mark.slow
def test_process_pool_sweep(tmp_path):
    paths = run_sweep([tiny(seed=s) for s in (1, 2)], tmp_path, workers=2, quiet=True)
    assert [p.name for p in paths] == ["seed1", "seed2"]
    # same numbers as in-process (determinism across processes)
    local = run_experiment(tiny(seed=2), tmp_path / "local", quiet=True)
    np.testing.assert_array_equal(load_run(paths[1]).metrics["seen_loss"], local.metrics["seen_loss"])


# --------------------------------------------------------------------------- CLI

def gotu(*argv):
    parser = argparse.ArgumentParser(prog="boolfourier")
    add_gotu_parser(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["gotu", *argv])
    return args.func(args)


def test_cli_run_and_rerun(tmp_path, capsys):
    argv = ["--task", "2parity", "--model", "mlp", "--preset", "quick", "--set", "task.n=6", "--set",
            "model.hidden=[8]", "--epochs", "1", "--seeds", "1-2", "--workers", "1", "--out", str(tmp_path)]
    assert gotu(*argv, "--quiet") == 0
    assert capsys.readouterr().out == ""
    for s in (1, 2):
        run = load_run(tmp_path / "2parity" / "mlp-quick" / f"seed{s}")
        assert run.config.task.n == 6 and run.config.model.hidden == [8] and run.config.train.epochs == 1
    assert gotu(*argv) == 0  # finished: skipped, then reported
    out = capsys.readouterr().out
    assert "skipped" in out and "GOTU error" in out and "gotu_error_mean" in out


def test_cli_resumes_an_interrupted_run(tmp_path, monkeypatch, capsys):
    import boolfourier.training as training

    c = tiny(epochs=4, checkpoint_s=0.0)
    whole = run_experiment(c, tmp_path / "a", quiet=True)
    real, saves = training.atomic_write, []

    def write_then_die(path, data):  # the process dies right after its second checkpoint
        real(path, data)
        saves.append(path)
        if len(saves) == 2:
            raise KeyboardInterrupt

    monkeypatch.setattr(training, "atomic_write", write_then_die)
    with pytest.raises(KeyboardInterrupt):
        run_experiment(c, tmp_path / "b", quiet=True)
    monkeypatch.undo()
    p = run_dir(tmp_path / "b", c)
    assert saves == [p / "checkpoint.pt"] * 2 and not (p / "summary.json").exists()
    with pytest.raises(RunDirectoryError, match="it has a checkpoint: rerun the same command to resume it"):
        load_run(p)
    cfg = tmp_path / "run.toml"
    cfg.write_text(dumps(c))
    assert gotu("--config", str(cfg), "--out", str(tmp_path / "b")) == 0
    assert "resuming after epoch 2 of 4" in capsys.readouterr().out
    assert _without_elapsed(p) == _without_elapsed(whole.path)
    assert sorted(os.listdir(p)) == sorted(FILES)  # the checkpoint is gone once the run is written
    # a checkpoint of another config is not silently resumed (nor thrown away)
    other = dataclasses.replace(c, train=dataclasses.replace(c.train, lr=1.0))
    monkeypatch.setattr(training, "atomic_write", write_then_die)
    saves.clear()
    with pytest.raises(KeyboardInterrupt):
        run_experiment(other, tmp_path / "c", quiet=True)
    monkeypatch.undo()
    with pytest.raises(RunDirectoryError, match="checkpoint of a different run.*train.lr.*or pass --overwrite"):
        run_experiment(c, tmp_path / "c", quiet=True)
    assert run_experiment(c, tmp_path / "c", quiet=True, overwrite=True).summary["finished"]


def test_cli_config_file(tmp_path, capsys):
    p = tmp_path / "my.toml"
    p.write_text(dumps(tiny()))
    assert gotu("--config", str(p), "--out", str(tmp_path / "runs"), "--quiet", "--set", "train.seed=3") == 0
    assert load_run(tmp_path / "runs" / "2parity" / "mlp-quick" / "seed3").config.train.seed == 3


def test_cli_errors_and_list(capsys):
    assert gotu("--task", "nope") == 2
    assert "unknown task 'nope'" in capsys.readouterr().err
    assert gotu("--task", "2parity", "--preset", "curriculum") == 2
    assert gotu("--list") == 0
    assert "lengthgen6" in capsys.readouterr().out
    with pytest.raises(SystemExit, match="--task"):
        gotu()


_SMALL = ("--preset", "quick", "--set", "task.n=6", "--set", "model.hidden=[8]", "--epochs", "1", "--quiet")


@pytest.mark.parametrize("extra, message", [
    (["--set", "train.lr=nan"], "train.lr must be a number"),
    (["--set", "train.lr=.01"], "train.lr must be a number, got '.01'"),  # not TOML: a string
    (["--set", "train.threads=-1"], "train.threads must be >= 0"),
    (["--set", "train.device=tpu"], "train.device must be cpu, cuda or cuda:K"),
    (["--set", "train.seed=-1"], "train.seed must be in [0, 2**63)"),
    (["--set", "train.seed=1.5"], "train.seed must be an integer"),
    (["--seeds", "99999999999999999999"], "train.seed must be in [0, 2**63)"),
    (["--set", "model.hidden=[-3]"], "model.hidden must be widths >= 1"),
    (["--set", "model.hidden=[0]"], "model.hidden must be widths >= 1"),
    (["--model", "transformer", "--set", "model.heads=0"], "model.heads must be >= 1 for a transformer"),
    (["--set", "task.unseen=false"], "task.unseen must be a string"),
    (["--set", "task.test_size=0"], "task.test_size >= 1"),
    (["--set", "task.name=../../escape"], "task.name names the run directory"),
    (["--set", "task.name=/abs"], "task.name names the run directory"),
    (["--set", "model.kind=rf_relu"], "choose the model by its name (--model)"),
])
def test_bad_fields_are_one_clear_line_and_write_nothing(extra, message, tmp_path, capsys):
    assert gotu("--task", "2parity", *_SMALL, "--out", str(tmp_path / "out"), *extra) == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "out").exists() and not (tmp_path.parent / "escape").exists()


def test_bad_config_files(tmp_path, capsys):
    for text, message in (("task = 5\n", "task must be a table"), ("[train]\ndevice = 5\n", "must be a string"),
                          ("[train\n", "not valid TOML")):
        (tmp_path / "c.toml").write_text(text)
        assert gotu("--config", str(tmp_path / "c.toml")) == 2
        assert message in capsys.readouterr().err
    for missing in (tmp_path / "none.toml", tmp_path):
        assert gotu("--config", str(missing)) == 2
        assert "cannot read" in capsys.readouterr().err
    (tmp_path / "c.toml").write_text(dumps(tiny()))
    with pytest.raises(SystemExit, match="set the model inside the file"):  # --model was silently ignored
        gotu("--config", str(tmp_path / "c.toml"), "--model", "rf_relu")


def test_a_failed_run_leaves_no_empty_directories(tmp_path, monkeypatch):
    import boolfourier.training as training

    def broken(*a, **k):
        raise RuntimeError("out of memory, say")

    monkeypatch.setattr(training, "train", broken)
    with pytest.raises(RuntimeError, match="out of memory"):
        run_experiment(tiny(), tmp_path / "out", quiet=True)
    assert not (tmp_path / "out").exists()
    (tmp_path / "kept").mkdir()  # directories that were there before stay
    with pytest.raises(RuntimeError):
        run_experiment(tiny(), tmp_path / "kept", quiet=True)
    assert list((tmp_path / "kept").iterdir()) == []


def test_unreachable_dask_scheduler_is_a_clear_error(monkeypatch):
    distributed = pytest.importorskip("dask.distributed")

    def refuse(address, *a, **k):
        raise OSError(f"Timed out trying to connect to {address}")

    monkeypatch.setattr(distributed, "Client", refuse)
    with pytest.raises(ValueError, match="cannot reach the Dask scheduler at 'tcp://127.0.0.1:1'"):
        run_sweep([tiny()], "unused", scheduler="tcp://127.0.0.1:1")


def test_cli_help_mentions_presets(capsys):
    with pytest.raises(SystemExit):
        gotu("--help")
    out = capsys.readouterr().out
    for word in ("--seeds", "--scheduler", "--preset", "--config", "quick", "--overwrite"):
        assert word in out


# --------------------------------------------------------------------------- plots and demo

def test_trajectory_plot(tmp_path):
    from boolfourier.plotting import plot_degree_profile, plot_trajectories

    run = run_experiment(tiny(), tmp_path, quiet=True)
    plot_trajectories(run, tmp_path / "t.png")
    plot_degree_profile(run.path, tmp_path / "w.png")
    assert (tmp_path / "t.png").read_bytes()[:4] == b"\x89PNG" and (tmp_path / "w.png").stat().st_size > 1000


@pytest.mark.slow
def test_demo(tmp_path, capsys):
    from boolfourier.experiments.demo import run_demo

    run = run_demo(tmp_path / "demo")
    out = capsys.readouterr().out
    assert "x0*x1" in out and (tmp_path / "demo" / "trajectories.png").is_file()
    c = run.summary["coefficients"]
    assert run.summary["seen_loss"] < 0.05
    assert abs(c["x0*x1"]["learned"]) < 0.6 and c["1"]["learned"] < -0.3  # nearer the MDI than the target


def test_degree_profile_plot_with_a_diverged_epoch():
    pytest.importorskip("matplotlib")
    from boolfourier.plotting import plot_degree_profile

    w = np.tile([0.5, 0.3, 0.2, 0.0], (6, 1))
    w[-1] = np.nan  # the last evaluation diverged: the others are still drawn
    fig = plot_degree_profile({"epochs": np.arange(6), "degree_profile": w})
    assert len(fig.axes[0].lines) == 3  # W^3 never holds weight: left out
    zero = plot_degree_profile({"epochs": np.arange(6), "degree_profile": np.zeros((6, 4))})
    assert len(zero.axes[0].lines) == 4  # nothing to choose from: every degree
