"""``validate_env``: check an environment before training, with errors that say what to fix.

Three layers, in order:

1. our own targeted checks of the spaces, ``reset`` and ``step`` (precise messages naming the
   method or space at fault and the fix);
2. the algorithm's needs, when ``algo`` is given (action and observation space types);
3. Gymnasium's env checker, one check at a time: a finding that breaks training becomes a
   ``ValueError``, a hygiene finding SB3 trains through (shared observation memory,
   irreproducible seeding) a warning (:mod:`.checker_findings`, ``docs/env_validation.md``);
   then Stable-Baselines3's checker, whose failures become a ``ValueError`` naming it.
"""

from __future__ import annotations

import math
import numbers
import warnings
from typing import Any

import gymnasium as gym
import numpy as np
from gymnasium import spaces

from paradigms.reinforcement.algorithms import algorithm_spec, fitting_algorithms
from paradigms.reinforcement.checker_findings import run_gymnasium_checks
from paradigms.reinforcement.dict_observations import check_entries

#: Observation space types the agents accept.
# what SB3's policies read without a Dict policy (Discrete and Multi* arrive one-hot / as 0-1
# floats, so the backbone sees one vector)
OBSERVATION_SPACES: tuple[type[spaces.Space], ...] = (
    spaces.Box,
    spaces.Discrete,
    spaces.MultiDiscrete,
    spaces.MultiBinary,
    spaces.Dict,  # one backbone per entry (dict_observations.py)
    spaces.Tuple,  # read as a Dict with keys "0", "1"...
)

_SPACE_FIX = {
    "observation_space": "e.g. gymnasium.spaces.Box(low, high, shape, dtype=np.float32)",
    "action_space": "e.g. gymnasium.spaces.Discrete(n) or gymnasium.spaces.Box(-1, 1, (k,))",
}


def _describe(value: object) -> str:
    if isinstance(value, np.ndarray):
        return f"an array of shape {value.shape} dtype {value.dtype}"
    text = repr(value)
    if len(text) > 60:
        text = text[:57] + "..."
    return f"{type(value).__name__} {text}"


def _check_spaces(env: gym.Env) -> None:
    for attr, fix in _SPACE_FIX.items():
        space = getattr(env, attr, None)
        if space is None:
            raise ValueError(f"The environment has no {attr}: set self.{attr} in __init__, {fix}.")
        if not isinstance(space, spaces.Space):
            raise ValueError(
                f"The environment's {attr} is {_describe(space)}, not a gymnasium.spaces.Space: "
                f"set self.{attr} to a Gymnasium space, {fix}."
            )
    run_gymnasium_checks(env, spaces_only=True)  # bounds of the right shape, n > 0...


def _fix_for_box(space: spaces.Box) -> str:
    return f"return np.asarray(obs, dtype=np.{space.dtype.name}) with shape {space.shape}"


def _first_out_of_bounds(obs: np.ndarray, space: spaces.Box) -> str:
    low = np.broadcast_to(space.low, space.shape)
    high = np.broadcast_to(space.high, space.shape)
    below, above = obs < low, obs > high
    bad = np.argwhere(below | above)
    index = tuple(int(i) for i in bad[0])
    where = f"obs[{', '.join(map(str, index))}]" if index else "obs"
    if below[index]:
        detail = f"{where} = {obs[index]!s} is below the lower bound {low[index]!s}"
    else:
        detail = f"{where} = {obs[index]!s} is above the upper bound {high[index]!s}"
    return f"{detail} ({len(bad)} value(s) out of bounds)"


def _check_box_observation(obs: Any, space: spaces.Box, method: str) -> None:
    if not isinstance(obs, np.ndarray):
        raise ValueError(
            f"{method} returned an observation of type {type(obs).__name__}, but "
            f"observation_space is {space}: {_fix_for_box(space)}."
        )
    if obs.shape != space.shape or not np.can_cast(obs.dtype, space.dtype):
        raise ValueError(
            f"{method} returned an observation of shape {obs.shape} dtype {obs.dtype}, but "
            f"observation_space is {space}: {_fix_for_box(space)}."
        )
    if np.issubdtype(obs.dtype, np.floating) and np.isnan(obs).any():
        raise ValueError(
            f"{method} returned an observation containing NaN (observation_space is {space}): "
            "find where the NaN comes from (a division by zero, an uninitialised value)."
        )
    if np.any(obs < space.low) or np.any(obs > space.high):
        raise ValueError(
            f"{method} returned an observation outside observation_space {space}: "
            f"{_first_out_of_bounds(obs, space)}. Clip it "
            "(np.clip(obs, self.observation_space.low, self.observation_space.high)) "
            "or widen the space's low/high."
        )


def _check_discrete_observation(obs: Any, space: spaces.Discrete, method: str) -> None:
    if isinstance(obs, bool) or not np.issubdtype(type(obs), np.integer):
        raise ValueError(
            f"{method} returned an observation of type {_describe(obs)}, but observation_space "
            f"is {space}: return int(obs)."
        )
    first, last = int(space.start), int(space.start + space.n - 1)
    if not first <= int(obs) <= last:
        raise ValueError(
            f"{method} returned the observation {int(obs)}, outside observation_space {space} "
            f"(valid values {first}..{last}): keep it in range or enlarge the space."
        )


