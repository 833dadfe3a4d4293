"""The network file of a supervised run (``model.safetensors``): written at the end of a run,
read back to export the run's model to ONNX without refitting (``paradigms export RUN_DIR``).

The file holds the ``BackboneWithHead`` state (backbone and head tensors) and, as metadata, the
estimator's name, a classifier's classes and a regressor's target scaling; the backbone's
architecture comes from the run's ``backbone.safetensors`` beside it.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import torch
from safetensors import safe_open
from safetensors.numpy import save as save_safetensors

from paradigms._common.files import atomic_write_bytes
from paradigms._common.onnx_export import OnnxExport, export_module
from paradigms.backbones import BackboneWithHead, load_backbone
from paradigms.backbones.onnx import example_inputs
from paradigms.engine.onnx_export import WithProbabilities, classes_note
from paradigms.supervised.classifier import Classifier
from paradigms.supervised.regressor import Regressor, RescaledOutputs

MODEL_FILE = "model.safetensors"
BACKBONE_FILE = "backbone.safetensors"


def save_model(estimator: Classifier | Regressor, path: str | os.PathLike[str]) -> Path:
    """Write ``estimator.model_``'s tensors to ``path`` (atomically), with what predicting
    needs besides them as metadata: the classes, or the targets' mean and scale."""
    tensors = {k: v.detach().cpu().numpy() for k, v in estimator.model_.state_dict().items()}
    meta = {"estimator": type(estimator).__name__}
    if isinstance(estimator, Classifier):
        meta["classes"] = classes_note(estimator.classes_)
    else:
        meta["target_mean"] = json.dumps(np.asarray(estimator.target_mean_).tolist())
        meta["target_scale"] = json.dumps(np.asarray(estimator.target_scale_).tolist())
    return atomic_write_bytes(path, save_safetensors(tensors, metadata=meta))


def export_saved_model(run_dir: str | os.PathLike[str], out: str | os.PathLike[str]) -> OnnxExport:
    """Export the network a supervised run saved to ONNX, as ``Classifier.export_onnx`` /
    ``Regressor.export_onnx`` would have (``logits`` + ``probabilities``, or ``prediction``).

    Raises:
        ValueError: the run directory lacks its model or backbone file, or the model file was
            written before it held the target scaling (rerun the run).
    """
    folder = Path(run_dir)
    model_path, backbone_path = folder / MODEL_FILE, folder / BACKBONE_FILE
    for path in (model_path, backbone_path):
        if not path.is_file():
            raise ValueError(
                f"{folder} has no {path.name}: not a finished supervised run directory "
                "(a run writes it when training ends)."
            )
    with safe_open(str(model_path), "pt") as handle:
        meta = handle.metadata() or {}
        tensors = {key: handle.get_tensor(key) for key in handle.keys()}  # noqa: SIM118
    backbone = load_backbone(backbone_path)
    network = BackboneWithHead(backbone, int(tensors["head.weight"].shape[0]))
    network.load_state_dict(tensors)
    notes = {"paradigms_model": meta.get("estimator", "Classifier"), "run_dir": str(folder)}
    if meta.get("estimator") == "Regressor":
        if "target_mean" not in meta:
            raise ValueError(
                f"{model_path} predates the target scaling in its metadata; rerun the run, or "
                "export from Python with Regressor.export_onnx."
            )
        mean = np.asarray(json.loads(meta["target_mean"]))
        scale = np.asarray(json.loads(meta["target_scale"]))
        module: torch.nn.Module = RescaledOutputs(network, mean, scale)
        outputs = ["prediction"]
    else:
        module = WithProbabilities(network)
        outputs = ["logits", "probabilities"]
        notes["classes"] = meta.get("classes", "[]")
    example = example_inputs(backbone.normalizer, backbone.in_shape)
    return export_module(
        module, example, out, input_name="input", output_names=outputs, metadata=notes
    )
