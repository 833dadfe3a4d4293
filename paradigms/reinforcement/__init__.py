"""The reinforcement paradigm: Gymnasium agents on stable-baselines3 with a shared backbone.

Names are imported on first use, so ``import paradigms.reinforcement`` stays light.

>>> from paradigms.reinforcement import Agent
>>> agent = Agent("CartPole-v1", algo="ppo", seed=0).learn(100_000)
"""

# ruff: noqa: F401 - the public names are these imports, read by lazy_exports
from __future__ import annotations

from typing import TYPE_CHECKING

from paradigms._lazy import lazy_exports

if TYPE_CHECKING:
    from paradigms.reinforcement.agent import Agent
    from paradigms.reinforcement.demonstrations import Demonstrations, collect_demonstrations
    from paradigms.reinforcement.env_source import EnvSource, resolve_env
    from paradigms.reinforcement.envs import (
        CorridorEnv,
        GridWorldEnv,
        LineTargetEnv,
        MaskedChoiceEnv,
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

__all__, __getattr__ = lazy_exports(__name__, __file__)
