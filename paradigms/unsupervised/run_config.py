"""Parameters of an unsupervised run (free of heavy imports so the CLI starts fast)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class UnsupervisedRunConfig:
    """Parameters of one autoencoder run (all recorded in ``config.json``)."""

    dataset: str = "digits"
    target: str = ""  # the label column of a .csv dataset
    image_size: int = 0  # resize an image folder's images (0: keep their size)
    backbone: str = "auto"
    latent_dim: int = 8
    kind: str = "plain"
    max_epochs: int | str = "auto"  # AutoEncoder's budget for the kind
    batch_size: int | str = "auto"
    lr: float = 3e-3
    seed: int = 0
    test_size: float = 0.25
    validation_fraction: float = 0.1
    device: str = "auto"
