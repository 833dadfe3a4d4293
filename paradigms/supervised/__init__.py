"""The supervised paradigm: learn a mapping from inputs to labels or targets."""

from paradigms.supervised.classifier import Classifier
from paradigms.supervised.regressor import Regressor

__all__ = ["Classifier", "Regressor"]
