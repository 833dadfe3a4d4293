"""Argument checks shared by the data loaders and generators."""

from __future__ import annotations

import numbers

from paradigms._common.checks import check_int

__all__ = ["check_int", "check_nonnegative"]


def check_nonnegative(name: str, value: object) -> float:
    """Return ``value`` as a ``float`` after checking it is a real number ``>= 0``.

    Args:
        name: the argument name, used in the error message.
        value: the value the caller passed.

    Returns:
        ``value`` as a Python ``float``.

    Raises:
        TypeError: if ``value`` is not a real number.
        ValueError: if ``value`` is negative or not finite.
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(
            f"{name} must be a number, got {type(value).__name__} ({value!r}); pass a float >= 0."
        )
    as_float = float(value)
    if not as_float >= 0 or as_float == float("inf"):
        raise ValueError(f"{name} must be a finite number >= 0, got {value!r}; pass e.g. 0.1.")
    return as_float
