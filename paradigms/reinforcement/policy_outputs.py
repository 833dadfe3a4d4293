"""The differentiable output a policy decides from, for every policy family: what ONNX export
writes as a graph and what attributions explain.

One function, :func:`decision_output`, reads the family from the registry
(:attr:`~.policy_layouts.PolicyLayout.output`) instead of guessing it from the policy's
attributes; a family without a stateless output (RecurrentPPO's LSTM) is refused in words.
"""

from __future__ import annotations

import torch
from stable_baselines3.common.policies import BasePolicy

from paradigms.reinforcement.algorithms import algorithm_spec

__all__ = ["decision_output", "stateless_refusal"]


def stateless_refusal(algo: str, what: str) -> str | None:
    """Why ``what`` (``"ONNX export"``, ``"attribution"``) cannot run on ``algo``'s policy,
    or None when it can."""
    if algorithm_spec(algo).layout.output:
        return None
    return (
        f"{what} reads a policy's decision from one observation, and {algo.upper()}'s policy "
        "also depends on its hidden state (an LSTM carried across steps); it is not available "
        "for recurrent policies. Train with algo='ppo' (optionally with a frame stack) to use it."
    )


def decision_output(
    policy: BasePolicy, x: torch.Tensor, algo: str, *, log_probabilities: bool = False
) -> torch.Tensor:
    """The policy's decision values for observations ``x`` ``(B, *obs_shape)`` (already
    preprocessed as the policy reads them).

    Args:
        policy: the SB3 policy of an agent trained with ``algo``.
        x: observations.
        algo: the registry name, which tells the policy family.
        log_probabilities: for actor-critic policies over ``Discrete`` actions, the
            distribution's normalised log-probabilities rather than the action layer's raw
            logits (both rank the actions alike).

    Returns:
        ``(B, n_actions)`` logits or Q-values (the mean over quantiles for QR-DQN) for
        discrete actions; ``(B, action_dim)`` the deterministic action before it is scaled to
        the bounds for continuous ones (tanh-squashed where the policy squashes).

    Raises:
        ValueError: for a policy family without a stateless output (:func:`stateless_refusal`).
    """
    output = algorithm_spec(algo).layout.output
    if output == "q_values":
        return policy.q_net(x)
    if output == "quantiles":
        return policy.quantile_net(x).mean(dim=1)
    if output == "actor_critic":
        if log_probabilities:
            return policy.get_distribution(x).distribution.logits
        # BasePolicy's: ActorCriticPolicy's own returns (pi, vf) features when unshared
        features = BasePolicy.extract_features(policy, x, policy.pi_features_extractor)
        mean = policy.action_net(policy.mlp_extractor.forward_actor(features))
        return torch.tanh(mean) if policy.squash_output else mean  # gSDE may squash
    if output == "squashed_gaussian":
        actor = policy.actor
        features = actor.extract_features(x, actor.features_extractor)
        return torch.tanh(actor.mu(actor.latent_pi(features)))
    if output == "deterministic":
        return policy.actor(x)  # TD3: the actor ends in tanh
    raise ValueError(stateless_refusal(algo, "this"))
