"""Spaces to and from JSON, and a stand-in env that only has spaces: an agent loaded without
its env still predicts (``Agent.load(path)``), as SB3 does from the spaces it saved."""

from __future__ import annotations

from typing import Any, ClassVar

import gymnasium as gym
import numpy as np
from gymnasium import spaces

#: space types :func:`space_from_description` rebuilds
REBUILDABLE = ("Box", "Discrete", "MultiDiscrete", "MultiBinary")


def _bound(array: np.ndarray) -> Any:
    """A Box bound as JSON: one number when every entry is equal, else the nested list."""
    flat = np.asarray(array).ravel()
    if flat.size and np.all(flat == flat[0]):
        return _number(flat[0])
    return [_number(v) for v in flat]


def _number(value: Any) -> Any:
    value = float(value)
    if np.isinf(value):
        return "inf" if value > 0 else "-inf"
    return value


def describe_space(space: Any) -> dict[str, Any]:
    """JSON description of a gymnasium space: type, shape, dtype, size and, for a Box, its
    bounds (what :func:`space_from_description` needs to rebuild it)."""
    out: dict[str, Any] = {"type": type(space).__name__, "repr": str(space)}
    out["shape"] = list(space.shape) if getattr(space, "shape", None) is not None else None
    out["dtype"] = str(space.dtype) if getattr(space, "dtype", None) is not None else None
    for size in ("n", "nvec", "start"):  # Discrete n/start, MultiBinary n, MultiDiscrete nvec
        if hasattr(space, size):
            out[size] = np.asarray(getattr(space, size)).tolist()
    if isinstance(space, spaces.Box):
        out["low"], out["high"] = _bound(space.low), _bound(space.high)
    return out


def space_from_description(description: dict[str, Any]) -> gym.Space | None:
    """The space :func:`describe_space` described, or ``None`` when it cannot be rebuilt
    (another space type, or a file saved before bounds were recorded)."""
    kind = description.get("type")
    if kind == "Discrete":
        return spaces.Discrete(int(description["n"]), start=int(description.get("start", 0)))
    if kind == "MultiDiscrete":
        return spaces.MultiDiscrete(np.asarray(description["nvec"]))
    if kind == "MultiBinary":
        return spaces.MultiBinary(description["n"])
    if kind != "Box" or "low" not in description:
        return None
    shape = tuple(description["shape"])
    dtype = np.dtype(description["dtype"])

    def bound(value: Any) -> np.ndarray:
        array = np.asarray(value, dtype=np.float64)
        if np.issubdtype(dtype, np.floating) or np.isfinite(array).all():
            array = array.astype(dtype)  # Box warns about bounds wider than its dtype
        return np.broadcast_to(array, shape) if array.ndim == 0 else array.reshape(shape)

    return spaces.Box(bound(description["low"]), bound(description["high"]), shape, dtype)


class SpacesOnlyEnv(gym.Env):
    """An env with the saved spaces and nothing else: ``reset`` gives a zero-like observation
    (the policy's networks are built from the spaces), ``step`` refuses.

    Args:
        observation_space: the space the agent was trained on.
        action_space: likewise.
        name: the original env's name, for the error message.
    """

    metadata: ClassVar[dict[str, Any]] = {"render_modes": []}

    def __init__(self, observation_space: gym.Space, action_space: gym.Space, name: str) -> None:
        self.observation_space = observation_space
        self.action_space = action_space
        self.name = name

    def reset(
        self, *, seed: int | None = None, options: dict[str, Any] | None = None
    ) -> tuple[Any, dict[str, Any]]:
        super().reset(seed=seed)
        return self.observation_space.sample(), {}

    def step(self, action: Any) -> tuple[Any, float, bool, bool, dict[str, Any]]:
        raise ValueError(
            f"this agent was loaded without its env ({self.name!r}), for prediction only; to "
            "train or evaluate it, load it with the env: Agent.load(path, env=...)."
        )
