"""Input adaptation for pretrained models: pixel scale, size, and the model's mean/std."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import torch
from torch import nn
from torch.nn import functional

from paradigms.engine.augment import random_affine

#: images smaller than this (shorter side) are upsampled for timm models with image_size="auto"
MIN_AUTO_SIZE = 32


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

    def settings(self) -> dict[str, Any]:
        """The constructor's arguments as JSON-ready values (``augment`` off: for inference)."""
        channels = int(self.mean.shape[1])
        return {
            "pixel_scale": float(self.pixel_scale),
            "size": list(self.size) if self.size is not None else None,
            "mean": self.mean.reshape(channels).tolist(),
            "std": self.std.reshape(channels).tolist(),
            "channels": channels,
        }

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


def target_size(
    image_size: Any, height: int, width: int, data_config: dict[str, Any]
) -> tuple[int, int] | None:
    """The size a FineTuner resizes ``height x width`` images to (``None``: keep it).

    Args:
        image_size: the FineTuner's ``image_size``: ``None`` (keep), an int (square) or
            ``"auto"``: the model's fixed input size if it has one, else images smaller than
            :data:`MIN_AUTO_SIZE` on their short side scaled up to it.
        height, width: the images' size.
        data_config: timm's data config of the model (``input_size``, ``fixed_input_size``).
    """
    if image_size is None:
        return None
    if isinstance(image_size, (int, np.integer)):
        if image_size < 1:
            raise ValueError(f"image_size must be >= 1; got {image_size!r}.")
        return (int(image_size), int(image_size))
    if image_size != "auto":
        raise ValueError(f"image_size must be 'auto', an int or None; got {image_size!r}.")
    if data_config.get("fixed_input_size"):
        return tuple(data_config["input_size"][1:])
    if min(height, width) >= MIN_AUTO_SIZE:
        return None
    factor = MIN_AUTO_SIZE / min(height, width)
    return (round(height * factor), round(width * factor))
