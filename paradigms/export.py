"""``paradigms export RUN_DIR``: a run directory's model (or an agent's policy) as one ONNX file.

What the folder holds decides what is exported, each rebuilt from the files the run wrote
(nothing is refitted, nothing unpickled):

- ``agent/`` (``paradigms rl``): the deterministic policy, observation in, action out;
- ``model.safetensors`` + ``backbone.safetensors`` (``paradigms supervised``): the classifier's
  logits and probabilities, or the regressor's predictions;
- ``model.safetensors`` with FineTuner notes (``paradigms transfer``): the fine-tuned timm model
  with its input adaptation;
- ``encoder.safetensors`` (``paradigms unsupervised``): the encoder, input in, code out;
- a ``.safetensors`` file instead of a folder: a saved backbone, or a FineTuner's weights.
"""

from __future__ import annotations

import os
from pathlib import Path

from paradigms._common.onnx_export import OnnxExport
from paradigms._common.rundir import CONFIG_FILE

#: the file written inside the run directory when no ``--out`` is given
DEFAULT_NAME = "model.onnx"


def export_run(
    source: str | os.PathLike[str], out: str | os.PathLike[str] | None = None
) -> OnnxExport:
    """Export what ``source`` (a run directory or a ``.safetensors`` file) holds to ``out``
    (default: ``model.onnx`` inside the run directory, or beside the file).

    Raises:
        ValueError: ``source`` does not exist or holds nothing exportable (the message lists
            what a run directory must contain).
    """
    path = Path(source)
    if path.is_file():
        return _export_file(path, Path(out) if out else path.with_suffix(".onnx"))
    if not path.is_dir():
        raise ValueError(f"{path} does not exist; pass a run directory or a .safetensors file.")
    target = Path(out) if out else path / DEFAULT_NAME
    if (path / "agent" / "agent.json").is_file():
        from paradigms.reinforcement import Agent

        agent = Agent.load(path / "agent")
        try:
            return agent.export_onnx(target)
        finally:
            agent.close()
    if (path / "model.safetensors").is_file() and (path / "backbone.safetensors").is_file():
        from paradigms.supervised import export_saved_model

        return export_saved_model(path, target)
    if (path / "model.safetensors").is_file():
        return _export_file(path / "model.safetensors", target)
    if (path / "encoder.safetensors").is_file():
        return _export_file(path / "encoder.safetensors", target)
    runs = sorted(p.name for p in path.iterdir() if p.is_dir() and (p / CONFIG_FILE).is_file())
    hint = f" It holds the runs {', '.join(runs)}: export one of them." if runs else ""
    raise ValueError(
        f"{path} holds nothing to export: expected a run directory of paradigms supervised, "
        "unsupervised, transfer or rl (agent/, model.safetensors, encoder.safetensors)." + hint
    )


def _export_file(path: Path, target: Path) -> OnnxExport:
    """A saved backbone, or a FineTuner's timm weights file."""
    if path.suffix.lower() != ".safetensors":
        raise ValueError(f"{path} is not a .safetensors file; pass a run directory or one.")
    from paradigms.transfer import export_saved_weights, read_weights_notes

    if read_weights_notes(path) is not None:
        return export_saved_weights(path, target)
    from paradigms.backbones import export_onnx, load_backbone

    return export_onnx(load_backbone(path), target)
