"""The training loop: tiny end-to-end runs, determinism, spectrum tracking, sampling, curriculum."""

import dataclasses

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from boolfourier import cube, fwht, gotu_error  # noqa: E402
from boolfourier.models import ModelConfig  # noqa: E402
from boolfourier import training  # noqa: E402
from boolfourier.training import (CheckpointError, TaskConfig, TrainConfig, make_task_data,  # noqa: E402
                                  monomial_mask, train)

torch.set_num_threads(1)

TASK = TaskConfig(name="2parity", n=6, target="x0*x1", unseen="x0 == -1 and x1 == -1",
                  track=["1", "x0", "x1", "x0*x1"], mdi="x0 + x1 - 1")
MODEL = ModelConfig("mlp", hidden=[32, 16])
CFG = TrainConfig(lr=0.01, epochs=4, batch_size=8, seed=1)


@pytest.fixture(scope="module")
def result():
    return train(TASK, MODEL, CFG, quiet=True)


def _strip(rows):  # comparable rows: no wall time, nan as None
    return [{k: (None if v != v else v) for k, v in r.items() if k != "elapsed"} for r in rows]


def test_rows_and_spectra(result):
    rows, sp = result.rows, result.spectra
    assert [r["epoch"] for r in rows] == [-1, 0, 1, 2, 3]
    assert rows[-1]["step"] == 4 * 6  # 48 seen points, batch 8
    for key in ("train_loss", "seen_loss", "unseen_loss", "cube_loss", "mdi_distance", "coef[x0*x1]", "W6"):
        assert key in rows[-1]
    assert sp["coefficients"].shape == (5, 64) and sp["coefficients"].dtype == np.float32
    assert sp["degree_profile"].shape == (5, 7) and sp["tracked"].shape == (5, 4)
    np.testing.assert_array_equal(sp["mdi_track"], [-1, 1, 1, 0])
    np.testing.assert_array_equal(sp["target_track"], [0, 0, 0, 1])
    s = result.summary
    assert s["mdi_gotu_error"] == pytest.approx(16.0)
    assert s["coefficients"]["x0*x1"]["mdi"] == 0.0 and s["steps"] == 24 and s["train_size"] == 48


def test_tracked_spectrum_is_a_fresh_transform(result):
    net = result.model.eval()
    x = torch.tensor(cube.points(6), dtype=torch.float32)
    with torch.no_grad():
        out = net(x).double().numpy()
    c = fwht(out, norm="forward")
    sp = result.spectra
    np.testing.assert_allclose(sp["coefficients"][-1], c, atol=1e-5)
    np.testing.assert_allclose(sp["tracked"][-1], c[[0, 1, 2, 3]], atol=1e-5)
    profile = np.bincount(cube.degrees(6), weights=c**2, minlength=7)
    np.testing.assert_allclose(sp["degree_profile"][-1], profile, rtol=1e-4, atol=1e-7)
    # losses from the same outputs
    y = cube.points(6)[:, 0] * cube.points(6)[:, 1]
    unseen = (cube.points(6)[:, 0] == -1) & (cube.points(6)[:, 1] == -1)
    row = result.rows[-1]
    assert row["unseen_loss"] == pytest.approx(np.mean((out - y)[unseen] ** 2), rel=1e-5)
    assert row["seen_loss"] == pytest.approx(np.mean((out - y)[~unseen] ** 2), rel=1e-5)
    mdi = cube.points(6)[:, 0] + cube.points(6)[:, 1] - 1
    assert row["mdi_distance"] == pytest.approx(np.mean((out - mdi) ** 2), rel=1e-5)
    # the sign error on U is gotu_error's, on the same outputs, and reaches the summary
    want = gotu_error(out, y, unseen)
    assert row["unseen_sign_error"] == pytest.approx(want.unseen_sign_error)
    assert result.summary["unseen_sign_error"] == row["unseen_sign_error"]


def test_deterministic_on_cpu(result):
    again = train(TASK, MODEL, CFG, quiet=True)
    assert _strip(again.rows) == _strip(result.rows)
    for k in result.spectra:
        np.testing.assert_array_equal(again.spectra[k], result.spectra[k])
    other = train(TASK, MODEL, dataclasses.replace(CFG, seed=2), quiet=True)
    assert _strip(other.rows) != _strip(result.rows)


