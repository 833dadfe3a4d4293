"""``Agent.load("model.zip", env=...)``: SB3 files read without unpickling, predicting as SB3.

Each case trains an SB3 model briefly with SB3 itself (so its optimizer state is not
trivial), saves it, loads it with SB3 (a file this test wrote, so trusted) and with paradigms,
and compares the actions on the same observations.
"""

from __future__ import annotations

import base64
import json
import pickle
import warnings
import zipfile
from pathlib import Path

import gymnasium as gym
import numpy as np
import pytest
import torch
from stable_baselines3 import A2C, DQN, PPO, SAC, TD3

from paradigms.reinforcement import Agent, SB3ImportWarning
from paradigms.reinforcement.envs import PixelCatchEnv
from paradigms.reinforcement.sb3_archive import SB3Archive
from paradigms.reinforcement.sb3_fields import space_description


def _pixel_catch() -> PixelCatchEnv:
    return PixelCatchEnv(size=36)  # NatureCNN's smallest image


CASES = {
    "ppo-mlp-relu": (PPO, "MlpPolicy", "CartPole-v1", {
        "n_steps": 32, "batch_size": 16, "n_epochs": 2,
        "policy_kwargs": {"activation_fn": torch.nn.ReLU, "net_arch": {"pi": [32, 16], "vf": [32]}},
    }),
    "ppo-continuous": (PPO, "MlpPolicy", "Pendulum-v1", {
        "n_steps": 32, "batch_size": 32, "n_epochs": 1,
    }),
    "a2c": (A2C, "MlpPolicy", "CartPole-v1", {"n_steps": 8}),
    "dqn": (DQN, "MlpPolicy", "CartPole-v1", {"learning_starts": 8, "buffer_size": 200}),
    "sac-sde": (SAC, "MlpPolicy", "Pendulum-v1", {
        "learning_starts": 8, "buffer_size": 200, "batch_size": 16, "use_sde": True,
        "policy_kwargs": {"net_arch": {"pi": [32], "qf": [16, 8]}},
    }),
    "td3": (TD3, "MlpPolicy", "Pendulum-v1", {
        "learning_starts": 8, "buffer_size": 200, "batch_size": 16,
        "policy_kwargs": {"net_arch": [32, 16]},
    }),
    "ppo-cnn": (PPO, "CnnPolicy", _pixel_catch, {"n_steps": 16, "batch_size": 16, "n_epochs": 1}),
}  # fmt: skip


def _make(env: object) -> gym.Env:
    return gym.make(env) if isinstance(env, str) else env()  # type: ignore[operator]


def _sb3_file(tmp_path: Path, case: str) -> Path:
    cls, policy, env, kwargs = CASES[case]
    model = cls(policy, _make(env), seed=0, **kwargs)
    model.learn(48)
    path = tmp_path / f"{case}.zip"
    model.save(path)
    return path


def _observations(env: object, n: int = 32) -> np.ndarray:
    space = _make(env).observation_space
    space.seed(1)
    return np.stack([space.sample() for _ in range(n)])


@pytest.mark.parametrize("case", sorted(CASES))
def test_an_sb3_file_predicts_as_sb3_does_and_trains_on(tmp_path, case):
    cls, _, env, _ = CASES[case]
    path = _sb3_file(tmp_path, case)
    reference = cls.load(path, device="cpu")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        agent = Agent.load(path, env=env)
    named = [w for w in caught if issubclass(w.category, SB3ImportWarning)]
    # off-policy files pickle train_freq; a large image space prints its bounds truncated
    assert bool(named) == (case in ("dqn", "sac-sde", "td3", "ppo-cnn"))
    assert all(note in str(named[0].message) for note in agent.sb3_notes_)
    assert agent.algo == cls.__name__.lower()
    obs = _observations(env)
    expected, _ = reference.predict(obs, deterministic=True)
    actions, _ = agent.predict(obs, deterministic=True)
    np.testing.assert_allclose(np.asarray(actions, float), np.asarray(expected, float), atol=1e-5)
    assert agent.num_timesteps == reference.num_timesteps
    agent.learn(32)  # trains on from the file's state
    saved = Agent.load(agent.save(tmp_path / "converted"), env=env)  # now safetensors + JSON
    np.testing.assert_array_equal(
        saved.predict(obs, deterministic=True)[0], agent.predict(obs, deterministic=True)[0]
    )


