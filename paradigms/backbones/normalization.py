"""The input normalisation layer every backbone carries (saved with its weights)."""

from __future__ import annotations

import numpy as np
import torch
from torch import nn


class Standardize(nn.Module):
    """Subtract a mean and divide by a scale, both stored as buffers.

    For vector inputs ``(B, d)`` the statistics are per feature, shape ``(d,)``; for images
    ``(B, C, H, W)`` they are per channel, shape ``(C, 1, 1)``. Until :meth:`fit` is called the
    layer is the identity (mean 0, scale 1) and ``fitted`` is ``False``.

    Args:
        in_shape: the per-sample input shape, ``(d,)`` or ``(C, H, W)``.
    """

    def __init__(self, in_shape: tuple[int, ...]) -> None:
        super().__init__()
        stat_shape = (in_shape[0], *([1] * (len(in_shape) - 1)))
        self.register_buffer("mean", torch.zeros(stat_shape))
        self.register_buffer("scale", torch.ones(stat_shape))
        self.register_buffer("is_fitted", torch.zeros((), dtype=torch.bool))

    @property
    def fitted(self) -> bool:
        """Whether statistics have been set (by :meth:`fit` or by loading a checkpoint)."""
        return bool(self.is_fitted)

    @torch.no_grad()
    def fit(self, X: np.ndarray | torch.Tensor) -> Standardize:
        """Set mean and scale from training inputs.

        Args:
            X: inputs of shape ``(n, *in_shape)``.

        Returns:
            self. Features (or channels) with zero variance get scale 1.
        """
        if isinstance(X, torch.Tensor):
            x = X.detach().to(dtype=torch.float64, device="cpu")
        else:  # a float64 copy: read-only arrays (e.g. joblib memmaps) would make torch warn
            x = torch.from_numpy(np.array(X, dtype=np.float64))
        reduce_dims = [0, *range(2, x.ndim)]
        mean = x.mean(dim=reduce_dims)
        scale = x.std(dim=reduce_dims, unbiased=False)
        scale = torch.where(scale > 1e-12 * (1 + mean.abs()), scale, torch.ones_like(scale))
        self.mean.copy_(mean.reshape(self.mean.shape).to(self.mean))
        self.scale.copy_(scale.reshape(self.scale.shape).to(self.scale))
        self.is_fitted.fill_(True)
        return self

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """``(B, *in_shape) -> (B, *in_shape)``, standardised."""
        return (x - self.mean) / self.scale
