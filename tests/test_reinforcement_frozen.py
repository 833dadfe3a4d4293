"""A frozen backbone runs once per env step (FrozenFeatures), not in every epoch."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from paradigms.backbones import create_backbone
from paradigms.reinforcement import Agent, PixelCatchEnv, record_episode
from paradigms.reinforcement.frozen_features import FrozenFeatures


def _pretrained_cnn() -> torch.nn.Module:
    torch.manual_seed(0)
    return create_backbone("cnn", (1, 10, 10), widths=(8, 16))


def _count_calls(module: torch.nn.Module) -> list[int]:
    calls = [0]
    module.register_forward_hook(lambda *_: calls.__setitem__(0, calls[0] + 1))
    return calls


def test_the_backbone_runs_once_per_env_step_not_per_epoch():
    backbone = _pretrained_cnn()
    agent = Agent(
        PixelCatchEnv, algo="ppo", backbone=backbone, freeze_backbone=True, seed=0,
        n_envs=2, n_steps=16, batch_size=8, n_epochs=4,
    )  # fmt: skip
    assert isinstance(agent.env, FrozenFeatures)
    assert agent.env.observation_space.shape == (16,)
    calls = _count_calls(agent.backbone_)
    agent.learn(32, progress_bar=False)  # one rollout of 16 steps x 2 envs, 4 epochs of 4 batches
    assert calls[0] <= 16 + 2  # 16 steps (+ the reset); in the policy it would be 16 + 16 more
    assert torch.equal(  # still the given weights: frozen and never trained
        agent.backbone_.state_dict()["features.0.0.weight"],
        backbone.state_dict()["features.0.0.weight"],
    )
    assert not any(isinstance(m, type(agent.extractor)) for m in agent.policy.modules())


@pytest.mark.parametrize(("algo", "kwargs"), [("ppo", {"normalize": True}), ("dqn", {})])
def test_frozen_agents_predict_evaluate_save_and_load(algo, kwargs, tmp_path):
    agent = Agent(
        PixelCatchEnv, algo=algo, backbone=_pretrained_cnn(), freeze_backbone=True, seed=0,
        n_envs=2, **({"n_steps": 16, "batch_size": 16} if algo == "ppo" else
                     {"learning_starts": 16, "buffer_size": 500}), **kwargs,
    )  # fmt: skip
    agent.learn(64, progress_bar=False)
    mean, _ = agent.evaluate(1)
    assert -5.0 <= mean <= 5.0
    obs, _ = PixelCatchEnv().reset(seed=1)
    batch = np.stack([obs, obs])
    action = agent.predict(obs)[0]
    assert action.shape == () and agent.predict(batch)[0].shape == (2,)
    agent.save(tmp_path / "a")
    loaded = Agent.load(tmp_path / "a", env=PixelCatchEnv)
    assert isinstance(loaded.env, FrozenFeatures)
    assert np.array_equal(loaded.predict(batch)[0], agent.predict(batch)[0])
    assert record_episode(loaded, tmp_path / "a.gif", max_steps=10) is not None


def test_a_random_frozen_backbone_is_the_same_for_the_same_seed():
    first = Agent(PixelCatchEnv, algo="a2c", freeze_backbone=True, seed=3, n_envs=2)
    second = Agent(PixelCatchEnv, algo="a2c", freeze_backbone=True, seed=3, n_envs=2)
    for a, b in zip(first.backbone_.parameters(), second.backbone_.parameters(), strict=True):
        assert torch.equal(a, b)


def test_an_agent_saved_with_its_frozen_backbone_inside_the_policy_loads_as_saved(tmp_path):
    """Agents saved before frozen features were computed once per step kept the frozen
    backbone inside the policy (``frozen_features: false`` in agent.json): they load so."""
    agent = Agent(
        PixelCatchEnv, algo="ppo", backbone=_pretrained_cnn(), freeze_backbone=True, seed=0,
        n_envs=2, n_steps=16, batch_size=8,
    )  # fmt: skip
    agent._rebuild_with_backbone_in_policy()  # the older layout
    assert not isinstance(agent.env, FrozenFeatures)
    agent.learn(32, progress_bar=False)
    loaded = Agent.load(agent.save(tmp_path / "old"))
    assert not isinstance(loaded.env, FrozenFeatures) and loaded.freeze_backbone
    obs = np.stack([PixelCatchEnv().reset(seed=s)[0] for s in range(4)])
    np.testing.assert_array_equal(loaded.predict(obs)[0], agent.predict(obs)[0])
    assert loaded.num_timesteps == agent.num_timesteps
