"""Confusion-matrix heat map for classification results."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from paradigms.report._arrays import to_1d
from paradigms.report._figure import PathLike, new_figure, save_png

#: Above this many classes the cells are no longer annotated with their values.
MAX_ANNOTATED_CLASSES = 20


def _key(value: Any) -> Any:
    """NumPy scalars as plain Python values, so ``np.int64(1)`` and ``1`` name one class."""
    return value.item() if isinstance(value, np.generic) else value


def _sorted_unique(values: np.ndarray) -> list[Any]:
    """Distinct values, sorted naturally when comparable, else by their text."""
    unique = list(dict.fromkeys(_key(v) for v in values))
    try:
        return sorted(unique)
    except TypeError:
        return sorted(unique, key=str)


def _are_indices(values: np.ndarray, k: int) -> bool:
    """True when every value is an integer in ``0..k-1``."""
    for v in values:
        v = _key(v)
        if isinstance(v, bool) or not isinstance(v, int | float) or not float(v).is_integer():
            return False
        if not 0 <= int(v) < k:
            return False
    return True


def _class_indices(
    y_true: np.ndarray, y_pred: np.ndarray, labels: Sequence[Any] | None
) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Map both label arrays to class indices ``0..k-1`` and return the class names.

    ``labels`` is either the list of class values (every value of ``y_true``/``y_pred`` must be
    in it; it sets the order) or, when the targets are integer indices ``0..k-1``, the display
    names of those ``k`` classes.
    """
    both = np.concatenate([y_true.astype(object), y_pred.astype(object)])
    if labels is None:
        classes = _sorted_unique(both)
        names = [str(c) for c in classes]
    else:
        classes = list(labels)
        if not classes:
            raise ValueError("labels must not be empty")
        names = [str(c) for c in classes]
        lookup = {c: i for i, c in enumerate(classes)}
        if not all(_key(v) in lookup for v in both):
            if _are_indices(both, len(classes)):
                classes = list(range(len(classes)))
            else:
                missing = sorted({str(_key(v)) for v in both if _key(v) not in lookup})
                raise ValueError(
                    f"values {missing[:10]} are neither in labels nor class indices "
                    f"0..{len(classes) - 1}"
                )
    lookup = {c: i for i, c in enumerate(classes)}
    true_idx = np.array([lookup[_key(v)] for v in y_true.astype(object)], dtype=int)
    pred_idx = np.array([lookup[_key(v)] for v in y_pred.astype(object)], dtype=int)
    return true_idx, pred_idx, names


def _confusion_counts(true_idx: np.ndarray, pred_idx: np.ndarray, k: int) -> np.ndarray:
    counts = np.zeros((k, k), dtype=np.int64)
    np.add.at(counts, (true_idx, pred_idx), 1)
    return counts


def plot_confusion_matrix(
    y_true: Any,
    y_pred: Any,
    labels: Sequence[Any] | None = None,
    path: PathLike = "confusion_matrix.png",
    normalize: bool = False,
    title: str | None = None,
) -> Path:
    """Draw an annotated confusion-matrix heat map and save it as a PNG.

    Rows are the true classes and columns the predicted ones. The title reports the accuracy
    and the number of samples. Cells carry their counts (or row fractions) for up to
    :data:`MAX_ANNOTATED_CLASSES` classes; the figure grows with the number of classes.

    Args:
        y_true: true labels (ints, strings, ...; list, array or tensor).
        y_pred: predicted labels, same length as ``y_true``.
        labels: the classes in display order. Either the class values themselves (default:
            the sorted distinct values of ``y_true`` and ``y_pred``) or, when the targets are
            integer indices ``0..k-1``, the ``k`` class names.
        path: the PNG file to write (atomically).
        normalize: show each row as fractions of its true class instead of counts.
        title: the title's first part (default ``"Confusion matrix"``).

    Returns:
        The path written.

    Raises:
        ValueError: if the inputs are empty, differ in length, or contain values that are not
            in ``labels``.
    """
    true_arr = to_1d(y_true, "y_true")
    pred_arr = to_1d(y_pred, "y_pred")
    if len(true_arr) != len(pred_arr):
        raise ValueError(f"y_true and y_pred differ in length: {len(true_arr)} != {len(pred_arr)}")
    if len(true_arr) == 0:
        raise ValueError("y_true and y_pred are empty: nothing to plot")
    true_idx, pred_idx, names = _class_indices(true_arr, pred_arr, labels)
    k = len(names)
    counts = _confusion_counts(true_idx, pred_idx, k)
    accuracy = float(np.trace(counts)) / len(true_idx)

    if normalize:
        row_sums = counts.sum(axis=1, keepdims=True)
        values = np.divide(counts, row_sums, out=np.zeros(counts.shape), where=row_sums > 0)
    else:
        values = counts.astype(float)

    side = min(max(4.0, 0.45 * k + 2.5), 24.0)
    fig = new_figure(side + 1.0, side)
    ax = fig.subplots()
    image = ax.imshow(values, cmap="Blues", vmin=0.0, vmax=1.0 if normalize else None)
    fig.colorbar(image, ax=ax, shrink=0.8)

    tick_size = 10 if k <= 10 else 8 if k <= 60 else 5
    ax.set_xticks(range(k), labels=names, rotation=45, ha="right", fontsize=tick_size)
    ax.set_yticks(range(k), labels=names, fontsize=tick_size)
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")

    if k <= MAX_ANNOTATED_CLASSES:
        threshold = values.max() / 2.0 if values.max() > 0 else 1.0
        text_size = 10 if k <= 10 else 7
        for i in range(k):
            for j in range(k):
                text = f"{values[i, j]:.2f}" if normalize else str(counts[i, j])
                ax.text(
                    j,
                    i,
                    text,
                    ha="center",
                    va="center",
                    fontsize=text_size,
                    color="white" if values[i, j] > threshold else "black",
                )

    heading = title if title is not None else "Confusion matrix"
    suffix = " (row-normalised)" if normalize else ""
    ax.set_title(f"{heading}{suffix}\naccuracy {accuracy:.2%} (n={len(true_idx)})")
    return save_png(fig, path)
