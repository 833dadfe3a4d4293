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
