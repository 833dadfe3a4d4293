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

from collections.abc import Callable

import numpy as np

#: cross-validated probe accuracy from which the frozen features are kept as they are
PROBE_GOOD_ENOUGH = 0.98
#: at most this many cross-validation folds
MAX_FOLDS = 5


def choose_strategy(
    features: Callable[[], np.ndarray], codes: np.ndarray, seed: int
) -> tuple[str, float | None]:
    """``("linear_probe" | "fine_tune", probe accuracy or None)`` for labelled images.

    Args:
        features: computes the frozen pre-logit features ``(n, d)`` of the labelled images
            (called only when every class has two labels to cross-validate).
        codes: their class codes ``(n,)`` in ``0..n_classes-1``.
        seed: seeds the folds.
    """
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold, cross_val_score

    fewest = int(np.bincount(codes).min())
    if fewest < 2:
        return "linear_probe", None
    folds = StratifiedKFold(min(MAX_FOLDS, fewest), shuffle=True, random_state=seed)
    # raw features, no standardising: with a few dozen images, scaling 1,000+ dimensions to
    # unit variance inflates the noisy ones (colour shapes, 30 images: 0.97 scaled, 1.0 raw)
    probe = LogisticRegression(max_iter=1000)
    accuracy = float(np.mean(cross_val_score(probe, features(), codes, cv=folds)))
    return ("linear_probe" if accuracy >= PROBE_GOOD_ENOUGH else "fine_tune"), accuracy
