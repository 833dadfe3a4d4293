"""An agent's deterministic policy as one ONNX graph: raw observation in, action out.

What SB3 does around the network is inside the graph, so that the file alone acts as
``agent.predict(obs, deterministic=True)`` does: the channel-last -> channel-first
transposition of image observations, SB3's uint8 / 255 scaling, ``VecNormalize``'s
observation statistics, a frozen backbone computed outside the policy, the greedy action
(argmax of logits or Q-values), and for continuous actions SB3's clipping to the action
space (PPO, A2C) or its rescaling of the actor's tanh output to the bounds (SAC, TD3), then
clipped, so that float32 rounding never yields an action outside the space.
SB3 users hand-write such a wrapper (SB3 issues #383, #1349); here it is built from the agent.
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np
import torch
from gymnasium import spaces
from stable_baselines3.common.base_class import BaseAlgorithm
from stable_baselines3.common.vec_env import VecEnv, unwrap_vec_normalize
from torch import nn

from paradigms._common.onnx_export import OnnxExport, export_module
from paradigms._common.threads import torch_threads
from paradigms.reinforcement.frozen_features import unwrap_features
from paradigms.reinforcement.observations import as_observation_batch
from paradigms.reinforcement.policy_outputs import decision_output, stateless_refusal

#: observations sampled from the observation space to trace and check when none are given
EXAMPLE_OBSERVATIONS = 16


class DeterministicPolicy(nn.Module):
    """``(B, *obs_shape)`` raw observations -> ``(B,)`` int64 actions (``Discrete``) or
    ``(B, *action_shape)`` float32 actions (``Box``), as SB3's deterministic ``predict``.

    Args:
        model: the SB3 algorithm.
        algo: its registry name (which tells the policy family, :mod:`.policy_outputs`).
        env: the agent's vectorised env (its ``VecNormalize`` statistics are copied).
        frozen: a frozen backbone run before the policy, or ``None``.
        transpose: observations arrive channel-last ``(B, H, W, C)`` and the policy reads them
            channel-first, as SB3's ``VecTransposeImage`` gives them.
    """

    def __init__(
        self,
        model: BaseAlgorithm,
        algo: str,
        env: VecEnv,
        frozen: nn.Module | None,
        transpose: bool,
    ) -> None:
        super().__init__()
        self.policy = model.policy
        self.algo = algo
        self.frozen = frozen
        self.transpose = transpose
        self.action_space = model.action_space
        normalizer = unwrap_vec_normalize(env)
        self.normalize = normalizer is not None and bool(normalizer.norm_obs)
        if self.normalize:
            stats = normalizer.obs_rms  # type: ignore[union-attr]
            self.clip = float(normalizer.clip_obs)  # type: ignore[union-attr]
            std = np.sqrt(stats.var + normalizer.epsilon)  # type: ignore[union-attr]
            self.register_buffer("obs_mean", torch.as_tensor(stats.mean, dtype=torch.float32))
            self.register_buffer("obs_std", torch.as_tensor(std, dtype=torch.float32))
        if isinstance(self.action_space, spaces.Box):
            low = torch.as_tensor(self.action_space.low, dtype=torch.float32)
            high = torch.as_tensor(self.action_space.high, dtype=torch.float32)
            self.register_buffer("action_low", low)
            self.register_buffer("action_high", high)

    def forward(self, observation: torch.Tensor) -> torch.Tensor:
        x = observation.float()
        if self.transpose:
            x = x.permute(0, 3, 1, 2)
        if self.normalize:
            x = torch.clamp((x - self.obs_mean) / self.obs_std, -self.clip, self.clip)
        if self.frozen is not None:
            x = self.frozen(x)
        out = self._network_output(x)
        if isinstance(self.action_space, spaces.Discrete):
            return out.argmax(dim=1)
        if self.policy.squash_output:  # SAC, TD3 (gSDE): tanh output in [-1, 1] -> the bounds
            out = self.action_low + 0.5 * (out + 1.0) * (self.action_high - self.action_low)
        # clipped either way: float32 rounding of the rescaling may step 1 ulp past a bound
        return torch.maximum(torch.minimum(out, self.action_high), self.action_low)

    def _network_output(self, x: torch.Tensor) -> torch.Tensor:
        """Logits or Q-values (discrete), or the deterministic action before SB3's
        post-processing (continuous); no ``torch.distributions`` (they cannot be exported)."""
        return decision_output(self.policy, x, self.algo)


def export_refusal(model: BaseAlgorithm, algo: str, raw_space: spaces.Space) -> str | None:
    """Why the policy cannot be exported, or ``None`` when it can."""
    stateful = stateless_refusal(algo, "ONNX export")
    if stateful is not None:
        return stateful
    if not isinstance(raw_space, spaces.Box):
        return (
            f"ONNX export takes Box observations (vectors or images); this agent reads "
            f"{type(raw_space).__name__} observations. Export its backbones one by one with "
            "paradigms.backbones.export_onnx(agent.backbones_[key], path)."
        )
    if not isinstance(model.action_space, (spaces.Discrete, spaces.Box)):
        return (
            f"ONNX export takes Discrete or Box actions; this agent acts in "
            f"{type(model.action_space).__name__}."
        )
    return None


class PolicyExport:
    """``export_onnx`` for :class:`~paradigms.reinforcement.Agent` (reads ``model``, ``env``,
    ``_frozen``, ``num_threads`` and ``predict``)."""

    model: BaseAlgorithm
    algo: str
    env: VecEnv
    num_threads: int | None
    _frozen: Any

    def export_onnx(self, path: str | os.PathLike[str], observations: Any = None) -> OnnxExport:
        """Write the deterministic policy as ONNX: ``observation`` ``(batch, *obs_shape)`` ->
        ``action`` (``(batch,)`` int64 for ``Discrete``, ``(batch, *action_shape)`` float32
        for ``Box``), with the agent's observation preprocessing inside the graph.

        The observations enter as the env returns them: its shape (images channel-last when
        the env's are) and its dtype (``uint8`` images stay ``uint8``).

        Args:
            path: the ``.onnx`` file to write.
            observations: raw observations ``(n, *obs_shape)`` to trace and check on
                (default: samples from the observation space).

        Returns:
            :class:`~paradigms._common.onnx_export.OnnxExport`; the file's actions on the
            example observations were checked equal to ``predict``'s (a ``ValueError`` if
            not).

        Raises:
            ValueError: Dict observations, action spaces other than Discrete and Box,
                observations of the wrong shape.
        """
        env_space = unwrap_features(self.env).observation_space
        refusal = export_refusal(self.model, self.algo, env_space)
        if refusal is not None:
            raise ValueError(refusal)
        assert isinstance(env_space, spaces.Box)
        policy_space = self.model.policy.observation_space if self._frozen is None else env_space
        policy_shape = policy_space.shape
        transpose = tuple(policy_shape) != tuple(env_space.shape)  # SB3's VecTransposeImage
        graph = DeterministicPolicy(self.model, self.algo, self.env, self._frozen, transpose)
        example = torch.from_numpy(self._example_observations(env_space, observations))
        self._check_against_predict(graph, example)
        notes = {
            "paradigms_model": "Agent",
            "algo": self.algo,
            "observation_shape": str(list(env_space.shape)),
            "action_space": repr(self.model.action_space),
        }
        policy = self.model.policy
        was_training = policy.training
        try:
            with torch_threads(self.num_threads):
                return export_module(
                    graph,
                    example,
                    path,
                    input_name="observation",
                    output_names=["action"],
                    metadata=notes,
                )
        finally:
            policy.set_training_mode(was_training)
            policy.to(self.model.device)

    def _example_observations(self, space: spaces.Box, observations: Any) -> np.ndarray:
        """Observations in the env's layout and dtype ``(n, *space.shape)``."""
        dtype = np.uint8 if space.dtype == np.uint8 else np.float32
        if observations is None:
            space.seed(0)
            return np.stack([space.sample() for _ in range(EXAMPLE_OBSERVATIONS)]).astype(dtype)
        return as_observation_batch(observations, space)[0].astype(dtype)

    def _check_against_predict(self, graph: DeterministicPolicy, example: torch.Tensor) -> None:
        """The graph's actions must be ``predict``'s: a ``ValueError`` otherwise."""
        policy = self.model.policy
        policy.set_training_mode(False)
        with torch.no_grad(), torch_threads(self.num_threads):
            got = graph.to(policy.device)(example.to(policy.device)).cpu().numpy()
        want, _ = self.predict(example.numpy())  # type: ignore[attr-defined]
        if isinstance(self.model.action_space, spaces.Discrete):
            agree = np.array_equal(got, np.asarray(want).reshape(got.shape))
        else:
            agree = np.allclose(got, np.asarray(want).reshape(got.shape), atol=1e-5)
        if not agree:
            raise ValueError(
                "the exported policy's actions differ from predict's on the example "
                "observations; this policy's layout is not supported for export, please report "
                "it with the algorithm and the env."
            )
