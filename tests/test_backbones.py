"""Tests for paradigms.backbones: registry, mlp/cnn/timm, normalisation, checkpoint format."""

from __future__ import annotations

import copy
import json
import os
import uuid
from pathlib import Path

import pytest
import timm
import torch
from safetensors import safe_open
from safetensors.torch import save_file
from torch import nn

from paradigms._common import MissingFileError
from paradigms.backbones import (
    Backbone,
    BackboneConfig,
    CNNBackbone,
    MLPBackbone,
    Standardize,
    TimmBackbone,
    create_backbone,
    list_backbones,
    load_backbone,
    read_backbone_config,
    register_backbone,
    resolve_backbone,
    save_backbone,
)

METADATA_KEY = "paradigms.backbone"


def _fit_normalizer(backbone: Backbone, n: int = 32, seed: int = 0) -> None:
    """Fit the backbone's normaliser on data with a clearly non-trivial mean and scale."""
    g = torch.Generator().manual_seed(seed)
    shape = backbone.in_shape
    offsets = torch.arange(shape[0], dtype=torch.float32).reshape(shape[0], *[1] * (len(shape) - 1))
    x = torch.randn(n, *shape, generator=g) * (2.0 + offsets) + 5.0 * offsets - 3.0
    backbone.normalizer.fit(x)


def _leftovers(folder: Path) -> list[str]:
    return [name for name in os.listdir(folder) if name.endswith(".tmp")]


@pytest.fixture(scope="module")
def resnet10t() -> Backbone:
    return create_backbone("timm:resnet10t", in_shape=(3, 32, 32))


# ------------------------------------------------------------------------------ create/forward


def test_mlp_custom_hidden() -> None:
    bb = create_backbone("mlp", in_shape=(64,), hidden=(32, 16))
    assert isinstance(bb, MLPBackbone)
    assert bb.in_shape == (64,)
    assert bb.out_features == 16
    out = bb(torch.randn(5, 64))
    assert out.shape == (5, 16)
    linears = [m for m in bb.modules() if isinstance(m, nn.Linear)]
    assert [(m.in_features, m.out_features) for m in linears] == [(64, 32), (32, 16)]
    assert bb.config == BackboneConfig(name="mlp", in_shape=(64,), kwargs={"hidden": [32, 16]})


def test_mlp_defaults_and_options() -> None:
    bb = create_backbone("mlp", in_shape=(10,))
    assert bb.out_features == 128
    bb = create_backbone("mlp", in_shape=(10,), hidden=(8,), activation="tanh", dropout=0.5)
    assert any(isinstance(m, nn.Tanh) for m in bb.modules())
    assert any(isinstance(m, nn.Dropout) for m in bb.modules())
    with pytest.raises(ValueError, match="activation"):
        create_backbone("mlp", in_shape=(10,), activation="swishy")
    with pytest.raises(ValueError, match="hidden"):
        create_backbone("mlp", in_shape=(10,), hidden=())
    with pytest.raises(ValueError, match="dropout"):
        create_backbone("mlp", in_shape=(10,), dropout=1.0)


def test_mlp_flattens_image_inputs() -> None:
    bb = create_backbone("mlp", in_shape=(1, 4, 4), hidden=(8,))
    assert bb(torch.randn(3, 1, 4, 4)).shape == (3, 8)


def test_flatten_has_no_weights_and_keeps_its_normaliser(tmp_path: Path) -> None:
    bb = create_backbone("flatten", in_shape=(2, 3, 4))
    assert list(bb.parameters()) == [] and bb.out_features == 24
    x = torch.randn(5, 2, 3, 4)
    assert torch.equal(bb(x), x.reshape(5, 24))
    _fit_normalizer(bb)
    loaded = load_backbone(save_backbone(bb, tmp_path / "flat.safetensors"))
    assert torch.allclose(loaded(x), bb.normalizer(x).reshape(5, 24))


