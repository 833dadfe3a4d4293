"""The reinforcement paradigm: Gymnasium agents on stable-baselines3 with a shared backbone.

Names are imported on first use, so ``import paradigms.reinforcement`` stays light.

>>> from paradigms.reinforcement import Agent
>>> agent = Agent("CartPole-v1", algo="ppo", seed=0).learn(100_000)
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from paradigms._lazy import lazy_attributes

if TYPE_CHECKING:
    from paradigms.reinforcement.agent import Agent
    from paradigms.reinforcement.demonstrations import Demonstrations, collect_demonstrations
    from paradigms.reinforcement.env_source import EnvSource, resolve_env
    from paradigms.reinforcement.envs import (
        CorridorEnv,
        GridWorldEnv,
        LineTargetEnv,
        PixelCatchEnv,
        PixelGoalEnv,
        PixelHalfEnv,
        PixelSideEnv,
        ReachEnv,
    )
    from paradigms.reinforcement.extractor import BackboneExtractor
    from paradigms.reinforcement.presets import PRESETS_SOURCE, get_preset, list_presets
    from paradigms.reinforcement.recording import record_episode
    from paradigms.reinforcement.sb3_import import SB3ImportWarning
    from paradigms.reinforcement.seeds import (
        SeedSummary,
        evaluate_seeds,
        interquartile_mean,
        summarize_seeds,
    )
    from paradigms.reinforcement.tuning import tune_agent
    from paradigms.reinforcement.validation import validate_env
    from paradigms.report.rl_curves import plot_episode_returns

__all__ = [
    "PRESETS_SOURCE",
    "Agent",
    "BackboneExtractor",
    "CorridorEnv",
    "Demonstrations",
    "EnvSource",
    "GridWorldEnv",
    "LineTargetEnv",
    "PixelCatchEnv",
    "PixelGoalEnv",
    "PixelHalfEnv",
    "PixelSideEnv",
    "ReachEnv",
    "SB3ImportWarning",
    "SeedSummary",
    "collect_demonstrations",
    "evaluate_seeds",
    "get_preset",
    "interquartile_mean",
    "list_presets",
    "plot_episode_returns",
    "record_episode",
    "resolve_env",
    "summarize_seeds",
    "tune_agent",
    "validate_env",
]

_LAZY = {
    "Agent": "paradigms.reinforcement.agent",
    "SB3ImportWarning": "paradigms.reinforcement.sb3_import",
    "Demonstrations": "paradigms.reinforcement.demonstrations",
    "collect_demonstrations": "paradigms.reinforcement.demonstrations",
    "tune_agent": "paradigms.reinforcement.tuning",
    "BackboneExtractor": "paradigms.reinforcement.extractor",
    "EnvSource": "paradigms.reinforcement.env_source",
    "GridWorldEnv": "paradigms.reinforcement.envs",
    "PixelCatchEnv": "paradigms.reinforcement.envs",
    "CorridorEnv": "paradigms.reinforcement.envs",
    "LineTargetEnv": "paradigms.reinforcement.envs",
    "PixelGoalEnv": "paradigms.reinforcement.envs",
    "PixelHalfEnv": "paradigms.reinforcement.envs",
    "PixelSideEnv": "paradigms.reinforcement.envs",
    "ReachEnv": "paradigms.reinforcement.envs",
    "SeedSummary": "paradigms.reinforcement.seeds",
    "evaluate_seeds": "paradigms.reinforcement.seeds",
    "interquartile_mean": "paradigms.reinforcement.seeds",
    "summarize_seeds": "paradigms.reinforcement.seeds",
    "get_preset": "paradigms.reinforcement.presets",
    "list_presets": "paradigms.reinforcement.presets",
    "PRESETS_SOURCE": "paradigms.reinforcement.presets",
    "plot_episode_returns": "paradigms.report.rl_curves",
    "record_episode": "paradigms.reinforcement.recording",
    "resolve_env": "paradigms.reinforcement.env_source",
    "validate_env": "paradigms.reinforcement.validation",
}


__getattr__ = lazy_attributes("paradigms.reinforcement", _LAZY)
