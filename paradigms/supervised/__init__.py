"""The supervised paradigm: learn a mapping from inputs to labels or targets.

``Classifier`` and ``Regressor`` are imported on first use, so that light modules of this
package (``run_config``) load without torch.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from paradigms.supervised.classifier import Classifier
    from paradigms.supervised.regressor import Regressor

__all__ = ["Classifier", "Regressor"]

_LAZY = {
    "Classifier": "paradigms.supervised.classifier",
    "Regressor": "paradigms.supervised.regressor",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'paradigms.supervised' has no attribute {name!r}")
