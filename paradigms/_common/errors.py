"""Exception types: most are also ``ValueError`` so users can catch the usual class; a failed
write is an ``OSError``."""

from __future__ import annotations

import os


class MissingFileError(ValueError, FileNotFoundError):
    """A named file does not exist (catch it as ``ValueError`` or ``FileNotFoundError``)."""


class NonFiniteLossError(ValueError, FloatingPointError):
    """The training loss became NaN or infinite."""


class RunWriteError(OSError):
    """A file or folder could not be written: a full disk, a file-size limit, no permission, a
    parent that is a file... (catch it as ``OSError``; the original error is its ``__cause__``).

    The message is one line: the path, the cause in plain words and the fix, e.g.
    ``cannot write runs/a/checkpoint.pt: no space left on device; free some space or write to
    another folder.``

    Args:
        path: the file or folder that could not be written (``None`` when unknown).
        reason: the cause in plain words, e.g. ``"no space left on device"``.
        remedy: what fixes it in place (e.g. ``"free some space"``); empty when only writing
            elsewhere helps.
        code: the ``errno`` of the original error, if any.
    """

    def __init__(
        self,
        path: str | os.PathLike[str] | None = None,
        reason: str = "the write failed",
        remedy: str = "",
        code: int | None = None,
    ) -> None:
        self.path = None if path is None else str(path)
        self.reason = reason
        self.remedy = remedy
        super().__init__(self.describe())
        self.errno = code
        self.strerror = reason
        self.filename = self.path

    def describe(self, elsewhere: str = "write to another folder", then: str = "") -> str:
        """The one-line message, with ``elsewhere`` as the way out (e.g. ``"choose another
        --out"``) and ``then`` appended to the remedy (e.g. a hint to resume)."""
        fix = elsewhere
        if self.remedy:
            fix = f"{self.remedy}{then}, or {fix}" if then else f"{self.remedy} or {fix}"
        target = self.path if self.path is not None else "a file"
        return f"cannot write {target}: {self.reason}; {fix}."

    def __str__(self) -> str:
        return self.describe()

    def __reduce__(self) -> tuple[type, tuple[str | None, str, str, int | None]]:
        return type(self), (self.path, self.reason, self.remedy, self.errno)