@pytest.mark.parametrize(
    "in_shape", [(1, 8, 8), (3, 16, 16), (3, 32, 32), (4, 64, 64), (3, 224, 224)]
)
def test_cnn_shapes(in_shape: tuple[int, int, int]) -> None:
    torch.manual_seed(0)
    bb = create_backbone("cnn", in_shape=in_shape)
    assert isinstance(bb, CNNBackbone)
    assert bb.in_shape == in_shape
    assert bb.out_features == 128
    bb.eval()
    with torch.no_grad():
        out = bb(torch.randn(2, *in_shape))
    assert out.shape == (2, bb.out_features)
    assert torch.isfinite(out).all()
    # the network really depends on its input
    with torch.no_grad():
        out2 = bb(torch.randn(2, *in_shape))
    assert not torch.equal(out, out2)


def test_cnn_custom_widths_and_errors() -> None:
    bb = create_backbone("cnn", in_shape=(1, 8, 8), widths=(4, 6))
    assert bb.out_features == 6
    assert bb(torch.randn(2, 1, 8, 8)).shape == (2, 6)
    with pytest.raises(ValueError, match="at least 4x4"):
        create_backbone("cnn", in_shape=(1, 2, 2))
    with pytest.raises(ValueError, match="image"):
        create_backbone("cnn", in_shape=(16,))


def test_cnn_224_is_downsampled_to_7x7() -> None:
    bb = create_backbone("cnn", in_shape=(3, 224, 224), widths=(4, 4, 8))
    with torch.no_grad():
        fmap = bb.features(torch.zeros(1, 3, 224, 224))
    assert fmap.shape[-2:] == (7, 7)


@pytest.mark.parametrize(
    ("in_shape", "expected", "cls"),
    [((12,), "mlp", MLPBackbone), ((1, 8, 8), "cnn", CNNBackbone)],
)
def test_auto_resolves(in_shape: tuple[int, ...], expected: str, cls: type) -> None:
    bb = create_backbone("auto", in_shape=in_shape)
    assert isinstance(bb, cls)
    assert bb.config is not None
    assert bb.config.name == expected
    assert bb.config.in_shape == in_shape
    assert create_backbone(in_shape=in_shape).config.name == expected  # "auto" is the default


def test_timm_resnet10t(resnet10t: Backbone) -> None:
    assert isinstance(resnet10t, TimmBackbone)
    assert resnet10t.out_features == 512
    assert resnet10t.config is not None and resnet10t.config.name == "timm:resnet10t"
    resnet10t.eval()
    with torch.no_grad():
        out = resnet10t(torch.randn(2, 3, 32, 32))
    assert out.shape == (2, 512)
    # head removed: no classifier producing 1000 logits
    assert resnet10t.model.num_classes == 0


def test_timm_tiny_model_other_channel_count() -> None:
    if not timm.is_model("test_resnet"):
        pytest.skip("this timm has no test_resnet")
    bb = create_backbone("timm:test_resnet", in_shape=(1, 32, 32))
    bb.eval()
    with torch.no_grad():
        out = bb(torch.randn(2, 1, 32, 32))
    assert out.shape == (2, bb.out_features)
    assert bb.out_features == bb.model.num_features


def test_timm_rejects_vector_inputs() -> None:
    with pytest.raises(ValueError, match="mlp"):
        create_backbone("timm:resnet10t", in_shape=(16,))


def test_forward_wrong_shape_names_both_shapes() -> None:
    bb = create_backbone("mlp", in_shape=(6,), hidden=(4,))
    with pytest.raises(ValueError) as info:
        bb(torch.zeros(3, 7))
    message = str(info.value)
    assert "(6,)" in message
    assert "(3, 7)" in message
    cnn = create_backbone("cnn", in_shape=(1, 8, 8), widths=(4,))
    with pytest.raises(ValueError) as info:
        cnn(torch.zeros(2, 3, 8, 8))
    assert "(1, 8, 8)" in str(info.value)
    assert "(2, 3, 8, 8)" in str(info.value)
    with pytest.raises(ValueError, match=r"\(8, 8\)"):
        cnn(torch.zeros(8, 8))  # a single unbatched image


# ---------------------------------------------------------------------------- unknown / bad


def test_unknown_name_lists_close_match() -> None:
    with pytest.raises(ValueError, match="'cnn'") as info:
        create_backbone("cnnn", in_shape=(1, 8, 8))
    assert "Registered backbones" in str(info.value)