def test_the_optimizer_state_comes_with_the_weights(tmp_path):
    path = _sb3_file(tmp_path, "ppo-mlp-relu")
    reference = PPO.load(path, device="cpu")
    agent = Agent.load(path, env="CartPole-v1")
    theirs = reference.policy.optimizer
    ours = agent.model.policy.optimizer
    ref_param = reference.policy.action_net.weight
    our_param = agent.model.policy.action_net.weight
    assert torch.equal(ref_param, our_param)
    assert torch.equal(theirs.state[ref_param]["exp_avg_sq"], ours.state[our_param]["exp_avg_sq"])
    # the first layer moved into a backbone in paradigms' layout; its moments moved with it
    ref_first = reference.policy.mlp_extractor.policy_net[0].weight
    our_first = next(agent.backbones_["observation"].parameters())
    assert torch.equal(ref_first, our_first)
    assert torch.equal(theirs.state[ref_first]["exp_avg"], ours.state[our_first]["exp_avg"])


def test_without_an_env_the_file_predicts_from_its_own_spaces(tmp_path):
    path = _sb3_file(tmp_path, "ppo-continuous")
    agent = Agent.load(path)
    assert agent.inference_only
    obs = _observations("Pendulum-v1")
    expected, _ = PPO.load(path, device="cpu").predict(obs, deterministic=True)
    np.testing.assert_allclose(agent.predict(obs, deterministic=True)[0], expected, atol=1e-6)
    with pytest.raises(ValueError, match="env="):
        agent.learn(10)


def test_values_held_only_as_pickles_are_named(tmp_path):
    model = PPO("MlpPolicy", "Pendulum-v1", n_steps=32, batch_size=32, n_epochs=1,
                learning_rate=lambda progress: 1e-3 * progress, seed=0)  # fmt: skip
    model.learn(64)
    model.save(tmp_path / "lr.zip")
    with pytest.warns(SB3ImportWarning, match="learning_rate"):
        agent = Agent.load(tmp_path / "lr.zip", env="Pendulum-v1")
    last = model.policy.optimizer.param_groups[0]["lr"]
    assert agent.hyperparameters["learning_rate"] == pytest.approx(last)
    assert any("learning_rate" in note for note in agent.sb3_notes_)
    with pytest.warns(SB3ImportWarning, match="train_freq"):
        dqn = Agent.load(_sb3_file(tmp_path, "dqn"), env="CartPole-v1")
    assert any(note.startswith("train_freq") for note in dqn.sb3_notes_)


