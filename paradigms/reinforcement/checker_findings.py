"""Gymnasium's env checker, one check at a time: refuse what breaks training, warn on hygiene.

``gymnasium.utils.env_checker.check_env`` stops at the first failed assertion, whatever it is
about. Some of its checks find envs that would crash or train wrongly (a malformed space,
``step`` returning values outside its space); others find hygiene problems that
stable-baselines3 trains through correctly: observations that share memory between calls
(SB3's vectorised envs copy every observation into their own buffer) or seeding that is not
reproducible (training works; only the exact rerun does not). :data:`GYMNASIUM_CHECKS` says,
for each check, which it is and why; ``docs/env_validation.md`` shows the same table and a test
keeps the two equal. :func:`run_gymnasium_checks` runs them in Gymnasium's order.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import gymnasium as gym
from gymnasium.utils import env_checker as gym_checks

__all__ = [
    "GYMNASIUM_CHECKS",
    "SPACE_CHECKS",
    "CheckerFinding",
    "markdown_table",
    "run_gymnasium_checks",
]


@dataclass(frozen=True)
class CheckerFinding:
    """One of Gymnasium's checks and what a failure of it means here.

    Attributes:
        check: the function's name in ``gymnasium.utils.env_checker``.
        refuse: True when a failure means training would crash or be wrong (``ValueError``);
            False when SB3 trains the env correctly anyway (``UserWarning``).
        why: the reason, shown in the warning or the error.
        fix: what to change in the env.
    """

    check: str
    refuse: bool
    why: str
    fix: str

    def run(self, env: gym.Env) -> None:
        """Run the check on ``env``; a failure raises ``ValueError`` or warns, as decided."""
        function: Callable[..., Any] = getattr(gym_checks, self.check)
        try:
            function(*self._arguments(env))
        except (AssertionError, gym.error.Error) as err:
            text = f"Gymnasium's env checker ({self.check}) found: {str(err).rstrip('.')}"
            if self.refuse:
                raise ValueError(f"{text}. {self.why}. Fix: {self.fix}.") from err
            warnings.warn(
                f"{text}. {self.why}, so the env is accepted. To fix it: {self.fix}.",
                UserWarning,
                stacklevel=4,
            )

    def _arguments(self, env: gym.Env) -> tuple[Any, ...]:
        if self.check == "check_action_space":
            return (env.action_space,)
        if self.check == "check_observation_space":
            return (env.observation_space,)
        if self.check == "env_step_passive_checker":  # after a reset, as check_env does it
            env.reset(seed=0)
            return (env, env.action_space.sample())
        return (env,)


GYMNASIUM_CHECKS: tuple[CheckerFinding, ...] = (
    CheckerFinding(
        "check_action_space",
        True,
        "a malformed action space makes the policy's output layer wrong or crash",
        "build it with a gymnasium.spaces constructor (low and high of its shape, n > 0)",
    ),
    CheckerFinding(
        "check_observation_space",
        True,
        "a malformed observation space makes the network's input wrong or crash",
        "build it with a gymnasium.spaces constructor (low and high of its shape, n > 0)",
    ),
    CheckerFinding(
        "check_reset_return_type",
        True,
        "SB3's vectorised envs unpack reset() as (obs, info)",
        "end reset with `return obs, {}`, obs inside observation_space",
    ),
    CheckerFinding(
        "check_reset_seed_determinism",
        False,
        "seeding does not make reset reproducible: SB3 still trains, but two runs with the "
        "same seed differ",
        "call super().reset(seed=seed) first in reset and draw all randomness from self.np_random",
    ),
    CheckerFinding(
        "check_reset_options",
        True,
        "reset does not take options=, and Gymnasium's wrappers (the TimeLimit of "
        "gymnasium.make, FlattenObservation...) always pass it, so wrapping the env crashes",
        "define `def reset(self, *, seed=None, options=None)`",
    ),
    CheckerFinding(
        "env_reset_passive_checker",
        True,
        "reset returns values SB3 cannot store (wrong type, shape or outside the space)",
        "return observations inside observation_space and a dict as info",
    ),
    CheckerFinding(
        "env_step_passive_checker",
        True,
        "step returns values SB3 cannot store (wrong type, shape or outside the space)",
        "return (obs, float reward, bool terminated, bool truncated, dict info)",
    ),
    CheckerFinding(
        "check_step_determinism",
        False,
        "the same seed and action give different steps: SB3 still trains, but two runs with "
        "the same seed differ",
        "draw all randomness in step from self.np_random, seeded in reset",
    ),
    CheckerFinding(
        "check_returned_data_not_reused",
        False,
        "observations (or infos) from different calls share memory; SB3's vectorised envs "
        "copy every observation into their own buffer, so training is not affected (your own "
        "code that keeps observations would see them change)",
        "return a new array each call, e.g. `return obs.copy(), info`",
    ),
)
"""Gymnasium's checks in the order its ``check_env`` runs them (render and close skipped)."""


SPACE_CHECKS = frozenset({"check_action_space", "check_observation_space"})
"""The checks that read only the spaces (run before anything calls the env)."""


def run_gymnasium_checks(env: gym.Env, *, spaces_only: bool = False) -> None:
    """Run :data:`GYMNASIUM_CHECKS` on ``env``: the space checks, or the rest.

    Args:
        env: the env.
        spaces_only: run only the checks of the spaces (True) or only the others (False).

    Raises:
        ValueError: the first refusing check that fails, with why and the fix.

    Warns:
        UserWarning: for each warning check that fails.
    """
    with warnings.catch_warnings():
        # the env is wrapped on purpose (often by gymnasium.make)
        warnings.filterwarnings("ignore", message=".*different from the unwrapped version")
        for finding in GYMNASIUM_CHECKS:
            if (finding.check in SPACE_CHECKS) == spaces_only:
                finding.run(env)


def markdown_table() -> str:
    """The table of :data:`GYMNASIUM_CHECKS` as GitHub markdown (what the docs show)."""
    lines = ["| Gymnasium check | verdict | why | fix |", "|---|---|---|---|"]
    for item in GYMNASIUM_CHECKS:
        verdict = "refuse (ValueError)" if item.refuse else "warn (UserWarning)"
        lines.append(f"| `{item.check}` | {verdict} | {item.why} | {item.fix} |")
    return "\n".join(lines)
