"""Turn what a user passes as an environment into a zero-argument factory (:class:`EnvSource`).

Accepted specs:

- a registered Gymnasium id, ``"CartPole-v1"``;
- a ``"module.path:ClassName"`` string, e.g. ``"paradigms.reinforcement.envs:GridWorldEnv"``
  (the module is imported and the attribute must be a ``gymnasium.Env`` subclass or a factory);
- a ``gymnasium.Env`` instance (used itself first, deep copies after, for vectorised training);
- a zero-argument callable, class or function, returning a ``gymnasium.Env``.
"""

from __future__ import annotations

import copy
import difflib
import importlib
import inspect
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import gymnasium as gym
from gymnasium.utils import seeding

from paradigms.reinforcement.atari import register_atari_envs

_ACCEPTED = (
    "a registered Gymnasium id such as 'CartPole-v1', a 'module.path:ClassName' string, "
    "a gymnasium.Env instance, or a zero-argument callable (class or function) returning one"
)
_CUSTOM_HINT = (
    "Custom environments need no registration: pass an instance (MyEnv()), a factory "
    "(MyEnv or lambda: MyEnv(size=8)) or a 'module.path:MyEnv' string."
)


@dataclass(frozen=True)
class EnvSource:
    """A resolved environment spec.

    Attributes:
        factory: zero-argument callable that returns a new ``gymnasium.Env`` on every call.
        env_id: the registered Gymnasium id when known (an id string, or ``env.spec.id`` of an
            instance made by ``gymnasium.make``); ``None`` for custom classes and factories.
        name: display name: the id, or the class or function name.
        kind: how the spec was given: ``"id"``, ``"instance"``, ``"factory"`` or
            ``"class_path"``.
    """

    factory: Callable[[], gym.Env]
    env_id: str | None
    name: str
    kind: str


class _MakeById:
    """``gymnasium.make(env_id, **kwargs)`` as a picklable zero-argument factory."""

    def __init__(
        self, env_id: str, render_mode: str | None, kwargs: dict[str, Any] | None = None
    ) -> None:
        self.env_id = env_id
        self.render_mode = render_mode
        self.kwargs = dict(kwargs or {})

    def __call__(self) -> gym.Env:
        kwargs = dict(self.kwargs)
        if self.render_mode is not None:
            kwargs["render_mode"] = self.render_mode
        return gym.make(self.env_id, **kwargs)

    def __repr__(self) -> str:
        extra = "".join(f", {k}={v!r}" for k, v in self.kwargs.items())
        return f"gymnasium.make({self.env_id!r}{extra})"


class _WrappedFactory:
    """``wrapper(factory())``: picklable, for subprocess vec envs."""

    def __init__(
        self, factory: Callable[[], gym.Env], wrapper: Callable[[gym.Env], gym.Env]
    ) -> None:
        self.factory = factory
        self.wrapper = wrapper

    def __call__(self) -> gym.Env:
        return self.wrapper(self.factory())

    def __repr__(self) -> str:
        return f"{getattr(self.wrapper, '__name__', self.wrapper)}({self.factory!r})"


def wrapped_source(source: EnvSource, wrapper: Callable[[gym.Env], gym.Env]) -> EnvSource:
    """The same env with ``wrapper`` around every copy (e.g. Tuple observations as a Dict)."""
    factory = _WrappedFactory(source.factory, wrapper)
    return EnvSource(factory, env_id=source.env_id, name=source.name, kind=source.kind)


def with_make_kwargs(source: EnvSource, kwargs: dict[str, Any]) -> EnvSource:
    """The same registered env made with extra ``gymnasium.make`` keywords (e.g. Atari's
    ``frameskip=1``); ``source`` must come from an id."""
    factory = source.factory
    if not kwargs or not isinstance(factory, _MakeById):
        return source
    made = _MakeById(factory.env_id, factory.render_mode, {**factory.kwargs, **kwargs})
    return EnvSource(made, env_id=source.env_id, name=source.name, kind=source.kind)


class _CheckedFactory:
    """Call a user factory and check, on every call, that it gave a ``gymnasium.Env``."""

    def __init__(self, fn: Callable[..., Any], name: str, kwargs: dict[str, Any]) -> None:
        self.fn = fn
        self.name = name
        self.kwargs = kwargs

    def __call__(self) -> gym.Env:
        try:
            env = self.fn(**self.kwargs)
        except Exception as err:
            raise ValueError(
                f"The environment factory {self.name} raised {type(err).__name__}: {err}. "
                "Fix the factory so that calling it with no arguments builds the environment."
            ) from err
        if not isinstance(env, gym.Env):
            hint = (
                " It returned a class: return an instance instead (MyEnv(), not MyEnv)."
                if isinstance(env, type)
                else ""
            )
            raise TypeError(
                f"The environment factory {self.name} returned {_describe(env)}, expected a "
                f"gymnasium.Env instance.{hint} Make it return the environment, e.g. "
                "lambda: MyEnv()."
            )
        return env

    def __repr__(self) -> str:
        return self.name


class _InstanceFactory:
    """Return the instance itself on the first call and deep copies of it afterwards."""

    def __init__(self, env: gym.Env, name: str) -> None:
        self.env = env
        self.name = name
        self.calls = 0

    def __call__(self) -> gym.Env:
        self.calls += 1
        if self.calls == 1:
            return self.env
        try:
            clone = copy.deepcopy(self.env)
        except Exception as err:
            raise ValueError(
                f"Could not copy the environment instance {self.name} for another parallel "
                f"environment (deepcopy raised {type(err).__name__}: {err}). For n_envs > 1 pass "
                "a factory instead of an instance, e.g. lambda: MyEnv()."
            ) from err
        # A copy would otherwise replay the same random stream as the original.
        clone.unwrapped.np_random, _ = seeding.np_random()
        return clone

    def __repr__(self) -> str:
        return f"instance {self.name}"


