"""The input normalisation layer every backbone carries (saved with its weights)."""

from __future__ import annotations

import numpy as np
import torch
from torch import nn


class Standardize(nn.Module):
    """Subtract a mean and divide by a scale, both stored as buffers.

    For vector inputs ``(B, d)`` the statistics are per feature, shape ``(d,)``; for images
    ``(B, C, H, W)`` they are per channel, shape ``(C, 1, 1)``. Until :meth:`fit` is called the
    layer is the identity (mean 0, scale 1), ``fitted`` is ``False`` and ``forward`` returns
    its input untouched (no arithmetic: RL policies call it for every environment step).

    Args:
        in_shape: the per-sample input shape, ``(d,)`` or ``(C, H, W)``.
    """

    def __init__(self, in_shape: tuple[int, ...]) -> None:
        super().__init__()
        stat_shape = (in_shape[0], *([1] * (len(in_shape) - 1)))
        self.register_buffer("mean", torch.zeros(stat_shape))
        self.register_buffer("scale", torch.ones(stat_shape))
        self.register_buffer("is_fitted", torch.zeros((), dtype=torch.bool))
        self._identity = True  # a Python mirror of ``not is_fitted``, read on every forward

    @property
    def fitted(self) -> bool:
        """Whether statistics have been set (by :meth:`fit` or by loading a checkpoint)."""
        return bool(self.is_fitted)

    @property
    def is_identity(self) -> bool:
        """True while no statistics are set: ``forward`` then returns its input as is."""
        return self._identity

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
        return self.set_statistics(mean.reshape(self.mean.shape), scale.reshape(self.scale.shape))

    @torch.no_grad()
    def set_statistics(
        self, mean: float | torch.Tensor, scale: float | torch.Tensor
    ) -> Standardize:
        """Set the mean and scale directly (scalars, or tensors shaped like the statistics).

        Example: ``set_statistics(0.0, 255.0)`` makes the layer map raw pixels to ``[0, 1]``.
        """
        self.mean.copy_(torch.as_tensor(mean, dtype=self.mean.dtype).expand_as(self.mean))
        self.scale.copy_(torch.as_tensor(scale, dtype=self.scale.dtype).expand_as(self.scale))
        self.is_fitted.fill_(True)
        self._identity = False
        return self

    def _load_from_state_dict(self, *args: object, **kwargs: object) -> None:
        super()._load_from_state_dict(*args, **kwargs)  # type: ignore[arg-type]
        self._identity = not bool(self.is_fitted)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """``(B, *in_shape) -> (B, *in_shape)``, standardised."""
        if self._identity:
            return x
        return (x - self.mean) / self.scale
