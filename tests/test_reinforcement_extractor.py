"""BackboneExtractor: observation layouts, uint8 scaling, transposition, freezing."""

from __future__ import annotations

import gymnasium as gym
import numpy as np
import pytest
import torch
from sklearn.linear_model import LogisticRegression
from stable_baselines3 import PPO
from stable_baselines3.common.env_util import make_vec_env

from paradigms.backbones import create_backbone
from paradigms.reinforcement import BackboneExtractor, PixelCatchEnv
from paradigms.reinforcement.extractor import observation_layout

Box = gym.spaces.Box


@pytest.mark.parametrize(
    ("space", "layout", "in_shape"),
    [
        (Box(-1, 1, (4,), np.float32), "vector", (4,)),
        (Box(0, 255, (3, 12, 12), np.uint8), "image", (3, 12, 12)),
        (Box(0, 255, (10, 10, 1), np.uint8), "image_hwc", (1, 10, 10)),
        (Box(0.0, 1.0, (16, 16), np.float32), "image_hw", (1, 16, 16)),
        (Box(-1, 1, (3, 2), np.float32), "vector", (6,)),
        (gym.spaces.Discrete(7), "vector", (7,)),
        (gym.spaces.MultiDiscrete([2, 3]), "vector", (5,)),
    ],
)
def test_observation_layout(space, layout, in_shape):
    assert observation_layout(space) == (layout, in_shape)


def test_dict_observations_are_pointed_to_the_dict_extractor():
    space = gym.spaces.Dict({"a": Box(-1, 1, (2,), np.float32)})
    with pytest.raises(ValueError, match=r"DictBackboneExtractor.*FlattenObservation"):
        BackboneExtractor(space)


def test_uint8_channel_last_images_are_transposed_and_the_backbone_scales_them():
    space = Box(0, 255, (10, 10, 1), np.uint8)
    extractor = BackboneExtractor(space)
    obs = torch.full((2, 10, 10, 1), 255.0)
    prepared = extractor.prepare(obs)
    assert prepared.shape == (2, 1, 10, 10)
    scaled = extractor.backbone.normalizer(prepared)  # the scaling lives in the backbone
    assert torch.allclose(scaled, torch.ones_like(scaled))
    assert extractor.backbone.normalizer.fitted
    assert extractor(obs).shape == (2, extractor.features_dim)
    assert extractor.backbone.config.name == "cnn"


def test_a_pretrained_backbone_keeps_its_own_input_scaling():
    given = create_backbone("cnn", in_shape=(1, 10, 10))
    given.normalizer.fit(np.random.default_rng(0).integers(0, 256, (50, 1, 10, 10)))
    extractor = BackboneExtractor(Box(0, 255, (10, 10, 1), np.uint8), backbone=given)
    assert torch.equal(extractor.backbone.normalizer.scale, given.normalizer.scale)
    fresh = create_backbone("cnn", in_shape=(1, 10, 10))
    BackboneExtractor(Box(0, 255, (10, 10, 1), np.uint8), backbone=fresh)
    assert not fresh.normalizer.fitted  # the caller's object is never modified


def test_float_observations_are_not_rescaled():
    extractor = BackboneExtractor(Box(-10, 10, (3,), np.float32))
    x = torch.tensor([[5.0, -5.0, 2.0]])
    assert torch.equal(extractor.prepare(x), x)


def test_frozen_backbone_stays_in_eval_mode_and_gets_no_gradients():
    given = create_backbone("mlp", in_shape=(4,), hidden=(8,), dropout=0.5)
    extractor = BackboneExtractor(
        Box(-1, 1, (4,), np.float32), backbone=given, freeze_backbone=True
    )
    extractor.train()
    assert not extractor.backbone.training
    out = extractor(torch.randn(3, 4))
    assert not out.requires_grad
    assert torch.equal(extractor(torch.ones(1, 4)), extractor(torch.ones(1, 4)))  # no dropout


def test_sb3_policy_reads_images_smaller_than_natureCNNs_minimum():
    """SB3's CnnPolicy rejects 10x10 images; the library cnn in BackboneExtractor does not."""
    env = make_vec_env(PixelCatchEnv, n_envs=1, seed=0)
    with pytest.raises((AssertionError, ValueError, RuntimeError)):
        PPO("CnnPolicy", env, device="cpu")
    model = PPO(
        "MlpPolicy",
        env,
        n_steps=16,
        batch_size=16,
        device="cpu",
        policy_kwargs={"features_extractor_class": BackboneExtractor, "normalize_images": False},
    )
    model.learn(32)
    assert model.num_timesteps >= 32


@pytest.mark.parametrize("size", [12, 16, 24])
def test_auto_image_features_say_where_a_single_lit_pixel_is(size):
    """Issue 28: globally pooled cnn features are blind to where a lit pixel is (away from the
    border), so a policy cannot tell left from right; the auto backbone pools to a grid."""
    space = Box(0, 255, (size, size, 1), np.uint8)
    images = np.zeros((size * size, size, size, 1), np.uint8)
    rows, cols = np.divmod(np.arange(size * size), size)
    images[np.arange(size * size), rows, cols, 0] = 255
    left = cols < size // 2
    scores = {}
    for backbone in ("auto", "cnn"):
        torch.manual_seed(0)
        extractor = BackboneExtractor(space, backbone=backbone).eval()
        with torch.no_grad():
            features = extractor(torch.as_tensor(images)).numpy()
        probe = LogisticRegression(C=100, max_iter=3000).fit(features, left)
        scores[backbone] = probe.score(features, left)
    assert scores["auto"] >= 0.99 and scores["cnn"] < 0.9