def _describe(value: object) -> str:
    text = repr(value)
    if len(text) > 80:
        text = text[:77] + "..."
    return f"{type(value).__name__} {text}"


def _registered_ids() -> list[str]:
    return list(gym.envs.registry.keys())


def _unknown_id_error(env_id: str) -> ValueError:
    close = difflib.get_close_matches(env_id, _registered_ids(), n=5, cutoff=0.6)
    suggestion = f"Did you mean {', '.join(repr(c) for c in close)}? " if close else ""
    return ValueError(
        f"{env_id!r} is not a registered Gymnasium environment id. {suggestion}"
        f"List the registered ids with gymnasium.pprint_registry(). {_CUSTOM_HINT}"
    )


def _accepts_render_mode(cls: type) -> bool:
    try:
        return "render_mode" in inspect.signature(cls).parameters
    except (TypeError, ValueError):
        return False


def _require_zero_args(fn: Callable[..., Any], name: str) -> None:
    try:
        signature = inspect.signature(fn)
    except (TypeError, ValueError):
        return  # builtins and some C callables have no signature; checked when called
    try:
        signature.bind()
    except TypeError as err:
        raise TypeError(
            f"The environment factory {name} cannot be called without arguments ({err}). "
            f"Bind them first, e.g. lambda: {name}(...) or functools.partial({name}, ...)."
        ) from err


def _from_callable(
    fn: Callable[..., Any], name: str, kind: str, render_mode: str | None
) -> EnvSource:
    if isinstance(fn, type) and not issubclass(fn, gym.Env):
        raise TypeError(
            f"{name} is a class but not a gymnasium.Env subclass; expected {_ACCEPTED}. "
            "Derive it from gymnasium.Env (class MyEnv(gymnasium.Env): ...)."
        )
    _require_zero_args(fn, name)
    kwargs: dict[str, Any] = {}
    if isinstance(fn, type) and render_mode is not None and _accepts_render_mode(fn):
        kwargs["render_mode"] = render_mode
    return EnvSource(_CheckedFactory(fn, name, kwargs), env_id=None, name=name, kind=kind)


def _from_class_path(spec: str, render_mode: str | None) -> EnvSource:
    module_name, _, attr = spec.partition(":")
    if not module_name or not attr:
        raise ValueError(
            f"Could not read {spec!r} as 'module.path:ClassName': both parts must be non-empty, "
            "e.g. 'paradigms.reinforcement.envs:GridWorldEnv'."
        )
    try:
        module = importlib.import_module(module_name)
    except ImportError as err:
        raise ValueError(
            f"Could not import module {module_name!r} from {spec!r} ({err}). Check the module "
            "path and that its folder is on sys.path (installed, or the current directory)."
        ) from err
    if not hasattr(module, attr):
        if attr in gym.envs.registry:  # Gymnasium's own "module:EnvId" form
            return EnvSource(_MakeById(attr, render_mode), env_id=attr, name=attr, kind="id")
        public = sorted(n for n in vars(module) if not n.startswith("_"))
        close = difflib.get_close_matches(attr, public, n=3)
        hint = f" Did you mean {', '.join(repr(c) for c in close)}?" if close else ""
        raise ValueError(
            f"Module {module_name!r} has no attribute {attr!r} (from {spec!r}).{hint} Give the "
            "name of a gymnasium.Env subclass or a factory defined in that module."
        )
    target = getattr(module, attr)
    if not callable(target):
        raise ValueError(
            f"{spec!r} names {_describe(target)}, expected a gymnasium.Env subclass or a "
            "zero-argument function returning one."
        )
    return _from_callable(target, attr, "class_path", render_mode)


def resolve_env(spec: Any, *, render_mode: str | None = None) -> EnvSource:
    """Resolve an environment spec into a zero-argument factory.

    Args:
        spec: a registered id (``"CartPole-v1"``), a ``"module.path:ClassName"`` string, a
            ``gymnasium.Env`` instance, or a zero-argument class or function returning one.
        render_mode: e.g. ``"rgb_array"``. Passed to ``gymnasium.make`` for ids, and to
            classes whose ``__init__`` has a ``render_mode`` parameter; instances and function
            factories are used as they are (check ``env.render_mode`` on what they build).

    Returns:
        An :class:`EnvSource` whose ``factory()`` builds a new environment on each call. For an
        instance, the first call returns the instance itself and later calls deep copies.

    Raises:
        ValueError: unknown id (the message lists the closest registered ids), or a
            ``"module:Class"`` string whose module or attribute cannot be found.
        TypeError: ``spec`` is none of the accepted kinds, or a factory needs arguments.
    """
    if isinstance(spec, str):
        if ":" in spec:
            return _from_class_path(spec, render_mode)
        if spec not in gym.envs.registry and not (
            register_atari_envs(spec) and spec in gym.envs.registry
        ):
            raise _unknown_id_error(spec)
        return EnvSource(_MakeById(spec, render_mode), env_id=spec, name=spec, kind="id")
    if isinstance(spec, gym.Env):
        env_id = spec.spec.id if spec.spec is not None else None
        name = env_id or type(spec.unwrapped).__name__
        return EnvSource(_InstanceFactory(spec, name), env_id=env_id, name=name, kind="instance")
    if callable(spec):
        name = getattr(spec, "__name__", None) or type(spec).__name__
        return _from_callable(spec, name, "factory", render_mode)
    old_gym = type(spec).__module__.split(".")[0] == "gym"
    hint = " It comes from the old gym package: port it to gymnasium." if old_gym else ""
    raise TypeError(f"Cannot use {_describe(spec)} as an environment; expected {_ACCEPTED}.{hint}")
