"""Defaults for envs without a preset: derived from the env and the budget; the registry."""

from __future__ import annotations

from functools import partial

import gymnasium as gym
import numpy as np
import pytest
from gymnasium import spaces

from paradigms.reinforcement import Agent
from paradigms.reinforcement.algorithms import (
    ALGORITHMS,
    REGISTRY,
    AlgorithmSpec,
    algorithm_class,
    check_algorithm,
    fitting_algorithms,
)
from paradigms.reinforcement.auto_defaults import EnvFacts, dqn_defaults, env_facts, ppo_defaults
from paradigms.reinforcement.envs import (
    CorridorEnv,
    LineTargetEnv,
    PixelHalfEnv,
    PixelSideEnv,
    ReachEnv,
)
from paradigms.reinforcement.policy_layouts import QUANTILE_NETWORK


def test_dqn_defaults_fit_the_budget_not_atari():
    agent = Agent(LineTargetEnv, algo="dqn", seed=0, n_timesteps=8_000)
    assert not agent.tuned
    hyper = agent.hyperparameters
    assert hyper["buffer_size"] == 8_000 and agent.model.buffer_size == 8_000
    assert hyper["learning_starts"] == 400 and agent.model.learning_starts == 400
    assert hyper["target_update_interval"] == 100 == agent.model.target_update_interval
    assert agent.model.exploration_fraction == pytest.approx(0.12)


def test_first_learn_rederives_the_defaults_for_its_budget():
    agent = Agent(CorridorEnv, algo="dqn", seed=0, learning_rate=1e-3)
    assert agent.hyperparameters["buffer_size"] == 50_000  # built for the default 100k steps
    agent.learn(600, progress_bar=False)
    assert agent.num_timesteps == 600
    assert agent.hyperparameters["buffer_size"] == 600 == agent.model.buffer_size
    assert agent.hyperparameters["n_timesteps"] == 600
    assert agent.model.learning_rate == pytest.approx(1e-3)  # the user's override survives
    model = agent.model
    agent.learn(200, progress_bar=False)  # later calls continue the same model
    assert agent.model is model and agent.num_timesteps == 800


def test_rederived_agent_equals_one_built_for_that_budget():
    late = Agent(LineTargetEnv, algo="ppo", seed=3)
    late.learn(512, progress_bar=False)
    early = Agent(LineTargetEnv, algo="ppo", seed=3, n_timesteps=512)
    early.learn(512, progress_bar=False)
    assert late.hyperparameters == early.hyperparameters
    for a, b in zip(late.policy.parameters(), early.policy.parameters(), strict=True):
        assert np.array_equal(a.detach().numpy(), b.detach().numpy())


def test_tuned_presets_are_left_as_they_are():
    agent = Agent("CartPole-v1", algo="dqn", seed=0)
    assert agent.tuned
    before = dict(agent.hyperparameters)
    agent.learn(64, progress_bar=False)
    assert agent.hyperparameters == before and agent.model.buffer_size == 100_000


def test_loaded_agent_keeps_its_saved_values(tmp_path):
    agent = Agent(LineTargetEnv, algo="dqn", seed=0, n_timesteps=3_000)
    agent.save(tmp_path / "a")
    loaded = Agent.load(tmp_path / "a", env=LineTargetEnv)
    loaded.learn(100, progress_bar=False)
    assert loaded.hyperparameters["buffer_size"] == 3_000 == loaded.model.buffer_size


@pytest.mark.parametrize("budget", [1, 500, 20_000, 100_000, 5_000_000])
def test_ppo_rollouts_fit_budgets_large_and_small(budget):
    facts = EnvFacts(image=False, discrete_actions=True, max_episode_steps=None)
    hyper = ppo_defaults(facts, budget)
    rollout = hyper["n_steps"] * hyper["n_envs"]
    assert 16 <= hyper["n_steps"] <= 256 and hyper["batch_size"] <= rollout
    if budget >= 20_000:
        assert budget // rollout >= 40  # enough updates to learn within the budget


def test_discount_follows_the_episode_length():
    short = gym.make("CartPole-v1", max_episode_steps=30)
    facts = env_facts(short, image=False)
    assert facts.max_episode_steps == 30 and facts.discrete_actions
    assert dqn_defaults(facts, 10_000)["gamma"] == pytest.approx(1 - 1 / 30, abs=1e-4)
    tiny = env_facts(gym.make("CartPole-v1", max_episode_steps=5), image=False)
    assert dqn_defaults(tiny, 10_000)["gamma"] == pytest.approx(0.95)
    assert dqn_defaults(env_facts(CorridorEnv(), image=False), 10_000)["gamma"] == 0.99


