"""Decoders that mirror the encoder: an MLP for vectors, transposed convolutions for images.

Both map a latent code ``(B, latent_dim)`` to a *standardised* reconstruction
``(B, *out_shape)``; the autoencoder maps it back to the data's units with the encoder's own
normalisation statistics. The output layer is linear (no sigmoid): data may have any range.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import torch
from torch import nn


class MLPDecoder(nn.Module):
    """``(B, latent_dim) -> [Linear -> ReLU] * len(hidden) -> Linear -> (B, *out_shape)``.

    Args:
        latent_dim: width of the code.
        out_shape: per-sample output shape (the data's ``in_shape``).
        hidden: hidden widths, e.g. the encoder's reversed (``(128, 256)`` for ``(256, 128)``).
    """

    def __init__(
        self, latent_dim: int, out_shape: tuple[int, ...], hidden: Sequence[int] = (128, 256)
    ) -> None:
        super().__init__()
        self.out_shape = tuple(out_shape)
        layers: list[nn.Module] = []
        previous = latent_dim
        for width in hidden:
            layers += [nn.Linear(previous, int(width)), nn.ReLU()]
            previous = int(width)
        layers.append(nn.Linear(previous, math.prod(self.out_shape)))
        self.layers = nn.Sequential(*layers)

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        """``(B, latent_dim) -> (B, *out_shape)``."""
        return self.layers(z).reshape(z.shape[0], *self.out_shape)


class ConvDecoder(nn.Module):
    """``(B, latent_dim) -> Linear -> (B, w0, h0, w0) -> [ConvTranspose x2 up] * k -> conv``.

    ``k`` doubling stages bring a small start grid (at most 4x4) to at least the image size,
    then the result is cropped to ``(H, W)``: 8x8 digits use one stage, 64x64 images four.

    Args:
        latent_dim: width of the code.
        out_shape: ``(C, H, W)``.
        widths: channels from the start grid down (the encoder's widths reversed).
    """

    def __init__(
        self, latent_dim: int, out_shape: tuple[int, ...], widths: Sequence[int] = (128, 64, 32)
    ) -> None:
        super().__init__()
        channels, height, width = out_shape
        self.out_shape = tuple(out_shape)
        stages = max(0, math.ceil(math.log2(max(height, width) / 4)))
        self.start = (math.ceil(height / 2**stages), math.ceil(width / 2**stages))
        chans = [int(w) for w in widths] or [32]
        chans += [chans[-1]] * max(0, stages + 1 - len(chans))
        self.start_channels = chans[0]
        self.project = nn.Linear(latent_dim, chans[0] * self.start[0] * self.start[1])
        layers: list[nn.Module] = [nn.ReLU()]
        for i in range(stages):
            layers += [
                nn.ConvTranspose2d(chans[i], chans[i + 1], kernel_size=4, stride=2, padding=1),
                nn.BatchNorm2d(chans[i + 1]),
                nn.ReLU(),
            ]
        layers.append(nn.Conv2d(chans[stages], channels, kernel_size=3, padding=1))
        self.layers = nn.Sequential(*layers)

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        """``(B, latent_dim) -> (B, C, H, W)``."""
        grid = self.project(z).reshape(z.shape[0], self.start_channels, *self.start)
        out = self.layers(grid)
        return out[:, :, : self.out_shape[1], : self.out_shape[2]]


def mirror_decoder(
    encoder_base: nn.Module, latent_dim: int, in_shape: tuple[int, ...]
) -> nn.Module:
    """A decoder mirroring ``encoder_base`` for data of per-sample shape ``in_shape``.

    Vectors get an :class:`MLPDecoder` with the encoder's hidden widths reversed (when the
    encoder is the library's MLP), images a :class:`ConvDecoder` with the CNN's widths reversed.
    """
    config = getattr(encoder_base, "config", None)
    kwargs = dict(config.kwargs) if config is not None else {}
    if len(in_shape) == 1:
        hidden = kwargs.get("hidden", (256, 128)) if config and config.name == "mlp" else (256, 128)
        return MLPDecoder(latent_dim, in_shape, hidden=tuple(reversed(list(hidden))))
    widths = (
        kwargs.get("widths", (32, 64, 128)) if config and config.name == "cnn" else (32, 64, 128)
    )
    return ConvDecoder(latent_dim, in_shape, widths=tuple(reversed(list(widths))))
