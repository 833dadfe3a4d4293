"""The network a FineTuner trains: optional input adapter + the model, frozen parts in eval."""

from __future__ import annotations

import torch
from torch import nn
from torch.nn.modules.batchnorm import _BatchNorm


class TransferNet(nn.Module):
    """``x -> adapter -> model -> logits``.

    In training mode, every BatchNorm layer whose own parameters are all frozen stays in eval
    mode, so frozen layers keep their pretrained statistics exactly (also while groups are being
    unfrozen one by one).

    Args:
        model: a timm classifier or a ``BackboneWithHead``.
        adapter: input adaptation (pixel scale, size, mean/std), or ``None``.
    """

    def __init__(self, model: nn.Module, adapter: nn.Module | None = None) -> None:
        super().__init__()
        self.adapter = adapter if adapter is not None else nn.Identity()
        self.model = model

    def train(self, mode: bool = True) -> TransferNet:
        super().train(mode)
        if mode:
            for module in self.model.modules():
                own = list(module.parameters(recurse=False))
                if isinstance(module, _BatchNorm) and own and not any(p.requires_grad for p in own):
                    module.eval()
        return self

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """``(B, *in_shape) -> (B, n_classes)``."""
        return self.model(self.adapter(x))