def test_td3_gets_exploration_noise_by_default():
    agent = Agent(ReachEnv, algo="td3", seed=0, n_timesteps=2_000)
    assert agent.hyperparameters["action_noise"] == {"type": "normal", "sigma": 0.1}
    assert agent.model.action_noise is not None


def test_registry_is_the_one_source_of_algorithm_facts():
    assert ALGORITHMS == (
        "ppo", "a2c", "dqn", "sac", "td3", "tqc", "qrdqn", "maskableppo", "recurrentppo"
    )  # fmt: skip
    for name, spec in REGISTRY.items():
        assert algorithm_class(name).__name__ == spec.sb3_class.split(":")[1]
    assert check_algorithm("PPO") == "ppo"
    assert fitting_algorithms(spaces.Discrete(3)) == [
        "ppo", "a2c", "dqn", "qrdqn", "maskableppo", "recurrentppo"
    ]  # fmt: skip
    assert fitting_algorithms(spaces.Box(-1, 1, (2,))) == [
        "ppo", "a2c", "sac", "td3", "tqc", "recurrentppo"
    ]  # fmt: skip
    with pytest.raises(TypeError, match="algo must be a string"):
        check_algorithm(3)
    with pytest.raises(ValueError, match="unknown algorithm 'trpo'"):
        check_algorithm("trpo")


def test_an_entry_for_a_missing_package_names_the_install(monkeypatch):
    entry = AlgorithmSpec(
        "qrdqn",
        "no_such_contrib_package:QRDQN",
        (spaces.Discrete,),
        (64, 64),
        "relu",
        False,
        QUANTILE_NETWORK,
        dqn_defaults,
        "Discrete actions",
        install="pip install sb3-contrib",
    )
    monkeypatch.setitem(REGISTRY, "qrdqn", entry)
    with pytest.raises(ValueError, match="pip install sb3-contrib"):
        algorithm_class("qrdqn")


@pytest.mark.parametrize("env_class", [LineTargetEnv, CorridorEnv, ReachEnv, PixelSideEnv])
def test_probe_oracles_beat_random_play(env_class):
    env = env_class()
    oracle, random = 0.0, 0.0
    for episode in range(5):
        for policy in ("oracle", "random"):
            obs, _ = env.reset(seed=episode)
            done, total = False, 0.0
            while not done:
                action = env.oracle_action(obs) if policy == "oracle" else env.action_space.sample()
                obs, reward, terminated, truncated, _ = env.step(action)
                assert env.observation_space.contains(obs) and reward >= 0
                total += reward
                done = terminated or truncated
            oracle += total if policy == "oracle" else 0.0
            random += total if policy == "random" else 0.0
    assert oracle > 1.5 * random


@pytest.mark.slow
@pytest.mark.parametrize(
    ("env_class", "algo", "budget"),
    [
        (LineTargetEnv, "a2c", 20_000),
        (CorridorEnv, "ppo", 10_000),
        (PixelSideEnv, "a2c", 10_000),
        (PixelHalfEnv, "ppo", 10_000),  # one lit pixel: needs the grid-pooled auto cnn
    ],
)
def test_defaults_learn_unseen_envs(env_class, algo, budget):
    agent = Agent(env_class, algo=algo, seed=0)
    agent.learn(budget, progress_bar=False)
    mean, _ = agent.evaluate(10)
    env, oracle = env_class(), 0.0
    for episode in range(10):
        obs, _ = env.reset(seed=episode)
        done = False
        while not done:
            obs, reward, terminated, truncated, _ = env.step(env.oracle_action(obs))
            oracle += reward / 10
            done = terminated or truncated
    assert mean >= 0.85 * oracle


def test_dqn_trains_on_discrete_observations():
    # replay buffers hand Discrete observations over as (B, 1), one-hot (B, 1, n): the
    # extractor must flatten them (FrozenLake failed with a shape error in DQN's update)
    env = partial(gym.make, "FrozenLake-v1", is_slippery=False)
    agent = Agent(env, algo="dqn", seed=0, learning_starts=50, batch_size=16)
    agent.learn(200, progress_bar=False)
    assert agent.num_timesteps == 200
