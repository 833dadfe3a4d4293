"""Pictures of attributions: heat maps over images, bar charts over features."""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from paradigms.report._arrays import to_numpy
from paradigms.report._figure import PathLike, new_figure, save_png
from paradigms.report.images import channels_last, normalise

_CELL = 1.5


def _as_maps(attributions: np.ndarray) -> np.ndarray:
    """``(n, H, W)`` maps: channels summed for ``(n, C, H, W)``."""
    if attributions.ndim == 3:
        return attributions
    if attributions.ndim == 4:
        return attributions.sum(axis=1)
    raise ValueError(
        f"image attributions must be (n, H, W) or (n, C, H, W); got {attributions.shape}."
    )


def plot_attribution_maps(
    images: Any,
    attributions: Any,
    path: PathLike,
    titles: Sequence[str] | None = None,
    title: str | None = None,
    ncols: int = 8,
) -> Path:
    """Each image above its attribution heat map, and save the PNG.

    Signed attributions (integrated gradients) are drawn red for positive (pushed the output
    up) and blue for negative, on a scale symmetric around 0 per image; non-negative ones
    (saliency) from black to yellow.

    Args:
        images: ``(n, H, W)`` or ``(n, C, H, W)`` (C in {1, 3}) images.
        attributions: the same shape as ``images`` (channels are summed into one map).
        path: the PNG to write.
        titles: one caption per image.
        title: a title over the figure.
        ncols: images per row.

    Raises:
        ValueError: shapes that differ or are not images, no images, wrong number of titles.
    """
    pictures = np.asarray(to_numpy(images), dtype=float)
    values = np.asarray(to_numpy(attributions), dtype=float)
    if pictures.shape != values.shape or len(pictures) == 0:
        raise ValueError(
            f"images {pictures.shape} and attributions {values.shape} must share a non-empty shape."
        )
    if titles is not None and len(titles) != len(pictures):
        raise ValueError(f"got {len(titles)} titles for {len(pictures)} images.")
    shown = channels_last(pictures)
    maps = _as_maps(values)
    signed = bool((maps < 0).any())
    n = len(pictures)
    cols = max(1, min(int(ncols), n))
    blocks = math.ceil(n / cols)
    fig = new_figure(max(cols * _CELL, 3.0), blocks * (2 * _CELL + 0.4) + (0.5 if title else 0))
    axes = fig.subplots(2 * blocks, cols, squeeze=False)
    for i in range(blocks * cols):
        top, bottom = axes[2 * (i // cols), i % cols], axes[2 * (i // cols) + 1, i % cols]
        top.set_axis_off()
        bottom.set_axis_off()
        if i >= n:
            continue
        image = normalise(shown[i])
        top.imshow(image, cmap="gray" if image.ndim == 2 else None, interpolation="nearest")
        if titles is not None:
            top.set_title(str(titles[i]), fontsize=8)
        limit = float(np.abs(maps[i]).max()) or 1.0
        if signed:
            bottom.imshow(maps[i], cmap="RdBu_r", vmin=-limit, vmax=limit, interpolation="nearest")
        else:
            bottom.imshow(maps[i], cmap="inferno", vmin=0, vmax=limit, interpolation="nearest")
    if title:
        fig.suptitle(title)
    return save_png(fig, path)


def _feature_names(names: Sequence[str] | None, d: int) -> list[str]:
    if names is None:
        return [f"x{j}" for j in range(d)]
    if len(names) != d:
        raise ValueError(f"got {len(names)} feature names for {d} features.")
    return [str(name) for name in names]


def plot_feature_importance(
    attributions: Any,
    path: PathLike,
    feature_names: Sequence[str] | None = None,
    title: str | None = None,
    top: int = 20,
) -> Path:
    """Mean absolute attribution per feature over samples, the largest ``top`` as bars.

    Args:
        attributions: ``(n, d)`` per-sample attributions, or ``(d,)`` already averaged.
        path: the PNG to write.
        feature_names: ``d`` names (default ``x0``, ``x1``...).
        title: the figure title.
        top: the most features shown.
    """
    values = np.asarray(to_numpy(attributions), dtype=float)
    values = values[None] if values.ndim == 1 else values
    if values.ndim != 2 or values.size == 0:
        raise ValueError(f"attributions must be (n, d) or (d,); got {values.shape}.")
    names = _feature_names(feature_names, values.shape[1])
    importance = np.abs(values).mean(axis=0)
    order = np.argsort(-importance, kind="stable")[: max(1, int(top))][::-1]
    fig = new_figure(6.5, 0.8 + 0.3 * len(order))
    ax = fig.subplots()
    ax.barh([names[j] for j in order], importance[order], color="#c0504d")
    ax.set_xlabel("mean |attribution|")
    ax.set_title(title or f"feature importance (n={len(values)})", fontsize=10)
    ax.grid(axis="x", alpha=0.3)
    return save_png(fig, path)


def plot_sample_attributions(
    attributions: Any,
    path: PathLike,
    feature_names: Sequence[str] | None = None,
    titles: Sequence[str] | None = None,
    title: str | None = None,
    top: int = 8,
) -> Path:
    """One panel per sample: its ``top`` largest signed attributions as bars.

    Args:
        attributions: ``(k, d)``.
        path: the PNG to write.
        feature_names: ``d`` names.
        titles: one caption per sample.
        title: a title over the figure.
        top: features shown per sample.
    """
    values = np.asarray(to_numpy(attributions), dtype=float)
    if values.ndim != 2 or values.size == 0:
        raise ValueError(f"attributions must be a non-empty (k, d) array; got {values.shape}.")
    if titles is not None and len(titles) != len(values):
        raise ValueError(f"got {len(titles)} titles for {len(values)} samples.")
    names = _feature_names(feature_names, values.shape[1])
    cols = min(3, len(values))
    rows = math.ceil(len(values) / cols)
    shown = min(max(1, int(top)), values.shape[1])
    fig = new_figure(3.6 * cols, rows * (0.7 + 0.25 * shown) + (0.4 if title else 0))
    axes = fig.subplots(rows, cols, squeeze=False).ravel()
    for i, ax in enumerate(axes):
        if i >= len(values):
            ax.set_axis_off()
            continue
        order = np.argsort(-np.abs(values[i]), kind="stable")[:shown][::-1]
        colours = ["#c0504d" if values[i, j] >= 0 else "#4f81bd" for j in order]
        ax.barh([names[j] for j in order], values[i, order], color=colours)
        ax.axvline(0, color="#555", lw=0.8)
        ax.tick_params(labelsize=7)
        if titles is not None:
            ax.set_title(str(titles[i]), fontsize=8)
    if title:
        fig.suptitle(title)
    return save_png(fig, path)
