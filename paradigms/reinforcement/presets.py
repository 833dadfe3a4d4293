"""Tuned hyperparameter presets for stable-baselines3 agents.

The values live in ``presets.json`` next to this module; they are transcribed from
rl-baselines3-zoo's tuned hyperparameter files (see :data:`PRESETS_SOURCE`). Each preset is a
flat dict whose keys are either *reserved* (handled by whoever builds the environment and the
model) or keyword arguments of the stable-baselines3 algorithm constructor:

- ``n_envs`` (int): number of parallel environments.
- ``n_timesteps`` (int): training budget in environment steps.
- ``normalize`` (bool or dict): whether to wrap the vectorised env in ``VecNormalize``; a dict
  holds its keyword arguments (e.g. ``{"norm_obs": True, "norm_reward": False}``).
- ``policy_kwargs`` (dict): policy keyword arguments; ``activation_fn`` is a name, see
  :func:`activation_class`.
- ``action_noise`` (None or dict): ``{"type": "normal" | "ornstein-uhlenbeck", "sigma": float}``.
- ``frame_stack`` (None or int): stack the last N observations (``VecFrameStack``).
- ``atari_wrapper`` (bool): SB3's ``AtariWrapper`` around each env (see
  :mod:`.atari`); every ALE game gets the zoo's ``atari`` entry, with both set.

Schedules are written as ``"lin_<float>"`` strings; :func:`parse_schedule` turns them into
callables following stable-baselines3's convention (``progress_remaining`` goes from 1 to 0).
"""

from __future__ import annotations

import copy
import functools
import json
import math
from collections.abc import Callable
from importlib.resources import files
from typing import Any

from torch import nn

from paradigms.backbones.mlp import ACTIVATIONS
from paradigms.reinforcement.algorithms import ALGORITHMS, check_algorithm
from paradigms.reinforcement.atari import is_atari

__all__ = [
    "ALGORITHMS",
    "DEFAULT_TIMESTEPS",
    "PRESETS_SOURCE",
    "RESERVED_KEYS",
    "LinearSchedule",
    "activation_class",
    "get_preset",
    "has_preset",
    "list_presets",
    "parse_schedule",
]


RESERVED_KEYS: tuple[str, ...] = (
    "n_envs",
    "n_timesteps",
    "normalize",
    "policy_kwargs",
    "action_noise",
    "frame_stack",
    "atari_wrapper",
    "critic_warmup",
)
"""Preset keys that are not plain constructor arguments of the algorithm class."""

DEFAULT_TIMESTEPS = 100_000
"""The training budget of an agent whose preset (or derived defaults) names none."""

_RESERVED_DEFAULTS: dict[str, Any] = {
    "n_envs": 1,
    "n_timesteps": DEFAULT_TIMESTEPS,
    "normalize": False,
    "policy_kwargs": {},
    "action_noise": None,
    "frame_stack": None,
    "atari_wrapper": False,
    "critic_warmup": None,  # None: no warm-up, unless the actor starts from a classifier
}

_LIN_PREFIX = "lin_"


