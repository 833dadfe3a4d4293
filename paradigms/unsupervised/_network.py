"""The autoencoder network: encoder (a shared Backbone) + decoder; plain, denoising, masked,
variational or contrastive training."""

from __future__ import annotations

from typing import NamedTuple

import torch
from torch import nn

from paradigms.backbones import ProjectedBackbone
from paradigms.engine.augment import random_affine

KINDS = ("contrastive", "plain", "denoising", "masked", "variational")
#: share of input patches (images) or features (vectors) ``kind="masked"`` hides
MASK_RATIO = 0.5


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
        kind: ``"plain"``, ``"denoising"`` (Gaussian input noise while training), ``"masked"``
            (:data:`MASK_RATIO` of the input's patches hidden while training), ``"variational"``
            (reparameterised Gaussian code) or ``"contrastive"`` (a random view of the input
            while training; :mod:`paradigms.unsupervised.contrastive` adds its loss).
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
        # codes are divided by this before decoding (``contrastive.unit_code_scale``)
        self.register_buffer("code_scale", torch.ones(()))

    def decode(self, z: torch.Tensor) -> torch.Tensor:
        """``(B, latent_dim) -> (B, *in_shape)`` in data units."""
        norm = self.encoder.normalizer
        return self.decoder(z / self.code_scale) * norm.scale + norm.mean

    def embed(self, x: torch.Tensor) -> torch.Tensor:
        """Codes ``(B, latent_dim)`` of ``x`` ``(B, *in_shape)`` as given (no corruption)."""
        return self.encoder.proj(self.encoder.base.forward_features(self.encoder.normalizer(x)))

    def _corrupt(self, x: torch.Tensor) -> torch.Tensor:
        """The training-time input of each kind, standardised, same shape as ``x``."""
        norm = self.encoder.normalizer
        if self.kind == "contrastive":
            return norm(contrastive_view(x, norm.scale))
        h = norm(x)
        if self.kind == "denoising" and self.noise > 0:
            return h + self.noise * torch.randn_like(h)
        if self.kind == "masked":
            return h * _keep_mask(h)
        return h

    def forward(self, x: torch.Tensor) -> AEOutput:
        """``(B, *in_shape) ->`` :class:`AEOutput`."""
        if tuple(x.shape[1:]) != self.encoder.in_shape:
            self.encoder(x)  # raises the backbone's shape error
        h = self._corrupt(x) if self.training else self.encoder.normalizer(x)
        features = self.encoder.base.forward_features(h)
        mu = self.encoder.proj(features)
        if self.logvar_head is None:
            return AEOutput(self.decode(mu), mu, torch.zeros_like(mu))
        logvar = self.logvar_head(features).clamp(-10.0, 10.0)
        z = mu + torch.randn_like(mu) * torch.exp(0.5 * logvar) if self.training else mu
        return AEOutput(self.decode(z), mu, logvar)


def contrastive_view(x: torch.Tensor, scale: torch.Tensor) -> torch.Tensor:
    """A random view of each sample of ``x`` in the data's units, same shape.

    Images ``(B, C, H, W)``: shifts up to 1/8 of the size, rotations up to 15 degrees and
    zooms up to 15%. Vectors ``(B, d)``: Gaussian noise of 0.1 standard deviations
    (``scale``, per feature).
    """
    if x.ndim == 4:
        return random_affine(x, shift=0.125, degrees=15.0, scale=0.15)
    return x + 0.1 * scale * torch.randn_like(x)


def _keep_mask(h: torch.Tensor) -> torch.Tensor:
    """1 where ``h`` stays, 0 where it is hidden: for images ``(B, C, H, W)`` square patches of
    a quarter of the shorter side (2x2 pixels on 8x8 digits), for vectors single features;
    each hidden with probability :data:`MASK_RATIO`. Broadcastable to ``h``."""
    if h.ndim != 4:
        return (torch.rand_like(h) >= MASK_RATIO).to(h.dtype)
    n, _, height, width = h.shape
    patch = max(1, min(height, width) // 4)
    grid = (-(-height // patch), -(-width // patch))
    keep = (torch.rand(n, 1, *grid, device=h.device) >= MASK_RATIO).to(h.dtype)
    keep = keep.repeat_interleave(patch, dim=2).repeat_interleave(patch, dim=3)
    return keep[:, :, :height, :width]


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
