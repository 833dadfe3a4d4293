"""The RL run's picture of what drives the policy: observation importance, with its caption.

Vector observations get one bar per state variable (named for Gymnasium's classic envs, from
their documentation); image observations a heat map over the frame. For discrete actions the
caption carries the deletion check: setting the most-attributed observation values to 0 first
should change the greedy action sooner than setting random ones.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
from gymnasium import spaces

from paradigms.reinforcement.attribution import ObservationImportance
from paradigms.report import (
    deletion_curve,
    plot_attribution_maps,
    plot_feature_importance,
    random_scores,
    write_caption,
)

#: observation variables of Gymnasium's classic envs, by id without the version (Gymnasium
#: documentation, "Observation Space" of each env)
OBSERVATION_NAMES: dict[str, tuple[str, ...]] = {
    "CartPole": ("cart position", "cart velocity", "pole angle", "pole angular velocity"),
    "Acrobot": ("cos θ1", "sin θ1", "cos θ2", "sin θ2", "θ1 velocity", "θ2 velocity"),
    "MountainCar": ("position", "velocity"),
    "MountainCarContinuous": ("position", "velocity"),
    "Pendulum": ("cos θ", "sin θ", "angular velocity"),
    "LunarLander": (
        "x",
        "y",
        "x velocity",
        "y velocity",
        "angle",
        "angular velocity",
        "left leg contact",
        "right leg contact",
    ),
}

#: single observations drawn next to the mean map for image policies
SHOWN_FRAMES = 4


def observation_names(env_name: str, width: int) -> list[str] | None:
    """The names of a known env's ``width`` observation variables, else ``None``."""
    names = OBSERVATION_NAMES.get(env_name.split("/")[-1].rsplit("-v", 1)[0])
    return list(names) if names is not None and len(names) == width else None


def _action_deletion(agent: Any, found: ObservationImportance) -> tuple[float, float] | None:
    """Deletion areas (attributions, random) of greedy-action agreement; None for Box actions."""
    if not isinstance(agent.model.action_space, spaces.Discrete):
        return None
    observations = found.observations.astype(np.float32)

    def act(batch: np.ndarray) -> np.ndarray:
        return np.asarray(agent.predict(batch)[0]).reshape(-1)

    actions = act(observations)
    width = int(np.prod(observations.shape[1:]))
    step = max(1, width // 16)
    ours = deletion_curve(act, observations, actions, found.attributions, step).area
    chance = deletion_curve(act, observations, actions, random_scores(observations.shape), step)
    return ours, chance.area


def plot_policy_importance(agent: Any, path: Path, n_episodes: int = 3) -> dict[str, Any]:
    """Write the observation-importance plot of ``agent`` to ``path`` with its caption.

    Returns:
        Summary entries: the most important observation variable (vectors) and the deletion
        areas (discrete actions); or why there is no plot (Captum missing, a space that
        attributions do not cover).
    """
    refusal = agent.attribution_refusal()
    if refusal is not None:
        return {"policy_attributions": f"none: {refusal}"}
    found = agent.observation_importance(n_episodes)
    label = found.method.replace("_", " ")
    summary: dict[str, Any] = {}
    shape = found.importance.shape
    if len(shape) == 1:
        names = observation_names(agent.source.name, shape[0])
        plot_feature_importance(
            found.attributions,
            path,
            names,
            title=f"{agent.source.name}: what drives the greedy action ({label})",
        )
        shown = names or [f"x{j}" for j in range(shape[0])]
        summary["most_important_observation"] = shown[int(np.argmax(found.importance))]
        what = "Each observation variable's mean absolute attribution"
    else:
        frames = _frames(found.observations)
        maps = _frames(np.abs(found.attributions), reduce="sum")
        picks = np.linspace(0, len(frames) - 1, min(SHOWN_FRAMES, len(frames))).astype(int)
        plot_attribution_maps(
            np.concatenate([frames.mean(axis=0, keepdims=True), frames[picks]]),
            np.concatenate([maps.mean(axis=0, keepdims=True), maps[picks]]),
            path,
            titles=["mean", *[f"step {i}" for i in picks]],
            title=f"{agent.source.name}: where the policy looks ({label})",
        )
        what = "Mean absolute attribution per pixel (first column) and for single frames"
    caption = (
        f"{what} to the greedy action's score, over {len(found.observations)} observations "
        f"of {found.episodes} evaluation episodes."
    )
    deletion = _action_deletion(agent, found)
    if deletion is not None:
        summary["action_deletion_area"] = round(deletion[0], 4)
        summary["action_deletion_area_random"] = round(deletion[1], 4)
        caption += (
            f" Zeroing observation values in this order changes the greedy action sooner "
            f"than in random order: {deletion[0]:.3f} against {deletion[1]:.3f} under the "
            "curve of actions kept."
        )
    write_caption(path, caption)
    return summary


def _frames(observations: np.ndarray, reduce: str = "last") -> np.ndarray:
    """``(k, H, W)`` from image observations, channel-last (the env's layout) or first."""
    channel_last = observations.shape[-1] <= 4 < observations.shape[1]
    axis = -1 if channel_last else 1
    if reduce == "sum":
        return observations.sum(axis=axis)
    if observations.shape[axis] == 3:  # colour: the brightness
        return observations.mean(axis=axis)
    return np.take(observations, -1, axis=axis).astype(float)  # stacked frames: the newest
