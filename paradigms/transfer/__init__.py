"""The transfer paradigm: fine-tune pretrained timm models or shared Backbones, offline-first."""

from __future__ import annotations

from typing import TYPE_CHECKING

from paradigms._lazy import lazy_attributes

if TYPE_CHECKING:
    from paradigms.transfer.finetuner import FineTuner
    from paradigms.transfer.pretrained import load_pretrained, pretrained_backbone

__all__ = ["FineTuner", "load_pretrained", "pretrained_backbone"]


__getattr__ = lazy_attributes(
    "paradigms.transfer",
    {
        "FineTuner": "paradigms.transfer.finetuner",
        "load_pretrained": "paradigms.transfer.pretrained",
        "pretrained_backbone": "paradigms.transfer.pretrained",
    },
)