def _check_observation(obs: Any, space: spaces.Space, method: str) -> None:
    if isinstance(space, spaces.Box):
        _check_box_observation(obs, space, method)
    elif isinstance(space, spaces.Discrete):
        _check_discrete_observation(obs, space, method)
    elif not space.contains(obs):
        raise ValueError(
            f"{method} returned the observation {_describe(obs)}, which is not in "
            f"observation_space {space}: return a value that observation_space.contains()."
        )


def _call(env: gym.Env, method: str, *args: Any, **kwargs: Any) -> Any:
    try:
        return getattr(env, method)(*args, **kwargs)
    except Exception as err:
        for keyword in ("seed", "options"):
            if method == "reset" and isinstance(err, TypeError) and keyword in str(err):
                raise ValueError(
                    f"reset() does not accept {keyword}= ({err}): define it as "
                    "`def reset(self, *, seed=None, options=None)` and call "
                    "`super().reset(seed=seed)` first (Gymnasium's wrappers, e.g. the "
                    "TimeLimit that gymnasium.make adds, pass both)."
                ) from err
        shown = (
            f"{method}({', '.join([*map(repr, args), *(f'{k}={v!r}' for k, v in kwargs.items())])})"
        )
        raise ValueError(f"{shown} raised {type(err).__name__}: {err}") from err


def _check_reset(env: gym.Env) -> None:
    result = _call(env, "reset", seed=0, options=None)
    if not isinstance(result, tuple) or len(result) != 2:
        raise ValueError(
            f"reset() returned {_describe(result)}, expected the tuple (obs, info). Gymnasium's "
            "reset returns the observation and an info dict (the old Gym API returned only obs): "
            "end reset with `return obs, {}`."
        )
    obs, info = result
    if not isinstance(info, dict):
        raise ValueError(
            f"reset() returned info = {_describe(info)}, expected a dict: "
            "end reset with `return obs, {}` (or a dict of extra information)."
        )
    _check_observation(obs, env.observation_space, "reset()")


def _check_reward(reward: Any) -> None:
    if isinstance(reward, (bool, np.bool_)):
        raise ValueError(
            f"step() returned reward = {reward!r}, a bool, expected a number. The order is "
            "(obs, reward, terminated, truncated, info); return float(reward)."
        )
    if not isinstance(reward, (numbers.Real, np.integer, np.floating)):
        raise ValueError(
            f"step() returned reward = {_describe(reward)}, expected a real number "
            "(int or float): return float(reward)."
        )
    if not math.isfinite(float(reward)):
        raise ValueError(
            f"step() returned reward = {reward}, expected a finite number: find where the NaN "
            "or infinity comes from (a division by zero, an uninitialised value)."
        )


def _check_step(env: gym.Env) -> None:
    action = env.action_space.sample()
    result = _call(env, "step", action)
    if isinstance(result, tuple) and len(result) == 4:
        raise ValueError(
            "step() returned 4 values (obs, reward, done, info), the old Gym API; Gymnasium "
            "expects 5: (obs, reward, terminated, truncated, info). Split done into terminated "
            "(the task ended: goal reached, agent failed) and truncated (cut short, e.g. a time "
            "limit): `return obs, reward, terminated, truncated, info`."
        )
    if not isinstance(result, tuple) or len(result) != 5:
        raise ValueError(
            f"step() returned {_describe(result)}, expected the 5-tuple "
            "(obs, reward, terminated, truncated, info)."
        )
    obs, reward, terminated, truncated, info = result
    _check_observation(obs, env.observation_space, "step()")
    _check_reward(reward)
    for name, flag in (("terminated", terminated), ("truncated", truncated)):
        if not isinstance(flag, (bool, np.bool_)):
            raise ValueError(
                f"step() returned {name} = {_describe(flag)}, expected a bool: return bool({name})."
            )
    if not isinstance(info, dict):
        raise ValueError(
            f"step() returned info = {_describe(info)}, expected a dict: return {{}} (or a "
            "dict of extra information) as the last value."
        )


