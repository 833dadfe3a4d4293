"""Module attributes imported on first use (PEP 562), so packages import fast.

Standard library only: ``import paradigms`` and the light modules of each package must not
pull in torch.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import Any


def lazy_attributes(package: str, sources: Mapping[str, str]) -> Callable[[str], Any]:
    """A module-level ``__getattr__`` for ``package``: ``name`` comes from ``sources[name]``.

    Args:
        package: the module's dotted name, for the error message.
        sources: public name -> dotted name of the module that defines it.

    Raises:
        AttributeError: (from the returned function) for a name not in ``sources``.
    """

    def __getattr__(name: str) -> Any:
        if name in sources:
            return getattr(importlib.import_module(sources[name]), name)
        raise AttributeError(f"module {package!r} has no attribute {name!r}")

    return __getattr__
