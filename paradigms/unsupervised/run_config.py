"""Parameters of an unsupervised run (free of heavy imports so the CLI starts fast)."""

from __future__ import annotations

from dataclasses import dataclass

from paradigms._common.run_options import option
from paradigms.unsupervised.budget import budget_help

_BUDGET_HELP = budget_help()


@dataclass
class UnsupervisedRunConfig:
    """Parameters of one autoencoder run (all recorded in ``config.json``); each field is an
    option of ``paradigms unsupervised`` (help: the field's, or the shared one)."""

    dataset: str = "digits"
    target: str = ""
    image_size: int = 0
    backbone: str = "auto"
    latent_dim: int = option(8, "size of the code")
    kind: str = option(
        "plain",
        "plain | contrastive (AutoEncoder's default: codes a classifier can reuse) | "
        "denoising | masked | variational",
    )
    max_epochs: int | str = option("auto", _BUDGET_HELP["max_epochs"])
    batch_size: int | str = option("auto", _BUDGET_HELP["batch_size"])
    lr: float = 3e-3
    seed: int = 0
    test_size: float = 0.25
    validation_fraction: float = 0.1
    device: str = "auto"