def test_unknown_timm_name_lists_close_timm_names() -> None:
    with pytest.raises(ValueError, match="resnet10t") as info:
        create_backbone("timm:resnet10", in_shape=(3, 32, 32))
    assert "'resnet10'" in str(info.value)


def test_name_must_be_string() -> None:
    with pytest.raises(TypeError, match="string"):
        create_backbone(3, in_shape=(4,))  # type: ignore[arg-type]


@pytest.mark.parametrize("bad", [(8, 8), (0,), (3, 0, 8), (1, 2, 3, 4), (), (-1,)])
def test_bad_in_shape_values(bad: tuple[int, ...]) -> None:
    with pytest.raises(ValueError, match="in_shape"):
        create_backbone("mlp", in_shape=bad)


@pytest.mark.parametrize("bad", ["abc", 5, None, ("a", 3, 3)])
def test_bad_in_shape_types(bad: object) -> None:
    with pytest.raises((TypeError, ValueError), match="in_shape"):
        create_backbone("mlp", in_shape=bad)  # type: ignore[arg-type]


def test_non_json_kwargs_rejected() -> None:
    name = f"anykw_{uuid.uuid4().hex[:8]}"

    @register_backbone(name)
    def anykw(in_shape: tuple[int, ...], tag: object = None) -> MLPBackbone:
        return MLPBackbone(in_shape, hidden=(2,))

    assert create_backbone(name, in_shape=(4,), tag=(1, 2)).config.kwargs == {"tag": [1, 2]}
    with pytest.raises(TypeError, match="JSON"):
        create_backbone(name, in_shape=(4,), tag=object())


# --------------------------------------------------------------------------------- registry


class _Tiny(Backbone):
    def __init__(self, in_shape: tuple[int, ...], width: int = 3) -> None:
        super().__init__(in_shape, width)
        self.linear = nn.Linear(int(torch.tensor(in_shape).prod()), width)

    def forward_features(self, x: torch.Tensor) -> torch.Tensor:
        return self.linear(x.flatten(1))


def test_register_custom_backbone_round_trip(tmp_path: Path) -> None:
    name = f"tiny_{uuid.uuid4().hex[:8]}"

    @register_backbone(name)
    def tiny(in_shape: tuple[int, ...], width: int = 3) -> _Tiny:
        return _Tiny(in_shape, width)

    assert name in list_backbones()
    bb = create_backbone(name, in_shape=(5,), width=4)
    assert isinstance(bb, _Tiny)
    assert bb.out_features == 4
    assert bb.config == BackboneConfig(name=name, in_shape=(5,), kwargs={"width": 4})
    _fit_normalizer(bb)
    path = save_backbone(bb, tmp_path / "tiny.safetensors")
    loaded = load_backbone(path)
    assert isinstance(loaded, _Tiny)
    assert loaded.config == bb.config
    x = torch.randn(3, 5)
    assert torch.equal(loaded(x), bb.eval()(x))

    with pytest.raises(ValueError, match="already registered"):
        register_backbone(name)(tiny)
    with pytest.raises(ValueError, match="already registered"):
        register_backbone("mlp")(tiny)
    for bad in ("", "auto", "a:b"):
        with pytest.raises(ValueError, match="not allowed"):
            register_backbone(bad)


def test_factory_must_return_backbone() -> None:
    name = f"notbb_{uuid.uuid4().hex[:8]}"

    @register_backbone(name)
    def not_a_backbone(in_shape: tuple[int, ...]) -> nn.Module:
        return nn.Linear(1, 1)

    with pytest.raises(TypeError, match="not a Backbone"):
        create_backbone(name, in_shape=(1,))


# ------------------------------------------------------------------------------ Standardize


def test_standardize_vectors_per_feature() -> None:
    layer = Standardize((3,))
    assert not layer.fitted
    x = torch.randn(500, 3, dtype=torch.float64) * torch.tensor([1.0, 10.0, 0.1]) + torch.tensor(
        [5.0, -2.0, 100.0]
    )
    layer.fit(x.numpy())  # numpy accepted
    assert layer.fitted
    assert layer.mean.shape == (3,)
    assert torch.allclose(layer.mean.double(), x.mean(0), atol=1e-4)
    assert torch.allclose(layer.scale.double(), x.std(0, unbiased=False), rtol=1e-4)
    z = layer(x.float())
    assert torch.allclose(z.mean(0), torch.zeros(3), atol=1e-3)
    assert torch.allclose(z.std(0, unbiased=False), torch.ones(3), atol=1e-3)


