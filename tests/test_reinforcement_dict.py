"""Dict and Tuple observations: one backbone per entry, combined; refusals name the key."""

from __future__ import annotations

from typing import Any

import gymnasium as gym
import numpy as np
import pytest
import torch
from gymnasium import spaces

from paradigms.backbones import create_backbone, load_backbone
from paradigms.reinforcement import Agent, validate_env


class SideInImage(gym.Env):
    """The bright third of a 12x12 image is the right action; a vector and a mode ride along."""

    def __init__(self, as_tuple: bool = False, extra: spaces.Space | None = None) -> None:
        entries = {
            "image": spaces.Box(0, 255, (12, 12, 1), np.uint8),
            "state": spaces.Box(-1.0, 1.0, (3,), np.float32),
            "mode": spaces.Discrete(3),
        }
        if extra is not None:
            entries["extra"] = extra
        self.as_tuple = as_tuple
        space = spaces.Dict(entries)
        self.observation_space = spaces.Tuple(list(space.spaces.values())) if as_tuple else space
        self._keys = list(space.spaces)
        self.action_space = spaces.Discrete(3)
        self._t = self._side = 0

    def _obs(self) -> Any:
        self._side = int(self.np_random.integers(3))
        image = np.zeros((12, 12, 1), np.uint8)
        image[:, self._side * 4 : (self._side + 1) * 4] = 255
        values = {
            "image": image,
            "state": self.np_random.uniform(-1, 1, 3).astype(np.float32),
            "mode": int(self.np_random.integers(3)),
        }
        ordered = [values[k] for k in self._keys if k in values]
        return tuple(ordered) if self.as_tuple else {k: values[k] for k in self._keys}

    def reset(self, *, seed: int | None = None, options: dict | None = None) -> Any:
        super().reset(seed=seed)
        self._t = 0
        return self._obs(), {}

    def step(self, action: Any) -> Any:
        reward = float(int(action) == self._side)
        self._t += 1
        return self._obs(), reward, False, self._t >= 20, {}


@pytest.fixture(scope="module")
def trained() -> Agent:
    agent = Agent(SideInImage, algo="ppo", seed=0)
    return agent.learn(4096, progress_bar=False)


def test_each_entry_gets_its_own_backbone_and_the_agent_learns(trained: Agent):
    names = {k: b.config.name for k, b in trained.backbones_.items()}
    assert names == {"image": "cnn", "mode": "mlp", "state": "mlp"}
    assert trained.backbones_["mode"].in_shape == (3,)  # Discrete entry, one-hot
    mean, _ = trained.evaluate(5)
    assert mean >= 17.0  # of 20; random play gets about 6.7
    with pytest.raises(ValueError, match=r"backbones_\[key\]"):
        _ = trained.backbone_


def test_save_and_load_keep_every_entry(trained: Agent, tmp_path):
    trained.save(tmp_path / "agent")
    loaded = Agent.load(tmp_path / "agent", env=SideInImage)
    obs = trained.env.reset()
    assert np.array_equal(trained.predict(obs)[0], loaded.predict(obs)[0])
    single, _ = SideInImage().reset(seed=3)
    assert loaded.predict(single)[0].shape == ()


def test_a_backbone_per_key_from_another_paradigm(tmp_path):
    image_net = create_backbone("cnn", (1, 12, 12), widths=(8, 16))
    agent = Agent(SideInImage, algo="a2c", seed=0, backbone={"image": image_net})
    assert agent.backbones_["image"].out_features == 16
    assert torch.equal(  # the given weights, not SB3's initialisation
        agent.backbones_["image"].state_dict()["features.0.0.weight"],
        image_net.state_dict()["features.0.0.weight"],
    )
    with pytest.raises(ValueError, match="does not have"):
        Agent(SideInImage, algo="a2c", backbone={"picture": image_net})
    with pytest.raises(ValueError, match="one backbone per entry"):
        Agent(SideInImage, algo="a2c", backbone="mlp")


def test_tuple_observations_are_read_as_a_dict():
    agent = Agent(lambda: SideInImage(as_tuple=True), algo="dqn", seed=0, learning_starts=50)
    assert sorted(agent.backbones_) == ["0", "1", "2"]
    agent.learn(200, progress_bar=False)
    obs, _ = SideInImage(as_tuple=True).reset(seed=0)
    assert int(agent.predict({str(i): v for i, v in enumerate(obs)})[0]) in (0, 1, 2)


def test_entries_sb3_cannot_batch_are_refused_with_the_key():
    env = SideInImage(extra=spaces.Text(5))
    with pytest.raises(ValueError, match=r"entry 'extra'.*FilterObservation.*'image'"):
        validate_env(env, algo="ppo")


def test_cli_run_writes_a_backbone_per_entry(tmp_path):
    from paradigms.cli import main

    code = main(
        ["rl", "--env", "tests.test_reinforcement_dict:SideInImage", "--algo", "a2c",
         "--timesteps", "256", "--eval-episodes", "1", "--out", str(tmp_path)]
    )  # fmt: skip
    assert code == 0
    run = tmp_path
    files = sorted(p.name for p in run.glob("backbone-*.safetensors"))
    assert files == ["backbone-image.safetensors", "backbone-mode.safetensors",
                     "backbone-state.safetensors"]  # fmt: skip
    assert load_backbone(run / "backbone-image.safetensors").in_shape == (1, 12, 12)


def test_a_dict_whose_only_key_is_observation_saves_per_entry(tmp_path):
    class OneKey(SideInImage):
        def __init__(self) -> None:
            super().__init__()
            self.observation_space = spaces.Dict({"observation": spaces.Box(-1, 1, (3,))})

        def _obs(self) -> Any:
            return {"observation": np.zeros(3, np.float32)}

    agent = Agent(OneKey, algo="a2c", seed=0)
    assert agent.reads_dict_observations
    agent.save(tmp_path / "a")
    assert Agent.load(tmp_path / "a", env=OneKey).reads_dict_observations
