"""``MaskedChoiceEnv``: a probe env whose valid actions change every step, with ``action_masks``.

Each step a random subset of the ``n_actions`` actions is allowed (at least one); the
observation shows which (``(n_actions,)`` of 0/1), an allowed action earns +1 and any other
-1. The best return is ``horizon``; uniform random play earns about ``horizon * (2f - 1)`` for
a fraction ``f`` of allowed actions. ``action_masks()`` returns the allowed actions, which is
what ``Agent(env, algo="maskableppo")`` acts on (sb3-contrib's convention), so it scores the
best return from its first step, where PPO must first learn to read the observation.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from gymnasium import spaces

from paradigms.reinforcement.envs.probes import Step, TimedEnv

__all__ = ["MaskedChoiceEnv"]


class MaskedChoiceEnv(TimedEnv):
    """Pick an allowed action; the allowed ones change every step.

    Args:
        n_actions: size of the ``Discrete`` action space (>= 2).
        allowed_fraction: chance that each action is allowed at a step (one always is).
        horizon: steps per episode.
    """

    def __init__(self, n_actions: int = 6, allowed_fraction: float = 0.3, horizon: int = 20):
        if isinstance(n_actions, bool) or not isinstance(n_actions, int) or n_actions < 2:
            raise ValueError(f"n_actions must be an int >= 2; got {n_actions!r}.")
        if not 0.0 < float(allowed_fraction) <= 1.0:
            raise ValueError(f"allowed_fraction must be in (0, 1]; got {allowed_fraction!r}.")
        self.n_actions = n_actions
        self.allowed_fraction = float(allowed_fraction)
        self.horizon = int(horizon)
        self.observation_space = spaces.Box(0.0, 1.0, (n_actions,), np.float32)
        self.action_space = spaces.Discrete(n_actions)
        self._allowed = np.ones(n_actions, dtype=bool)

    def _draw(self) -> np.ndarray:
        allowed = self.np_random.random(self.n_actions) < self.allowed_fraction
        allowed[self.np_random.integers(self.n_actions)] = True
        self._allowed = allowed
        return allowed.astype(np.float32)

    def reset(
        self, *, seed: int | None = None, options: dict[str, Any] | None = None
    ) -> tuple[np.ndarray, dict[str, Any]]:
        self._start(seed)
        return self._draw(), {}

    def step(self, action: Any) -> Step:
        reward = 1.0 if self._allowed[int(action)] else -1.0
        truncated = self._tick()
        return self._draw(), reward, False, truncated, {}

    def action_masks(self) -> np.ndarray:
        """The actions allowed now: bool ``(n_actions,)``."""
        return self._allowed.copy()

    def oracle_action(self, observation: np.ndarray) -> int:
        """An allowed action (the first), read from the observation."""
        return int(np.argmax(observation))