class _Killed(Exception):
    pass


def _interrupted(task, cfg, ckpt, monkeypatch, after_saves):
    """Run ``train`` until its ``after_saves``-th checkpoint is on disk, then kill it."""
    real, saves = training.atomic_write, []

    def write_then_die(path, data):
        real(path, data)
        saves.append(path)
        if len(saves) == after_saves:
            raise _Killed

    monkeypatch.setattr(training, "atomic_write", write_then_die)
    with pytest.raises(_Killed):
        train(task, MODEL, cfg, quiet=True, checkpoint=ckpt)
    monkeypatch.undo()
    assert saves == [ckpt] * after_saves


@pytest.mark.parametrize("case", ["sgd", "adam+curriculum"])
def test_resumed_run_equals_an_uninterrupted_one(case, tmp_path, monkeypatch):
    task, cfg = TASK, dataclasses.replace(CFG, epochs=5, checkpoint_s=0.0)
    if case != "sgd":  # optimiser state and the curriculum's ball must come back too
        task = dataclasses.replace(TASK, unseen="", mdi="none")
        cfg = dataclasses.replace(cfg, optimizer="adam", curriculum_leap=2, loss_threshold=1e9)
    whole = train(task, MODEL, dataclasses.replace(cfg, checkpoint_s=float("inf")), quiet=True)
    ckpt = tmp_path / "checkpoint.pt"
    _interrupted(task, cfg, ckpt, monkeypatch, after_saves=2)  # killed after epoch 1
    resumed = train(task, MODEL, cfg, quiet=True, checkpoint=ckpt)
    assert _strip(resumed.rows) == _strip(whole.rows)
    assert [r["epoch"] for r in resumed.rows][-2:] == [whole.rows[-1]["epoch"] - 1, whole.rows[-1]["epoch"]]
    for k in whole.spectra:
        np.testing.assert_array_equal(resumed.spectra[k], whole.spectra[k])
    for a, b in zip(resumed.model.state_dict().values(), whole.model.state_dict().values()):
        assert torch.equal(a, b)
    assert resumed.summary["steps"] == whole.summary["steps"]
    assert resumed.rows[-1]["elapsed"] >= resumed.rows[2]["elapsed"]  # the clock carries over
    if case != "sgd":
        assert [r["radius"] for r in resumed.rows] == [r["radius"] for r in whole.rows] != [2] * len(whole.rows)


def test_checkpoint_errors(tmp_path, monkeypatch):
    cfg = dataclasses.replace(CFG, checkpoint_s=0.0)
    with pytest.raises(ValueError, match="checkpoint_s must be >= 0"):
        dataclasses.replace(CFG, checkpoint_s=-1.0)
    ckpt = tmp_path / "checkpoint.pt"
    ckpt.write_bytes(b"PK\x03\x04 half a zip")
    with pytest.raises(CheckpointError, match="not a readable checkpoint.*delete it"):
        train(TASK, MODEL, cfg, quiet=True, checkpoint=ckpt)
    ckpt.unlink()
    _interrupted(TASK, cfg, ckpt, monkeypatch, after_saves=1)
    with pytest.raises(CheckpointError, match="different run.*train.lr: 0.01 on disk vs 0.02 requested"):
        train(TASK, MODEL, dataclasses.replace(cfg, lr=0.02), quiet=True, checkpoint=ckpt)
    # fields that do not change results may differ
    r = train(TASK, MODEL, dataclasses.replace(cfg, eval_batch_size=7, checkpoint_s=5.0), quiet=True, checkpoint=ckpt)
    assert [row["epoch"] for row in r.rows] == [-1, 0, 1, 2, 3]


def test_learns_the_seen_set():
    r = train(TASK, ModelConfig("mlp", hidden=[64, 64]), dataclasses.replace(CFG, epochs=40, optimizer="adam", lr=3e-3),
              quiet=True)
    assert r.rows[-1]["seen_loss"] < 0.05 < r.rows[0]["seen_loss"]


