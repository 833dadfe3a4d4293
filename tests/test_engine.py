"""Tests for paradigms.engine: the shared training loop, callbacks, checkpoint/resume, DDP."""

from __future__ import annotations

import csv
import itertools
import math
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import torch
from torch import nn
from torch.utils.data import Dataset, TensorDataset

from paradigms._common import NonFiniteLossError
from paradigms.engine import (
    Callback,
    Checkpoint,
    CSVLogger,
    EarlyStopping,
    History,
    TensorBoardLogger,
    TrainState,
    fit,
    load_checkpoint,
)

mse = nn.functional.mse_loss


def _data(n: int = 64, d: int = 4, seed: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    """An easy regression problem: y = X @ w (+ small noise), y of shape (n, 1)."""
    g = torch.Generator().manual_seed(seed)
    X = torch.randn(n, d, generator=g)
    w = torch.linspace(-1.0, 1.0, d).reshape(d, 1)
    y = X @ w + 0.01 * torch.randn(n, 1, generator=g)
    return X, y


def _model(seed: int = 0, d: int = 4, dropout: float = 0.0) -> nn.Sequential:
    torch.manual_seed(seed)
    layers: list[nn.Module] = [nn.Linear(d, 16), nn.ReLU()]
    if dropout:
        layers.append(nn.Dropout(dropout))
    layers.append(nn.Linear(16, 1))
    return nn.Sequential(*layers)


def _fit(model: nn.Module, train: Any, **kwargs: Any) -> History:
    options: dict[str, Any] = {
        "max_epochs": 3,
        "batch_size": 16,
        "lr": 1e-2,
        "device": "cpu",
        "progress": False,
    }
    options.update(kwargs)
    return fit(model, mse, train, **options)


def _same_weights(a: nn.Module, b: nn.Module) -> bool:
    sa, sb = a.state_dict(), b.state_dict()
    return sa.keys() == sb.keys() and all(torch.equal(sa[k], sb[k]) for k in sa)


def _tmp_files(folder: Path) -> list[str]:
    return [p.name for p in folder.rglob("*") if p.name.endswith(".tmp")]


class Recorder(Callback):
    """Records a copy of the weights and each group's lr at the end of every epoch."""

    def __init__(self) -> None:
        self.weights: dict[int, dict[str, torch.Tensor]] = {}
        self.lrs: list[list[float]] = []
        self.optimizer_type: type | None = None
        self.fit_start_epochs: list[int] = []
        self.fit_ended = False

    def on_fit_start(self, state: TrainState) -> None:
        self.fit_start_epochs.append(state.epoch)
        self.optimizer_type = type(state.optimizer)

    def on_epoch_end(self, state: TrainState) -> None:
        self.weights[state.epoch] = {
            k: v.detach().clone() for k, v in state.unwrapped_model.state_dict().items()
        }
        self.lrs.append([float(g["lr"]) for g in state.optimizer.param_groups])

    def on_fit_end(self, state: TrainState) -> None:
        self.fit_ended = True


class InterruptAfter(Callback):
    """Simulates Ctrl-C after a given epoch."""

    def __init__(self, epoch: int) -> None:
        self.epoch = epoch

    def on_epoch_end(self, state: TrainState) -> None:
        if state.epoch == self.epoch:
            raise KeyboardInterrupt


# ------------------------------------------------------------------------------- basic fit


def test_fit_history_rows_and_keys() -> None:
    X, y = _data()
    history = _fit(_model(), (X, y), max_epochs=4)
    assert isinstance(history, History)
    assert len(history) == 4
    assert [row["epoch"] for row in history] == [1, 2, 3, 4]
    for row in history:
        assert set(row) == {"epoch", "train_loss", "lr", "time_s"}
        assert math.isfinite(row["train_loss"]) and row["train_loss"] >= 0
        assert row["time_s"] >= 0
        assert row["lr"] > 0
    assert history.keys() == ["epoch", "train_loss", "lr", "time_s"]


def test_fit_with_validation_and_metrics_match_final_model() -> None:
    X, y = _data(n=96)
    Xv, yv = _data(n=40, seed=1)
    model = _model()
    history = _fit(
        model,
        (X, y),
        val=(Xv, yv),
        max_epochs=3,
        metrics={"mae": lambda out, t: (out - t).abs().mean().item()},
    )
    assert len(history) == 3
    for row in history:
        assert {"epoch", "train_loss", "val_loss", "val_mae", "lr", "time_s"} <= set(row)
    # the last row was computed with the final weights (no early stopping here)
    assert not model.training  # fit leaves the model in eval mode
    with torch.no_grad():
        out = model(Xv)
    assert history[-1]["val_loss"] == pytest.approx(mse(out, yv).item(), rel=1e-5)
    assert history[-1]["val_mae"] == pytest.approx((out - yv).abs().mean().item(), rel=1e-5)
    assert history.best("val_loss")["val_loss"] == min(history.column("val_loss"))


def test_loss_decreases_on_easy_problem() -> None:
    X, y = _data(n=128)
    history = _fit(_model(), (X, y), max_epochs=6, lr=3e-2, scheduler="constant")
    losses = history.column("train_loss")
    assert losses[-1] < 0.3 * losses[0]
    assert min(losses) == losses[-1] or losses[-1] < 0.5 * losses[0]


def test_model_is_trained_in_place() -> None:
    X, y = _data()
    model = _model()
    before = {k: v.clone() for k, v in model.state_dict().items()}
    _fit(model, (X, y), max_epochs=1)
    assert any(not torch.equal(before[k], v) for k, v in model.state_dict().items())


# ---------------------------------------------------------------------------- determinism


def test_same_seed_same_weights_different_seed_differs() -> None:
    X, y = _data()
    a, b, c = _model(dropout=0.2), _model(dropout=0.2), _model(dropout=0.2)
    assert _same_weights(a, b)
    ha = _fit(a, (X, y), seed=7)
    hb = _fit(b, (X, y), seed=7)
    hc = _fit(c, (X, y), seed=8)
    assert _same_weights(a, b)
    assert ha.column("train_loss") == hb.column("train_loss")
    assert not _same_weights(a, c)
    assert ha.column("train_loss") != hc.column("train_loss")


def test_dataset_path_is_deterministic_too() -> None:
    X, y = _data()
    a, b = _model(), _model()
    _fit(a, TensorDataset(X, y), seed=3)
    _fit(b, TensorDataset(X, y), seed=3)
    assert _same_weights(a, b)


# ---------------------------------------------------------------------------- data forms


def test_numpy_and_torch_inputs_agree() -> None:
    X, y = _data()
    a, b = _model(), _model()
    ha = _fit(a, (X.numpy().astype(np.float64), y.numpy().astype(np.float64)))
    hb = _fit(b, (X, y))
    # float64 numpy is converted to float32: identical to the torch run
    assert _same_weights(a, b)
    assert ha.column("train_loss") == hb.column("train_loss")


def test_reconstruction_target_is_input() -> None:
    X, _ = _data()

    def recon_model() -> nn.Module:
        torch.manual_seed(0)
        return nn.Sequential(nn.Linear(4, 2), nn.Linear(2, 4))

    seen: list[tuple[torch.Size, torch.Size]] = []

    def loss(out: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        seen.append((out.shape, target.shape))
        return mse(out, target)

    models = [recon_model() for _ in range(4)]
    histories = [
        fit(m, loss, data, max_epochs=2, batch_size=16, device="cpu", progress=False)
        for m, data in zip(models, [(X,), (X, None), X, (X.numpy(),)], strict=True)
    ]
    assert all(out == target == torch.Size([16, 4]) for out, target in seen)
    for model, history in zip(models[1:], histories[1:], strict=True):
        assert _same_weights(models[0], model)
        assert history.column("train_loss") == histories[0].column("train_loss")


def test_torch_dataset_goes_through_dataloader() -> None:
    X, y = _data()
    Xv, yv = _data(n=20, seed=1)

    class CountingDataset(Dataset):
        def __init__(self) -> None:
            self.calls = 0

        def __len__(self) -> int:
            return len(X)

        def __getitem__(self, i: int) -> tuple[torch.Tensor, torch.Tensor]:
            self.calls += 1
            return X[i], y[i]

    data = CountingDataset()
    history = _fit(_model(), data, val=TensorDataset(Xv, yv), max_epochs=2)
    assert data.calls == 2 * len(X)  # per-sample access: the DataLoader path
    assert len(history) == 2
    assert {"epoch", "train_loss", "val_loss", "lr", "time_s"} <= set(history[0])
    tensor_history = _fit(_model(), (X, y), val=(Xv, yv), max_epochs=2)
    assert history.keys() == tensor_history.keys()


# ----------------------------------------------------------------------------- bad input


def test_mismatched_lengths() -> None:
    X, y = _data()
    with pytest.raises(ValueError, match="different lengths"):
        _fit(_model(), (X, y[:-1]))


def test_empty_data() -> None:
    X, y = _data()
    with pytest.raises(ValueError, match="empty"):
        _fit(_model(), (X[:0], y[:0]))
    with pytest.raises(ValueError, match="empty"):
        _fit(_model(), TensorDataset(X[:0], y[:0]))
    with pytest.raises(ValueError, match="no training arrays"):
        _fit(_model(), (None,))


@pytest.mark.parametrize("bad", ["abc", {"X": 1}, 5, None])
def test_wrong_data_type(bad: object) -> None:
    with pytest.raises(TypeError, match="training data must be"):
        _fit(_model(), bad)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("max_epochs", 0),
        ("max_epochs", -2),
        ("batch_size", 0),
        ("batch_size", -16),
        ("lr", 0.0),
        ("lr", -1e-3),
        ("lr", float("nan")),
        ("lr", float("inf")),
    ],
)
def test_non_positive_arguments(name: str, value: float) -> None:
    X, y = _data()
    with pytest.raises(ValueError, match=f"{name} must be a positive"):
        _fit(_model(), (X, y), **{name: value})


