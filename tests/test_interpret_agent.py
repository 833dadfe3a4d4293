"""Agent attributions: the explained function is the policy the agent acts with (normalisation
and frozen backbones included), shapes follow the env's layout, and refusals are explained."""

from __future__ import annotations

import gymnasium
import numpy as np
import pytest
import torch

from paradigms.reinforcement import Agent
from paradigms.reinforcement.envs import LineTargetEnv, PixelSideEnv
from paradigms.report import deletion_curve, random_scores

pytest.importorskip("captum")

TINY_PPO = {"n_steps": 32, "batch_size": 32, "n_epochs": 2}


def _observations(env_factory, n: int, seed: int = 0) -> np.ndarray:
    env = env_factory()
    env.reset(seed=seed)
    return np.stack([env.observation_space.sample() for _ in range(n)]).astype(np.float32)


@pytest.fixture(scope="module")
def line_agent() -> Agent:
    agent = Agent(LineTargetEnv, algo="ppo", seed=0, n_envs=2, num_threads=1, **TINY_PPO)
    return agent.learn(3000)


@pytest.mark.parametrize(
    ("overrides", "frozen"),
    [({}, False), ({"normalize": True}, False), ({"normalize": True}, True)],
    ids=["plain", "vecnormalize", "vecnormalize+frozen"],
)
def test_explained_function_is_the_acting_policy(overrides, frozen):
    agent = Agent(
        LineTargetEnv, algo="ppo", seed=0, n_envs=2, num_threads=1, freeze_backbone=frozen,
        **TINY_PPO, **overrides,
    )  # fmt: skip
    agent.learn(256)
    observations = _observations(LineTargetEnv, 64)
    with torch.no_grad():
        logits = agent._policy_function()(torch.from_numpy(observations))
    actions, _ = agent.predict(observations)
    np.testing.assert_array_equal(logits.argmax(dim=1).numpy(), actions)
    values = agent.attribute(observations)
    assert values.shape == observations.shape and np.isfinite(values).all()


def test_shapes_targets_and_methods(line_agent):
    observations = _observations(LineTargetEnv, 10)
    assert line_agent.attribute(observations[0]).shape == (2,)
    assert line_agent.attribute(observations, target=2).shape == (10, 2)
    saliency = line_agent.attribute(observations, method="saliency")
    assert (saliency >= 0).all() and saliency.max() > 0
    # the target (x) and the agent's position both matter, the greedy action's logit rises
    found = line_agent.observation_importance(n_episodes=2, max_observations=50)
    assert found.importance.shape == (2,) and found.episodes == 2
    assert len(found.observations) <= 50 and found.attributions.shape == found.observations.shape


@pytest.mark.parametrize(
    ("observations", "kwargs", "message"),
    [
        (
            np.zeros((3, 5)),
            {},
            r"observations have shape \(3, 5\); expected \(2,\) or \(n, 2\) with n >= 1",
        ),
        (np.full((2, 2), np.nan), {}, "NaN or infinity"),
        (np.zeros((2, 2)), {"target": 3}, r"target must be an int in 0..2"),
        (np.zeros((2, 2)), {"method": "shap"}, "unknown attribution method 'shap'"),
    ],
)
def test_bad_requests_are_explained(line_agent, observations, kwargs, message):
    with pytest.raises(ValueError, match=message):
        line_agent.attribute(observations, **kwargs)


def test_image_policy_keeps_the_env_layout_and_passes_the_deletion_check():
    agent = Agent(PixelSideEnv, algo="ppo", seed=0, n_envs=2, num_threads=1, **TINY_PPO)
    agent.learn(2000)
    observations = _observations(PixelSideEnv, 40)  # channel-last, as the env returns them
    values = agent.attribute(observations)
    assert values.shape == observations.shape == (40, 16, 16, 1)
    channel_first = agent.attribute(np.moveaxis(observations, -1, 1))
    np.testing.assert_allclose(np.moveaxis(channel_first, 1, -1), values, rtol=1e-4, atol=1e-6)

    def act(batch):
        return agent.predict(batch)[0]

    kept = act(observations)
    ours = deletion_curve(act, observations, kept, values, step=16).area
    chance = deletion_curve(act, observations, kept, random_scores(observations.shape), 16).area
    assert ours < chance


def test_dqn_and_continuous_actions():
    observations = _observations(LineTargetEnv, 5)
    dqn = Agent(LineTargetEnv, algo="dqn", seed=0, num_threads=1, learning_starts=50)
    dqn.learn(200)
    assert dqn.attribute(observations).shape == (5, 2)
    pendulum = Agent("Pendulum-v1", algo="sac", seed=0, num_threads=1, learning_starts=50)
    pendulum.learn(120)
    states = _observations(lambda: gymnasium.make("Pendulum-v1"), 4)
    summed = pendulum.attribute(states)  # every action dimension: non-negative
    assert summed.shape == (4, 3) and (summed >= 0).all()
    signed = pendulum.attribute(states, target=0)
    np.testing.assert_allclose(np.abs(signed), summed, rtol=1e-4, atol=1e-6)  # one dimension


def test_dict_observations_are_refused_with_the_reason(two_entry_dict_env):
    options = {"seed": 0, "num_threads": 1, "check_env": False, **TINY_PPO}
    agent = Agent(two_entry_dict_env, algo="ppo", **options)
    assert "Box observations" in agent.attribution_refusal()
    with pytest.raises(ValueError, match="this agent reads Dict observations"):
        agent.attribute({"position": np.zeros((1, 1)), "target": np.zeros((1, 1))})
