"""Shared test set-up: one torch thread per test process (pytest-xdist runs two of them on two
cores; more threads would only contend), a non-interactive matplotlib backend, and shared
fixtures."""

from __future__ import annotations

import os

os.environ.setdefault("MPLBACKEND", "Agg")

import numpy as np
import pytest
import torch
from gymnasium import spaces

torch.set_num_threads(1)


@pytest.fixture
def two_entry_dict_env() -> type:
    """An env class whose observations are a ``Dict`` of two Box entries (LineTargetEnv's
    position and target), for the refusals of what needs Box observations."""
    from paradigms.reinforcement import LineTargetEnv

    class TwoEntries(LineTargetEnv):
        def __init__(self) -> None:
            super().__init__()
            self.observation_space = spaces.Dict(
                {"position": spaces.Box(-1, 1, (1,)), "target": spaces.Box(-1, 1, (1,))}
            )

        def _obs(self):
            x, target = super()._obs()
            return {"position": np.array([x], np.float32), "target": np.array([target], np.float32)}

    return TwoEntries
