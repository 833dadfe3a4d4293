"""``"projected"``: any backbone followed by a linear projection to a chosen width.

This is how a paradigm turns a backbone into, e.g., an autoencoder's encoder whose output is
the latent code, while keeping it a :class:`Backbone` that every other paradigm can reuse.
"""

from __future__ import annotations

from typing import Any

import torch
from torch import nn

from paradigms.backbones.base import Backbone, BackboneConfig
from paradigms.backbones.registry import create_backbone, register_backbone


class ProjectedBackbone(Backbone):
    """``(B, *in_shape) -> base features -> Linear -> (B, out_features)``.

    The wrapper owns the input normalisation: if ``base`` already has fitted statistics (a
    pretrained backbone), they are copied, so the base sees inputs exactly as it was trained.

    Args:
        base: the backbone to project.
        out_features: width of the projection.
    """

    def __init__(self, base: Backbone, out_features: int) -> None:
        if int(out_features) < 1:
            raise ValueError(f"out_features must be >= 1; got {out_features!r}.")
        super().__init__(base.in_shape, int(out_features))
        self.base = base
        self.proj = nn.Linear(base.out_features, int(out_features))
        if base.normalizer.fitted:
            self.normalizer.load_state_dict(base.normalizer.state_dict())

    def forward_features(self, x: torch.Tensor) -> torch.Tensor:
        """``(B, *in_shape)`` normalised input ``-> (B, out_features)``."""
        return self.proj(self.base.forward_features(x))


@register_backbone("projected")
def projected(
    in_shape: tuple[int, ...],
    base: str = "auto",
    base_kwargs: dict[str, Any] | None = None,
    out_features: int = 8,
) -> ProjectedBackbone:
    """Factory: a registered ``base`` backbone (built for ``in_shape``) plus a projection.

    ``base`` may itself be ``"projected"`` (with its own ``base_kwargs``): that is how a
    projection of a projected backbone (e.g. an autoencoder's encoder reused by another
    autoencoder) is rebuilt by :func:`load_backbone`.
    """
    return ProjectedBackbone(create_backbone(base, in_shape, **(base_kwargs or {})), out_features)


def project_backbone(base: Backbone, out_features: int) -> ProjectedBackbone:
    """Wrap a backbone instance (e.g. a pretrained one) in a projection, keeping it saveable.

    Raises:
        ValueError: if ``base`` was not built through the registry (it has no config).
    """
    if base.config is None:
        raise ValueError(
            f"{type(base).__name__} has no config; build it with create_backbone(...) so the "
            "projected backbone can be saved and rebuilt."
        )
    wrapped = ProjectedBackbone(base, out_features)
    wrapped.config = BackboneConfig(
        name="projected",
        in_shape=base.in_shape,
        kwargs={
            "base": base.config.name,
            "base_kwargs": dict(base.config.kwargs),
            "out_features": int(out_features),
        },
    )
    return wrapped
