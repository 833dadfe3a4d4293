"""The transfer paradigm: fine-tune pretrained timm models or shared Backbones, offline-first."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from paradigms.transfer.finetuner import FineTuner

__all__ = ["FineTuner"]


def __getattr__(name: str) -> Any:
    if name == "FineTuner":
        return importlib.import_module("paradigms.transfer.finetuner").FineTuner
    raise AttributeError(f"module 'paradigms.transfer' has no attribute {name!r}")
