"""Copy an SB3 policy's tensors into an agent built by paradigms.

The two networks compute the same function but are laid out differently. For a vector
observation, SB3's ``MlpPolicy`` flattens the observation and keeps every layer in
``mlp_extractor`` (PPO, A2C) or ``q_net`` (DQN); paradigms puts each trunk's first layer in
a backbone (``features_extractor.backbone`` for the actor, ``vf_features_extractor.backbone``
for the critic) and the remaining layers where SB3 has them. SAC's and TD3's critics read the
observation and the action together, so there paradigms uses the weightless ``"flatten"``
backbone and the layouts coincide. Within each branch (the actor, the critic, each target
network) both lay their parameters out in the order the layers run, so tensors are paired in
order and every pair must agree in shape; nothing is matched by guesswork across branches.
The branches of each policy family are its layout's (:mod:`.policy_layouts`).

Optimizer states are paired the same way: SB3 numbers an optimizer's parameters in the order
its module lists them, so an SB3 index maps to an SB3 name, to a paradigms parameter, to that
parameter's index in paradigms' optimizer.
"""

from __future__ import annotations

import operator
from collections.abc import Iterable, Mapping
from typing import Any

import torch
from stable_baselines3.common.base_class import BaseAlgorithm

from paradigms.reinforcement.algorithms import algorithm_spec


def _matches(name: str, prefix: str) -> bool:
    return name.startswith(prefix) if prefix.endswith(".") else name == prefix


