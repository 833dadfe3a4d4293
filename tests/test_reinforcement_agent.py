"""Agent: presets, overrides, networks, learning, evaluation, save/load (tiny budgets)."""

from __future__ import annotations

import json
import math

import gymnasium as gym
import numpy as np
import pytest
import torch
from stable_baselines3 import PPO
from stable_baselines3.common.env_util import make_vec_env

from paradigms.backbones import create_backbone, save_backbone
from paradigms.reinforcement import Agent, GridWorldEnv, PixelCatchEnv


def _n_params(module: torch.nn.Module) -> int:
    return sum(p.numel() for p in module.parameters())


@pytest.fixture(scope="module")
def cartpole_agent() -> Agent:
    return Agent("CartPole-v1", algo="ppo", seed=0).learn(512, progress_bar=False)


def test_cartpole_ppo_uses_the_zoo_preset_and_sb3s_default_network(cartpole_agent: Agent):
    agent = cartpole_agent
    assert agent.tuned
    assert agent.env.num_envs == 8
    assert agent.model.n_steps == 32 and agent.model.batch_size == 256
    assert agent.model.gamma == pytest.approx(0.98) and agent.model.n_epochs == 20
    assert agent.model.learning_rate(1.0) == pytest.approx(1e-3)
    assert agent.model.learning_rate(0.5) == pytest.approx(5e-4)
    plain = PPO("MlpPolicy", make_vec_env("CartPole-v1", n_envs=1), device="cpu")
    assert _n_params(agent.policy) == _n_params(plain.policy)
    assert agent.backbone_.config.name == "mlp"
    assert agent.backbone_.out_features == 64


def test_learn_records_history_and_evaluate_returns_floats(cartpole_agent: Agent):
    agent = cartpole_agent
    assert agent.num_timesteps >= 512
    assert agent.history_, "episodes finished in 512 CartPole steps"
    row = agent.history_[0]
    assert set(row) == {"timesteps", "episode", "episode_return", "episode_length", "time_s"}
    assert row["episode_return"] == row["episode_length"]  # CartPole pays 1 per step
    mean, std = agent.evaluate(n_episodes=2)
    assert isinstance(mean, float) and isinstance(std, float) and mean >= 8


def test_predict_single_and_batched_observations(cartpole_agent: Agent):
    obs = np.zeros(4, dtype=np.float32)
    action, state = cartpole_agent.predict(obs)
    assert state is None and int(action) in (0, 1)
    actions, _ = cartpole_agent.predict(np.zeros((5, 4), dtype=np.float32))
    assert actions.shape == (5,)


def test_unknown_algo_and_keywords_are_refused():
    with pytest.raises(ValueError, match="unknown algorithm 'trpo'; expected one of ppo, a2c"):
        Agent("CartPole-v1", algo="trpo")
    with pytest.raises(TypeError, match="n_steps"):
        Agent("CartPole-v1", algo="ppo", n_step=64)
    with pytest.raises(TypeError, match="set by Agent"):
        Agent("CartPole-v1", algo="ppo", policy="CnnPolicy")


def test_algorithm_must_fit_the_action_space():
    with pytest.raises(ValueError, match="Box"):
        Agent("Pendulum-v1", algo="dqn")
    with pytest.raises(ValueError, match="Discrete"):
        Agent("CartPole-v1", algo="sac")


def test_a_broken_env_fails_before_anything_is_built():
    class ObsOutOfSpace(gym.Env):
        observation_space = gym.spaces.Box(-1.0, 1.0, (3,), np.float32)
        action_space = gym.spaces.Discrete(2)

        def reset(self, *, seed=None, options=None):
            super().reset(seed=seed)
            return np.full(3, 5.0, dtype=np.float32), {}

        def step(self, action):
            return np.zeros(3, dtype=np.float32), 0.0, True, False, {}

    with pytest.raises(ValueError, match="observation"):
        Agent(ObsOutOfSpace(), algo="ppo")


def test_overrides_replace_preset_values_and_merge_policy_kwargs():
    agent = Agent(
        "CartPole-v1",
        algo="ppo",
        seed=0,
        n_envs=2,
        learning_rate=3e-4,
        n_steps=16,
        batch_size=32,
        policy_kwargs={"net_arch": [32]},
    )
    assert agent.env.num_envs == 2
    assert agent.model.learning_rate == pytest.approx(3e-4)
    assert agent.model.n_steps == 16
    assert agent.hyperparameters["gae_lambda"] == pytest.approx(0.8)  # untouched preset value
    assert agent.backbone_.out_features == 32  # first layer of net_arch -> backbone
    assert agent.hyperparameters["policy_kwargs"]["net_arch"] == []


