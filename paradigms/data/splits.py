"""Train/test splits that keep class proportions when the targets are class labels."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from paradigms.data._task import infer_task
from paradigms.data.adapters import to_numpy


def train_test_split_stratified(
    X: Any, y: Any, test_size: float | int = 0.25, random_state: int | None = 0
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Split ``X`` and ``y`` into train and test parts, stratified by class when possible.

    A thin wrapper over scikit-learn's ``train_test_split``. Targets that look like class
    labels (see :func:`paradigms.data.load_npz` for the rule) are split with ``stratify=y`` so
    both parts keep the class proportions. The split falls back to a plain random split, with a
    ``UserWarning``, when some class has fewer than 2 samples or a part would be too small to
    hold every class. Regression targets are always split at random.

    Args:
        X: inputs of shape ``(n, ...)`` (array, tensor or list).
        y: targets of shape ``(n,)``.
        test_size: fraction of samples (``0 < test_size < 1``) or number of samples in the
            test part.
        random_state: seed for the shuffle; ``None`` gives a different split every call.

    Returns:
        ``(X_train, X_test, y_train, y_test)`` as NumPy arrays.

    Raises:
        ValueError: if ``X`` and ``y`` differ in length or ``test_size`` is invalid
            (raised by scikit-learn).
    """
    from sklearn.model_selection import train_test_split

    X_arr, y_arr = to_numpy(X), to_numpy(y)
    if X_arr.ndim == 0 or y_arr.ndim == 0 or len(X_arr) != len(y_arr):
        x_len = "a scalar" if X_arr.ndim == 0 else str(len(X_arr))
        y_len = "a scalar" if y_arr.ndim == 0 else str(len(y_arr))
        raise ValueError(f"X has {x_len} samples but y has {y_len}; pass one target per sample.")
    stratify = None
    if infer_task(y_arr) == "classification" and y_arr.ndim == 1:
        stratify = y_arr
        _, counts = np.unique(y_arr, return_counts=True)
        n = len(y_arr)
        n_test = int(np.ceil(test_size * n)) if isinstance(test_size, float) else int(test_size)
        reason = None
        if counts.min() < 2:
            reason = "a class has fewer than 2 samples"
        elif min(n_test, n - n_test) < len(counts):
            reason = f"a part would hold fewer samples than the {len(counts)} classes"
        if reason is not None:
            warnings.warn(
                f"splitting without stratification because {reason}; the class proportions "
                "of the train and test parts may differ.",
                UserWarning,
                stacklevel=2,
            )
            stratify = None
    X_tr, X_te, y_tr, y_te = train_test_split(
        X_arr, y_arr, test_size=test_size, random_state=random_state, stratify=stratify
    )
    return X_tr, X_te, y_tr, y_te


def draw_labels_per_class(
    y: np.ndarray, labels_per_class: int, random_state: int, pool: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Pick ``labels_per_class`` random rows of every class: the labelled rows of a few-label fit.

    Args:
        y: labels ``(n,)``.
        labels_per_class: rows to draw from each class (>= 1).
        random_state: seeds the draw.
        pool: the indices to draw from (default: every row).

    Returns:
        ``(labelled, rest)``: sorted indices into ``y``, the drawn rows and the rest of ``pool``.

    Raises:
        ValueError: if a class in ``pool`` has fewer rows than ``labels_per_class``.
    """
    y = np.asarray(y)
    pool = np.arange(len(y)) if pool is None else np.asarray(pool)
    rng = np.random.default_rng(random_state)
    drawn = []
    for label in np.unique(y[pool]):
        members = pool[y[pool] == label]
        if len(members) < labels_per_class:
            raise ValueError(
                f"class {label!r} has {len(members)} rows, fewer than labels_per_class="
                f"{labels_per_class}. Lower labels_per_class."
            )
        drawn.append(rng.choice(members, labels_per_class, replace=False))
    labelled = np.sort(np.concatenate(drawn))
    return labelled, np.setdiff1d(pool, labelled)
