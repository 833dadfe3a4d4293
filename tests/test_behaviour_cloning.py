"""Behaviour cloning: an expert's demonstrations -> a Classifier -> the start of a PPO policy."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from paradigms.backbones import BackboneWithHead, create_backbone
from paradigms.reinforcement import Agent, collect_demonstrations
from paradigms.reinforcement.envs import LineTargetEnv
from paradigms.reinforcement.policy_start import actor_parameters
from paradigms.supervised import Classifier

TINY = {"n_envs": 1, "n_steps": 16, "batch_size": 16, "n_epochs": 1}


def cartpole_expert(obs: np.ndarray) -> int:
    return int(obs[2] + 0.5 * obs[3] > 0)


@pytest.fixture(scope="module")
def cloned() -> Classifier:
    demos = collect_demonstrations("CartPole-v1", cartpole_expert, 600, seed=0)
    return Classifier(backbone="mlp", backbone_kwargs={"hidden": [16]}, max_epochs=20,
                      random_state=0).fit(demos.observations, demos.actions)  # fmt: skip


def test_demonstrations_record_what_the_expert_saw_and_did():
    demos = collect_demonstrations("CartPole-v1", cartpole_expert, 600, seed=0)
    assert demos.observations.shape == (600, 4) and demos.actions.shape == (600,)
    assert demos.n_steps == 600 and demos.episode_returns == [500.0]  # one episode solved
    assert all(
        cartpole_expert(o) == a for o, a in zip(demos.observations, demos.actions, strict=True)
    )
    again = collect_demonstrations("CartPole-v1", cartpole_expert, 600, seed=0)
    np.testing.assert_array_equal(demos.observations, again.observations)
    agent = Agent("CartPole-v1", algo="ppo", seed=0, **TINY)
    from_agent = collect_demonstrations("CartPole-v1", agent, 20, seed=3)
    np.testing.assert_array_equal(
        from_agent.actions, agent.predict(from_agent.observations, deterministic=True)[0]
    )


def test_demonstrations_refuse_bad_experts_and_budgets():
    with pytest.raises(ValueError, match="positive int"):
        collect_demonstrations("CartPole-v1", cartpole_expert, 0)
    with pytest.raises(ValueError, match="outside the env's action space"):
        collect_demonstrations("CartPole-v1", lambda obs: 7, 5)
    with pytest.raises(TypeError, match="callable observation -> action"):
        collect_demonstrations("CartPole-v1", "expert", 5)


def test_the_policy_starts_as_the_classifier_predicts(cloned, tmp_path):
    agent = Agent("CartPole-v1", algo="ppo", backbone=cloned.model_, seed=0, **TINY)
    assert agent.hyperparameters["policy_kwargs"]["net_arch"]["pi"] == []
    assert agent.hyperparameters["critic_warmup"] > 0
    rng = np.random.default_rng(0)
    obs = (rng.standard_normal((200, 4)) * [1.0, 1.0, 0.1, 1.0]).astype(np.float32)
    np.testing.assert_array_equal(agent.predict(obs, deterministic=True)[0], cloned.predict(obs))
    reloaded = Agent.load(agent.save(tmp_path / "cloned"))
    np.testing.assert_array_equal(reloaded.predict(obs, deterministic=True)[0], cloned.predict(obs))


def test_the_actor_waits_while_the_critic_warms_up(cloned):
    # a constant rate: the preset's linear schedule reaches 0 at the end of each learn call
    agent = Agent("CartPole-v1", algo="ppo", backbone=cloned.model_, seed=0, critic_warmup=32,
                  learning_rate=1e-3, **TINY)  # fmt: skip
    policy = agent.model.policy
    actor = [p.detach().clone() for p in actor_parameters(policy)]
    critic = policy.value_net.weight.detach().clone()
    agent.learn(16)  # one rollout, below the warm-up: only the critic trains
    assert all(torch.equal(a, p) for a, p in zip(actor, actor_parameters(policy), strict=True))
    assert not torch.equal(critic, policy.value_net.weight)
    assert all(p.requires_grad for p in actor_parameters(policy))  # restored after learn
    agent.learn(32)  # past the warm-up: the actor trains too
    assert not all(torch.equal(a, p) for a, p in zip(actor, actor_parameters(policy), strict=True))


def test_actions_the_expert_never_took_start_unlikely_but_possible():
    demos = collect_demonstrations(LineTargetEnv, lambda obs: 0 if obs[0] > 0 else 2, 200)
    assert set(demos.actions.tolist()) == {0, 2}  # LineTargetEnv also has action 1 (stay)
    clf = Classifier(backbone="mlp", backbone_kwargs={"hidden": [8]}, max_epochs=5,
                     random_state=0).fit(demos.observations, demos.actions)  # fmt: skip
    agent = Agent(LineTargetEnv, algo="ppo", backbone=clf.model_, seed=0, **TINY)
    bias = agent.model.policy.action_net.bias.detach()
    assert bias[1] < bias[[0, 2]].min()
    assert torch.equal(agent.model.policy.action_net.weight[1], torch.zeros(8))


def test_networks_that_cannot_start_a_policy_are_refused(cloned):
    with pytest.raises(ValueError, match="actor-critic"):
        Agent("CartPole-v1", algo="dqn", backbone=cloned.model_)
    with pytest.raises(ValueError, match="Discrete actions"):
        Agent("Pendulum-v1", algo="ppo", backbone=BackboneWithHead(
            create_backbone("mlp", (3,), hidden=[4]), 1))  # fmt: skip
    words = BackboneWithHead(create_backbone("mlp", (4,), hidden=[4]), 2)
    words.output_labels = ("left", "right")
    with pytest.raises(ValueError, match="not all actions"):
        Agent("CartPole-v1", algo="ppo", backbone=words)
    with pytest.raises(ValueError, match="straight from the backbone"):
        Agent("CartPole-v1", algo="ppo", backbone=cloned.model_,
              policy_kwargs={"net_arch": {"pi": [8], "vf": [8]}}, **TINY)  # fmt: skip
