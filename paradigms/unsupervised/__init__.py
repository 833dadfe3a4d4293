"""The unsupervised paradigm: autoencoders whose encoder is a shared Backbone."""

# ruff: noqa: F401 - the public names are these imports, read by lazy_exports
from __future__ import annotations

from typing import TYPE_CHECKING

from paradigms._lazy import lazy_exports

if TYPE_CHECKING:
    from paradigms.unsupervised.autoencoder import AutoEncoder
    from paradigms.unsupervised.traversal import LatentTraversal

__all__, __getattr__ = lazy_exports(__name__, __file__)