def test_unknown_env_gets_derived_defaults_and_keeps_overrides():
    agent = Agent(GridWorldEnv, algo="ppo", seed=0, n_steps=64, batch_size=32)
    assert not agent.tuned
    assert agent.model.gamma == pytest.approx(0.99)  # no time limit known
    assert agent.env.num_envs == 8 and agent.model.n_epochs == 20  # auto_defaults' PPO
    assert agent.model.n_steps == 64 and agent.model.batch_size == 32  # the overrides


def test_stop_reward_stops_training_early():
    agent = Agent("CartPole-v1", algo="ppo", seed=0, n_envs=2, n_steps=16, batch_size=32)
    agent.learn(4096, eval_freq=64, eval_episodes=1, stop_reward=1.0, progress_bar=False)
    assert agent.evaluations_ and agent.evaluations_[0]["mean_return"] >= 1.0
    assert agent.num_timesteps < 4096
    with pytest.raises(ValueError, match="eval_freq"):
        agent.learn(64, stop_reward=1.0)
    with pytest.raises(ValueError, match="positive int"):
        agent.learn(0)


def test_log_dir_gets_an_episode_csv(tmp_path):
    agent = Agent("CartPole-v1", algo="ppo", seed=0, n_envs=2, n_steps=64, batch_size=64)
    agent.learn(256, log_dir=tmp_path, progress_bar=False)
    lines = (tmp_path / "episodes.csv").read_text().splitlines()
    assert lines[0] == "timesteps,episode,episode_return,episode_length,time_s"
    assert len(lines) == len(agent.history_) + 1 > 1


def test_instance_env_with_several_copies():
    agent = Agent(GridWorldEnv(size=3), algo="dqn", seed=0, n_envs=2, learning_starts=10)
    agent.learn(64, progress_bar=False)
    assert agent.env.num_envs == 2 and agent.num_timesteps >= 64


def _same_state(a: torch.nn.Module, b: torch.nn.Module) -> bool:
    sa, sb = a.state_dict(), b.state_dict()
    return sa.keys() == sb.keys() and all(torch.equal(sa[k], sb[k]) for k in sa)


def test_frozen_pretrained_backbone_keeps_its_weights():
    given = create_backbone("mlp", in_shape=(2,), hidden=(16,))
    before = {k: v.clone() for k, v in given.state_dict().items()}
    agent = Agent(
        GridWorldEnv,
        algo="ppo",
        backbone=given,
        freeze_backbone=True,
        seed=0,
        n_steps=64,
        batch_size=32,
    )
    assert _same_state(agent.backbone_, given)  # SB3's orthogonal init did not overwrite it
    agent.learn(256, progress_bar=False)
    assert _same_state(agent.backbone_, given)
    assert agent.backbone_ is not given
    assert all(torch.equal(before[k], v) for k, v in given.state_dict().items())
    assert not any(p.requires_grad for p in agent.backbone_.parameters())


def test_unfrozen_backbone_from_a_file_is_fine_tuned(tmp_path):
    given = create_backbone("mlp", in_shape=(2,), hidden=(16,))
    path = save_backbone(given, tmp_path / "bb.safetensors")
    agent = Agent(GridWorldEnv, algo="ppo", backbone=path, seed=0, n_steps=64, batch_size=32)
    assert _same_state(agent.backbone_, given)
    agent.learn(256, progress_bar=False)
    assert not _same_state(agent.backbone_, given)


def test_backbone_of_the_wrong_shape_names_the_observation_space():
    wrong = create_backbone("mlp", in_shape=(7,), hidden=(8,))
    with pytest.raises(ValueError, match="observation space"):
        Agent("CartPole-v1", algo="ppo", backbone=wrong)


def test_small_image_env_uses_the_library_cnn():
    agent = Agent(
        "paradigms.reinforcement.envs:PixelCatchEnv", algo="ppo", seed=0, n_steps=32, batch_size=32
    )
    assert agent.backbone_.config.name == "cnn"
    assert agent.backbone_.in_shape == (1, 10, 10)
    agent.learn(64, progress_bar=False)
    assert agent.num_timesteps >= 64


def _predictions(agent: Agent, n: int = 8) -> np.ndarray:
    space = agent.source.factory().observation_space
    space.seed(0)
    obs = np.stack([space.sample() for _ in range(n)])
    return agent.predict(obs)[0]