def distinct_tensors(state: Mapping[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    """``state`` without the entries that share storage with an earlier one (a module SB3
    registers under two names, such as a shared extractor), as ``named_parameters`` does."""
    seen: set[tuple[int, int, tuple[int, ...]]] = set()
    out: dict[str, torch.Tensor] = {}
    for name, tensor in state.items():
        if tensor.numel():
            key = (
                tensor.untyped_storage().data_ptr(),
                tensor.storage_offset(),
                tuple(tensor.shape),
            )
            if key in seen:
                continue
            seen.add(key)
        out[name] = tensor
    return out


def _in_branch(names: Iterable[str], branch: tuple[str, ...]) -> list[str]:
    names = list(names)
    return [n for prefix in branch for n in names if _matches(n, prefix)]


def pair_parameters(
    algo: str, sb3: Mapping[str, torch.Tensor], ours: Mapping[str, torch.Tensor]
) -> dict[str, str]:
    """``{our name: SB3 name}`` for every parameter of both, branch by branch.

    Raises:
        ValueError: a branch with a different number of tensors, a shape that differs, or a
            tensor of either side that belongs to no branch.
    """
    pairs: dict[str, str] = {}
    for branch in algorithm_spec(algo).layout.branches:
        theirs, mine = _in_branch(sb3, branch), _in_branch(ours, branch)
        if len(theirs) != len(mine):
            raise ValueError(
                f"the {'/'.join(branch)} part has {len(theirs)} tensors in the SB3 file and "
                f"{len(mine)} in the rebuilt agent; the file's network is not one paradigms "
                "can rebuild (a custom policy class?)."
            )
        for mine_name, their_name in zip(mine, theirs, strict=True):
            if tuple(sb3[their_name].shape) != tuple(ours[mine_name].shape):
                raise ValueError(
                    f"{their_name} has shape {tuple(sb3[their_name].shape)} in the SB3 file, but "
                    f"its place in the rebuilt agent ({mine_name}) has "
                    f"{tuple(ours[mine_name].shape)}; the file's network is not one paradigms "
                    "can rebuild."
                )
            pairs[mine_name] = their_name
    left_theirs = sorted(set(sb3) - set(pairs.values()))
    left_mine = sorted(set(ours) - set(pairs))
    if left_theirs or left_mine:
        raise ValueError(
            f"the SB3 file's tensors {left_theirs[:4]} and the rebuilt agent's {left_mine[:4]} "
            "have no counterpart; the file's network is not one paradigms can rebuild."
        )
    return pairs


def copy_policy(
    model: BaseAlgorithm, algo: str, state: Mapping[str, torch.Tensor]
) -> dict[str, str]:
    """Copy SB3's policy ``state`` into ``model.policy``; returns the pairing used."""
    ours = dict(model.policy.named_parameters())
    sb3 = distinct_tensors(state)
    pairs = pair_parameters(algo, sb3, ours)
    with torch.no_grad():
        for mine, theirs in pairs.items():
            ours[mine].copy_(sb3[theirs].to(dtype=ours[mine].dtype))
    return pairs


def _optimizer(model: BaseAlgorithm, name: str) -> torch.optim.Optimizer:
    return operator.attrgetter(name)(model)


def remap_optimizer(
    optimizer: torch.optim.Optimizer,
    saved: Mapping[str, Any],
    our_names: Mapping[int, str],
    pairs: Mapping[str, str],
    sb3_order: Mapping[str, int],
) -> dict[str, Any]:
    """SB3's optimizer ``saved`` state renumbered for ``optimizer``'s parameters.

    Args:
        optimizer: paradigms' optimizer.
        saved: SB3's ``optimizer.state_dict()`` from the file.
        our_names: ``id(parameter) -> name`` for paradigms' parameters.
        pairs: ``{our name: SB3 name}`` (:func:`pair_parameters`).
        sb3_order: position of each SB3 name in SB3's module order.

    Raises:
        ValueError: the file's optimizer covers other parameters than this one.
    """
    params = [p for group in optimizer.param_groups for p in group["params"]]
    groups = saved.get("param_groups") or []
    if len(groups) != 1 or len(optimizer.param_groups) != 1:
        raise ValueError("one parameter group expected on both sides")
    if len(groups[0].get("params", [])) != len(params):
        raise ValueError(
            f"it covers {len(groups[0].get('params', []))} parameters, the agent's {len(params)}"
        )
    theirs = [pairs[our_names[id(p)]] for p in params]
    rank = {name: index for index, name in enumerate(sorted(theirs, key=sb3_order.__getitem__))}
    state = {
        mine: saved["state"][rank[name]]
        for mine, name in enumerate(theirs)
        if rank[name] in saved["state"]
    }
    for index, slots in state.items():
        for slot, value in slots.items():
            if torch.is_tensor(value) and value.ndim and value.shape != params[index].shape:
                raise ValueError(f"its {slot} for {theirs[index]} has shape {tuple(value.shape)}")
    group = dict(groups[0])
    for key in ("fused", "foreach", "capturable", "differentiable"):  # this machine's choice
        if key in optimizer.param_groups[0]:
            group[key] = optimizer.param_groups[0][key]
    group["params"] = list(range(len(params)))
    return {"state": state, "param_groups": [group]}


def copy_optimizers(
    model: BaseAlgorithm,
    saved: Mapping[str, Mapping[str, Any]],
    pairs: Mapping[str, str],
    sb3_names: list[str],
    notes: list[str],
) -> None:
    """Load each of SB3's optimizer states into ``model``'s optimizer of the same name; one
    that cannot be mapped is left fresh, with a line in ``notes``."""
    our_names = {id(p): name for name, p in model.policy.named_parameters()}
    order = {name: index for index, name in enumerate(sb3_names)}
    variables = model._get_torch_save_params()[1]
    for name in variables:  # SAC's log_ent_coef has its own optimizer, outside the policy
        our_names[id(getattr(model, name))] = f"variable:{name}"
        pairs = {**pairs, f"variable:{name}": f"variable:{name}"}
        order.setdefault(f"variable:{name}", len(order))
    for name, state in saved.items():
        try:
            optimizer = _optimizer(model, name)
            optimizer.load_state_dict(remap_optimizer(optimizer, state, our_names, pairs, order))
        except (AttributeError, KeyError, ValueError) as error:
            notes.append(f"{name}: its state could not be restored ({error}); it starts fresh")
