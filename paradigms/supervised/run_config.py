"""Parameters of a supervised run (kept free of heavy imports so the CLI starts fast)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class SupervisedRunConfig:
    """Parameters of one supervised run (all recorded in ``config.json``)."""

    dataset: str = "digits"
    target: str = ""  # the label column of a .csv dataset
    image_size: int = 0  # resize an image folder's images (0: keep their size)
    backbone: str = "auto"
    max_epochs: int | str = "auto"
    batch_size: int = 64
    lr: float = 3e-3
    seed: int = 0
    test_size: float = 0.25
    validation_fraction: float = 0.1
    device: str = "auto"
    labels_per_class: int = 0
    curve_draws: int = 3
    semi_supervised_steps: int = 1000
