"""Evaluation episodes that always end: a step cap for envs that set no time limit.

A deterministic policy can loop forever in an env without a ``TimeLimit`` (CliffWalking,
many custom envs), and SB3's ``evaluate_policy`` would then never return. The evaluation env
is wrapped in :class:`EvaluationStepCap`, which cuts such an episode at
:data:`EVALUATION_STEP_CAP` steps; :func:`evaluate_agent` warns when that happened, because
those returns cover only the first steps of the episode.
"""

from __future__ import annotations

import warnings
from typing import Any, SupportsFloat

import gymnasium as gym
from gymnasium.wrappers import TimeLimit
from stable_baselines3.common.base_class import BaseAlgorithm
from stable_baselines3.common.vec_env import VecEnv

from paradigms.reinforcement.algorithms import algorithm_evaluator

EVALUATION_STEP_CAP = 1000
"""Steps after which an evaluation episode of an env with no time limit is cut."""


def has_time_limit(env: gym.Env) -> bool:
    """Whether ``env`` ends its episodes by a ``TimeLimit`` wrapper or a registered limit."""
    spec = getattr(env, "spec", None)
    if spec is not None and spec.max_episode_steps is not None:
        return True
    layer: Any = env
    while isinstance(layer, gym.Wrapper):
        if isinstance(layer, TimeLimit):
            return True
        layer = layer.env
    return False


class EvaluationStepCap(gym.Wrapper):
    """Truncates episodes at ``max_steps`` when the wrapped env has no time limit of its own.

    Envs that have one pass through untouched. ``cap_hits`` counts the episodes cut here.
    """

    def __init__(self, env: gym.Env, max_steps: int = EVALUATION_STEP_CAP) -> None:
        super().__init__(env)
        self.max_steps: int | None = None if has_time_limit(env) else int(max_steps)
        self.cap_hits = 0
        self._steps = 0

    def reset(self, **kwargs: Any) -> tuple[Any, dict[str, Any]]:
        self._steps = 0
        return self.env.reset(**kwargs)

    def step(self, action: Any) -> tuple[Any, SupportsFloat, bool, bool, dict[str, Any]]:
        obs, reward, terminated, truncated, info = self.env.step(action)
        self._steps += 1
        ended = terminated or truncated
        if self.max_steps is not None and self._steps >= self.max_steps and not ended:
            self.cap_hits += 1
            truncated = True
        return obs, reward, terminated, truncated, info


def evaluate_agent(
    model: BaseAlgorithm,
    venv: VecEnv,
    n_episodes: int,
    deterministic: bool,
    env_name: str,
    algo: str,
) -> tuple[float, float]:
    """``algo``'s ``evaluate_policy`` (SB3's; sb3-contrib's masked one for MaskablePPO, see
    the registry) on a single-env ``venv`` built with :class:`EvaluationStepCap`.

    Returns:
        ``(mean, std)`` of the episode returns.

    Warns:
        UserWarning: when episodes were cut at the step cap, naming how many and the fix.
    """
    before = _cap_hits(venv)
    evaluate_policy = algorithm_evaluator(algo)
    mean, std = evaluate_policy(
        model, venv, n_eval_episodes=n_episodes, deterministic=deterministic, warn=False
    )
    cut = _cap_hits(venv) - before
    if cut:
        warnings.warn(
            f"{cut} of {n_episodes} evaluation episodes of {env_name} reached "
            f"{EVALUATION_STEP_CAP} steps without ending and were cut there (the env sets no "
            "time limit, and a deterministic policy can loop forever); their returns cover "
            "those steps only. Give the env a limit of your choice, e.g. "
            "lambda: gymnasium.wrappers.TimeLimit(MyEnv(), max_episode_steps=5000), or "
            "gymnasium.make(env_id, max_episode_steps=5000) for a registered id.",
            UserWarning,
            stacklevel=3,
        )
    return float(mean), float(std)


def _cap_hits(venv: VecEnv) -> int:
    try:
        return int(sum(venv.get_attr("cap_hits")))
    except AttributeError:  # an eval env built without the cap
        return 0
