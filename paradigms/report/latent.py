"""A 2-D scatter of latent codes, coloured by label when labels exist."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from paradigms.report._arrays import to_1d, to_numpy
from paradigms.report._figure import PathLike, new_figure, save_png


def plot_latent_scatter(
    codes: Any, path: PathLike, labels: Any = None, title: str | None = None
) -> Path:
    """Scatter latent codes in 2-D and save a PNG.

    Codes with two dimensions are drawn as they are; wider codes are projected on their first
    two principal components (the axis labels say which was done); one-dimensional codes are
    drawn against the sample index.

    Args:
        codes: ``(n, d)`` latent codes.
        path: the PNG file to write.
        labels: optional ``(n,)`` labels; each class gets its own colour and legend entry.
        title: figure title.

    Raises:
        ValueError: for codes that are not ``(n, d)`` with ``n >= 1``, or labels that are not
            one per code.
    """
    Z = np.asarray(to_numpy(codes), dtype=float)
    if Z.ndim != 2 or len(Z) == 0:
        raise ValueError(f"codes must be a non-empty (n, d) array; got shape {Z.shape}.")
    if labels is not None:
        labels = to_1d(labels, "labels")  # (n,) or a column (n, 1); anything else is an error
        if len(labels) != len(Z):
            raise ValueError(f"got {len(labels)} labels for {len(Z)} codes; they must match.")
    if Z.shape[1] == 1:
        xy, axes = np.column_stack([np.arange(len(Z)), Z[:, 0]]), ("sample", "z1")
    elif Z.shape[1] == 2:
        xy, axes = Z, ("z1", "z2")
    else:
        centred = Z - Z.mean(axis=0)
        _, _, vt = np.linalg.svd(centred, full_matrices=False)
        xy, axes = centred @ vt[:2].T, ("PC1 of the code", "PC2 of the code")
        if xy.shape[1] < 2:  # a single code has a single (zero) component
            xy = np.column_stack([xy, np.zeros(len(xy))])
    fig = new_figure(6.0, 5.0)
    ax = fig.subplots()
    if labels is None:
        ax.scatter(xy[:, 0], xy[:, 1], s=8, alpha=0.7)
    else:
        classes = list(dict.fromkeys(labels.tolist()))
        for value in sorted(classes, key=str):
            mask = labels == value
            ax.scatter(xy[mask, 0], xy[mask, 1], s=8, alpha=0.7, label=str(value))
        ax.legend(
            title="label", fontsize=7, markerscale=2, loc="best", ncols=2 if len(classes) > 6 else 1
        )
    ax.set_xlabel(axes[0])
    ax.set_ylabel(axes[1])
    ax.set_title(title or f"latent codes ({Z.shape[1]}-D, n={len(Z)})")
    ax.grid(alpha=0.3)
    return save_png(fig, path)
