"""``Regressor``: a backbone plus a linear head, as a scikit-learn regressor."""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

import numpy as np
import torch
from sklearn.base import RegressorMixin
from sklearn.utils.validation import check_is_fitted, column_or_1d
from torch.nn import functional

from paradigms.backbones import Backbone
from paradigms.engine import Callback
from paradigms.engine.estimator import TuningTarget
from paradigms.engine.onnx_export import OnnxGraph
from paradigms.supervised._base import SupervisedEstimator

#: the MLP used by backbone="auto"/"mlp" on tabular data when backbone_kwargs is None
TABULAR_REGRESSION_MLP = {"hidden": (64,)}


def _r2(pred: torch.Tensor, target: torch.Tensor) -> float:
    """Mean R² over outputs, for standardised ``(n, k)`` targets."""
    residual = ((target - pred) ** 2).sum(dim=0)
    total = ((target - target.mean(dim=0)) ** 2).sum(dim=0).clamp_min(1e-12)
    return float((1 - residual / total).mean())


class Regressor(RegressorMixin, SupervisedEstimator):
    """A neural-network regressor on any shared backbone (single or multi-output).

    Inputs as for :class:`~paradigms.supervised.Classifier`. Targets are standardised inside
    the estimator (mean/scale kept in ``target_mean_``/``target_scale_``), so raw targets on
    any scale train well; predictions come back on the original scale.

    Defaults differ from the classifier's where small regression sets need it (measured on
    diabetes, see ``benchmarks/RESULTS.md``): 10% of the data is held out for early stopping
    (best epoch restored), dropout 0.1 before the head, and on tabular data ``"auto"``/``"mlp"``
    builds one hidden layer of 64 units unless ``backbone_kwargs`` says otherwise.

    Fitted attributes: ``model_``, ``backbone_``, ``history_``, ``n_features_in_``,
    ``input_shape_``, ``target_mean_``, ``target_scale_``.
    """

    def __init__(
        self,
        backbone: str | os.PathLike[str] | Backbone = "auto",
        backbone_kwargs: dict[str, Any] | None = None,
        max_epochs: int = 30,
        batch_size: int = 64,
        lr: float = 3e-3,
        weight_decay: float = 1e-4,
        dropout: float = 0.1,
        freeze_backbone: bool = False,
        backbone_lr_scale: float | str = "auto",
        augment: bool | str = "auto",
        validation_fraction: float = 0.1,
        early_stopping: bool | int = True,
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

    #: a geometric warp can change what an image's target should be: off unless asked for
    augments_by_default = False

    def default_backbone_kwargs(self, in_shape: tuple[int, ...]) -> dict[str, Any]:
        if len(in_shape) == 1 and self.backbone in ("auto", "mlp"):
            return dict(TABULAR_REGRESSION_MLP)
        return {}

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        return tags

    def fit(self, X: Any, y: Any = None) -> Regressor:
        """Train on ``X`` ``(n, ...)`` with targets ``y``: ``(n,)`` or ``(n, k)``, or on a torch
        ``Dataset`` of ``(x, y)`` samples (``y`` left out). Returns self."""
        X, y = self._validate_inputs(
            X, y, reset=True, with_y=True, multi_output=True, y_numeric=True
        )
        y = np.asarray(y, dtype=np.float64)
        if y.ndim == 2 and y.shape[1] == 1:
            y = column_or_1d(y, warn=True)
        targets = y.reshape(len(y), -1)
        self.target_mean_ = targets.mean(axis=0)
        scale = targets.std(axis=0)
        self.target_scale_ = np.where(scale > 0, scale, 1.0)
        standardised = ((targets - self.target_mean_) / self.target_scale_).astype(np.float32)
        self._fit_network(
            X,
            standardised,
            n_outputs=targets.shape[1],
            loss_fn=functional.mse_loss,
            metrics={"r2": _r2},
            stratify=False,
        )
        return self

    #: what tune_estimator searches (search_spaces.json), monitors and which way
    tuning_target = TuningTarget("regressor", "val_r2", "maximize")

    def _onnx_graph(self, part: str) -> OnnxGraph:
        """``input`` -> ``prediction`` on the targets' scale, ``(batch,)`` for one target."""
        module = RescaledOutputs(self.model_, self.target_mean_, self.target_scale_)
        return OnnxGraph(module, ("prediction",), backbone=self.backbone_)

    def predict(self, X: Any) -> np.ndarray:
        """Predictions ``(n,)`` (or ``(n, k)`` for multi-output fits), on the targets' scale."""
        check_is_fitted(self)
        X = self._validate_inputs(X, reset=False)
        out = self._predict_outputs(X).double().numpy() * self.target_scale_ + self.target_mean_
        return out[:, 0] if len(self.target_mean_) == 1 else out  # (n, 1) targets became (n,)


class RescaledOutputs(torch.nn.Module):
    """Standardised outputs ``(B, k)`` -> the targets' scale; ``(B,)`` when ``k == 1``."""

    def __init__(self, network: torch.nn.Module, mean: np.ndarray, scale: np.ndarray) -> None:
        super().__init__()
        self.network = network
        self.register_buffer("mean", torch.as_tensor(mean, dtype=torch.float32))
        self.register_buffer("scale", torch.as_tensor(scale, dtype=torch.float32))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = self.network(x) * self.scale + self.mean
        return out[:, 0] if self.mean.numel() == 1 else out