@pytest.mark.parametrize(
    ("env", "algo", "kwargs"),
    [
        ("MountainCarContinuous-v0", "ppo", {"n_steps": 64, "batch_size": 64}),  # VecNormalize
        ("Pendulum-v1", "sac", {"learning_starts": 32, "buffer_size": 1000}),
        ("CartPole-v1", "dqn", {"learning_starts": 32, "train_freq": 8, "gradient_steps": 2}),
    ],
)
def test_save_load_round_trip(tmp_path, env, algo, kwargs):
    agent = Agent(env, algo=algo, seed=0, n_envs=1, **kwargs).learn(128, progress_bar=False)
    agent.save(tmp_path / "agent")
    assert sorted(p.name for p in (tmp_path / "agent").iterdir()) == [
        "agent.json",
        "agent.safetensors",
    ]
    loaded = Agent.load(tmp_path / "agent")
    assert _same_state(loaded.policy, agent.policy)
    assert loaded.num_timesteps == agent.num_timesteps
    assert loaded.history_ == agent.history_
    np.testing.assert_array_equal(_predictions(loaded), _predictions(agent))
    if agent.hyperparameters.get("normalize"):
        np.testing.assert_allclose(loaded.env.obs_rms.mean, agent.env.obs_rms.mean)
        np.testing.assert_allclose(loaded.env.obs_rms.var, agent.env.obs_rms.var)
    if algo in ("sac", "dqn"):  # the replay buffer is not saved: refill it before updates
        assert loaded.model.learning_starts == agent.num_timesteps + kwargs["learning_starts"]
    loaded.learn(64, progress_bar=False)  # optimizer state restored: training continues
    assert loaded.num_timesteps >= agent.num_timesteps + 64


def test_sac_entropy_coefficient_is_saved(tmp_path):
    agent = Agent("Pendulum-v1", algo="sac", seed=0, learning_starts=16, buffer_size=500)
    agent.learn(64, progress_bar=False)
    agent.save(tmp_path / "sac")
    loaded = Agent.load(tmp_path / "sac")
    assert torch.equal(loaded.model.log_ent_coef, agent.model.log_ent_coef)


def test_load_refuses_damaged_or_missing_files(tmp_path, cartpole_agent: Agent):
    with pytest.raises(ValueError, match="no saved agent"):
        Agent.load(tmp_path / "nothing")
    folder = cartpole_agent.save(tmp_path / "a")
    config = json.loads((folder / "agent.json").read_text())
    assert config["format"] == "paradigms-agent" and config["algo"] == "ppo"
    assert config["env"] == "CartPole-v1"
    blob = bytearray((folder / "agent.safetensors").read_bytes())
    blob[-1] ^= 0xFF
    (folder / "agent.safetensors").write_bytes(bytes(blob))
    with pytest.raises(ValueError, match="SHA-256"):
        Agent.load(folder)


def test_env_given_as_instance_is_passed_again_to_train_on_load(tmp_path):
    agent = Agent(GridWorldEnv(size=3), algo="ppo", seed=0, n_steps=32, batch_size=32)
    folder = agent.save(tmp_path / "grid")
    loaded = Agent.load(folder, env=GridWorldEnv(size=3))
    assert _same_state(loaded.policy, agent.policy) and not loaded.inference_only
    with pytest.raises(ValueError, match=r"observation_space|action_space"):
        Agent.load(folder, env="CartPole-v1")


def _pendulum_without_id() -> gym.Env:
    from gymnasium.envs.classic_control import PendulumEnv

    return gym.wrappers.TimeLimit(PendulumEnv(), 200)  # no spec: the id cannot be saved


@pytest.mark.parametrize(
    ("make_env", "algo", "kwargs"),
    [
        (lambda: GridWorldEnv(size=3), "ppo", {"n_steps": 32, "batch_size": 32}),
        (lambda: PixelCatchEnv(), "dqn", {"learning_starts": 10, "buffer_size": 100}),
        (_pendulum_without_id, "sac", {"learning_starts": 10, "buffer_size": 100}),
    ],
)
def test_load_without_the_env_predicts_from_the_saved_spaces(tmp_path, make_env, algo, kwargs):
    agent = Agent(make_env(), algo=algo, seed=0, **kwargs).learn(64, progress_bar=False)
    folder = agent.save(tmp_path / "agent")
    loaded = Agent.load(folder)  # no env: SB3-style inference from the saved spaces
    assert loaded.inference_only
    assert loaded.env.observation_space == agent.env.observation_space
    assert loaded.env.action_space == agent.env.action_space
    probe = make_env()
    observations = np.stack([probe.observation_space.sample() for _ in range(16)])
    np.testing.assert_allclose(loaded.predict(observations)[0], agent.predict(observations)[0])
    for call, what in (
        (lambda: loaded.learn(10), "learn"),
        (lambda: loaded.evaluate(1), "evaluate"),
    ):
        with pytest.raises(ValueError, match=rf"predict but not {what}.*Agent.load\(path, env="):
            call()
    assert repr(loaded).startswith(f"Agent(env={agent.source.name!r}")  # the saved name
    agent.close()
    loaded.close()


