"""How each family of SB3 policies lays out its parameters: one :class:`PolicyLayout` per family.

An algorithm's registry entry (:mod:`.algorithms`) names its family; everything that reads or
writes a policy's parameters by name asks the layout: copying an SB3 file's tensors into an
agent (``sb3_layout.py``), telling which algorithm wrote a file and reading its ``net_arch``
from the weights' shapes (``sb3_fields.py``), whether a classifier's head can start the actor
(``policy_start.py``), and how ``backbone="auto"`` splits the network (``_build.py``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

__all__ = [
    "ACTOR_CRITIC",
    "DETERMINISTIC_ACTOR",
    "QUANTILE_NETWORK",
    "Q_NETWORK",
    "RECURRENT_ACTOR_CRITIC",
    "SQUASHED_GAUSSIAN_ACTOR",
    "PolicyLayout",
]


@dataclass(frozen=True)
class PolicyLayout:
    """The parameter names of one family of SB3 policies.

    Attributes:
        name: the family, for messages.
        branches: each branch (actor, critic, each target network...) as the parameter
            prefixes in the order its layers run, valid both in SB3's layout and in the one
            paradigms builds (a prefix ending in "." is a module, any other an exact name).
        actor_layers: prefix of the actor's (or Q-network's) ``Linear`` layers in an SB3 file.
        actor_output: whether the last of those is the output layer (not part of ``net_arch``).
        critic_layers: the same for a separate critic, or None.
        critic_output: whether the critic's last layer is its output layer.
        critic_key: ``net_arch``'s key for the critic's layers (``"vf"`` or ``"qf"``).
        file_marks: parameter prefixes that every SB3 file of this family holds.
        file_first_layer_backbone: an SB3 file's first hidden layer reads the observation
            alone, so it can become an ``mlp`` backbone (not where the critic reads the
            observation and the action together, nor before an LSTM).
        auto_splits_first_layer: with ``backbone="auto"`` and vector observations, the tuned
            network's first layer becomes the ``mlp`` backbone (otherwise the ``flatten``
            backbone feeds the whole network, as SB3's ``MlpPolicy`` does).
        action_head: the actor goes from the features straight to an ``action_net``, so a
            classifier's head can start it (behaviour cloning).
        recurrent: the policy carries a hidden state from step to step (an LSTM).
        output: what its decision is read from (:mod:`.policy_outputs`): ``"actor_critic"``
            (the actor's action layer), ``"q_values"``, ``"quantiles"`` (their mean is the
            Q-value), ``"squashed_gaussian"`` (the actor's tanh mean), ``"deterministic"``
            (the actor's action), or ``""`` where no stateless output exists (an LSTM).
    """

    name: str
    branches: tuple[tuple[str, ...], ...]
    actor_layers: str
    actor_output: bool
    critic_layers: str | None
    critic_output: bool
    critic_key: str
    file_marks: tuple[str, ...]
    file_first_layer_backbone: bool
    auto_splits_first_layer: bool = True
    action_head: bool = False
    recurrent: bool = False
    output: str = ""

    def net_arch(self, policy: Mapping[str, Any]) -> Any:
        """``net_arch`` as SB3 reads it, from the shapes of an SB3 file's ``policy`` tensors."""
        pi = _widths(policy, self.actor_layers)
        pi = pi[:-1] if self.actor_output else pi
        if self.critic_layers is None:
            return pi
        critic = _widths(policy, self.critic_layers)
        critic = critic[:-1] if self.critic_output else critic
        return pi if pi == critic else {"pi": pi, self.critic_key: critic}

    def holds(self, names: list[str]) -> bool:
        """Whether parameter ``names`` (an SB3 file's) have every mark of this family."""
        return all(any(n.startswith(mark) for n in names) for mark in self.file_marks)


def _widths(policy: Mapping[str, Any], prefix: str) -> list[int]:
    """Output widths of the ``Linear`` layers under ``prefix``, in order."""
    layers = sorted(
        (int(k[len(prefix) :].split(".")[0]), v)
        for k, v in policy.items()
        if k.startswith(prefix)
        and k.endswith(".weight")
        and k[len(prefix) :].split(".")[0].isdigit()
    )
    return [int(v.shape[0]) for _, v in layers]


_ACTOR = ("features_extractor.", "mlp_extractor.policy_net.", "action_net.")
_CRITIC = ("vf_features_extractor.", "mlp_extractor.value_net.", "value_net.")

#: PPO, A2C, MaskablePPO: separate actor and critic MLPs after the features
ACTOR_CRITIC = PolicyLayout(
    "actor-critic",
    branches=(_ACTOR, _CRITIC, ("log_std",)),
    actor_layers="mlp_extractor.policy_net.",
    actor_output=False,
    critic_layers="mlp_extractor.value_net.",
    critic_output=False,
    critic_key="vf",
    file_marks=("action_net.", "value_net."),
    file_first_layer_backbone=True,
    action_head=True,
    output="actor_critic",
)
#: RecurrentPPO: an LSTM between the features and each MLP
RECURRENT_ACTOR_CRITIC = PolicyLayout(
    "recurrent actor-critic",
    branches=(
        (_ACTOR[0], "lstm_actor.", *_ACTOR[1:]),
        (_CRITIC[0], "lstm_critic.", "critic.", *_CRITIC[1:]),
        ("log_std",),
    ),
    actor_layers="mlp_extractor.policy_net.",
    actor_output=False,
    critic_layers="mlp_extractor.value_net.",
    critic_output=False,
    critic_key="vf",
    file_marks=("action_net.", "value_net.", "lstm_actor."),
    file_first_layer_backbone=False,
    auto_splits_first_layer=False,
    recurrent=True,
)


def _value_network(name: str, module: str, output: str) -> PolicyLayout:
    """A network of action values (``module``) and its target, as DQN and QR-DQN have."""
    return PolicyLayout(
        name,
        branches=((f"{module}.",), (f"{module}_target.",)),
        actor_layers=f"{module}.{module}.",
        actor_output=True,
        critic_layers=None,
        critic_output=False,
        critic_key="",
        file_marks=(f"{module}.", f"{module}_target."),
        file_first_layer_backbone=True,
        output=output,
    )


#: DQN: a Q-network and its target
Q_NETWORK = _value_network("Q-network", "q_net", "q_values")
#: QR-DQN: a quantile network and its target
QUANTILE_NETWORK = _value_network("quantile network", "quantile_net", "quantiles")
#: SAC, TQC: a squashed Gaussian actor, critics reading observation and action together
SQUASHED_GAUSSIAN_ACTOR = PolicyLayout(
    "squashed Gaussian actor",
    branches=(("actor.",), ("critic.",), ("critic_target.",)),
    actor_layers="actor.latent_pi.",
    actor_output=False,
    critic_layers="critic.qf0.",
    critic_output=True,
    critic_key="qf",
    file_marks=("actor.latent_pi.", "critic.qf0."),
    file_first_layer_backbone=False,
    output="squashed_gaussian",
)
#: TD3: a deterministic actor with its target, critics with theirs
DETERMINISTIC_ACTOR = PolicyLayout(
    "deterministic actor",
    branches=(("actor.",), ("actor_target.",), ("critic.",), ("critic_target.",)),
    actor_layers="actor.mu.",
    actor_output=True,
    critic_layers="critic.qf0.",
    critic_output=True,
    critic_key="qf",
    file_marks=("actor.mu.", "critic.qf0.", "actor_target."),
    file_first_layer_backbone=False,
    output="deterministic",
)
