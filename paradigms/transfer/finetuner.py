"""``FineTuner``: adapt a pretrained network to a small labelled set (a scikit-learn classifier)."""

from __future__ import annotations

import copy
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import torch
from sklearn.base import ClassifierMixin
from sklearn.utils.validation import check_is_fitted
from torch import nn
from torch.nn import functional

from paradigms._common.seeding import seed_everything
from paradigms.backbones import (
    Backbone,
    BackboneWithHead,
    TimmBackbone,
    read_backbone_config,
    resolve_backbone,
)
from paradigms.engine import Callback
from paradigms.engine.estimator import NeuralEstimator, seed_from_random_state
from paradigms.engine.few_labels import SemiSupervisedMixin
from paradigms.engine.semisupervised import UNLABELLED
from paradigms.transfer._network import TransferNet
from paradigms.transfer.adapter import InputAdapter, pixel_scale_of
from paradigms.transfer.strategies import GradualUnfreeze, apply_strategy, layer_groups
from paradigms.transfer.weights import create_timm_model

#: lr="auto": the head's peak learning rate when the backbone trains too, and for a linear probe
#: (a frozen backbone leaves only a linear layer to fit, which wants a larger step)
FINE_TUNE_LR = 1.5e-3
LINEAR_PROBE_LR = 1e-2
#: images smaller than this (shorter side) are upsampled for timm models with image_size="auto"
MIN_AUTO_SIZE = 32


def _accuracy(logits: torch.Tensor, target: torch.Tensor) -> float:
    return float((logits.argmax(dim=1) == target).float().mean())


def _is_backbone_file(weights: Any) -> bool:
    if not isinstance(weights, (str, os.PathLike)) or not str(weights).endswith(".safetensors"):
        return False
    if not Path(weights).is_file():
        return False
    try:
        read_backbone_config(weights)
    except ValueError:
        return False
    return True


