"""What every scikit-learn-style neural estimator shares: input checks, backbone set-up,
training through :func:`paradigms.engine.fit`, and batched inference.

Paradigm estimators (``Classifier``, ``Regressor``, ``AutoEncoder``, ``FineTuner``) subclass
:class:`NeuralEstimator`; they never import each other.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
import torch
from sklearn.base import BaseEstimator
from sklearn.model_selection import train_test_split
from sklearn.utils import check_random_state
from sklearn.utils.validation import validate_data
from torch import nn
from torch.utils.data import Dataset as TorchDataset

from paradigms._common.device import resolve_device
from paradigms.backbones import Backbone, resolve_backbone
from paradigms.data.adapters import dataset_to_arrays
from paradigms.engine.callbacks import Callback, EarlyStopping
from paradigms.engine.history import History
from paradigms.engine.loop import fit
from paradigms.engine.onnx_export import OnnxExportMixin

#: inference runs in chunks of a fixed number of rows (the last one zero-padded), so a sample's
#: prediction never depends on which other samples share its batch: 256 rows for small inputs,
#: fewer for large ones (about 2**20 input values per chunk, at least 1 row).
PREDICT_CHUNK = 256
_CHUNK_VALUES = 2**20


#: ``max_epochs="auto"``: train for at least about this many optimizer steps, so that a handful of
#: labelled rows (one step per epoch) still trains enough; 30 steps leave a network underfitted
#: (digits, 5 labels per class, 3 draws, the default Classifier: 0.815 after 30 epochs of one
#: step, 0.908 after 300)
AUTO_STEPS = 300


def predict_chunk_rows(sample_shape: tuple[int, ...]) -> int:
    """Rows per inference chunk for samples of ``sample_shape``."""
    return max(1, min(PREDICT_CHUNK, _CHUNK_VALUES // max(1, int(np.prod(sample_shape)))))


def to_numpy(X: Any) -> Any:
    """Torch tensors become numpy arrays; anything else is passed through unchanged."""
    if isinstance(X, torch.Tensor):
        return X.detach().cpu().numpy()
    return X


def seed_from_random_state(random_state: Any) -> int:
    """An int seed from scikit-learn's ``random_state`` (None, int or ``RandomState``)."""
    if isinstance(random_state, numbers.Integral):
        return int(random_state) % (2**32)
    return int(check_random_state(random_state).randint(0, 2**31 - 1))


@dataclass(frozen=True)
class TuningTarget:
    """What ``tune_estimator`` searches for an estimator class: its search space's name in
    ``search_spaces.json``, the validation metric it watches and whether to maximise it."""

    space: str
    monitor: str
    direction: str


