"""Gymnasium's checker findings: what refuses and what warns (docs/env_validation.md)."""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

import gymnasium as gym
import numpy as np
import pytest
import torch
from gymnasium import spaces

from paradigms.reinforcement import Agent, validate_env
from paradigms.reinforcement.checker_findings import GYMNASIUM_CHECKS, markdown_table

DOCS = Path(__file__).resolve().parents[1] / "docs" / "env_validation.md"


class Clean(gym.Env):
    """A correct env: 3 floats, 2 actions, 20-step episodes, reward for action 1."""

    def __init__(self) -> None:
        self.observation_space = spaces.Box(-1.0, 1.0, (3,), np.float32)
        self.action_space = spaces.Discrete(2)
        self._t = 0

    def _obs(self) -> np.ndarray:
        return self.np_random.uniform(-1, 1, 3).astype(np.float32)

    def reset(self, *, seed: int | None = None, options: dict | None = None) -> Any:
        super().reset(seed=seed)
        self._t = 0
        return self._obs(), {}

    def step(self, action: Any) -> Any:
        self._t += 1
        return self._obs(), float(action), False, self._t >= 20, {}


class SharedMemory(Clean):
    """Observations are views into one array (a replay of recorded data, say)."""

    def __init__(self) -> None:
        super().__init__()
        self._data = np.linspace(-1, 1, 300, dtype=np.float32).reshape(100, 3)

    def _obs(self) -> np.ndarray:
        return self._data[self._t % 100]


class IgnoresSeed(Clean):
    def reset(self, *, seed: int | None = None, options: dict | None = None) -> Any:
        super().reset(seed=None)
        self._t = 0
        return self._obs(), {}


class NoOptions(Clean):
    def reset(self, *, seed: int | None = None) -> Any:  # type: ignore[override]
        return super().reset(seed=seed)


class RandomSteps(Clean):
    def __init__(self) -> None:
        super().__init__()
        self._outside = np.random.default_rng()

    def step(self, action: Any) -> Any:
        _, reward, terminated, truncated, info = super().step(action)
        return (
            self._outside.uniform(-1, 1, 3).astype(np.float32),
            reward,
            terminated,
            truncated,
            info,
        )


def _warnings_of(env: gym.Env) -> list[str]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        validate_env(env, algo="ppo")
    return [str(w.message) for w in caught if "Gymnasium's env checker" in str(w.message)]


@pytest.mark.parametrize(
    ("env_class", "check"),
    [
        (SharedMemory, "check_returned_data_not_reused"),
        (IgnoresSeed, "check_reset_seed_determinism"),
        (RandomSteps, "check_step_determinism"),
    ],
)
def test_hygiene_findings_warn_and_the_env_trains(env_class: type[gym.Env], check: str) -> None:
    messages = _warnings_of(env_class())
    assert any(check in m and "accepted" in m for m in messages), messages
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        agent = Agent(env_class, algo="ppo", seed=0, n_envs=2, n_steps=32, batch_size=32)
    agent.learn(128, progress_bar=False)
    assert agent.num_timesteps == 128


def test_shared_memory_observations_train_like_copies() -> None:
    # SB3 copies each observation into its buffer, so the views train as copies would
    class Copied(SharedMemory):
        def _obs(self) -> np.ndarray:
            return super()._obs().copy()

    results = []
    for env_class in (SharedMemory, Copied):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            agent = Agent(env_class, algo="ppo", seed=0, n_envs=2, n_steps=32, batch_size=32)
        agent.learn(256, progress_bar=False)
        results.append([p.detach().clone() for p in agent.policy.parameters()])
    for shared, copied in zip(*results, strict=True):
        assert torch.equal(shared, copied)


def test_a_clean_env_gets_no_checker_warning() -> None:
    assert _warnings_of(Clean()) == []


def test_reset_without_options_is_refused() -> None:
    with pytest.raises(ValueError, match=r"reset\(\) does not accept options="):
        validate_env(NoOptions(), algo="ppo")
    finding = next(f for f in GYMNASIUM_CHECKS if f.check == "check_reset_options")
    with pytest.raises(ValueError, match=r"check_reset_options.*wrappers"):
        finding.run(NoOptions())


def test_malformed_spaces_are_refused_before_any_call() -> None:
    class BadBox(Clean):
        def __init__(self) -> None:
            super().__init__()
            self.observation_space = spaces.Box(-1.0, 1.0, (3,), np.float32)
            self.observation_space.low = np.zeros(2, np.float32)  # bounds of the wrong shape

        def reset(self, *, seed: int | None = None, options: dict | None = None) -> Any:
            raise AssertionError("reset must not be reached")

    with pytest.raises(ValueError, match=r"check_observation_space.*low shape.*Fix: build it"):
        validate_env(BadBox(), algo="ppo")

    class BadActions(Clean):
        def __init__(self) -> None:
            super().__init__()
            self.action_space = spaces.Box(-1.0, 1.0, (2,), np.float32)
            self.action_space.high = np.ones(4, np.float32)

    with pytest.raises(ValueError, match=r"check_action_space"):
        validate_env(BadActions(), algo="sac")


@pytest.mark.parametrize(
    "check", ["check_reset_return_type", "env_reset_passive_checker", "env_step_passive_checker"]
)
def test_refusing_findings_raise_with_why_and_fix(check: str) -> None:
    # validate_env's own checks catch these first; the table's verdict still holds alone
    class InfoNotADict(Clean):
        def reset(self, *, seed: int | None = None, options: dict | None = None) -> Any:
            super().reset(seed=seed)
            return np.full(3, 5.0, np.float32), None

        def step(self, action: Any) -> Any:
            return np.zeros(3, np.float32), 0.0, False, False, None

    finding = next(f for f in GYMNASIUM_CHECKS if f.check == check)
    assert finding.refuse
    with pytest.raises(ValueError, match=rf"{check}.*Fix: "):
        finding.run(InfoNotADict())


def test_the_docs_table_is_the_code_table() -> None:
    assert markdown_table() in DOCS.read_text(encoding="utf-8")
    assert {f.check for f in GYMNASIUM_CHECKS} >= {
        name
        for name in dir(gym.utils.env_checker)
        if name.startswith("check_")
        and name not in ("check_env", "check_space_limit")
        and name not in ("check_seed_deprecation", "check_reset_return_info_deprecation")
    }


def test_only_gymnasiums_and_ales_registered_envs_skip_the_slow_checkers():
    from paradigms.reinforcement.validation import is_trusted

    gym.register(id="ProbeCleanEnv-v0", entry_point=f"{__name__}:Clean", max_episode_steps=20)
    assert is_trusted("CartPole-v1") and not is_trusted(None)
    assert not is_trusted("ProbeCleanEnv-v0")  # a user's registered env keeps every check
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        validate_env(SharedMemory(), algo="ppo", trusted=True)  # own checks only: no finding
    assert not [w for w in caught if "Gymnasium's env checker" in str(w.message)]