@pytest.mark.parametrize(
    ("name", "value"), [("max_epochs", 2.5), ("batch_size", 8.5), ("max_epochs", True)]
)
def test_non_integer_counts(name: str, value: float) -> None:
    X, y = _data()
    with pytest.raises((TypeError, ValueError), match=name):
        _fit(_model(), (X, y), **{name: value})


def test_wrong_device() -> None:
    X, y = _data()
    with pytest.raises(ValueError, match="device"):
        _fit(_model(), (X, y), device="tpu-ish")


# ------------------------------------------------------------------------------ NaN guard


def test_nan_inputs_raise_non_finite_loss_error() -> None:
    X, y = _data()
    X = X.clone()
    X[5, 2] = float("nan")
    with pytest.raises(NonFiniteLossError) as info:
        _fit(_model(), (X, y), max_epochs=2)
    message = str(info.value)
    assert isinstance(info.value, ValueError)
    assert "epoch 1" in message
    assert "NaN" in message and "learning rate" in message and "grad_clip" in message


def test_huge_lr_raises_non_finite_loss_error() -> None:
    X, y = _data()
    with pytest.raises(ValueError, match=r"epoch \d+") as info:
        _fit(_model(), (X, y), lr=1e30, max_epochs=3, scheduler="constant")
    assert isinstance(info.value, NonFiniteLossError)
    assert "lower the learning rate" in str(info.value)


