"""A shared ``Backbone`` followed by a linear head: the network of every labelled paradigm."""

from __future__ import annotations

import torch
from torch import nn

from paradigms.backbones.base import Backbone


class BackboneWithHead(nn.Module):
    """``(B, *in_shape) -> [input_transform] -> backbone -> dropout -> Linear -> (B, n_outputs)``.

    Args:
        backbone: any :class:`Backbone`; its features feed the head.
        n_outputs: number of classes (logits) or regression targets.
        dropout: dropout before the head.
        freeze_backbone: train only the head (a linear probe); the backbone's weights and
            BatchNorm statistics stay exactly as given.
        input_transform: a module applied to the input first, e.g. training-time augmentation.

    Attributes:
        output_labels: what each output stands for, when known (a fitted ``Classifier`` sets
            its ``classes_`` here); the reinforcement paradigm reads it to start a policy's
            action head from a classifier of an expert's actions (behaviour cloning).
    """

    def __init__(
        self,
        backbone: Backbone,
        n_outputs: int,
        dropout: float = 0.0,
        freeze_backbone: bool = False,
        input_transform: nn.Module | None = None,
    ) -> None:
        super().__init__()
        self.input_transform = input_transform if input_transform is not None else nn.Identity()
        self.backbone = backbone
        self.freeze_backbone = freeze_backbone
        if freeze_backbone:
            backbone.requires_grad_(False)
        self.dropout = nn.Dropout(dropout) if dropout > 0 else nn.Identity()
        self.head = nn.Linear(backbone.out_features, n_outputs)
        self.output_labels: tuple[object, ...] | None = None

    def train(self, mode: bool = True) -> BackboneWithHead:
        """Like ``nn.Module.train``, but a frozen backbone stays in eval mode (BatchNorm
        statistics and dropout of a frozen backbone never change)."""
        super().train(mode)
        if self.freeze_backbone:
            self.backbone.eval()
        return self

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """``(B, *in_shape) -> (B, n_outputs)``."""
        return self.head(self.dropout(self.backbone(self.input_transform(x))))
