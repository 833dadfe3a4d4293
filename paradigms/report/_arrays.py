"""Turn user inputs (lists, NumPy arrays, CPU or GPU tensors) into NumPy arrays."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from paradigms.data.adapters import to_numpy as _data_to_numpy


def to_numpy(values: Any) -> np.ndarray:
    """:func:`paradigms.data.to_numpy`, plus plain scalars (as 0-d arrays, which the plot
    functions then reject with a shape message)."""
    return np.asarray(values) if np.isscalar(values) else _data_to_numpy(values)


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


def finite_float(value: object) -> float:
    """Return ``value`` as a finite float (NaN when missing, non-numeric or infinite).

    Accepts Python and NumPy numbers, 0-d tensors and numeric strings (e.g. read from a CSV).
    """
    if value is None or isinstance(value, bool):
        return math.nan
    try:
        out = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError, OverflowError, RuntimeError):
        return math.nan
    return out if math.isfinite(out) else math.nan


def column(rows: Sequence[Mapping[str, Any]], key: str) -> np.ndarray:
    """``rows[i][key]`` for every row as a float array ``(len(rows),)``, NaN where missing."""
    return np.array([finite_float(row.get(key)) for row in rows], dtype=float)
