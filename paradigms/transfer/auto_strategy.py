"""``strategy="auto"``: linear probe or fine-tune, chosen from the few labels themselves.

A linear probe keeps the pretrained features exactly; fine-tuning can adapt them to an unlike
task, but with a handful of labels it can also spoil features that were already right.
The choice is made by cross-validating a logistic regression on the frozen features of the
labelled images (cheap: one forward pass, then scikit-learn):

- when every class has at least two labels and the probe's cross-validated accuracy reaches
  :data:`PROBE_GOOD_ENOUGH`, the features already separate the classes: ``"linear_probe"``;
- when it does not, the features need adapting: ``"fine_tune"``;
- with one label per class nothing can be held out; a linear probe is the safe choice there
  (one example per class is too little to adapt millions of weights).

Measured (``benchmarks/pretrained.py``): ImageNet EfficientNet-Lite0 on colour shapes probes at
1.0 and keeps its features; on 8x8 digits (unlike ImageNet) the probe stays below and
fine-tuning is chosen.
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

#: cross-validated probe accuracy from which the frozen features are kept as they are
PROBE_GOOD_ENOUGH = 0.98
#: at most this many cross-validation folds
MAX_FOLDS = 5


@torch.no_grad()
def frozen_features(network: nn.Module, X: np.ndarray, batch_size: int = 64) -> np.ndarray:
    """Pre-logit features ``(n, d)`` of images ``X`` ``(n, C, H, W)``, in eval mode.

    ``network`` is a :class:`~paradigms.transfer._network.TransferNet`; its mode is restored.
    """
    was_training = network.training
    network.eval()
    try:
        parts = [
            network.features(torch.from_numpy(X[start : start + batch_size])).float().numpy()
            for start in range(0, len(X), batch_size)
        ]
    finally:
        network.train(was_training)
    return np.concatenate(parts)


def choose_strategy(
    network: nn.Module, X: np.ndarray, codes: np.ndarray, seed: int
) -> tuple[str, float | None]:
    """``("linear_probe" | "fine_tune", probe accuracy or None)`` for labelled ``X``, ``codes``.

    Args:
        network: the TransferNet about to be trained (pretrained, head untrained).
        X: the labelled images ``(n, C, H, W)``.
        codes: their class codes ``(n,)`` in ``0..n_classes-1``.
        seed: seeds the folds.
    """
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold, cross_val_score

    fewest = int(np.bincount(codes).min())
    if fewest < 2:
        return "linear_probe", None
    features = frozen_features(network, X)
    folds = StratifiedKFold(min(MAX_FOLDS, fewest), shuffle=True, random_state=seed)
    # raw features, no standardising: with a few dozen images, scaling 1,000+ dimensions to
    # unit variance inflates the noisy ones (colour shapes, 30 images: 0.97 scaled, 1.0 raw)
    probe = LogisticRegression(max_iter=1000)
    accuracy = float(np.mean(cross_val_score(probe, features, codes, cv=folds)))
    return ("linear_probe" if accuracy >= PROBE_GOOD_ENOUGH else "fine_tune"), accuracy
