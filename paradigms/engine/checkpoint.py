"""Training checkpoints: everything needed to resume an interrupted run exactly.

Serialised with ``torch.save`` into memory, then written atomically (temporary file, then
rename), so a full disk is an ``OSError`` (:class:`~paradigms._common.errors.RunWriteError`)
and the previous checkpoint stays whole. Read back with ``torch.load(weights_only=True)``, which
refuses arbitrary pickled objects.
"""

from __future__ import annotations

import io
import logging
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

import torch

from paradigms._common.errors import MissingFileError
from paradigms._common.files import atomic_write_bytes
from paradigms.engine.callbacks import Callback
from paradigms.engine.history import History

if TYPE_CHECKING:
    from paradigms.engine.state import TrainState

logger = logging.getLogger(__name__)
CHECKPOINT_NAME = "checkpoint.pt"


def callback_key(index: int, callback: Callback) -> str:
    """How a callback's state is filed in a checkpoint: position and class name."""
    return f"{index}:{type(callback).__name__}"


class Checkpoint(Callback):
    """Save the full training state every ``every`` epochs, when training stops, and at the end.

    Args:
        path: the checkpoint file (``run_dir/checkpoint.pt`` when ``fit`` adds it for you).
        every: save every this many epochs; ``"auto"`` saves about ten times per run
            (``max(1, round(max_epochs / 10))``), so a long run of short epochs is not slowed
            down by writing model and optimizer state after each one.
    """

    def __init__(self, path: str | os.PathLike[str], every: int | str = "auto") -> None:
        if every != "auto" and (not isinstance(every, int) or every < 1):
            raise ValueError(f"every must be 'auto' or an int >= 1; got {every!r}.")
        self.path = Path(path)
        self.every = every
        self.callbacks: list[Callback] = []

    def interval(self, max_epochs: int) -> int:
        """Epochs between saves for a run of ``max_epochs`` epochs."""
        return max(1, round(max_epochs / 10)) if self.every == "auto" else int(self.every)

    def on_epoch_end(self, state: TrainState) -> None:
        due = state.epoch % self.interval(state.max_epochs) == 0
        if due or state.stop or state.epoch == state.max_epochs:
            self.save(state)

    def save(self, state: TrainState) -> Path | None:
        """Write the checkpoint now (rank 0 only).

        Raises:
            RunWriteError: the file could not be written (e.g. the disk is full); the previous
                checkpoint is left as it was.
        """
        if not state.is_main_process:
            return None
        payload = {
            "epoch": state.epoch,
            "max_epochs": state.max_epochs,
            "stopped": state.stop,
            "model": state.unwrapped_model.state_dict(),
            "optimizer": state.optimizer.state_dict(),
            "scheduler": state.scheduler.state_dict() if state.scheduler is not None else None,
            "history": [dict(row) for row in state.history],
            "callbacks": {
                callback_key(i, cb): cb.state_dict() for i, cb in enumerate(self.callbacks)
            },
            "rng": {"torch": torch.get_rng_state(), "generator": state.generator.get_state()},
        }
        buffer = io.BytesIO()  # torch's zip writer would hide a full disk's OSError
        torch.save(payload, buffer)
        return atomic_write_bytes(self.path, buffer.getbuffer())


def load_checkpoint(path: str | os.PathLike[str]) -> dict[str, Any]:
    """Read a checkpoint written by :class:`Checkpoint` (no arbitrary unpickling)."""
    file = Path(path)
    if not file.is_file():
        raise MissingFileError(f"no checkpoint at {str(file)!r}; nothing to resume from.")
    try:
        return torch.load(file, map_location="cpu", weights_only=True)
    except Exception as exc:
        raise ValueError(
            f"{str(file)!r} is not a readable paradigms checkpoint ({exc}). Delete it to start "
            "afresh, or pass resume=False."
        ) from exc


def restore_checkpoint(
    state: TrainState, payload: dict[str, Any], callbacks: list[Callback]
) -> None:
    """Load a checkpoint payload into ``state`` and the callbacks (in the same order as saved).

    Raises:
        ValueError: if the checkpoint was made for a different model or schedule.
    """
    if int(payload["max_epochs"]) != state.max_epochs:
        raise ValueError(
            f"the checkpoint was written by a run planned for max_epochs="
            f"{payload['max_epochs']}, but this run asks for {state.max_epochs}. Resume with the "
            "same max_epochs, or start a new run directory."
        )
    try:
        state.unwrapped_model.load_state_dict(payload["model"])
    except RuntimeError as exc:
        raise ValueError(
            f"the checkpoint does not match this model ({exc}). It was written by a run with a "
            "different backbone or data shape; use a new run directory or resume=False."
        ) from exc
    state.optimizer.load_state_dict(payload["optimizer"])
    if state.scheduler is not None and payload["scheduler"] is not None:
        state.scheduler.load_state_dict(payload["scheduler"])
    state.epoch = int(payload["epoch"])
    state.stop = bool(payload.get("stopped", False))
    state.history = History(payload["history"])
    saved = payload.get("callbacks", {})
    for index, callback in enumerate(callbacks):
        key = callback_key(index, callback)
        if key in saved:
            callback.load_state_dict(saved[key])
    torch.set_rng_state(payload["rng"]["torch"])
    state.generator.set_state(payload["rng"]["generator"])
    logger.info("resumed from epoch %s of %s", state.epoch, state.max_epochs)
