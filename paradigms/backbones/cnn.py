"""``"cnn"``: a small convolutional network for images from 8x8 up to 224x224 and beyond."""

from __future__ import annotations

import math
from collections.abc import Sequence

import torch
from torch import nn

from paradigms.backbones.base import Backbone
from paradigms.backbones.registry import register_backbone


class ConvBNAct(nn.Sequential):
    """3x3 conv -> BatchNorm -> ReLU: ``(B, c_in, H, W) -> (B, c_out, H/stride, W/stride)``."""

    def __init__(self, c_in: int, c_out: int, stride: int = 1) -> None:
        super().__init__(
            nn.Conv2d(c_in, c_out, kernel_size=3, stride=stride, padding=1, bias=False),
            nn.BatchNorm2d(c_out),
            nn.ReLU(inplace=True),
        )


class CNNBackbone(Backbone):
    """A VGG-style stack of conv blocks followed by average pooling to a ``pool_size`` grid.

    The layout adapts to the image size: large images first pass through stride-2 stem
    convolutions until the shorter side is at most ``stem_max_size``; then one stage per entry
    of ``widths`` (``blocks_per_stage`` conv blocks each), every stage after the first halving
    the resolution while it is above ``min_size``. An 8x8 digit keeps 4x4 resolution in its last
    stage; a 224x224 image is reduced to 7x7.

    Global average pooling (``pool_size=1``, the default) makes the features blind to where
    something is in the image; ``pool_size=k`` keeps a ``k x k`` grid of averages, so the
    features also say where (what a policy needs when the action depends on a position;
    the reinforcement paradigm's ``"auto"`` image backbone uses it).

    Args:
        in_shape: ``(C, H, W)``, any channel count, H and W >= 4.
        widths: channels of each stage; the last is ``out_features``.
        blocks_per_stage: conv blocks per stage.
        stem_max_size: largest side length the stages see.
        min_size: no further down-sampling below this side length.
        pool_size: side of the pooled grid; ``out_features`` is ``widths[-1] * pool_size**2``.
    """

    def __init__(
        self,
        in_shape: tuple[int, ...],
        widths: Sequence[int] = (32, 64, 128),
        blocks_per_stage: int = 1,
        stem_max_size: int = 32,
        min_size: int = 4,
        pool_size: int = 1,
    ) -> None:
        if len(in_shape) != 3:
            raise ValueError(
                f"the 'cnn' backbone needs image inputs (channels, height, width); got in_shape="
                f"{in_shape}. Use 'mlp' (or 'auto') for vector inputs."
            )
        channels, height, width = in_shape
        if min(height, width) < 4:
            raise ValueError(
                f"the 'cnn' backbone needs images of at least 4x4 pixels; got {height}x{width}. "
                "Use 'mlp' for tiny inputs, or upsample the images."
            )
        stage_widths = [int(w) for w in widths]
        if not stage_widths or any(w < 1 for w in stage_widths) or blocks_per_stage < 1:
            raise ValueError(
                f"widths must be positive ints and blocks_per_stage >= 1; got widths={widths!r}, "
                f"blocks_per_stage={blocks_per_stage!r}."
            )
        if int(pool_size) < 1:
            raise ValueError(f"pool_size must be a positive int; got {pool_size!r}.")
        super().__init__(in_shape, stage_widths[-1] * int(pool_size) ** 2)
        layers: list[nn.Module] = []
        size, previous = min(height, width), channels
        while size > stem_max_size:
            layers.append(ConvBNAct(previous, stage_widths[0], stride=2))
            previous, size = stage_widths[0], math.ceil(size / 2)
        for index, stage_width in enumerate(stage_widths):
            for block in range(blocks_per_stage):
                stride = 2 if (index > 0 and block == 0 and size > min_size) else 1
                layers.append(ConvBNAct(previous, stage_width, stride=stride))
                previous, size = stage_width, math.ceil(size / stride)
        self.features = nn.Sequential(*layers)
        self.pool = nn.Sequential(nn.AdaptiveAvgPool2d(int(pool_size)), nn.Flatten())

    def forward_features(self, x: torch.Tensor) -> torch.Tensor:
        """``(B, C, H, W) -> (B, widths[-1] * pool_size**2)``."""
        return self.pool(self.features(x))


@register_backbone("cnn")
def cnn(
    in_shape: tuple[int, ...],
    widths: Sequence[int] = (32, 64, 128),
    blocks_per_stage: int = 1,
    stem_max_size: int = 32,
    min_size: int = 4,
    pool_size: int = 1,
) -> CNNBackbone:
    """Factory for :class:`CNNBackbone`."""
    return CNNBackbone(
        in_shape,
        widths=tuple(widths),
        blocks_per_stage=blocks_per_stage,
        stem_max_size=stem_max_size,
        min_size=min_size,
        pool_size=pool_size,
    )