def test_standardize_images_per_channel() -> None:
    layer = Standardize((2, 4, 4))
    assert layer.mean.shape == (2, 1, 1)
    x = torch.randn(50, 2, 4, 4)
    x[:, 0] = x[:, 0] * 3 + 7
    x[:, 1] = x[:, 1] * 0.5 - 1
    layer.fit(x)
    assert layer.mean.shape == (2, 1, 1)
    expected_mean = x.double().mean(dim=(0, 2, 3))
    expected_std = x.double().std(dim=(0, 2, 3), unbiased=False)
    assert torch.allclose(layer.mean.flatten().double(), expected_mean, atol=1e-5)
    assert torch.allclose(layer.scale.flatten().double(), expected_std, rtol=1e-5)
    z = layer(x)
    assert torch.allclose(z.mean(dim=(0, 2, 3)), torch.zeros(2), atol=1e-4)


def test_standardize_zero_variance_gets_scale_one() -> None:
    layer = Standardize((3,))
    x = torch.randn(20, 3)
    x[:, 1] = 4.0  # constant feature
    layer.fit(x)
    assert layer.scale[1].item() == 1.0
    assert layer.mean[1].item() == pytest.approx(4.0)
    z = layer(x)
    assert torch.isfinite(z).all()
    assert torch.all(z[:, 1] == 0)


def test_standardize_unfitted_is_identity() -> None:
    for shape in [(4,), (3, 5, 5)]:
        layer = Standardize(shape)
        assert layer.fitted is False
        x = torch.randn(2, *shape)
        assert torch.equal(layer(x), x)


def test_backbone_applies_its_normalizer() -> None:
    torch.manual_seed(0)
    bb = create_backbone("mlp", in_shape=(4,), hidden=(3,))
    x = torch.randn(6, 4) * 5 + 2
    raw = bb(x)
    bb.normalizer.fit(x)
    normed = bb(x)
    assert not torch.allclose(raw, normed)
    assert torch.allclose(normed, bb.forward_features(bb.normalizer(x)))


# --------------------------------------------------------------------------- save / load


def _round_trip(bb: Backbone, folder: Path, x: torch.Tensor) -> Backbone:
    _fit_normalizer(bb)
    bb.eval()
    path = save_backbone(bb, folder / "bb.safetensors", extra={"who": "test"})
    assert path == folder / "bb.safetensors"
    assert _leftovers(folder) == []
    loaded = load_backbone(path)
    assert type(loaded) is type(bb)
    assert not loaded.training  # returned in eval mode
    assert loaded.config == bb.config
    assert loaded.normalizer.fitted
    assert torch.equal(loaded.normalizer.mean, bb.normalizer.mean)
    assert torch.equal(loaded.normalizer.scale, bb.normalizer.scale)
    with torch.no_grad():
        assert torch.equal(loaded(x), bb(x))
    sd_a, sd_b = bb.state_dict(), loaded.state_dict()
    assert sd_a.keys() == sd_b.keys()
    assert all(torch.equal(sd_a[k], sd_b[k]) for k in sd_a)

    # safetensors file with the config as JSON metadata
    with safe_open(str(path), framework="pt") as handle:
        meta = handle.metadata()
        keys = set(handle.keys())
    assert keys == set(sd_a)
    data = json.loads(meta[METADATA_KEY])
    assert data["config"] == bb.config.to_dict()
    assert data["extra"] == {"who": "test"}
    assert read_backbone_config(path) == bb.config
    # nothing pickled: no pickle protocol header / zip archive
    raw = path.read_bytes()
    assert not raw.startswith(b"\x80")
    assert not raw.startswith(b"PK")
    assert b"torch._utils" not in raw
    return loaded


def test_save_load_mlp(tmp_path: Path) -> None:
    torch.manual_seed(0)
    bb = create_backbone("mlp", in_shape=(7,), hidden=(9, 5), activation="gelu")
    loaded = _round_trip(bb, tmp_path, torch.randn(4, 7) * 3 + 1)
    assert [m for m in loaded.modules() if isinstance(m, nn.GELU)]