class NeuralEstimator(OnnxExportMixin, BaseEstimator):
    """Shared machinery for the paradigms' scikit-learn estimators.

    Subclasses declare their parameters in ``__init__`` (stored unchanged, per scikit-learn's
    rules) and use the helpers below inside ``fit``/``predict``. Expected parameters:
    ``backbone``, ``backbone_kwargs``, ``max_epochs``, ``batch_size``, ``lr``, ``weight_decay``,
    ``validation_fraction``, ``early_stopping``, ``device``, ``random_state``, ``verbose``,
    ``run_dir``, ``resume``, ``callbacks``. ``export_onnx`` writes the fitted network
    (:class:`~paradigms.engine.onnx_export.OnnxExportMixin`; subclasses say what).

    The hooks of the cross-cutting features, each subclass's own: :attr:`tuning_target`
    (``paradigms tune``), :attr:`augments_by_default` and :meth:`default_backbone_kwargs`.
    """

    #: what ``tune_estimator`` searches (each estimator class sets it)
    tuning_target: ClassVar[TuningTarget | None] = None
    #: whether ``augment="auto"`` augments images
    augments_by_default: ClassVar[bool] = True

    # ---------------------------------------------------------------- input validation
    def _validate_inputs(
        self, X: Any, y: Any = None, *, reset: bool, with_y: bool = False, **kwargs: Any
    ) -> Any:
        """Check X (and y when ``with_y``) and return X as float32 ``(n, *in_shape)``.

        2-D ``(n, d)`` stays; 3-D ``(n, H, W)`` becomes ``(n, 1, H, W)``; 4-D ``(n, C, H, W)``
        stays. On ``reset`` the per-sample shape is remembered as ``input_shape_``; later calls
        must match it. ``X`` may be a map-style torch ``Dataset`` (e.g.
        :func:`paradigms.data.image_folder`'s result) whose samples are ``(x, y)`` or ``x``: it
        is read into arrays (:func:`paradigms.data.dataset_to_arrays`), its targets becoming
        ``y``. Returns ``X`` or ``(X, y)``.
        """
        if isinstance(X, TorchDataset):
            X, y = self._arrays_of_dataset(X, y, with_y)
        X = to_numpy(X)
        if not reset:
            self._check_sample_shape(getattr(X, "shape", None))
        min_samples = 2 if reset else 1
        common = dict(reset=reset, allow_nd=True, dtype=np.float32, ensure_min_samples=min_samples)
        if with_y:
            X, y = validate_data(self, X, to_numpy(y), **common, **kwargs)
        else:
            X = validate_data(self, X, **common)
        if X.ndim > 4:
            raise ValueError(
                f"X has {X.ndim} dimensions (shape {X.shape}); expected (n, features), "
                "(n, H, W) or (n, C, H, W). Flatten or select the dimensions you need."
            )
        if reset:
            self.input_shape_ = tuple(int(s) for s in X.shape[1:])
        else:
            self._check_sample_shape(X.shape)
        if X.ndim == 3:
            X = X[:, None, :, :]
        X = np.ascontiguousarray(X, dtype=np.float32)
        return (X, y) if with_y else X

    def _arrays_of_dataset(self, dataset: TorchDataset, y: Any, with_y: bool) -> tuple[Any, Any]:
        """``(X, y)`` arrays from a torch ``Dataset`` (its targets are ``y`` when due)."""
        name = type(dataset).__name__
        if y is not None:
            raise ValueError(
                f"got both a Dataset ({name}) and y; a Dataset brings its own targets: pass "
                f"fit(dataset) for (x, y) samples, or arrays fit(X, y)."
            )
        X, targets = dataset_to_arrays(dataset)
        if with_y and targets is None:
            raise ValueError(
                f"the {name}'s samples carry no target (each is a bare x); "
                f"{type(self).__name__}.fit needs (x, y) samples, or arrays: fit(X, y)."
            )
        return X, targets if with_y else None

    def _check_sample_shape(self, shape: tuple[int, ...] | None) -> None:
        """Raise ``ValueError`` when samples are not shaped like the training samples."""
        if shape is None or len(shape) < 2 or not hasattr(self, "input_shape_"):
            return  # not array-like: validate_data gives the message
        sample = tuple(int(s) for s in shape[1:])
        if sample == self.input_shape_:
            return
        name = type(self).__name__
        if len(sample) == 1 and len(self.input_shape_) == 1:
            raise ValueError(
                f"X has {sample[0]} features, but {name} is expecting {self.input_shape_[0]} "
                "features as input. Pass the same columns as in fit."
            )
        raise ValueError(
            f"X has samples of shape {sample}, but {name} was fitted on samples of shape "
            f"{self.input_shape_}. Pass data shaped like the training data (e.g. reshape to "
            f"(n, {', '.join(map(str, self.input_shape_))}))."
        )

    # ---------------------------------------------------------------- backbone
    def _build_backbone(self, X: np.ndarray) -> Backbone:
        """Resolve ``self.backbone`` for samples shaped like ``X[0]``; fit its normaliser.

        A fresh backbone learns its input standardisation from ``X``; a pretrained one
        (instance or file) keeps the scaling it was trained with.
        """
        in_shape = tuple(int(s) for s in X.shape[1:])
        kwargs = (
            dict(self.backbone_kwargs)
            if self.backbone_kwargs is not None
            else self.default_backbone_kwargs(in_shape)
        )
        backbone = resolve_backbone(self.backbone, in_shape, **kwargs)
        if not backbone.normalizer.fitted:
            backbone.normalizer.fit(X)
        return backbone

    def default_backbone_kwargs(self, in_shape: tuple[int, ...]) -> dict[str, Any]:
        """Factory kwargs used when ``backbone_kwargs`` is ``None`` for inputs of ``in_shape``
        (subclasses may tune)."""
        return {}

    # ---------------------------------------------------------------- training
    def _resolve_epochs(
        self,
        n_train: int,
        fewest: int,
        most: int,
        steps: int = AUTO_STEPS,
        batch_size: int | None = None,
    ) -> int:
        """``max_epochs`` as an int: ``"auto"`` is enough epochs for ``steps`` steps of
        ``batch_size`` (the estimator's by default) over ``n_train`` rows, between ``fewest``
        and ``most``."""
        if self.max_epochs == "auto":
            steps_per_epoch = math.ceil(n_train / (batch_size or self.batch_size))
            return int(min(most, max(fewest, math.ceil(steps / steps_per_epoch))))
        if isinstance(self.max_epochs, str):
            raise ValueError(f"max_epochs must be 'auto' or an int; got {self.max_epochs!r}.")
        return int(self.max_epochs)

    def _split_validation(
        self, X: np.ndarray, y: np.ndarray, seed: int, stratify: bool
    ) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray] | None]:
        fraction = float(self.validation_fraction or 0.0)
        if not 0.0 <= fraction < 1.0:
            raise ValueError(f"validation_fraction must be in [0, 1); got {fraction!r}.")
        n_val = round(fraction * len(X))
        if n_val < 1 or len(X) - n_val < 1:
            return (X, y), None
        strat = None
        if stratify:
            _, counts = np.unique(y, return_counts=True)
            if counts.min() >= 2 and n_val >= len(counts):
                strat = y
        X_tr, X_val, y_tr, y_val = train_test_split(
            X, y, test_size=n_val, random_state=seed % (2**31), stratify=strat
        )
        return (X_tr, y_tr), (X_val, y_val)

    def _callbacks(self, has_val: bool) -> list[Callback]:
        callbacks = list(self.callbacks or [])
        patience = self.early_stopping
        if patience and has_val:
            patience = 5 if patience is True else int(patience)
            callbacks.append(EarlyStopping(monitor="val_loss", patience=patience))
        return callbacks

    def _train(
        self,
        model: nn.Module,
        loss_fn: Callable[[Any, torch.Tensor], torch.Tensor],
        train: tuple[Any, ...],
        val: tuple[Any, ...] | None,
        seed: int,
        metrics: Mapping[str, Callable[[Any, torch.Tensor], float]] | None = None,
        param_groups: Any = None,
        max_epochs: int | None = None,
        extra_callbacks: Sequence[Callback] = (),
        lr: float | None = None,
        batch_size: int | None = None,
    ) -> History:
        """Run the shared engine with this estimator's hyperparameters (``max_epochs``,
        ``lr`` and ``batch_size`` override the estimator's; ``extra_callbacks`` join the
        user's)."""
        return fit(
            model,
            loss_fn,
            train,
            val,
            max_epochs=self.max_epochs if max_epochs is None else max_epochs,
            batch_size=self.batch_size if batch_size is None else batch_size,
            lr=self.lr if lr is None else lr,
            weight_decay=self.weight_decay,
            param_groups=param_groups,
            metrics=metrics if val is not None else None,
            callbacks=[*self._callbacks(val is not None), *extra_callbacks],
            device=self.device,
            seed=seed,
            run_dir=self.run_dir,
            resume=bool(self.resume),
            progress=bool(self.verbose),
        )

    # ---------------------------------------------------------------- inference
    @torch.no_grad()
    def _forward_batched(self, module: nn.Module, X: np.ndarray) -> torch.Tensor:
        """``module(X)`` in eval mode, in fixed-size chunks, on CPU as float32 ``(n, ...)``.

        Every chunk holds exactly :func:`predict_chunk_rows` rows (the last is zero-padded),
        so results do not depend on how the caller batches samples.
        """
        device = resolve_device(self.device)
        was_training = module.training
        module.eval()
        try:
            inputs = torch.from_numpy(X)
            rows = predict_chunk_rows(tuple(X.shape[1:]))
            outputs = []
            for start in range(0, len(inputs), rows):
                chunk = inputs[start : start + rows]
                n = len(chunk)
                if n < rows:
                    pad = chunk.new_zeros((rows - n, *chunk.shape[1:]))
                    chunk = torch.cat([chunk, pad])
                outputs.append(module(chunk.to(device))[:n].float().cpu())
            return torch.cat(outputs)
        finally:
            module.train(was_training)
