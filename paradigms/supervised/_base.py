"""Parameters and fitting steps shared by ``Classifier`` and ``Regressor``."""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from typing import Any

import numpy as np
import torch

from paradigms._common.seeding import seed_everything
from paradigms.backbones import Backbone, BackboneWithHead
from paradigms.engine import Callback
from paradigms.engine.augment import RandomAffine
from paradigms.engine.estimator import NeuralEstimator, seed_from_random_state

#: the fewest and most epochs ``max_epochs="auto"`` picks
AUTO_EPOCHS = (30, 300)


class SupervisedEstimator(NeuralEstimator):
    """A backbone plus a linear head, trained end to end by the shared engine.

    Args:
        backbone: ``"auto"`` (mlp for ``(n, d)`` data, cnn for images), any registered name
            such as ``"mlp"``, ``"cnn"`` or ``"timm:resnet10t"``, a saved backbone path, or a
            :class:`~paradigms.backbones.Backbone` (copied, never trained in place).
        backbone_kwargs: passed to the backbone factory when ``backbone`` is a name.
        max_epochs: passes over the training data, or ``"auto"`` (the Classifier's default): 30,
            or more on small data so that the fit takes about 300 optimizer steps (at most 300
            epochs; 50 labelled images are one step per epoch).
        batch_size: samples per step.
        lr: peak learning rate of the one-cycle schedule (AdamW).
        weight_decay: AdamW weight decay.
        dropout: dropout before the linear head (0.2 by default; benchmarks/RESULTS.md,
            "Digits across seeds", compares it with 0).
        freeze_backbone: train only the head (a linear probe on a reused backbone); the
            backbone, including its BatchNorm statistics, is left exactly as given.
        backbone_lr_scale: the backbone's peak learning rate relative to ``lr`` (the head's);
            ``"auto"``: what the backbone's trainer advises (its ``fine_tune_lr_scale``, saved
            with it), else 1. An AutoEncoder's contrastive encoder advises 0.01, so it keeps
            what it learnt while the head fits (on digits with 5 labels per class it scored
            0.932 at 1 and 0.962 at 0.01); a backbone trained on other classes advises
            nothing, as it needs retraining (digits 0-4 -> 5-9: 0.932 at 1, 0.717 at 0.01;
            ``benchmarks/RESULTS.md``, fewlabel section).
        augment: small random shifts, rotations and zooms of training images
            (:class:`~paradigms.engine.augment.RandomAffine`); ``"auto"`` turns it on for
            image inputs in classification (on digits it lifted mean test accuracy over five
            splits, see benchmarks/RESULTS.md), ``False`` for regression.
        validation_fraction: share of the training data held out to report ``val_*``
            metrics each epoch (0 trains on everything).
        early_stopping: ``False``, ``True`` (patience 5) or a patience in epochs; needs
            ``validation_fraction > 0``; the best epoch's weights are restored.
        device: ``"auto"``, ``"cpu"``, ``"cuda"``...
        random_state: seed for initialisation, shuffling and the validation split.
        verbose: show a progress bar when truthy.
        run_dir: folder for ``metrics.csv`` and ``checkpoint.pt`` (resumable), or ``None``.
        resume: continue an interrupted fit from ``run_dir/checkpoint.pt``.
        callbacks: extra engine callbacks.
    """

    def __init__(
        self,
        backbone: str | os.PathLike[str] | Backbone = "auto",
        backbone_kwargs: dict[str, Any] | None = None,
        max_epochs: int | str = 30,
        batch_size: int = 64,
        lr: float = 3e-3,
        weight_decay: float = 1e-4,
        dropout: float = 0.2,
        freeze_backbone: bool = False,
        backbone_lr_scale: float | str = "auto",
        augment: bool | str = "auto",
        validation_fraction: float = 0.0,
        early_stopping: bool | int = False,
        device: str = "auto",
        random_state: int | np.random.RandomState | None = None,
        verbose: int = 0,
        run_dir: str | os.PathLike[str] | None = None,
        resume: bool = False,
        callbacks: Sequence[Callback] | None = None,
    ) -> None:
        self.backbone = backbone
        self.backbone_kwargs = backbone_kwargs
        self.max_epochs = max_epochs
        self.batch_size = batch_size
        self.lr = lr
        self.weight_decay = weight_decay
        self.dropout = dropout
        self.freeze_backbone = freeze_backbone
        self.backbone_lr_scale = backbone_lr_scale
        self.augment = augment
        self.validation_fraction = validation_fraction
        self.early_stopping = early_stopping
        self.device = device
        self.random_state = random_state
        self.verbose = verbose
        self.run_dir = run_dir
        self.resume = resume
        self.callbacks = callbacks

    #: what ``augment="auto"`` means for this estimator (images only)

    def _build_network(self, X: np.ndarray, n_outputs: int, augment_images: bool) -> Any:
        """Backbone (its normaliser fitted on ``X``) + head; ``augment_images`` adds the
        estimator's training-time augmentation for image inputs when ``augment`` allows it."""
        backbone = self._build_backbone(X)
        augment = self.augment if self.augment != "auto" else self.augments_by_default
        return BackboneWithHead(
            backbone,
            n_outputs,
            dropout=float(self.dropout),
            freeze_backbone=self.freeze_backbone,
            input_transform=RandomAffine() if augment_images and augment and X.ndim == 4 else None,
        )

    def _param_groups(self, network: BackboneWithHead) -> list[dict[str, Any]] | None:
        """Optimizer groups giving the backbone ``backbone_lr_scale`` times ``lr``, or
        ``None`` (one learning rate) when the scale is 1."""
        scale = self.backbone_lr_scale
        if scale == "auto":
            advice = network.backbone.fine_tune_lr_scale
            scale = 1.0 if advice is None else advice
        if (
            isinstance(scale, bool)
            or not isinstance(scale, (int, float))
            or not (math.isfinite(scale) and scale >= 0)
        ):
            raise ValueError(
                f"backbone_lr_scale must be 'auto' or a finite number >= 0; got {scale!r}."
            )
        if scale == 1:
            return None
        backbone = list(network.backbone.parameters())
        own = {id(p) for p in backbone}
        rest = [p for p in network.parameters() if id(p) not in own]
        return [{"params": backbone, "lr": float(self.lr) * scale}, {"params": rest}]

    def _fit_network(
        self,
        X: np.ndarray,
        targets: np.ndarray,
        n_outputs: int,
        loss_fn: Any,
        metrics: Any,
        stratify: bool,
    ) -> None:
        """Build backbone + head, train, and set ``model_``, ``backbone_`` and ``history_``."""
        seed = seed_from_random_state(self.random_state)
        seed_everything(seed)
        model = self._build_network(X, n_outputs, augment_images=True)
        train, val = self._split_validation(X, targets, seed, stratify=stratify)
        epochs = self._resolve_epochs(len(train[0]), fewest=AUTO_EPOCHS[0], most=AUTO_EPOCHS[1])
        self.history_ = self._train(
            model,
            loss_fn,
            train,
            val,
            seed,
            metrics=metrics,
            param_groups=self._param_groups(model),
            max_epochs=epochs,
        )
        self._set_fitted(model)

    def _set_fitted(self, network: BackboneWithHead) -> None:
        """Keep the trained ``network`` as ``model_`` / ``backbone_``; a backbone trained here
        drops its trainer's fine-tuning advice (it is now a backbone for this task)."""
        self.model_ = network
        self.backbone_ = network.backbone
        if not self.freeze_backbone:
            self.backbone_.fine_tune_lr_scale = None

    def _predict_outputs(self, X: Any) -> torch.Tensor:
        """Raw network outputs ``(n, n_outputs)`` for validated ``X``."""
        return self._forward_batched(self.model_, X)