def _check_algo(env: gym.Env, algo: str) -> None:
    spec = algorithm_spec(algo)
    obs_space, action_space = env.observation_space, env.action_space
    if not isinstance(obs_space, OBSERVATION_SPACES):
        raise ValueError(
            f"observation_space {obs_space} ({type(obs_space).__name__}) is not supported: the "
            "agents take Box (vectors, images), Discrete, MultiDiscrete, MultiBinary, Dict or "
            "Tuple observations. Flatten it with a wrapper, e.g. "
            "lambda: gymnasium.wrappers.FlattenObservation(MyEnv())."
        )
    if isinstance(obs_space, spaces.Dict):
        check_entries(obs_space)
    if isinstance(obs_space, spaces.Tuple):
        check_entries(spaces.Dict({str(i): s for i, s in enumerate(obs_space.spaces)}))
    if not isinstance(action_space, spec.action_spaces):
        key = spec.name
        needs = " or ".join(k.__name__ for k in spec.action_spaces)
        fitting = fitting_algorithms(action_space)
        core = [n for n in fitting if algorithm_spec(n).sb3_class.startswith("stable_baselines3:")]
        fix = (
            f"Algorithms that fit this env: {', '.join(fitting)}; pass e.g. "
            f"algo={(core or fitting)[-1]!r}."
            if fitting
            else "No algorithm here fits it: change the action space to Discrete or Box."
        )
        raise ValueError(
            f"{key} cannot act in action_space {action_space} ({type(action_space).__name__}): "
            f"{key} needs a {needs} action space. {fix}"
        )
    if spec.action_masks and not callable(getattr(env.unwrapped, "action_masks", None)):
        raise ValueError(
            f"{spec.name} acts only on the actions the env allows, read from "
            f"env.action_masks(), and {type(env.unwrapped).__name__} has no such method. Add "
            "one that returns a bool array with one entry per action (True: allowed), or use "
            "algo='ppo'."
        )


class _PythonScalars(gym.Wrapper):
    """Give the library checkers the Python ``float``/``bool`` they insist on.

    ``validate_env`` accepts NumPy numbers as rewards and ``np.bool_`` flags from ``step``
    (training handles them fine); Gymnasium's checker wants ``truncated is False`` and SB3's
    wants ``isinstance(reward, float)``, so this wrapper converts them before those checks.
    """

    def step(self, action: Any) -> tuple[Any, float, bool, bool, dict[str, Any]]:
        obs, reward, terminated, truncated, info = self.env.step(action)
        return obs, float(reward), bool(terminated), bool(truncated), info


def _run_library_checkers(env: gym.Env) -> None:
    from stable_baselines3.common.env_checker import check_env as sb3_check_env

    checked = _PythonScalars(env)
    run_gymnasium_checks(checked)
    try:
        sb3_check_env(checked, warn=True)
    except Exception as err:
        raise ValueError(
            "Stable-Baselines3's env checker (stable_baselines3.common.env_checker.check_env) "
            f"failed: {type(err).__name__}: {err}"
        ) from err


TRUSTED_ENTRY_POINTS: tuple[str, ...] = ("gymnasium.envs.", "ale_py.env:")
"""Entry points of registered envs known to follow the API (Gymnasium's own, ale-py's)."""


def is_trusted(env_id: str | None) -> bool:
    """Whether ``env_id`` is registered from a :data:`TRUSTED_ENTRY_POINTS` package."""
    if env_id is None:
        return False
    from gymnasium.envs.registration import registry

    entry_point = str(getattr(registry.get(env_id), "entry_point", ""))
    return entry_point.startswith(TRUSTED_ENTRY_POINTS)


def validate_env(env: gym.Env, *, algo: str | None = None, trusted: bool = False) -> None:
    """Check that ``env`` follows the Gymnasium API and suits ``algo``; raise what to fix.

    The environment is reset and stepped a few times, then reset again (``seed=None``) so it
    stays usable; it is not closed.

    Args:
        env: the environment instance to check.
        algo: a name of the algorithm registry to also check that the algorithm can handle
            the spaces (its ``action_spaces``; MaskablePPO also needs ``action_masks()``).
            ``None`` skips this check.
        trusted: skip Gymnasium's and SB3's checkers (several resets each: seconds for an
            Atari game), as for the envs of :func:`is_trusted`; the library's own checks of
            the spaces, ``reset`` and ``step`` still run.

    Raises:
        TypeError: ``env`` is not a ``gymnasium.Env`` or ``algo`` is not a string.
        ValueError: the first problem found, naming the method or space at fault and the fix;
            failures inside Gymnasium's or SB3's checkers start with that checker's name.

    Example:
        >>> import gymnasium
        >>> validate_env(gymnasium.make("CartPole-v1"), algo="dqn")
    """
    if not isinstance(env, gym.Env):
        raise TypeError(
            f"validate_env expects a gymnasium.Env instance, got {_describe(env)}. For an id, "
            "class or factory, build the env first: resolve_env(spec).factory()."
        )
    _check_spaces(env)
    if algo is not None:
        _check_algo(env, algo)
    _check_reset(env)
    _check_step(env)
    if not trusted:
        _run_library_checkers(env)
    env.reset(seed=None)


def ignore_irrelevant_checker_warnings(env_id: str | None) -> None:
    """Silence checker warnings that do not apply to agents built here.

    SB3's "minimal resolution 36x36" is about its NatureCNN (the library cnn reads small
    images); Gymnasium's and ale-py's own envs are known to work (:func:`is_trusted`), so the
    checkers' style advice about them (infinite bounds, asymmetric action ranges) is noise.
    Custom envs keep every warning.
    Call inside ``warnings.catch_warnings()``.

    Args:
        env_id: the registered id of the env being checked, or None for custom envs.
    """
    warnings.filterwarnings("ignore", message=".*minimal resolution for an image is 36x36")
    if is_trusted(env_id):
        warnings.simplefilter("ignore", UserWarning)
