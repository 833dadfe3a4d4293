"""Tests for the tuned stable-baselines3 hyperparameter presets in paradigms.reinforcement."""

from __future__ import annotations

import importlib.util
import inspect
import pickle
from typing import Any

import gymnasium as gym
import numpy as np
import pytest
import stable_baselines3 as sb3
from stable_baselines3.common.env_util import make_vec_env
from stable_baselines3.common.noise import NormalActionNoise, OrnsteinUhlenbeckActionNoise
from torch import nn

from paradigms.reinforcement.algorithms import policy_name
from paradigms.reinforcement.presets import (
    ALGORITHMS,
    PRESETS_SOURCE,
    RESERVED_KEYS,
    LinearSchedule,
    activation_class,
    get_preset,
    has_preset,
    list_presets,
    parse_schedule,
)

CLASSES: dict[str, type[Any]] = {
    "ppo": sb3.PPO,
    "a2c": sb3.A2C,
    "dqn": sb3.DQN,
    "sac": sb3.SAC,
    "td3": sb3.TD3,
}
if importlib.util.find_spec("sb3_contrib") is not None:  # the contrib extra (in dev)
    import sb3_contrib

    CLASSES.update(
        tqc=sb3_contrib.TQC,
        qrdqn=sb3_contrib.QRDQN,
        maskableppo=sb3_contrib.MaskablePPO,
        recurrentppo=sb3_contrib.RecurrentPPO,
    )
CLASSIC_CONTROL = (
    "CartPole-v1",
    "Acrobot-v1",
    "MountainCar-v0",
    "MountainCarContinuous-v0",
    "Pendulum-v1",
)
SCHEDULE_KEYS = ("learning_rate", "clip_range", "clip_range_vf")
HAS_BOX2D = importlib.util.find_spec("Box2D") is not None

TUNED = [
    (env_id, algo) for env_id, algos in list_presets().items() for algo in algos if algo in CLASSES
]
TUNED_CLASSIC = [(env_id, algo) for env_id, algo in TUNED if env_id in CLASSIC_CONTROL]


def _constructor_args(algo: str) -> set[str]:
    params = inspect.signature(CLASSES[algo].__init__).parameters
    return set(params) - {"self", "policy", "env"}


def test_coverage_table() -> None:
    mujoco = {
        f"{task}-{version}": ("sac", "td3", "tqc")
        for task in ("HalfCheetah", "Hopper", "Walker2d", "Ant")
        for version in ("v4", "v5")  # the zoo's -v4 values, also for -v5
    }
    assert list_presets() == {
        "CartPole-v1": ("ppo", "a2c", "dqn", "qrdqn"),
        "Acrobot-v1": ("ppo", "a2c", "dqn", "qrdqn", "recurrentppo"),
        "MountainCar-v0": ("ppo", "a2c", "dqn", "qrdqn"),
        "MountainCarContinuous-v0": ("ppo", "a2c", "sac", "td3", "tqc"),
        "Pendulum-v1": ("ppo", "a2c", "sac", "td3", "tqc"),
        "LunarLander-v3": ("ppo", "a2c", "dqn", "qrdqn"),
        **mujoco,
    }
    assert all(set(algos) <= set(ALGORITHMS) for algos in list_presets().values())


def test_source_cites_the_zoo() -> None:
    assert "rl-baselines3-zoo" in PRESETS_SOURCE
    assert "https://github.com/DLR-RM/rl-baselines3-zoo" in PRESETS_SOURCE


@pytest.mark.parametrize(("env_id", "algo"), TUNED)
def test_non_reserved_keys_are_constructor_arguments(env_id: str, algo: str) -> None:
    preset = get_preset(env_id, algo)
    extra = set(preset) - set(RESERVED_KEYS)
    assert extra, f"{env_id}/{algo} has no tuned constructor arguments"
    assert extra <= _constructor_args(algo), extra - _constructor_args(algo)


