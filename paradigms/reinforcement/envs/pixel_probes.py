"""Pixel probe envs: which half of a ``uint8`` image holds a lit region? Known best policy.

A family of image probes with many variants, so that rules chosen on some of them can be
judged on others (``benchmarks/unseen_envs.py`` splits them into a choice and a held-out
group). Every variant draws a square of ``patch x patch`` pixels of value 255 (in every
channel) at a random place in the left or right half of a ``size x size`` image, on a
background of uniform noise in ``0..noise`` (black when ``noise=0``). Observations are
``Box(0, 255, shape, uint8)`` with ``shape`` ``(size, size, channels)`` (channel-last, the
default) or ``(channels, size, size)`` with ``channel_first=True``. Actions ``Discrete(2)``:
0 left, 1 right. Rewards are never negative.

- :class:`PixelHalfEnv`: a new image every step; answer its half. ``reward="dense"`` pays 1
  per right answer; ``reward="end"`` pays nothing until the last of ``horizon`` steps, which
  pays the count of right answers (the same optimum, sparse and delayed);
- :class:`PixelGoalEnv`: one image per episode; walk a marker ``distance`` steps to the lit
  half. Reward 1 on reaching it (and the episode ends); reaching the other end ends it with 0.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from gymnasium import spaces

from paradigms._common.checks import check_int
from paradigms.reinforcement.envs.grid_world import check_action
from paradigms.reinforcement.envs.probes import Step, TimedEnv

__all__ = ["PixelGoalEnv", "PixelHalfEnv"]

LIT = 255
MARKER = 128  # PixelGoalEnv's marker: visible, never taken for the lit region
REWARDS = ("dense", "end")


class _HalfImage(TimedEnv):
    """Draws the images shared by the family; subclasses define the episode."""

    ACTIONS = ("left", "right")

    def __init__(
        self, size: int, patch: int, channels: int, channel_first: bool, noise: int, horizon: int
    ) -> None:
        self.size = check_int("size", size, 4)
        self.patch = check_int("patch", patch, 1)
        if self.patch > self.size // 2:
            half = self.size // 2
            raise ValueError(f"patch must fit in half the image (<= {half}); got {patch}.")
        self.channels = check_int("channels", channels, 1)
        self.channel_first = bool(channel_first)
        self.noise = check_int("noise", noise, 0)
        if self.noise >= MARKER:
            raise ValueError(f"noise must be below {MARKER}; got {noise}.")
        self.horizon = check_int("horizon", horizon, 1)
        hw = (self.size, self.size)
        shape = (self.channels, *hw) if self.channel_first else (*hw, self.channels)
        self.observation_space = spaces.Box(0, 255, shape, np.uint8)
        self.action_space = spaces.Discrete(2)
        self._side = 0
        self._image = np.zeros((*hw, self.channels), np.uint8)

    def _draw(self, rows: int) -> None:
        """New side and image ``(size, size, channels)``; the region stays in the top ``rows``."""
        self._side = int(self.np_random.integers(2))
        half, p = self.size // 2, self.patch
        image = self.np_random.integers(0, self.noise + 1, self._image.shape)
        col = self._side * half + int(self.np_random.integers(0, half - p + 1))
        row = int(self.np_random.integers(0, rows - p + 1))
        image[row : row + p, col : col + p, :] = LIT
        self._image = image.astype(np.uint8)

    def _obs(self, image: np.ndarray) -> np.ndarray:
        return np.ascontiguousarray(image.transpose(2, 0, 1)) if self.channel_first else image

    def _lit_side(self, observation: np.ndarray) -> int:
        """The half whose columns hold more lit pixels (0 left, 1 right)."""
        obs = np.asarray(observation)
        first = obs[0] if self.channel_first else obs[:, :, 0]
        lit = (first == LIT).sum(axis=0)
        half = self.size // 2
        return int(lit[half:].sum() > lit[:half].sum())


class PixelHalfEnv(_HalfImage):
    """Which half holds the lit region? A new image every step; ``horizon`` steps.

    Args:
        size: image side (>= 4).
        patch: side of the lit square (1: a single lit pixel).
        channels: channel count; the region is lit in every channel.
        channel_first: observations ``(channels, size, size)`` instead of channel-last.
        reward: ``"dense"`` (1 per right answer) or ``"end"`` (the count of right answers,
            paid at the last step only).
        noise: background noise level, uniform in ``0..noise`` (< 128).
        horizon: steps per episode (truncated); the optimum return is ``horizon``.
    """

    def __init__(
        self,
        size: int = 16,
        patch: int = 1,
        channels: int = 1,
        channel_first: bool = False,
        reward: str = "dense",
        noise: int = 0,
        horizon: int = 20,
    ) -> None:
        super().__init__(size, patch, channels, channel_first, noise, horizon)
        if reward not in REWARDS:
            raise ValueError(f"reward must be one of {REWARDS}; got {reward!r}.")
        self.reward = reward
        self._right = 0

    def _new_obs(self) -> np.ndarray:
        self._draw(self.size)
        return self._obs(self._image.copy())

    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None) -> Any:
        """First image; returns ``(obs, {})``."""
        self._start(seed)
        self._right = 0
        return self._new_obs(), {}

    def step(self, action: Any) -> Step:
        """Score ``action`` against the lit half, then show a new image."""
        right = int(check_action(self.action_space, action, self.ACTIONS) == self._side)
        self._right += right
        truncated = self._tick()
        if self.reward == "dense":
            reward = float(right)
        else:
            reward = float(self._right) if truncated else 0.0
        return self._new_obs(), reward, False, truncated, {}

    def oracle_action(self, observation: np.ndarray) -> int:
        """The half holding more lit pixels."""
        return self._lit_side(observation)


class PixelGoalEnv(_HalfImage):
    """Walk a marker to the lit half: reward 1 after ``distance`` steps the right way.

    The lit region is drawn once per episode in the top rows; the marker, a pixel of value
    128 in every channel on the bottom row, starts in the middle and moves one column per
    step (0 left, 1 right). ``distance`` columns from the start on the lit side it is
    reached: reward 1, the episode terminates. The same distance on the other side
    terminates it with reward 0. Truncated after ``horizon`` steps (default ``4 * distance``).
    A random walk ends on either side about equally often, so the image must be read.

    Args:
        size, patch, channels, channel_first, noise: as :class:`PixelHalfEnv`.
        distance: steps from the start to either end (``1 .. size // 2 - 1``).
        horizon: step limit (default ``4 * distance``).
    """

    def __init__(
        self,
        size: int = 16,
        patch: int = 1,
        channels: int = 1,
        channel_first: bool = False,
        distance: int = 3,
        noise: int = 0,
        horizon: int | None = None,
    ) -> None:
        super().__init__(size, patch, channels, channel_first, noise, horizon or 4 * distance)
        self.distance = check_int("distance", distance, 1)
        if self.distance >= self.size // 2:
            half = self.size // 2
            raise ValueError(f"distance must be below size // 2 = {half}; got {distance}.")
        self._offset = 0

    def _marked(self) -> np.ndarray:
        image = self._image.copy()
        image[-1, self.size // 2 + self._offset, :] = MARKER
        return self._obs(image)

    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None) -> Any:
        """New image, marker in the middle; returns ``(obs, {})``."""
        self._start(seed)
        self._draw(self.size - 1)
        self._offset = 0
        return self._marked(), {}

    def step(self, action: Any) -> Step:
        """Move the marker one column; reward 1 and terminate at the lit side's end."""
        move = 1 if check_action(self.action_space, action, self.ACTIONS) == 1 else -1
        self._offset += move
        ended = abs(self._offset) >= self.distance
        reward = float(ended and (self._offset > 0) == (self._side == 1))
        return self._marked(), reward, ended, self._tick() and not ended, {}

    def oracle_action(self, observation: np.ndarray) -> int:
        """Toward the half holding more lit pixels."""
        return self._lit_side(observation)
