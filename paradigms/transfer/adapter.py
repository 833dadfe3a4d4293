"""Input adaptation for pretrained models: pixel scale, size, and the model's mean/std."""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import nn
from torch.nn import functional

from paradigms.engine.augment import random_affine


class InputAdapter(nn.Module):
    """``(B, C, H, W)`` raw images -> ``(B, C, h, w)`` as the pretrained model expects.

    Steps: divide by ``pixel_scale`` (so pixels lie in [0, 1] as in pretraining), resize to
    ``size`` (bilinear) when given, in training mode with ``augment`` apply a small random
    affine warp per image (shift up to 1/16 of the side, rotation up to 10 degrees, scale
    0.9-1.1), then normalise per channel with the model's data-config ``mean``/``std``
    (averaged over RGB for grey input).

    Args:
        pixel_scale: the data's maximum pixel value (1 for [0, 1] data, 16 for digits, 255).
        size: ``(h, w)`` to resize to, or ``None`` to keep the input size.
        mean: per-channel means of the pretraining data (length ``C`` or 3).
        std: per-channel standard deviations (same length).
        channels: the number of input channels ``C``.
        augment: random affine warps while training (never at inference).
    """

    def __init__(
        self,
        pixel_scale: float,
        size: tuple[int, int] | None,
        mean: Sequence[float],
        std: Sequence[float],
        channels: int,
        augment: bool = False,
    ) -> None:
        super().__init__()
        self.augment = augment
        self.size = tuple(size) if size is not None else None
        mean_t = torch.tensor(mean, dtype=torch.float32)
        std_t = torch.tensor(std, dtype=torch.float32)
        if len(mean_t) != channels:
            mean_t = mean_t.mean().repeat(channels)
            std_t = std_t.mean().repeat(channels)
        self.register_buffer("pixel_scale", torch.tensor(float(pixel_scale)))
        self.register_buffer("mean", mean_t.reshape(1, channels, 1, 1))
        self.register_buffer("std", std_t.reshape(1, channels, 1, 1))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """``(B, C, H, W) -> (B, C, *size)``.

        The per-channel scaling is applied first, on the small image (it commutes with
        bilinear resampling); resizing and the augmentation warp then share one resampling.
        """
        gain = 1.0 / (self.pixel_scale * self.std)
        x = torch.addcmul(-self.mean / self.std, x, gain)
        size = self.size if self.size is not None else tuple(x.shape[-2:])
        if self.training and self.augment:
            return random_affine(x, size)
        if tuple(x.shape[-2:]) != size:
            x = functional.interpolate(x, size=size, mode="bilinear", align_corners=False)
        return x

    def extra_repr(self) -> str:
        return f"pixel_scale={float(self.pixel_scale):g}, size={self.size}, augment={self.augment}"


def pixel_scale_of(X: torch.Tensor | object) -> float:
    """The data's pixel range: 1 for data within [0, 1], else its maximum absolute value."""
    import numpy as np

    peak = float(np.abs(np.asarray(X)).max()) if np.asarray(X).size else 1.0
    return 1.0 if peak <= 1.0 else peak
