"""``GridWorldEnv``: walk from the top-left corner to the goal in the bottom-right corner."""

from __future__ import annotations

from typing import Any

import gymnasium as gym
import numpy as np
from gymnasium import spaces

from paradigms._common.checks import check_int

#: Row and column change of each action: 0 up, 1 down, 2 left, 3 right.
MOVES: tuple[tuple[int, int], ...] = ((-1, 0), (1, 0), (0, -1), (0, 1))
ACTION_NAMES: tuple[str, ...] = ("up", "down", "left", "right")

_CELL_PX = 16
_EMPTY, _LINE = (235, 235, 235), (190, 190, 190)
_AGENT, _GOAL = (40, 90, 200), (60, 170, 80)


def check_render_mode(render_mode: object, modes: list[str]) -> str | None:
    """Return ``render_mode`` after checking it is ``None`` or one of ``modes``.

    Raises:
        ValueError: if ``render_mode`` is anything else.
    """
    if render_mode is not None and render_mode not in modes:
        raise ValueError(
            f"render_mode must be None or one of {modes}, got {render_mode!r}; "
            "use 'rgb_array' for pictures."
        )
    return render_mode  # type: ignore[return-value]


def check_action(space: spaces.Space, action: Any, names: tuple[str, ...]) -> int:
    """Return ``action`` as an ``int`` after checking it belongs to the ``Discrete`` space.

    Raises:
        ValueError: if ``action`` is not one of ``0 .. space.n - 1``.
    """
    if not space.contains(action):
        choices = ", ".join(f"{i} ({n})" for i, n in enumerate(names))
        raise ValueError(f"action must be one of {choices}; got {action!r}.")
    return int(action)


class GridWorldEnv(gym.Env):
    """A ``size x size`` grid: start top-left, reach the goal bottom-right.

    Actions (``Discrete(4)``): 0 up, 1 down, 2 left, 3 right; moves into a wall leave the agent
    where it is. Reward ``+1`` on reaching the goal (the episode terminates), ``-0.01`` for any
    other step; the episode is truncated after ``max_steps`` steps. The shortest episode takes
    ``2 * (size - 1)`` steps.

    Observation: ``Box(0, 1, (2,), float32)``, the agent's ``(row, col) / (size - 1)``.

    Args:
        size: side of the grid in cells (>= 2).
        max_steps: steps before the episode is truncated (>= 1).
        render_mode: ``None``, ``"rgb_array"`` (an ``(size * 16, size * 16, 3)`` ``uint8``
            picture) or ``"ansi"`` (a text grid: ``A`` agent, ``G`` goal).

    Example:
        >>> env = GridWorldEnv(size=3)
        >>> obs, info = env.reset(seed=0)
        >>> obs.tolist()
        [0.0, 0.0]
    """

    metadata = {"render_modes": ["rgb_array", "ansi"], "render_fps": 4}  # noqa: RUF012 (Gymnasium convention)

    def __init__(self, size: int = 5, max_steps: int = 50, render_mode: str | None = None) -> None:
        self.size = check_int("size", size, 2)
        self.max_steps = check_int("max_steps", max_steps, 1)
        self.render_mode = check_render_mode(render_mode, self.metadata["render_modes"])
        self.observation_space = spaces.Box(0.0, 1.0, shape=(2,), dtype=np.float32)
        self.action_space = spaces.Discrete(len(MOVES))
        self._goal = (self.size - 1, self.size - 1)
        self._position = (0, 0)
        self._steps = 0

    def _observation(self) -> np.ndarray:
        return np.asarray(self._position, dtype=np.float32) / np.float32(self.size - 1)

    def _info(self) -> dict[str, Any]:
        return {"position": self._position, "steps": self._steps}

    def reset(
        self, *, seed: int | None = None, options: dict[str, Any] | None = None
    ) -> tuple[np.ndarray, dict[str, Any]]:
        """Put the agent back in the top-left corner; returns ``(obs (2,), info)``."""
        super().reset(seed=seed)
        self._position = (0, 0)
        self._steps = 0
        return self._observation(), self._info()

    def step(self, action: Any) -> tuple[np.ndarray, float, bool, bool, dict[str, Any]]:
        """Move one cell; returns ``(obs (2,), reward, terminated, truncated, info)``."""
        d_row, d_col = MOVES[check_action(self.action_space, action, ACTION_NAMES)]
        row = min(max(self._position[0] + d_row, 0), self.size - 1)
        col = min(max(self._position[1] + d_col, 0), self.size - 1)
        self._position = (row, col)
        self._steps += 1
        terminated = self._position == self._goal
        truncated = not terminated and self._steps >= self.max_steps
        reward = 1.0 if terminated else -0.01
        return self._observation(), reward, terminated, truncated, self._info()

    def render(self) -> np.ndarray | str | None:  # type: ignore[override]
        """The grid as an ``(H, W, 3)`` ``uint8`` picture or a text grid, per ``render_mode``.

        Returns ``None`` when ``render_mode`` is ``None``.
        """
        if self.render_mode == "ansi":
            symbols = {self._goal: "G", self._position: "A"}  # the agent hides a reached goal
            rows = (
                " ".join(symbols.get((r, c), ".") for c in range(self.size))
                for r in range(self.size)
            )
            return "\n".join(rows) + "\n"
        if self.render_mode == "rgb_array":
            side = self.size * _CELL_PX
            picture = np.empty((side, side, 3), dtype=np.uint8)
            picture[:] = _EMPTY
            for cell, color in ((self._goal, _GOAL), (self._position, _AGENT)):
                top, left = cell[0] * _CELL_PX, cell[1] * _CELL_PX
                picture[top + 2 : top + _CELL_PX - 2, left + 2 : left + _CELL_PX - 2] = color
            picture[::_CELL_PX, :] = _LINE
            picture[:, ::_CELL_PX] = _LINE
            return picture
        return None
