"""Looking inside an autoencoder: latent traversals and where reconstructions fail."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from paradigms.report._arrays import to_1d, to_numpy
from paradigms.report._figure import PathLike, new_figure, save_png
from paradigms.report.images import channels_last, normalise

_CELL = 1.1


def plot_latent_traversal(
    decoded: Any,
    values: Any,
    units: Sequence[int],
    path: PathLike,
    title: str | None = None,
) -> Path:
    """One row per latent unit: the reference code decoded while that unit moves.

    Args:
        decoded: ``(n_units, steps, *sample_shape)`` decoded samples (images ``(H, W)`` or
            ``(C, H, W)``, or vectors ``(d,)``).
        values: the unit's value at each step ``(n_units, steps)``.
        units: the unit index of each row.
        path: the PNG to write.
        title: a title over the grid.

    Raises:
        ValueError: inconsistent shapes.
    """
    grid = np.asarray(to_numpy(decoded), dtype=float)
    moves = np.asarray(to_numpy(values), dtype=float)
    if grid.ndim < 3 or moves.shape != grid.shape[:2] or len(units) != len(grid):
        raise ValueError(
            f"decoded must be (n_units, steps, ...) with values (n_units, steps) and one unit "
            f"per row; got {grid.shape}, {moves.shape} and {len(units)} units."
        )
    n_units, steps = grid.shape[:2]
    if grid.ndim == 3:  # vectors: each row is a (steps, d) heat map of the decoded features
        fig = new_figure(7.0, 0.9 * n_units + 0.6)
        axes = fig.subplots(n_units, 1, squeeze=False)[:, 0]
        for row, ax in enumerate(axes):
            ax.imshow(grid[row], aspect="auto", cmap="viridis", interpolation="nearest")
            ax.set_yticks([0, steps - 1], labels=[f"{moves[row, 0]:.2f}", f"{moves[row, -1]:.2f}"])
            ax.set_ylabel(f"z{units[row]}", rotation=0, labelpad=14, fontsize=8)
            ax.tick_params(labelsize=7)
        axes[-1].set_xlabel("decoded feature")
    else:
        images = channels_last(grid.reshape(n_units * steps, *grid.shape[2:]))
        low, high = float(np.nanmin(grid)), float(np.nanmax(grid))
        fig = new_figure(steps * _CELL + 0.8, n_units * _CELL + 0.6)
        axes = fig.subplots(n_units, steps, squeeze=False)
        for row in range(n_units):
            for col in range(steps):
                ax = axes[row, col]
                image = normalise(images[row * steps + col], (low, high))
                ax.imshow(image, cmap="gray" if image.ndim == 2 else None, interpolation="nearest")
                ax.set_xticks([])
                ax.set_yticks([])
                if col == 0:
                    ax.set_ylabel(f"z{units[row]}", rotation=0, labelpad=14, fontsize=8)
                ax.set_xlabel(f"{moves[row, col]:+.2f}", fontsize=6, labelpad=1)
    fig.suptitle(title or "latent traversal: one unit moves per row, the others stay fixed")
    return save_png(fig, path)


def plot_reconstruction_errors(
    originals: Any,
    reconstructions: Any,
    errors: Any,
    path: PathLike,
    title: str | None = None,
) -> Path:
    """Originals, their reconstructions and where they differ, one column per sample.

    Images get three rows: original, reconstruction (both on the originals' value range) and
    the per-pixel squared error as a heat map. Vectors get the per-feature squared error as
    one heat-map row per sample.

    Args:
        originals: ``(k, *sample_shape)``.
        reconstructions: the same shape.
        errors: one reconstruction error per sample ``(k,)``, shown in the titles.
        path: the PNG to write.
        title: the figure title.

    Raises:
        ValueError: shapes that differ, no samples, or not one error per sample.
    """
    x = np.asarray(to_numpy(originals), dtype=float)
    r = np.asarray(to_numpy(reconstructions), dtype=float)
    err = to_1d(errors, "errors").astype(float)
    if x.shape != r.shape or len(x) == 0 or len(err) != len(x):
        raise ValueError(
            f"originals {x.shape}, reconstructions {r.shape} and errors {err.shape} must "
            "describe the same non-empty set of samples."
        )
    squared = (x - r) ** 2
    k = len(x)
    if x.ndim == 2:
        fig = new_figure(7.0, 0.45 * k + 1.0)
        ax = fig.subplots()
        image = ax.imshow(squared, aspect="auto", cmap="inferno", interpolation="nearest")
        ax.set_yticks(range(k), labels=[f"error {e:.2f}" for e in err], fontsize=7)
        ax.set_xlabel("feature")
        fig.colorbar(image, ax=ax, label="squared error")
    else:
        shown = channels_last(np.concatenate([x, r]))
        maps = squared.reshape(k, -1, *x.shape[-2:]).sum(axis=1)
        low, high = float(np.nanmin(x)), float(np.nanmax(x))
        fig = new_figure(max(k * 1.3, 3.0), 4.4)
        axes = fig.subplots(3, k, squeeze=False)
        for i in range(k):
            for row, picture in enumerate((shown[i], shown[k + i])):
                image = normalise(picture, (low, high))
                axes[row, i].imshow(image, cmap="gray" if image.ndim == 2 else None)
            axes[2, i].imshow(maps[i], cmap="inferno", vmin=0, interpolation="nearest")
            axes[0, i].set_title(f"error {err[i]:.2f}", fontsize=8)
            for row in range(3):
                axes[row, i].set_axis_off()
    fig.suptitle(title or "highest reconstruction errors: original, reconstruction, error map")
    return save_png(fig, path)
