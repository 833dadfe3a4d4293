"""Learning curves: per-epoch losses and metrics from a training history."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
from matplotlib.axes import Axes

from paradigms.report._arrays import column
from paradigms.report._figure import PathLike, new_figure, save_png

#: Key prefixes that name a data split; the rest of the key is the quantity's name.
SPLIT_PREFIXES = ("train_", "val_")

_SPLIT_STYLE = {"train": "-", "val": "--"}


def _is_loss(key: str) -> bool:
    return key == "loss" or key.endswith("_loss")


def _is_metric(key: str) -> bool:
    return key.startswith(SPLIT_PREFIXES) and not _is_loss(key)


def _split_key(key: str) -> tuple[str, str]:
    """Return ``(split, quantity)``: ``"val_accuracy"`` -> ``("val", "accuracy")``."""
    for prefix in SPLIT_PREFIXES:
        if key.startswith(prefix):
            return prefix[:-1], key[len(prefix) :]
    return "", key


def _ordered_keys(history: Sequence[Mapping[str, float]]) -> list[str]:
    """Every key of the history, in order of first appearance."""
    seen: dict[str, None] = {}
    for row in history:
        for key in row:
            seen.setdefault(str(key), None)
    return list(seen)


def _epochs(history: Sequence[Mapping[str, float]]) -> np.ndarray:
    """The x values: the ``epoch`` entries where present and numeric, else 1, 2, 3, ..."""
    epochs = column(history, "epoch")
    fallback = np.arange(1, len(history) + 1, dtype=float)
    return np.where(np.isnan(epochs), fallback, epochs)


def _draw_panel(
    ax: Axes, x: np.ndarray, series: dict[str, np.ndarray], title: str, ylabel: str
) -> None:
    """Plot each series, one colour per quantity and one line style per split."""
    quantities: list[str] = []
    for key in series:
        quantity = _split_key(key)[1]
        if quantity not in quantities:
            quantities.append(quantity)
    marker = "o" if len(x) <= 30 else None
    for key, y in series.items():
        split, quantity = _split_key(key)
        ax.plot(
            x,
            y,
            label=key,
            color=f"C{quantities.index(quantity) % 10}",
            linestyle=_SPLIT_STYLE.get(split, ":"),
            marker=marker,
            markersize=3,
        )
    ax.set_title(title)
    ax.set_xlabel("epoch")
    ax.set_ylabel(ylabel)
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize="small")


def _use_log_scale(series: dict[str, np.ndarray]) -> bool:
    """True when every observed value is positive and they span more than one decade."""
    values = np.concatenate([y[~np.isnan(y)] for y in series.values()])
    if values.size == 0 or np.any(values <= 0):
        return False
    return bool(values.max() / values.min() > 10.0)


def plot_learning_curves(history: Sequence[Mapping[str, float]], path: PathLike) -> Path:
    """Plot per-epoch losses and metrics and save them as a PNG.

    The first panel shows every loss (keys ending in ``_loss``), train and validation on the same
    axes (solid and dashed lines of one colour); its y axis is logarithmic when all losses are
    positive and span more than one decade. A second panel, drawn only if such keys exist, shows
    the other ``train_*``/``val_*`` metrics (accuracy, R², ...). Keys like ``lr`` or ``time`` are
    ignored. Missing, non-numeric and non-finite values leave gaps in the lines.

    Args:
        history: one mapping per epoch, e.g.
            ``{"epoch": 1, "train_loss": 0.9, "val_loss": 1.0, "val_accuracy": 0.7}``. The
            x axis is the ``epoch`` value (the 1-based row number where it is missing).
        path: the PNG file to write (atomically).

    Returns:
        The path written.

    Raises:
        ValueError: if ``history`` is empty or has no loss or metric values to plot.
    """
    if len(history) == 0:
        raise ValueError("history is empty: nothing to plot")
    x = _epochs(history)
    keys = _ordered_keys(history)
    losses = {k: column(history, k) for k in keys if _is_loss(k)}
    metrics = {k: column(history, k) for k in keys if _is_metric(k)}
    losses = {k: y for k, y in losses.items() if not np.all(np.isnan(y))}
    metrics = {k: y for k, y in metrics.items() if not np.all(np.isnan(y))}
    panels = [p for p in ((losses, "Loss", "loss"), (metrics, "Metrics", "value")) if p[0]]
    if not panels:
        raise ValueError(
            f"history has no numeric loss ('*_loss') or metric ('train_*'/'val_*') values; "
            f"keys seen: {keys}"
        )

    fig = new_figure(6.0 * len(panels), 4.2)
    axes = fig.subplots(1, len(panels), squeeze=False)[0]
    for ax, (series, title, ylabel) in zip(axes, panels, strict=True):
        _draw_panel(ax, x, series, title, ylabel)
    if losses and _use_log_scale(losses):
        axes[0].set_yscale("log")
        axes[0].set_ylabel("loss (log scale)")
    return save_png(fig, path)
