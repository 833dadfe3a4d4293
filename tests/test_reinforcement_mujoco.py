"""MuJoCo tasks take the zoo's values: the published ``-v4`` entries, also for Gymnasium's ``-v5``
ids, for SAC, TD3 and (with sb3-contrib) TQC."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("mujoco")

from paradigms.reinforcement import Agent
from paradigms.reinforcement.presets import get_preset, has_preset, list_presets


@pytest.mark.parametrize("env_id", ["HalfCheetah-v4", "HalfCheetah-v5", "Hopper-v5"])
def test_mujoco_ids_read_the_zoo_values(env_id):
    for algo in ("sac", "td3", "tqc"):
        assert has_preset(env_id, algo)
    assert get_preset(env_id, "sac")["learning_starts"] == 10_000
    assert get_preset(env_id, "td3")["policy_kwargs"]["net_arch"] == [400, 300]
    assert "Hopper-v5" in list_presets()
    assert get_preset("Hopper-v5", "tqc")["top_quantiles_to_drop_per_net"] == 5


@pytest.mark.parametrize("algo", ["sac", "td3", "tqc"])
def test_an_agent_learns_on_halfcheetah_with_the_preset(algo):
    if algo == "tqc":
        pytest.importorskip("sb3_contrib")
    agent = Agent("HalfCheetah-v5", algo=algo, seed=0, learning_starts=64)
    assert agent.tuned and agent.hyperparameters["n_timesteps"] == 1_000_000
    agent.learn(160)
    assert agent.num_timesteps == 160 and agent.model._n_updates > 0
    mean, _ = agent.evaluate(1)
    assert np.isfinite(mean)
