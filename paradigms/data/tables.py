"""Your own data as files: a CSV table, or a folder of images with one sub-folder per class.

CSV files are read with Python's ``csv`` module (no pandas needed): a header row names the
columns, every feature column must be numeric, the target column may hold numbers or text.
"""

from __future__ import annotations

import csv
import math
import os
from pathlib import Path

import numpy as np

from paradigms._common import MissingFileError
from paradigms.data._task import infer_task
from paradigms.data.adapters import dataset_to_arrays, image_folder
from paradigms.data.dataset import Dataset


def _number(text: str) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def load_csv(path: str | os.PathLike[str], target: str | None = None) -> Dataset:
    """A table from a CSV file with a header row.

    Args:
        path: the ``.csv`` file.
        target: the column holding the labels or values to predict; ``None`` (or ``""``) reads
            every column as a feature (an unlabelled table, for the unsupervised paradigm).

    Returns:
        A :class:`Dataset`: ``X`` float32 ``(n, n_features)`` with ``feature_names``; ``y`` as
        numbers (``int64`` for whole numbers) or strings, its task inferred as for ``.npz``
        files; ``target_names`` the sorted classes.

    Raises:
        MissingFileError: no such file.
        ValueError: an empty file or one without data rows, a ``target`` that is not a column
            (the columns are listed), rows of the wrong length, a non-numeric or missing
            feature value (column and line named).
    """
    file = Path(path)
    if not file.is_file():
        raise MissingFileError(f"CSV file {str(file)!r} does not exist.")
    with file.open(newline="", encoding="utf-8-sig") as handle:
        rows = [row for row in csv.reader(handle) if any(cell.strip() for cell in row)]
    if not rows:
        raise ValueError(f"{file.name} is empty; expected a header row and data rows.")
    header, body = [name.strip() for name in rows[0]], rows[1:]
    if not body:
        raise ValueError(f"{file.name} has a header but no data rows.")
    target = target or None
    if target is not None and target not in header:
        raise ValueError(
            f"target column {target!r} is not in {file.name}; its columns are {header}."
        )
    features = [j for j, name in enumerate(header) if name != target]
    if not features:
        raise ValueError(f"{file.name} has no feature column besides the target {target!r}.")
    X = np.empty((len(body), len(features)), dtype=np.float32)
    labels = []
    for i, row in enumerate(body):
        line = i + 2  # the header is line 1
        if len(row) != len(header):
            raise ValueError(
                f"{file.name} line {line} has {len(row)} values; the header has {len(header)}."
            )
        for k, j in enumerate(features):
            value = _number(row[j].strip())
            if value is None:
                hint = (
                    f" If {header[j]!r} is what to predict, name it as the target: "
                    f"target={header[j]!r} (command line: --target {header[j]})."
                    if target is None
                    else ""
                )
                raise ValueError(
                    f"{file.name} line {line}, column {header[j]!r}: {row[j]!r} is not a "
                    "finite number; features must be numeric (encode categories as numbers, "
                    f"or drop the column).{hint}"
                )
            X[i, k] = value
        if target is not None:
            labels.append(row[header.index(target)].strip())
    names = [header[j] for j in features]
    if target is None:
        return Dataset(X, None, "unlabeled", file.stem, None, names)
    y = _targets(labels, file.name, target)
    task = infer_task(y)
    if task == "classification" and y.dtype.kind == "f":  # whole numbers: class codes
        y = y.astype(np.int64)
    classes = [str(c) for c in np.unique(y)] if task == "classification" else None
    return Dataset(X, y, task, file.stem, classes, names)


def _targets(labels: list[str], name: str, column: str) -> np.ndarray:
    """Floats when every label is a number, else the text."""
    if any(label == "" for label in labels):
        line = labels.index("") + 2
        raise ValueError(f"{name} line {line}: the target column {column!r} is empty.")
    numbers = [_number(label) for label in labels]
    if all(value is not None for value in numbers):
        return np.asarray(numbers, dtype=np.float64)
    return np.asarray(labels)


def load_image_folder(root: str | os.PathLike[str], size: int | None = None) -> Dataset:
    """Images laid out as ``root/<class_name>/<image files>``, read into memory.

    Args:
        root: the folder with one sub-folder per class.
        size: resize every image to ``size`` x ``size`` (needed when their sizes differ);
            ``None`` or 0 keeps them.

    Returns:
        A classification :class:`Dataset`: ``X`` float32 ``(n, 3, H, W)`` in ``[0, 1]``, ``y``
        the class indices, ``target_names`` the sub-folder names.
    """
    dataset = image_folder(root, size=size or None)
    try:
        X, y = dataset_to_arrays(dataset)
    except ValueError as error:
        if size:
            raise
        raise ValueError(
            f"{error} From the command line: --image-size 64 resizes every image."
        ) from error
    return Dataset(X, y, "classification", Path(root).name, list(dataset.classes))