def test_load_without_the_env_refuses_spaces_it_cannot_rebuild(tmp_path):
    agent = Agent(GridWorldEnv(size=3), algo="ppo", seed=0, n_steps=32, batch_size=32)
    folder = agent.save(tmp_path / "grid")
    config = json.loads((folder / "agent.json").read_text())
    del config["observation_space"]["low"]  # as written before bounds were recorded
    (folder / "agent.json").write_text(json.dumps(config))
    with pytest.raises(ValueError, match=r"cannot be rebuilt.*Agent.load\(path, env=MyEnv\(\)\)"):
        Agent.load(folder)


def test_unsaveable_override_is_explained(tmp_path):
    agent = Agent("CartPole-v1", algo="ppo", seed=0, learning_rate=lambda p: 1e-3 * p)
    with pytest.raises(ValueError, match=r"lin_0\.001"):
        agent.save(tmp_path / "x")


def test_reward_threshold_comes_from_the_registry(cartpole_agent: Agent):
    assert cartpole_agent.reward_threshold == pytest.approx(475.0)
    assert math.isfinite(cartpole_agent.reward_threshold)


def test_fewer_envs_than_the_preset_shrink_ppos_batch_to_one_rollout():
    agent = Agent("CartPole-v1", algo="ppo", seed=0, n_envs=2)  # preset: 8 envs x 32, batch 256
    assert agent.model.batch_size == 64
    agent = Agent("CartPole-v1", algo="ppo", seed=0, n_envs=2, batch_size=32)
    assert agent.model.batch_size == 32


def test_tensorboard_without_the_package_says_how_to_install(monkeypatch):
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "tensorboard" else real(name)
    )
    with pytest.raises(ValueError, match=r"paradigms\[tensorboard\]"):
        Agent("CartPole-v1", algo="ppo", tensorboard_log="runs/tb")


@pytest.mark.slow
def test_subprocess_workers(tmp_path):
    agent = Agent("CartPole-v1", algo="ppo", seed=0, n_envs=2, vec_env="subproc", n_steps=32)
    try:
        agent.learn(128, progress_bar=False)
        assert agent.env.num_envs == 2 and agent.num_timesteps >= 128
        assert type(agent.env).__name__ == "SubprocVecEnv"
    finally:
        agent.close()
    with pytest.raises(ValueError, match="vec_env"):
        Agent("CartPole-v1", algo="ppo", vec_env="threads")


def test_a_timm_backbone_drives_a_policy_on_small_images(tmp_path):
    agent = Agent(
        PixelCatchEnv, algo="ppo", backbone="timm:test_resnet", seed=0, n_steps=16, batch_size=16
    )
    agent.learn(32, progress_bar=False)
    assert agent.backbone_.config.name == "timm:test_resnet"
    loaded = Agent.load(agent.save(tmp_path / "timm"))
    assert _same_state(loaded.policy, agent.policy)


class _SpaceEnv(gym.Env):
    """Observations drawn (seeded) from ``observation_space``; 10 steps of reward 1."""

    action_space = gym.spaces.Discrete(2)

    def __init__(self, observation_space: gym.Space) -> None:
        self.observation_space = observation_space
        self._t = 0

    def reset(self, *, seed: int | None = None, options: dict | None = None):
        super().reset(seed=seed)
        self.observation_space.seed(seed)
        self._t = 0
        return self.observation_space.sample(), {}

    def step(self, action):
        self._t += 1
        return self.observation_space.sample(), 1.0, self._t >= 10, False, {}


@pytest.mark.parametrize(
    ("space", "in_features"),
    [
        (gym.spaces.MultiDiscrete([3, 4]), 7),  # one-hot per dimension
        (gym.spaces.MultiBinary(5), 5),
        (gym.spaces.MultiBinary([2, 3]), 6),
    ],
)
def test_multi_discrete_and_binary_observations_train_save_and_load(space, in_features, tmp_path):
    def make_env() -> gym.Env:
        return _SpaceEnv(space)

    agent = Agent(make_env, algo="ppo", seed=0, n_steps=64, batch_size=64)
    assert agent.backbone_.in_shape == (in_features,)
    agent.learn(128, progress_bar=False)
    assert agent.evaluate(n_episodes=1) == (10.0, 0.0)
    agent.save(tmp_path / "agent")
    loaded = Agent.load(tmp_path / "agent", env=make_env)
    obs = space.sample()
    assert loaded.predict(obs)[0] == agent.predict(obs)[0]
