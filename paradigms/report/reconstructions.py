"""Originals next to their reconstructions: an image grid, or feature profiles for vectors."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np

from paradigms.report._arrays import to_numpy
from paradigms.report._figure import PathLike, new_figure, save_png
from paradigms.report.images import plot_image_grid


def plot_reconstructions(
    originals: Any, reconstructions: Any, path: PathLike, n: int = 8, title: str | None = None
) -> Path:
    """Compare the first ``n`` samples with their reconstructions and save a PNG.

    Images ``(n, H, W)``/``(n, C, H, W)``: two rows, originals on top, all drawn on the
    originals' value range (reconstructions clipped to it) so brightness compares.
    Vectors ``(n, d)``: one panel per sample with both feature profiles (each feature
    standardised over the shown samples so features of different scales are comparable).

    Raises:
        ValueError: if the two arrays differ in shape or are empty, or ``n < 1``.
    """
    x = np.asarray(to_numpy(originals), dtype=float)
    r = np.asarray(to_numpy(reconstructions), dtype=float)
    if x.shape != r.shape or len(x) == 0:
        raise ValueError(
            f"originals {x.shape} and reconstructions {r.shape} must have the same non-empty shape."
        )
    if int(n) < 1:
        raise ValueError(f"n must be at least 1 (samples to show); got {n!r}.")
    k = min(int(n), len(x))
    if x.ndim >= 3:
        images = np.concatenate([x[:k], r[:k]])
        titles = ["original"] * k + ["reconstruction"] * k
        shared = (float(np.nanmin(x[:k])), float(np.nanmax(x[:k])))
        return plot_image_grid(
            images, path, titles=titles, ncols=k, title=title, value_range=shared
        )
    x, r = x[:k].reshape(k, -1), r[:k].reshape(k, -1)
    both = np.concatenate([x, r])
    mean, std = both.mean(axis=0), both.std(axis=0)
    std = np.where(std > 0, std, 1.0)
    cols = min(4, k)
    rows = math.ceil(k / cols)
    fig = new_figure(3.2 * cols, 2.2 * rows + 0.4)
    axes = np.atleast_1d(fig.subplots(rows, cols, squeeze=False)).ravel()
    features = np.arange(x.shape[1])
    for i, ax in enumerate(axes):
        if i >= k:
            ax.set_axis_off()
            continue
        ax.plot(features, (x[i] - mean) / std, "o-", ms=3, lw=1, label="original")
        ax.plot(features, (r[i] - mean) / std, "s--", ms=3, lw=1, label="reconstruction")
        ax.set_title(f"sample {i}", fontsize=9)
        ax.set_xlabel("feature", fontsize=8)
        ax.tick_params(labelsize=7)
    axes[0].legend(fontsize=7)
    fig.suptitle(title or "originals vs reconstructions (features standardised)")
    return save_png(fig, path)