@functools.lru_cache(maxsize=1)
def _load() -> dict[str, Any]:
    """Read and cache the bundled ``presets.json``; callers must not mutate the result."""
    text = files("paradigms.reinforcement").joinpath("presets.json").read_text(encoding="utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


PRESETS_SOURCE: str = _load()["_source"]
"""Citation of where the preset values come from and how they were converted."""


def list_presets() -> dict[str, tuple[str, ...]]:
    """List the environments that have tuned presets.

    Returns:
        Mapping of environment id to the algorithms with a tuned preset for it.
    """
    data = _load()
    found = {env_id: tuple(algos) for env_id, algos in data["envs"].items()}
    for alias, env_id in data.get("_version_aliases", {}).items():
        found[alias] = found[env_id]
    return found


def _table_id(env_id: str) -> str:
    """The id whose entry ``env_id`` reads: itself, or the one ``_version_aliases`` names
    (MuJoCo's ``-v5`` ids read the zoo's ``-v4`` values)."""
    return str(_load().get("_version_aliases", {}).get(env_id, env_id))


def has_preset(env_id: str | None, algo: str) -> bool:
    """Tell whether a tuned preset exists for an environment and an algorithm.

    Args:
        env_id: Gymnasium environment id (matched exactly, version included, except the
            MuJoCo ``-v5`` ids, which read the zoo's ``-v4`` values), or None.
        algo: Algorithm name, one of :data:`ALGORITHMS`.

    Returns:
        True when a tuned preset exists, False otherwise (including for ``env_id=None``).

    Raises:
        ValueError: If ``algo`` is not one of :data:`ALGORITHMS`.
    """
    algo = check_algorithm(algo)
    if env_id is not None and is_atari(env_id):
        return algo in _load()["_atari"]
    return env_id is not None and algo in _load()["envs"].get(_table_id(env_id), {})


def get_preset(env_id: str | None, algo: str) -> dict[str, Any]:
    """Return the hyperparameters for an environment and an algorithm.

    Environment ids match exactly: ``"CartPole-v0"`` does not get the ``"CartPole-v1"`` preset
    (MuJoCo's ``-v5`` ids read the zoo's ``-v4`` values, see ``presets.json``). Unknown
    environments (and None) get stable-baselines3's own constructor defaults (only the
    reserved keys set). An ``Agent`` on such an env does not use them: it derives its defaults
    from the env and the budget (:mod:`paradigms.reinforcement.auto_defaults`).

    Args:
        env_id: Gymnasium environment id, or None for the defaults.
        algo: Algorithm name, one of :data:`ALGORITHMS`.

    Returns:
        A fresh deep copy of the preset (free to mutate), with every reserved key present and
        schedules still in their ``"lin_<float>"`` string form.

    Raises:
        ValueError: If ``algo`` is not one of :data:`ALGORITHMS`.
    """
    algo = check_algorithm(algo)
    data = _load()
    entry: dict[str, Any] = {}  # no preset: the reserved keys' defaults alone
    if has_preset(env_id, algo):
        table = data["_atari"] if is_atari(str(env_id)) else data["envs"][_table_id(str(env_id))]
        entry = table[algo]
    preset = {key: value for key, value in entry.items() if key != "_notes"}
    for key, default in _RESERVED_DEFAULTS.items():
        preset.setdefault(key, default)
    return copy.deepcopy(preset)


class LinearSchedule:
    """Linear schedule ``progress_remaining * initial``, picklable and with a readable repr.

    stable-baselines3 calls schedules with ``progress_remaining``, which goes from 1 (start of
    training) to 0 (end), so the value decays linearly from ``initial`` to 0.

    Args:
        initial: Value at the start of training.
    """

    def __init__(self, initial: float) -> None:
        self.initial = float(initial)

    def __call__(self, progress_remaining: float) -> float:
        """Return the value for the given remaining progress (1 -> 0)."""
        return progress_remaining * self.initial

    def __repr__(self) -> str:
        return f"LinearSchedule(initial={self.initial!r})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, LinearSchedule):
            return NotImplemented
        return self.initial == other.initial

    def __hash__(self) -> int:
        return hash((LinearSchedule, self.initial))


def parse_schedule(
    value: float | str | Callable[[float], float],
) -> float | Callable[[float], float]:
    """Turn a preset value for a schedulable hyperparameter into what stable-baselines3 takes.

    Args:
        value: A number (returned as is), a ``"lin_<float>"`` string, or a callable of the
            remaining progress (SB3's convention, returned as is; an agent using one trains
            but cannot be saved to JSON).

    Returns:
        The number or callable unchanged, or a :class:`LinearSchedule` for ``"lin_<float>"``.

    Raises:
        ValueError: If ``value`` is neither a number nor a well-formed ``"lin_<float>"`` string.
    """
    accepted = "accepted: a number or a string 'lin_<float>' such as 'lin_0.001'"
    if isinstance(value, bool):
        raise ValueError(f"invalid schedule {value!r} (a bool); {accepted}")
    if isinstance(value, (int, float)) or (callable(value) and not isinstance(value, str)):
        return value
    if isinstance(value, str) and value.startswith(_LIN_PREFIX):
        try:
            initial = float(value[len(_LIN_PREFIX) :])
        except ValueError:
            pass
        else:
            if math.isfinite(initial):
                return LinearSchedule(initial)
    raise ValueError(f"invalid schedule {value!r}; {accepted}")


def activation_class(name: str) -> type[nn.Module]:
    """Map an activation name used in ``policy_kwargs`` to its ``torch.nn`` class.

    Args:
        name: One of ``relu``, ``tanh``, ``elu``, ``leaky_relu``, ``gelu``, ``silu``.

    Returns:
        The ``torch.nn`` module class (not an instance).

    Raises:
        ValueError: If the name is unknown.
    """
    try:
        return ACTIVATIONS[name]
    except KeyError:
        raise ValueError(
            f"unknown activation {name!r}; expected one of {', '.join(ACTIVATIONS)}"
        ) from None
