"""Parameters of an RL run (kept free of heavy imports so the CLI starts fast)."""

from __future__ import annotations

import contextlib
import math
from dataclasses import dataclass

from paradigms._common.run_options import option
from paradigms.reinforcement.algorithms import choices_text

#: ``stop_reward`` values that are words rather than numbers.
STOP_AT_THRESHOLD = "threshold"
NEVER_STOP = "none"


@dataclass
class RLRunConfig:
    """Parameters of one RL run (all recorded in ``config.json``); each field is an option of
    ``paradigms rl`` with its help."""

    env: str = option(
        "CartPole-v1",
        "a registered Gymnasium id (CartPole-v1, Pendulum-v1...) or module.path:ClassName, "
        "e.g. paradigms.reinforcement.envs:GridWorldEnv",
    )
    algo: str = option("ppo", choices_text())
    timesteps: int = option(0, "environment steps to train for (0: the tuned preset's budget)")
    seed: int = option(0, "seeds the agent and its envs")
    n_envs: int = option(0, "parallel training envs (0: the preset's value)")
    backbone: str = "auto"
    freeze_backbone: bool = option(False, "keep a pretrained --backbone file's weights fixed")
    eval_episodes: int = option(20, "episodes per evaluation (during training and the final one)")
    eval_freq: int = option(0, "environment steps between evaluations (0: about ten per run)")
    stop_reward: str | float = option(
        STOP_AT_THRESHOLD,
        "stop once an evaluation's mean return reaches: threshold (the env's registered "
        "reward threshold; no early stop for envs without one) | none | a number",
    )
    device: str = "auto"


def _check_int(name: str, value: object, minimum: int, meaning: str) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ValueError(f"{name} must be an int >= {minimum} ({meaning}); got {value!r}.")


def check_config(config: RLRunConfig) -> None:
    """Check the plain-value fields of ``config`` (the env, algo and backbone are checked later).

    Raises:
        TypeError: ``config`` is not an :class:`RLRunConfig`.
        ValueError: naming the field, the value received and what is expected.
    """
    if not isinstance(config, RLRunConfig):
        raise TypeError(f"expected an RLRunConfig; got {type(config).__name__}.")
    if not isinstance(config.env, str) or not config.env:
        raise ValueError(
            f"env must be a registered Gymnasium id or a 'module.path:ClassName' string; got "
            f"{config.env!r}. (For an env instance or factory, use Agent directly.)"
        )
    _check_int("timesteps", config.timesteps, 0, "0 takes the preset's budget")
    _check_int("seed", config.seed, 0, "the seed of the agent and its envs")
    _check_int("n_envs", config.n_envs, 0, "0 takes the preset's value")
    _check_int("eval_episodes", config.eval_episodes, 1, "episodes per evaluation")
    _check_int("eval_freq", config.eval_freq, 0, "0 evaluates about ten times per run")
    if not isinstance(config.freeze_backbone, bool):
        raise ValueError(f"freeze_backbone must be True or False; got {config.freeze_backbone!r}.")
    stop_reward_target(config.stop_reward, None)


def stop_reward_target(stop_reward: str | float, threshold: float | None) -> float | None:
    """The mean return at which training stops, or None to never stop early.

    Args:
        stop_reward: ``"threshold"``, ``"none"``, or a number (or a numeric string).
        threshold: the env's registered reward threshold, if any.

    Raises:
        ValueError: ``stop_reward`` is none of those.
    """
    if isinstance(stop_reward, str):
        word = stop_reward.strip().lower()
        if word == STOP_AT_THRESHOLD:
            return threshold
        if word in (NEVER_STOP, ""):
            return None
    value = math.nan
    if not isinstance(stop_reward, bool):
        with contextlib.suppress(TypeError, ValueError):
            value = float(stop_reward)
    if not math.isfinite(value):
        raise ValueError(
            f"stop_reward must be {STOP_AT_THRESHOLD!r} (the env's registered reward threshold), "
            f"{NEVER_STOP!r} (never stop early) or a finite number such as 200; got "
            f"{stop_reward!r}."
        )
    return value
