"""Accuracy against the number of labels per class, one line per method."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np

from paradigms.report._figure import PathLike, new_figure, save_png


def plot_label_efficiency(
    labels_per_class: Sequence[int],
    scores: Mapping[str, Sequence[float]],
    path: PathLike,
    metric: str = "test accuracy",
    title: str | None = None,
    errors: Mapping[str, Sequence[float]] | None = None,
    tick_labels: Sequence[str] | None = None,
) -> Path:
    """Draw each method's score against labels per class (log x axis, optional error bars)
    and save a PNG.

    Args:
        labels_per_class: the x values, e.g. ``(1, 2, 5, 10)``.
        scores: ``{method: scores}``, each as long as ``labels_per_class``.
        path: the PNG file to write.
        metric: the y-axis label.
        title: figure title.
        errors: optional ``{method: error bar half-widths}`` (e.g. standard deviations over
            draws), each as long as ``labels_per_class``.
        tick_labels: x tick labels (default: the x values), e.g. ``"all"`` for the last one.

    Raises:
        ValueError: no x values, no methods, or a method with the wrong number of scores.
    """
    xs = np.asarray(labels_per_class, dtype=float)
    if xs.size == 0 or not scores:
        raise ValueError("need at least one labels-per-class value and one method to plot.")
    for name, values in [*scores.items(), *(errors or {}).items()]:
        if len(values) != len(xs):
            raise ValueError(
                f"method {name!r} has {len(values)} values for {len(xs)} labels-per-class values."
            )
    if tick_labels is not None and len(tick_labels) != len(xs):
        raise ValueError(f"{len(tick_labels)} tick labels for {len(xs)} labels-per-class values.")
    fig = new_figure(6.0, 4.2)
    ax = fig.subplots()
    for name, values in scores.items():
        spread = None if errors is None or name not in errors else errors[name]
        ax.errorbar(xs, values, yerr=spread, fmt="o-", capsize=3, label=name)
        for x, value in zip(xs, values, strict=True):
            if len(scores) > 3:  # more lines than labels fit: the CSV has the numbers
                break
            ax.annotate(
                f"{value:.2f}",
                (x, value),
                textcoords="offset points",
                xytext=(0, 6),
                ha="center",
                fontsize=7,
            )
    if len(xs) > 1 and xs.min() > 0:
        ax.set_xscale("log")
        ax.minorticks_off()
    ax.set_xticks(xs, labels=list(tick_labels or [str(int(x)) for x in xs]))
    ax.set_xlabel("labelled examples per class")
    ax.set_ylabel(metric)
    ax.set_title(title or f"label efficiency: {metric} vs labels per class")
    ax.grid(alpha=0.3)
    ax.legend()
    return save_png(fig, path)
