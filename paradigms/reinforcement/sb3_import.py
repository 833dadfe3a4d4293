"""An SB3 ``.zip`` read as plain data for ``Agent.load("model.zip", env=...)``, nothing unpickled.

The file is read by :mod:`.sb3_archive` (JSON with its pickles dropped unread, tensors with
``weights_only=True``); the algorithm, spaces, hyperparameters and network come from the
readable fields (:mod:`.sb3_fields`) into an :class:`SB3Model`; ``Agent.load`` builds the agent
from it through its constructor, and :func:`copy_sb3_state` copies the file's weights,
optimizer states and variables in (:mod:`.sb3_layout`). The agent then predicts exactly as
the SB3 model did, trains on, and ``Agent.save`` writes it as safetensors + JSON. Values the
file only holds as pickles are named in ``agent.sb3_notes_`` and in one warning; SB3 keeps
``VecNormalize`` statistics and replay buffers in separate files, which are not read.
"""

from __future__ import annotations

import os
import warnings
from dataclasses import dataclass
from typing import Any

import torch

from paradigms.reinforcement.algorithms import algorithm_spec
from paradigms.reinforcement.extractor import BackboneExtractor
from paradigms.reinforcement.sb3_archive import SB3Archive, read_sb3_archive
from paradigms.reinforcement.sb3_detect import detect_algorithm
from paradigms.reinforcement.sb3_fields import RecoveredModel, recover_model, space_description
from paradigms.reinforcement.sb3_layout import copy_optimizers, copy_policy, distinct_tensors
from paradigms.reinforcement.serialization import restore_counters


class SB3ImportWarning(UserWarning):
    """Some values of an SB3 file exist only as pickles and were replaced by SB3's defaults."""


@dataclass
class SB3Model:
    """What ``Agent`` needs to rebuild the model of an SB3 file, and the file itself.

    Attributes:
        archive: the file's readable contents (tensors, JSON fields).
        recovered: the algorithm, hyperparameters and network read from it.
        spaces: ``{"observation_space": description, "action_space": description}``
            (``describe_space`` form).
        hyperparameters: the base hyperparameters (JSON form, ``policy_kwargs`` included)
            the agent is built from.
        backbone: ``"auto"``, ``"flatten"`` or ``"nature_cnn"``; ``backbone_kwargs`` its own.
        seed: the file's seed, when it is an int.
    """

    archive: SB3Archive
    recovered: RecoveredModel
    spaces: dict[str, Any]
    hyperparameters: dict[str, Any]
    backbone: str
    backbone_kwargs: dict[str, Any]
    seed: int | None

    @property
    def algo(self) -> str:
        """The algorithm's registry name."""
        return self.recovered.algo

    @property
    def notes(self) -> list[str]:
        """One line per value that could not be read back exactly."""
        return self.recovered.notes


def _backbone(recovered: RecoveredModel) -> tuple[str, dict[str, Any]]:
    """The backbone that reproduces the file's network (see ``sb3_layout.py``)."""
    if recovered.features == "nature_cnn":
        return "nature_cnn", {"features": recovered.features_dim}
    net_arch = recovered.policy_kwargs["net_arch"]
    branches = list(net_arch.values()) if isinstance(net_arch, dict) else [net_arch]
    splits = algorithm_spec(recovered.algo).layout.file_first_layer_backbone and all(branches)
    if splits and len({widths[0] for widths in branches}) == 1:
        return "auto", {}  # the first layer becomes an mlp backbone, reusable elsewhere
    return "flatten", {}


def read_sb3_model(path: str | os.PathLike[str], algo: str | None = None) -> SB3Model:
    """Read an SB3 ``.zip`` (see ``Agent.load``).

    Raises:
        ValueError: the file is not an SB3 model, holds pickles where tensors belong, has a
            network or space paradigms cannot rebuild, or was written by another ``algo``.
    """
    archive = read_sb3_archive(path)
    recovered = recover_model(archive, detect_algorithm(archive, algo))
    spaces = {
        name: space_description(archive, name, recovered.notes)
        for name in ("observation_space", "action_space")
    }
    hyperparameters = {**recovered.hyperparameters, "policy_kwargs": dict(recovered.policy_kwargs)}
    hyperparameters["policy_kwargs"].pop("normalize_images", None)
    backbone, backbone_kwargs = _backbone(recovered)
    seed = archive.fields.get("seed")
    return SB3Model(
        archive,
        recovered,
        spaces,
        hyperparameters,
        backbone,
        backbone_kwargs,
        seed if isinstance(seed, int) and not isinstance(seed, bool) else None,
    )


def _keep_pixel_scaling(policy: torch.nn.Module, recovered: RecoveredModel) -> None:
    """``normalize_images=False`` in the file: the policy read raw pixel values."""
    if recovered.policy_kwargs.get("normalize_images", True):
        return
    for module in policy.modules():
        if isinstance(module, BackboneExtractor):
            module.backbone.normalizer.set_statistics(0.0, 1.0)


def copy_sb3_state(model: Any, sb3: SB3Model) -> None:
    """Copy the file's policy, variables, optimizer states and counters into ``model``, the
    SB3 algorithm ``Agent`` built from ``sb3``; what cannot be copied joins ``sb3.notes``."""
    archive, notes = sb3.archive, sb3.notes
    pairs = copy_policy(model, sb3.algo, archive.policy)
    _keep_pixel_scaling(model.policy, sb3.recovered)
    with torch.no_grad():
        for name, value in archive.variables.items():
            target = getattr(model, name, None)
            if not torch.is_tensor(target) or tuple(target.shape) != tuple(value.shape):
                notes.append(f"{name}: not a variable of the rebuilt {sb3.algo.upper()}; ignored")
                continue
            target.copy_(value.to(target.device, target.dtype))
    sb3_names = list(distinct_tensors(archive.policy))
    copy_optimizers(model, archive.optimizers, pairs, sb3_names, notes)
    fields = archive.fields
    restore_counters(model, fields.get("num_timesteps") or 0, fields.get("_n_updates") or 0)


def warn_about_notes(sb3: SB3Model) -> None:
    """One :class:`SB3ImportWarning` listing the values that could not be read back exactly."""
    if sb3.notes:
        warnings.warn(
            f"{sb3.archive.path.name} was read without unpickling, and {len(sb3.notes)} "
            f"value(s) could not be read back exactly: {'; '.join(sb3.notes)}. "
            "(agent.sb3_notes_ lists them.)",
            SB3ImportWarning,
            stacklevel=4,
        )
