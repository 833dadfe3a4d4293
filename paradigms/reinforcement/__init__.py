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
    from paradigms.reinforcement.env_source import EnvSource, resolve_env
    from paradigms.reinforcement.envs import GridWorldEnv, PixelCatchEnv
    from paradigms.reinforcement.extractor import BackboneExtractor
    from paradigms.reinforcement.plots import plot_episode_returns
    from paradigms.reinforcement.presets import PRESETS_SOURCE, get_preset, list_presets
    from paradigms.reinforcement.recording import record_episode
    from paradigms.reinforcement.validation import validate_env

__all__ = [
    "PRESETS_SOURCE",
    "Agent",
    "BackboneExtractor",
    "EnvSource",
    "GridWorldEnv",
    "PixelCatchEnv",
    "get_preset",
    "list_presets",
    "plot_episode_returns",
    "record_episode",
    "resolve_env",
    "validate_env",
]

_LAZY = {
    "Agent": "paradigms.reinforcement.agent",
    "BackboneExtractor": "paradigms.reinforcement.extractor",
    "EnvSource": "paradigms.reinforcement.env_source",
    "GridWorldEnv": "paradigms.reinforcement.envs",
    "PixelCatchEnv": "paradigms.reinforcement.envs",
    "get_preset": "paradigms.reinforcement.presets",
    "list_presets": "paradigms.reinforcement.presets",
    "PRESETS_SOURCE": "paradigms.reinforcement.presets",
    "plot_episode_returns": "paradigms.reinforcement.plots",
    "record_episode": "paradigms.reinforcement.recording",
    "resolve_env": "paradigms.reinforcement.env_source",
    "validate_env": "paradigms.reinforcement.validation",
}


__getattr__ = lazy_attributes("paradigms.reinforcement", _LAZY)
