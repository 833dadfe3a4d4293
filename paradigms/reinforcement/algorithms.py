"""The one home of each algorithm's facts: SB3 class, action spaces, network, defaults.

Every module that needs to know something about an algorithm reads it here: presets (which
names exist), validation (which action spaces fit), the builder (class, policy, default
network and activation), the SB3-file reader and writer (the policy family's parameter
layout, :mod:`.policy_layouts`), the tuner (its search space in ``search_spaces.json`` under
the same name), the CLI (the choices) and the defaults for envs without a preset
(:mod:`.auto_defaults`). Facts the SB3 class states itself (its keyword arguments and their
defaults, its policy classes, whether it takes action noise) are read from the class, never
copied. Adding an algorithm is one :class:`AlgorithmSpec` entry in :data:`REGISTRY`; its class
is imported only when an agent is built, so an entry may name an optional package: the
``sb3-contrib`` algorithms (``pip install 'paradigms[contrib]'``) are entries like any other.
"""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from gymnasium import spaces

from paradigms.reinforcement import auto_defaults
from paradigms.reinforcement.policy_layouts import (
    ACTOR_CRITIC,
    DETERMINISTIC_ACTOR,
    Q_NETWORK,
    QUANTILE_NETWORK,
    RECURRENT_ACTOR_CRITIC,
    SQUASHED_GAUSSIAN_ACTOR,
    PolicyLayout,
)

__all__ = [
    "ALGORITHMS",
    "MANAGED_KEYS",
    "REGISTRY",
    "AlgorithmSpec",
    "algorithm_class",
    "algorithm_defaults",
    "algorithm_evaluator",
    "algorithm_parameters",
    "algorithm_spec",
    "check_algorithm",
    "choices_text",
    "fitting_algorithms",
    "policy_module",
    "policy_name",
]

