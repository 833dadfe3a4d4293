"""sb3-contrib's TQC, QR-DQN, MaskablePPO and RecurrentPPO: each one registry entry.

Each builds from the zoo's preset where the zoo has one (or from the derived defaults), learns,
saves and loads with the same actions, and reads SB3-contrib's own ``.zip`` files; the
MaskablePPO agent acts on ``action_masks()``, the RecurrentPPO agent carries its LSTM state,
and the features that need a stateless policy say so in words.
"""

from __future__ import annotations

import itertools
import warnings

import numpy as np
import pytest

pytest.importorskip("sb3_contrib")

import sb3_contrib
from gymnasium import spaces

from paradigms._common.tuning import load_search_space
from paradigms.reinforcement import Agent, GridWorldEnv, MaskedChoiceEnv, record_episode
from paradigms.reinforcement.algorithms import fitting_algorithms
from paradigms.reinforcement.envs import ReachEnv
from paradigms.supervised import Classifier

#: (algo, env, sb3-contrib class, its policy) for every new entry, on cheap envs
CASES = [
    ("qrdqn", "CartPole-v1", sb3_contrib.QRDQN, "MlpPolicy"),
    ("tqc", ReachEnv, sb3_contrib.TQC, "MlpPolicy"),
    ("maskableppo", MaskedChoiceEnv, sb3_contrib.MaskablePPO, "MlpPolicy"),
    ("recurrentppo", "CartPole-v1", sb3_contrib.RecurrentPPO, "MlpLstmPolicy"),
]


def _observations(agent: Agent) -> np.ndarray:
    env = agent.evaluation_env()
    return np.concatenate([env.reset() for _ in range(3)])


@pytest.mark.parametrize(("algo", "env", "cls", "policy"), CASES)
def test_each_contrib_algorithm_learns_saves_loads_and_reads_its_sb3_file(
    algo, env, cls, policy, tmp_path
):
    agent = Agent(env, algo=algo, seed=0, n_timesteps=256)
    assert type(agent.model) is cls
    agent.learn(256)
    assert agent.num_timesteps >= 256
    mean, _ = agent.evaluate(2)
    assert np.isfinite(mean)
    obs = _observations(agent)
    loaded = Agent.load(agent.save(tmp_path / "agent"), env=env)
    assert loaded.algo == algo and loaded.num_timesteps == agent.num_timesteps
    np.testing.assert_array_equal(loaded.predict(obs)[0], agent.predict(obs)[0])

    sb3 = (
        cls(policy, env if isinstance(env, str) else env(), seed=0, n_steps=64)
        if (algo in ("maskableppo", "recurrentppo"))
        else cls(policy, env if isinstance(env, str) else env(), seed=0, learning_starts=10)
    )
    sb3.learn(128)
    sb3.save(tmp_path / "model.zip")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # values the file holds only as pickles
        imported = Agent.load(tmp_path / "model.zip", env=env)
    assert imported.algo == algo
    expected, _ = sb3.predict(obs, deterministic=True)
    np.testing.assert_array_equal(imported.predict(obs)[0], expected)


def test_zoo_presets_reach_the_new_algorithms():
    agent = Agent("CartPole-v1", algo="qrdqn", seed=0)
    assert agent.tuned and agent.hyperparameters["policy_kwargs"]["n_quantiles"] == 10
    assert agent.model.policy.quantile_net.n_quantiles == 10  # the zoo's CartPole value
    tqc = Agent("Pendulum-v1", algo="tqc", seed=0)
    assert tqc.tuned and tqc.hyperparameters["learning_rate"] == 1e-3
    assert not Agent(MaskedChoiceEnv, algo="maskableppo", seed=0).tuned


def test_maskable_ppo_acts_only_on_allowed_actions():
    masked = Agent(MaskedChoiceEnv, algo="maskableppo", seed=0)
    mean, _ = masked.evaluate(3)
    assert mean == MaskedChoiceEnv().horizon  # every step allowed, before any training
    plain = Agent(MaskedChoiceEnv, algo="ppo", seed=0)
    assert plain.evaluate(3)[0] < mean  # an untrained PPO picks forbidden actions
    obs, _ = (env := MaskedChoiceEnv()).reset(seed=3)
    action, _ = masked.predict(obs, action_masks=env.action_masks())
    assert env.action_masks()[int(action)]
    with pytest.raises(ValueError, match="action_masks are read by algo='maskableppo' only"):
        plain.predict(obs, action_masks=env.action_masks())


