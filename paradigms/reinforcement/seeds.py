"""Results over several seeds: interquartile mean with a 95 % bootstrap interval.

One RL run says little: the same algorithm on the same env can succeed with one seed and fail
with the next. Agarwal et al. (2021, "Deep RL at the Edge of the Statistical Precipice", the
``rliable`` library) recommend the interquartile mean (IQM: the mean of the middle half of the
runs, robust to one outlier yet using more runs than the median) with a percentile bootstrap
confidence interval over runs. :func:`evaluate_seeds` trains one agent per seed and reports
that; :func:`summarize_seeds` does it for scores you already have.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy.stats import trim_mean

__all__ = ["SeedSummary", "evaluate_seeds", "interquartile_mean", "summarize_seeds"]

CONFIDENCE = 0.95
BOOTSTRAP_RESAMPLES = 2000


def _scores(values: Sequence[float] | np.ndarray) -> np.ndarray:
    scores = np.asarray(values, dtype=np.float64).reshape(-1)
    if scores.size == 0:
        raise ValueError("need at least one score (one per seed); got none.")
    if not np.all(np.isfinite(scores)):
        raise ValueError(f"scores must be finite numbers; got {scores.tolist()}.")
    return scores


def interquartile_mean(values: Sequence[float] | np.ndarray) -> float:
    """Mean of the middle 50 % of ``values`` (a 25 % trimmed mean, as ``rliable``'s IQM).

    With fewer than four values nothing is trimmed, so it is the plain mean.

    Raises:
        ValueError: for no values or non-finite ones.
    """
    return float(trim_mean(_scores(values), proportiontocut=0.25))


@dataclass(frozen=True)
class SeedSummary:
    """Scores over seeds, summarised.

    Attributes:
        iqm: interquartile mean of ``scores``.
        ci_low, ci_high: the 95 % percentile-bootstrap interval of the IQM.
        scores: one score per seed (e.g. mean evaluation return), in seed order.
        seeds: the seeds, when known.
    """

    iqm: float
    ci_low: float
    ci_high: float
    scores: tuple[float, ...]
    seeds: tuple[int, ...] = field(default=())

    def __str__(self) -> str:
        interval = f"[95% CI {self.ci_low:.3g}, {self.ci_high:.3g}]"
        return f"IQM {self.iqm:.3g} {interval} over {len(self.scores)} seeds"


def summarize_seeds(
    values: Sequence[float] | np.ndarray,
    seeds: Sequence[int] = (),
    *,
    n_resamples: int = BOOTSTRAP_RESAMPLES,
    random_state: int = 0,
) -> SeedSummary:
    """IQM and its 95 % percentile-bootstrap interval over the runs (resampled with replacement).

    Args:
        values: one score per seed, shape ``(n_seeds,)``.
        seeds: the seeds, for the record.
        n_resamples: bootstrap resamples.
        random_state: seed of the resampling, so the interval is reproducible.

    Raises:
        ValueError: for no values, non-finite ones, or ``seeds`` of another length.
    """
    scores = _scores(values)
    if seeds and len(seeds) != scores.size:
        raise ValueError(f"got {scores.size} scores but {len(seeds)} seeds; pass one per seed.")
    rng = np.random.default_rng(random_state)
    resampled = scores[rng.integers(0, scores.size, size=(int(n_resamples), scores.size))]
    statistics = trim_mean(resampled, proportiontocut=0.25, axis=1)
    tail = (1.0 - CONFIDENCE) / 2 * 100
    low, high = np.percentile(statistics, [tail, 100 - tail])
    return SeedSummary(
        iqm=interquartile_mean(scores),
        ci_low=float(low),
        ci_high=float(high),
        scores=tuple(float(s) for s in scores),
        seeds=tuple(int(s) for s in seeds),
    )


def evaluate_seeds(
    env: Any,
    algo: str = "ppo",
    *,
    seeds: Sequence[int] = (0, 1, 2, 3, 4),
    total_timesteps: int | None = None,
    n_episodes: int = 10,
    **agent_kwargs: Any,
) -> SeedSummary:
    """Train one :class:`~paradigms.reinforcement.Agent` per seed; summarise their returns.

    Args:
        env: any env spec ``Agent`` takes (id, class, factory, ``"module:Class"``).
        algo: the algorithm.
        seeds: one agent per seed (env ``i`` of agent ``s`` is seeded ``s + i``).
        total_timesteps: training steps per agent; None uses the preset's budget.
        n_episodes: evaluation episodes per agent; its score is their mean return.
        **agent_kwargs: passed to every ``Agent`` (backbone, overrides...).

    Returns:
        The :class:`SeedSummary` of the agents' mean evaluation returns.
    """
    from paradigms.reinforcement.agent import Agent

    if not seeds:
        raise ValueError("seeds is empty; pass at least one seed, e.g. seeds=(0, 1, 2).")
    scores = []
    for seed in seeds:
        agent = Agent(env, algo=algo, seed=int(seed), **agent_kwargs)
        try:
            agent.learn(total_timesteps, progress_bar=False)
            scores.append(agent.evaluate(n_episodes)[0])
        finally:
            agent.close()
    return summarize_seeds(scores, seeds)
