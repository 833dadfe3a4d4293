"""The autoencoder network: encoder (a shared Backbone) + decoder, plain / denoising / VAE."""

from __future__ import annotations

from typing import NamedTuple

import torch
from torch import nn

from paradigms.backbones import ProjectedBackbone

KINDS = ("plain", "denoising", "variational")


class AEOutput(NamedTuple):
    """What the network returns for a batch ``x`` of shape ``(B, *in_shape)``.

    Attributes:
        recon: reconstruction in the data's units, ``(B, *in_shape)``.
        mu: latent code (the VAE's posterior mean), ``(B, latent_dim)``.
        logvar: the VAE's posterior log-variance ``(B, latent_dim)``; zeros otherwise.
    """

    recon: torch.Tensor
    mu: torch.Tensor
    logvar: torch.Tensor


class AutoEncoderNet(nn.Module):
    """``x -> encoder -> z -> decoder -> reconstruction`` (all in the data's units).

    The encoder's normaliser standardises ``x``; the decoder predicts the standardised input,
    which is mapped back with the same statistics, so the loss can be measured in data units.

    Args:
        encoder: a :class:`ProjectedBackbone` whose output width is the latent size.
        decoder: ``(B, latent_dim) -> (B, *in_shape)`` standardised.
        kind: ``"plain"``, ``"denoising"`` (Gaussian input noise while training) or
            ``"variational"`` (reparameterised Gaussian code).
        noise: noise standard deviation for ``"denoising"``, in units of each feature's
            (channel's) standard deviation.
    """

    def __init__(
        self,
        encoder: ProjectedBackbone,
        decoder: nn.Module,
        kind: str = "plain",
        noise: float = 0.0,
    ) -> None:
        super().__init__()
        self.encoder = encoder
        self.decoder = decoder
        self.kind = kind
        self.noise = float(noise)
        self.logvar_head = (
            nn.Linear(encoder.base.out_features, encoder.out_features)
            if kind == "variational"
            else None
        )

    def decode(self, z: torch.Tensor) -> torch.Tensor:
        """``(B, latent_dim) -> (B, *in_shape)`` in data units."""
        norm = self.encoder.normalizer
        return self.decoder(z) * norm.scale + norm.mean

    def forward(self, x: torch.Tensor) -> AEOutput:
        """``(B, *in_shape) ->`` :class:`AEOutput`."""
        if tuple(x.shape[1:]) != self.encoder.in_shape:
            self.encoder(x)  # raises the backbone's shape error
        norm = self.encoder.normalizer
        h = norm(x)
        if self.training and self.kind == "denoising" and self.noise > 0:
            h = h + self.noise * torch.randn_like(h)
        features = self.encoder.base.forward_features(h)
        mu = self.encoder.proj(features)
        if self.logvar_head is None:
            return AEOutput(self.decode(mu), mu, torch.zeros_like(mu))
        logvar = self.logvar_head(features).clamp(-10.0, 10.0)
        z = mu + torch.randn_like(mu) * torch.exp(0.5 * logvar) if self.training else mu
        return AEOutput(self.decode(z), mu, logvar)


class ReconstructionLoss:
    """Mean squared error in data units, divided by the data's mean variance (+ beta * KL).

    Dividing by the mean per-feature variance makes the loss scale-free (1.0 = predicting the
    mean everywhere) while still weighting every feature or pixel equally, as the usual MSE
    on the data does (per-feature standardised MSE would overweight near-constant pixels).
    For the VAE, the KL term of the Gaussian code is added per input value, times ``beta``.

    Args:
        unit_variance: mean variance of the data (per feature or per channel), > 0.
        beta: weight of the KL term.
        variational: add the KL term (for ``kind="variational"``).
    """

    def __init__(self, unit_variance: float, beta: float = 1.0, variational: bool = False) -> None:
        self.unit_variance = float(unit_variance)
        self.beta = float(beta)
        self.variational = variational

    def per_sample(self, output: AEOutput, target: torch.Tensor) -> torch.Tensor:
        """Reconstruction error per sample ``(B,)``."""
        return ((output.recon - target) ** 2).flatten(1).mean(dim=1) / self.unit_variance

    def __call__(self, output: AEOutput, target: torch.Tensor) -> torch.Tensor:
        loss = self.per_sample(output, target).mean()
        if self.variational and self.beta > 0:
            kl = -0.5 * (1 + output.logvar - output.mu**2 - output.logvar.exp()).sum(dim=1)
            loss = loss + self.beta * kl.mean() / target[0].numel()
        return loss