class FineTuner(SemiSupervisedMixin, ClassifierMixin, NeuralEstimator):
    """Fine-tune a pretrained model (timm, or a Backbone from another paradigm) on labelled images.

    Args:
        model: a timm model name (``timm.list_models()``), used when ``weights`` is ``"hub"``,
            a weights file or ``None``. Ignored for a ``Backbone`` source unless that backbone
            is a timm model, in which case the names must agree.
        weights: ``"hub"`` (timm's download/cache; fails within seconds when offline),
            a ``.safetensors``/``.pth``/``.bin`` weights file (loaded through timm, so head
            replacement and channel adaptation apply; ``.pth`` with ``weights_only=True``),
            a :class:`~paradigms.backbones.Backbone` or a saved backbone file (transfer between
            paradigms), or ``None`` (random init: the from-scratch baseline).
        strategy: ``"fine_tune"``, ``"linear_probe"`` or ``"gradual_unfreeze"`` (see
            :mod:`paradigms.transfer.strategies`).
        backbone_lr_scale: the backbone's learning rate relative to the head's (default: the
            backbone at 1e-3, the head at 1.5e-3; on digits 0-4 -> 5-9 with 5 labels per class
            a 0.1 scale did worse; ``benchmarks/RESULTS.md``, transfer section, compares them).
        layer_decay: layer-wise learning-rate decay per group towards the input (e.g. 0.7),
            or ``None``.
        unfreeze_every: epochs between unfreezing steps for ``"gradual_unfreeze"``.
        image_size: ``"auto"`` (images under 32 px are upsampled to 32 on the shorter side;
            models with a fixed input size get it), an int, or ``None`` (never resize). Only
            for timm sources; a Backbone sees images at its own ``in_shape``.
        augment: small random shifts, rotations and zooms of the training images (timm
            sources; see :class:`~paradigms.transfer.adapter.InputAdapter`).
        max_epochs: ``"auto"`` (about 300 optimizer steps, 10 to 200 epochs, so a handful of
            labels still trains enough) or an int.
        batch_size, lr, weight_decay, validation_fraction, early_stopping, device,
        random_state, verbose, run_dir, resume, callbacks: as for
            :class:`paradigms.supervised.Classifier`; ``lr`` is the head's peak learning rate,
            ``"auto"``: 1.5e-3, or 1e-2 for ``linear_probe``.

    Few labels: rows of ``y`` equal to ``unlabelled_label`` (``-1``) are learnt from too, as
    in :class:`paradigms.supervised.Classifier`; ``unlabelled_label``,
    ``semi_supervised_steps``, ``unlabelled_ratio`` and ``pseudo_label_threshold`` are
    described in :class:`~paradigms.engine.few_labels.SemiSupervisedMixin`.

    Fitted attributes: ``classes_``, ``model_`` (the timm model, or backbone + head),
    ``network_`` (input adapter + model, what predicts), ``history_``, ``n_features_in_``,
    ``input_shape_``, ``epochs_``, ``n_unlabelled_``.
    """

    def __init__(
        self,
        model: str = "resnet10t",
        weights: str | os.PathLike[str] | Backbone | None = "hub",
        strategy: str = "fine_tune",
        backbone_lr_scale: float = 2 / 3,
        layer_decay: float | None = None,
        unfreeze_every: int = 1,
        image_size: str | int | None = "auto",
        augment: bool = True,
        max_epochs: int | str = "auto",
        batch_size: int = 16,
        lr: float | str = "auto",
        weight_decay: float = 1e-4,
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
        self.model = model
        self.weights = weights
        self.strategy = strategy
        self.backbone_lr_scale = backbone_lr_scale
        self.layer_decay = layer_decay
        self.unfreeze_every = unfreeze_every
        self.image_size = image_size
        self.augment = augment
        self.max_epochs = max_epochs
        self.batch_size = batch_size
        self.lr = lr
        self.weight_decay = weight_decay
        self.validation_fraction = validation_fraction
        self.early_stopping = early_stopping
        self.unlabelled_label = unlabelled_label
        self.semi_supervised_steps = semi_supervised_steps
        self.unlabelled_ratio = unlabelled_ratio
        self.pseudo_label_threshold = pseudo_label_threshold
        self.device = device
        self.random_state = random_state
        self.verbose = verbose
        self.run_dir = run_dir
        self.resume = resume
        self.callbacks = callbacks

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.input_tags.three_d_array = True
        return tags

    # ------------------------------------------------------------------ building
    def _head_lr(self) -> float:
        if self.lr == "auto":
            return LINEAR_PROBE_LR if self.strategy == "linear_probe" else FINE_TUNE_LR
        if isinstance(self.lr, str) or not float(self.lr) > 0:
            raise ValueError(f"lr must be 'auto' or a positive number; got {self.lr!r}.")
        return float(self.lr)

    def _target_size(self, height: int, width: int, data_config: dict[str, Any]) -> Any:
        if self.image_size is None:
            return None
        if isinstance(self.image_size, (int, np.integer)):
            if self.image_size < 1:
                raise ValueError(f"image_size must be >= 1; got {self.image_size!r}.")
            return (int(self.image_size), int(self.image_size))
        if self.image_size != "auto":
            raise ValueError(f"image_size must be 'auto', an int or None; got {self.image_size!r}.")
        if data_config.get("fixed_input_size"):
            return tuple(data_config["input_size"][1:])
        if min(height, width) >= MIN_AUTO_SIZE:
            return None
        factor = MIN_AUTO_SIZE / min(height, width)
        return (round(height * factor), round(width * factor))

    def _build_from_backbone(self, X: np.ndarray, n_classes: int) -> TransferNet:
        backbone = resolve_backbone(self.weights, tuple(X.shape[1:]))
        if (
            isinstance(backbone, TimmBackbone)
            and isinstance(self.model, str)
            and self.model not in (backbone.model_name, "")
        ):
            raise ValueError(
                f"model={self.model!r} disagrees with the given backbone, a timm "
                f"{backbone.model_name!r}; pass model={backbone.model_name!r}."
            )
        if not backbone.normalizer.fitted:
            backbone.normalizer.fit(X)
        # building from a file draws random numbers that an instance does not: re-seed so the
        # head starts the same either way
        torch.manual_seed(seed_from_random_state(self.random_state))
        return TransferNet(BackboneWithHead(copy.deepcopy(backbone), n_classes))

    def _build_timm(self, X: np.ndarray, n_classes: int) -> TransferNet:
        if X.ndim != 4:
            raise ValueError(
                f"a timm model needs images (n, H, W) or (n, C, H, W); got X of shape "
                f"{X.shape}. Use paradigms.supervised.Classifier for tabular data, or pass "
                "weights=<a Backbone trained on data like yours>."
            )
        from timm.data import resolve_model_data_config

        model = create_timm_model(self.model, self.weights, n_classes, in_chans=X.shape[1])
        data_config = resolve_model_data_config(model)
        pretrained_cfg = dict(getattr(model, "pretrained_cfg", None) or {})
        data_config["fixed_input_size"] = bool(pretrained_cfg.get("fixed_input_size", False))
        adapter = InputAdapter(
            pixel_scale=pixel_scale_of(X),
            size=self._target_size(X.shape[2], X.shape[3], data_config),
            mean=data_config["mean"],
            std=data_config["std"],
            channels=X.shape[1],
            augment=bool(self.augment),
        )
        net = TransferNet(model, adapter)
        try:
            with torch.no_grad():
                net.eval()(torch.from_numpy(X[:2]))
        except (RuntimeError, ValueError, AssertionError) as exc:
            raise ValueError(
                f"timm model {self.model!r} cannot take images of shape {X.shape[1:]} "
                f"(after adaptation: {adapter.extra_repr()}): {str(exc).rstrip('.')}. The images "
                "are probably too "
                "small for this model: pass image_size=<a larger size>, or choose another model."
            ) from exc
        return net

    # ------------------------------------------------------------------ fit / predict
    def fit(self, X: Any, y: Any) -> FineTuner:
        """Fine-tune on images ``X`` with labels ``y`` ``(n,)``, ``unlabelled_label`` marking
        unlabelled rows (learnt from FixMatch-style); returns ``self``."""
        X, y = self._validate_inputs(X, y, reset=True, with_y=True)
        codes, unlabelled = self._encode_labels(y)
        seed = seed_from_random_state(self.random_state)
        seed_everything(seed)
        X_labelled = X[~unlabelled]
        from_backbone = isinstance(self.weights, Backbone) or _is_backbone_file(self.weights)
        build = self._build_from_backbone if from_backbone else self._build_timm
        network = build(X if self.n_unlabelled_ else X_labelled, len(self.classes_))
        param_groups = apply_strategy(
            network.model,
            self.strategy,
            self._head_lr(),
            float(self.backbone_lr_scale),
            self.layer_decay,
        )
        extra: list[Callback] = []
        if self.strategy == "gradual_unfreeze":
            extra.append(GradualUnfreeze(layer_groups(network.model), self.unfreeze_every))
        if self.n_unlabelled_:
            self.history_ = self._train_semi_supervised(
                network,
                X_labelled,
                codes,
                X[unlabelled],
                seed,
                {"accuracy": _accuracy},
                param_groups=param_groups,
                extra_callbacks=extra,
                lr=self._head_lr(),
            )
            self.epochs_ = len(self.history_)
        else:
            train, val = self._split_validation(X_labelled, codes, seed, stratify=True)
            self.epochs_ = self._resolve_epochs(len(train[0]), fewest=10, most=200)
            self.history_ = self._train(
                network,
                functional.cross_entropy,
                train,
                val,
                seed,
                metrics={"accuracy": _accuracy},
                param_groups=param_groups,
                max_epochs=self.epochs_,
                lr=self._head_lr(),
                extra_callbacks=extra,
            )
        self.network_ = network
        self.model_ = network.model
        return self

    def predict_proba(self, X: Any) -> np.ndarray:
        """Class probabilities ``(n, n_classes)`` in the order of ``classes_``."""
        check_is_fitted(self)
        X = self._validate_inputs(X, reset=False)
        return torch.softmax(self._forward_batched(self.network_, X).double(), dim=1).numpy()

    def predict(self, X: Any) -> np.ndarray:
        """Predicted labels ``(n,)``."""
        check_is_fitted(self)
        X = self._validate_inputs(X, reset=False)
        return self.classes_[self._forward_batched(self.network_, X).argmax(dim=1).numpy()]


def trainable_parameters(module: nn.Module) -> int:
    """Number of parameters that would train (``requires_grad``)."""
    return sum(p.numel() for p in module.parameters() if p.requires_grad)
