"""``Classifier``: a backbone plus a softmax head, as a scikit-learn classifier."""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from typing import Any

import numpy as np
import torch
from sklearn.base import ClassifierMixin
from sklearn.preprocessing import LabelEncoder
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted
from torch.nn import functional

from paradigms._common.checks import check_int
from paradigms._common.seeding import seed_everything
from paradigms.backbones import Backbone
from paradigms.engine import Callback
from paradigms.engine.estimator import seed_from_random_state, to_numpy
from paradigms.engine.semisupervised import (
    UNLABELLED,
    ConsistencyLoss,
    ConsistencyTraining,
    MixedData,
    data_statistics,
    unlabelled_mask,
)
from paradigms.supervised._base import SupervisedEstimator


def _accuracy(logits: torch.Tensor, target: torch.Tensor) -> float:
    return float((logits.argmax(dim=1) == target).float().mean())


class Classifier(ClassifierMixin, SupervisedEstimator):
    """A neural-network classifier on any shared backbone, supervised or semi-supervised.

    Inputs are ``(n, d)`` tabular, ``(n, H, W)`` or ``(n, C, H, W)`` images, numpy or torch,
    on any scale (the backbone standardises them and keeps that scaling when reused). Labels
    may be ints, strings or any hashable type.

    **Few labels, many unlabelled rows**: rows whose label is ``unlabelled_label`` (``-1``, as
    in ``sklearn.semi_supervised``; for string labels pass e.g. ``unlabelled_label=""``) are
    learnt from too, FixMatch-style (:mod:`paradigms.engine.semisupervised`): the network's
    confident predictions on lightly shifted unlabelled inputs become the targets for strongly
    augmented views of them. ``classes_`` holds the labelled rows' classes only.

    Fitted attributes: ``classes_``, ``model_`` (backbone + head), ``backbone_`` (a
    :class:`~paradigms.backbones.Backbone`, reusable by every paradigm), ``history_``,
    ``n_features_in_``, ``input_shape_``, ``n_unlabelled_`` (unlabelled rows learnt from).

    Example:
        >>> from paradigms.data import load_digits
        >>> X, y = load_digits(images=True)
        >>> clf = Classifier(random_state=0).fit(X, y)
        >>> clf.score(X, y) > 0.95
        True

    Args:
        unlabelled_label: the ``y`` value that marks an unlabelled row (``-1``); ``None``
            makes every value a class (then ``-1`` is an ordinary label).
        semi_supervised_steps: optimizer steps of a semi-supervised fit (1,000 by default:
            benchmarks/RESULTS.md, few labels, compares budgets); ``0`` ignores the unlabelled
            rows and trains on the labelled ones for ``max_epochs``. A semi-supervised fit
            ignores ``max_epochs``: its epochs are passes over the unlabelled rows.
        unlabelled_ratio: unlabelled rows per labelled row in each step (FixMatch's 7).
        pseudo_label_threshold: the confidence a prediction on an unlabelled row needs before
            it is used as that row's target.

    See :class:`~paradigms.supervised._base.SupervisedEstimator` for the other parameters.
    """

    def __init__(
        self,
        backbone: str | os.PathLike[str] | Backbone = "auto",
        backbone_kwargs: dict[str, Any] | None = None,
        max_epochs: int | str = "auto",
        batch_size: int = 64,
        lr: float = 3e-3,
        weight_decay: float = 1e-4,
        dropout: float = 0.2,
        freeze_backbone: bool = False,
        augment: bool | str = "auto",
        validation_fraction: float = 0.0,
        early_stopping: bool | int = False,
        unlabelled_label: Any = UNLABELLED,
        semi_supervised_steps: int = 1000,
        unlabelled_ratio: int = 7,
        pseudo_label_threshold: float = 0.8,
        device: str = "auto",
        random_state: int | np.random.RandomState | None = None,
        verbose: int = 0,
        run_dir: str | os.PathLike[str] | None = None,
        resume: bool = False,
        callbacks: Sequence[Callback] | None = None,
    ) -> None:
        super().__init__(
            backbone=backbone,
            backbone_kwargs=backbone_kwargs,
            max_epochs=max_epochs,
            batch_size=batch_size,
            lr=lr,
            weight_decay=weight_decay,
            dropout=dropout,
            freeze_backbone=freeze_backbone,
            augment=augment,
            validation_fraction=validation_fraction,
            early_stopping=early_stopping,
            device=device,
            random_state=random_state,
            verbose=verbose,
            run_dir=run_dir,
            resume=resume,
            callbacks=callbacks,
        )
        self.unlabelled_label = unlabelled_label
        self.semi_supervised_steps = semi_supervised_steps
        self.unlabelled_ratio = unlabelled_ratio
        self.pseudo_label_threshold = pseudo_label_threshold

    def fit(self, X: Any, y: Any) -> Classifier:
        """Train on ``X`` ``(n, ...)`` with labels ``y`` ``(n,)``, ``unlabelled_label`` marking
        unlabelled rows; returns ``self``."""
        X, y = self._validate_inputs(X, y, reset=True, with_y=True)
        unlabelled = unlabelled_mask(y, self.unlabelled_label)
        if unlabelled.all():
            raise ValueError(
                f"every row of y is {self.unlabelled_label!r} (unlabelled_label): a classifier "
                "needs at least one labelled row per class. Label a few rows of each class."
            )
        labels = y[~unlabelled]
        check_classification_targets(labels)
        encoder = LabelEncoder().fit(labels)
        self.classes_ = encoder.classes_
        codes = encoder.transform(labels).astype(np.int64)
        steps = check_int("semi_supervised_steps", self.semi_supervised_steps, 0)
        self.n_unlabelled_ = int(unlabelled.sum()) if steps > 0 else 0
        if self.n_unlabelled_ > 0:
            self._fit_semi_supervised(X[~unlabelled], codes, X[unlabelled], steps)
            return self
        self._fit_network(
            X[~unlabelled],
            codes,
            n_outputs=len(self.classes_),
            loss_fn=functional.cross_entropy,
            metrics={"accuracy": _accuracy},
            stratify=True,
        )
        return self

    def _fit_semi_supervised(
        self, X_labelled: np.ndarray, codes: np.ndarray, X_unlabelled: np.ndarray, steps: int
    ) -> None:
        """FixMatch-style training for ``steps`` steps; sets ``model_``, ``backbone_``,
        ``history_``."""
        ratio = check_int("unlabelled_ratio", self.unlabelled_ratio, 1)
        threshold = float(self.pseudo_label_threshold)
        if not 0.0 < threshold <= 1.0:
            raise ValueError(
                f"pseudo_label_threshold must be in (0, 1]; got {self.pseudo_label_threshold!r}."
            )
        seed = seed_from_random_state(self.random_state)
        seed_everything(seed)
        X_all = np.concatenate([X_labelled, X_unlabelled])
        network = self._build_network(X_all, len(self.classes_), augment_images=False)
        (X_train, y_train), val = self._split_validation(X_labelled, codes, seed, stratify=True)
        batch = check_int("batch_size", self.batch_size, 1)
        data = MixedData(X_train, y_train, X_unlabelled, batch, ratio * batch)
        mean, scale = data_statistics(X_all)
        self.history_ = self._train(
            ConsistencyTraining(network, batch, mean, scale),
            ConsistencyLoss(threshold),
            data,
            val,
            seed,
            metrics={"accuracy": _accuracy},
            max_epochs=math.ceil(steps / data.steps_per_epoch),
        )
        self.model_ = network
        self.backbone_ = network.backbone

    def score(self, X: Any, y: Any, sample_weight: Any = None) -> float:
        """Mean accuracy on ``X`` against labels ``y``, which must all be labelled."""
        marked = unlabelled_mask(np.asarray(to_numpy(y)).reshape(-1), self.unlabelled_label)
        if marked.any():
            raise ValueError(
                f"y holds {int(marked.sum())} unlabelled rows ({self.unlabelled_label!r}); score "
                "needs true labels for every row. Score on the labelled rows only."
            )
        return float(super().score(X, y, sample_weight=sample_weight))

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
