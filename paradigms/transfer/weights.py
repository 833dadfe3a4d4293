"""Where a FineTuner's starting weights come from: the hub, a local file, or nowhere.

Every source goes through timm's own pretrained machinery, so timm's classifier replacement
(for a different ``num_classes``) and first-conv adaptation (for other channel counts) apply.
"""

from __future__ import annotations

import os
import socket
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from torch import nn

from paradigms._common.errors import MissingFileError
from paradigms.backbones.timm_backbone import check_timm_name

WEIGHT_SUFFIXES = (".safetensors", ".pth", ".pt", ".bin")
_HUB_FILES = ("model.safetensors", "pytorch_model.bin")
_OFFLINE_VALUES = ("1", "true", "yes", "on")


def _hub_endpoint() -> tuple[str, int]:
    url = urlparse(os.environ.get("HF_ENDPOINT", "https://huggingface.co"))
    return url.hostname or "huggingface.co", url.port or (443 if url.scheme == "https" else 80)


def _reachable(host: str, port: int, timeout: float) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def ensure_hub_weights_available(model_name: str, timeout: float = 2.0) -> None:
    """Fail fast (within ``timeout`` seconds) when timm cannot get ``model_name``'s weights.

    Passes when the weights are in the local Hugging Face cache, or when the hub answers a TCP
    connection. Otherwise (``HF_HUB_OFFLINE=1`` with nothing cached, or no network) raises
    instead of waiting for timm's download retries.

    Raises:
        ValueError: naming the model and the local-file alternative.
    """
    import timm.models
    from huggingface_hub import try_to_load_from_cache

    cfg = timm.models.get_pretrained_cfg(model_name)
    hub_id = getattr(cfg, "hf_hub_id", None) if cfg is not None else None
    if cfg is None or not (hub_id or getattr(cfg, "url", None)):
        raise ValueError(
            f"timm has no pretrained weights for {model_name!r}. Use weights=None (random "
            "init), a local weights file, or a model with pretrained weights."
        )
    if hub_id and any(isinstance(try_to_load_from_cache(hub_id, f), str) for f in _HUB_FILES):
        return
    offline = os.environ.get("HF_HUB_OFFLINE", "").lower() in _OFFLINE_VALUES
    if offline or not _reachable(*_hub_endpoint(), timeout=timeout):
        reason = "HF_HUB_OFFLINE is set" if offline else "the Hugging Face hub cannot be reached"
        raise ValueError(
            f"cannot download pretrained weights for {model_name!r}: {reason} and they are not "
            "in the local cache. Pass a local file instead: FineTuner(weights='path/to/"
            f"{model_name}.safetensors') (.safetensors, .pth or .bin; on a machine with network: "
            f"timm.create_model('{model_name}', pretrained=True), then save its state_dict "
            "with safetensors.torch.save_file)."
        )


def check_weights_file(path: str | os.PathLike[str]) -> Path:
    """Return ``path`` as a Path if it is an existing weights file with a known suffix."""
    file = Path(path)
    if not file.is_file():
        raise MissingFileError(
            f"no weights file at {str(file)!r}. Pass an existing .safetensors/.pth/.bin file, "
            "weights='hub' to download, or weights=None for random init."
        )
    if file.suffix.lower() not in WEIGHT_SUFFIXES:
        raise ValueError(
            f"{str(file)!r} does not look like a weights file (suffix {file.suffix!r}); expected "
            f"one of {WEIGHT_SUFFIXES}."
        )
    return file


