"""Interquartile mean and bootstrap intervals over seeds."""

from __future__ import annotations

import numpy as np
import pytest

from paradigms.reinforcement import SeedSummary, evaluate_seeds, interquartile_mean, summarize_seeds
from paradigms.reinforcement.envs import CorridorEnv


def test_iqm_is_the_mean_of_the_middle_half():
    assert interquartile_mean([0, 1, 2, 3, 4, 5, 6, 100]) == pytest.approx(3.5)  # 2..5
    assert interquartile_mean([1.0, 2.0, 6.0]) == pytest.approx(3.0)  # too few to trim


def test_bootstrap_interval_brackets_the_iqm_and_is_reproducible():
    scores = np.random.default_rng(0).normal(10, 2, 20)
    summary = summarize_seeds(scores, list(range(20)))
    assert summary.ci_low < summary.iqm < summary.ci_high
    assert summary == summarize_seeds(scores, list(range(20)))
    assert summary.ci_high - summary.ci_low < 4 * 2 / np.sqrt(20) * 2
    same = summarize_seeds([5.0, 5.0, 5.0])
    assert same.ci_low == same.iqm == same.ci_high == 5.0
    assert "IQM 5" in str(same) and "3 seeds" in str(same)


@pytest.mark.parametrize(
    ("values", "seeds", "message"),
    [([], (), "at least one score"), ([1.0, np.nan], (), "finite"), ([1.0], (0, 1), "2 seeds")],
)
def test_bad_scores_are_refused(values, seeds, message):
    with pytest.raises(ValueError, match=message):
        summarize_seeds(values, seeds)


def test_evaluate_seeds_trains_one_agent_per_seed():
    summary = evaluate_seeds(
        CorridorEnv, "a2c", seeds=(0, 1), total_timesteps=256, n_episodes=2, n_envs=2
    )
    assert isinstance(summary, SeedSummary) and summary.seeds == (0, 1)
    assert len(summary.scores) == 2 and all(0.0 <= s <= 1.0 for s in summary.scores)
    with pytest.raises(ValueError, match="seeds is empty"):
        evaluate_seeds(CorridorEnv, "a2c", seeds=())
