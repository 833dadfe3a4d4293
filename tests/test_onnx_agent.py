"""An agent's policy as ONNX: observation in, action out, with the preprocessing inside the
graph; the file's actions equal ``predict``'s; the CLI exports run directories."""

from __future__ import annotations

import json

import gymnasium as gym
import numpy as np
import onnxruntime
import pytest
from gymnasium import spaces

from paradigms.cli import main
from paradigms.reinforcement import Agent, PixelCatchEnv

TINY = {"num_threads": 1}


def env_observations(make_env, n: int = 64, seed: int = 1) -> np.ndarray:
    """Observations of random play, as the env returns them."""
    env = make_env()
    observation, _ = env.reset(seed=seed)
    seen = []
    for _ in range(n):
        seen.append(observation)
        observation, _, terminated, truncated, _ = env.step(env.action_space.sample())
        if terminated or truncated:
            observation, _ = env.reset()
    env.close()
    return np.stack(seen)


def onnx_actions(path, observations):
    session = onnxruntime.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    (entry,) = session.get_inputs()
    dtype = np.uint8 if entry.type == "tensor(uint8)" else np.float32
    return session.run(None, {"observation": observations.astype(dtype)})[0]


@pytest.mark.parametrize(
    "env, algo, options",
    [
        ("CartPole-v1", "ppo", {"n_steps": 32, "batch_size": 32, "n_epochs": 1}),
        ("CartPole-v1", "dqn", {"learning_starts": 0}),
        ("CartPole-v1", "a2c", {"normalize": True}),  # VecNormalize's statistics in the graph
        ("Pendulum-v1", "sac", {"learning_starts": 50}),  # tanh output rescaled to the bounds
        ("Pendulum-v1", "td3", {"learning_starts": 50}),
        ("Pendulum-v1", "ppo", {"n_steps": 64, "batch_size": 64}),  # gSDE preset; clipped
    ],
)
def test_exported_policy_acts_as_predict(tmp_path, env, algo, options):
    agent = Agent(env, algo=algo, seed=0, **TINY, **options).learn(128)
    result = agent.export_onnx(tmp_path / "policy.onnx")
    assert (result.input_name, result.output_names) == ("observation", ("action",))
    observations = env_observations(lambda: gym.make(env))
    actions = onnx_actions(result.path, observations)
    expected, _ = agent.predict(observations, deterministic=True)
    if isinstance(agent.model.action_space, spaces.Discrete):
        assert actions.dtype == np.int64 and np.array_equal(actions, expected)
    else:
        assert actions.shape == expected.shape
        np.testing.assert_allclose(actions, expected, atol=1e-5)
        assert (actions >= -2).all() and (actions <= 2).all()  # Pendulum's torque bounds
    agent.close()


@pytest.mark.parametrize("frozen", [False, True])
def test_image_policy_reads_uint8_channel_last_frames(tmp_path, frozen):
    agent = Agent(PixelCatchEnv, algo="ppo", seed=0, n_steps=32, freeze_backbone=frozen, **TINY)
    agent.learn(64)
    result = agent.export_onnx(tmp_path / "pixels.onnx")
    assert result.input_shape == (10, 10, 1)  # as the env returns frames
    frames = env_observations(PixelCatchEnv)
    assert frames.dtype == np.uint8
    assert np.array_equal(onnx_actions(result.path, frames), agent.predict(frames)[0])
    agent.save(tmp_path / "saved")
    loaded = Agent.load(tmp_path / "saved")  # predict-only, rebuilt from the saved spaces
    again = loaded.export_onnx(tmp_path / "loaded.onnx")
    assert np.array_equal(onnx_actions(again.path, frames), agent.predict(frames)[0])


def test_dict_observations_are_refused_with_the_reason(tmp_path, two_entry_dict_env):
    agent = Agent(two_entry_dict_env, algo="ppo", seed=0, check_env=False, n_steps=32, **TINY)
    with pytest.raises(ValueError, match=r"Dict observations.*backbones_"):
        agent.export_onnx(tmp_path / "dict.onnx")
    with pytest.raises(ValueError, match=r"ending in \.onnx"):
        Agent("CartPole-v1", algo="ppo", seed=0, **TINY).export_onnx(tmp_path / "p.zip")


def test_cli_exports_rl_and_supervised_runs(tmp_path, capsys):
    rl = tmp_path / "rl"
    args = ["rl", "--env", "CartPole-v1", "--timesteps", "256", "--eval-episodes", "1"]
    assert main([*args, "--out", str(rl), "--no-progress"]) == 0
    supervised = tmp_path / "sup"
    args = ["supervised", "--dataset", "wine", "--max-epochs", "2", "--no-progress"]
    assert main([*args, "--out", str(supervised)]) == 0
    regression = tmp_path / "reg"
    args = ["supervised", "--dataset", "diabetes", "--max-epochs", "2", "--no-progress"]
    assert main([*args, "--out", str(regression)]) == 0
    capsys.readouterr()

    assert main(["export", str(rl)]) == 0
    assert "observation (batch, 4) -> action" in capsys.readouterr().out
    agent = Agent.load(rl / "agent")
    states = env_observations(lambda: gym.make("CartPole-v1"))
    assert np.array_equal(onnx_actions(rl / "model.onnx", states), agent.predict(states)[0])

    out = tmp_path / "wine.onnx"
    assert main(["export", str(supervised), "--out", str(out)]) == 0
    assert "input (batch, 13) -> logits, probabilities" in capsys.readouterr().out
    session = onnxruntime.InferenceSession(str(out), providers=["CPUExecutionProvider"])
    classes = json.loads(session.get_modelmeta().custom_metadata_map["classes"])
    assert sorted(classes) == [0, 1, 2]
    assert main(["export", str(regression)]) == 0
    assert "-> prediction" in capsys.readouterr().out

    assert main(["export", str(tmp_path)]) == 2  # a folder of runs: which one?
    err = capsys.readouterr().err
    assert "holds nothing to export" in err and "reg, rl, sup" in err
