"""Parameters of a transfer run (free of heavy imports so the CLI starts fast)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class TransferRunConfig:
    """Parameters of one fine-tuning run (all recorded in ``config.json``)."""

    dataset: str = "digits"
    target: str = ""  # the label column of a .csv dataset
    image_size: int = 0  # resize an image folder's images (0: keep their size)
    classes: str = ""
    model: str = "resnet10t"
    weights: str = "hub"
    strategy: str = "auto"
    labels_per_class: int = 5
    max_epochs: int | str = "auto"
    seed: int = 0
    device: str = "auto"