def _rewrite(path: Path, out: Path, replace: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(out, "w") as dst:
        for name in src.namelist():
            dst.writestr(name, replace.get(name, src.read(name)))
        for name, blob in replace.items():
            if name not in src.namelist():
                dst.writestr(name, blob)
    return out


class _Payload:
    def __init__(self, marker: Path) -> None:
        self.marker = str(marker)

    def __reduce__(self):
        return (open, (self.marker, "w"))


def test_planted_pickles_in_an_sb3_file_never_run(tmp_path):
    path = _sb3_file(tmp_path, "a2c")
    marker = tmp_path / "ran"
    with zipfile.ZipFile(path) as archive:
        data = json.loads(archive.read("data"))
    data["policy_class"][":serialized:"] = base64.b64encode(pickle.dumps(_Payload(marker))).decode()
    in_data = _rewrite(path, tmp_path / "in_data.zip", {"data": json.dumps(data).encode()})
    assert Agent.load(in_data, env="CartPole-v1").algo == "a2c"  # the pickle is skipped unread
    blob = tmp_path / "policy.pth"
    torch.save({"action_net.weight": torch.zeros(2, 64), "x": _Payload(marker)}, blob)
    in_policy = _rewrite(path, tmp_path / "in_policy.zip", {"policy.pth": blob.read_bytes()})
    with pytest.raises(ValueError, match="weights_only"):
        Agent.load(in_policy, env="CartPole-v1")
    in_optimizer = _rewrite(
        path, tmp_path / "in_opt.zip", {"policy.optimizer.pth": blob.read_bytes()}
    )
    with pytest.raises(ValueError, match="refused"):
        Agent.load(in_optimizer, env="CartPole-v1")
    assert not marker.exists()


def test_files_that_are_not_sb3_models_are_refused(tmp_path):
    text = tmp_path / "model.zip"
    text.write_text("not a zip")
    with pytest.raises(ValueError, match="not a zip archive"):
        Agent.load(text)
    empty = tmp_path / "empty.zip"
    with zipfile.ZipFile(empty, "w") as archive:
        archive.writestr("readme.txt", "hello")
    with pytest.raises(ValueError, match=r"no data or policy\.pth"):
        Agent.load(empty)
    path = _sb3_file(tmp_path, "a2c")
    broken = _rewrite(path, tmp_path / "broken.zip", {"data": b"{not json"})
    with pytest.raises(ValueError, match="not JSON"):
        Agent.load(broken)
    with pytest.raises(ValueError, match="does not exist"):
        Agent.load(tmp_path / "missing.zip")


def test_a_file_is_checked_against_the_env_and_the_algorithm(tmp_path):
    path = _sb3_file(tmp_path, "a2c")
    with pytest.raises(ValueError, match="observation_space"):
        Agent.load(path, env="MountainCar-v0")
    with pytest.raises(ValueError, match="written by A2C, not DQN"):
        Agent.load(path, env="CartPole-v1", algo="dqn")
    assert Agent.load(path, env="CartPole-v1", algo="ppo").algo == "ppo"  # one policy layout


def test_networks_paradigms_cannot_rebuild_are_named(tmp_path):
    from stable_baselines3.common.torch_layers import BaseFeaturesExtractor

    class Custom(BaseFeaturesExtractor):
        def __init__(self, space: gym.Space) -> None:
            super().__init__(space, features_dim=8)
            self.linear = torch.nn.Linear(4, 8)

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            return self.linear(x)

    model = PPO("MlpPolicy", "CartPole-v1", n_steps=16, batch_size=16,
                policy_kwargs={"features_extractor_class": Custom})  # fmt: skip
    model.save(tmp_path / "custom.zip")
    with pytest.raises(ValueError, match="custom features extractor"):
        Agent.load(tmp_path / "custom.zip", env="CartPole-v1")
    model = PPO("MlpPolicy", "CartPole-v1", policy_kwargs={"activation_fn": torch.nn.Softplus})
    model.save(tmp_path / "softplus.zip")
    with pytest.raises(ValueError, match="Softplus"):
        Agent.load(tmp_path / "softplus.zip", env="CartPole-v1")


def _archive(**fields: object) -> SB3Archive:
    return SB3Archive(Path("m.zip"), dict(fields), (), {})


def test_spaces_are_rebuilt_from_their_printed_fields():
    box = {":type:": "<class 'gymnasium.spaces.box.Box'>", "dtype": "float32", "_shape": [2, 2],
           "low": "[[-1.  -inf]\n [ 0.   2.5]]", "high": "[[1. inf]\n [3. 4.]]"}  # fmt: skip
    notes: list[str] = []
    described = space_description(_archive(observation_space=box), "observation_space", notes)
    assert described["low"] == [[-1.0, -np.inf], [0.0, 2.5]] and notes == []
    image = {**box, "dtype": "uint8", "_shape": [64, 64, 3], "low": "[[[0 0 0]\n  ...\n  [0 0 0]]]",
             "high": "[[[255 255 255]\n  ...\n  [255 255 255]]]"}  # fmt: skip
    described = space_description(_archive(observation_space=image), "observation_space", notes)
    assert (described["low"], described["high"]) == (0.0, 255.0)
    assert len(notes) == 2 and "truncated" in notes[0]
    mixed = {**image, "high": "[[[255 1 255]\n  ...\n  [255 255 255]]]"}
    with pytest.raises(ValueError, match="observation_space cannot be rebuilt"):
        space_description(_archive(observation_space=mixed), "observation_space", [])
    multi = {":type:": "<class 'gymnasium.spaces.multi_discrete.MultiDiscrete'>", "nvec": "[3 4]"}
    assert space_description(_archive(action_space=multi), "action_space", [])["nvec"] == [3, 4]
    mapping = {":type:": "<class 'gymnasium.spaces.dict.Dict'>"}
    with pytest.raises(ValueError, match="Dict observations are not supported"):
        space_description(_archive(observation_space=mapping), "observation_space", [])