@pytest.mark.parametrize("optimizer", ["sgd", "adam", "adamw"])
def test_optimizers_and_frozen_features(optimizer):
    cfg = dataclasses.replace(CFG, optimizer=optimizer, epochs=1, lr=1e-3, momentum=0.0)
    torch.manual_seed(cfg.seed)
    r = train(TASK, ModelConfig("rf_relu", width=16), cfg, quiet=True)
    assert np.isfinite(r.rows[-1]["seen_loss"])
    torch.manual_seed(cfg.seed)  # same init as inside train
    from boolfourier.models import build_model

    fresh = build_model(ModelConfig("rf_relu", width=16), 6)
    assert torch.equal(fresh.features.weight, r.model.features.weight)  # frozen
    assert not torch.equal(fresh.readout.weight, r.model.readout.weight)  # trained


def test_sampled_evaluation_estimates():
    task = dataclasses.replace(TASK, n=8, train_size=100, test_size=500)
    cfg = dataclasses.replace(CFG, epochs=1, full_spectrum_max_n=4)  # force the large-n path
    r = train(task, MODEL, cfg, quiet=True)
    assert "coefficients" not in r.spectra and "W0" not in r.rows[-1]
    assert r.summary["exact"] is False and r.summary["train_size"] == 100
    np.testing.assert_array_equal(r.spectra["mdi_track"], [-1, 1, 1, 0])
    np.testing.assert_array_equal(r.spectra["target_track"], [0, 0, 0, 1])
    data = make_task_data(task, cfg, np.random.default_rng(cfg.seed))  # the same eval points
    x = torch.tensor(data.x_eval, dtype=torch.float32)
    with torch.no_grad():
        out = r.model.eval()(x).double().numpy()
    est = [np.mean(out), np.mean(out * data.x_eval[:, 0]), np.mean(out * data.x_eval[:, 1]),
           np.mean(out * data.x_eval[:, 0] * data.x_eval[:, 1])]
    np.testing.assert_allclose(r.spectra["tracked"][-1], est, atol=1e-5)


def test_auto_mdi_and_checked_mdi():
    data = make_task_data(dataclasses.replace(TASK, mdi="auto"), CFG, np.random.default_rng(0))
    np.testing.assert_allclose(data.mdi_track, [-1, 1, 1, 0], atol=1e-9)
    with pytest.raises(ValueError, match="does not equal the target on the seen set"):
        make_task_data(dataclasses.replace(TASK, mdi="x0 + x1"), CFG, np.random.default_rng(0))
    none = make_task_data(dataclasses.replace(TASK, mdi="none"), CFG, np.random.default_rng(0))
    assert none.mdi_eval is None and np.isnan(none.mdi_track).all()
    # an interpolator that is not the min-degree one is refused, naming the MDI
    with pytest.raises(ValueError, match=r"not its min-degree interpolator, which is x0 \+ x1 - 1"):
        make_task_data(dataclasses.replace(TASK, mdi="x0*x1"), CFG, np.random.default_rng(0))
    # where the MDI cannot be computed (a ball on 40 coordinates and a target of degree 2 > its
    # radius 1), the user's is checked on the seen set only
    big = dataclasses.replace(TASK, n=40, unseen="weight(x) >= 2", mdi="x0*x1", train_size=64, test_size=256)
    data = make_task_data(big, CFG, np.random.default_rng(0))
    np.testing.assert_allclose(data.mdi_track, [0, 0, 0, 1])
    with pytest.raises(ValueError, match="cannot compute its MDI"):
        make_task_data(dataclasses.replace(big, mdi="auto"), CFG, np.random.default_rng(0))


def test_curriculum_and_stopping():
    task = TaskConfig(name="parity6", n=6, target="x0*x1*x2*x3*x4*x5", unseen="", track=["x0*x1*x2*x3*x4*x5"],
                      mdi="none", train_size=200)
    cfg = dataclasses.replace(CFG, epochs=10, curriculum_leap=2, loss_threshold=100.0)  # always "converged"
    r = train(task, MODEL, cfg, quiet=True)
    # epochs train on radius 2, 4, 6; below the threshold with r = n: stop
    assert [row["radius"] for row in r.rows] == [2, 2, 4, 6]
    assert r.rows[-1]["epoch"] == 2 and r.summary["epochs_run"] == 3
    assert np.isnan(r.summary["gotu_error"])  # nothing unseen
    plain = train(task, MODEL, dataclasses.replace(cfg, curriculum_leap=0), quiet=True)
    assert plain.rows[-1]["epoch"] == 0  # the stop rule alone


