"""``"mlp"``: a multilayer perceptron for vector (or flattened) inputs."""

from __future__ import annotations

import math
from collections.abc import Sequence

import torch
from torch import nn

from paradigms.backbones.base import Backbone
from paradigms.backbones.registry import register_backbone

ACTIVATIONS: dict[str, type[nn.Module]] = {
    "relu": nn.ReLU,
    "tanh": nn.Tanh,
    "elu": nn.ELU,
    "leaky_relu": nn.LeakyReLU,
    "gelu": nn.GELU,
    "silu": nn.SiLU,
}


def make_activation(name: str) -> nn.Module:
    """An activation module by name (a key of :data:`ACTIVATIONS`)."""
    if name not in ACTIVATIONS:
        raise ValueError(f"activation={name!r} is unknown; choose one of {sorted(ACTIVATIONS)}.")
    return ACTIVATIONS[name]()


class MLPBackbone(Backbone):
    """``(B, *in_shape) -> flatten -> [Linear -> activation -> dropout] * len(hidden)``.

    Args:
        in_shape: per-sample input shape; images are flattened.
        hidden: widths of the hidden layers; the last one is ``out_features``.
        activation: ``"relu"``, ``"gelu"``, ``"silu"``, ``"tanh"``, ``"elu"`` or
            ``"leaky_relu"``.
        dropout: dropout probability after each hidden layer.
    """

    def __init__(
        self,
        in_shape: tuple[int, ...],
        hidden: Sequence[int] = (256, 128),
        activation: str = "relu",
        dropout: float = 0.0,
    ) -> None:
        widths = [int(h) for h in hidden]
        if not widths or any(w < 1 for w in widths):
            raise ValueError(
                f"hidden must be a non-empty sequence of positive ints; got {hidden!r}."
            )
        if not 0.0 <= dropout < 1.0:
            raise ValueError(f"dropout must be in [0, 1); got {dropout!r}.")
        super().__init__(in_shape, widths[-1])
        layers: list[nn.Module] = [nn.Flatten()]
        previous = math.prod(in_shape)
        for width in widths:
            layers += [nn.Linear(previous, width), make_activation(activation)]
            if dropout > 0:
                layers.append(nn.Dropout(dropout))
            previous = width
        self.layers = nn.Sequential(*layers)
        # Vector inputs skip Flatten and Sequential's call overhead (RL calls this per step).
        self._flat_body = tuple(layers[1:]) if len(self.in_shape) == 1 else None

    def forward_features(self, x: torch.Tensor) -> torch.Tensor:
        """``(B, *in_shape) -> (B, hidden[-1])``."""
        if self._flat_body is None:
            return self.layers(x)
        for layer in self._flat_body:
            x = layer(x)
        return x


@register_backbone("mlp")
def mlp(
    in_shape: tuple[int, ...],
    hidden: Sequence[int] = (256, 128),
    activation: str = "relu",
    dropout: float = 0.0,
) -> MLPBackbone:
    """Factory for :class:`MLPBackbone`."""
    return MLPBackbone(in_shape, hidden=tuple(hidden), activation=activation, dropout=dropout)
