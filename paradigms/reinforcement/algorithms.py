"""The one home of each algorithm's facts: SB3 class, action spaces, network, defaults.

Every module that needs to know something about an algorithm reads it here: presets (which
names exist), validation (which action spaces fit), the builder (class, default network and
activation) and the defaults for envs without a preset (:mod:`.auto_defaults`). Adding an
algorithm is one :class:`AlgorithmSpec` entry in :data:`REGISTRY`; its class is imported only
when an agent is built, so an entry may name an optional package (e.g. sb3-contrib's QR-DQN as
``"sb3_contrib:QRDQN"`` with ``install="pip install sb3-contrib"``).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from gymnasium import spaces

from paradigms.reinforcement import auto_defaults

__all__ = [
    "ALGORITHMS",
    "REGISTRY",
    "AlgorithmSpec",
    "algorithm_class",
    "algorithm_spec",
    "check_algorithm",
    "fitting_algorithms",
]

_ANY_ACTION = (spaces.Discrete, spaces.Box, spaces.MultiDiscrete, spaces.MultiBinary)


@dataclass(frozen=True)
class AlgorithmSpec:
    """What the library knows about one algorithm.

    Attributes:
        name: lower-case name users pass as ``algo=`` (``"ppo"``).
        sb3_class: ``"module:Class"`` of the stable-baselines3 (or compatible) class.
        action_spaces: the action space types it can act in.
        net_arch: SB3's default layers after the features extractor.
        activation: SB3's default activation name for those layers.
        on_policy: True for rollout-buffer algorithms (PPO, A2C), False for replay buffers.
        action_noise: whether it takes ``action_noise`` (TD3, SAC).
        defaults: the hyperparameters for an env without a tuned preset, from the env's facts
            and the training budget (see :mod:`.auto_defaults`).
        install: the command that installs its package, for the error when it is missing.
    """

    name: str
    sb3_class: str
    action_spaces: tuple[type[spaces.Space], ...]
    net_arch: tuple[int, ...]
    activation: str
    on_policy: bool
    action_noise: bool
    defaults: Callable[[auto_defaults.EnvFacts, int], dict[str, Any]]
    install: str = "pip install stable-baselines3"


REGISTRY: dict[str, AlgorithmSpec] = {
    spec.name: spec
    for spec in (
        AlgorithmSpec(
            "ppo", "stable_baselines3:PPO", _ANY_ACTION, (64, 64), "tanh", True, False,
            auto_defaults.ppo_defaults,
        ),
        AlgorithmSpec(
            "a2c", "stable_baselines3:A2C", _ANY_ACTION, (64, 64), "tanh", True, False,
            auto_defaults.a2c_defaults,
        ),
        AlgorithmSpec(
            "dqn", "stable_baselines3:DQN", (spaces.Discrete,), (64, 64), "relu", False, False,
            auto_defaults.dqn_defaults,
        ),
        AlgorithmSpec(
            "sac", "stable_baselines3:SAC", (spaces.Box,), (256, 256), "relu", False, True,
            auto_defaults.sac_defaults,
        ),
        AlgorithmSpec(
            "td3", "stable_baselines3:TD3", (spaces.Box,), (400, 300), "relu", False, True,
            auto_defaults.td3_defaults,
        ),
    )
}  # fmt: skip

ALGORITHMS: tuple[str, ...] = tuple(REGISTRY)
"""The algorithm names, in the registry's order."""


def check_algorithm(algo: object) -> str:
    """The registry name for ``algo`` (case-insensitive), or a ``ValueError`` naming the choices.

    Raises:
        TypeError: if ``algo`` is not a string.
        ValueError: if no registry entry has that name.
    """
    if not isinstance(algo, str):
        raise TypeError(
            f"algo must be a string, got {type(algo).__name__} {algo!r}; pass one of "
            f"{', '.join(ALGORITHMS)}."
        )
    name = algo.lower()
    if name not in REGISTRY:
        raise ValueError(
            f"unknown algorithm {algo!r}; expected one of {', '.join(ALGORITHMS)} "
            "(ppo/a2c for any action space, dqn for Discrete, sac/td3 for Box actions)."
        )
    return name


def algorithm_spec(algo: str) -> AlgorithmSpec:
    """The :class:`AlgorithmSpec` for ``algo`` (validated by :func:`check_algorithm`)."""
    return REGISTRY[check_algorithm(algo)]


def algorithm_class(algo: str) -> Any:
    """The SB3 class for ``algo``, imported now.

    Raises:
        ValueError: if its package is not installed, with the command that installs it.
    """
    spec = algorithm_spec(algo)
    module_name, class_name = spec.sb3_class.split(":")
    try:
        module = importlib.import_module(module_name)
    except ImportError as err:
        raise ValueError(
            f"algo={spec.name!r} needs the package {module_name!r}, which is not installed "
            f"({err}); {spec.install}"
        ) from err
    return getattr(module, class_name)


def fitting_algorithms(action_space: spaces.Space) -> list[str]:
    """The algorithms that can act in ``action_space``, in the registry's order."""
    return [name for name, spec in REGISTRY.items() if isinstance(action_space, spec.action_spaces)]
