"""``"timm:<model>"``: any timm model with its classifier head removed and features pooled."""

from __future__ import annotations

import difflib
import functools
from typing import Any

import torch
from torch import nn

from paradigms.backbones.base import Backbone
from paradigms.backbones.registry import register_backbone


@functools.lru_cache(maxsize=1)
def _timm_model_names() -> tuple[str, ...]:
    import timm

    return tuple(timm.list_models())


def check_timm_name(model_name: str) -> None:
    """Raise ``ValueError`` with the closest timm names when ``model_name`` is unknown to timm."""
    import timm

    if timm.is_model(model_name):
        return
    close = difflib.get_close_matches(model_name, _timm_model_names(), n=5, cutoff=0.5)
    hint = f" Closest timm models: {', '.join(close)}." if close else ""
    raise ValueError(
        f"timm has no model named {model_name!r}.{hint} "
        "List them with timm.list_models('*pattern*')."
    )


class TimmBackbone(Backbone):
    """Wraps ``timm.create_model(name, num_classes=0, in_chans=C)``: pooled features out.

    Args:
        model_name: any name from ``timm.list_models()``.
        in_shape: ``(C, H, W)``.
        **timm_kwargs: passed to ``timm.create_model`` (e.g. ``drop_rate``, ``pretrained``,
            ``pretrained_cfg_overlay``).
    """

    def __init__(self, model_name: str, in_shape: tuple[int, ...], **timm_kwargs: Any) -> None:
        import timm

        if len(in_shape) != 3:
            raise ValueError(
                f"timm models take images (channels, height, width); got in_shape={in_shape}. "
                "Use the 'mlp' backbone for vector inputs."
            )
        check_timm_name(model_name)
        timm_kwargs.setdefault("pretrained", False)
        model: nn.Module = timm.create_model(
            model_name, num_classes=0, in_chans=in_shape[0], **timm_kwargs
        )
        super().__init__(in_shape, int(model.num_features))  # type: ignore[arg-type]
        self.model = model
        self.model_name = model_name
        self._check_runs(in_shape)

    @torch.no_grad()
    def _check_runs(self, in_shape: tuple[int, ...]) -> None:
        was_training = self.model.training
        self.model.eval()
        try:
            out = self.model(torch.zeros(1, *in_shape))
        except (RuntimeError, AssertionError, ValueError) as exc:
            raise ValueError(
                f"timm model {self.model_name!r} cannot take inputs of shape {in_shape}: {exc}. "
                "The images are probably too small for this model: resize them (e.g. to 32x32 "
                "or the model's default input size) or choose a smaller model."
            ) from exc
        finally:
            self.model.train(was_training)
        if out.ndim != 2 or out.shape[1] != self.out_features:
            raise ValueError(
                f"timm model {self.model_name!r} returned features of shape {tuple(out.shape)}, "
                f"expected (1, {self.out_features}); it cannot serve as a pooled backbone."
            )

    def forward_features(self, x: torch.Tensor) -> torch.Tensor:
        """``(B, C, H, W) -> (B, num_features)``."""
        return self.model(x)


@register_backbone("timm", prefix=True)
def timm_backbone(model_name: str, in_shape: tuple[int, ...], **timm_kwargs: Any) -> TimmBackbone:
    """Factory for :class:`TimmBackbone` (serves every ``"timm:<model>"`` name)."""
    return TimmBackbone(model_name, in_shape, **timm_kwargs)