# -------------------------------------------------------------------------- early stopping


def test_early_stopping_restores_best_weights() -> None:
    X, y = _data(n=128)
    # validation targets are the negated training targets: the better the model fits the
    # training data, the worse the validation loss, so the best epoch is the first one
    recorder = Recorder()
    stopper = EarlyStopping(monitor="val_loss", patience=2)
    model = _model()
    history = _fit(
        model,
        (X, y),
        val=(X, -y),
        max_epochs=20,
        lr=3e-2,
        scheduler="constant",
        callbacks=[recorder, stopper],
    )
    val = history.column("val_loss")
    best_epoch = int(np.argmin(val)) + 1
    assert len(history) < 20
    assert len(history) == best_epoch + 2  # stopped after `patience` epochs without progress
    assert stopper.best_epoch == best_epoch
    assert stopper.best == pytest.approx(min(val))
    assert _same_weights_dict(model.state_dict(), recorder.weights[best_epoch])
    assert not _same_weights_dict(model.state_dict(), recorder.weights[len(history)])
    assert recorder.fit_ended


def _same_weights_dict(a: dict[str, torch.Tensor], b: dict[str, torch.Tensor]) -> bool:
    return a.keys() == b.keys() and all(torch.equal(a[k], b[k]) for k in a)


def test_early_stopping_on_plateau_without_restore() -> None:
    X, y = _data()
    recorder = Recorder()
    # min_delta so large that nothing after the first epoch counts as an improvement
    stopper = EarlyStopping(monitor="train_loss", patience=3, min_delta=1e9, restore_best=False)
    model = _model()
    history = _fit(model, (X, y), max_epochs=10, callbacks=[recorder, stopper])
    assert len(history) == 4
    assert stopper.best_epoch == 1
    assert _same_weights_dict(model.state_dict(), recorder.weights[4])  # last weights kept


