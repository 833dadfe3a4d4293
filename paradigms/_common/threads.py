"""Torch thread count for a block of work, and whether progress bars have a terminal."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator

import torch


@contextlib.contextmanager
def torch_threads(n: int | None) -> Iterator[None]:
    """Run a block with ``n`` torch threads (None: leave the setting), restoring it after."""
    if n is None:
        yield
        return
    previous = torch.get_num_threads()
    torch.set_num_threads(int(n))
    try:
        yield
    finally:
        torch.set_num_threads(previous)


def stderr_is_terminal() -> bool:
    """Whether standard error is an interactive terminal (progress bars are shown there)."""
    return bool(getattr(sys.stderr, "isatty", lambda: False)())
