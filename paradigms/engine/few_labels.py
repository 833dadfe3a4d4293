"""What the classifiers that learn from unlabelled rows share (``Classifier``, ``FineTuner``):
splitting ``y`` into labelled and unlabelled rows, the semi-supervised fit through
:mod:`paradigms.engine.semisupervised`, and refusing unlabelled rows where true labels are due.

Semi-supervised learning is asked for, never guessed: ``unlabelled_label=None`` (the default)
makes every value of ``y`` a class, so labels ``{-1, 1}`` are two classes as in every
scikit-learn classifier; ``unlabelled_label=-1`` (``sklearn.semi_supervised``'s marker) or any
other value marks the rows to learn from without their label.

Estimators using :class:`SemiSupervisedMixin` declare the parameters ``unlabelled_label``,
``semi_supervised_steps``, ``unlabelled_ratio`` and ``pseudo_label_threshold`` and put the
mixin before ``ClassifierMixin`` (its ``score`` checks the targets first).
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import torch
from sklearn.preprocessing import LabelEncoder
from sklearn.utils.multiclass import check_classification_targets
from torch import nn

from paradigms._common.checks import check_int
from paradigms.engine.callbacks import Callback
from paradigms.engine.estimator import to_numpy
from paradigms.engine.history import History
from paradigms.engine.semisupervised import (
    UNLABELLED,
    ConsistencyLoss,
    ConsistencyTraining,
    MixedData,
    data_statistics,
    unlabelled_mask,
)


class SemiSupervisedMixin:
    """Labelled/unlabelled handling for neural classifiers.

    Parameters of the estimators that use it:
        unlabelled_label: the ``y`` value that marks an unlabelled row, which turns on
            semi-supervised learning: ``-1`` as in ``sklearn.semi_supervised`` (for string
            labels e.g. ``""``). ``None`` (the default) makes every value a class, ``-1``
            included.
        semi_supervised_steps: optimizer steps of a semi-supervised fit (1,000 by default:
            benchmarks/RESULTS.md, few labels), rounded up to whole epochs; ``0`` ignores the
            unlabelled rows. A semi-supervised fit ignores ``max_epochs``: its epochs are
            passes over the unlabelled rows (or the whole budget, when that is shorter).
        unlabelled_ratio: unlabelled rows per labelled row in each step (4 by default; the
            FixMatch paper's 7 was slower and no better on digits: benchmarks/RESULTS.md, few
            labels, "Unlabelled rows per labelled row").
        pseudo_label_threshold: the confidence a prediction on an unlabelled row needs before
            it is used as that row's target.
    """

    unlabelled_label: Any
    semi_supervised_steps: int
    unlabelled_ratio: int
    pseudo_label_threshold: float
    batch_size: int

    def _encode_labels(self, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Set ``classes_`` and ``n_unlabelled_`` from ``y`` ``(n,)``.

        Returns:
            ``(codes, unlabelled)``: integer class codes ``(n_labelled,)`` of the labelled rows
            and the boolean mask ``(n,)`` of the unlabelled rows to learn from (all ``False``
            when ``semi_supervised_steps`` is 0; such rows are then left out).
        """
        marker = self.unlabelled_label
        unlabelled = np.zeros(len(y), dtype=bool) if marker is None else unlabelled_mask(y, marker)
        if unlabelled.all():
            raise ValueError(
                f"every row of y is {marker!r} (unlabelled_label): a classifier needs at "
                "least one labelled row per class. Label a few rows of each class."
            )
        labels = y[~unlabelled]
        check_classification_targets(labels)
        encoder = LabelEncoder().fit(labels)
        self.classes_ = encoder.classes_
        _check_classes(self.classes_, marker, int(unlabelled.sum()))
        if marker is None:
            _warn_if_marker_looks_like_a_class(labels, self.classes_)
        steps = check_int("semi_supervised_steps", self.semi_supervised_steps, 0)
        self.n_unlabelled_ = int(unlabelled.sum()) if steps > 0 else 0
        return encoder.transform(labels).astype(np.int64), unlabelled

    def _train_semi_supervised(
        self,
        network: nn.Module,
        X_labelled: np.ndarray,
        codes: np.ndarray,
        X_unlabelled: np.ndarray,
        seed: int,
        metrics: dict[str, Callable[[Any, torch.Tensor], float]],
        param_groups: Any = None,
        extra_callbacks: Sequence[Callback] = (),
        lr: float | None = None,
    ) -> History:
        """Train ``network`` (in place) FixMatch-style on labelled and unlabelled rows for
        ``semi_supervised_steps`` steps; ``validation_fraction`` holds out labelled rows only."""
        ratio = check_int("unlabelled_ratio", self.unlabelled_ratio, 1)
        threshold = float(self.pseudo_label_threshold)
        if not 0.0 < threshold <= 1.0:
            raise ValueError(
                f"pseudo_label_threshold must be in (0, 1]; got {self.pseudo_label_threshold!r}."
            )
        batch = check_int("batch_size", self.batch_size, 1)
        split = self._split_validation  # type: ignore[attr-defined]
        (X_train, y_train), val = split(X_labelled, codes, seed, stratify=True)
        steps = int(self.semi_supervised_steps)
        data = MixedData(X_train, y_train, X_unlabelled, batch, ratio * batch)
        # an epoch is a pass over the unlabelled rows, or the whole budget when that is shorter
        data.steps_per_epoch = min(data.steps_per_epoch, steps)
        mean, scale = data_statistics(np.concatenate([X_labelled, X_unlabelled]))
        prior = np.bincount(y_train, minlength=len(self.classes_)) / len(y_train)
        model = ConsistencyTraining(network, batch, mean, scale, torch.from_numpy(prior).float())
        return self._train(  # type: ignore[attr-defined,no-any-return]
            model,
            ConsistencyLoss(threshold),
            data,
            val,
            seed,
            metrics=metrics,
            param_groups=param_groups,
            max_epochs=math.ceil(steps / data.steps_per_epoch),
            extra_callbacks=extra_callbacks,
            lr=lr,
        )

    def score(self, X: Any, y: Any, sample_weight: Any = None) -> float:
        """Mean accuracy on ``X`` against labels ``y``, which must all be labelled."""
        marker = self.unlabelled_label
        y_flat = np.asarray(to_numpy(y)).reshape(-1)
        marked = np.zeros(0, bool) if marker is None else unlabelled_mask(y_flat, marker)
        if marked.any():
            raise ValueError(
                f"y holds {int(marked.sum())} unlabelled rows ({marker!r}); score "
                "needs true labels for every row. Score on the labelled rows only."
            )
        return float(super().score(X, y, sample_weight=sample_weight))  # type: ignore[misc]


