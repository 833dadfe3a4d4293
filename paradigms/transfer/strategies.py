"""Fine-tuning strategies: which layers train, at which learning rate, and when.

Layers are grouped from input to output (timm's own ``group_matcher`` for timm models: stem,
stages..., head); the last group is the classifier head.

- ``linear_probe``: only the head trains; every other parameter is frozen and its BatchNorm
  layers stay in eval mode, so the backbone comes out bit-identical.
- ``fine_tune``: everything trains; the backbone at ``lr * backbone_lr_scale``, optionally
  with layer-wise decay (each group closer to the input gets ``layer_decay`` times less).
- ``gradual_unfreeze``: like ``fine_tune``, but starting with the head alone and unfreezing
  one more group, from the top, every ``unfreeze_every`` epochs (Howard & Ruder, 2018).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from torch import nn

from paradigms.backbones import BackboneWithHead, TimmBackbone
from paradigms.engine import Callback

if TYPE_CHECKING:
    from paradigms.engine import TrainState

STRATEGIES = ("fine_tune", "linear_probe", "gradual_unfreeze")


def _module_groups(module: nn.Module) -> list[list[nn.Parameter]]:
    """Input-to-output parameter groups of a module: timm's grouping, else its layers."""
    if isinstance(module, TimmBackbone):
        return _module_groups(module.model)
    if hasattr(module, "group_matcher"):
        from timm.models import group_parameters

        named = dict(module.named_parameters())
        grouped = group_parameters(module, module.group_matcher(coarse=True))
        return [[named[n] for n in names] for _, names in sorted(grouped.items())]
    groups: list[list[nn.Parameter]] = []
    for child in module.children():
        if isinstance(child, nn.Sequential):
            groups += _module_groups(child)
        else:
            params = list(child.parameters())
            if params:
                groups.append(params)
    return groups


def layer_groups(model: nn.Module) -> list[list[nn.Parameter]]:
    """Non-empty parameter groups from input to output; the last is the head.

    ``model`` is a timm classifier or a :class:`BackboneWithHead`.
    """
    if isinstance(model, BackboneWithHead):
        groups = [*_module_groups(model.backbone), list(model.head.parameters())]
    else:
        head = set(map(id, model.get_classifier().parameters()))  # type: ignore[operator]
        groups = [[p for p in g if id(p) not in head] for g in _module_groups(model)]
        groups.append([p for p in model.parameters() if id(p) in head])
    return [g for g in groups if g]


def apply_strategy(
    model: nn.Module,
    strategy: str,
    lr: float,
    backbone_lr_scale: float,
    layer_decay: float | None,
) -> list[dict[str, Any]]:
    """Freeze what the strategy freezes and return the optimizer's parameter groups.

    For ``"gradual_unfreeze"`` nothing is frozen yet: pass :class:`GradualUnfreeze` to the
    training loop, which freezes the body once the optimizer exists (a parameter frozen before
    the optimizer is built would never be optimised, even after unfreezing).

    Raises:
        ValueError: unknown strategy or out-of-range scales.
    """
    if strategy not in STRATEGIES:
        raise ValueError(f"strategy={strategy!r} is unknown; choose one of {STRATEGIES}.")
    if not 0 < backbone_lr_scale <= 1:
        raise ValueError(f"backbone_lr_scale must be in (0, 1]; got {backbone_lr_scale!r}.")
    if layer_decay is not None and not 0 < layer_decay <= 1:
        raise ValueError(f"layer_decay must be in (0, 1] or None; got {layer_decay!r}.")
    groups = layer_groups(model)
    *body, head = groups
    for param in model.parameters():
        param.requires_grad_(strategy != "linear_probe")
    for param in head:
        param.requires_grad_(True)
    if strategy == "linear_probe":
        return [{"params": head, "lr": lr}]
    # gradual_unfreeze: the body stays trainable here, so the optimizer (built from the
    # parameters that require grad) holds every group; GradualUnfreeze freezes the body at the
    # start of fit and opens one group after another.
    decay = layer_decay or 1.0
    out = [
        {"params": params, "lr": lr * backbone_lr_scale * decay ** (len(body) - 1 - i)}
        for i, params in enumerate(body)
    ]
    return [*out, {"params": head, "lr": lr}]


class GradualUnfreeze(Callback):
    """Unfreeze one more layer group, from the top, every ``every`` epochs.

    Args:
        groups: parameter groups from input to output (the head, last, is never frozen).
        every: epochs between unfreezing steps.
    """

    def __init__(self, groups: list[list[nn.Parameter]], every: int = 1) -> None:
        self.body = groups[:-1]
        self.every = max(1, int(every))

    def _apply(self, epochs_done: int) -> None:
        n_open = min(len(self.body), epochs_done // self.every)
        for i, params in enumerate(reversed(self.body)):
            for param in params:
                param.requires_grad_(i < n_open)

    def on_fit_start(self, state: TrainState) -> None:
        self._apply(state.epoch)  # also right after a resume

    def on_epoch_end(self, state: TrainState) -> None:
        self._apply(state.epoch)
