"""Module attributes imported on first use (PEP 562), so packages import fast.

Standard library only: ``import paradigms`` and the light modules of each package must not
pull in torch.
"""

from __future__ import annotations

import ast
import importlib
from collections.abc import Callable, Mapping
from pathlib import Path
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


def lazy_exports(package: str, init_file: str) -> tuple[list[str], Callable[[str], Any]]:
    """``(__all__, __getattr__)`` of a package whose public names are the ones its
    ``__init__`` imports under ``if TYPE_CHECKING:`` (what type checkers and editors read), so
    each name is written once: the names are read from ``init_file``'s source, and each is
    imported from its module on first use.

    Args:
        package: the package's dotted name (``__name__``).
        init_file: its ``__init__.py`` (``__file__``).
    """
    tree = ast.parse(Path(init_file).read_text(encoding="utf-8"))
    sources: dict[str, str] = {}
    for node in tree.body:
        if isinstance(node, ast.If) and ast.unparse(node.test) == "TYPE_CHECKING":
            for statement in node.body:
                if isinstance(statement, ast.ImportFrom) and statement.module:
                    for alias in statement.names:
                        sources[alias.asname or alias.name] = statement.module
    return sorted(sources), lazy_attributes(package, sources)
