"""Callbacks: small objects the training loop calls at fixed points.

Each may keep state that survives an interrupted run: :class:`Checkpoint` saves every
callback's ``state_dict()`` and restores it on resume.
"""

from __future__ import annotations

import copy
import csv
import io
import logging
import math
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from paradigms._common.files import atomic_write_text

if TYPE_CHECKING:
    from paradigms.engine.state import TrainState

logger = logging.getLogger(__name__)


class Callback:
    """Base class; override the hooks you need."""

    def on_fit_start(self, state: TrainState) -> None:
        """Called once before the first epoch (after a resume, before the first new epoch)."""

    def on_epoch_end(self, state: TrainState) -> None:
        """Called after each epoch, once ``state.history[-1]`` holds its metrics."""

    def on_fit_end(self, state: TrainState) -> None:
        """Called once after the last epoch (also after an early stop)."""

    def state_dict(self) -> dict[str, Any]:
        """State to save in checkpoints (tensors, numbers, strings, lists, dicts)."""
        return {}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Restore what :meth:`state_dict` returned."""


class EarlyStopping(Callback):
    """Stop when ``monitor`` has not improved for ``patience`` epochs; restore the best weights.

    Args:
        monitor: history key to watch, e.g. ``"val_loss"`` or ``"val_accuracy"``.
        patience: epochs without improvement before stopping.
        mode: ``"min"`` or ``"max"``; ``"auto"`` picks ``"max"`` for accuracy/r2/score keys.
        min_delta: the smallest change that counts as an improvement.
        restore_best: load the best epoch's weights when training ends.
    """

    def __init__(
        self,
        monitor: str = "val_loss",
        patience: int = 5,
        mode: str = "auto",
        min_delta: float = 0.0,
        restore_best: bool = True,
    ) -> None:
        if mode == "auto":
            mode = "max" if any(k in monitor for k in ("acc", "r2", "score", "auc")) else "min"
        if mode not in ("min", "max"):
            raise ValueError(f"mode must be 'min', 'max' or 'auto'; got {mode!r}.")
        if patience < 1:
            raise ValueError(f"patience must be >= 1; got {patience!r}.")
        self.monitor, self.patience, self.mode = monitor, patience, mode
        self.min_delta, self.restore_best = min_delta, restore_best
        self.best: float = math.inf if mode == "min" else -math.inf
        self.best_epoch = 0
        self.wait = 0
        self.best_weights: dict[str, Any] | None = None

    def _improved(self, value: float) -> bool:
        if self.mode == "min":
            return value < self.best - self.min_delta
        return value > self.best + self.min_delta

    def on_epoch_end(self, state: TrainState) -> None:
        row = state.history[-1]
        if self.monitor not in row:
            raise ValueError(
                f"EarlyStopping monitors {self.monitor!r}, which the history does not record "
                f"(keys: {sorted(row)}). Pass validation data, or monitor 'train_loss'."
            )
        value = float(row[self.monitor])
        if math.isfinite(value) and self._improved(value):
            self.best, self.best_epoch, self.wait = value, int(row["epoch"]), 0
            if self.restore_best:
                self.best_weights = copy.deepcopy(state.unwrapped_model.state_dict())
        else:
            self.wait += 1
            if self.wait >= self.patience:
                logger.info(
                    "early stop at epoch %s: %s did not improve on %.5g (epoch %s) for %s epochs",
                    row["epoch"],
                    self.monitor,
                    self.best,
                    self.best_epoch,
                    self.patience,
                )
                state.stop = True

    def on_fit_end(self, state: TrainState) -> None:
        if self.restore_best and self.best_weights is not None:
            state.unwrapped_model.load_state_dict(self.best_weights)

    def state_dict(self) -> dict[str, Any]:
        return {
            "best": self.best,
            "best_epoch": self.best_epoch,
            "wait": self.wait,
            "best_weights": self.best_weights,
        }

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.best = float(state["best"])
        self.best_epoch = int(state["best_epoch"])
        self.wait = int(state["wait"])
        self.best_weights = state.get("best_weights")


class CSVLogger(Callback):
    """Write the whole history to ``path`` after every epoch (atomically, so never half-written).

    Args:
        path: the CSV file, one row per epoch.
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)

    def on_epoch_end(self, state: TrainState) -> None:
        if not state.is_main_process:
            return
        keys = state.history.keys()
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=keys, restval="", lineterminator="\n")
        writer.writeheader()
        writer.writerows(state.history)
        atomic_write_text(self.path, buffer.getvalue())


class TensorBoardLogger(Callback):
    """Log every history value to TensorBoard (needs ``pip install tensorboard``).

    Args:
        log_dir: the TensorBoard run folder.
    """

    def __init__(self, log_dir: str | os.PathLike[str]) -> None:
        try:
            from torch.utils.tensorboard import SummaryWriter
        except ImportError as exc:
            raise ValueError(
                "TensorBoardLogger needs the tensorboard package: pip install tensorboard "
                "(or pip install 'paradigms[tensorboard]')."
            ) from exc
        self.log_dir = Path(log_dir)
        self._writer_cls = SummaryWriter
        self._writer: Any = None

    def on_epoch_end(self, state: TrainState) -> None:
        if not state.is_main_process:
            return
        if self._writer is None:
            self._writer = self._writer_cls(log_dir=str(self.log_dir))
        row = state.history[-1]
        for key, value in row.items():
            if key != "epoch":
                self._writer.add_scalar(key, float(value), int(row["epoch"]))
        self._writer.flush()

    def on_fit_end(self, state: TrainState) -> None:
        if self._writer is not None:
            self._writer.close()
            self._writer = None
