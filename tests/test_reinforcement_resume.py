"""RL runs hold up: same seed same agent, a SIGKILLed run resumes, a killed save loses nothing."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import numpy as np
import pytest
import torch

from paradigms.cli import main
from paradigms.reinforcement import Agent, serialization
from paradigms.reinforcement.envs import LineTargetEnv, ReachEnv

TINY = {
    "ppo": {"n_steps": 32, "batch_size": 32, "n_epochs": 2},
    "a2c": {},
    "dqn": {"learning_starts": 64},
    "sac": {"learning_starts": 64, "batch_size": 32},
    "td3": {"learning_starts": 64, "batch_size": 32},
}


def _trained(algo: str, seed: int) -> Agent:
    env = LineTargetEnv if algo in ("ppo", "a2c", "dqn") else ReachEnv
    agent = Agent(env, algo=algo, seed=seed, n_envs=2, num_threads=1, **TINY[algo])
    return agent.learn(400, progress_bar=False)


def _weights(agent: Agent) -> dict[str, torch.Tensor]:
    return {k: v.detach().clone() for k, v in agent.policy.state_dict().items()}


@pytest.mark.parametrize("algo", sorted(TINY))
def test_same_seed_same_agent_other_seed_differs(algo):
    first, second, other = _trained(algo, 3), _trained(algo, 3), _trained(algo, 4)
    a, b, c = _weights(first), _weights(second), _weights(other)
    assert all(torch.equal(a[k], b[k]) for k in a), "same seed, different weights"
    assert not all(torch.equal(a[k], c[k]) for k in a), "another seed gave the same weights"
    assert first.evaluate(3) == second.evaluate(3)

    def episodes(agent: Agent) -> list[dict]:  # wall-clock times aside
        return [{k: v for k, v in row.items() if k != "time_s"} for row in agent.history_]

    assert episodes(first) == episodes(second) and episodes(first)


def _saved(tmp_path, steps: int) -> Agent:
    agent = Agent(LineTargetEnv, algo="ppo", seed=0, num_threads=1, **TINY["ppo"])
    agent.learn(steps, progress_bar=False)
    agent.save(tmp_path / "agent")
    return agent


def test_a_save_killed_before_its_config_leaves_the_previous_save(tmp_path, monkeypatch):
    agent = _saved(tmp_path, 64)
    before = Agent.load(tmp_path / "agent", env=LineTargetEnv).num_timesteps
    agent.learn(64, progress_bar=False)

    def killed(*args, **kwargs):
        raise KeyboardInterrupt("killed mid-save")

    monkeypatch.setattr(serialization, "atomic_write_text", killed)
    with pytest.raises(KeyboardInterrupt):
        agent.save(tmp_path / "agent")
    assert (tmp_path / "agent" / serialization.PENDING_WEIGHTS).is_file()
    assert Agent.load(tmp_path / "agent", env=LineTargetEnv).num_timesteps == before


def test_a_save_killed_before_the_swap_loads_the_new_weights(tmp_path, monkeypatch):
    agent = _saved(tmp_path, 64)
    agent.learn(64, progress_bar=False)

    def killed(folder):
        raise KeyboardInterrupt("killed mid-save")

    monkeypatch.setattr(serialization, "_commit_weights", killed)
    with pytest.raises(KeyboardInterrupt):
        agent.save(tmp_path / "agent")
    monkeypatch.undo()
    loaded = Agent.load(tmp_path / "agent", env=LineTargetEnv)
    assert loaded.num_timesteps == agent.num_timesteps
    observations = np.random.default_rng(0).uniform(-1, 1, (16, 2)).astype(np.float32)
    np.testing.assert_array_equal(loaded.predict(observations)[0], agent.predict(observations)[0])
    agent.save(tmp_path / "agent")  # the next save completes the folder again
    assert not (tmp_path / "agent" / serialization.PENDING_WEIGHTS).exists()


@pytest.mark.slow
def test_a_sigkilled_rl_run_resumes_from_its_last_save_and_finishes(tmp_path, capsys):
    out = tmp_path / "run"
    argv = ["rl", "--env", "CartPole-v1", "--timesteps", "16384", "--eval-freq", "4096",
            "--eval-episodes", "2", "--stop-reward", "none", "--out", str(out)]  # fmt: skip
    process = subprocess.Popen(
        [sys.executable, "-m", "paradigms", *argv, "--no-progress"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "OMP_NUM_THREADS": "1"},
    )
    saved = out / "agent" / "agent.json"
    deadline = time.monotonic() + 240
    while not saved.is_file() and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert process.poll() is None, "the run ended before it could be killed"
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    at_kill = json.loads(saved.read_text())["num_timesteps"]
    assert 0 < at_kill < 16384
    assert main([*argv, "--resume", "--no-progress"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["resumed_from_timesteps"] == at_kill
    assert summary["timesteps"] >= 16384
    episodes = (out / "episodes.csv").read_text().splitlines()
    assert len(episodes) - 1 == summary["episodes"]  # the log continues without gaps