@pytest.mark.parametrize(("env_id", "algo"), TUNED)
def test_reserved_keys_are_well_formed(env_id: str, algo: str) -> None:
    preset = get_preset(env_id, algo)
    assert "_notes" not in preset
    assert set(RESERVED_KEYS) <= set(preset)
    assert isinstance(preset["n_envs"], int) and preset["n_envs"] >= 1
    assert isinstance(preset["n_timesteps"], int) and preset["n_timesteps"] > 0
    assert isinstance(preset["normalize"], (bool, dict))
    assert isinstance(preset["policy_kwargs"], dict)
    noise = preset["action_noise"]
    if noise is not None:
        assert algo in ("sac", "td3")
        assert noise["type"] in ("normal", "ornstein-uhlenbeck")
        assert isinstance(noise["sigma"], float) and noise["sigma"] > 0
    for key in SCHEDULE_KEYS:
        if key in preset:
            parse_schedule(preset[key])  # must not raise


@pytest.mark.parametrize(("env_id", "algo"), TUNED)
def test_algorithms_match_action_space(env_id: str, algo: str) -> None:
    if env_id.startswith("LunarLander") and not HAS_BOX2D:
        pytest.skip("Box2D is not installed")
    env = gym.make(env_id)
    try:
        space = env.action_space
    finally:
        env.close()
    if algo == "dqn":
        assert isinstance(space, gym.spaces.Discrete)
    if algo in ("sac", "td3"):
        assert isinstance(space, gym.spaces.Box)


def test_cartpole_ppo_matches_the_zoo() -> None:
    preset = get_preset("CartPole-v1", "ppo")
    assert preset["n_envs"] == 8
    assert preset["n_timesteps"] == 100_000
    assert preset["normalize"] is False
    assert preset["n_steps"] == 32
    assert preset["batch_size"] == 256
    assert preset["gae_lambda"] == 0.8
    assert preset["gamma"] == 0.98
    assert preset["n_epochs"] == 20
    assert preset["ent_coef"] == 0.0
    assert parse_schedule(preset["learning_rate"]) == LinearSchedule(0.001)
    assert parse_schedule(preset["clip_range"]) == LinearSchedule(0.2)


def test_td3_noise_and_net_arch_were_converted() -> None:
    preset = get_preset("Pendulum-v1", "td3")
    assert preset["action_noise"] == {"type": "normal", "sigma": 0.1}
    assert preset["policy_kwargs"] == {"net_arch": [400, 300]}
    ou = get_preset("MountainCarContinuous-v0", "td3")["action_noise"]
    assert ou == {"type": "ornstein-uhlenbeck", "sigma": 0.5}


def test_parse_schedule() -> None:
    assert parse_schedule(3e-4) == 3e-4
    assert parse_schedule(7) == 7
    schedule = parse_schedule("lin_0.001")
    assert isinstance(schedule, LinearSchedule)
    assert schedule(1.0) == pytest.approx(0.001)
    assert schedule(0.5) == pytest.approx(0.0005)
    assert schedule(0.0) == 0.0
    assert parse_schedule("lin_1e-3") == LinearSchedule(0.001)
    assert repr(schedule) == "LinearSchedule(initial=0.001)"
    restored = pickle.loads(pickle.dumps(schedule))
    assert restored == schedule and restored(0.5) == pytest.approx(0.0005)


@pytest.mark.parametrize("bad", ["0.001", "lin_", "lin_abc", "exp_0.1", "lin_nan", True, None])
def test_parse_schedule_rejects(bad: Any) -> None:
    with pytest.raises(ValueError, match="lin_<float>"):
        parse_schedule(bad)


def test_unknown_algorithm_raises() -> None:
    with pytest.raises(ValueError, match="ppo, a2c, dqn, sac, td3"):
        get_preset("CartPole-v1", "trpo")
    with pytest.raises(ValueError, match="unknown algorithm 'DDPG'"):
        has_preset("CartPole-v1", "DDPG")
    assert has_preset("CartPole-v1", "PPO")  # names are case-insensitive, as for Agent


