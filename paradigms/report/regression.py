"""Predicted-versus-true scatter plot for regression results."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from paradigms.report._arrays import to_numpy
from paradigms.report._figure import PathLike, new_figure, save_png

#: Above this many points the markers are drawn smaller and more transparent.
_DENSE = 2000


def r2_score(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    """Coefficient of determination of one output, as scikit-learn computes it.

    Args:
        y_true: true values, 1-D.
        y_pred: predictions, 1-D, same length.

    Returns:
        ``1 - SS_res / SS_tot``; for constant targets 1.0 if the predictions are exact, else 0.0.
    """
    ss_res = float(np.sum((y_true - y_pred) ** 2))
    ss_tot = float(np.sum((y_true - y_true.mean()) ** 2))
    if ss_tot == 0.0:
        return 1.0 if ss_res == 0.0 else 0.0
    return 1.0 - ss_res / ss_tot


def _as_columns(values: Any, name: str) -> np.ndarray:
    """Return ``values`` as a float array of shape ``(n, outputs)``."""
    arr = to_numpy(values).astype(float)
    if arr.ndim == 1:
        return arr[:, None]
    if arr.ndim == 2:
        return arr
    raise ValueError(f"{name} must be 1-D or 2-D (n, outputs), got shape {arr.shape}")


def plot_predictions_vs_truth(
    y_true: Any, y_pred: Any, path: PathLike, title: str | None = None
) -> Path:
    """Scatter predictions against true values, with the ``y = x`` line and R² in the title.

    Multi-output targets ``(n, outputs)`` are drawn one colour per output; the R² shown is then
    the mean over outputs. Pairs containing NaN or infinity are left out.

    Args:
        y_true: true values, shape ``(n,)`` or ``(n, outputs)`` (list, array or tensor).
        y_pred: predictions, same shape as ``y_true`` (``(n,)`` and ``(n, 1)`` are interchangeable).
        path: the PNG file to write (atomically).
        title: the title's first part (default ``"Predictions vs truth"``).

    Returns:
        The path written.

    Raises:
        ValueError: if the shapes differ or there is no finite pair to plot.
    """
    true = _as_columns(y_true, "y_true")
    pred = _as_columns(y_pred, "y_pred")
    if true.shape != pred.shape:
        raise ValueError(f"y_true and y_pred differ in shape: {true.shape} != {pred.shape}")
    outputs = true.shape[1]

    fig = new_figure(5.5, 5.0)
    ax = fig.subplots()
    scores: list[float] = []
    lows: list[float] = []
    highs: list[float] = []
    for j in range(outputs):
        keep = np.isfinite(true[:, j]) & np.isfinite(pred[:, j])
        t, p = true[keep, j], pred[keep, j]
        if t.size == 0:
            continue
        scores.append(r2_score(t, p))
        lows.append(min(t.min(), p.min()))
        highs.append(max(t.max(), p.max()))
        dense = t.size > _DENSE
        ax.scatter(
            t,
            p,
            s=6 if dense else 18,
            alpha=0.3 if dense else 0.7,
            color=f"C{j % 10}",
            edgecolors="none",
            label=f"output {j} (R² {scores[-1]:.3f})" if outputs > 1 else None,
        )
    if not scores:
        raise ValueError("y_true and y_pred have no finite pair to plot")

    low, high = min(lows), max(highs)
    margin = (high - low) * 0.05 or 1.0
    limits = (low - margin, high + margin)
    ax.plot(limits, limits, color="black", linestyle="--", linewidth=1, label="y = x")
    ax.set_xlim(limits)
    ax.set_ylim(limits)
    ax.set_aspect("equal")
    ax.set_xlabel("true value")
    ax.set_ylabel("predicted value")
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize="small", loc="upper left")
    heading = title if title is not None else "Predictions vs truth"
    r2_label = "mean R²" if outputs > 1 else "R²"
    ax.set_title(f"{heading}\n{r2_label} = {np.mean(scores):.4f} (n={true.shape[0]})")
    return save_png(fig, path)
