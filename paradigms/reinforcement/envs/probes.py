"""Probe envs: small tasks with a known best policy, to check that an agent learns at all.

Each env has an ``oracle_action(observation)`` that plays the task optimally (or nearly: the
best policy for a deterministic env), so "reached 90 % of the optimum" is measured against the
oracle's return on the same seeds. Rewards are never negative, so return / oracle return reads
as a fraction. Together they cover vector and image observations, discrete and continuous
actions, dense and sparse reward; none of them has a tuned preset, so an agent on them runs on
the derived defaults (:mod:`paradigms.reinforcement.auto_defaults`).

- :class:`LineTargetEnv`: walk along a line to a target and stay (vector, 3 actions, dense);
- :class:`CorridorEnv`: reach the far end of a corridor (vector, 2 actions, sparse: one reward);
- :class:`ReachEnv`: steer a point to a target in the plane (vector, ``Box(2)`` actions, dense);
- :class:`PixelSideEnv`: say which third of a noisy image holds a bright patch (``uint8``
  image, 3 actions, dense).

More image probes, in many variants (a single lit pixel, sizes, channel order, sparse reward),
are in :mod:`.pixel_probes`.
"""

from __future__ import annotations

from typing import Any

import gymnasium as gym
import numpy as np
from gymnasium import spaces

from paradigms._common.checks import check_int
from paradigms.reinforcement.envs.grid_world import check_action

__all__ = ["CorridorEnv", "LineTargetEnv", "PixelSideEnv", "ReachEnv"]

Step = tuple[np.ndarray, float, bool, bool, dict[str, Any]]


class TimedEnv(gym.Env):
    """Counts steps and truncates at ``horizon`` (a time limit without a wrapper)."""

    horizon: int

    def _start(self, seed: int | None) -> None:
        super().reset(seed=seed)
        self._t = 0

    def _tick(self) -> bool:
        self._t += 1
        return self._t >= self.horizon


class LineTargetEnv(TimedEnv):
    """Walk a point along ``[-1, 1]`` to a target and stay there.

    Observation ``(x, target)`` in ``Box(-1, 1, (2,))``; actions ``Discrete(3)``: 0 left, 1 stay,
    2 right, moving by ``0.1``. Reward per step ``max(0, 1 - 2 |x - target|)``; ``horizon``
    steps per episode (truncated). Start and target are uniform on the line.
    """

    ACTIONS = ("left", "stay", "right")
    STEP = 0.1

    def __init__(self, horizon: int = 40) -> None:
        self.horizon = check_int("horizon", horizon, 1)
        self.observation_space = spaces.Box(-1.0, 1.0, (2,), np.float32)
        self.action_space = spaces.Discrete(3)
        self._x = self._target = 0.0

    def _obs(self) -> np.ndarray:
        return np.array([self._x, self._target], dtype=np.float32)

    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None) -> Any:
        """New start and target; returns ``(obs (2,), {})``."""
        self._start(seed)
        self._x, self._target = (float(v) for v in self.np_random.uniform(-1, 1, 2))
        return self._obs(), {}

    def step(self, action: Any) -> Step:
        """Move by ``(action - 1) * 0.1`` (clipped to the line), then reward the closeness."""
        move = check_action(self.action_space, action, self.ACTIONS) - 1
        self._x = float(np.clip(self._x + self.STEP * move, -1.0, 1.0))
        reward = max(0.0, 1.0 - 2.0 * abs(self._x - self._target))
        return self._obs(), reward, False, self._tick(), {}

    def oracle_action(self, observation: np.ndarray) -> int:
        """Step toward the target; stay once within half a step."""
        gap = float(observation[1] - observation[0])
        return 1 if abs(gap) <= self.STEP / 2 else (2 if gap > 0 else 0)


class CorridorEnv(TimedEnv):
    """Reach the right end of a corridor of ``length`` cells; the only reward is at the end.

    Observation: the position scaled to ``[0, 1]``, ``Box(0, 1, (1,))``; actions ``Discrete(2)``
    (0 left, 1 right). Reaching the last cell gives reward 1 and ends the episode; after
    ``horizon`` steps (default ``3 * length``) it is truncated with reward 0. A random walk
    reaches the end in few episodes, so exploration matters.
    """

    ACTIONS = ("left", "right")

    def __init__(self, length: int = 10, horizon: int | None = None) -> None:
        self.length = check_int("length", length, 2)
        self.horizon = check_int("horizon", 3 * self.length if horizon is None else horizon, 1)
        self.observation_space = spaces.Box(0.0, 1.0, (1,), np.float32)
        self.action_space = spaces.Discrete(2)
        self._cell = 0

    def _obs(self) -> np.ndarray:
        return np.array([self._cell / (self.length - 1)], dtype=np.float32)

    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None) -> Any:
        """Back to the left end; returns ``(obs (1,), {})``."""
        self._start(seed)
        self._cell = 0
        return self._obs(), {}

    def step(self, action: Any) -> Step:
        """Move one cell; reward 1 and terminate at the right end."""
        move = 1 if check_action(self.action_space, action, self.ACTIONS) == 1 else -1
        self._cell = min(max(self._cell + move, 0), self.length - 1)
        reached = self._cell == self.length - 1
        return self._obs(), float(reached), reached, self._tick() and not reached, {}

    def oracle_action(self, observation: np.ndarray) -> int:
        """Always right."""
        return 1


