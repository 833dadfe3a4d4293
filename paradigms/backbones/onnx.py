"""``export_onnx(backbone, path)``: any :class:`~paradigms.backbones.Backbone` as an ONNX graph
``input (batch, *in_shape) -> features (batch, out_features)``, its input scaling inside."""

from __future__ import annotations

import os
from typing import Any

import numpy as np
import torch

from paradigms._common.onnx_export import OnnxExport, export_module
from paradigms.backbones.base import Backbone
from paradigms.backbones.normalization import Standardize

#: rows in the batch that is traced and compared with onnxruntime when none is given
EXAMPLE_ROWS = 8


def example_inputs(normalizer: Standardize, in_shape: tuple[int, ...], seed: int = 0) -> Any:
    """:data:`EXAMPLE_ROWS` random float32 inputs ``(rows, *in_shape)`` on the scale
    ``normalizer`` expects: its mean plus its scale times standard normal noise (standard
    normal noise when it was never fitted)."""
    generator = torch.Generator().manual_seed(seed)
    noise = torch.randn((EXAMPLE_ROWS, *in_shape), generator=generator)
    return (noise * normalizer.scale.detach().cpu() + normalizer.mean.detach().cpu()).float()


def export_onnx(
    backbone: Backbone, path: str | os.PathLike[str], example: Any = None
) -> OnnxExport:
    """Write ``backbone`` as ONNX: ``input`` ``(batch, *in_shape)`` -> ``features``
    ``(batch, out_features)``, with its input standardisation inside the graph.

    Args:
        backbone: any Backbone (created, trained by a paradigm, or loaded from a file).
        path: the ``.onnx`` file to write.
        example: inputs ``(n, *in_shape)`` to trace and check on (default: random inputs on
            the scale the backbone was trained on).

    Returns:
        :class:`~paradigms._common.onnx_export.OnnxExport` (path, names, the measured
        difference to torch).

    Raises:
        TypeError: ``backbone`` is not a Backbone.
        ValueError: ``example`` is not shaped ``(n, *in_shape)``.
    """
    if not isinstance(backbone, Backbone):
        raise TypeError(
            f"export_onnx(backbone, path) exports a paradigms Backbone; got "
            f"{type(backbone).__name__}. Fitted estimators and agents have their own "
            "export_onnx(path) method."
        )
    inputs = _example(backbone, example)
    config = backbone.config
    notes = {"paradigms_model": "Backbone", "in_shape": str(list(backbone.in_shape))}
    if config is not None:
        notes["backbone"] = config.name
    was_training = backbone.training
    try:
        return export_module(
            backbone, inputs, path, input_name="input", output_names=["features"], metadata=notes
        )
    finally:
        backbone.train(was_training)


def _example(backbone: Backbone, example: Any) -> torch.Tensor:
    if example is None:
        return example_inputs(backbone.normalizer, backbone.in_shape)
    array = np.asarray(example.detach().cpu() if isinstance(example, torch.Tensor) else example)
    if array.ndim != len(backbone.in_shape) + 1 or tuple(array.shape[1:]) != backbone.in_shape:
        raise ValueError(
            f"example must be inputs of shape (n, {', '.join(map(str, backbone.in_shape))}); "
            f"got shape {array.shape}."
        )
    if array.dtype.kind not in "biuf" or not np.isfinite(array.astype(np.float64)).all():
        raise ValueError("example must hold finite numbers (no NaN or infinity).")
    return torch.from_numpy(np.ascontiguousarray(array, dtype=np.float32))
