"""Which observation features drive an agent's actions: attributions through Captum.

The policy is explained as one differentiable function of the *raw* observation, with what
happens before the network inside it: ``VecNormalize``'s scaling, a frozen backbone computed
outside the policy (:mod:`~paradigms.reinforcement.frozen_features`), SB3's image scaling
(uint8 / 255) and channel transposition. The explained output is:

- discrete actions: the logit of an action (PPO, A2C) or its Q-value (DQN), by default the
  greedy action's;
- continuous actions: one action dimension's deterministic value (PPO/A2C's mean, SAC and
  TD3's actor output); by default every dimension, their absolute attributions summed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
from gymnasium import spaces
from stable_baselines3.common.base_class import BaseAlgorithm
from stable_baselines3.common.vec_env import VecEnv, unwrap_vec_normalize

from paradigms._common.threads import torch_threads
from paradigms.reinforcement.frozen_features import unwrap_features
from paradigms.reinforcement.observations import as_observation_batch
from paradigms.reinforcement.policy_outputs import decision_output, stateless_refusal
from paradigms.report.attributions import IG_STEPS, INSTALL_HINT, attribute, check_method
from paradigms.report.explain_classifier import captum_available

#: the most evaluation steps collected, and the most observations explained from them
COLLECT_CAP, EXPLAINED_CAP = 5_000, 500


@dataclass(frozen=True)
class ObservationImportance:
    """Attributions of the policy over observations from evaluation episodes.

    Attributes:
        importance: mean absolute attribution per observation value ``obs_shape``.
        observations: the explained observations ``(k, *obs_shape)`` (evenly spaced over the
            episodes' steps).
        attributions: their attributions ``(k, *obs_shape)``.
        episodes: evaluation episodes played.
        method: the attribution method.
    """

    importance: np.ndarray
    observations: np.ndarray
    attributions: np.ndarray
    episodes: int
    method: str


class PolicyAttribution:
    """``attribute`` and ``observation_importance`` for :class:`~paradigms.reinforcement.Agent`
    (it reads ``model``, ``env``, ``num_threads``, ``_frozen`` and ``evaluation_env``)."""

    model: BaseAlgorithm
    algo: str
    env: VecEnv
    num_threads: int | None
    _frozen: Any

    def _raw_space(self) -> spaces.Space:
        """The space of what the explained function reads: the raw observations beneath a
        frozen backbone's features, else what the policy reads."""
        if self._frozen is not None:
            return unwrap_features(self.env).observation_space
        return self.model.policy.observation_space

    def attribution_refusal(self) -> str | None:
        """Why :meth:`attribute` cannot explain this agent, or ``None`` when it can."""
        stateful = stateless_refusal(self.algo, "attribution")
        if stateful is not None:
            return stateful
        space = self._raw_space()
        if not isinstance(space, spaces.Box):
            return (
                f"attributions need Box observations (vectors or images); this agent reads "
                f"{type(space).__name__} observations. Explain one entry with a Classifier "
                "fitted on it, or flatten the observation in a wrapper."
            )
        action_space = self.model.action_space
        if not isinstance(action_space, (spaces.Discrete, spaces.Box)):
            return (
                f"attributions explain Discrete or Box actions; this agent acts in "
                f"{type(action_space).__name__}."
            )
        if not captum_available():
            return f"attributions need Captum: {INSTALL_HINT}"
        return None

    def _policy_function(self) -> Callable[[torch.Tensor], torch.Tensor]:
        """Raw observations ``(B, *obs_shape)`` (float) -> outputs ``(B, n_outputs)``."""
        policy = self.model.policy
        normalizer = unwrap_vec_normalize(self.env)
        frozen = self._frozen
        device = policy.device
        discrete = isinstance(self.model.action_space, spaces.Discrete)

        def forward(observations: torch.Tensor) -> torch.Tensor:
            x = observations
            if normalizer is not None and normalizer.norm_obs:
                stats = normalizer.obs_rms
                mean = torch.as_tensor(stats.mean, dtype=x.dtype, device=device)
                var = torch.as_tensor(stats.var, dtype=x.dtype, device=device)
                clip = float(normalizer.clip_obs)  # as VecNormalize: clip((x - m) / sqrt(v + e))
                x = torch.clamp((x - mean) / torch.sqrt(var + normalizer.epsilon), -clip, clip)
            if frozen is not None:
                x = frozen(x.float())
            return decision_output(policy, x, self.algo, log_probabilities=discrete)

        return forward

    def attribute(
        self,
        observations: Any,
        target: int | None = None,
        method: str = "integrated_gradients",
        n_steps: int = IG_STEPS,
    ) -> np.ndarray:
        """How much each observation value drove the policy's output, per observation.

        Args:
            observations: raw env observations ``(n, *obs_shape)`` (or one ``obs_shape``),
                images channel-last as the env returns them or channel-first.
            target: the action (discrete) or action dimension (continuous) to explain;
                ``None``: the greedy action, or for continuous actions every dimension (the
                absolute attributions summed).
            method: ``"integrated_gradients"`` (from an all-zero observation) or
                ``"saliency"``.
            n_steps: integration steps of integrated gradients.

        Returns:
            Float array shaped like ``observations``.

        Raises:
            ValueError: ``Dict``/discrete observation spaces, action spaces other than
                ``Discrete`` and ``Box``, observations of the wrong shape, a target outside
                the action space.
        """
        check_method(method)
        refusal = self.attribution_refusal()
        if refusal is not None and not refusal.startswith("attributions need Captum"):
            raise ValueError(refusal)
        space = self._raw_space()
        action_space = self.model.action_space
        batch, single, transposed = as_observation_batch(observations, space)
        n_outputs = (
            int(action_space.n)
            if isinstance(action_space, spaces.Discrete)
            else int(np.prod(action_space.shape))
        )
        if target is not None and not (
            isinstance(target, (int, np.integer)) and 0 <= int(target) < n_outputs
        ):
            raise ValueError(
                f"target must be an int in 0..{n_outputs - 1} (an action, or an action "
                f"dimension); got {target!r}."
            )
        forward = self._policy_function()
        policy = self.model.policy
        inputs = torch.as_tensor(batch, dtype=torch.float32, device=policy.device)
        was_training = policy.training
        policy.set_training_mode(False)
        try:
            with torch_threads(self.num_threads):
                values = self._attribute_outputs(forward, inputs, target, method, n_steps)
        finally:
            policy.set_training_mode(was_training)
        result = values.numpy()
        if transposed:
            result = np.moveaxis(result, 1, -1)
        return result[0] if single else result

    def _attribute_outputs(
        self,
        forward: Callable[[torch.Tensor], torch.Tensor],
        inputs: torch.Tensor,
        target: int | None,
        method: str,
        n_steps: int,
    ) -> torch.Tensor:
        n = len(inputs)
        if target is not None:
            chosen = torch.full((n,), int(target), dtype=torch.long, device=inputs.device)
            return attribute(forward, inputs, chosen, method, n_steps)
        if isinstance(self.model.action_space, spaces.Discrete):
            with torch.no_grad():
                greedy = forward(inputs).argmax(dim=1)
            return attribute(forward, inputs, greedy, method, n_steps)
        total = torch.zeros(inputs.shape)
        for dim in range(int(np.prod(self.model.action_space.shape))):
            chosen = torch.full((n,), dim, dtype=torch.long, device=inputs.device)
            total += attribute(forward, inputs, chosen, method, n_steps).abs()
        return total

    def observation_importance(
        self,
        n_episodes: int = 5,
        method: str = "integrated_gradients",
        max_observations: int = EXPLAINED_CAP,
    ) -> ObservationImportance:
        """Play ``n_episodes`` evaluation episodes (greedy actions) and average the absolute
        attributions of the observations seen: which features drive the chosen actions.

        Args:
            n_episodes: evaluation episodes to play (at most :data:`COLLECT_CAP` steps in all).
            method: as for :meth:`attribute`.
            max_observations: the most observations explained, evenly spaced over the steps.
        """
        if int(n_episodes) < 1 or int(max_observations) < 1:
            raise ValueError(
                f"n_episodes and max_observations must be positive ints; got {n_episodes!r} "
                f"and {max_observations!r}."
            )
        observations, episodes = self._evaluation_observations(int(n_episodes))
        keep = np.unique(np.linspace(0, len(observations) - 1, int(max_observations)).astype(int))
        picked = observations[keep]
        values = self.attribute(picked, method=method)
        return ObservationImportance(np.abs(values).mean(axis=0), picked, values, episodes, method)

    def _evaluation_observations(self, n_episodes: int) -> tuple[np.ndarray, int]:
        """Raw observations of greedy evaluation episodes ``(steps, *obs_shape)``."""
        venv = unwrap_features(self.evaluation_env())  # type: ignore[attr-defined]
        normalizer = unwrap_vec_normalize(venv)
        observation = venv.reset()
        seen, episodes = [], 0
        while episodes < n_episodes and len(seen) < COLLECT_CAP:
            raw = normalizer.get_original_obs() if normalizer is not None else observation
            seen.append(np.asarray(raw)[0])
            action, _ = self.predict(raw)  # type: ignore[attr-defined]
            observation, _, dones, _ = venv.step(action)
            episodes += int(dones[0])
        return np.stack(seen), max(episodes, 1)
