"""The unsupervised paradigm: autoencoders whose encoder is a shared Backbone."""

from __future__ import annotations

from typing import TYPE_CHECKING

from paradigms._lazy import lazy_attributes

if TYPE_CHECKING:
    from paradigms.unsupervised.autoencoder import AutoEncoder
    from paradigms.unsupervised.traversal import LatentTraversal

__all__ = ["AutoEncoder", "LatentTraversal"]


__getattr__ = lazy_attributes(
    "paradigms.unsupervised",
    {
        "AutoEncoder": "paradigms.unsupervised.autoencoder",
        "LatentTraversal": "paradigms.unsupervised.traversal",
    },
)
