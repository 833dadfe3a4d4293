"""A frozen backbone computed once per env step: observations become its features.

A frozen backbone inside the policy runs again on every observation of every minibatch of
every optimisation epoch (PPO: ``n_epochs`` times per rollout; SAC: on each replayed batch),
although its output cannot change. SB3's maintainers suggest a wrapper that turns
observations into features instead (SB3 issue #409). :class:`FrozenFeatures` is that wrapper:
the vectorised env's observations pass through the backbone (with its own input scaling, in
eval mode, without gradients) once, when the env returns them, and the policy reads the
feature vectors through SB3's ``FlattenExtractor``; the layers after the backbone are the same
as on the unfrozen path. ``terminal_observation`` in the infos (used to bootstrap truncated
episodes) is converted too.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import torch
from gymnasium import spaces
from stable_baselines3.common.preprocessing import preprocess_obs
from stable_baselines3.common.vec_env import VecEnv, VecEnvWrapper, unwrap_vec_normalize

from paradigms.reinforcement.extractor import BackboneExtractor

__all__ = [
    "FrozenFeatures",
    "frozen_backbone_state",
    "frozen_extractor",
    "policy_input",
    "unwrap_features",
]


class FrozenFeatures(VecEnvWrapper):
    """``venv`` whose observations are ``extractor``'s features: ``(n_envs, features_dim)``.

    Args:
        venv: the vectorised env (any ``VecNormalize`` inside it applies first).
        extractor: a frozen :class:`BackboneExtractor` built on ``venv``'s observation space.
    """

    def __init__(self, venv: VecEnv, extractor: BackboneExtractor) -> None:
        self.extractor = extractor.eval()
        self.raw_space = venv.observation_space
        dim = int(extractor.features_dim)
        space = spaces.Box(-np.inf, np.inf, (dim,), np.float32)
        super().__init__(venv, observation_space=space)

    def features(self, observations: Any) -> np.ndarray:
        """A batch of raw observations ``(n, *obs_shape)`` -> float32 ``(n, features_dim)``."""
        device = next(self.extractor.parameters()).device
        tensor = torch.as_tensor(np.asarray(observations), device=device)
        with torch.no_grad():
            prepared = preprocess_obs(tensor, self.raw_space, normalize_images=False)
            out = self.extractor(prepared)  # type: ignore[arg-type]
        return out.float().cpu().numpy()

    def reset(self) -> np.ndarray:
        return self.features(self.venv.reset())

    def step_wait(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[dict[str, Any]]]:
        observations, rewards, dones, infos = self.venv.step_wait()
        for info in infos:
            if "terminal_observation" in info:
                terminal = np.asarray(info["terminal_observation"])[None]
                info["terminal_observation"] = self.features(terminal)[0]
        return self.features(observations), rewards, dones, infos


def unwrap_features(venv: VecEnv) -> VecEnv:
    """The env under a :class:`FrozenFeatures` (itself when there is none)."""
    return venv.venv if isinstance(venv, FrozenFeatures) else venv


def frozen_backbone_state(extractor: BackboneExtractor) -> Mapping[str, torch.Tensor]:
    """The frozen extractor's tensors, for saving beside the policy's."""
    return {f"frozen_features/{k}": v for k, v in extractor.state_dict().items()}


def frozen_extractor(
    space: spaces.Space,
    backbone: Any,
    backbone_kwargs: Mapping[str, Any],
    seed: int | None,
    device: str,
) -> BackboneExtractor:
    """The frozen :class:`BackboneExtractor` that :class:`FrozenFeatures` runs, seeded like
    the policy (a random ``"auto"`` backbone is the same on every run with that seed)."""
    with torch.random.fork_rng():
        if seed is not None:
            torch.manual_seed(seed)
        extractor = BackboneExtractor(
            space, backbone=backbone, backbone_kwargs=backbone_kwargs, freeze_backbone=True
        )
    return extractor.to(device)


def policy_input(venv: VecEnv, observation: Any) -> Any:
    """Raw env observations (one, or a batch) as the policy reads them from ``venv``:
    normalised by its ``VecNormalize``, then turned into features by its
    :class:`FrozenFeatures`, when it has them."""
    normalizer = unwrap_vec_normalize(venv)
    if normalizer is not None:
        if isinstance(observation, Mapping):
            observation = {k: np.asarray(v) for k, v in observation.items()}
        observation = normalizer.normalize_obs(observation)
    if isinstance(venv, FrozenFeatures):
        array = np.asarray(observation)
        single = array.shape == venv.raw_space.shape
        features = venv.features(array[None] if single else array)
        return features[0] if single else features
    return observation
