"""Backbone files: safetensors weights with the JSON config in the file's metadata.

Nothing is pickled, so loading a backbone file from a stranger cannot run code.
"""

from __future__ import annotations

import copy
import json
import os
from pathlib import Path
from typing import Any

import torch
from safetensors import safe_open
from safetensors.torch import save

from paradigms._common.errors import MissingFileError
from paradigms._common.files import atomic_write_bytes
from paradigms.backbones.base import FORMAT_VERSION, Backbone, BackboneConfig
from paradigms.backbones.registry import create_backbone

METADATA_KEY = "paradigms.backbone"
#: kwargs that only matter when a backbone is first built (weights come from the file on load)
_BUILD_ONLY_KWARGS = ("pretrained", "pretrained_cfg_overlay", "checkpoint_path")
#: the note under which a backbone's ``fine_tune_lr_scale`` is saved
FINE_TUNE_NOTE = "fine_tune_lr_scale"


def save_backbone(
    backbone: Backbone, path: str | os.PathLike[str], extra: dict[str, Any] | None = None
) -> Path:
    """Write ``backbone`` to ``path`` (safetensors; config as JSON metadata), atomically.

    Args:
        backbone: a backbone built by :func:`create_backbone` (so it has a ``config``).
        path: destination file, conventionally ``*.safetensors``.
        extra: optional JSON-serialisable notes stored beside the config (e.g. who trained it);
            the backbone's ``fine_tune_lr_scale``, when set, is stored there too.

    Returns:
        The path written.

    Raises:
        TypeError: if ``backbone`` is not a :class:`Backbone`.
        ValueError: if it has no config (it was not built through the registry).
        RunWriteError: the file could not be written (e.g. the disk is full).
    """
    if not isinstance(backbone, Backbone):
        raise TypeError(f"save_backbone expects a Backbone; got {type(backbone).__name__}.")
    if backbone.config is None:
        raise ValueError(
            f"{type(backbone).__name__} has no config, so it could not be rebuilt on load. "
            "Build backbones with create_backbone(...) (register custom ones with "
            "@register_backbone) before saving them."
        )
    tensors = {
        name: tensor.detach().to("cpu").contiguous()
        for name, tensor in backbone.state_dict().items()
    }
    notes = dict(extra or {})
    if backbone.fine_tune_lr_scale is not None:
        notes[FINE_TUNE_NOTE] = float(backbone.fine_tune_lr_scale)
    meta = {METADATA_KEY: json.dumps({"config": backbone.config.to_dict(), "extra": notes})}
    return atomic_write_bytes(path, save(tensors, metadata=meta))


def read_backbone_config(path: str | os.PathLike[str]) -> BackboneConfig:
    """Read the config stored in a backbone file without building the network."""
    return BackboneConfig.from_dict(_read_metadata(path)["config"])


def _read_metadata(path: str | os.PathLike[str]) -> dict[str, Any]:
    file = Path(path)
    if not file.is_file():
        raise MissingFileError(
            f"no backbone file at {str(file)!r}. Save one with save_backbone(backbone, path), "
            "or check the path."
        )
    try:
        with safe_open(str(file), framework="pt") as handle:
            metadata = handle.metadata() or {}
    except Exception as exc:  # safetensors raises its own error types for foreign files
        raise ValueError(
            f"{str(file)!r} is not a safetensors file ({exc}). Backbone files are written by "
            "save_backbone(); pickled .pt/.pth files are not loaded here for safety."
        ) from exc
    if METADATA_KEY not in metadata:
        raise ValueError(
            f"{str(file)!r} is a safetensors file but has no paradigms backbone config (metadata "
            f"keys: {sorted(metadata)}). Plain timm/torch weights are loaded by "
            "paradigms.transfer.FineTuner(weights=path) instead."
        )
    data: dict[str, Any] = json.loads(metadata[METADATA_KEY])
    version = int(data["config"].get("version", 0))
    if version > FORMAT_VERSION:
        raise ValueError(
            f"{str(file)!r} was written by a newer paradigms (format {version} > "
            f"{FORMAT_VERSION}); upgrade paradigms to load it."
        )
    return data


