"""Parameters of a supervised run (kept free of heavy imports so the CLI starts fast)."""

from __future__ import annotations

from dataclasses import dataclass

from paradigms._common.run_options import option


@dataclass
class SupervisedRunConfig:
    """Parameters of one supervised run (all recorded in ``config.json``); each field is an
    option of ``paradigms supervised``, with its help in the field (``option``) or, for the
    options every paradigm shares, in ``paradigms._common.run_options.SHARED_HELP``."""

    dataset: str = "digits"
    target: str = ""
    image_size: int = 0
    backbone: str = "auto"
    max_epochs: int | str = "auto"
    batch_size: int = 64
    lr: float = 3e-3
    seed: int = 0
    test_size: float = 0.25
    validation_fraction: float = 0.1
    device: str = "auto"
    labels_per_class: int = option(
        0,
        "keep K labels per class of the training split, the rest unlabelled "
        "(semi-supervised fit + label-efficiency curve); 0: every label",
    )
    curve_draws: int = option(3, "label draws per budget of the label-efficiency curve")
    semi_supervised_steps: int = option(1000, "optimizer steps of the semi-supervised fit")
