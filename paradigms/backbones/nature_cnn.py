"""``"nature_cnn"``: the DQN Nature network's convolutions, for large frames such as Atari's.

The architecture of Mnih et al. (2015, "Human-level control through deep reinforcement
learning"): 8x8 convolution stride 4 with 32 channels, 4x4 stride 2 with 64, 3x3 stride 1 with
64, each followed by ReLU, then a linear layer to ``features`` units with ReLU. It is what
stable-baselines3's ``CnnPolicy`` and rl-baselines3-zoo's Atari presets use, and is cheap on
84x84 frames because its first layer already strides by 4. Images must be at least 36x36
(the three convolutions need that much); smaller images suit ``"cnn"``.
"""

from __future__ import annotations

import torch
from torch import nn

from paradigms.backbones.base import Backbone
from paradigms.backbones.registry import register_backbone

MIN_SIDE = 36


class NatureCNNBackbone(Backbone):
    """``(B, C, H, W) -> (B, features)`` through the Nature DQN convolutions.

    Args:
        in_shape: ``(C, H, W)`` with H and W >= 36 (e.g. ``(4, 84, 84)``: 4 stacked frames).
        features: width of the final linear layer (``out_features``).
    """

    def __init__(self, in_shape: tuple[int, ...], features: int = 512) -> None:
        if len(in_shape) != 3 or min(in_shape[1:]) < MIN_SIDE:
            raise ValueError(
                f"the 'nature_cnn' backbone needs images (channels, height, width) of at least "
                f"{MIN_SIDE}x{MIN_SIDE}; got in_shape={tuple(in_shape)}. Use 'cnn' for smaller "
                "images (or 'auto')."
            )
        if int(features) < 1:
            raise ValueError(f"features must be a positive int; got {features!r}.")
        super().__init__(in_shape, int(features))
        self.convolutions = nn.Sequential(
            nn.Conv2d(in_shape[0], 32, kernel_size=8, stride=4),
            nn.ReLU(),
            nn.Conv2d(32, 64, kernel_size=4, stride=2),
            nn.ReLU(),
            nn.Conv2d(64, 64, kernel_size=3, stride=1),
            nn.ReLU(),
            nn.Flatten(),
        )
        with torch.no_grad():
            flat = int(self.convolutions(torch.zeros(1, *in_shape)).shape[1])
        self.linear = nn.Sequential(nn.Linear(flat, int(features)), nn.ReLU())

    def forward_features(self, x: torch.Tensor) -> torch.Tensor:
        """``(B, C, H, W) -> (B, features)``."""
        return self.linear(self.convolutions(x))


@register_backbone("nature_cnn")
def nature_cnn(in_shape: tuple[int, ...], features: int = 512) -> NatureCNNBackbone:
    """Factory for :class:`NatureCNNBackbone`."""
    return NatureCNNBackbone(in_shape, features=features)
