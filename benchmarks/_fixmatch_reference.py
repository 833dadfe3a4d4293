"""A plain FixMatch-style PyTorch loop: the reference the semi-supervised Classifier is timed
against (the issue's "about 80 lines" loop, written here from its description: a small CNN,
1-pixel shifts as weak and affine + noise + cutout as strong augmentation, threshold 0.95,
1,500 steps of 64 labelled + 448 unlabelled images, AdamW with a one-cycle schedule).

It uses only torch and the library's ``cnn`` backbone factory (the same network the Classifier
trains), so the comparison is about the training recipe and loop, not the architecture.
"""

from __future__ import annotations

import math

import numpy as np
import torch
from torch import nn
from torch.nn import functional

from paradigms.backbones import create_backbone

#: the loop's recipe, as the issue describes it
STEPS, LABELLED_BATCH, UNLABELLED_RATIO, THRESHOLD = 1500, 64, 7, 0.95


def _shift(x: torch.Tensor, pixels: float) -> torch.Tensor:
    n = len(x)
    theta = torch.zeros(n, 2, 3)
    theta[:, 0, 0] = theta[:, 1, 1] = 1.0
    theta[:, :, 2] = (torch.rand(n, 2) * 2 - 1) * (2 * pixels / x.shape[-1])
    grid = functional.affine_grid(theta, list(x.shape), align_corners=False)
    return functional.grid_sample(x, grid, padding_mode="border", align_corners=False)


def _strong(x: torch.Tensor) -> torch.Tensor:
    n, _, height, width = x.shape
    angle = (torch.rand(n) * 2 - 1) * math.radians(25)
    zoom = 1 + (torch.rand(n) * 2 - 1) * 0.2
    theta = torch.zeros(n, 2, 3)
    theta[:, 0, 0], theta[:, 0, 1] = torch.cos(angle) / zoom, -torch.sin(angle) / zoom
    theta[:, 1, 0], theta[:, 1, 1] = torch.sin(angle) / zoom, torch.cos(angle) / zoom
    theta[:, :, 2] = (torch.rand(n, 2) * 2 - 1) * 0.3
    grid = functional.affine_grid(theta, list(x.shape), align_corners=False)
    x = functional.grid_sample(x, grid, padding_mode="border", align_corners=False)
    x = x + 0.1 * torch.randn_like(x)
    cy, cx = torch.randint(height, (n, 1, 1)), torch.randint(width, (n, 1, 1))
    rows, cols = torch.arange(height).view(1, -1, 1), torch.arange(width).view(1, 1, -1)
    box = ((rows - cy).abs() <= 1) & ((cols - cx).abs() <= 1)
    return x.masked_fill(box[:, None], 0.0)


def fixmatch_reference(
    X_labelled: np.ndarray,
    y_labelled: np.ndarray,
    X_unlabelled: np.ndarray,
    n_classes: int,
    seed: int,
    steps: int = STEPS,
    threshold: float = THRESHOLD,
) -> nn.Module:
    """Train and return a classifier ``(B, 1, 8, 8) -> (B, n_classes)`` (eval mode).

    Inputs are standardised with the statistics of all training images.
    """
    torch.manual_seed(seed)
    mean = float(np.concatenate([X_labelled, X_unlabelled]).mean())
    std = float(np.concatenate([X_labelled, X_unlabelled]).std())
    xl = (torch.from_numpy(X_labelled) - mean) / std
    xu = (torch.from_numpy(X_unlabelled) - mean) / std
    yl = torch.from_numpy(y_labelled)
    backbone = create_backbone("cnn", in_shape=tuple(X_labelled.shape[1:]))
    model = nn.Sequential(backbone, nn.Linear(backbone.out_features, n_classes))
    opt = torch.optim.AdamW(model.parameters(), lr=3e-3, weight_decay=5e-4)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, 3e-3, total_steps=steps)
    batch, ratio = LABELLED_BATCH, UNLABELLED_RATIO
    model.train()
    for _ in range(steps):
        il = torch.randint(len(xl), (batch,))
        iu = torch.randint(len(xu), (ratio * batch,))
        u = xu[iu]
        logits = model(torch.cat([_shift(xl[il], 1.0), _shift(u, 1.0), _strong(u)]))
        labelled, weak, strong = logits.split([batch, ratio * batch, ratio * batch])
        confidence, pseudo = torch.softmax(weak.detach(), dim=1).max(dim=1)
        mask = (confidence >= threshold).float()
        unsup = (functional.cross_entropy(strong, pseudo, reduction="none") * mask).mean()
        loss = functional.cross_entropy(labelled, yl[il]) + unsup
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        sched.step()
    model.eval()
    return _Standardised(model, mean, std)


class _Standardised(nn.Module):
    def __init__(self, model: nn.Module, mean: float, std: float) -> None:
        super().__init__()
        self.model, self.mean, self.std = model, mean, std

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.model((x - self.mean) / self.std)
