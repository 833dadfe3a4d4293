"""The networks inside an :class:`~paradigms.reinforcement.Agent`: policy, extractor, backbones,
and ``predict``.

A mixin, so that ``agent.py`` keeps to building, training and saving; it reads only
``self.model`` (the SB3 algorithm), ``self.source`` and ``self.env`` (the env) and
``self.num_threads``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch
from stable_baselines3.common.base_class import BaseAlgorithm
from stable_baselines3.common.vec_env import VecEnv

from paradigms._common.threads import torch_threads
from paradigms.backbones import Backbone
from paradigms.reinforcement.algorithms import REGISTRY, algorithm_spec
from paradigms.reinforcement.dict_observations import DictBackboneExtractor
from paradigms.reinforcement.env_source import EnvSource
from paradigms.reinforcement.extractor import BackboneExtractor
from paradigms.reinforcement.frozen_features import policy_input, unwrap_features
from paradigms.reinforcement.observations import check_observations


class PolicyViews:
    """``predict``, ``policy``, ``extractor``, ``backbone_``, ``backbones_``,
    ``num_timesteps`` and the env's ``reward_threshold``."""

    model: BaseAlgorithm
    algo: str
    source: EnvSource
    env: VecEnv
    num_threads: int | None

    def predict(
        self,
        observation: Any,
        state: tuple[np.ndarray, ...] | None = None,
        episode_start: np.ndarray | None = None,
        deterministic: bool = True,
        action_masks: np.ndarray | None = None,
    ) -> tuple[np.ndarray, tuple[np.ndarray, ...] | None]:
        """Actions for raw env observations, as SB3's ``predict`` (normalisation applied).

        Args:
            observation: one observation ``obs_shape`` or a batch ``(n, *obs_shape)``.
            state, episode_start: a recurrent policy's hidden state (RecurrentPPO: pass back
                the state it returned, and ``episode_start`` True where an episode begins);
                None starts from zeros. Other policies return None as their state.
            deterministic: greedy actions (True) or sampled ones.
            action_masks: MaskablePPO only: the valid actions, as the env's
                ``action_masks()`` gives them (bool ``(n_actions,)`` or ``(n, n_actions)``);
                None lets every action through.

        Returns:
            ``(actions, state)``.

        Raises:
            ValueError: Box observations of the wrong shape, an empty batch, NaN or infinity;
                ``action_masks`` for an algorithm that takes none.
        """
        check_observations(observation, unwrap_features(self.env).observation_space)
        masks = {}
        if action_masks is not None:
            if not self.uses_action_masks:
                masked = [name for name, spec in REGISTRY.items() if spec.action_masks]
                raise ValueError(
                    f"action_masks are read by algo={' or '.join(map(repr, masked))} only; "
                    f"this agent is {self.algo.upper()}, whose actions are never masked. "
                    "Leave them out."
                )
            masks = {"action_masks": np.asarray(action_masks, dtype=bool)}
        with torch_threads(self.num_threads):
            return self.model.predict(
                policy_input(self.env, observation),
                state=state,
                episode_start=episode_start,
                deterministic=deterministic,
                **masks,
            )

    @property
    def uses_action_masks(self) -> bool:
        """Whether the algorithm acts on the env's ``action_masks()`` (MaskablePPO)."""
        return algorithm_spec(self.algo).action_masks

    @property
    def recurrent(self) -> bool:
        """Whether the policy carries a hidden state between steps (RecurrentPPO)."""
        return algorithm_spec(self.algo).layout.recurrent

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
