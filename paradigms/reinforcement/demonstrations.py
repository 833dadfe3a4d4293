"""Record an expert's ``(observation, action)`` pairs: the data of behaviour cloning.

>>> demos = collect_demonstrations("CartPole-v1", lambda obs: int(obs[2] + obs[3] > 0), 2_000)
>>> clf = Classifier().fit(demos.observations, demos.actions)    # supervised paradigm
>>> agent = Agent("CartPole-v1", algo="ppo", backbone=clf.model_)  # starts as the expert
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from paradigms.reinforcement.env_source import resolve_env


@dataclass
class Demonstrations:
    """What :func:`collect_demonstrations` recorded.

    Attributes:
        observations: ``(n_steps, *observation_shape)``, what the expert saw.
        actions: ``(n_steps,)`` for discrete actions (``(n_steps, *action_shape)`` otherwise).
        episode_returns: the return of every episode that finished while recording.
    """

    observations: np.ndarray
    actions: np.ndarray
    episode_returns: list[float] = field(default_factory=list)

    @property
    def n_steps(self) -> int:
        """Environment steps recorded (what the demonstrations cost)."""
        return len(self.actions)


def _expert_policy(expert: Any) -> Callable[[np.ndarray], Any]:
    if hasattr(expert, "predict"):  # an Agent or an SB3 model: its deterministic action
        return lambda obs: expert.predict(obs, deterministic=True)[0]
    if callable(expert):
        return expert
    raise TypeError(
        f"expert must be an Agent (or SB3 model) or a callable observation -> action; got "
        f"{type(expert).__name__}."
    )


def collect_demonstrations(env: Any, expert: Any, n_steps: int, *, seed: int = 0) -> Demonstrations:
    """Run ``expert`` in ``env`` for ``n_steps`` steps and record what it saw and did.

    Args:
        env: a registered id, an env instance, a factory or a ``"module:Class"`` string.
        expert: an ``Agent`` (its deterministic actions) or a callable ``obs -> action``,
            such as a scripted controller.
        n_steps: environment steps to record.
        seed: seeds the first reset (episode ``i`` resets with ``seed + i``).

    Raises:
        ValueError: ``n_steps`` is not a positive int, or the expert gives an action outside
            the env's action space.
    """
    if isinstance(n_steps, bool) or not isinstance(n_steps, (int, np.integer)) or n_steps < 1:
        raise ValueError(f"n_steps must be a positive int; got {n_steps!r}.")
    act = _expert_policy(expert)
    source = resolve_env(env)
    instance = source.factory()
    observations, actions, returns = [], [], []
    episode, total = 0, 0.0
    obs, _ = instance.reset(seed=seed)
    try:
        for _ in range(int(n_steps)):
            action = act(obs)
            if not instance.action_space.contains(np.asarray(action, instance.action_space.dtype)):
                raise ValueError(
                    f"the expert chose {action!r}, outside the env's action space "
                    f"{instance.action_space}."
                )
            observations.append(np.asarray(obs))
            actions.append(np.asarray(action))
            obs, reward, terminated, truncated, _ = instance.step(action)
            total += float(reward)
            if terminated or truncated:
                returns.append(total)
                episode, total = episode + 1, 0.0
                obs, _ = instance.reset(seed=seed + episode)
    finally:
        if source.kind != "instance":
            instance.close()
    return Demonstrations(np.stack(observations), np.stack(actions), returns)
