"""The options of the paradigms' run configs: each field's help is written once, in the field.

A run config is a dataclass whose fields are the command's options (``paradigms supervised
--lr 1e-3``) and what ``config.json`` records. A field made with :func:`option` carries its
help text; a field shared by several paradigms (the dataset, the device...) takes its text from
:data:`SHARED_HELP`, written here once. :func:`option_help` is what the CLI shows.
"""

from __future__ import annotations

from dataclasses import field, fields
from typing import Any

#: help of the options several run configs share
SHARED_HELP = {
    "dataset": "digits | iris | wine | breast_cancer | diabetes | moons | blobs | shapes | "
    "PATH.npz (arrays X and optional y) | PATH.csv (a header row; numeric features; "
    "--target names the label column) | FOLDER of images (one sub-folder per class)",
    "target": "the label column of a .csv dataset (empty: every column is a feature)",
    "image_size": "resize an image folder's images to N x N (0: keep; needed when sizes differ)",
    "backbone": "auto | mlp | cnn | timm:<model> | PATH.safetensors",
    "max_epochs": "passes over the data, or auto (enough epochs for about 300 optimizer steps)",
    "batch_size": "samples per step",
    "lr": "peak one-cycle learning rate",
    "seed": "seeds split, init and shuffling",
    "test_size": "held-out test share",
    "validation_fraction": "share of the training data reported as val_* each epoch",
    "device": "auto | cpu | cuda | cuda:N",
    "labels_per_class": "labelled training examples per class (the rest is the test set)",
}


def option(default: Any, help: str | None = None) -> Any:
    """A run-config field with its ``default`` and its ``help`` (None: :data:`SHARED_HELP`'s)."""
    return field(default=default, metadata={"help": help} if help else {})


def option_help(config_class: type) -> dict[str, str]:
    """``{field name: help}`` of a run-config dataclass: each field's own help, else the
    shared one."""
    found = {}
    for item in fields(config_class):
        text = item.metadata.get("help") or SHARED_HELP.get(item.name, "")
        found[item.name] = text
    return found