@pytest.mark.parametrize("env_id", [None, "NoSuchEnv-v0", "CartPole-v0", "CartPole"])
def test_unknown_env_returns_defaults(env_id: str | None) -> None:
    for algo in ALGORITHMS:
        assert not has_preset(env_id, algo)
        assert get_preset(env_id, algo) == {
            "n_envs": 1,
            "n_timesteps": 100_000,
            "normalize": False,
            "policy_kwargs": {},
            "action_noise": None,
            "frame_stack": None,
            "atari_wrapper": False,
            "critic_warmup": None,
        }


def test_has_preset_is_per_algorithm() -> None:
    assert has_preset("CartPole-v1", "ppo")
    assert not has_preset("CartPole-v1", "sac")
    assert not has_preset("Pendulum-v1", "dqn")


def test_get_preset_returns_independent_copies() -> None:
    first = get_preset("MountainCar-v0", "dqn")
    first["policy_kwargs"]["net_arch"].append(1)
    first["gamma"] = 0.0
    second = get_preset("MountainCar-v0", "dqn")
    assert second["policy_kwargs"]["net_arch"] == [256, 256]
    assert second["gamma"] == 0.98
    defaults = get_preset(None, "ppo")
    defaults["policy_kwargs"]["net_arch"] = [1]
    assert get_preset(None, "ppo")["policy_kwargs"] == {}
    assert "net_arch" not in get_preset(None, "ppo")["policy_kwargs"]


def test_activation_class() -> None:
    assert activation_class("relu") is nn.ReLU
    assert activation_class("tanh") is nn.Tanh
    assert activation_class("elu") is nn.ELU
    assert activation_class("leaky_relu") is nn.LeakyReLU
    assert activation_class("gelu") is nn.GELU
    assert activation_class("silu") is nn.SiLU
    with pytest.raises(ValueError, match="relu, tanh"):
        activation_class("ReLU")


@pytest.mark.parametrize(("env_id", "algo"), TUNED)
def test_policy_kwargs_activations_are_known(env_id: str, algo: str) -> None:
    name = get_preset(env_id, algo)["policy_kwargs"].get("activation_fn")
    if name is not None:
        assert issubclass(activation_class(name), nn.Module)


def _build_kwargs(preset: dict[str, Any], n_actions: int) -> dict[str, Any]:
    kwargs = {key: value for key, value in preset.items() if key not in RESERVED_KEYS}
    for key in SCHEDULE_KEYS:
        if key in kwargs:
            kwargs[key] = parse_schedule(kwargs[key])
    policy_kwargs = dict(preset["policy_kwargs"])
    if "activation_fn" in policy_kwargs:
        policy_kwargs["activation_fn"] = activation_class(policy_kwargs["activation_fn"])
    kwargs["policy_kwargs"] = policy_kwargs
    noise = preset["action_noise"]
    if noise is not None:
        noise_cls = NormalActionNoise if noise["type"] == "normal" else OrnsteinUhlenbeckActionNoise
        kwargs["action_noise"] = noise_cls(
            mean=np.zeros(n_actions), sigma=noise["sigma"] * np.ones(n_actions)
        )
    return kwargs


@pytest.mark.filterwarnings("ignore:You have specified a mini-batch size:UserWarning")
@pytest.mark.parametrize(("env_id", "algo"), TUNED_CLASSIC)
def test_sb3_model_constructs(env_id: str, algo: str) -> None:
    preset = get_preset(env_id, algo)
    env = make_vec_env(env_id, n_envs=preset["n_envs"], seed=0)
    try:
        shape = env.action_space.shape
        n_actions = int(shape[0]) if shape else 1
        policy = policy_name(algo, dict_observations=False)  # RecurrentPPO: "MlpLstmPolicy"
        model = CLASSES[algo](policy, env, device="cpu", **_build_kwargs(preset, n_actions))
        assert model.n_envs == preset["n_envs"]
        if "gamma" in preset:
            assert model.gamma == preset["gamma"]
        if isinstance(preset.get("learning_rate"), str):
            assert model.lr_schedule(1.0) == pytest.approx(float(preset["learning_rate"][4:]))
    finally:
        env.close()
