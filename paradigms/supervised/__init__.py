"""The supervised paradigm: learn a mapping from inputs to labels or targets.

``Classifier`` and ``Regressor`` are imported on first use, so that light modules of this
package (``run_config``) load without torch.
"""

# ruff: noqa: F401 - the public names are these imports, read by lazy_exports
from __future__ import annotations

from typing import TYPE_CHECKING

from paradigms._lazy import lazy_exports

if TYPE_CHECKING:
    from paradigms.supervised.classifier import Classifier
    from paradigms.supervised.efficiency import (
        LabelEfficiency,
        label_efficiency,
        make_baseline,
    )
    from paradigms.supervised.regressor import Regressor
    from paradigms.supervised.saved_model import export_saved_model

__all__, __getattr__ = lazy_exports(__name__, __file__)
