"""``Agent.load("model.zip", env=...)``: an SB3 file as a paradigms agent, nothing unpickled.

The file is read by :mod:`.sb3_archive` (JSON with its pickles dropped unread, tensors with
``weights_only=True``); the algorithm, spaces, hyperparameters and network come from the
readable fields (:mod:`.sb3_fields`); the agent is built as ``Agent`` builds any agent and
the file's weights, optimizer states and variables are copied in (:mod:`.sb3_layout`). The
agent then predicts exactly as the SB3 model did, trains on, and ``Agent.save`` writes it as
safetensors + JSON. Values the file only holds as pickles are named in ``agent.sb3_notes_``
and in one warning; SB3 keeps ``VecNormalize`` statistics and replay buffers in separate
files, which are not read.
"""

from __future__ import annotations

import os
import warnings
from typing import TYPE_CHECKING, Any

import torch

from paradigms.reinforcement._build import plan_agent
from paradigms.reinforcement.extractor import BackboneExtractor, observation_layout
from paradigms.reinforcement.sb3_archive import SB3Archive, read_sb3_archive
from paradigms.reinforcement.sb3_fields import (
    RecoveredModel,
    detect_algorithm,
    recover_model,
    space_description,
)
from paradigms.reinforcement.sb3_layout import copy_optimizers, copy_policy, distinct_tensors
from paradigms.reinforcement.serialization import (
    check_spaces,
    restore_counters,
    spaces_only_factory,
)

if TYPE_CHECKING:
    from paradigms.reinforcement.agent import Agent


class SB3ImportWarning(UserWarning):
    """Some values of an SB3 file exist only as pickles and were replaced by SB3's defaults."""


def _backbone(recovered: RecoveredModel) -> tuple[str, dict[str, Any]]:
    """The backbone that reproduces the file's network (see ``sb3_layout.py``)."""
    if recovered.features == "nature_cnn":
        return "nature_cnn", {"features": recovered.features_dim}
    net_arch = recovered.policy_kwargs["net_arch"]
    branches = list(net_arch.values()) if isinstance(net_arch, dict) else [net_arch]
    splits = recovered.algo in ("ppo", "a2c", "dqn") and all(branches)
    if splits and len({widths[0] for widths in branches}) == 1:
        return "auto", {}  # the first layer becomes an mlp backbone, reusable elsewhere
    return "flatten", {}


def _spaces_factory(archive: SB3Archive, descriptions: dict[str, Any]) -> Any:
    config = {"env_name": archive.path.stem, **descriptions}
    return spaces_only_factory(config, archive.path)


def _keep_pixel_scaling(agent: Agent, recovered: RecoveredModel) -> None:
    """``normalize_images=False`` in the file: the policy read raw pixel values."""
    if recovered.policy_kwargs.get("normalize_images", True):
        return
    for module in agent.model.policy.modules():
        if isinstance(module, BackboneExtractor):
            module.backbone.normalizer.set_statistics(0.0, 1.0)


def load_sb3_agent(
    cls: type[Agent],
    path: str | os.PathLike[str],
    *,
    env: Any = None,
    algo: str | None = None,
    device: str = "auto",
    n_envs: int | None = None,
) -> Agent:
    """Rebuild the model of an SB3 ``.zip`` as an ``Agent`` (see ``Agent.load``).

    Raises:
        ValueError: the file is not an SB3 model, holds pickles where tensors belong, has a
            network or space paradigms cannot rebuild, or does not fit ``env``.
    """
    archive = read_sb3_archive(path)
    found = detect_algorithm(archive, algo)
    recovered = recover_model(archive, found)
    notes = recovered.notes
    descriptions = {
        name: space_description(archive, name, notes)
        for name in ("observation_space", "action_space")
    }
    inference_only = env is None
    env_spec = _spaces_factory(archive, descriptions) if inference_only else env
    backbone, backbone_kwargs = _backbone(recovered)
    agent = cls.__new__(cls)
    seed = archive.fields.get("seed")
    agent._prepare(
        env_spec,
        found,
        seed=seed if isinstance(seed, int) else None,
        freeze_backbone=False,
        vec_env="dummy",
        num_threads=1,
        verbose=0,
        check_env=not inference_only,
    )
    agent._precompute_frozen = False
    base = {**recovered.hyperparameters, "policy_kwargs": dict(recovered.policy_kwargs)}
    base["policy_kwargs"].pop("normalize_images", None)
    layout, _ = observation_layout(agent._observation_space)
    hyper, backbone, backbone_kwargs = plan_agent(
        found, base, {}, n_envs, layout, backbone, backbone_kwargs
    )
    agent._finish(hyper, backbone, backbone_kwargs, device=device)
    check_spaces(agent, descriptions, str(archive.path), channel_first=True)
    model = agent.model
    pairs = copy_policy(model, found, archive.policy)
    _keep_pixel_scaling(agent, recovered)
    with torch.no_grad():
        for name, value in archive.variables.items():
            target = getattr(model, name, None)
            if not torch.is_tensor(target) or tuple(target.shape) != tuple(value.shape):
                notes.append(f"{name}: not a variable of the rebuilt {found.upper()}; ignored")
                continue
            target.copy_(value.to(target.device, target.dtype))
    sb3_names = list(distinct_tensors(archive.policy))
    copy_optimizers(model, archive.optimizers, pairs, sb3_names, notes)
    fields = archive.fields
    restore_counters(model, fields.get("num_timesteps") or 0, fields.get("_n_updates") or 0)
    agent.inference_only = inference_only
    agent.sb3_notes_ = notes
    if notes:
        warnings.warn(
            f"{archive.path.name} was read without unpickling, and {len(notes)} value(s) could "
            f"not be read back exactly: {'; '.join(notes)}. (agent.sb3_notes_ lists them.)",
            SB3ImportWarning,
            stacklevel=3,
        )
    return agent
