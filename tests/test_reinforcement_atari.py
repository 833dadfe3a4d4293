"""Atari: the zoo's preprocessing and presets for ALE ids, the Nature CNN, clear errors."""

from __future__ import annotations

import importlib.util

import gymnasium as gym
import numpy as np
import pytest
import torch

from paradigms.backbones import create_backbone
from paradigms.reinforcement import Agent, GridWorldEnv, get_preset, record_episode
from paradigms.reinforcement.atari import StackLastFrames, is_atari, register_atari_envs

pytest.importorskip("ale_py")
pytest.importorskip("cv2")

PONG = "ALE/Pong-v5"


@pytest.fixture(scope="module")
def pong() -> Agent:
    agent = Agent(PONG, algo="ppo", seed=0, n_envs=2, n_steps=32, batch_size=64)
    return agent.learn(128, progress_bar=False)


def test_ale_ids_get_the_zoo_preprocessing_and_preset(pong: Agent):
    assert pong.tuned and is_atari(PONG)
    assert pong.env.observation_space.shape == (84, 84, 4)  # AtariWrapper + 4-frame stack
    assert pong.env.observation_space.dtype == np.uint8
    assert pong.backbone_.config.name == "nature_cnn" and pong.backbone_.in_shape == (4, 84, 84)
    hyper = pong.hyperparameters
    assert hyper["frame_stack"] == 4 and hyper["atari_wrapper"] is True
    assert hyper["n_epochs"] == 4 and hyper["ent_coef"] == 0.01  # zoo's atari entry
    assert pong.model.clip_range(1.0) == pytest.approx(0.1)
    factory = pong.env.envs[0].unwrapped
    assert factory._frameskip == 1  # AtariWrapper skips 4 frames itself, not 4 x 4


def test_evaluation_plays_whole_games_with_unclipped_returns(pong: Agent):
    mean, _ = pong.evaluate(1)
    assert -21.0 <= mean <= 21.0 and float(mean).is_integer()


def test_dqn_and_a2c_presets_and_save_load(tmp_path):
    dqn = get_preset(PONG, "dqn")
    assert dqn["buffer_size"] == 100_000 and dqn["target_update_interval"] == 1000
    a2c = Agent(PONG, algo="a2c", seed=0, n_envs=2)
    assert type(a2c.model.policy.optimizer).__name__ == "RMSpropTFLike"
    a2c.learn(20, progress_bar=False)
    a2c.save(tmp_path / "a2c")
    loaded = Agent.load(tmp_path / "a2c")
    obs = a2c.env.reset()
    assert np.array_equal(a2c.predict(obs)[0], loaded.predict(obs)[0])
    assert loaded.env.observation_space.shape == (84, 84, 4)


def test_recording_sees_the_frames_the_policy_was_trained_on(pong: Agent, tmp_path):
    recording = record_episode(pong, tmp_path / "pong.gif", max_steps=40, seed=0)
    assert recording is not None and recording.episode_length == 40
    assert (tmp_path / "pong.gif").stat().st_size > 0


def test_stack_last_frames_matches_vec_frame_stack_order():
    env = StackLastFrames(gym.wrappers.TransformObservation(
        gym.make("ALE/Pong-v5", frameskip=1), lambda o: o[:2, :2, :1],
        gym.spaces.Box(0, 255, (2, 2, 1), np.uint8),
    ), 3)  # fmt: skip
    first, _ = env.reset(seed=0)
    assert first.shape == (2, 2, 3) and not first[..., :2].any()  # zeros before the 1st frame
    second, *_ = env.step(0)
    assert np.array_equal(second[..., 1], first[..., 2])  # the newest frame is last


def test_atari_wrapper_needs_an_ale_id():
    with pytest.raises(ValueError, match="registered ALE id"):
        Agent(GridWorldEnv, algo="ppo", atari_wrapper=True)


def test_missing_ale_py_names_the_extra(monkeypatch):
    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "ale_py" else real(name, *a)
    )
    with pytest.raises(ValueError, match=r"paradigms\[atari\]"):
        register_atari_envs("ALE/NoSuchGame-v5")
    assert register_atari_envs("MyEnv-v0") is False  # not an Atari name: no error


def test_nature_cnn_reads_stacked_frames_and_refuses_small_images():
    net = create_backbone("nature_cnn", (4, 84, 84))
    assert net(torch.zeros(3, 4, 84, 84)).shape == (3, 512)
    with pytest.raises(ValueError, match="at least 36x36"):
        create_backbone("nature_cnn", (1, 16, 16))


def test_atari_policy_exports_with_frame_preprocessing_inside(pong: Agent, tmp_path):
    onnxruntime = pytest.importorskip("onnxruntime")
    result = pong.export_onnx(tmp_path / "pong.onnx")
    assert result.input_shape == (84, 84, 4)  # stacked grey frames, as the env gives them
    frames = pong.env.reset()  # (n_envs, 84, 84, 4) uint8
    for _ in range(20):
        frames, *_ = pong.env.step(pong.predict(frames)[0])
    session = onnxruntime.InferenceSession(str(result.path), providers=["CPUExecutionProvider"])
    actions = session.run(None, {"observation": frames})[0]
    assert np.array_equal(actions, pong.predict(frames)[0])