def create_timm_model(
    model_name: str,
    weights: str | os.PathLike[str] | None,
    num_classes: int,
    in_chans: int,
    **timm_kwargs: Any,
) -> nn.Module:
    """``timm.create_model`` with weights from ``"hub"``, a local file, or ``None`` (random).

    Raises:
        ValueError: unknown model (close names suggested), hub unavailable, missing file, or a
            file whose tensors do not fit the architecture (mismatched keys named).
    """
    import timm

    check_timm_name(model_name)
    kwargs: dict[str, Any] = {"num_classes": num_classes, "in_chans": in_chans, **timm_kwargs}
    source = "random init"
    file_shapes: dict[str, tuple[int, ...]] | None = None
    if weights is None:
        kwargs["pretrained"] = False
    elif isinstance(weights, str) and weights == "hub":
        ensure_hub_weights_available(model_name)
        kwargs["pretrained"] = True
        source = "the hub"
    elif isinstance(weights, (str, os.PathLike)):
        file = check_weights_file(weights)
        file_shapes = _file_shapes(file)
        kwargs["pretrained"] = True
        kwargs["pretrained_cfg_overlay"] = {
            "file": str(file),
            **_input_size_overlay(model_name, file_shapes),
        }
        source = repr(str(file))
    else:
        raise TypeError(
            f"weights must be 'hub', a file path, a Backbone or None; got {type(weights).__name__}."
        )
    try:
        model: nn.Module = timm.create_model(model_name, **kwargs)
    except RuntimeError as exc:
        if "weights_only" in str(exc):  # timm re-raises a blocked unsafe pickle as RuntimeError
            raise ValueError(
                f"refused to load {source}: {exc} Re-save it as a plain state_dict "
                "(torch.save(model.state_dict(), path)) or as safetensors."
            ) from exc
        raise ValueError(
            f"the weights from {source} do not fit timm model {model_name!r}: "
            f"{_summarise_load_error(str(exc))} Check that the file was saved from the same "
            "architecture (model=...)."
        ) from exc
    except Exception as exc:  # pickle errors for unsafe .pth files, corrupt files, ...
        if weights is None:
            raise
        raise ValueError(
            f"could not load weights from {source} for {model_name!r}: {exc}. Weights files are "
            "read with weights_only=True: re-save pickled checkpoints as a plain state_dict or "
            "as safetensors."
        ) from exc
    if file_shapes is not None:
        _check_keys_match(model, file_shapes, source, model_name)
    return model


def _file_shapes(file: Path) -> dict[str, tuple[int, ...]] | None:
    """Tensor shapes by name in a weights file (names cleaned as timm does), or ``None`` when
    the file cannot be read safely (timm's loader then reports why)."""
    import timm.models

    try:
        if file.suffix.lower() == ".safetensors":
            from safetensors import safe_open

            with safe_open(str(file), framework="pt") as handle:
                shapes = {k: tuple(handle.get_slice(k).get_shape()) for k in handle.keys()}  # noqa: SIM118
        else:  # timm's own reader: weights_only=True, nested "state_dict"/"model" keys
            state = timm.models.load_state_dict(str(file))
            shapes = {k: tuple(v.shape) for k, v in state.items() if hasattr(v, "shape")}
    except Exception:  # unsafe pickles, corrupt files: timm's loader raises, reported later
        return None
    return dict(timm.models.clean_state_dict(shapes))


def _check_keys_match(
    model: nn.Module, shapes: dict[str, tuple[int, ...]], source: str, model_name: str
) -> None:
    """Raise when the file lacks some of the model's tensors or holds tensors it does not have.

    timm loads with ``strict=False`` whenever it replaces the classifier (always, for a new
    ``num_classes``), so a file from another architecture, a partial file, or one with prefixed
    names (``model.conv1.weight``) would otherwise leave the model silently at random init.
    The classifier's tensors may be absent or different.
    """
    classifiers = dict(getattr(model, "pretrained_cfg", None) or {}).get("classifier") or ()
    if isinstance(classifiers, str):
        classifiers = (classifiers,)
    head = {f"{name}.{kind}" for name in classifiers for kind in ("weight", "bias")}
    model_keys = set(model.state_dict())
    missing = sorted(
        k for k in model_keys - set(shapes) - head if not k.endswith("num_batches_tracked")
    )
    unexpected = sorted(set(shapes) - model_keys - head)
    if missing or unexpected:
        raise ValueError(
            f"the weights from {source} do not fit timm model {model_name!r}: missing keys "
            f"({len(missing)}) {missing[:5]}, unexpected keys ({len(unexpected)}) "
            f"{unexpected[:5]}. Check that the file holds the state_dict of a timm "
            f"{model_name!r} (model=...), saved without a prefix such as 'model.'."
        )


def _input_size_overlay(
    model_name: str, shapes: dict[str, tuple[int, ...]] | None
) -> dict[str, Any]:
    """Tell timm how many input channels a weights file was trained with.

    timm adapts the first convolution when the source and target channel counts differ, but
    takes the source count from the model's default config (3). A file saved from a 1-channel
    model would then be misread, so the count is read from the file's first-conv weight
    (``shapes``: from :func:`_file_shapes`).
    """
    import timm.models

    cfg = timm.models.get_pretrained_cfg(model_name)
    first_conv = getattr(cfg, "first_conv", None) if cfg is not None else None
    shape = (shapes or {}).get(f"{first_conv}.weight") if first_conv else None
    if shape is None or len(shape) != 4:
        return {}
    return {"input_size": (int(shape[1]), *tuple(cfg.input_size[1:]))}


def _summarise_load_error(message: str, limit: int = 600) -> str:
    """torch's missing/unexpected/size-mismatch report, trimmed to ``limit`` characters."""
    lines = [line.strip() for line in message.splitlines() if line.strip()]
    text = " ".join(lines)
    return text if len(text) <= limit else text[:limit] + " ..."
