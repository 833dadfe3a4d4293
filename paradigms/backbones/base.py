"""The ``Backbone`` contract: the network every paradigm trains and every paradigm reuses."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

import torch
from torch import nn

from paradigms.backbones.normalization import Standardize

FORMAT_VERSION = 1


@dataclass(frozen=True)
class BackboneConfig:
    """Everything needed to rebuild a backbone: registry name, kwargs and input shape.

    Attributes:
        name: the registered name (``"mlp"``, ``"cnn"``, ``"timm:resnet10t"``...), never ``"auto"``.
        in_shape: per-sample input shape, ``(d,)`` or ``(C, H, W)``.
        kwargs: JSON-serialisable keyword arguments passed to the factory.
        version: checkpoint format version.
    """

    name: str
    in_shape: tuple[int, ...]
    kwargs: dict[str, Any] = field(default_factory=dict)
    version: int = FORMAT_VERSION

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        out = asdict(self)
        out["in_shape"] = list(self.in_shape)
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> BackboneConfig:
        """Inverse of :meth:`to_dict`."""
        return cls(
            name=str(data["name"]),
            in_shape=tuple(int(s) for s in data["in_shape"]),
            kwargs=dict(data.get("kwargs", {})),
            version=int(data.get("version", FORMAT_VERSION)),
        )


class Backbone(nn.Module):
    """A feature extractor ``(B, *in_shape) -> (B, out_features)`` with its own input scaling.

    Subclasses implement :meth:`forward_features`; :meth:`forward` checks the input shape,
    applies the ``normalizer`` (a :class:`Standardize` layer saved with the weights) and calls
    it. Build backbones with :func:`paradigms.backbones.create_backbone` so that ``config``
    is filled in and the backbone can be saved and loaded.

    Args:
        in_shape: per-sample input shape, ``(d,)`` for vectors or ``(C, H, W)`` for images.
        out_features: width of the feature vector the backbone returns.
    """

    def __init__(self, in_shape: tuple[int, ...], out_features: int) -> None:
        super().__init__()
        self.in_shape: tuple[int, ...] = tuple(int(s) for s in in_shape)
        self.out_features: int = int(out_features)
        self.normalizer = Standardize(self.in_shape)
        self.config: BackboneConfig | None = None
        #: the learning rate relative to a new head's that whoever trained this backbone
        #: advises for fine-tuning it (saved with it; ``None``: no advice, the same rate)
        self.fine_tune_lr_scale: float | None = None

    def forward_features(self, x: torch.Tensor) -> torch.Tensor:
        """``(B, *in_shape)`` normalised input ``-> (B, out_features)``."""
        raise NotImplementedError

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """``(B, *in_shape) -> (B, out_features)``.

        Raises:
            ValueError: if ``x`` does not have shape ``(B, *in_shape)``.
        """
        if tuple(x.shape[1:]) != self.in_shape:
            raise ValueError(
                f"{type(self).__name__} expects inputs of shape (batch, *{self.in_shape}) "
                f"but received {tuple(x.shape)}. Reshape the input, or create a backbone with "
                f"in_shape={tuple(x.shape[1:])}."
            )
        return self.forward_features(self.normalizer(x))

    def extra_repr(self) -> str:
        return f"in_shape={self.in_shape}, out_features={self.out_features}"
