"""Report files are written atomically through :mod:`paradigms._common.files`."""

from __future__ import annotations

import os

from paradigms._common.files import atomic_write as write_shared
from paradigms._common.files import atomic_write_text as write_shared_text

PathLike = str | os.PathLike[str]

__all__ = ["PathLike", "write_shared", "write_shared_text"]
