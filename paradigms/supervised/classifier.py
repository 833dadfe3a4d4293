"""``Classifier``: a backbone plus a softmax head, as a scikit-learn classifier."""

from __future__ import annotations

from typing import Any

import numpy as np
import torch
from sklearn.base import ClassifierMixin
from sklearn.preprocessing import LabelEncoder
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted
from torch.nn import functional

from paradigms.supervised._base import SupervisedEstimator


def _accuracy(logits: torch.Tensor, target: torch.Tensor) -> float:
    return float((logits.argmax(dim=1) == target).float().mean())


class Classifier(ClassifierMixin, SupervisedEstimator):
    """A neural-network classifier on any shared backbone.

    Inputs are ``(n, d)`` tabular, ``(n, H, W)`` or ``(n, C, H, W)`` images, numpy or torch,
    on any scale (the backbone standardises them and keeps that scaling when reused). Labels
    may be ints, strings or any hashable type.

    Fitted attributes: ``classes_``, ``model_`` (backbone + head), ``backbone_`` (a
    :class:`~paradigms.backbones.Backbone`, reusable by every paradigm), ``history_``,
    ``n_features_in_``, ``input_shape_``.

    Example:
        >>> from paradigms.data import load_digits
        >>> X, y = load_digits(images=True)
        >>> clf = Classifier(random_state=0).fit(X, y)
        >>> clf.score(X, y) > 0.95
        True

    See :class:`~paradigms.supervised._base.SupervisedEstimator` for the parameters.
    """

    def fit(self, X: Any, y: Any) -> Classifier:
        """Train on ``X`` ``(n, ...)`` with labels ``y`` ``(n,)``; returns ``self``."""
        X, y = self._validate_inputs(X, y, reset=True, with_y=True)
        check_classification_targets(y)
        encoder = LabelEncoder().fit(y)
        self.classes_ = encoder.classes_
        codes = encoder.transform(y).astype(np.int64)
        self._fit_network(
            X,
            codes,
            n_outputs=len(self.classes_),
            loss_fn=functional.cross_entropy,
            metrics={"accuracy": _accuracy},
            stratify=True,
        )
        return self

    def predict_proba(self, X: Any) -> np.ndarray:
        """Class probabilities ``(n, n_classes)``, columns in the order of ``classes_``."""
        check_is_fitted(self)
        X = self._validate_inputs(X, reset=False)
        logits = self._predict_outputs(X).double()
        return torch.softmax(logits, dim=1).numpy()

    def predict_log_proba(self, X: Any) -> np.ndarray:
        """Log class probabilities ``(n, n_classes)``."""
        check_is_fitted(self)
        X = self._validate_inputs(X, reset=False)
        return torch.log_softmax(self._predict_outputs(X).double(), dim=1).numpy()

    def predict(self, X: Any) -> np.ndarray:
        """Predicted labels ``(n,)`` (elements of ``classes_``)."""
        check_is_fitted(self)
        X = self._validate_inputs(X, reset=False)
        return self.classes_[self._predict_outputs(X).argmax(dim=1).numpy()]