def test_early_stopping_mode_auto() -> None:
    assert EarlyStopping(monitor="val_accuracy").mode == "max"
    assert EarlyStopping(monitor="val_r2").mode == "max"
    assert EarlyStopping(monitor="val_loss").mode == "min"
    with pytest.raises(ValueError, match="mode"):
        EarlyStopping(mode="up")
    with pytest.raises(ValueError, match="patience"):
        EarlyStopping(patience=0)


def test_early_stopping_unknown_key() -> None:
    X, y = _data()
    with pytest.raises(ValueError, match="val_accuracy") as info:
        _fit(_model(), (X, y), val=(X, y), callbacks=[EarlyStopping(monitor="val_accuracy")])
    assert "val_loss" in str(info.value)  # lists the keys that exist
    with pytest.raises(ValueError, match="validation data"):
        _fit(_model(), (X, y), callbacks=[EarlyStopping(monitor="val_loss")])


# --------------------------------------------------------------------------------- run_dir


def test_run_dir_writes_metrics_and_checkpoint(tmp_path: Path) -> None:
    X, y = _data()
    run_dir = tmp_path / "run"
    model = _model()
    history = _fit(model, (X, y), val=(X, y), max_epochs=3, run_dir=run_dir)
    with open(run_dir / "metrics.csv", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == 3
    assert set(rows[0]) == {"epoch", "train_loss", "val_loss", "lr", "time_s"}
    for row, expected in zip(rows, history, strict=True):
        assert int(float(row["epoch"])) == expected["epoch"]
        assert float(row["train_loss"]) == pytest.approx(expected["train_loss"], rel=1e-9)
        assert float(row["val_loss"]) == pytest.approx(expected["val_loss"], rel=1e-9)
    payload = load_checkpoint(run_dir / "checkpoint.pt")
    assert payload["epoch"] == 3
    assert payload["max_epochs"] == 3
    assert _same_weights_dict(payload["model"], model.state_dict())
    assert [r["train_loss"] for r in payload["history"]] == history.column("train_loss")
    assert _tmp_files(tmp_path) == []
    assert sorted(os.listdir(run_dir)) == ["checkpoint.pt", "metrics.csv"]


def test_explicit_csv_logger_and_checkpoint(tmp_path: Path) -> None:
    X, y = _data()
    csv_path, ckpt_path = tmp_path / "log.csv", tmp_path / "ck" / "state.pt"
    _fit(
        _model(),
        (X, y),
        max_epochs=4,
        callbacks=[CSVLogger(csv_path), Checkpoint(ckpt_path, every=3)],
    )
    with open(csv_path, newline="") as fh:
        assert len(list(csv.DictReader(fh))) == 4
    assert load_checkpoint(ckpt_path)["epoch"] == 4  # saved at epoch 3 and at the end
    with pytest.raises(ValueError, match="every"):
        Checkpoint(tmp_path / "x.pt", every=0)


# ---------------------------------------------------------------------------------- resume


def test_exact_resume_after_interrupt(tmp_path: Path) -> None:
    X, y = _data(n=80)
    Xv, yv = _data(n=20, seed=1)
    common: dict[str, Any] = {"val": (Xv, yv), "max_epochs": 6, "lr": 2e-2, "seed": 11}

    model_a = _model(dropout=0.2)
    history_a = _fit(model_a, (X, y), run_dir=tmp_path / "a", **common)

    run_b = tmp_path / "b"
    with pytest.raises(KeyboardInterrupt):
        _fit(_model(dropout=0.2), (X, y), run_dir=run_b, callbacks=[InterruptAfter(3)], **common)
    saved = load_checkpoint(run_b / "checkpoint.pt")
    assert 2 <= saved["epoch"] <= 3
    assert _tmp_files(run_b) == []

    model_b = _model(dropout=0.2)
    recorder = Recorder()
    history_b = _fit(model_b, (X, y), run_dir=run_b, resume=True, callbacks=[recorder], **common)
    assert recorder.fit_start_epochs == [saved["epoch"]]
    assert len(history_b) == 6
    assert [r["epoch"] for r in history_b] == [1, 2, 3, 4, 5, 6]
    assert history_b.column("train_loss") == history_a.column("train_loss")
    assert history_b.column("val_loss") == history_a.column("val_loss")
    assert history_b.column("lr") == history_a.column("lr")
    assert _same_weights(model_a, model_b)
    with open(run_b / "metrics.csv", newline="") as fh:
        assert len(list(csv.DictReader(fh))) == 6


def test_resume_completed_run_does_no_more_training(tmp_path: Path) -> None:
    X, y = _data()
    model = _model()
    _fit(model, (X, y), run_dir=tmp_path, max_epochs=2)
    again = _model(seed=5)  # different initial weights: all must come from the checkpoint
    recorder = Recorder()
    history = _fit(again, (X, y), run_dir=tmp_path, resume=True, max_epochs=2, callbacks=[recorder])
    assert len(history) == 2
    assert recorder.weights == {}  # no epoch ran
    assert _same_weights(model, again)


def test_resume_with_empty_run_dir_starts_fresh(tmp_path: Path) -> None:
    X, y = _data()
    fresh, plain = _model(), _model()
    history = _fit(fresh, (X, y), run_dir=tmp_path / "new", resume=True, max_epochs=3)
    reference = _fit(plain, (X, y), max_epochs=3)
    assert len(history) == 3
    assert history.column("train_loss") == reference.column("train_loss")
    assert _same_weights(fresh, plain)
    assert (tmp_path / "new" / "checkpoint.pt").is_file()


def test_resume_needs_run_dir() -> None:
    X, y = _data()
    with pytest.raises(ValueError, match="run_dir"):
        _fit(_model(), (X, y), resume=True)


def test_resume_with_different_max_epochs(tmp_path: Path) -> None:
    X, y = _data()
    _fit(_model(), (X, y), run_dir=tmp_path, max_epochs=2)
    with pytest.raises(ValueError, match="max_epochs=2") as info:
        _fit(_model(), (X, y), run_dir=tmp_path, resume=True, max_epochs=4)
    assert "4" in str(info.value)


def test_resume_with_different_model(tmp_path: Path) -> None:
    X, y = _data()
    _fit(_model(), (X, y), run_dir=tmp_path, max_epochs=2)
    other = nn.Sequential(nn.Linear(4, 3), nn.ReLU(), nn.Linear(3, 1))
    with pytest.raises(ValueError, match="does not match this model"):
        _fit(other, (X, y), run_dir=tmp_path, resume=True, max_epochs=2)


def test_resume_from_corrupted_checkpoint(tmp_path: Path) -> None:
    X, y = _data()
    _fit(_model(), (X, y), run_dir=tmp_path, max_epochs=2)
    ckpt = tmp_path / "checkpoint.pt"
    ckpt.write_bytes(ckpt.read_bytes()[:100])  # truncated
    with pytest.raises(ValueError, match="not a readable paradigms checkpoint"):
        _fit(_model(), (X, y), run_dir=tmp_path, resume=True, max_epochs=2)
    ckpt.write_bytes(b"garbage" * 50)
    with pytest.raises(ValueError, match="resume=False"):
        _fit(_model(), (X, y), run_dir=tmp_path, resume=True, max_epochs=2)


def test_load_checkpoint_missing_file(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        load_checkpoint(tmp_path / "none.pt")
    with pytest.raises(ValueError, match="no checkpoint"):
        load_checkpoint(tmp_path / "none.pt")


def test_early_stopping_state_survives_resume(tmp_path: Path) -> None:
    X, y = _data(n=128)
    common: dict[str, Any] = {
        "val": (X, -y),
        "max_epochs": 20,
        "lr": 3e-2,
        "scheduler": "constant",
    }
    model_a = _model()
    history_a = _fit(model_a, (X, y), callbacks=[EarlyStopping(patience=3)], **common)
    assert len(history_a) < 20
    with pytest.raises(KeyboardInterrupt):
        _fit(
            _model(),
            (X, y),
            run_dir=tmp_path,
            callbacks=[EarlyStopping(patience=3), InterruptAfter(2)],
            **common,
        )
    model_b = _model()
    stopper = EarlyStopping(patience=3)
    history_b = _fit(model_b, (X, y), run_dir=tmp_path, resume=True, callbacks=[stopper], **common)
    assert history_b.column("val_loss") == history_a.column("val_loss")
    assert _same_weights(model_a, model_b)  # best weights restored from the checkpoint


# ------------------------------------------------------------------- optimizers, schedules


@pytest.mark.parametrize("optimizer", ["adamw", "adam", "sgd"])
def test_optimizers(optimizer: str) -> None:
    X, y = _data(n=128)
    recorder = Recorder()
    history = _fit(
        _model(), (X, y), optimizer=optimizer, max_epochs=5, lr=2e-2, callbacks=[recorder]
    )
    expected = {"adamw": torch.optim.AdamW, "adam": torch.optim.Adam, "sgd": torch.optim.SGD}
    assert recorder.optimizer_type is expected[optimizer]
    assert history[-1]["train_loss"] < history[0]["train_loss"]


def test_constant_schedule() -> None:
    X, y = _data()
    history = _fit(_model(), (X, y), scheduler="constant", lr=5e-3, max_epochs=3)
    assert history.column("lr") == [5e-3] * 3


def test_cosine_schedule() -> None:
    X, y = _data()
    history = _fit(_model(), (X, y), scheduler="cosine", lr=1e-2, max_epochs=4)
    lrs = history.column("lr")
    assert all(a > b for a, b in itertools.pairwise(lrs))
    assert lrs[0] < 1e-2
    assert lrs[-1] == pytest.approx(0.0, abs=1e-9)


def test_onecycle_schedule_peaks_at_lr() -> None:
    X, y = _data(n=32)
    # one batch per epoch: the epoch-end lr is the lr after every step
    history = _fit(_model(), (X, y), lr=1e-2, max_epochs=10, batch_size=32)
    lrs = history.column("lr")
    assert max(lrs) == pytest.approx(1e-2, rel=1e-6)
    peak = lrs.index(max(lrs))
    assert 0 < peak < 9
    assert lrs[0] < 0.6 * 1e-2  # still warming up after the first step
    assert min(lrs[peak:]) < 1e-2 / 1000  # annealed far below the peak
    assert lrs[-1] < 1e-2 / 10


@pytest.mark.parametrize("scheduler", ["onecycle", "cosine", "constant"])
def test_param_groups_follow_their_own_lr(scheduler: str) -> None:
    X, y = _data(n=32)
    model = _model()
    groups = [
        {"params": model[0].parameters(), "lr": 1e-2},
        {"params": model[2].parameters(), "lr": 1e-4},
    ]
    recorder = Recorder()
    history = _fit(
        model,
        (X, y),
        lr=0.5,  # the default lr; each group's own lr wins
        scheduler=scheduler,
        param_groups=groups,
        max_epochs=10,
        batch_size=32,
        callbacks=[recorder],
    )
    first = [lrs[0] for lrs in recorder.lrs]
    second = [lrs[1] for lrs in recorder.lrs]
    if scheduler == "cosine":  # the first epoch-end value is one step into the decay
        assert 0.9 * 1e-2 < max(first) <= 1e-2
        assert 0.9 * 1e-4 < max(second) <= 1e-4
    else:
        assert max(first) == pytest.approx(1e-2, rel=1e-6)
        assert max(second) == pytest.approx(1e-4, rel=1e-6)
    for a, b in zip(first, second, strict=True):
        assert a == pytest.approx(100 * b, rel=1e-6)
    assert history.column("lr") == second  # history records the last group


def test_unknown_optimizer_and_scheduler() -> None:
    X, y = _data()
    with pytest.raises(ValueError, match="adamw") as info:
        _fit(_model(), (X, y), optimizer="rmsprop")
    assert "rmsprop" in str(info.value)
    with pytest.raises(ValueError, match="onecycle") as info:
        _fit(_model(), (X, y), scheduler="step")
    assert "step" in str(info.value)


def test_grad_clip_limits_update() -> None:
    X, y = _data()
    y = y * 1000  # huge gradients
    clipped, free = _model(), _model()
    start = {k: v.clone() for k, v in clipped.state_dict().items()}
    kwargs: dict[str, Any] = {"optimizer": "sgd", "scheduler": "constant", "lr": 1e-3}
    _fit(clipped, (X, y), max_epochs=1, batch_size=64, grad_clip=1e-3, **kwargs)
    _fit(free, (X, y), max_epochs=1, batch_size=64, **kwargs)

    def moved(m: nn.Module) -> float:
        return sum((v - start[k]).norm().item() ** 2 for k, v in m.state_dict().items()) ** 0.5

    # one Nesterov-SGD step moves the weights by at most (1 + momentum) * lr * clip norm
    assert moved(clipped) <= 1.9 * 1e-3 * 1e-3 * 1.01
    assert moved(free) > 100 * moved(clipped)


def test_callback_hooks_order_and_stop() -> None:
    X, y = _data()

    class StopAtTwo(Callback):
        def on_epoch_end(self, state: TrainState) -> None:
            assert state.history[-1]["epoch"] == state.epoch
            if state.epoch == 2:
                state.stop = True

    recorder = Recorder()
    history = _fit(_model(), (X, y), max_epochs=10, callbacks=[StopAtTwo(), recorder])
    assert len(history) == 2
    assert recorder.fit_start_epochs == [0]
    assert recorder.fit_ended


# ----------------------------------------------------------------------------- TensorBoard


def test_tensorboard_missing_package_message(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # simulate an environment without tensorboard, whether or not it is installed here
    monkeypatch.setitem(sys.modules, "torch.utils.tensorboard", None)
    with pytest.raises(ValueError, match="pip install tensorboard"):
        TensorBoardLogger(tmp_path / "tb")


def test_tensorboard_logger_real(tmp_path: Path) -> None:
    try:
        import tensorboard  # noqa: F401
    except ImportError:
        with pytest.raises(ValueError, match="pip install tensorboard"):
            TensorBoardLogger(tmp_path / "tb")
        return
    X, y = _data()
    _fit(_model(), (X, y), max_epochs=2, callbacks=[TensorBoardLogger(tmp_path / "tb")])
    assert any(p.name.startswith("events.out.tfevents") for p in (tmp_path / "tb").iterdir())


# ----------------------------------------------------------------------------- distributed


_DDP_SCRIPT = """
import atexit
import os
import sys

import torch
import torch.distributed as dist
from torch import nn

from paradigms.engine import fit

torch.set_num_threads(1)
out = sys.argv[1]
rank = int(os.environ["RANK"])


def record_group_state():  # registered first, so it runs after the library's exit handler
    with open(os.path.join(out, f"group_alive_at_exit{rank}.txt"), "w") as fh:
        fh.write(str(dist.is_initialized()))


atexit.register(record_group_state)
g = torch.Generator().manual_seed(0)
X = torch.randn(64, 4, generator=g)
y = X @ torch.linspace(-1.0, 1.0, 4).reshape(4, 1)
torch.manual_seed(rank)  # different initial weights per rank: DDP must broadcast rank 0's
model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 1))
history = fit(
    model, nn.functional.mse_loss, (X, y), val=(X, y), max_epochs=3, batch_size=8,
    lr=1e-2, device="cpu", seed=0, run_dir=os.path.join(out, "run"), progress=False,
)
assert len(history) == 3, history
torch.save(model.state_dict(), os.path.join(out, f"rank{rank}.pt"))
torch.save(torch.tensor(history.column("train_loss")), os.path.join(out, f"loss{rank}.pt"))
"""


@pytest.mark.slow
def test_distributed_two_ranks_on_cpu(tmp_path: Path) -> None:
    script = tmp_path / "train_ddp.py"
    script.write_text(textwrap.dedent(_DDP_SCRIPT))
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    for key in ("RANK", "WORLD_SIZE", "LOCAL_RANK", "MASTER_ADDR", "MASTER_PORT"):
        env.pop(key, None)
    command = [
        sys.executable,
        "-m",
        "torch.distributed.run",
        "--standalone",  # the launcher picks a free port itself: no race for a chosen one
        "--nproc_per_node=2",
        str(script),
        str(tmp_path),
    ]
    result = subprocess.run(
        command, env=env, capture_output=True, text=True, timeout=120, cwd=tmp_path
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    for rank in (0, 1):  # the group fit created is torn down before interpreter shutdown
        assert (tmp_path / f"group_alive_at_exit{rank}.txt").read_text() == "False"
    with open(tmp_path / "run" / "metrics.csv", newline="") as fh:
        assert len(list(csv.DictReader(fh))) == 3
    assert (tmp_path / "run" / "checkpoint.pt").is_file()
    w0 = torch.load(tmp_path / "rank0.pt", weights_only=True)
    w1 = torch.load(tmp_path / "rank1.pt", weights_only=True)
    assert _same_weights_dict(w0, w1)
    l0 = torch.load(tmp_path / "loss0.pt", weights_only=True)
    l1 = torch.load(tmp_path / "loss1.pt", weights_only=True)
    assert torch.equal(l0, l1)  # the logged loss is averaged over ranks
    assert _tmp_files(tmp_path) == []


def test_read_only_arrays_train_without_warnings() -> None:
    # torch warns (once per process) when it wraps a read-only numpy array, as joblib memmaps
    # are; run in a fresh interpreter so an earlier test cannot have used up the warning
    code = textwrap.dedent(
        """
        import numpy as np
        import torch
        from torch import nn
        from paradigms.backbones import create_backbone
        from paradigms.engine import fit

        X = np.random.default_rng(0).normal(size=(32, 4))
        y = X[:, :1].astype(np.float32)
        X.flags.writeable = False
        y.flags.writeable = False
        backbone = create_backbone("mlp", in_shape=(4,), hidden=(3,))
        backbone.normalizer.fit(X)
        model = nn.Sequential(backbone, nn.Linear(3, 1))
        fit(model, nn.functional.mse_loss, (X, y), val=(X, y), max_epochs=1, device="cpu")
        assert X.flags.writeable is False
        """
    )
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    result = subprocess.run(
        [sys.executable, "-W", "error::UserWarning", "-c", code],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-3000:]
