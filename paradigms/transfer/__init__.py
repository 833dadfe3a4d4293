"""The transfer paradigm: fine-tune pretrained timm models or shared Backbones, offline-first."""

# ruff: noqa: F401 - the public names are these imports, read by lazy_exports
from __future__ import annotations

from typing import TYPE_CHECKING

from paradigms._lazy import lazy_exports

if TYPE_CHECKING:
    from paradigms.transfer.finetuner import FineTuner
    from paradigms.transfer.pretrained import load_pretrained, pretrained_backbone
    from paradigms.transfer.saved_weights import export_saved_weights, read_weights_notes

__all__, __getattr__ = lazy_exports(__name__, __file__)
