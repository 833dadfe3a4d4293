"""The networks inside an :class:`~paradigms.reinforcement.Agent`: policy, extractor, backbones.

A mixin, so that ``agent.py`` keeps to building, training and saving; it reads only
``self.model`` (the SB3 algorithm) and ``self.source`` (the env).
"""

from __future__ import annotations

from typing import Any

import torch
from stable_baselines3.common.base_class import BaseAlgorithm

from paradigms.backbones import Backbone
from paradigms.reinforcement.dict_observations import DictBackboneExtractor
from paradigms.reinforcement.env_source import EnvSource
from paradigms.reinforcement.extractor import BackboneExtractor


class PolicyViews:
    """``policy``, ``extractor``, ``backbone_``, ``backbones_``, ``num_timesteps`` and the
    env's ``reward_threshold``."""

    model: BaseAlgorithm
    source: EnvSource

    @property
    def policy(self) -> torch.nn.Module:
        """The SB3 policy network."""
        return self.model.policy

    @property
    def extractor(self) -> BackboneExtractor:
        """The actor's features extractor (critics may hold their own copy); with a frozen
        backbone, the one that computes the features once per env step."""
        frozen = getattr(self, "_frozen", None)
        if frozen is not None:
            return frozen
        for module in self.model.policy.modules():
            if isinstance(module, BackboneExtractor):
                return module
        raise RuntimeError("the policy has no BackboneExtractor")  # built by _build; never hit

    @property
    def backbone_(self) -> Backbone:
        """The actor's backbone: save it with ``save_backbone`` and reuse it anywhere.

        Raises:
            ValueError: for ``Dict`` observations, which have one backbone per entry
                (``backbones_``).
        """
        extractor = self._dict_extractor()
        if extractor is not None:
            raise ValueError(
                f"this agent reads Dict observations with one backbone per entry "
                f"({extractor.keys}); use agent.backbones_[key]."
            )
        return self.extractor.backbone

    @property
    def backbones_(self) -> dict[str, Backbone]:
        """The actor's backbones by observation entry (``{"observation": backbone_}`` for
        observations that are not a ``Dict``)."""
        extractor = self._dict_extractor()
        return extractor.backbones if extractor is not None else {"observation": self.backbone_}

    @property
    def reads_dict_observations(self) -> bool:
        """Whether observations are a ``Dict`` read with one backbone per entry."""
        return self._dict_extractor() is not None

    def _dict_extractor(self) -> DictBackboneExtractor | None:
        for module in self.model.policy.modules():
            if isinstance(module, DictBackboneExtractor):
                return module
        return None

    def _backbone_names(self) -> Any:
        names = {k: b.config.name if b.config else "?" for k, b in self.backbones_.items()}
        return names if self.reads_dict_observations else names["observation"]

    @property
    def num_timesteps(self) -> int:
        """Environment steps taken so far (all learn() calls)."""
        return int(self.model.num_timesteps)

    @property
    def reward_threshold(self) -> float | None:
        """The env's registered "solved" threshold (e.g. 475 for CartPole-v1), if any."""
        from gymnasium.envs.registration import registry

        spec = registry.get(self.source.env_id) if self.source.env_id else None
        value = getattr(spec, "reward_threshold", None)
        return None if value is None else float(value)
