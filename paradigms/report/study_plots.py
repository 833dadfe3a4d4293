"""Pictures of a hyperparameter study: the optimisation history and the parameter importances."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from paradigms.report._figure import PathLike, new_figure, save_png


def plot_optimization_history(
    trials: Sequence[Mapping[str, Any]],
    path: PathLike,
    direction: str = "maximize",
    metric: str = "objective",
    baseline: float | None = None,
    title: str | None = None,
) -> Path:
    """Each trial's objective value (dots), the best so far (a line), pruned trials marked on
    the x axis, and an optional baseline (e.g. the defaults' value) as a dashed line.

    Args:
        trials: rows with ``number``, ``state`` (``complete``, ``pruned``, ``fail``) and
            ``value`` (None for unfinished trials), as ``TuningResult.history`` holds them.
        path: the PNG file to write.
        direction: ``"maximize"`` or ``"minimize"`` (which running extreme is "best").
        metric: the y-axis label.
        baseline: a value to compare with, drawn as a horizontal line.
        title: figure title.

    Raises:
        ValueError: no trial with a value.
    """
    done = [t for t in trials if t["state"] == "complete" and t["value"] is not None]
    if not done:
        raise ValueError("no completed trial to plot.")
    numbers = np.array([t["number"] for t in done])
    values = np.array([t["value"] for t in done], dtype=float)
    order = np.argsort(numbers)
    numbers, values = numbers[order], values[order]
    running = np.maximum if direction == "maximize" else np.minimum
    best = running.accumulate(values)
    fig = new_figure(6.4, 4.0)
    ax = fig.subplots()
    ax.scatter(numbers, values, s=22, color="#4c72b0", label="trial", zorder=3)
    ax.step(numbers, best, where="post", color="#dd8452", linewidth=2, label="best so far")
    pruned = [t["number"] for t in trials if t["state"] == "pruned"]
    if pruned:
        low = float(np.nanmin(values))
        ax.scatter(pruned, [low] * len(pruned), marker="x", color="#999999", label="pruned")
    if baseline is not None and np.isfinite(baseline):
        ax.axhline(baseline, color="#55a868", linestyle="--", label="defaults")
    ax.set_xlabel("trial")
    ax.set_ylabel(metric)
    ax.grid(alpha=0.3)
    ax.legend(loc="best", fontsize=8)
    ax.set_title(title or "optimisation history")
    return save_png(fig, path)


def plot_param_importances(
    importances: Mapping[str, float], path: PathLike, title: str | None = None
) -> Path:
    """Horizontal bars of each parameter's importance (``optuna.importance``, summing to 1).

    Raises:
        ValueError: no importances.
    """
    if not importances:
        raise ValueError("no parameter importances to plot (they need two completed trials).")
    names = sorted(importances, key=lambda k: importances[k])
    fig = new_figure(6.0, 0.5 + 0.35 * len(names))
    ax = fig.subplots()
    ax.barh(names, [importances[n] for n in names], color="#4c72b0")
    ax.set_xlabel("importance (share of the objective's variance)")
    ax.set_xlim(0, max(1e-9, max(importances.values())) * 1.1)
    ax.set_title(title or "hyperparameter importances")
    return save_png(fig, path)


def write_study_report(
    out: PathLike,
    title: str,
    summary: Mapping[str, object],
    history: Sequence[Mapping[str, Any]],
    importances: Mapping[str, float],
    direction: str,
    metric: str,
    baseline: float | None = None,
    config: Mapping[str, object] | None = None,
) -> Path:
    """``out/plots/optimization_history.png`` and ``param_importances.png`` (when there are
    importances), captioned, and ``out/report.html`` with them, the summary and ``trials.csv``."""
    from paradigms.report.captions import write_caption
    from paradigms.report.html_report import write_html_report

    plots = Path(out) / "plots"
    history_png = plot_optimization_history(
        history, plots / "optimization_history.png", direction, metric, baseline, title
    )
    write_caption(
        history_png,
        f"Each trial's {metric} (dots) and the best so far (line); crosses mark trials the "
        "median pruner stopped early"
        + ("; the dashed line is the defaults' value." if baseline is not None else "."),
    )
    if importances:
        write_caption(
            plot_param_importances(importances, plots / "param_importances.png"),
            "How much of the objective's variation each hyperparameter explains "
            "(optuna.importance.get_param_importances).",
        )
    return write_html_report(out, title, summary, config=config, metrics_csv="trials.csv")
