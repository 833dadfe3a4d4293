"""``paradigms rl``: run directories, resume, recordings and the learning-curve plot.

Budgets are tiny (hundreds of steps, two envs, two evaluation episodes): these tests check the
plumbing and the artifacts, not how well the agents learn.
"""

from __future__ import annotations

import csv
import importlib.util
import json
import math

import gymnasium as gym
import numpy as np
import pytest
from gymnasium import spaces
from PIL import Image
from stable_baselines3.common.callbacks import BaseCallback

from paradigms.backbones import load_backbone
from paradigms.cli import main
from paradigms.reinforcement import Agent, GridWorldEnv, record_episode
from paradigms.reinforcement.run_config import RLRunConfig, check_config, stop_reward_target
from paradigms.report.rl_curves import plot_episode_returns, rolling_mean

TINY = ["--n-envs", "2", "--eval-episodes", "2", "--no-progress"]
GRID = "paradigms.reinforcement.envs:GridWorldEnv"
HAS_PYGAME = importlib.util.find_spec("pygame") is not None


def _rows(path):
    with path.open(newline="") as fh:
        return list(csv.DictReader(fh))


def _gif_frames(path):
    with Image.open(path) as gif:
        return gif.n_frames


def test_cartpole_run_writes_every_artifact(tmp_path, capsys):
    out = tmp_path / "cartpole"
    code = main(["rl", "--env", "CartPole-v1", "--timesteps", "512", "--out", str(out), *TINY])
    assert code == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["env"] == "CartPole-v1" and summary["tuned_preset"] == "yes"
    assert summary["timesteps"] >= 512 and summary["run_dir"] == str(out)
    assert math.isfinite(summary["eval_mean_return"]) and summary["eval_std_return"] >= 0
    assert summary["reward_threshold"] == 475.0 and summary["stop_reward_reached"] == "no"

    config = json.loads((out / "config.json").read_text())
    assert config["params"]["env"] == "CartPole-v1" and config["params"]["timesteps"] == 512
    assert {"torch", "gymnasium", "stable-baselines3"} <= set(config["versions"])
    resolved = config["resolved"]
    assert resolved["hyperparameters"]["n_envs"] == 2 and resolved["tuned_preset"] is True
    assert resolved["timestep_budget"] == 512 and resolved["stop_reward"] == 475.0

    episodes = _rows(out / "episodes.csv")
    assert len(episodes) == summary["episodes"] > 0
    assert {"timesteps", "episode", "episode_return"} <= set(episodes[0])
    evaluations = _rows(out / "evaluations.csv")
    assert evaluations[-1]["kind"] == "final" and len(evaluations) >= 2
    assert (out / "agent" / "agent.json").is_file()
    assert (out / "agent" / "agent.safetensors").is_file()
    assert (out / "plots" / "learning_curve.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert (out / "plots" / "policy_attributions.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    captions = json.loads((out / "plots" / "captions.json").read_text())
    assert "evaluation episodes" in captions["policy_attributions.png"]
    assert summary["most_important_observation"] in {
        "cart position", "cart velocity", "pole angle", "pole angular velocity"
    }  # fmt: skip
    assert 0 <= summary["action_deletion_area"] <= 1
    backbone = load_backbone(out / "backbone.safetensors")
    assert backbone.in_shape == (4,)
    report = (out / "report.html").read_text()
    assert "CartPole-v1" in report and "eval_mean_return" in report
    gif = out / "episode.gif"
    if HAS_PYGAME:  # CartPole draws with pygame (gymnasium[classic-control])
        assert _gif_frames(gif) > 1 and summary["episode_gif"] == "episode.gif"
    else:
        assert not gif.exists() and summary["episode_gif"].startswith("none")


def test_custom_env_class_path_with_dqn(tmp_path, capsys):
    out = tmp_path / "grid"
    args = ["rl", "--env", GRID, "--algo", "dqn", "--timesteps", "400", "--out", str(out)]
    assert main([*args, *TINY]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["algo"] == "dqn" and summary["env"] == "GridWorldEnv"
    assert summary["tuned_preset"].startswith("no") and summary["stop_reward_reached"] == (
        "no threshold"
    )
    assert _gif_frames(out / "episode.gif") >= 1  # identical pictures merge into one frame
    assert len(_rows(out / "episodes.csv")) == summary["episodes"] > 0
    agent = Agent.load(out / "agent")
    assert agent.algo == "dqn" and agent.num_timesteps == summary["timesteps"]
    agent.close()


class _InterruptAt(BaseCallback):
    """Raises KeyboardInterrupt (as Ctrl-C would) once ``steps`` timesteps are reached."""

    def __init__(self, steps: int) -> None:
        super().__init__()
        self.steps = steps

    def _on_step(self) -> bool:
        if self.num_timesteps >= self.steps:
            raise KeyboardInterrupt
        return True


def test_resume_continues_and_refuses_changed_parameters(tmp_path, capsys, monkeypatch):
    out = tmp_path / "resume"
    args = ["rl", "--env", "CartPole-v1", "--timesteps", "1024", "--out", str(out), *TINY]
    learn = Agent.learn
    with monkeypatch.context() as patch:
        patch.setattr(
            Agent, "learn", lambda self, *a, **k: learn(self, *a, callback=_InterruptAt(500), **k)
        )
        assert main(args) == 130
    assert "--resume" in capsys.readouterr().err
    saved = json.loads((out / "agent" / "agent.json").read_text())
    assert 0 < saved["num_timesteps"] < 1024
    before = _rows(out / "episodes.csv")[: len(saved["history"])]

    assert main([*args, "--seed", "3", "--resume"]) == 2
    err = capsys.readouterr().err
    assert "seed: 0 -> 3" in err and "Traceback" not in err

    assert main([*args, "--resume"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["resumed_from_timesteps"] == saved["num_timesteps"]
    assert summary["timesteps"] >= 1024
    after = _rows(out / "episodes.csv")
    assert after[: len(before)] == before and len(after) > len(before)
    assert len(after) == summary["episodes"]
    assert [int(r["episode"]) for r in after] == list(range(1, len(after) + 1))
    assert json.loads((out / "agent" / "agent.json").read_text())["num_timesteps"] >= 1024


def test_bad_env_id_is_a_clean_error(tmp_path, capsys):
    out = tmp_path / "bad"
    assert main(["rl", "--env", "CartPol-v1", "--out", str(out), *TINY]) == 2
    err = capsys.readouterr().err
    assert "paradigms rl: error:" in err and "'CartPole-v1'" in err and "Traceback" not in err
    assert not out.exists()


@pytest.mark.parametrize(
    ("option", "value", "expected"),
    [("--algo", "ppo2", "algo"), ("--stop-reward", "solved", "stop_reward")],
)
def test_bad_options_are_clean_errors(tmp_path, capsys, option, value, expected):
    assert main(["rl", option, value, "--out", str(tmp_path / "x"), *TINY]) == 2
    err = capsys.readouterr().err
    assert expected in err and "Traceback" not in err


def test_list_presets(capsys):
    assert main(["rl", "--list-presets"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert any(line.split()[0] == "CartPole-v1" and "ppo" in line for line in lines)


def test_config_checks_and_stop_reward():
    check_config(RLRunConfig())
    with pytest.raises(ValueError, match="timesteps"):
        check_config(RLRunConfig(timesteps=-1))
    with pytest.raises(ValueError, match="eval_episodes"):
        check_config(RLRunConfig(eval_episodes=0))
    assert stop_reward_target("threshold", 475.0) == 475.0
    assert stop_reward_target("threshold", None) is None
    assert stop_reward_target("none", 475.0) is None
    assert stop_reward_target("200", 475.0) == 200.0 and stop_reward_target(-3.5, None) == -3.5
    with pytest.raises(ValueError, match="stop_reward"):
        stop_reward_target("nan", None)


class _NoRenderEnv(gym.Env):
    """A valid env with no rendering at all."""

    metadata = {"render_modes": []}  # noqa: RUF012 (Gymnasium convention)

    def __init__(self) -> None:
        self.observation_space = spaces.Box(-1.0, 1.0, shape=(2,), dtype=np.float32)
        self.action_space = spaces.Discrete(2)
        self._t = 0

    def reset(self, *, seed=None, options=None):
        super().reset(seed=seed)
        self._t = 0
        return np.zeros(2, dtype=np.float32), {}

    def step(self, action):
        self._t += 1
        return np.zeros(2, dtype=np.float32), 1.0, self._t >= 5, False, {}


class _NoneRenderEnv(_NoRenderEnv):
    """Accepts render_mode="rgb_array" but render() gives None."""

    metadata = {"render_modes": ["rgb_array"]}  # noqa: RUF012 (Gymnasium convention)

    def __init__(self, render_mode: str | None = None) -> None:
        super().__init__()
        self.render_mode = render_mode

    def render(self):
        return None


@pytest.mark.parametrize("env", [_NoRenderEnv, _NoneRenderEnv, GridWorldEnv()])
def test_record_episode_returns_none_without_rgb_array(tmp_path, env):
    agent = Agent(env, algo="ppo", n_envs=1, seed=0)
    assert record_episode(agent, tmp_path / "episode.gif") is None
    assert not (tmp_path / "episode.gif").exists()
    agent.close()


def test_record_episode_writes_an_animated_gif(tmp_path):
    agent = Agent("paradigms.reinforcement.envs:PixelCatchEnv", algo="ppo", n_envs=1, seed=0)
    recording = record_episode(agent, tmp_path / "catch.gif", fps=10, seed=1)
    assert recording is not None and recording.path == tmp_path / "catch.gif"
    assert recording.episode_length > 1 and math.isfinite(recording.episode_return)
    with Image.open(recording.path) as gif:
        assert gif.n_frames == recording.n_frames > 1
        assert max(gif.size) >= 160
    with pytest.raises(ValueError, match="fps"):
        record_episode(agent, tmp_path / "x.gif", fps=0)
    agent.close()


def test_record_episode_uses_a_copy_of_an_rgb_array_instance(tmp_path):
    env = GridWorldEnv(render_mode="rgb_array")
    agent = Agent(env, algo="ppo", n_envs=1, seed=0)
    recording = record_episode(agent, tmp_path / "grid.gif", max_steps=7)
    assert recording is not None and recording.episode_length <= 7
    assert _gif_frames(recording.path) >= 1
    agent.close()


def test_plot_episode_returns(tmp_path):
    history = [
        {"timesteps": 10 * i, "episode": i, "episode_return": float(i % 7)} for i in range(1, 60)
    ]
    evaluations = [{"timesteps": 200, "mean_return": 4.0, "std_return": 1.0}]
    path = plot_episode_returns(
        history, tmp_path / "curve.png", evaluations=evaluations, reward_threshold=6.0
    )
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    csv_rows = [{k: str(v) for k, v in row.items()} for row in history]  # as read from a CSV
    assert plot_episode_returns(csv_rows, tmp_path / "csv.png").is_file()
    with pytest.raises(ValueError, match="empty"):
        plot_episode_returns([], tmp_path / "empty.png")
    with pytest.raises(ValueError, match="episode_return"):
        plot_episode_returns([{"timesteps": 1}], tmp_path / "bad.png")


def test_rolling_mean_is_a_trailing_window():
    values = np.array([1.0, 3.0, np.nan, 5.0])
    np.testing.assert_allclose(rolling_mean(values, window=2), [1.0, 2.0, 3.0, 5.0])
