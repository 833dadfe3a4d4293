"""``"flatten"``: a backbone with no weights, ``(B, *in_shape) -> (B, prod(in_shape))``.

It does what stable-baselines3's ``FlattenExtractor`` does for ``MlpPolicy``: the layers after
it (``net_arch``) do all the learning. Reinforcement uses it to rebuild SB3 policies whose
first layer cannot be a shared backbone, such as SAC's and TD3's critics, which read the
observation and the action together (see ``reinforcement/sb3_layout.py``). As the backbone
of a ``Classifier`` it makes the head a linear model on the (standardised) raw inputs.
"""

from __future__ import annotations

import math

import torch

from paradigms.backbones.base import Backbone
from paradigms.backbones.registry import register_backbone


class FlattenBackbone(Backbone):
    """``(B, *in_shape) -> (B, prod(in_shape))``: the normalised input, flattened."""

    def __init__(self, in_shape: tuple[int, ...]) -> None:
        super().__init__(in_shape, max(1, math.prod(int(s) for s in in_shape)))

    def forward_features(self, x: torch.Tensor) -> torch.Tensor:
        """``(B, *in_shape) -> (B, out_features)``."""
        return x.reshape(x.shape[0], self.out_features)


@register_backbone("flatten")
def flatten(in_shape: tuple[int, ...]) -> FlattenBackbone:
    """Factory for :class:`FlattenBackbone`."""
    return FlattenBackbone(in_shape)
