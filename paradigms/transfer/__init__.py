"""The transfer paradigm: fine-tune pretrained timm models or shared Backbones, offline-first."""

from __future__ import annotations

from typing import TYPE_CHECKING

from paradigms._lazy import lazy_attributes

if TYPE_CHECKING:
    from paradigms.transfer.finetuner import FineTuner

__all__ = ["FineTuner"]


__getattr__ = lazy_attributes("paradigms.transfer", {"FineTuner": "paradigms.transfer.finetuner"})