def test_save_load_cnn(tmp_path: Path) -> None:
    torch.manual_seed(0)
    bb = create_backbone("cnn", in_shape=(2, 8, 8), widths=(4, 8))
    # move BatchNorm running stats away from their defaults so they must be saved too
    bb.train()
    with torch.no_grad():
        bb(torch.randn(8, 2, 8, 8) * 2 + 1)
    _round_trip(bb, tmp_path, torch.randn(3, 2, 8, 8))


def test_save_load_timm(tmp_path: Path, resnet10t: Backbone) -> None:
    bb = copy.deepcopy(resnet10t)
    _round_trip(bb, tmp_path, torch.randn(2, 3, 32, 32))


def test_save_loads_to_a_new_path_and_overwrites(tmp_path: Path) -> None:
    bb = create_backbone("mlp", in_shape=(3,), hidden=(2,))
    path = tmp_path / "nested" / "enc.safetensors"
    save_backbone(bb, path)
    with torch.no_grad():
        bb.layers[1].weight.fill_(0.5)
    save_backbone(bb, str(path))  # str path, overwrite
    assert torch.equal(load_backbone(path).layers[1].weight, bb.layers[1].weight)
    assert _leftovers(path.parent) == []


def test_save_rejects_non_backbone_and_unconfigured(tmp_path: Path) -> None:
    with pytest.raises(TypeError, match="Backbone"):
        save_backbone(nn.Linear(2, 2), tmp_path / "x.safetensors")  # type: ignore[arg-type]
    bare = MLPBackbone((3,), hidden=(2,))  # built without the registry: no config
    with pytest.raises(ValueError, match="create_backbone"):
        save_backbone(bare, tmp_path / "x.safetensors")
    assert os.listdir(tmp_path) == []


def test_load_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="no backbone file") as info:
        load_backbone(tmp_path / "nope.safetensors")
    assert isinstance(info.value, FileNotFoundError)
    assert isinstance(info.value, MissingFileError)


def test_load_garbage_file(tmp_path: Path) -> None:
    path = tmp_path / "garbage.safetensors"
    path.write_bytes(b"\x00\x01 this is not a safetensors file" * 10)
    with pytest.raises(ValueError, match="not a safetensors file"):
        load_backbone(path)


def test_load_pickled_torch_file_refused(tmp_path: Path) -> None:
    path = tmp_path / "weights.pt"
    torch.save({"w": torch.zeros(2)}, path)
    with pytest.raises(ValueError, match="not a safetensors file"):
        load_backbone(path)


def test_load_safetensors_without_metadata(tmp_path: Path) -> None:
    path = tmp_path / "plain.safetensors"
    save_file({"w": torch.zeros(2)}, str(path))
    with pytest.raises(ValueError, match="no paradigms backbone config"):
        load_backbone(path)
    save_file({"w": torch.zeros(2)}, str(path), metadata={"format": "pt"})
    with pytest.raises(ValueError, match="no paradigms backbone config"):
        load_backbone(path)


def _saved_parts(tmp_path: Path) -> tuple[Path, dict[str, torch.Tensor], dict[str, str]]:
    bb = create_backbone("mlp", in_shape=(4,), hidden=(3,))
    path = save_backbone(bb, tmp_path / "ok.safetensors")
    with safe_open(str(path), framework="pt") as handle:
        meta = handle.metadata()
        tensors = {k: handle.get_tensor(k) for k in handle.keys()}  # noqa: SIM118
    return path, tensors, meta


def test_load_tampered_extra_key(tmp_path: Path) -> None:
    _, tensors, meta = _saved_parts(tmp_path)
    tensors["evil.extra"] = torch.zeros(3)
    bad = tmp_path / "extra.safetensors"
    save_file(tensors, str(bad), metadata=meta)
    with pytest.raises(ValueError, match=r"evil\.extra"):
        load_backbone(bad)


def test_load_tampered_missing_key(tmp_path: Path) -> None:
    _, tensors, meta = _saved_parts(tmp_path)
    del tensors["layers.1.weight"]
    bad = tmp_path / "missing.safetensors"
    save_file(tensors, str(bad), metadata=meta)
    with pytest.raises(ValueError, match=r"layers\.1\.weight"):
        load_backbone(bad)


