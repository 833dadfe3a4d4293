"""What a piece of work cost: seconds, torch optimizer steps and the parameters they trained.

Counted through torch's global optimizer-step hook, so every optimizer counts — the engine's,
stable-baselines3's, a FineTuner's — without any of them reporting it::

    with measure_compute() as cost:
        Classifier().fit(X, y)
    cost.optimizer_steps, cost.parameters, cost.seconds
"""

from __future__ import annotations

import time
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any


@dataclass
class ComputeCost:
    """Filled in by :func:`measure_compute`; final when its ``with`` block ends."""

    seconds: float = 0.0
    #: calls of any torch optimizer's ``step`` inside the block
    optimizer_steps: int = 0
    #: trainable parameters (``requires_grad``) of each optimizer, when it first stepped
    parameters_per_network: list[int] = field(default_factory=list)

    @property
    def networks(self) -> int:
        """How many optimizers stepped (one per network trained)."""
        return len(self.parameters_per_network)

    @property
    def parameters(self) -> int:
        """Trainable parameters of the largest network trained (0 when none was)."""
        return max(self.parameters_per_network, default=0)


def _trainable_parameters(optimizer: Any) -> int:
    return sum(
        p.numel() for group in optimizer.param_groups for p in group["params"] if p.requires_grad
    )


@contextmanager
def measure_compute() -> Iterator[ComputeCost]:
    """Count the optimizer steps and time of the ``with`` block (blocks may nest)."""
    from torch.optim.optimizer import register_optimizer_step_post_hook

    cost = ComputeCost()
    seen: weakref.WeakSet[Any] = weakref.WeakSet()

    def count(optimizer: Any, args: Any, kwargs: Any) -> None:
        cost.optimizer_steps += 1
        if optimizer not in seen:
            seen.add(optimizer)
            cost.parameters_per_network.append(_trainable_parameters(optimizer))

    handle = register_optimizer_step_post_hook(count)
    started = time.perf_counter()
    try:
        yield cost
    finally:
        cost.seconds = time.perf_counter() - started
        handle.remove()
