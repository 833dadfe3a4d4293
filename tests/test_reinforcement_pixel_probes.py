"""Pixel probe envs (``PixelHalfEnv``, ``PixelGoalEnv``): checks, oracles, layouts, rewards."""

from __future__ import annotations

import warnings
from typing import Any

import gymnasium as gym
import numpy as np
import pytest

from paradigms.reinforcement import PixelGoalEnv, PixelHalfEnv
from paradigms.reinforcement.extractor import observation_layout
from paradigms.reinforcement.validation import validate_env

VARIANTS = [
    PixelHalfEnv,
    lambda: PixelHalfEnv(size=12, patch=2, channels=3, channel_first=True),
    lambda: PixelHalfEnv(size=24, noise=60, reward="end"),
    PixelGoalEnv,
    lambda: PixelGoalEnv(size=24, patch=3, channels=3, channel_first=True, distance=5),
]
IDS = ["half", "half-chw-rgb", "half-end-noisy", "goal", "goal-chw-rgb"]


def play(env: gym.Env, policy: str, seed: int) -> float:
    obs, _ = env.reset(seed=seed)
    done, total = False, 0.0
    while not done:
        action = env.oracle_action(obs) if policy == "oracle" else env.action_space.sample()
        obs, reward, terminated, truncated, _ = env.step(action)
        assert env.observation_space.contains(obs) and reward >= 0
        total += float(reward)
        done = terminated or truncated
    return total


@pytest.mark.parametrize("make", VARIANTS, ids=IDS)
def test_pixel_probes_pass_the_env_checks(make: Any) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # gymnasium's "no spec" note on render modes
        validate_env(make(), algo="ppo")


@pytest.mark.parametrize("make", VARIANTS, ids=IDS)
def test_oracle_scores_the_optimum_and_random_play_does_not(make: Any) -> None:
    env = make()
    env.action_space.seed(0)
    optimum = env.horizon if isinstance(env, PixelHalfEnv) else 1.0
    assert all(play(env, "oracle", seed) == optimum for seed in range(10))
    assert np.mean([play(env, "random", seed) for seed in range(10)]) < 0.8 * optimum


@pytest.mark.parametrize(
    ("kwargs", "shape", "layout"),
    [
        ({}, (16, 16, 1), "image_hwc"),
        ({"size": 12, "channels": 3}, (12, 12, 3), "image_hwc"),
        ({"size": 24, "channel_first": True}, (1, 24, 24), "image"),
        ({"channels": 3, "channel_first": True}, (3, 16, 16), "image"),
    ],
)
def test_shapes_and_channel_order(kwargs: dict, shape: tuple, layout: str) -> None:
    for env_class in (PixelHalfEnv, PixelGoalEnv):
        env = env_class(**kwargs)
        obs, _ = env.reset(seed=3)
        assert env.observation_space.shape == obs.shape == shape and obs.dtype == np.uint8
        assert observation_layout(env.observation_space)[0] == layout
        chw = obs if env.channel_first else obs.transpose(2, 0, 1)
        lit = np.argwhere(chw == 255)
        assert {int(c) for c in lit[:, 0]} == set(range(env.channels))  # lit in every channel
        assert env.oracle_action(obs) == int(lit[0, 2] >= env.size // 2)


def test_patch_size_and_noise() -> None:
    env = PixelHalfEnv(size=16, patch=3, noise=40)
    obs, _ = env.reset(seed=0)
    assert (obs == 255).sum() == 9 and obs[obs != 255].max() <= 40


def test_end_reward_pays_the_count_of_right_answers_at_the_last_step() -> None:
    env = PixelHalfEnv(reward="end", horizon=5)
    obs, _ = env.reset(seed=0)
    rewards = []
    for _ in range(5):
        obs, reward, terminated, truncated, _ = env.step(env.oracle_action(obs))
        rewards.append(reward)
    assert rewards == [0.0, 0.0, 0.0, 0.0, 5.0] and truncated and not terminated


def test_goal_wrong_way_ends_with_nothing_and_right_way_after_distance_steps() -> None:
    env = PixelGoalEnv(distance=3)
    obs, _ = env.reset(seed=1)
    right = env.oracle_action(obs)
    for step in range(3):
        obs, reward, terminated, _, _ = env.step(right)
        assert terminated == (step == 2) and reward == float(step == 2)
    env.reset(seed=1)
    for step in range(3):
        _, reward, terminated, _, _ = env.step(1 - right)
        assert reward == 0.0 and terminated == (step == 2)
    assert PixelGoalEnv(distance=3).horizon == 12


@pytest.mark.parametrize(
    "kwargs",
    [{"size": 3}, {"patch": 9}, {"channels": 0}, {"noise": 128}, {"reward": "sparse"}],
)
def test_half_env_checks_arguments(kwargs: dict) -> None:
    with pytest.raises(ValueError):
        PixelHalfEnv(**kwargs)


def test_goal_env_checks_distance() -> None:
    with pytest.raises(ValueError, match="distance"):
        PixelGoalEnv(size=12, distance=6)
