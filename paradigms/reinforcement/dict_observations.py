"""``Dict`` and ``Tuple`` observations: one library backbone per entry, features concatenated.

SB3 reads ``Dict`` observations with ``MultiInputPolicy`` and its ``CombinedExtractor`` (a CNN
per image entry, a flatten per vector entry). :class:`DictBackboneExtractor` does the same with
library backbones: every entry gets a :class:`~.extractor.BackboneExtractor` of its own
(``"auto"``: the library ``cnn`` for images, an ``mlp`` for vectors; or the backbone you pass
for that key, e.g. a classifier's), and the features are concatenated in the space's key
order. ``Tuple`` observations, which SB3 cannot read, become ``Dict`` ones with keys ``"0"``,
``"1"``... (:class:`TupleAsDict`). Entries SB3 cannot batch (``Text``, ``Sequence``, ``Graph``,
a ``Dict`` inside a ``Dict``) are refused with the key and the wrapper that removes them.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

import gymnasium as gym
import torch
from gymnasium import spaces
from stable_baselines3.common.torch_layers import BaseFeaturesExtractor
from torch import nn

from paradigms.backbones import Backbone
from paradigms.reinforcement.extractor import BackboneExtractor

__all__ = [
    "ENTRY_SPACES",
    "DictBackboneExtractor",
    "TupleAsDict",
    "check_entries",
    "per_key",
]

ENTRY_SPACES = (spaces.Box, spaces.Discrete, spaces.MultiDiscrete, spaces.MultiBinary)
"""The entry types a ``Dict`` observation may hold."""

BackboneSpec = str | os.PathLike[str] | Backbone


def check_entries(space: spaces.Dict) -> None:
    """Refuse entries SB3 cannot batch, naming the key and the fix.

    Raises:
        ValueError: for a ``Text``, ``Sequence``, ``Graph``, nested ``Dict``/``Tuple`` entry.
    """
    for key, entry in space.spaces.items():
        if isinstance(entry, ENTRY_SPACES):
            continue
        keep = [k for k, e in space.spaces.items() if isinstance(e, ENTRY_SPACES)]
        raise ValueError(
            f"observation entry {key!r} is {entry} ({type(entry).__name__}), which SB3's "
            "policies cannot batch; the entries may be Box (vectors, images), Discrete, "
            f"MultiDiscrete or MultiBinary. Drop it with lambda: gymnasium.wrappers."
            f"FilterObservation(MyEnv(), filter_keys={keep!r}), or flatten nested entries "
            "with gymnasium.wrappers.FlattenObservation."
        )


class TupleAsDict(gym.ObservationWrapper):
    """A ``Tuple`` observation as a ``Dict`` with keys ``"0"``, ``"1"``... (SB3 reads Dicts)."""

    def __init__(self, env: gym.Env) -> None:
        super().__init__(env)
        space = env.observation_space
        if not isinstance(space, spaces.Tuple):
            raise ValueError(f"TupleAsDict needs a Tuple observation space; got {space}.")
        self.observation_space = spaces.Dict({str(i): s for i, s in enumerate(space.spaces)})

    def observation(self, observation: Any) -> dict[str, Any]:
        return {str(i): value for i, value in enumerate(observation)}


def per_key(value: Any, keys: list[str], what: str) -> dict[str, Any]:
    """``value`` as one entry per key: a mapping (missing keys -> None) or one value for all.

    Raises:
        ValueError: a mapping with keys the observation does not have.
    """
    if isinstance(value, Mapping):
        unknown = sorted(set(map(str, value)) - set(keys))
        if unknown:
            raise ValueError(
                f"{what} has keys {unknown} that the observation does not have; its keys are "
                f"{keys}."
            )
        return {key: value.get(key) for key in keys}
    return dict.fromkeys(keys, value)


class DictBackboneExtractor(BaseFeaturesExtractor):
    """SB3 features extractor for ``Dict`` observations: ``{key: (B, ...)} -> (B, sum of d)``.

    Args:
        observation_space: a ``Dict`` space whose entries are in :data:`ENTRY_SPACES`.
        backbone: ``"auto"`` for every entry, or a mapping ``{key: backbone}`` (a registered
            name, a saved backbone file or a ``Backbone``); keys left out get ``"auto"``.
        backbone_kwargs: ``{key: factory kwargs}`` for entries given by name.
        freeze_backbone: keep every entry's backbone fixed.
        scale_uint8: as :class:`BackboneExtractor`, per entry.
    """

    def __init__(
        self,
        observation_space: spaces.Dict,
        backbone: BackboneSpec | Mapping[str, BackboneSpec] = "auto",
        backbone_kwargs: Mapping[str, Mapping[str, Any]] | None = None,
        freeze_backbone: bool = False,
        scale_uint8: bool = True,
    ) -> None:
        if not isinstance(observation_space, spaces.Dict):
            raise ValueError(f"DictBackboneExtractor needs a Dict space; got {observation_space}.")
        check_entries(observation_space)
        keys = [str(k) for k in observation_space.spaces]
        if not isinstance(backbone, Mapping) and backbone != "auto":
            raise ValueError(
                f"a Dict observation ({keys}) needs one backbone per entry: pass backbone="
                "'auto' or a mapping such as {" + f"{keys[0]!r}: my_backbone" + "}; got "
                f"{backbone!r}."
            )
        specs = per_key(backbone if isinstance(backbone, Mapping) else {}, keys, "backbone")
        kwargs = per_key(backbone_kwargs or {}, keys, "backbone_kwargs")
        extractors = {
            key: BackboneExtractor(
                observation_space.spaces[key],
                backbone=specs[key] if specs[key] is not None else "auto",
                backbone_kwargs=kwargs[key],
                freeze_backbone=freeze_backbone,
                scale_uint8=scale_uint8,
            )
            for key in keys
        }
        super().__init__(observation_space, sum(e.features_dim for e in extractors.values()))
        self.keys = keys  # the order of the features; extractors[i] reads keys[i]
        self.extractors = nn.ModuleList(extractors[key] for key in keys)

    def extractor(self, key: str) -> BackboneExtractor:
        """The entry ``key``'s extractor."""
        module = self.extractors[self.keys.index(key)]
        assert isinstance(module, BackboneExtractor)
        return module

    @property
    def backbones(self) -> dict[str, Backbone]:
        """Each entry's backbone, by key."""
        return {key: self.extractor(key).backbone for key in self.keys}

    def restore_pretrained(self) -> None:
        """Reload every entry's pretrained weights (SB3's initialisation overwrites them)."""
        for key in self.keys:
            self.extractor(key).restore_pretrained()

    def forward(self, observations: Mapping[str, torch.Tensor]) -> torch.Tensor:
        """``{key: (B, *entry_shape)} -> (B, features_dim)``, entries in key order."""
        features = [e(observations[k]) for k, e in zip(self.keys, self.extractors, strict=True)]
        return torch.cat(features, dim=1)
