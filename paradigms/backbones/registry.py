"""The backbone registry: a decorator to register factories and one factory to build them."""

from __future__ import annotations

import difflib
import json
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from paradigms.backbones.base import Backbone, BackboneConfig

Factory = Callable[..., Backbone]
F = TypeVar("F", bound=Factory)

_REGISTRY: dict[str, Factory] = {}
_PREFIXES: dict[str, Factory] = {}


def register_backbone(name: str, *, prefix: bool = False) -> Callable[[F], F]:
    """Register a backbone factory under ``name``.

    The factory is called as ``factory(in_shape, **kwargs)`` and must return a
    :class:`Backbone`. With ``prefix=True`` the factory serves every name ``"<name>:<rest>"``
    and is called as ``factory(rest, in_shape, **kwargs)`` (this is how ``"timm:<model>"`` works).

    Example:
        >>> @register_backbone("tiny")
        ... def tiny(in_shape, width=8): ...

    Raises:
        ValueError: if the name is empty, ``"auto"``, or already registered.
    """
    if not name or not isinstance(name, str) or ":" in name or name == "auto":
        raise ValueError(
            f"backbone name {name!r} is not allowed: use a non-empty string without ':'."
        )

    def decorator(factory: F) -> F:
        table = _PREFIXES if prefix else _REGISTRY
        if name in table:
            raise ValueError(
                f"a backbone named {name!r} is already registered ({table[name].__module__}); "
                "choose another name."
            )
        table[name] = factory
        return factory

    return decorator


def list_backbones() -> list[str]:
    """Registered names: ``"auto"``, every plain name, and ``"<prefix>:<model>"`` patterns."""
    return ["auto", *sorted(_REGISTRY), *(f"{p}:<model>" for p in sorted(_PREFIXES))]


def resolve_auto(in_shape: Sequence[int]) -> str:
    """The backbone ``"auto"`` stands for: ``"mlp"`` for 1-D inputs, ``"cnn"`` for images."""
    return "mlp" if len(in_shape) == 1 else "cnn"


def check_in_shape(in_shape: Any) -> tuple[int, ...]:
    """Validate an ``in_shape`` and return it as a tuple of ints.

    Raises:
        ValueError: unless ``in_shape`` is ``(d,)`` or ``(C, H, W)`` of positive ints.
    """
    try:
        if isinstance(in_shape, (str, bytes)):
            raise TypeError("a string is not a shape")
        shape = tuple(int(s) for s in in_shape)
    except (TypeError, ValueError) as exc:
        raise TypeError(
            f"in_shape must be a tuple of ints such as (64,) or (1, 8, 8); got {in_shape!r}."
        ) from exc
    if len(shape) not in (1, 3) or any(s < 1 for s in shape):
        raise ValueError(
            f"in_shape must be (features,) for vectors or (channels, height, width) for images, "
            f"all positive; got {in_shape!r}. For (H, W) grey images use (1, H, W)."
        )
    return shape


def create_backbone(name: str = "auto", in_shape: Sequence[int] = (), **kwargs: Any) -> Backbone:
    """Build a registered backbone.

    Args:
        name: a registered name (see :func:`list_backbones`), ``"auto"`` (mlp for ``(d,)``,
            cnn for ``(C, H, W)``) or ``"timm:<any timm model>"``.
        in_shape: per-sample input shape, ``(d,)`` or ``(C, H, W)``.
        **kwargs: passed to the backbone's factory (e.g. ``hidden=(256, 128)`` for ``"mlp"``).

    Returns:
        A :class:`Backbone` whose ``config`` records name, kwargs and in_shape.

    Raises:
        ValueError: for an unknown name (the message lists the closest registered names) or a
            bad ``in_shape``.
    """
    if not isinstance(name, str):
        raise TypeError(f"backbone name must be a string; got {type(name).__name__}.")
    shape = check_in_shape(in_shape)
    resolved = resolve_auto(shape) if name == "auto" else name
    if resolved in _REGISTRY:
        backbone = _REGISTRY[resolved](shape, **kwargs)
    elif ":" in resolved and resolved.split(":", 1)[0] in _PREFIXES:
        prefix, rest = resolved.split(":", 1)
        backbone = _PREFIXES[prefix](rest, shape, **kwargs)
    else:
        known = list_backbones()
        close = difflib.get_close_matches(resolved, [*_REGISTRY, "auto"], n=3, cutoff=0.4)
        hint = f" Did you mean {', '.join(map(repr, close))}?" if close else ""
        raise ValueError(
            f"Unknown backbone {name!r}.{hint} Registered backbones: {', '.join(known)}. "
            "Register your own with @register_backbone('name')."
        )
    if not isinstance(backbone, Backbone):
        raise TypeError(
            f"the factory for {resolved!r} returned {type(backbone).__name__}, not a Backbone."
        )
    backbone.config = BackboneConfig(name=resolved, in_shape=shape, kwargs=_json_kwargs(kwargs))
    return backbone


def _json_kwargs(kwargs: dict[str, Any]) -> dict[str, Any]:
    """kwargs as they will read back from a saved file (tuples become lists)."""
    try:
        return dict(json.loads(json.dumps(kwargs)))
    except TypeError as exc:
        raise TypeError(
            f"backbone kwargs must be JSON-serialisable so the backbone can be saved and "
            f"rebuilt; got {kwargs!r} ({exc})."
        ) from exc
