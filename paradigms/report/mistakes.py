"""Where a classifier goes wrong: the most confused class pairs and the top-loss samples."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from paradigms.report._arrays import to_1d, to_numpy


@dataclass(frozen=True)
class ConfusedPair:
    """``count`` test samples of class ``true`` were predicted as ``predicted``."""

    true: Any
    predicted: Any
    count: int


def most_confused_pairs(y_true: Any, y_pred: Any, k: int = 5) -> list[ConfusedPair]:
    """The ``k`` most frequent (true, predicted) pairs among the mistakes, most first.

    Args:
        y_true, y_pred: labels ``(n,)`` of any hashable type.
        k: the most pairs returned (fewer when there are fewer kinds of mistake).

    Returns:
        Pairs sorted by count (ties by their text), mistakes only.
    """
    true = to_1d(y_true, "y_true")
    pred = to_1d(y_pred, "y_pred")
    if len(true) != len(pred):
        raise ValueError(f"y_true and y_pred differ in length: {len(true)} != {len(pred)}.")
    counts: dict[tuple[Any, Any], int] = {}
    for t, p in zip(true.tolist(), pred.tolist(), strict=True):
        if t != p:
            counts[(t, p)] = counts.get((t, p), 0) + 1
    ranked = sorted(counts.items(), key=lambda item: (-item[1], str(item[0])))
    return [ConfusedPair(t, p, n) for (t, p), n in ranked[: max(0, int(k))]]


def top_losses(proba: Any, true_index: Any, k: int = 8) -> tuple[np.ndarray, np.ndarray]:
    """The ``k`` samples with the highest cross-entropy loss.

    Args:
        proba: class probabilities ``(n, n_classes)``.
        true_index: the true class of each sample as a column index of ``proba`` ``(n,)``.
        k: how many samples.

    Returns:
        ``(indices, losses)``, both ``(min(k, n),)``, the highest loss first.
    """
    p = np.asarray(to_numpy(proba), dtype=np.float64)
    index = np.asarray(to_1d(true_index, "true_index"), dtype=np.int64)
    if p.ndim != 2 or len(p) != len(index):
        raise ValueError(
            f"proba must be (n, n_classes) with one true index per row; got {p.shape} and "
            f"{index.shape}."
        )
    if len(index) and (index.min() < 0 or index.max() >= p.shape[1]):
        raise ValueError(f"true_index must lie in 0..{p.shape[1] - 1}.")
    losses = -np.log(np.clip(p[np.arange(len(p)), index], 1e-12, 1.0))
    order = np.argsort(-losses, kind="stable")[: max(0, int(k))]
    return order, losses[order]
