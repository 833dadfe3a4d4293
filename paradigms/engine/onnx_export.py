"""``export_onnx`` for the scikit-learn-style estimators: the fitted network as one ONNX file.

The graph reads samples shaped as ``fit`` read them (``(batch, H, W)`` images stay so: the
channel axis is added inside) and returns what ``predict`` computes from: a classifier's
``logits`` and ``probabilities`` (its ``classes_`` in the file's metadata), a regressor's
``prediction`` on the targets' scale, an autoencoder's ``code`` or ``reconstruction``.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch
from sklearn.utils.validation import check_is_fitted
from torch import nn

from paradigms._common.onnx_export import OnnxExport, export_module
from paradigms.backbones import Backbone
from paradigms.backbones.onnx import EXAMPLE_ROWS, example_inputs


@dataclass
class OnnxGraph:
    """What an estimator exports: ``module`` maps validated samples ``(B, *sample_shape)``
    (the network's layout) to its outputs.

    Attributes:
        module: the network, wrapped to return ``output_names`` in order.
        output_names: the graph's outputs.
        input_name: the graph's input.
        backbone: the backbone whose input scale the random example batch follows, or
            ``None`` when ``example`` is given.
        example: a batch in the network's layout to trace on, instead of random inputs.
        pixel_scale: without ``backbone`` or ``example``: random images with pixels in
            ``[0, pixel_scale)`` are the example.
        metadata: notes for the file (``classes``, the estimator's name...).
    """

    module: nn.Module
    output_names: Sequence[str]
    input_name: str = "input"
    backbone: Backbone | None = None
    example: torch.Tensor | None = None
    pixel_scale: float = 1.0
    metadata: dict[str, str] = field(default_factory=dict)


class WithProbabilities(nn.Module):
    """``x -> (logits, softmax(logits))`` of a classification network."""

    def __init__(self, network: nn.Module) -> None:
        super().__init__()
        self.network = network

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        logits = self.network(x)
        return logits, torch.softmax(logits, dim=1)


class Reshaped(nn.Module):
    """``x -> module(x)`` reshaped to ``(B, *shape)`` (e.g. decoded images as fit read them)."""

    def __init__(self, module: nn.Module, shape: tuple[int, ...]) -> None:
        super().__init__()
        self.module = module
        self.shape = tuple(shape)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.module(x).reshape(-1, *self.shape)


class SampleLayout(nn.Module):
    """Samples as the user passes them ``(B, *input_shape)`` -> the network's layout."""

    def __init__(self, module: nn.Module, network_shape: tuple[int, ...]) -> None:
        super().__init__()
        self.module = module
        self.network_shape = network_shape

    def forward(self, x: torch.Tensor) -> Any:
        return self.module(x.reshape(-1, *self.network_shape))


def network_sample_shape(input_shape: tuple[int, ...]) -> tuple[int, ...]:
    """One sample's shape as the network reads it: ``(H, W)`` images gain a channel axis."""
    return (1, *input_shape) if len(input_shape) == 2 else tuple(input_shape)


def random_pixels(sample_shape: tuple[int, ...], pixel_scale: float, seed: int = 0) -> torch.Tensor:
    """:data:`~paradigms.backbones.onnx.EXAMPLE_ROWS` random images ``(rows, *sample_shape)``
    with pixels uniform in ``[0, pixel_scale)``."""
    generator = torch.Generator().manual_seed(seed)
    return torch.rand((EXAMPLE_ROWS, *sample_shape), generator=generator) * float(pixel_scale)


def classes_note(classes: np.ndarray) -> str:
    """``classes_`` as a JSON list for the file's metadata (numbers stay numbers)."""
    return json.dumps([c.item() if hasattr(c, "item") else c for c in classes], default=str)


class OnnxExportMixin:
    """``export_onnx(path, part=None, X=None)`` for a
    :class:`~paradigms.engine.estimator.NeuralEstimator`, which provides
    ``_onnx_graph(part)`` and ``_onnx_parts`` (the names ``part`` accepts, the default first)."""

    input_shape_: tuple[int, ...]
    _onnx_parts: tuple[str, ...] = ("model",)

    def _onnx_graph(self, part: str) -> OnnxGraph:
        raise NotImplementedError

    def export_onnx(
        self, path: str | os.PathLike[str], part: str | None = None, X: Any = None
    ) -> OnnxExport:
        """Write the fitted network as ONNX with a dynamic batch size, and check the file
        against torch with onnxruntime (when installed).

        Args:
            path: the ``.onnx`` file to write (atomically).
            part: what to export, for estimators with several networks (``AutoEncoder``:
                ``"encoder"``, ``"decoder"`` or ``"autoencoder"``); ``None`` is the default part.
            X: samples ``(n, ...)`` shaped as in ``fit`` to trace and check on (default:
                random inputs on the training data's scale); parts that read codes (the
                decoder) trace on codes of random inputs.

        Returns:
            :class:`~paradigms._common.onnx_export.OnnxExport`: the path, input and output
            names, and the largest difference between onnxruntime's and torch's outputs.

        Raises:
            sklearn.exceptions.NotFittedError: (a ``ValueError``) before ``fit``.
            ValueError: an unknown ``part``, or ``X`` shaped unlike the training samples.
            ImportError: onnx or onnxscript is not installed (the message says what to
                install).
        """
        check_is_fitted(self)
        chosen = self._onnx_parts[0] if part is None else part
        if chosen not in self._onnx_parts:
            raise ValueError(
                f"{type(self).__name__} exports part={'|'.join(map(repr, self._onnx_parts))}; "
                f"got part={part!r}."
            )
        graph = self._onnx_graph(chosen)
        if X is not None and graph.example is None:
            validated = self._validate_inputs(X, reset=False)  # type: ignore[attr-defined]
            graph.example = torch.from_numpy(validated)
        example = graph.example
        if example is None and graph.backbone is not None:
            example = example_inputs(graph.backbone.normalizer, graph.backbone.in_shape)
        if example is None:
            example = random_pixels(network_sample_shape(self.input_shape_), graph.pixel_scale)
        module = graph.module
        if graph.input_name == "input":  # samples as fit read them, e.g. (n, 8, 8) images
            network_shape = tuple(int(s) for s in example.shape[1:])
            module = SampleLayout(module, network_shape)
            example = example.reshape(len(example), *self.input_shape_)
        notes = {"paradigms_model": type(self).__name__, "part": chosen, **graph.metadata}
        network = graph.module
        was_training = network.training
        device = next(iter(network.parameters()), torch.zeros(())).device
        try:
            return export_module(
                module,
                example,
                path,
                input_name=graph.input_name,
                output_names=graph.output_names,
                metadata=notes,
            )
        finally:
            network.to(device).train(was_training)