def test_curriculum_trains_on_the_ball_and_counts_batch_steps():
    # PAPER_NOTES §4: r starts at leap, each epoch runs over {weight(x) <= r} only; iters = batch steps
    task = TaskConfig(name="parity6", n=6, target="x0*x1*x2*x3*x4*x5", unseen="", track=["1"], mdi="none",
                      train_size=200)
    cfg = dataclasses.replace(CFG, epochs=10, batch_size=8, curriculum_leap=2, loss_threshold=100.0)
    r = train(task, MODEL, cfg, quiet=True)
    weight = (make_task_data(task, cfg, np.random.default_rng(cfg.seed)).x_train == -1).sum(1)
    per_epoch = [-(-int((weight <= radius).sum()) // 8) for radius in (2, 4, 6)]
    assert [row["step"] for row in r.rows] == [0, *np.cumsum(per_epoch).tolist()]
    assert r.summary["steps"] == sum(per_epoch) and per_epoch[0] < per_epoch[-1]


def test_monomial_mask():
    assert monomial_mask("1", 3) == 0 and monomial_mask("x0*x2", 3) == 0b101 and monomial_mask(" x1 ", 3) == 2
    with pytest.raises(ValueError, match="coordinate >= n"):
        monomial_mask("x5", 3)
    with pytest.raises(ValueError, match="cannot read monomial"):
        monomial_mask("2*x0", 3)


def test_config_validation():
    with pytest.raises(ValueError, match="optimizer"):
        TrainConfig(optimizer="lbfgs")
    with pytest.raises(ValueError, match="batch_size"):
        TrainConfig(batch_size=0)
    with pytest.raises(ValueError, match="too large to enumerate"):
        make_task_data(dataclasses.replace(TASK, n=30), CFG, np.random.default_rng(0))


def test_large_n_task_with_a_weight_predicate():
    # weight(x) reads all 40 coordinates: the seen set is a Hamming ball (exact size and samples)
    task = TaskConfig(name="w40", n=40, target="x0*x1", unseen="weight(x) > 30", track=["x0*x1"], mdi="none",
                      train_size=64, test_size=256)
    cfg = dataclasses.replace(CFG, epochs=1)
    data = make_task_data(task, cfg, np.random.default_rng(0))
    assert data.x_train.shape == (64, 40) and np.all((data.x_train == -1).sum(1) <= 30)
    assert np.isfinite(train(task, MODEL, cfg, quiet=True).rows[-1]["seen_loss"])
    # degree 2 <= the seen ball's radius 30: the MDI is the target itself, at any n
    auto = make_task_data(dataclasses.replace(task, mdi="auto"), cfg, np.random.default_rng(0))
    np.testing.assert_allclose(auto.mdi_track, [1.0])
    with pytest.raises(ValueError, match='cannot compute its MDI .* set task.mdi = "none"'):
        make_task_data(dataclasses.replace(task, mdi="auto", unseen="weight(x) > 1"), cfg,
                       np.random.default_rng(0))


def test_curriculum_needs_a_loss_threshold():
    # without a threshold the ball would never grow: training would silently stay on weight(x) <= leap
    with pytest.raises(ValueError, match="needs train.loss_threshold > 0"):
        TrainConfig(curriculum_leap=4)
    with pytest.raises(ValueError, match="loss_threshold must be >= 0"):
        TrainConfig(loss_threshold=-1.0)
    assert TrainConfig(curriculum_leap=4, loss_threshold=1e-3).curriculum_leap == 4


@pytest.mark.gpu
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
def test_cuda_matches_shapes():
    r = train(TASK, MODEL, dataclasses.replace(CFG, device="cuda", epochs=2), quiet=True)
    assert r.spectra["coefficients"].shape == (3, 64)
    assert "cuda" not in r.summary["device"].lower() or r.summary["device"]
    assert not r.summary["device"].startswith("cpu")  # the line above holds for any non-empty name
    assert np.isfinite(r.rows[-1]["seen_loss"]) and r.summary["exact"] is True
