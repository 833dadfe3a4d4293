"""``PixelCatchEnv``: catch falling balls with a paddle, seen as a small grey-scale image."""

from __future__ import annotations

from typing import Any

import gymnasium as gym
import numpy as np
from gymnasium import spaces

from paradigms._common.checks import check_int
from paradigms.reinforcement.envs.grid_world import check_action, check_render_mode

ACTION_NAMES: tuple[str, ...] = ("left", "stay", "right")

#: Pixel values of the observation.
BALL, PADDLE = 255, 160

_UPSCALE = 16
_BACKGROUND_RGB = (20, 20, 30)
_BALL_RGB, _PADDLE_RGB = (230, 70, 60), (230, 230, 230)


class PixelCatchEnv(gym.Env):
    """Catch balls falling down a ``size x size`` image with a 3-pixel paddle.

    A ball appears in a random column of the top row and falls one row per step; the paddle
    on the bottom row moves left, stays or moves right (``Discrete(3)``). When the ball reaches
    the bottom row the reward is ``+1`` if the paddle is under it and ``-1`` otherwise, and a new
    ball appears at the top. After ``n_balls`` balls the episode terminates, so every episode
    lasts ``n_balls * (size - 1)`` steps; all other steps give reward 0. Every ball can be
    caught: the paddle needs at most ``size - 3`` moves to reach any column.

    Observation: ``Box(0, 255, (size, size, 1), uint8)`` channel-last, ball pixels 255, paddle
    pixels 160, the rest 0. Small images (10 x 10 by default) are the point: they need a small
    CNN, SB3's NatureCNN rejects images under 36 x 36.

    Args:
        size: side of the image in pixels (>= 4).
        n_balls: balls per episode (>= 1).
        render_mode: ``None`` or ``"rgb_array"`` (an ``(size * 16, size * 16, 3)`` ``uint8``
            colour picture).

    Example:
        >>> env = PixelCatchEnv()
        >>> obs, info = env.reset(seed=0)
        >>> obs.shape, obs.dtype
        ((10, 10, 1), dtype('uint8'))
    """

    metadata = {"render_modes": ["rgb_array"], "render_fps": 8}  # noqa: RUF012 (Gymnasium convention)

    def __init__(self, size: int = 10, n_balls: int = 5, render_mode: str | None = None) -> None:
        self.size = check_int("size", size, 4)
        self.n_balls = check_int("n_balls", n_balls, 1)
        self.render_mode = check_render_mode(render_mode, self.metadata["render_modes"])
        self.observation_space = spaces.Box(0, 255, shape=(self.size, self.size, 1), dtype=np.uint8)
        self.action_space = spaces.Discrete(len(ACTION_NAMES))
        self._ball = (0, 0)  # (row, col)
        self._paddle = self.size // 2  # centre column of the 3-pixel paddle
        self._balls_done = 0
        self._caught = 0

    def _new_ball(self) -> tuple[int, int]:
        return 0, int(self.np_random.integers(self.size))

    def _observation(self) -> np.ndarray:
        image = np.zeros((self.size, self.size, 1), dtype=np.uint8)
        image[-1, self._paddle - 1 : self._paddle + 2, 0] = PADDLE
        image[self._ball[0], self._ball[1], 0] = BALL
        return image

    def _info(self) -> dict[str, Any]:
        return {"balls": self._balls_done, "caught": self._caught}

    def reset(
        self, *, seed: int | None = None, options: dict[str, Any] | None = None
    ) -> tuple[np.ndarray, dict[str, Any]]:
        """Centre the paddle and drop the first ball; returns ``(obs (size, size, 1), info)``."""
        super().reset(seed=seed)
        self._paddle = self.size // 2
        self._ball = self._new_ball()
        self._balls_done = 0
        self._caught = 0
        return self._observation(), self._info()

    def step(self, action: Any) -> tuple[np.ndarray, float, bool, bool, dict[str, Any]]:
        """Move the paddle, then the ball; returns ``(obs, reward, terminated, truncated, info)``.

        ``obs`` has shape ``(size, size, 1)``; ``truncated`` is always ``False``.
        """
        move = check_action(self.action_space, action, ACTION_NAMES) - 1
        self._paddle = min(max(self._paddle + move, 1), self.size - 2)
        row, col = self._ball[0] + 1, self._ball[1]
        reward = 0.0
        if row == self.size - 1:
            caught = abs(col - self._paddle) <= 1
            reward = 1.0 if caught else -1.0
            self._caught += int(caught)
            self._balls_done += 1
            self._ball = self._new_ball()
        else:
            self._ball = (row, col)
        terminated = self._balls_done >= self.n_balls
        return self._observation(), reward, terminated, False, self._info()

    @staticmethod
    def ball_side(observations: np.ndarray) -> np.ndarray:
        """Where the ball is against the paddle's centre: 0 to its left, 1 above it, 2 right.

        A label read off the pixels, for training a network to see what matters in this
        env (e.g. ``Classifier().fit(frames, PixelCatchEnv.ball_side(frames))``).

        Args:
            observations: ``(N, size, size, 1)`` frames as the env returns them.

        Returns:
            ``(N,)`` int64 labels.

        Raises:
            ValueError: frames of another shape.
        """
        frames = np.asarray(observations)
        if frames.ndim != 4 or frames.shape[-1] != 1 or frames.shape[1] < 4:
            raise ValueError(
                "ball_side needs PixelCatchEnv observations stacked as (N, size, size, 1); got "
                f"shape {frames.shape}. Stack the env's observations with np.stack(frames)."
            )
        ball_col = (frames[:, :-1, :, 0] == BALL).any(axis=1).argmax(axis=1)
        paddle_col = (frames[:, -1, :, 0] == PADDLE).argmax(axis=1) + 1  # the 3-px paddle's centre
        return (np.sign(ball_col - paddle_col) + 1).astype(np.int64)

    def render(self) -> np.ndarray | None:  # type: ignore[override]
        """An ``(size * 16, size * 16, 3)`` ``uint8`` picture; ``None`` without a render mode."""
        if self.render_mode != "rgb_array":
            return None
        image = self._observation()[:, :, 0]
        picture = np.empty((self.size, self.size, 3), dtype=np.uint8)
        picture[:] = _BACKGROUND_RGB
        picture[image == PADDLE] = _PADDLE_RGB
        picture[image == BALL] = _BALL_RGB
        return np.repeat(np.repeat(picture, _UPSCALE, axis=0), _UPSCALE, axis=1)
