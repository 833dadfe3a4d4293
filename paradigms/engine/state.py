"""The mutable state the training loop shares with its callbacks."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch
from torch import nn

from paradigms.engine.history import History


@dataclass
class TrainState:
    """Everything a callback may read (and ``stop`` it may set).

    Attributes:
        model: the model being trained (possibly wrapped in DistributedDataParallel).
        optimizer: the optimizer.
        scheduler: the learning-rate scheduler, stepped once per batch.
        max_epochs: the planned number of epochs.
        epoch: epochs completed so far.
        history: one row of metrics per completed epoch.
        run_dir: where logs and checkpoints go, or ``None``.
        rank: this process's rank (0 when not distributed).
        stop: set to ``True`` by a callback to end training after this epoch.
        generator: the torch generator that shuffles batches (saved for exact resume).
        device: where the model and batches live.
    """

    model: nn.Module
    optimizer: torch.optim.Optimizer
    scheduler: Any
    max_epochs: int
    generator: torch.Generator
    device: torch.device = field(default_factory=lambda: torch.device("cpu"))
    epoch: int = 0
    history: History = field(default_factory=History)
    run_dir: Path | None = None
    rank: int = 0
    stop: bool = False

    @property
    def unwrapped_model(self) -> nn.Module:
        """The model without a DistributedDataParallel wrapper."""
        return getattr(self.model, "module", self.model)

    @property
    def is_main_process(self) -> bool:
        """True on rank 0: the process that writes logs and checkpoints."""
        return self.rank == 0
