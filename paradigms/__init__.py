"""paradigms: four ways a neural network learns, on one shared backbone package.

The curated public API lives in the subpackages:

- :mod:`paradigms.backbones` — the shared ``Backbone`` contract, registry and checkpoint format
- :mod:`paradigms.supervised` — ``Classifier`` and ``Regressor`` (scikit-learn estimators)
- :mod:`paradigms.engine` — the training loop shared by the gradient-trained paradigms
- :mod:`paradigms.data` — bundled datasets, synthetic generators and adapters
"""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__"]
