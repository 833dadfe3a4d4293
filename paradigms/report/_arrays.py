"""Turn user inputs (lists, NumPy arrays, CPU or GPU tensors) into NumPy arrays."""

from __future__ import annotations

from typing import Any

import numpy as np


def to_numpy(values: Any) -> np.ndarray:
    """Return ``values`` as a NumPy array, detaching and moving tensors to the CPU first.

    Args:
        values: a sequence, NumPy array or tensor-like object with ``detach``/``cpu``.

    Returns:
        The values as a NumPy array.
    """
    if hasattr(values, "detach"):
        values = values.detach()
    if hasattr(values, "cpu"):
        values = values.cpu()
    if hasattr(values, "numpy"):
        values = values.numpy()
    return np.asarray(values)


def to_1d(values: Any, name: str) -> np.ndarray:
    """Return ``values`` as a 1-D array, accepting column vectors of shape ``(n, 1)``.

    Args:
        values: the input values.
        name: the argument name, used in error messages.

    Returns:
        A 1-D array.

    Raises:
        ValueError: if the values are not one-dimensional.
    """
    arr = to_numpy(values)
    if arr.ndim == 0:
        raise ValueError(f"{name} must be a 1-D sequence, got a scalar")
    if arr.ndim > 1:
        if arr.size != arr.shape[0]:
            raise ValueError(f"{name} must be 1-D, got shape {arr.shape}")
        arr = arr.reshape(-1)
    return arr
