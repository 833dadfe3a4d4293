"""Evaluation ends even in envs that set no time limit, and says when it cut episodes."""

from __future__ import annotations

import warnings

import gymnasium as gym
import numpy as np
import pytest

from paradigms.reinforcement import Agent, GridWorldEnv
from paradigms.reinforcement.evaluation import (
    EVALUATION_STEP_CAP,
    EvaluationStepCap,
    has_time_limit,
)


class EndlessEnv(gym.Env):
    """Pays 1 per step and never ends by itself (no TimeLimit, no internal limit)."""

    observation_space = gym.spaces.Box(-1.0, 1.0, (2,), np.float32)
    action_space = gym.spaces.Discrete(2)

    def reset(self, *, seed: int | None = None, options: dict | None = None):
        super().reset(seed=seed)
        return np.zeros(2, dtype=np.float32), {}

    def step(self, action):
        return np.zeros(2, dtype=np.float32), 1.0, False, False, {}


def test_has_time_limit_reads_wrappers_and_registrations():
    assert has_time_limit(gym.make("CartPole-v1"))
    assert not has_time_limit(gym.make("CliffWalking-v1"))
    assert not has_time_limit(EndlessEnv())
    assert has_time_limit(gym.wrappers.TimeLimit(EndlessEnv(), max_episode_steps=7))


def test_step_cap_cuts_only_envs_without_a_limit():
    capped = EvaluationStepCap(EndlessEnv(), max_steps=5)
    capped.reset(seed=0)
    truncations = [capped.step(0)[3] for _ in range(5)]
    assert truncations == [False, False, False, False, True] and capped.cap_hits == 1
    limited = EvaluationStepCap(gym.wrappers.TimeLimit(EndlessEnv(), max_episode_steps=50))
    assert limited.max_steps is None


def test_evaluate_on_an_endless_env_returns_and_warns():
    agent = Agent(EndlessEnv, algo="ppo", seed=0, n_steps=64, batch_size=64)
    with pytest.warns(UserWarning, match=r"2 of 2 evaluation episodes of EndlessEnv reached"):
        mean, std = agent.evaluate(n_episodes=2)
    assert (mean, std) == (float(EVALUATION_STEP_CAP), 0.0)


def test_evaluate_respects_the_envs_own_limit_without_warning():
    agent = Agent(
        lambda: gym.wrappers.TimeLimit(EndlessEnv(), max_episode_steps=30),
        algo="ppo",
        seed=0,
        n_steps=64,
        batch_size=64,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        assert agent.evaluate(n_episodes=2) == (30.0, 0.0)


def test_envs_that_end_on_their_own_are_never_cut():
    agent = Agent(GridWorldEnv, algo="ppo", seed=0, n_steps=64, batch_size=64)
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        agent.evaluate(n_episodes=1)
    assert agent.evaluation_env().get_attr("cap_hits") == [0]
