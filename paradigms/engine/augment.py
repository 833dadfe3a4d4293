"""Light geometric augmentation of image batches, shared by the paradigms that train on images."""

from __future__ import annotations

import math

import torch
from torch import nn
from torch.nn import functional


def random_affine(
    x: torch.Tensor,
    size: tuple[int, ...] | None = None,
    shift: float = 1 / 16,
    degrees: float = 10.0,
    scale: float = 0.1,
) -> torch.Tensor:
    """A different small random affine warp for each image of ``x`` ``(B, C, H, W)``,
    resampled to ``size`` (default: the input size); pixels from outside repeat the border."""
    n = x.shape[0]
    angle = (torch.rand(n, device=x.device) * 2 - 1) * math.radians(degrees)
    zoom = 1 + (torch.rand(n, device=x.device) * 2 - 1) * scale
    move = (torch.rand(n, 2, device=x.device) * 2 - 1) * (2 * shift)
    cos, sin = torch.cos(angle) / zoom, torch.sin(angle) / zoom
    theta = torch.stack(
        [torch.stack([cos, -sin, move[:, 0]], 1), torch.stack([sin, cos, move[:, 1]], 1)], 1
    )
    out_size = [n, x.shape[1], *(size if size is not None else x.shape[-2:])]
    grid = functional.affine_grid(theta, out_size, align_corners=False)
    return functional.grid_sample(
        x, grid, mode="bilinear", padding_mode="border", align_corners=False
    )


class RandomAffine(nn.Module):
    """:func:`random_affine` on ``(B, C, H, W)`` batches in training mode; identity otherwise
    (and for inputs that are not image batches)."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """``(B, C, H, W) -> (B, C, H, W)``."""
        return random_affine(x) if self.training and x.ndim == 4 else x


def _cutout(x: torch.Tensor, fraction: float, fill: torch.Tensor) -> torch.Tensor:
    """Set one random square per image, its side ``fraction`` of the shorter side (>= 1 px),
    to ``fill`` (per channel, broadcastable to ``(B, C, 1, 1)``)."""
    n, _, height, width = x.shape
    half = max(1, round(fraction * min(height, width))) / 2
    cy = torch.rand(n, 1, 1, device=x.device) * height
    cx = torch.rand(n, 1, 1, device=x.device) * width
    rows = torch.arange(height, device=x.device).view(1, height, 1) + 0.5
    cols = torch.arange(width, device=x.device).view(1, 1, width) + 0.5
    box = (((rows - cy).abs() <= half) & ((cols - cx).abs() <= half))[:, None]
    return torch.where(box, fill.to(x.dtype).expand_as(x), x)


def weak_augment(x: torch.Tensor, mean: torch.Tensor, scale: torch.Tensor) -> torch.Tensor:
    """The "weak" view of consistency training.

    Args:
        x: images ``(B, C, H, W)`` or vectors ``(B, d)`` in the data's own units.
        mean: the data's per-channel ``(C, 1, 1)`` or per-feature ``(d,)`` mean.
        scale: the data's standard deviation, same shape as ``mean``.

    Returns:
        Images shifted by up to 1/8 of their size (1 pixel on 8x8 digits); vectors with
        Gaussian noise of 0.05 standard deviations. Same shape as ``x``.
    """
    if x.ndim == 4:
        return random_affine(x, shift=1 / 8, degrees=0.0, scale=0.0)
    return x + 0.05 * scale * torch.randn_like(x)


def strong_augment(x: torch.Tensor, mean: torch.Tensor, scale: torch.Tensor) -> torch.Tensor:
    """The "strong" view of consistency training (arguments as for :func:`weak_augment`).

    Images: a larger random affine warp (shifts up to 15%, rotations up to 25 degrees, zooms up
    to 20%), Gaussian noise of 0.1 standard deviations and a cutout square of 3/8 of the
    shorter side set to the mean. Vectors: noise of 0.2 standard deviations and a random fifth
    of the features set to their mean. Same shape as ``x``.
    """
    if x.ndim == 4:
        x = random_affine(x, shift=0.15, degrees=25.0, scale=0.2)
        return _cutout(x + 0.1 * scale * torch.randn_like(x), 3 / 8, mean)
    keep = torch.rand_like(x) >= 0.2
    return torch.where(keep, x + 0.2 * scale * torch.randn_like(x), mean.expand_as(x))
