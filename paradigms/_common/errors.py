"""Exception types that are also ``ValueError`` so users can catch the usual class."""

from __future__ import annotations


class MissingFileError(ValueError, FileNotFoundError):
    """A named file does not exist (catch it as ``ValueError`` or ``FileNotFoundError``)."""


class NonFiniteLossError(ValueError, FloatingPointError):
    """The training loss became NaN or infinite."""
