"""``attribute``: which input values drove a fitted classifier's class scores.

Shared by ``Classifier`` and ``FineTuner`` through :class:`ClassAttributionMixin`; the
computation itself (Captum) lives in :mod:`paradigms.report.attributions`.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch
from sklearn.utils.validation import check_is_fitted
from torch import nn

from paradigms._common.device import resolve_device
from paradigms.engine.estimator import to_numpy
from paradigms.report.attributions import IG_STEPS, attribute, check_method


class ClassAttributionMixin:
    """``attribute(X, target=None, method=...)`` for classifiers with ``classes_``.

    The estimator provides ``_attribution_network()`` (the eval-mode network from validated
    inputs to logits), ``_validate_inputs`` and ``_forward_batched``
    (:class:`~paradigms.engine.estimator.NeuralEstimator`).
    """

    classes_: np.ndarray
    device: str
    input_shape_: tuple[int, ...]

    def _attribution_network(self) -> nn.Module:
        raise NotImplementedError

    def _training_mean(self) -> np.ndarray | None:
        """The training inputs' mean, shaped like one validated sample, when known."""
        return None

    def attribution_baseline(self, baseline: Any = "auto") -> np.ndarray:
        """The input that stands for "every feature absent", one sample shaped like ``X[0]``.

        Args:
            baseline: ``"auto"`` (black, i.e. zeros, for images; the training mean row for
                tables, whose raw zeros may be far outside the data), ``"zeros"``, ``"mean"``
                or an array shaped like one sample.

        Returns:
            Float32 array ``input_shape_``: where integrated gradients start, and the value the
            deletion check (:func:`paradigms.report.deletion_curve`) writes.
        """
        check_is_fitted(self)
        shape = tuple(self.input_shape_)
        image = len(shape) >= 2
        if isinstance(baseline, str):
            if baseline not in ("auto", "zeros", "mean"):
                raise ValueError(
                    f"baseline must be 'auto', 'zeros', 'mean' or an array shaped {shape}; "
                    f"got {baseline!r}."
                )
            mean = self._training_mean()
            if baseline == "zeros" or mean is None or (baseline == "auto" and image):
                return np.zeros(shape, dtype=np.float32)
            validated = (1, *shape) if len(shape) == 2 else shape  # (H, W) images get a channel
            return np.broadcast_to(mean, validated).reshape(shape).astype(np.float32)
        values = np.asarray(to_numpy(baseline), dtype=np.float32)
        if values.shape != shape:
            raise ValueError(
                f"baseline has shape {values.shape}; expected one sample's shape {shape}."
            )
        return values

    def attribute(
        self,
        X: Any,
        target: Any = None,
        method: str = "integrated_gradients",
        n_steps: int = IG_STEPS,
        baseline: Any = "auto",
    ) -> np.ndarray:
        """How much each input value raised the score of a class, per sample.

        Args:
            X: samples shaped like the training data ``(n, ...)``.
            target: the class each sample's attributions explain: ``None`` (the predicted
                class), one label of ``classes_`` for every sample, or ``(n,)`` labels
                (e.g. the true ones).
            method: ``"integrated_gradients"`` (signed, from ``baseline``) or ``"saliency"``
                (absolute gradient); see :mod:`paradigms.report.attributions`.
            n_steps: integration steps of integrated gradients.
            baseline: where integrated gradients start (:meth:`attribution_baseline`).

        Returns:
            Float array shaped like ``X``: positive values pushed the target class's logit up.

        Raises:
            ValueError: unfitted estimator, unknown method, a target that is not a class, or
                ``X`` not shaped like the training data.
        """
        check_is_fitted(self)
        check_method(method)
        shape = np.shape(to_numpy(X))
        inputs = self._validate_inputs(X, reset=False)  # type: ignore[attr-defined]
        network = self._attribution_network()
        codes = self._target_codes(target, inputs, network)
        start = self.attribution_baseline(baseline).reshape(inputs.shape[1:])
        device = resolve_device(self.device)
        was_training = network.training
        network.eval()
        try:
            values = attribute(
                network,
                torch.from_numpy(inputs).to(device),
                torch.from_numpy(codes).to(device),
                method=method,
                n_steps=n_steps,
                baseline=torch.from_numpy(start),
            )
        finally:
            network.train(was_training)
        return values.numpy().reshape(shape)

    def _target_codes(self, target: Any, inputs: np.ndarray, network: nn.Module) -> np.ndarray:
        """Class indices ``(n,)`` for ``target`` (see :meth:`attribute`)."""
        if target is None:
            logits = self._forward_batched(network, inputs)  # type: ignore[attr-defined]
            return logits.argmax(dim=1).numpy().astype(np.int64)
        lookup = {_plain(c): i for i, c in enumerate(self.classes_)}
        labels = to_numpy(target)
        many = np.ndim(labels) > 0
        values = list(np.asarray(labels, dtype=object).ravel()) if many else [labels]
        if many and len(values) != len(inputs):
            raise ValueError(
                f"target has {len(values)} labels for {len(inputs)} samples; pass one label "
                "per sample, a single label for all, or None for the predicted classes."
            )
        unknown = [v for v in values if _plain(v) not in lookup]
        if unknown:
            raise ValueError(
                f"target {unknown[0]!r} is not a class of this {type(self).__name__}; "
                f"expected one of classes_ {list(self.classes_)[:20]}."
            )
        codes = np.array([lookup[_plain(v)] for v in values], dtype=np.int64)
        return codes if many else np.full(len(inputs), codes[0], dtype=np.int64)


def _plain(value: Any) -> Any:
    """NumPy scalars as Python values, so ``np.int64(3)`` and ``3`` name one class."""
    return value.item() if isinstance(value, np.generic) else value
