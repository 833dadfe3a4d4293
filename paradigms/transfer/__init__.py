"""The transfer paradigm: fine-tune pretrained timm models or shared Backbones, offline-first."""

from __future__ import annotations

from typing import TYPE_CHECKING

from paradigms._lazy import lazy_attributes

if TYPE_CHECKING:
    from paradigms.transfer.finetuner import FineTuner
    from paradigms.transfer.pretrained import load_pretrained, pretrained_backbone
    from paradigms.transfer.saved_weights import export_saved_weights, read_weights_notes

__all__ = [
    "FineTuner",
    "export_saved_weights",
    "load_pretrained",
    "pretrained_backbone",
    "read_weights_notes",
]


__getattr__ = lazy_attributes(
    "paradigms.transfer",
    {
        "FineTuner": "paradigms.transfer.finetuner",
        "export_saved_weights": "paradigms.transfer.saved_weights",
        "read_weights_notes": "paradigms.transfer.saved_weights",
        "load_pretrained": "paradigms.transfer.pretrained",
        "pretrained_backbone": "paradigms.transfer.pretrained",
    },
)
