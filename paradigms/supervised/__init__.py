"""The supervised paradigm: learn a mapping from inputs to labels or targets.

``Classifier`` and ``Regressor`` are imported on first use, so that light modules of this
package (``run_config``) load without torch.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from paradigms._lazy import lazy_attributes

if TYPE_CHECKING:
    from paradigms.supervised.classifier import Classifier
    from paradigms.supervised.efficiency import (
        LabelEfficiency,
        label_efficiency,
        make_baseline,
    )
    from paradigms.supervised.regressor import Regressor
    from paradigms.supervised.saved_model import export_saved_model

__all__ = [
    "Classifier",
    "LabelEfficiency",
    "Regressor",
    "export_saved_model",
    "label_efficiency",
    "make_baseline",
]

_LAZY = {
    "Classifier": "paradigms.supervised.classifier",
    "Regressor": "paradigms.supervised.regressor",
    "LabelEfficiency": "paradigms.supervised.efficiency",
    "label_efficiency": "paradigms.supervised.efficiency",
    "make_baseline": "paradigms.supervised.efficiency",
    "export_saved_model": "paradigms.supervised.saved_model",
}


__getattr__ = lazy_attributes("paradigms.supervised", _LAZY)