def test_maskable_ppo_needs_an_env_with_action_masks():
    with pytest.raises(ValueError, match=r"env.action_masks\(\).*no such method"):
        Agent(GridWorldEnv, algo="maskableppo")


def test_recurrent_ppo_carries_its_state_and_refuses_stateless_features(tmp_path):
    agent = Agent("CartPole-v1", algo="recurrentppo", seed=0, n_steps=32, n_envs=2)
    assert agent.recurrent and agent.hyperparameters["policy_kwargs"]["net_arch"] == [64, 64]
    obs = _observations(agent)[:1]
    _, state = agent.predict(obs, episode_start=np.ones(1, dtype=bool))
    assert state is not None and len(state) == 2  # the LSTM's (hidden, cell)
    _, next_state = agent.predict(obs, state=state, episode_start=np.zeros(1, dtype=bool))
    assert not np.allclose(next_state[0], state[0])
    with pytest.raises(ValueError, match="hidden state"):
        agent.export_onnx(tmp_path / "policy.onnx")
    with pytest.raises(ValueError, match="hidden state"):
        agent.attribute(obs)
    clf = Classifier(backbone="mlp", max_epochs=1, random_state=0)
    clf.fit(np.random.default_rng(0).normal(size=(40, 4)).astype(np.float32), np.arange(40) % 2)
    with pytest.raises(ValueError, match="no such layer to start"):
        Agent("CartPole-v1", algo="recurrentppo", backbone=clf.model_)


def test_recording_a_recurrent_agent_carries_its_state(tmp_path):
    pytest.importorskip("PIL")  # the GIF writer
    agent = Agent("CartPole-v1", algo="recurrentppo", seed=0)
    calls: list[tuple] = []
    predict = agent.predict

    def spy(observation, state=None, episode_start=None, **kwargs):
        action, new_state = predict(observation, state, episode_start, **kwargs)
        calls.append((state, episode_start, new_state))
        return action, new_state

    agent.predict = spy
    recording = record_episode(agent, tmp_path / "lstm.gif", max_steps=20)
    assert recording is not None and len(calls) == recording.episode_length >= 2
    assert calls[0][0] is None and calls[0][1].all()  # a new episode starts from zeros
    for (_, _, returned), (given, start, _) in itertools.pairwise(calls):
        assert given is returned and not start.any()  # then each step gets the last state


def test_contrib_algorithms_fit_their_action_spaces_and_have_search_spaces():
    assert {"qrdqn", "maskableppo", "recurrentppo"} <= set(fitting_algorithms(spaces.Discrete(2)))
    assert "tqc" in fitting_algorithms(spaces.Box(-1, 1, (2,)))
    assert "maskableppo" in fitting_algorithms(spaces.MultiDiscrete([2, 3]))
    tqc = load_search_space("tqc")
    assert set(load_search_space("sac")) < set(tqc) and tqc["n_quantiles"]["high"] == 50
    assert load_search_space("maskableppo") == load_search_space("ppo")


def test_masked_choice_env_checks_its_arguments_and_its_oracle_scores_the_best():
    with pytest.raises(ValueError, match="n_actions must be an int >= 2"):
        MaskedChoiceEnv(n_actions=1)
    with pytest.raises(ValueError, match="allowed_fraction"):
        MaskedChoiceEnv(allowed_fraction=0.0)
    env = MaskedChoiceEnv(n_actions=5, horizon=15)
    obs, _ = env.reset(seed=0)
    total, done = 0.0, False
    while not done:
        assert env.action_masks().any() and env.observation_space.contains(obs)
        obs, reward, terminated, truncated, _ = env.step(env.oracle_action(obs))
        total += reward
        done = terminated or truncated
    assert total == 15
