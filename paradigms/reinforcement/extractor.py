"""``BackboneExtractor``: any :class:`~paradigms.backbones.Backbone` as SB3's features extractor.

Stable-baselines3 separates the network that reads observations (a ``BaseFeaturesExtractor``)
from the algorithm. This extractor puts a library backbone in that seat, so a backbone trained
by another paradigm (or loaded from a file) can drive a policy, frozen or fine-tuned.

Observation handling (after SB3's own preprocessing, which one-hot encodes ``Discrete``
observations and casts everything to float):

- ``uint8`` observations reach the backbone as raw values 0..255. A backbone carries its own
  input scaling: one whose normaliser is not fitted yet gets "divide by 255" set in it
  (saved with it, so wherever the backbone is reused it reads raw pixels); a pretrained one
  keeps the scaling it learned. Build the policy with ``normalize_images=False`` (``Agent``
  does) so SB3 does not divide by 255 before the backbone;
- 3-D observations are images: channel-last ``(H, W, C)`` is transposed to ``(C, H, W)``;
- 2-D observations ``(H, W)`` of at least 8x8 are one-channel images ``(1, H, W)``;
- everything else is flattened to a vector ``(d,)``.
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from typing import Any

import gymnasium as gym
import numpy as np
import torch
from gymnasium import spaces
from stable_baselines3.common.preprocessing import get_flattened_obs_dim
from stable_baselines3.common.torch_layers import BaseFeaturesExtractor

from paradigms.backbones import Backbone, create_backbone, resolve_backbone
from paradigms.backbones.checkpoint import is_backbone_path

MIN_IMAGE_SIDE = 8
# The "auto" image backbone of a policy: the library cnn pooled to a 4x4 grid instead of one
# global average, so its features say *where* things are. With global pooling the features of
# a lit pixel are the same anywhere away from the border: PPO's derived defaults on
# PixelHalfEnv (one lit pixel, left or right half of 16x16) reached 0.79-0.81 of the optimum
# in 10k steps, 0.91-0.99 pooled to 4x4 (issue 28; benchmarks/unseen_envs.py).
AUTO_IMAGE_BACKBONE: tuple[str, dict[str, Any]] = ("cnn", {"pool_size": 4})


def observation_layout(space: gym.Space) -> tuple[str, tuple[int, ...]]:
    """How observations from ``space`` are arranged for a backbone.

    Args:
        space: the (possibly SB3-wrapped) observation space.

    Returns:
        ``(layout, in_shape)`` where ``layout`` is ``"vector"``, ``"image"`` (already
        ``(C, H, W)``), ``"image_hwc"`` (channel-last, transposed here), ``"image_hw"``
        (one channel added here) or ``"dict"`` (one backbone per entry, see
        ``dict_observations.py``; ``in_shape`` is then ``()``), and ``in_shape`` is the
        backbone's per-sample input shape.

    Raises:
        ValueError: for observation spaces SB3 policies cannot read (``Tuple``, ``Text``...).
    """
    if isinstance(space, (spaces.Discrete, spaces.MultiDiscrete, spaces.MultiBinary)):
        return "vector", (int(get_flattened_obs_dim(space)),)
    if isinstance(space, spaces.Dict):  # one backbone per entry (dict_observations.py)
        return "dict", ()
    if not isinstance(space, spaces.Box):
        raise ValueError(
            f"BackboneExtractor reads Box, Discrete, MultiDiscrete and MultiBinary observation "
            f"spaces (and Dict ones, one backbone per entry); got {space}. Wrap the env with "
            "gymnasium.wrappers.FlattenObservation to turn it into one vector."
        )
    shape = tuple(int(s) for s in space.shape)
    if len(shape) == 3:
        channel_axis = int(np.argmin(shape))
        if channel_axis == 2 and shape[2] < min(shape[0], shape[1]):
            return "image_hwc", (shape[2], shape[0], shape[1])
        return "image", shape
    if len(shape) == 2 and min(shape) >= MIN_IMAGE_SIDE:
        return "image_hw", (1, *shape)
    return "vector", (max(1, math.prod(shape)),)


def _default_backbone(in_shape: tuple[int, ...], kwargs: Mapping[str, Any]) -> Backbone:
    if len(in_shape) != 3:
        return create_backbone("mlp", in_shape, **dict(kwargs))
    name, image_kwargs = AUTO_IMAGE_BACKBONE
    return create_backbone(name, in_shape, **{**image_kwargs, **dict(kwargs)})


class BackboneExtractor(BaseFeaturesExtractor):
    """SB3 features extractor wrapping a library backbone: ``obs -> (B, out_features)``.

    Args:
        observation_space: the environment's observation space (given by SB3).
        backbone: ``"auto"`` (``mlp`` for vectors, for images of any size, including the
            small ones SB3's NatureCNN rejects, the library ``cnn`` pooled to a grid:
            ``AUTO_IMAGE_BACKBONE``), a registered name, a
            path to a saved backbone file, or a ``Backbone`` instance (deep-copied).
        backbone_kwargs: factory keyword arguments when ``backbone`` is a name.
        freeze_backbone: keep the backbone's weights (and BatchNorm statistics) fixed.
        scale_uint8: for ``uint8`` observations, set an unfitted backbone normaliser to divide
            by 255. Leave on, and build the policy with ``normalize_images=False``.

    Example:
        >>> policy_kwargs = dict(features_extractor_class=BackboneExtractor,
        ...                      features_extractor_kwargs=dict(backbone="mlp"),
        ...                      normalize_images=False)
    """

    def __init__(
        self,
        observation_space: gym.Space,
        backbone: str | os.PathLike[str] | Backbone = "auto",
        backbone_kwargs: Mapping[str, Any] | None = None,
        freeze_backbone: bool = False,
        scale_uint8: bool = True,
    ) -> None:
        layout, in_shape = observation_layout(observation_space)
        if layout == "dict":
            raise ValueError(
                f"BackboneExtractor reads one observation; {observation_space} is a Dict: use "
                "DictBackboneExtractor (one backbone per entry; Agent picks it itself) or "
                "gymnasium.wrappers.FlattenObservation to make one vector."
            )
        kwargs = dict(backbone_kwargs or {})
        if isinstance(backbone, str) and backbone == "auto":
            net = _default_backbone(in_shape, kwargs)
        else:
            net = _resolve_for_observations(backbone, in_shape, kwargs, observation_space)
        is_uint8 = isinstance(observation_space, spaces.Box) and observation_space.dtype == np.uint8
        if scale_uint8 and is_uint8 and not net.normalizer.fitted:
            net.normalizer.set_statistics(0.0, 255.0)
        super().__init__(observation_space, features_dim=net.out_features)
        self.backbone = net
        self.layout = layout
        self.in_shape = in_shape
        obs_shape = tuple(getattr(observation_space, "shape", None) or ())
        # SB3's preprocessing already yields float (B, *in_shape) for these layouts; not for
        # Discrete observations, which replay buffers hand over as (B, 1) -> one-hot (B, 1, n)
        is_box = isinstance(observation_space, spaces.Box)
        self._passthrough = (layout == "image" and not is_uint8) or (
            layout == "vector" and is_box and len(obs_shape) <= 1 and not is_uint8
        )
        self.freeze_backbone = bool(freeze_backbone)
        self.pretrained = not isinstance(backbone, str) or is_backbone_path(backbone)
        self._pretrained_state = (
            {k: v.detach().clone() for k, v in net.state_dict().items()} if self.pretrained else {}
        )
        if self.freeze_backbone:
            self.backbone.requires_grad_(False)
            self.backbone.eval()

    def restore_pretrained(self) -> None:
        """Reload the pretrained weights (SB3's orthogonal initialisation overwrites them)."""
        if self._pretrained_state:
            self.backbone.load_state_dict(self._pretrained_state)

    def train(self, mode: bool = True) -> BackboneExtractor:
        """Like ``nn.Module.train``, but a frozen backbone always stays in eval mode."""
        super().train(mode)
        if self.freeze_backbone:
            self.backbone.eval()
        return self

    def prepare(self, observations: torch.Tensor) -> torch.Tensor:
        """SB3-preprocessed ``(B, *obs_shape)`` observations -> float ``(B, *in_shape)``."""
        x = observations.float()
        if self.layout == "image_hwc":
            return x.permute(0, 3, 1, 2)
        if self.layout == "image_hw":
            return x.unsqueeze(1)
        if self.layout == "vector":
            return x.reshape(x.shape[0], *self.in_shape)
        return x

    def forward(self, observations: torch.Tensor) -> torch.Tensor:
        """``(B, *obs_shape) -> (B, features_dim)``.

        Runs once per environment step and per minibatch, so it skips what is a no-op here
        (SB3 already hands over float tensors of the right shape for vectors and channel-first
        images; the backbone's input shape is guaranteed by construction).
        """
        x = observations if self._passthrough else self.prepare(observations)
        normalizer = self.backbone.normalizer
        if not normalizer.is_identity:
            x = normalizer(x)
        return self.backbone.forward_features(x)


def _resolve_for_observations(
    spec: str | os.PathLike[str] | Backbone,
    in_shape: tuple[int, ...],
    kwargs: Mapping[str, Any],
    space: gym.Space,
) -> Backbone:
    """A fresh backbone for ``in_shape``, with a message naming the observation space."""
    try:
        return resolve_backbone(spec, in_shape, **dict(kwargs))
    except ValueError as error:
        raise ValueError(
            f"{error} (The environment's observation space is {space}; the backbone sees "
            f"observations as shape {in_shape}.)"
        ) from error
