"""Hyperparameters for an env without a tuned preset, derived from the env and the budget.

SB3's own defaults are tuned for long runs (DQN's are Atari's: a 1M buffer, a target update
every 10,000 steps), so on a small custom env with a budget of a few thousand steps some
algorithms never learn. The values here start from rl-baselines3-zoo's tuned values for the
small classic-control envs (``hyperparams/{ppo,a2c,dqn,sac,td3}.yml``: CartPole-v1,
Acrobot-v1, LunarLander-v3, Pendulum-v1, read 2026-11-29 from the rl_zoo3 2.9.2 wheel) and
scale what depends on the budget ``T`` (the steps ``learn`` is asked for):

- PPO: rollouts of ``n_steps * n_envs`` sized so that an update happens at least about 40
  times within ``T`` (``n_steps`` a power of two in 16..256 with 8 envs), 20 epochs at a
  learning rate of 1e-3 (zoo's CartPole epochs and rate, kept constant);
- A2C: SB3's own values (5-step rollouts, no GAE) with one env per 25k steps of ``T`` up to
  the zoo's 8: the zoo's 8 envs make too few updates in a short run (measured in
  ``benchmarks/unseen_envs.py``);
- DQN: buffer ``min(T, 50_000)``, learning starts after ``min(1000, T / 20)`` steps,
  target update every ``clip(T / 80, 100, 1000)`` steps (so at least ~80 updates), exploration
  over the first 12 % of the run down to 0.05 (zoo's Acrobot/LunarLander shape), a gradient
  step per env step on vectors and one per 4 on images (the zoo's Atari ratio: a CNN update
  costs far more);
- SAC/TD3: buffer ``min(T, 1_000_000)``, learning starts after ``min(1000, T / 20)`` steps;
  TD3 gets Gaussian action noise 0.1 (the TD3 paper's, as in the zoo);
- every algorithm: the discount from the episode length ``L`` when the env has a time limit,
  ``gamma = clip(1 - 1/L, 0.95, 0.99)`` (a horizon about as long as an episode; 0.99 when
  ``L`` is unknown or long).

The values are plain JSON (schedules as ``"lin_<float>"``), so they are saved with the agent and
shown in ``agent.hyperparameters`` and a run's ``config.json`` like any preset.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import gymnasium as gym
from gymnasium import spaces

__all__ = [
    "EnvFacts",
    "a2c_defaults",
    "dqn_defaults",
    "env_facts",
    "ppo_defaults",
    "sac_defaults",
    "td3_defaults",
]


@dataclass(frozen=True)
class EnvFacts:
    """What the derived defaults read from an env.

    Attributes:
        image: whether observations are images (DQN then updates once per 4 env steps).
        discrete_actions: whether the action space is ``Discrete``.
        max_episode_steps: the time limit, when the env has one.
    """

    image: bool
    discrete_actions: bool
    max_episode_steps: int | None


def env_facts(env: gym.Env, image: bool) -> EnvFacts:
    """Read :class:`EnvFacts` from an env instance (its spec or a ``TimeLimit`` wrapper)."""
    limit = getattr(getattr(env, "spec", None), "max_episode_steps", None)
    wrapped: Any = env
    while limit is None and isinstance(wrapped, gym.Wrapper):
        limit = getattr(wrapped, "_max_episode_steps", None)
        wrapped = wrapped.env
    return EnvFacts(
        image=bool(image),
        discrete_actions=isinstance(env.action_space, spaces.Discrete),
        max_episode_steps=int(limit) if limit else None,
    )


def _discount(facts: EnvFacts) -> float:
    if facts.max_episode_steps is None:
        return 0.99
    return round(min(0.99, max(0.95, 1.0 - 1.0 / facts.max_episode_steps)), 4)


def _power_of_two_at_most(value: float, low: int, high: int) -> int:
    result = low
    while result * 2 <= min(value, high):
        result *= 2
    return result


def _common(budget: int, n_envs: int) -> dict[str, Any]:
    return {
        "n_envs": n_envs,
        "n_timesteps": int(budget),
        "normalize": False,
        "policy_kwargs": {},
        "action_noise": None,
        "frame_stack": None,
        "atari_wrapper": False,
    }


def ppo_defaults(facts: EnvFacts, budget: int) -> dict[str, Any]:
    """PPO: zoo's CartPole/Acrobot shape (8 envs, short rollouts), sized to ``budget``."""
    n_envs = 8
    n_steps = _power_of_two_at_most(budget / (n_envs * 40), 16, 256)
    return {
        **_common(budget, n_envs),
        "n_steps": n_steps,
        "batch_size": min(256, n_steps * n_envs),
        "n_epochs": 20,
        "gamma": _discount(facts),
        "gae_lambda": 0.95,
        "ent_coef": 0.0,
        "learning_rate": 1e-3,
        "clip_range": 0.2,
    }


def a2c_defaults(facts: EnvFacts, budget: int) -> dict[str, Any]:
    """A2C: SB3's values (5-step rollouts, lr 7e-4, no GAE) with one env per 25k steps of
    ``budget`` up to the zoo's 8, so that a short run still makes thousands of updates."""
    return {
        **_common(budget, int(min(8, max(1, budget // 25_000)))),
        "n_steps": 5,
        "gamma": _discount(facts),
        "gae_lambda": 1.0,
        "ent_coef": 0.0,
        "learning_rate": 7e-4,
    }


def dqn_defaults(facts: EnvFacts, budget: int) -> dict[str, Any]:
    """DQN: zoo's Acrobot/LunarLander values; buffer, start, target update fit ``budget``."""
    return {
        **_common(budget, 1),
        "policy_kwargs": {"net_arch": [256, 256]},
        "learning_rate": 6.3e-4,
        "batch_size": 128,
        "buffer_size": int(min(budget, 50_000)),
        "learning_starts": int(min(1000, budget // 20)),
        "gamma": _discount(facts),
        "target_update_interval": int(min(1000, max(100, budget // 80))),
        "train_freq": 4,
        "gradient_steps": 1 if facts.image else -1,
        "exploration_fraction": 0.12,
        "exploration_final_eps": 0.05,
    }


def _off_policy_continuous(budget: int, facts: EnvFacts) -> dict[str, Any]:
    return {
        **_common(budget, 1),
        "buffer_size": int(min(budget, 1_000_000)),
        "learning_starts": int(min(1000, budget // 20)),
        "gamma": _discount(facts),
        "learning_rate": 1e-3,
        "batch_size": 256,
    }


def sac_defaults(facts: EnvFacts, budget: int) -> dict[str, Any]:
    """SAC: zoo's Pendulum learning rate; buffer and start fit to ``budget``."""
    return _off_policy_continuous(budget, facts)


def td3_defaults(facts: EnvFacts, budget: int) -> dict[str, Any]:
    """TD3: zoo's Pendulum learning rate and Gaussian action noise 0.1; buffer fit to ``budget``."""
    return {
        **_off_policy_continuous(budget, facts),
        "action_noise": {"type": "normal", "sigma": 0.1},
    }