def load_backbone(path: str | os.PathLike[str], device: str | torch.device = "cpu") -> Backbone:
    """Rebuild a backbone saved by :func:`save_backbone`.

    Args:
        path: a file written by :func:`save_backbone`.
        device: where to put the weights.

    Returns:
        The backbone, in eval mode, with its input normalisation restored.

    Raises:
        ValueError: missing file (also a ``FileNotFoundError``), a file that is not a backbone
            file, or weights that do not match the config (the message names the keys).
    """
    metadata = _read_metadata(path)
    config = BackboneConfig.from_dict(metadata["config"])
    kwargs = {k: v for k, v in config.kwargs.items() if k not in _BUILD_ONLY_KWARGS}
    backbone = create_backbone(config.name, config.in_shape, **kwargs)
    backbone.config = config
    tensors: dict[str, torch.Tensor] = {}
    with safe_open(str(path), framework="pt", device="cpu") as handle:
        for key in handle.keys():  # noqa: SIM118 - safe_open is not a mapping
            tensors[key] = handle.get_tensor(key)
    try:
        result = backbone.load_state_dict(tensors, strict=False)
    except RuntimeError as exc:  # a tensor of the wrong shape (the message names the keys)
        raise ValueError(
            f"weights in {str(path)!r} do not match a {config.name!r} backbone with in_shape "
            f"{config.in_shape}: {exc}. The file was probably edited or written by an "
            "incompatible version."
        ) from exc
    if result.missing_keys or result.unexpected_keys:
        raise ValueError(
            f"weights in {str(path)!r} do not match a {config.name!r} backbone with in_shape "
            f"{config.in_shape}: missing keys {result.missing_keys[:10]}, unexpected keys "
            f"{result.unexpected_keys[:10]}. The file was probably edited or written by an "
            "incompatible version."
        )
    advice = (metadata.get("extra") or {}).get(FINE_TUNE_NOTE)
    if isinstance(advice, (int, float)) and not isinstance(advice, bool):
        backbone.fine_tune_lr_scale = float(advice)
    return backbone.to(device).eval()


def is_backbone_path(spec: str | os.PathLike[str]) -> bool:
    """Whether ``backbone=spec`` names a saved file rather than a registered backbone name."""
    text = os.fspath(spec)
    return text.endswith(".safetensors") or os.sep in text or Path(text).is_file()


def resolve_backbone(
    spec: str | os.PathLike[str] | Backbone, in_shape: tuple[int, ...], **kwargs: Any
) -> Backbone:
    """Turn what users pass as ``backbone=`` into a fresh :class:`Backbone` for ``in_shape``.

    Args:
        spec: a registered name (or ``"auto"``), a path to a saved backbone file, or a
            ``Backbone`` instance (deep-copied, so the caller's object is never trained in place).
        in_shape: the per-sample shape of the data the backbone will see.
        **kwargs: factory kwargs, used only when ``spec`` is a name.

    Raises:
        ValueError: unknown name, missing file, or a backbone whose ``in_shape`` differs from
            the data's.
    """
    if isinstance(spec, Backbone):
        backbone = copy.deepcopy(spec)
        source = f"the given {type(spec).__name__}"
    elif isinstance(spec, (str, os.PathLike)):
        text = os.fspath(spec)
        if is_backbone_path(text):
            backbone, source = load_backbone(text), f"the backbone file {text!r}"
        else:
            return create_backbone(text, in_shape, **kwargs)
    else:
        raise TypeError(
            "backbone must be a registered name (e.g. 'auto', 'mlp', 'cnn', 'timm:resnet10t'), "
            f"a saved backbone path or a Backbone instance; got {type(spec).__name__}."
        )
    if tuple(backbone.in_shape) != tuple(in_shape):
        raise ValueError(
            f"{source} expects inputs of shape {backbone.in_shape} but the data has samples of "
            f"shape {tuple(in_shape)}. Reshape/resize the data to {backbone.in_shape}, or use a "
            "backbone trained on data like yours."
        )
    return backbone
