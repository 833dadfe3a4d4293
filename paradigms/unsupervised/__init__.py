"""The unsupervised paradigm: autoencoders whose encoder is a shared Backbone."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from paradigms.unsupervised.autoencoder import AutoEncoder

__all__ = ["AutoEncoder"]


def __getattr__(name: str) -> Any:
    if name == "AutoEncoder":
        return importlib.import_module("paradigms.unsupervised.autoencoder").AutoEncoder
    raise AttributeError(f"module 'paradigms.unsupervised' has no attribute {name!r}")