_ANY_ACTION = (spaces.Discrete, spaces.Box, spaces.MultiDiscrete, spaces.MultiBinary)
_DISCRETE_ACTIONS = (spaces.Discrete, spaces.MultiDiscrete, spaces.MultiBinary)
_CONTRIB = "pip install 'paradigms[contrib]' (sb3-contrib)"


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
        layout: its policy family's parameter layout (:mod:`.policy_layouts`).
        defaults: the hyperparameters for an env without a tuned preset, from the env's facts
            and the training budget (see :mod:`.auto_defaults`).
        install: the command that installs its package, for the error when it is missing.
        action_masks: it reads the valid actions from the env's ``action_masks()``.
        evaluate: ``"module:function"`` that runs its evaluation episodes (SB3's
            ``evaluate_policy`` signature).
        summary: what it is for, in a few words (the CLI's help and error messages).
    """

    name: str
    sb3_class: str
    action_spaces: tuple[type[spaces.Space], ...]
    net_arch: tuple[int, ...]
    activation: str
    on_policy: bool
    layout: PolicyLayout
    defaults: Callable[[auto_defaults.EnvFacts, int], dict[str, Any]]
    summary: str
    install: str = "pip install stable-baselines3"
    action_masks: bool = False
    evaluate: str = "stable_baselines3.common.evaluation:evaluate_policy"


REGISTRY: dict[str, AlgorithmSpec] = {
    spec.name: spec
    for spec in (
        AlgorithmSpec(
            "ppo", "stable_baselines3:PPO", _ANY_ACTION, (64, 64), "tanh", True, ACTOR_CRITIC,
            auto_defaults.ppo_defaults, "any action space",
        ),
        AlgorithmSpec(
            "a2c", "stable_baselines3:A2C", _ANY_ACTION, (64, 64), "tanh", True, ACTOR_CRITIC,
            auto_defaults.a2c_defaults, "any action space",
        ),
        AlgorithmSpec(
            "dqn", "stable_baselines3:DQN", (spaces.Discrete,), (64, 64), "relu", False,
            Q_NETWORK, auto_defaults.dqn_defaults, "Discrete actions",
        ),
        AlgorithmSpec(
            "sac", "stable_baselines3:SAC", (spaces.Box,), (256, 256), "relu", False,
            SQUASHED_GAUSSIAN_ACTOR, auto_defaults.sac_defaults, "Box actions",
        ),
        AlgorithmSpec(
            "td3", "stable_baselines3:TD3", (spaces.Box,), (400, 300), "relu", False,
            DETERMINISTIC_ACTOR, auto_defaults.td3_defaults, "Box actions",
        ),
        AlgorithmSpec(
            "tqc", "sb3_contrib:TQC", (spaces.Box,), (256, 256), "relu", False,
            SQUASHED_GAUSSIAN_ACTOR, auto_defaults.sac_defaults,
            "Box actions, sb3-contrib", install=_CONTRIB,
        ),
        AlgorithmSpec(
            "qrdqn", "sb3_contrib:QRDQN", (spaces.Discrete,), (64, 64), "relu", False,
            QUANTILE_NETWORK, auto_defaults.dqn_defaults,
            "Discrete actions, sb3-contrib", install=_CONTRIB,
        ),
        AlgorithmSpec(
            "maskableppo", "sb3_contrib:MaskablePPO", _DISCRETE_ACTIONS, (64, 64), "tanh", True,
            ACTOR_CRITIC, auto_defaults.ppo_defaults,
            "Discrete actions masked by env.action_masks(), sb3-contrib", install=_CONTRIB,
            action_masks=True,
            evaluate="sb3_contrib.common.maskable.evaluation:evaluate_policy",
        ),
        AlgorithmSpec(
            "recurrentppo", "sb3_contrib:RecurrentPPO", _ANY_ACTION, (64, 64), "tanh", True,
            RECURRENT_ACTOR_CRITIC, auto_defaults.ppo_defaults,
            "any action space, an LSTM policy, sb3-contrib", install=_CONTRIB,
        ),
    )
}  # fmt: skip

ALGORITHMS: tuple[str, ...] = tuple(REGISTRY)
"""The algorithm names, in the registry's order."""

#: keyword arguments of the SB3 classes that ``Agent`` sets itself
MANAGED_KEYS = frozenset({"policy", "env", "seed", "device", "verbose", "_init_setup_model"})


def choices_text() -> str:
    """The algorithms and what each is for: ``"ppo (any action space), a2c (...)..."``."""
    return ", ".join(f"{spec.name} ({spec.summary})" for spec in REGISTRY.values())


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
            f"unknown algorithm {algo!r}; expected one of {', '.join(ALGORITHMS)}: "
            f"{choices_text()}."
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
    return _load(spec.sb3_class, spec)


def fitting_algorithms(action_space: spaces.Space) -> list[str]:
    """The algorithms that can act in ``action_space``, in the registry's order."""
    return [name for name, spec in REGISTRY.items() if isinstance(action_space, spec.action_spaces)]


def _load(target: str, spec: AlgorithmSpec) -> Any:
    """The object at ``"module:name"``; a ``ValueError`` with ``spec.install`` if its package
    is missing."""
    module_name, name = target.split(":")
    try:
        module = importlib.import_module(module_name)
    except ImportError as err:
        raise ValueError(
            f"algo={spec.name!r} needs the package {module_name.split('.')[0]!r}, which is not "
            f"installed ({err}); {spec.install}"
        ) from err
    return getattr(module, name)


def algorithm_evaluator(algo: str) -> Callable[..., Any]:
    """The function that runs ``algo``'s evaluation episodes (:attr:`AlgorithmSpec.evaluate`)."""
    spec = algorithm_spec(algo)
    return _load(spec.evaluate, spec)


def algorithm_parameters(algo: str) -> set[str]:
    """Keyword arguments the SB3 class for ``algo`` accepts (minus those the Agent manages)."""
    names = set(inspect.signature(algorithm_class(algo).__init__).parameters) - {"self"}
    return names - MANAGED_KEYS


def algorithm_defaults(algo: str) -> dict[str, Any]:
    """``{keyword: the SB3 class's default}`` for the keywords an ``Agent`` passes to it."""
    signature = inspect.signature(algorithm_class(algo).__init__).parameters
    return {name: signature[name].default for name in algorithm_parameters(algo)}


def policy_name(algo: str, dict_observations: bool) -> str:
    """The SB3 policy alias ``Agent`` builds ``algo`` with: its ``Mlp...`` policy (the
    features extractor is always a paradigms backbone), or ``MultiInput...`` for ``Dict``
    observations (``"MlpPolicy"``, ``"MultiInputLstmPolicy"``...)."""
    start = "MultiInput" if dict_observations else "Mlp"
    return next(a for a in algorithm_class(algo).policy_aliases if a.startswith(start))


def policy_module(algo: str) -> str:
    """The module of ``algo``'s policy classes, as an SB3 file prints it (``policy_class``)."""
    return str(algorithm_class(algo).policy_aliases[policy_name(algo, False)].__module__)
