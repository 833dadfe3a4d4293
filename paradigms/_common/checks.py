"""Argument checks shared across packages (no heavy imports)."""

from __future__ import annotations

import numbers


def check_int(name: str, value: object, minimum: int, meaning: str = "") -> int:
    """Return ``value`` as an ``int`` after checking it is an integer ``>= minimum``.

    The one integer check: the same mistake gets the same error type everywhere (a
    non-integer, ``2.5`` or ``True`` included, a ``TypeError``; too small a ``ValueError``).

    Args:
        name: the argument name, used in the error message.
        value: the value the caller passed.
        minimum: the smallest allowed value.
        meaning: what the value means, added to the message (``"0 takes the preset's
            budget"``).

    Returns:
        ``value`` as a Python ``int``.

    Raises:
        TypeError: if ``value`` is not an integer (``bool`` is refused too).
        ValueError: if ``value < minimum``.
    """
    about = f" ({meaning})" if meaning else ""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(
            f"{name} must be an int, got {type(value).__name__} ({value!r}); "
            f"pass a whole number >= {minimum}{about}."
        )
    if value < minimum:
        fix = "a positive int" if minimum == 1 else "a larger value"
        raise ValueError(f"{name} must be >= {minimum}, got {value}{about}; pass {fix}.")
    return int(value)


def _auto_or_whole_number(value: int | str, flag: str) -> int | str:
    if value == "auto":
        return value
    try:
        return int(value)
    except ValueError:
        raise ValueError(f"{flag} must be 'auto' or a whole number; got {value!r}.") from None


def epochs_option(value: int | str) -> int | str:
    """A ``max_epochs`` value from the command line or a run config: ``"auto"`` or a whole
    number (given as an int or a string of digits).

    Raises:
        ValueError: for anything else, saying what is accepted.
    """
    return _auto_or_whole_number(value, "--max-epochs")


def batch_size_option(value: int | str) -> int | str:
    """A ``batch_size`` value of a run whose estimator picks its own (``"auto"``) or a whole
    number, as :func:`epochs_option`."""
    return _auto_or_whole_number(value, "--batch-size")