def _check_classes(classes: np.ndarray, marker: Any, n_unlabelled: int) -> None:
    """Refuse labelled rows of a single class: a model that always answers it is no model."""
    if len(classes) >= 2:
        return
    rows = f" ({n_unlabelled} rows marked {marker!r} are unlabelled)" if n_unlabelled else ""
    only = classes.tolist()[0]  # a Python value: 'a', not np.str_('a')
    raise ValueError(
        f"the labelled rows of y hold a single class, {only!r}{rows}: a classifier needs "
        "at least two classes. Add labelled rows of another class"
        + (
            f", or use another unlabelled_label if {marker!r} is a class of yours."
            if n_unlabelled
            else "."
        )
    )


def _warn_if_marker_looks_like_a_class(labels: np.ndarray, classes: np.ndarray) -> None:
    """Warn when ``-1`` is the most common of three or more classes: most likely rows meant as
    unlabelled, which ``unlabelled_label=None`` learns as a class of their own."""
    if len(classes) < 3 or labels.dtype.kind not in "iuf" or UNLABELLED not in classes:
        return
    values, counts = np.unique(labels, return_counts=True)
    n_marked = int(counts[values == UNLABELLED][0])
    if n_marked == counts.max():
        warnings.warn(
            f"{n_marked} rows of y are {UNLABELLED}, the most common of "
            f"{len(classes)} classes, and are learnt as a class of their own. If they mark "
            f"unlabelled rows, pass unlabelled_label={UNLABELLED} to learn from them "
            "semi-supervised.",
            UserWarning,
            stacklevel=4,
        )
