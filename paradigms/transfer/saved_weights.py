"""Exporting a transfer run's saved weights to ONNX without refitting (``paradigms export``).

A :meth:`~paradigms.transfer.FineTuner.save_weights` file of a timm model holds its state dict
(the fine-tuned head included) and, as metadata, the model's name, the classes, the input
shape and the input adaptation; that is enough to rebuild the network that predicted.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from safetensors import safe_open

from paradigms._common.onnx_export import OnnxExport, export_module
from paradigms.engine.onnx_export import (
    SampleLayout,
    WithProbabilities,
    network_sample_shape,
    random_pixels,
)
from paradigms.transfer._network import TransferNet
from paradigms.transfer.adapter import InputAdapter
from paradigms.transfer.finetuner import WEIGHTS_METADATA_KEY
from paradigms.transfer.pretrained import load_pretrained


def read_weights_notes(path: str | os.PathLike[str]) -> dict | None:
    """The FineTuner notes of a ``save_weights`` file of a timm model (``None`` for other
    files, e.g. a backbone)."""
    with safe_open(str(path), "pt") as handle:
        raw = (handle.metadata() or {}).get(WEIGHTS_METADATA_KEY)
    return json.loads(raw) if raw else None


def export_saved_weights(path: str | os.PathLike[str], out: str | os.PathLike[str]) -> OnnxExport:
    """Rebuild the fine-tuned timm network from a ``save_weights`` file and export it as
    ``FineTuner.export_onnx`` does: ``input`` (images as fit read them) -> ``logits``,
    ``probabilities``.

    Raises:
        ValueError: the file is not a FineTuner's timm weights, or was saved before the input
            adaptation was noted in it.
    """
    source = Path(path)
    notes = read_weights_notes(source)
    if notes is None or not notes.get("model"):
        raise ValueError(
            f"{source} is not a FineTuner's timm weights file (a fine-tuned Backbone is saved "
            "without its task head); export from Python with FineTuner.export_onnx."
        )
    if "adapter" not in notes:
        raise ValueError(
            f"{source} was saved before its input adaptation was noted in it; rerun the run, "
            "or export from Python with FineTuner.export_onnx."
        )
    settings = notes["adapter"]
    model = load_pretrained(notes["model"], source, in_chans=int(settings["channels"]))
    network = TransferNet(model, InputAdapter(**settings)).eval()
    input_shape = tuple(int(s) for s in notes["input_shape"])
    shape = network_sample_shape(input_shape)
    example = random_pixels(shape, settings["pixel_scale"]).reshape(-1, *input_shape)
    meta = {
        "paradigms_model": "FineTuner",
        "model": str(notes["model"]),
        "classes": json.dumps(notes.get("classes", [])),
    }
    return export_module(
        WithProbabilities(SampleLayout(network, shape)),
        example,
        out,
        input_name="input",
        output_names=["logits", "probabilities"],
        metadata=meta,
    )