def test_load_tampered_wrong_shape(tmp_path: Path) -> None:
    _, tensors, meta = _saved_parts(tmp_path)
    tensors["layers.1.weight"] = torch.zeros(5, 4)
    bad = tmp_path / "shape.safetensors"
    save_file(tensors, str(bad), metadata=meta)
    with pytest.raises(ValueError, match=r"layers\.1\.weight"):
        load_backbone(bad)


def test_load_newer_format_refused(tmp_path: Path) -> None:
    _, tensors, meta = _saved_parts(tmp_path)
    data = json.loads(meta[METADATA_KEY])
    data["config"]["version"] = 999
    bad = tmp_path / "future.safetensors"
    save_file(tensors, str(bad), metadata={METADATA_KEY: json.dumps(data)})
    with pytest.raises(ValueError, match="newer"):
        load_backbone(bad)


# ------------------------------------------------------------------------- resolve_backbone


def test_resolve_by_name() -> None:
    bb = resolve_backbone("auto", (1, 8, 8), widths=(4,))
    assert isinstance(bb, CNNBackbone)
    assert bb.out_features == 4
    bb = resolve_backbone("mlp", (5,), hidden=(2,))
    assert bb.in_shape == (5,) and bb.out_features == 2
    with pytest.raises(ValueError, match="'mlp'"):
        resolve_backbone("mlpp", (5,))


def test_resolve_by_path(tmp_path: Path) -> None:
    bb = create_backbone("mlp", in_shape=(5,), hidden=(3,))
    _fit_normalizer(bb)
    path = save_backbone(bb, tmp_path / "enc.safetensors")
    x = torch.randn(2, 5)
    for spec in (path, str(path)):
        got = resolve_backbone(spec, (5,))
        assert isinstance(got, MLPBackbone)
        assert torch.equal(got(x), bb.eval()(x))
    with pytest.raises(ValueError, match=r"\(5,\)") as info:
        resolve_backbone(path, (6,))
    assert "(6,)" in str(info.value)
    with pytest.raises(FileNotFoundError):
        resolve_backbone(tmp_path / "missing.safetensors", (5,))


def test_resolve_instance_is_deep_copied() -> None:
    torch.manual_seed(0)
    original = create_backbone("mlp", in_shape=(4,), hidden=(3,))
    before = {k: v.clone() for k, v in original.state_dict().items()}
    copy_ = resolve_backbone(original, (4,))
    assert copy_ is not original
    assert isinstance(copy_, MLPBackbone)
    opt = torch.optim.SGD(copy_.parameters(), lr=0.5)
    for _ in range(3):
        opt.zero_grad()
        copy_(torch.randn(8, 4)).pow(2).sum().backward()
        opt.step()
    copy_.normalizer.fit(torch.randn(10, 4) + 3)
    after = original.state_dict()
    assert all(torch.equal(before[k], after[k]) for k in before)
    assert not original.normalizer.fitted
    assert not torch.equal(copy_.layers[1].weight, original.layers[1].weight)


def test_resolve_instance_shape_mismatch() -> None:
    bb = create_backbone("cnn", in_shape=(1, 8, 8), widths=(4,))
    with pytest.raises(ValueError) as info:
        resolve_backbone(bb, (3, 8, 8))
    message = str(info.value)
    assert "(1, 8, 8)" in message and "(3, 8, 8)" in message


@pytest.mark.parametrize("bad", [3, None, 2.5, ["mlp"], nn.Linear(2, 2)])
def test_resolve_wrong_type(bad: object) -> None:
    with pytest.raises(TypeError, match="registered name"):
        resolve_backbone(bad, (4,))  # type: ignore[arg-type]


def test_cnn_pool_size_keeps_a_grid_of_averages():
    bb = create_backbone("cnn", in_shape=(3, 12, 12), widths=(8, 16), pool_size=4)
    assert bb.out_features == 16 * 4 * 4
    assert bb(torch.zeros(2, 3, 12, 12)).shape == (2, 256)
    with pytest.raises(ValueError, match="pool_size"):
        create_backbone("cnn", in_shape=(3, 12, 12), pool_size=0)
