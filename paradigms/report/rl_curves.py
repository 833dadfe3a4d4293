"""RL curves: episode returns against environment steps, and several agents' evaluations."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from paradigms.report._arrays import column
from paradigms.report._figure import PathLike, new_figure, save_png

#: Episodes averaged by the rolling mean.
ROLLING_WINDOW = 20


def rolling_mean(values: np.ndarray, window: int = ROLLING_WINDOW) -> np.ndarray:
    """Trailing mean over the last ``window`` values (fewer at the start), NaNs skipped.

    Args:
        values: shape ``(n,)``.
        window: values averaged, >= 1.

    Returns:
        Shape ``(n,)``; NaN where the window holds no number.
    """
    finite = ~np.isnan(values)
    sums = np.concatenate([[0.0], np.cumsum(np.where(finite, values, 0.0))])
    counts = np.concatenate([[0], np.cumsum(finite)])
    upper = np.arange(1, len(values) + 1)
    lower = np.maximum(upper - int(window), 0)
    n = counts[upper] - counts[lower]
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(n > 0, (sums[upper] - sums[lower]) / np.maximum(n, 1), np.nan)


def plot_episode_returns(
    history: Sequence[Mapping[str, Any]],
    path: PathLike,
    *,
    evaluations: Sequence[Mapping[str, Any]] | None = None,
    reward_threshold: float | None = None,
    title: str | None = None,
) -> Path:
    """Plot training-episode returns against environment steps and save a PNG.

    Each episode is a light dot, the rolling mean over :data:`ROLLING_WINDOW` episodes a line;
    evaluations (deterministic policy, separate env) are markers with ± std error bars; the
    env's "solved" threshold is a dashed horizontal line.

    Args:
        history: ``agent.history_`` or the rows of ``episodes.csv``:
            ``{"timesteps", "episode_return", ...}`` (values may be strings). Rows without a
            ``timesteps`` value are placed at their 1-based episode number.
        path: the PNG file to write (atomically).
        evaluations: ``agent.evaluations_``: ``{"timesteps", "mean_return", "std_return"}``.
        reward_threshold: e.g. ``agent.reward_threshold`` (475 for CartPole-v1).
        title: figure title (default: "learning curve").

    Returns:
        The path written.

    Raises:
        ValueError: ``history`` is empty or has no numeric ``episode_return``.
    """
    if len(history) == 0:
        raise ValueError(
            "history is empty: no training episode finished, so there is no learning curve to "
            "plot. Train for more timesteps (at least one full episode per env)."
        )
    returns = column(history, "episode_return")
    if np.all(np.isnan(returns)):
        keys = sorted({str(k) for row in history for k in row})
        raise ValueError(
            f"history has no numeric 'episode_return' values (keys seen: {keys}); pass "
            "agent.history_ or the rows of episodes.csv."
        )
    steps = column(history, "timesteps")
    steps = np.where(np.isnan(steps), np.arange(1, len(history) + 1, dtype=float), steps)

    fig = new_figure(7.0, 4.2)
    ax = fig.subplots()
    ax.plot(steps, returns, ".", color="C0", alpha=0.25, markersize=4, label="episode return")
    ax.plot(
        steps,
        rolling_mean(returns),
        "-",
        color="C0",
        linewidth=2,
        label=f"rolling mean ({ROLLING_WINDOW} episodes)",
    )
    if evaluations:
        ax.errorbar(
            column(evaluations, "timesteps"),
            column(evaluations, "mean_return"),
            yerr=np.nan_to_num(column(evaluations, "std_return")),
            fmt="o",
            color="C1",
            capsize=3,
            markersize=5,
            label="evaluation mean ± std",
        )
    _finish_axes(ax, reward_threshold, "C2", title or "learning curve", "environment steps",
                 "episode return")  # fmt: skip
    return save_png(fig, path)


def _finish_axes(
    ax: Any, threshold: float | None, colour: str, title: str, xlabel: str, ylabel: str
) -> None:
    """The dashed reward threshold (when finite), title, axis labels, grid and legend."""
    if threshold is not None and math.isfinite(float(threshold)):
        ax.axhline(float(threshold), color=colour, linestyle="--", linewidth=1.2,
                   label=f"reward threshold ({float(threshold):g})")  # fmt: skip
    ax.set_title(title)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize="small", loc="best")


def plot_evaluation_curves(
    curves: Mapping[str, Sequence[Mapping[str, Any]]],
    path: PathLike,
    *,
    reward_threshold: float | None = None,
    title: str | None = None,
) -> Path:
    """Evaluation returns of several agents against environment steps, on one axis.

    Args:
        curves: ``{label: agent.evaluations_}``; each row ``{"timesteps", "mean_return",
            "std_return"}`` (a row at ``timesteps`` 0 is the agent before training).
        path: the PNG file to write (atomically).
        reward_threshold: the env's "solved" return, drawn dashed.
        title: figure title (default: "evaluation return").

    Raises:
        ValueError: no curve has a row.
    """
    if not any(len(rows) for rows in curves.values()):
        raise ValueError("no evaluations to plot: pass {label: agent.evaluations_} with rows.")
    fig = new_figure(7.0, 4.2)
    ax = fig.subplots()
    for index, (label, rows) in enumerate(curves.items()):
        if not rows:
            continue
        steps, mean = column(rows, "timesteps"), column(rows, "mean_return")
        std = np.nan_to_num(column(rows, "std_return"))
        ax.plot(steps, mean, "o-", color=f"C{index}", markersize=4, label=label)
        ax.fill_between(steps, mean - std, mean + std, color=f"C{index}", alpha=0.15)
    _finish_axes(ax, reward_threshold, "grey", title or "evaluation return",
                 "environment steps (PPO)", "mean evaluation return")  # fmt: skip
    return save_png(fig, path)
