"""Start a policy from a network trained by another paradigm: behaviour cloning's hand-over.

A ``Classifier`` fitted on an expert's ``(observation, action)`` pairs holds a
:class:`~paradigms.backbones.BackboneWithHead`: a backbone and a linear head whose logits
score the actions. Given as ``Agent(env, algo="ppo", backbone=clf.model_)``, the backbone
becomes the policy's features extractor (for the actor and, as a separate copy, the critic)
and the head becomes the actor's action layer, so the agent starts by acting as the classifier
predicts and PPO fine-tunes from there. Only the backbones package is involved: the
reinforcement paradigm never imports the supervised one.

The actor then has no layers between the backbone and the action layer (``net_arch`` with
``pi=[]``), as in the classifier; the critic keeps the algorithm's usual layers.

The critic starts untrained, and PPO's first updates follow its advantages: a cloned policy
that already solves the env is then pushed away from it (measured on CartPole: a clone at
return 500 fell to 123-416 within 20,000 steps). So the actor waits: for the first
``critic_warmup`` steps (a hyperparameter; by default enough rollouts for
:data:`CRITIC_WARMUP_UPDATES` critic updates, at least two) only the critic trains, on the
returns of the cloned policy itself (:class:`CriticWarmup`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
from gymnasium import spaces
from stable_baselines3.common.callbacks import BaseCallback

from paradigms.backbones import BackboneWithHead
from paradigms.reinforcement.algorithms import REGISTRY, algorithm_defaults, algorithm_spec

#: how far below the demonstrated actions' lowest bias an action the expert never took
#: starts: rarely sampled at first, still reachable by PPO's exploration and updates
UNSEEN_ACTION_OFFSET = 3.0
#: critic minibatch updates before the actor starts to train (see the module docstring)
CRITIC_WARMUP_UPDATES = 512


@dataclass(frozen=True)
class ActionHead:
    """The actor's first action layer: ``weight`` ``(n_actions, features)``, ``bias``
    ``(n_actions,)``, row ``i`` for action ``i`` (counted from the space's ``start``)."""

    weight: torch.Tensor
    bias: torch.Tensor


def _action_rows(labels: tuple[Any, ...], space: spaces.Discrete) -> list[int]:
    n, start = int(space.n), int(space.start)
    rows = []
    for label in labels:
        value = label.item() if isinstance(label, np.generic) else label
        if isinstance(value, bool) or not isinstance(value, int) or not start <= value < start + n:
            raise ValueError(
                f"the network's outputs stand for {list(labels)}, which are not all actions of "
                f"the env's {space} (integers {start}..{start + n - 1}); fit the classifier on "
                "the action indices the env takes."
            )
        rows.append(value - start)
    return rows


def split_policy_network(
    network: Any, algo: str, action_space: spaces.Space
) -> tuple[Any, ActionHead | None]:
    """``(backbone, head)`` from a ``BackboneWithHead``; anything else passes through with
    ``None``.

    Raises:
        ValueError: a head given to an algorithm without an action layer after the features
            (DQN, SAC, TD3, RecurrentPPO...) or for
            an action space other than ``Discrete``, or labels that are not the env's actions.
    """
    if not isinstance(network, BackboneWithHead):
        return network, None
    if not algorithm_spec(algo).layout.action_head:
        starters = [name for name, spec in REGISTRY.items() if spec.layout.action_head]
        raise ValueError(
            f"a backbone with a head starts the actor of an actor-critic policy that goes from "
            f"the features straight to its action layer (algo={' or '.join(map(repr, starters))}); "
            f"{algo.upper()} has no such layer to start. Pass its .backbone alone."
        )
    if not isinstance(action_space, spaces.Discrete):
        raise ValueError(
            f"a classifier's head starts a policy over Discrete actions; the env's actions are "
            f"{action_space}. Pass the network's .backbone alone."
        )
    head = network.head
    labels = network.output_labels or tuple(range(head.out_features))
    if len(labels) != head.out_features:
        raise ValueError(
            f"the network has {head.out_features} outputs but {len(labels)} output_labels."
        )
    rows = _action_rows(tuple(labels), action_space)
    with torch.no_grad():
        weight = torch.zeros(int(action_space.n), head.in_features)
        bias = torch.full((int(action_space.n),), float(head.bias.min()) - UNSEEN_ACTION_OFFSET)
        for output, row in enumerate(rows):
            weight[row] = head.weight[output].detach().cpu()
            bias[row] = head.bias[output].detach().cpu()
    return network.backbone, ActionHead(weight, bias)


def actor_layout(algo: str, policy_kwargs: dict[str, Any] | None) -> dict[str, Any]:
    """``policy_kwargs`` with the actor going straight from the backbone to the action layer
    (``pi=[]``), the critic keeping the algorithm's layers, and separate trunks, unless the
    user chose otherwise."""
    kwargs = dict(policy_kwargs or {})
    kwargs.setdefault("net_arch", {"pi": [], "vf": list(algorithm_spec(algo).net_arch)})
    kwargs.setdefault("share_features_extractor", False)
    return kwargs


def apply_action_head(policy: torch.nn.Module, head: ActionHead) -> None:
    """Copy ``head`` into the policy's ``action_net``.

    Raises:
        ValueError: the actor has layers after the backbone, so the head does not fit.
    """
    action_net = policy.action_net
    if tuple(action_net.weight.shape) != tuple(head.weight.shape):
        raise ValueError(
            f"the policy's action layer takes {action_net.in_features} features, the network's "
            f"head {head.weight.shape[1]}: the actor must go straight from the backbone to the "
            "action layer; leave policy_kwargs['net_arch'] out (or give it pi=[])."
        )
    with torch.no_grad():
        action_net.weight.copy_(head.weight.to(action_net.weight))
        action_net.bias.copy_(head.bias.to(action_net.bias))


def default_critic_warmup(algo: str, hyperparameters: dict[str, Any]) -> int:
    """Environment steps of critic-only training: whole rollouts, enough for
    :data:`CRITIC_WARMUP_UPDATES` minibatch updates of the critic, and at least two."""
    defaults = algorithm_defaults(algo)  # A2C: one epoch, one batch per rollout
    setting = {**defaults, **hyperparameters}
    rollout = int(setting["n_steps"]) * int(hyperparameters.get("n_envs", 1))
    batch = max(1, int(setting.get("batch_size") or rollout))
    updates = int(setting.get("n_epochs", 1)) * math.ceil(rollout / batch)
    return max(2, math.ceil(CRITIC_WARMUP_UPDATES / updates)) * rollout


def actor_parameters(policy: torch.nn.Module) -> list[torch.nn.Parameter]:
    """The parameters only the actor uses: its own features extractor (when not shared with
    the critic), its layers, the action layer and, for continuous actions, ``log_std``."""
    modules = [policy.mlp_extractor.policy_net, policy.action_net]
    if not getattr(policy, "share_features_extractor", True):
        modules.append(policy.pi_features_extractor)
    params = [p for module in modules for p in module.parameters()]
    log_std = getattr(policy, "log_std", None)
    return [*params, log_std] if isinstance(log_std, torch.nn.Parameter) else params


class CriticWarmup(BaseCallback):
    """Keep the actor's parameters fixed until ``until`` environment steps: PPO's and A2C's
    updates then train the critic alone (their gradients skip parameters without one)."""

    def __init__(self, until: int) -> None:
        super().__init__()
        self.until = int(until)

    def _set_actor(self, trainable: bool) -> None:
        for param in actor_parameters(self.model.policy):
            param.requires_grad_(trainable)

    def _on_training_start(self) -> None:
        self._set_actor(self.model.num_timesteps >= self.until)

    def _on_rollout_end(self) -> None:  # before the update of this rollout
        if self.model.num_timesteps >= self.until:
            self._set_actor(True)

    def _on_training_end(self) -> None:
        self._set_actor(True)

    def _on_step(self) -> bool:
        return True
