"""A grid of images (samples, reconstructions, filters) with optional per-image titles."""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from paradigms.report._arrays import to_numpy
from paradigms.report._figure import PathLike, new_figure, save_png

_CELL_INCHES = 1.6


def channels_last(images: np.ndarray) -> np.ndarray:
    """Return ``images`` as ``(n, H, W)`` or ``(n, H, W, 3)``.

    Accepts ``(n, H, W)``, ``(n, C, H, W)`` and ``(n, H, W, C)`` with ``C`` in {1, 3}; the
    channels-first reading wins when both fit.
    """
    if images.ndim == 3:
        return images
    if images.ndim == 4:
        if images.shape[1] in (1, 3):
            images = np.moveaxis(images, 1, -1)
        elif images.shape[-1] not in (1, 3):
            raise ValueError(
                f"images must have 1 or 3 channels as (n, C, H, W), got shape {images.shape}"
            )
        return images[..., 0] if images.shape[-1] == 1 else images
    raise ValueError(f"images must be (n, H, W) or (n, C, H, W), got shape {images.shape}")


def normalise(image: np.ndarray, value_range: tuple[float, float] | None = None) -> np.ndarray:
    """Scale one image to [0, 1] by ``value_range`` (clipped), or by its own finite min and
    max (constant images become 0)."""
    image = np.nan_to_num(image.astype(float), nan=0.0, posinf=0.0, neginf=0.0)
    if value_range is not None:
        low, high = float(value_range[0]), float(value_range[1])
        image = np.clip(image, low, high)
    else:
        low, high = float(image.min()), float(image.max())
    if high <= low:
        return np.zeros_like(image)
    return (image - low) / (high - low)


def plot_image_grid(
    images: Any,
    path: PathLike,
    titles: Sequence[str] | None = None,
    ncols: int = 8,
    title: str | None = None,
    value_range: tuple[float, float] | None = None,
) -> Path:
    """Draw images in a grid and save it as a PNG.

    Each image is scaled to [0, 1] on its own, so any value range (raw pixels, normalised
    inputs, reconstructions, filter weights) displays with full contrast. One-channel images
    use a gray colour map.

    Args:
        images: array or tensor of shape ``(n, H, W)`` or ``(n, C, H, W)`` with ``C`` in
            {1, 3} (channels-last ``(n, H, W, C)`` is also accepted).
        path: the PNG file to write (atomically).
        titles: one short caption per image.
        ncols: the most images per row.
        title: a title over the whole grid.
        value_range: ``(low, high)`` shared by every image (values clipped to it), so images
            can be compared by brightness; by default each image uses its own min and max.

    Returns:
        The path written.

    Raises:
        ValueError: if there are no images, the shape is not supported, ``ncols`` is not
            positive, or ``titles`` has the wrong length.
    """
    array = channels_last(to_numpy(images))
    n = array.shape[0]
    if n == 0:
        raise ValueError("images is empty: nothing to plot")
    if ncols < 1:
        raise ValueError(f"ncols must be at least 1, got {ncols}")
    if titles is not None and len(titles) != n:
        raise ValueError(f"got {len(titles)} titles for {n} images")

    height, width = array.shape[1], array.shape[2]
    if height == 0 or width == 0:
        raise ValueError(f"images must have a positive height and width, got {height}x{width}")

    cols = min(ncols, n)
    rows = math.ceil(n / cols)
    cell_w = _CELL_INCHES * min(1.0, width / height)
    cell_h = _CELL_INCHES * min(1.0, height / width)
    extra = 0.3 if titles is not None else 0.0
    header = 0.5 if title else 0.0
    fig = new_figure(max(cols * cell_w, 2.0), rows * (cell_h + extra) + header)
    axes = fig.subplots(rows, cols, squeeze=False).ravel()
    for i, ax in enumerate(axes):
        ax.set_axis_off()
        if i >= n:
            continue
        image = normalise(array[i], value_range)
        if image.ndim == 2:
            ax.imshow(image, cmap="gray", vmin=0.0, vmax=1.0, interpolation="nearest")
        else:
            ax.imshow(image, interpolation="nearest")
        if titles is not None:
            ax.set_title(str(titles[i]), fontsize=8)
    if title:
        fig.suptitle(title)
    return save_png(fig, path)