class ReachEnv(TimedEnv):
    """Steer a point in ``[-1, 1]^2`` to a target with velocity actions.

    Observation ``(x, y, target_x, target_y)`` in ``Box(-1, 1, (4,))``; action
    ``Box(-1, 1, (2,))``, the velocity, moving by ``0.1 * action`` per step. Reward per step
    ``max(0, 1 - 2 * distance)``; ``horizon`` steps per episode (truncated).
    """

    SPEED = 0.1

    def __init__(self, horizon: int = 40) -> None:
        self.horizon = check_int("horizon", horizon, 1)
        self.observation_space = spaces.Box(-1.0, 1.0, (4,), np.float32)
        self.action_space = spaces.Box(-1.0, 1.0, (2,), np.float32)
        self._point = np.zeros(2)
        self._target = np.zeros(2)

    def _obs(self) -> np.ndarray:
        return np.concatenate([self._point, self._target]).astype(np.float32)

    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None) -> Any:
        """New point and target; returns ``(obs (4,), {})``."""
        self._start(seed)
        self._point = self.np_random.uniform(-1, 1, 2)
        self._target = self.np_random.uniform(-1, 1, 2)
        return self._obs(), {}

    def step(self, action: Any) -> Step:
        """Move by ``0.1 * clip(action, -1, 1)``, then reward the closeness."""
        velocity = np.asarray(action, dtype=np.float64).reshape(-1)
        if velocity.shape != (2,) or not np.all(np.isfinite(velocity)):
            raise ValueError(f"action must be 2 finite numbers; got {action!r}.")
        self._point = np.clip(self._point + self.SPEED * np.clip(velocity, -1, 1), -1, 1)
        distance = float(np.linalg.norm(self._point - self._target))
        return self._obs(), max(0.0, 1.0 - 2.0 * distance), False, self._tick(), {}

    def oracle_action(self, observation: np.ndarray) -> np.ndarray:
        """Full speed toward the target, slowing to land on it."""
        gap = (observation[2:] - observation[:2]) / self.SPEED
        return np.clip(gap, -1, 1).astype(np.float32)


class PixelSideEnv(TimedEnv):
    """Which third of the image holds the bright patch? A new noisy frame every step.

    Observation: ``Box(0, 255, (size, size, 1), uint8)``, noise in ``0..noise`` with a
    ``size // 4`` square patch of value 255 in the left, middle or right third. Actions
    ``Discrete(3)``: the third. Reward 1 for the right third, 0 otherwise; ``horizon`` steps.
    The answer is in every frame, so a linear read-out of the pixels solves it.
    """

    ACTIONS = ("left", "middle", "right")

    def __init__(self, size: int = 16, horizon: int = 20, noise: int = 80) -> None:
        self.size = check_int("size", size, 12)
        self.horizon = check_int("horizon", horizon, 1)
        self.noise = check_int("noise", noise, 0)
        self.observation_space = spaces.Box(0, 255, (self.size, self.size, 1), np.uint8)
        self.action_space = spaces.Discrete(3)
        self._side = 0
        self._frame = np.zeros(self.observation_space.shape, np.uint8)

    def _new_frame(self) -> np.ndarray:
        side = self.size // 4
        self._side = int(self.np_random.integers(3))
        third = self.size // 3
        frame = self.np_random.integers(0, self.noise + 1, self.observation_space.shape)
        col = self._side * third + int(self.np_random.integers(0, third - side + 1))
        row = int(self.np_random.integers(0, self.size - side + 1))
        frame[row : row + side, col : col + side, 0] = 255
        self._frame = frame.astype(np.uint8)
        return self._frame.copy()

    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None) -> Any:
        """First frame; returns ``(obs (size, size, 1) uint8, {})``."""
        self._start(seed)
        return self._new_frame(), {}

    def step(self, action: Any) -> Step:
        """Reward 1 if ``action`` names the patch's third, then show a new frame."""
        reward = float(check_action(self.action_space, action, self.ACTIONS) == self._side)
        return self._new_frame(), reward, False, self._tick(), {}

    def oracle_action(self, observation: np.ndarray) -> int:
        """The third whose columns hold the most saturated pixels."""
        bright = (np.asarray(observation)[:, :, 0] == 255).sum(axis=0)
        third = self.size // 3
        return int(np.argmax([bright[i * third : (i + 1) * third].sum() for i in range(3)]))
