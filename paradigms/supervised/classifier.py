"""``Classifier``: a backbone plus a softmax head, as a scikit-learn classifier."""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

import numpy as np
import torch
from sklearn.base import ClassifierMixin
from sklearn.utils.validation import check_is_fitted
from torch.nn import functional

from paradigms._common.seeding import seed_everything
from paradigms.backbones import Backbone
from paradigms.engine import Callback
from paradigms.engine.attribution import ClassAttributionMixin
from paradigms.engine.estimator import TuningTarget, seed_from_random_state
from paradigms.engine.few_labels import SemiSupervisedMixin
from paradigms.engine.onnx_export import OnnxGraph, WithProbabilities, classes_note
from paradigms.supervised._base import SupervisedEstimator


def _accuracy(logits: torch.Tensor, target: torch.Tensor) -> float:
    return float((logits.argmax(dim=1) == target).float().mean())


class Classifier(ClassAttributionMixin, SemiSupervisedMixin, ClassifierMixin, SupervisedEstimator):
    """A neural-network classifier on any shared backbone, supervised or semi-supervised.

    Inputs are ``(n, d)`` tabular, ``(n, H, W)`` or ``(n, C, H, W)`` images, numpy or torch,
    on any scale (the backbone standardises them and keeps that scaling when reused). Labels
    may be ints, strings or any hashable type.

    **Few labels, many unlabelled rows**, asked for with ``unlabelled_label``: with
    ``unlabelled_label=-1`` (as in ``sklearn.semi_supervised``; for string labels e.g. ``""``)
    the rows whose label is ``-1`` are learnt from too, FixMatch-style
    (:mod:`paradigms.engine.semisupervised`): the network's confident predictions on lightly
    shifted unlabelled inputs become the targets for strongly augmented views of them.
    ``classes_`` holds the labelled rows' classes only. By default (``unlabelled_label=None``)
    every label is a class: ``{-1, 1}`` are two classes.

    Fitted attributes: ``classes_``, ``model_`` (backbone + head), ``backbone_`` (a
    :class:`~paradigms.backbones.Backbone`, reusable by every paradigm), ``history_``,
    ``n_features_in_``, ``input_shape_``, ``n_unlabelled_`` (unlabelled rows learnt from).

    ``export_onnx(path)`` writes the network as ONNX (logits and probabilities).

    ``attribute(X)`` says which input values drove each prediction (integrated gradients or
    saliency, through Captum: :class:`~paradigms.engine.attribution.ClassAttributionMixin`).

    Example:
        >>> from paradigms.data import load_digits
        >>> X, y = load_digits(images=True)
        >>> clf = Classifier(random_state=0).fit(X, y)
        >>> clf.score(X, y) > 0.95
        True

    ``unlabelled_label``, ``semi_supervised_steps``, ``unlabelled_ratio`` and
    ``pseudo_label_threshold`` are described in
    :class:`~paradigms.engine.few_labels.SemiSupervisedMixin`; the other parameters in
    :class:`~paradigms.supervised._base.SupervisedEstimator`.
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
        backbone_lr_scale: float | str = "auto",
        augment: bool | str = "auto",
        validation_fraction: float = 0.0,
        early_stopping: bool | int = False,
        unlabelled_label: Any = None,
        semi_supervised_steps: int = 1000,
        unlabelled_ratio: int = 4,
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
            backbone_lr_scale=backbone_lr_scale,
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

    def fit(self, X: Any, y: Any = None) -> Classifier:
        """Train on ``X`` ``(n, ...)`` with labels ``y`` ``(n,)`` (``unlabelled_label``, when
        given, marking unlabelled rows), or on a torch ``Dataset`` of ``(x, y)`` samples
        (``y`` left out); returns ``self``."""
        X, y = self._validate_inputs(X, y, reset=True, with_y=True)
        codes, unlabelled = self._encode_labels(y)
        if self.n_unlabelled_ == 0:
            self._fit_network(
                X[~unlabelled],
                codes,
                n_outputs=len(self.classes_),
                loss_fn=functional.cross_entropy,
                metrics={"accuracy": _accuracy},
                stratify=True,
            )
        else:
            seed = seed_from_random_state(self.random_state)
            seed_everything(seed)
            # the normaliser learns from every row; augmentation from the consistency views
            network = self._build_network(X, len(self.classes_), augment_images=False)
            self.history_ = self._train_semi_supervised(
                network,
                X[~unlabelled],
                codes,
                X[unlabelled],
                seed,
                {"accuracy": _accuracy},
                param_groups=self._param_groups(network),
            )
            self._set_fitted(network)
        self.model_.output_labels = tuple(self.classes_.tolist())  # what each logit stands for
        return self

    def _attribution_network(self) -> torch.nn.Module:
        return self.model_

    #: what tune_estimator searches (search_spaces.json), monitors and which way
    tuning_target = TuningTarget("classifier", "val_accuracy", "maximize")

    def _onnx_graph(self, part: str) -> OnnxGraph:
        """``input`` -> ``logits``, ``probabilities`` (columns in the order of ``classes_``,
        which the file's metadata holds as JSON)."""
        return OnnxGraph(
            WithProbabilities(self.model_),
            ("logits", "probabilities"),
            backbone=self.backbone_,
            metadata={"classes": classes_note(self.classes_)},
        )

    def _training_mean(self) -> np.ndarray | None:
        normalizer = self.backbone_.normalizer
        return normalizer.mean.detach().cpu().numpy() if normalizer.fitted else None

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
