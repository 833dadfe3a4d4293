"""Guess whether targets describe a classification or a regression problem."""

from __future__ import annotations

import numpy as np

#: Float targets with at most this many distinct whole-number values count as class labels.
MAX_CLASSES_FOR_FLOAT_LABELS = 50


def infer_task(y: np.ndarray | None) -> str:
    """Infer the learning task from the targets.

    Rules: no targets -> ``"unlabeled"``; integer, boolean or string targets ->
    ``"classification"``; float targets whose values are all whole numbers and that take at most
    :data:`MAX_CLASSES_FOR_FLOAT_LABELS` distinct values -> ``"classification"``; any other float
    targets -> ``"regression"``.

    Args:
        y: targets of shape ``(n,)`` (or ``(n, k)``), or ``None``.

    Returns:
        ``"classification"``, ``"regression"`` or ``"unlabeled"``.
    """
    if y is None:
        return "unlabeled"
    y = np.asarray(y)
    kind = y.dtype.kind
    if kind in "biuUS":
        return "classification"
    if kind == "f":
        if y.size == 0 or not np.all(np.isfinite(y)):
            return "regression"
        whole = bool(np.all(y == np.round(y)))
        if whole and np.unique(y).size <= MAX_CLASSES_FOR_FLOAT_LABELS:
            return "classification"
        return "regression"
    return "regression" if kind == "c" else "classification"
