"""FineTuner: weight sources, strategies, input adaptation and the estimator contract.

Every "pretrained" weight file here is produced by the tests themselves (a tiny timm model,
``test_resnet``, trained on digits 0-4), then loaded into a FineTuner for digits 5-9: no
download ever happens, and the hub tests check that a download that cannot happen fails fast.
"""

from __future__ import annotations

import itertools
import pickle
import time
from pathlib import Path

import numpy as np
import pytest
import timm
import torch
from safetensors.torch import save_file
from sklearn.exceptions import DataConversionWarning, NotFittedError

from paradigms.backbones import create_backbone, save_backbone
from paradigms.data import load_digits
from paradigms.engine import Callback
from paradigms.supervised import Classifier
from paradigms.transfer import FineTuner
from paradigms.transfer.strategies import apply_strategy
from paradigms.unsupervised import AutoEncoder

MODEL = "test_resnet"  # a ~0.5M-parameter timm ResNet made for tests
BODY = ("conv1.", "bn1.", "layer1.", "layer2.", "layer3.", "layer4.")  # test_resnet minus fc


def _state(module: torch.nn.Module) -> dict[str, torch.Tensor]:
    return {k: v.detach().clone() for k, v in module.state_dict().items()}


def _is_head(key: str) -> bool:
    return key.startswith("fc.")


def _record_execution(marker: str) -> None:  # what an unsafe pickle would run on load
    Path(marker).write_text("executed")


class Unsafe:
    """Pickles as a call to ``_record_execution``: loading it must not run that call."""

    def __init__(self, marker: str) -> None:
        self.marker = marker

    def __reduce__(self):
        return (_record_execution, (self.marker,))


class Snapshots(Callback):
    """The model's state_dict at fit start and after every epoch."""

    def __init__(self) -> None:
        self.states: list[dict[str, torch.Tensor]] = []
        self.max_epochs: int | None = None

    def on_fit_start(self, state):
        self.max_epochs = state.max_epochs
        self.states.append(_state(state.unwrapped_model.model))

    def on_epoch_end(self, state):
        self.states.append(_state(state.unwrapped_model.model))


class StopAfterOneEpoch(Callback):
    """Record the planned number of epochs, then stop: max_epochs="auto" without the cost."""

    def on_fit_start(self, state):
        self.max_epochs = state.max_epochs

    def on_epoch_end(self, state):
        state.stop = True


# ---------------------------------------------------------------------------- data and sources
@pytest.fixture(scope="module")
def digits():
    X, y = load_digits(images=True)
    src, tgt = y < 5, y >= 5
    return {
        "X_src": X[src][:300],
        "y_src": y[src][:300],
        "X_tr": X[tgt][:100],
        "y_tr": y[tgt][:100],
        "X_te": X[tgt][100:400],
        "y_te": y[tgt][100:400],
    }


@pytest.fixture(scope="module")
def source(digits, tmp_path_factory):
    """Pretrained weights made here: test_resnet fitted on digits 0-4, saved in both formats,
    for 1-channel and 3-channel inputs, plus files that must be refused."""
    folder = tmp_path_factory.mktemp("weights")
    paths: dict[str, object] = {"folder": folder}
    for channels, epochs in ((1, 6), (3, 2)):  # the 3-channel file only tests adaptation
        X = np.repeat(digits["X_src"], channels, axis=1)
        ft = FineTuner(model=MODEL, weights=None, max_epochs=epochs, random_state=0)
        ft.fit(X, digits["y_src"])
        state = {k: v.contiguous() for k, v in _state(ft.model_).items()}
        save_file(state, folder / f"src{channels}.safetensors")
        torch.save(state, folder / f"src{channels}.pth")
        paths[f"state{channels}"] = state
    other = timm.create_model("resnet10t", num_classes=5, in_chans=1)  # another architecture
    save_file(_state(other), folder / "resnet10t.safetensors")
    marker = folder / "executed.txt"
    torch.save({"x": Unsafe(str(marker))}, folder / "unsafe.pth")
    paths["marker"] = marker
    state = paths["state1"]
    save_file(
        {k: v for k, v in state.items() if not k.startswith("layer4.")}, folder / "part.safetensors"
    )
    (folder / "weights.txt").write_text("not weights")
    return paths


def _linear_probe(weights, X, y, **kwargs):
    params = dict(model=MODEL, weights=weights, strategy="linear_probe", max_epochs=4, lr=1e-2)
    params.update(kwargs)
    return FineTuner(random_state=0, **params).fit(X, y)


# ---------------------------------------------------------------------------- weight sources
@pytest.mark.parametrize("suffix", [".safetensors", ".pth"])
def test_file_weights_are_loaded_and_linear_probe_keeps_backbone_bit_identical(
    source, digits, suffix
):
    path = source["folder"] / f"src1{suffix}"
    ft = _linear_probe(path, digits["X_tr"], digits["y_tr"])
    loaded, src = _state(ft.model_), source["state1"]
    body = [k for k in loaded if not _is_head(k)]
    assert len(body) > 50 and {k.split(".")[0] + "." for k in body} == set(BODY)
    for key in body:  # weights AND BatchNorm running statistics
        assert torch.equal(loaded[key], src[key]), key
    assert not torch.equal(loaded["fc.weight"], src["fc.weight"])  # a new head for 5-9
    np.testing.assert_array_equal(ft.classes_, [5, 6, 7, 8, 9])
    assert all(p.requires_grad == n.startswith("fc.") for n, p in ft.model_.named_parameters())
    assert ft.score(digits["X_te"], digits["y_te"]) > 0.35  # chance is 0.2


def test_scratch_starts_from_other_weights_and_probes_worse(source, digits):
    scratch = _linear_probe(None, digits["X_tr"], digits["y_tr"])
    weights = _state(scratch.model_)
    for key in ("conv1.0.weight", "layer1.0.conv1.weight", "layer4.0.conv2.weight"):
        assert not torch.equal(weights[key], source["state1"][key]), key
    pretrained = _linear_probe(
        source["folder"] / "src1.safetensors", digits["X_tr"], digits["y_tr"]
    )
    X, y = digits["X_te"], digits["y_te"]
    assert pretrained.score(X, y) > scratch.score(X, y) + 0.2  # random features: near chance


def test_fine_tune_changes_every_backbone_group(source, digits):
    ft = FineTuner(
        model=MODEL,
        weights=source["folder"] / "src1.safetensors",
        max_epochs=2,
        strategy="fine_tune",
        random_state=0,
    ).fit(digits["X_tr"], digits["y_tr"])
    tuned = _state(ft.model_)
    for group in BODY:
        keys = [k for k in tuned if k.startswith(group) and k.endswith("weight")]
        assert any(not torch.equal(tuned[k], source["state1"][k]) for k in keys), group
    assert all(p.requires_grad for p in ft.model_.parameters())


def test_unsafe_pickle_is_refused_not_executed(source, digits):
    with pytest.raises(ValueError, match="weights_only"):
        FineTuner(model=MODEL, weights=source["folder"] / "unsafe.pth", max_epochs=1).fit(
            digits["X_tr"], digits["y_tr"]
        )
    assert not source["marker"].exists()


@pytest.mark.parametrize(
    ("name", "match"),
    [
        ("missing.safetensors", "no weights file"),
        ("weights.txt", "suffix '.txt'"),
        (
            "resnet10t.safetensors",
            r"'conv1\.0\.weight' \[24, 1, 3, 3\] does not fit the model's 'conv1\.0\.weight'",
        ),
        ("part.safetensors", r"the model's 'layer4\.[\w.]+' \[[\d, ]+\] is not in the file"),
    ],
)
def test_bad_weight_files_are_refused_with_the_reason(source, digits, name, match):
    with pytest.raises(ValueError, match=match):
        FineTuner(model=MODEL, weights=source["folder"] / name, max_epochs=1).fit(
            digits["X_tr"], digits["y_tr"]
        )


def test_missing_file_is_also_a_file_not_found_error(tmp_path, digits):
    with pytest.raises(FileNotFoundError, match="weights=None"):
        FineTuner(model=MODEL, weights=str(tmp_path / "nope.pth")).fit(
            digits["X_tr"], digits["y_tr"]
        )


def test_unknown_model_suggests_close_names_and_bad_weights_type(digits):
    with pytest.raises(ValueError, match="resnet10t"):
        FineTuner(model="resnet10", weights=None).fit(digits["X_tr"], digits["y_tr"])
    with pytest.raises(TypeError, match="weights must be"):
        FineTuner(model=MODEL, weights=3).fit(digits["X_tr"], digits["y_tr"])


@pytest.fixture
def empty_hub_cache(tmp_path, monkeypatch):
    """No cached weights anywhere, and a hub client that could only reach a closed local port."""
    import huggingface_hub.constants as hf

    home = tmp_path / "hf_home"
    home.mkdir()
    monkeypatch.setenv("HF_HOME", str(home))
    monkeypatch.setenv("HF_HUB_CACHE", str(home / "hub"))
    monkeypatch.setenv("HF_ENDPOINT", "http://127.0.0.1:9")  # connection refused, locally
    monkeypatch.setattr(hf, "HF_HOME", str(home))
    monkeypatch.setattr(hf, "HF_HUB_CACHE", str(home / "hub"))
    monkeypatch.setattr(hf, "ENDPOINT", "http://127.0.0.1:9")  # belt and braces: refused locally
    return home


def _fit_hub(digits) -> tuple[float, str]:
    started = time.perf_counter()
    with pytest.raises(ValueError) as info:
        FineTuner(model=MODEL, weights="hub", max_epochs=1).fit(digits["X_tr"], digits["y_tr"])
    elapsed = time.perf_counter() - started
    assert "weights='path/to/test_resnet.safetensors'" in str(info.value)
    return elapsed, str(info.value)


def test_hub_offline_fails_fast_naming_a_local_file(empty_hub_cache, monkeypatch, digits):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    elapsed, message = _fit_hub(digits)
    assert elapsed < 2.0
    assert "HF_HUB_OFFLINE is set" in message
    assert not any(empty_hub_cache.rglob("*.safetensors"))


def test_hub_unreachable_fails_fast(empty_hub_cache, monkeypatch, digits):
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)  # HF_ENDPOINT: a closed local port
    elapsed, message = _fit_hub(digits)
    assert elapsed < 2.0
    assert "hub cannot be reached" in message


# ---------------------------------------------------------------------------- channels
@pytest.mark.parametrize("suffix", [".safetensors", ".pth"])
def test_one_channel_weights_into_three_channel_images(source, digits, suffix):
    X3 = np.repeat(digits["X_tr"], 3, axis=1)
    ft = _linear_probe(source["folder"] / f"src1{suffix}", X3, digits["y_tr"])
    loaded, src = _state(ft.model_), source["state1"]
    assert loaded["conv1.0.weight"].shape[1] == 3
    # timm's first-conv adaptation: the grey filter repeated over RGB, scaled by 1/3
    torch.testing.assert_close(
        loaded["conv1.0.weight"], src["conv1.0.weight"].repeat(1, 3, 1, 1) / 3
    )
    assert torch.equal(loaded["layer2.0.conv1.weight"], src["layer2.0.conv1.weight"])
    assert ft.score(np.repeat(digits["X_te"], 3, axis=1), digits["y_te"]) > 0.35


@pytest.mark.parametrize("suffix", [".safetensors", ".pth"])
def test_three_channel_weights_into_one_channel_images(source, digits, suffix):
    ft = _linear_probe(source["folder"] / f"src3{suffix}", digits["X_tr"], digits["y_tr"])
    loaded, src = _state(ft.model_), source["state3"]
    assert loaded["conv1.0.weight"].shape[1] == 1
    torch.testing.assert_close(loaded["conv1.0.weight"], src["conv1.0.weight"].sum(1, keepdim=True))
    assert torch.equal(loaded["layer3.0.conv2.weight"], src["layer3.0.conv2.weight"])
    assert set(ft.predict(digits["X_te"])) <= {5, 6, 7, 8, 9}


# ---------------------------------------------------------------------------- strategies
def test_gradual_unfreeze_opens_one_group_per_epoch_from_the_top(source, digits):
    snaps = Snapshots()
    ft = FineTuner(
        model=MODEL,
        weights=source["folder"] / "src1.safetensors",
        strategy="gradual_unfreeze",
        max_epochs=4,
        callbacks=[snaps],
        random_state=0,
    ).fit(digits["X_tr"], digits["y_tr"])
    start = snaps.states[0]
    params = {name for name, _ in ft.model_.named_parameters()}

    def changed(epoch: int, keys=params) -> set[str]:
        after = snaps.states[epoch]
        return {k.split(".")[0] for k in keys if not torch.equal(start[k], after[k])}

    # trained weights, not just BatchNorm statistics, move group by group from the top
    assert changed(1) == {"fc"}
    assert changed(2) == {"fc", "layer4"}
    assert changed(3) == {"fc", "layer4", "layer3"}
    assert changed(4) == {"fc", "layer4", "layer3", "layer2"}
    # frozen groups keep their BatchNorm statistics too
    assert changed(1, keys=start) == {"fc"}
    assert changed(3, keys=start) == {"fc", "layer4", "layer3"}
    # after 4 epochs, 4 groups are open (layer1..layer4); the stem is still frozen
    grads = {n.split(".")[0]: p.requires_grad for n, p in ft.model_.named_parameters()}
    assert grads == {
        "conv1": False,
        "bn1": False,
        "layer1": True,
        "layer2": True,
        "layer3": True,
        "layer4": True,
        "fc": True,
    }


def test_unfreeze_every_two_epochs(digits):
    snaps = Snapshots()
    FineTuner(
        model=MODEL,
        weights=None,
        strategy="gradual_unfreeze",
        unfreeze_every=2,
        max_epochs=3,
        callbacks=[snaps],
        random_state=0,
    ).fit(digits["X_tr"], digits["y_tr"])
    start = snaps.states[0]
    params = {k for k in start if "running" not in k and "num_batches" not in k}
    moved = [
        {k.split(".")[0] for k in params if not torch.equal(start[k], s[k])}
        for s in snaps.states[1:]
    ]
    assert moved == [{"fc"}, {"fc"}, {"fc", "layer4"}]


@pytest.mark.parametrize(
    ("params", "match"),
    [
        ({"strategy": "freeze_all"}, "strategy='freeze_all' is unknown"),
        ({"backbone_lr_scale": 0.0}, "backbone_lr_scale"),
        ({"layer_decay": 1.5}, "layer_decay"),
        ({"max_epochs": "many"}, "max_epochs"),
        ({"image_size": 0}, "image_size"),
        ({"image_size": "big"}, "image_size"),
    ],
)
def test_bad_parameters_are_refused(digits, params, match):
    ft = FineTuner(model=MODEL, weights=None, **{"max_epochs": 1, **params})
    with pytest.raises(ValueError, match=match):
        ft.fit(digits["X_tr"], digits["y_tr"])


def test_layer_decay_learning_rates_increase_from_input_to_head():
    model = timm.create_model(MODEL, num_classes=3)
    groups = apply_strategy(model, "fine_tune", lr=1e-3, backbone_lr_scale=0.5, layer_decay=0.7)
    lrs = [g["lr"] for g in groups]
    assert len(groups) == 6  # stem, layer1..layer4, head
    assert all(a < b for a, b in itertools.pairwise(lrs))
    assert lrs[-1] == 1e-3 and lrs[-2] == pytest.approx(0.5e-3)
    np.testing.assert_allclose(np.array(lrs[1:-1]) / np.array(lrs[:-2]), 1 / 0.7)
    assert {id(p) for p in groups[-1]["params"]} == {
        id(p) for p in model.get_classifier().parameters()
    }
    covered = [id(p) for g in groups for p in g["params"]]
    assert sorted(covered) == sorted(id(p) for p in model.parameters())  # each exactly once

    flat = apply_strategy(model, "fine_tune", lr=1e-3, backbone_lr_scale=0.5, layer_decay=None)
    assert [g["lr"] for g in flat] == [0.5e-3] * 5 + [1e-3]
    probe = apply_strategy(model, "linear_probe", lr=1e-3, backbone_lr_scale=0.5, layer_decay=None)
    assert len(probe) == 1
    assert [n for n, p in model.named_parameters() if p.requires_grad] == ["fc.weight", "fc.bias"]
    # gradual_unfreeze hands every group to the optimizer (the callback freezes during fit)
    gradual = apply_strategy(model, "gradual_unfreeze", 1e-3, 0.5, None)
    assert len(gradual) == 6


# ---------------------------------------------------------------------------- input adaptation
@pytest.mark.parametrize(
    ("image_size", "hw", "expected"),
    [
        ("auto", (8, 8), (32, 32)),
        ("auto", (8, 16), (32, 64)),
        ("auto", (32, 32), None),
        (None, (8, 8), None),
        (20, (8, 8), (20, 20)),
    ],
)
def test_image_size(digits, image_size, hw, expected):
    X = digits["X_tr"][:20]
    X = np.kron(X, np.ones((1, 1, hw[0] // 8, hw[1] // 8), dtype=np.float32))
    ft = FineTuner(
        model=MODEL, weights=None, image_size=image_size, max_epochs=1, random_state=0
    ).fit(X, digits["y_tr"][:20])
    assert ft.network_.adapter.size == expected
    assert ft.predict(X).shape == (20,)


@pytest.mark.parametrize(("scale", "expected"), [(1.0, 16.0), (1 / 16, 1.0), (255 / 16, 255.0)])
def test_pixel_scale_is_detected(digits, scale, expected):
    X = digits["X_tr"][:20] * np.float32(scale)
    ft = FineTuner(model=MODEL, weights=None, max_epochs=1, random_state=0)
    ft.fit(X, digits["y_tr"][:20])
    assert float(ft.network_.adapter.pixel_scale) == pytest.approx(expected)


def test_augmentation_only_while_training(digits):
    ft = FineTuner(model=MODEL, weights=None, augment=True, max_epochs=1, random_state=0)
    ft.fit(digits["X_tr"], digits["y_tr"])
    np.testing.assert_array_equal(
        ft.predict_proba(digits["X_te"]), ft.predict_proba(digits["X_te"])
    )
    adapter, x = ft.network_.adapter, torch.from_numpy(digits["X_te"][:8])
    assert not adapter.training  # left in eval mode after fit and predict
    with torch.no_grad():
        assert torch.equal(adapter(x), adapter(x))
        adapter.train()
        try:
            assert not torch.equal(adapter(x), adapter(x))  # random warps
            adapter.augment = False
            assert torch.equal(adapter(x), adapter(x))
        finally:
            adapter.augment = True
            adapter.eval()


def test_tabular_data_needs_a_classifier(digits):
    X, y = load_digits()
    with pytest.raises(ValueError, match=r"paradigms\.supervised\.Classifier"):
        FineTuner(model=MODEL, weights=None).fit(X[:50], y[:50])


def test_images_too_small_for_the_model_without_resizing(digits):
    # test_convnext's 2x2 stride-2 layers run out of pixels on an 8x8 image
    with pytest.raises(ValueError, match="image_size=<a larger size>"):
        FineTuner(model="test_convnext", weights=None, image_size=None).fit(
            digits["X_tr"][:20], digits["y_tr"][:20]
        )


# ---------------------------------------------------------------------------- backbone sources
@pytest.fixture(scope="module")
def paradigm_backbones(digits, tmp_path_factory):
    clf = Classifier(max_epochs=5, random_state=0).fit(digits["X_src"], digits["y_src"])
    ae = AutoEncoder(latent_dim=8, max_epochs=5, random_state=0).fit(digits["X_src"])
    folder = tmp_path_factory.mktemp("backbones")
    return {
        "classifier": clf.backbone_,
        "classifier_file": save_backbone(clf.backbone_, folder / "clf.safetensors"),
        "encoder": ae.encoder_,
        "encoder_file": save_backbone(ae.encoder_, folder / "enc.safetensors"),
    }


@pytest.mark.parametrize("name", ["classifier", "classifier_file", "encoder", "encoder_file"])
def test_backbone_from_another_paradigm(paradigm_backbones, digits, name):
    weights = paradigm_backbones[name]
    kind = name.split("_")[0]
    before = _state(paradigm_backbones[kind])
    ft = _linear_probe(weights, digits["X_tr"], digits["y_tr"], max_epochs=8, lr=3e-2)
    np.testing.assert_array_equal(ft.classes_, [5, 6, 7, 8, 9])
    assert set(ft.predict(digits["X_te"])) <= {5, 6, 7, 8, 9}
    assert ft.score(digits["X_te"], digits["y_te"]) > 0.4
    tuned = _state(ft.model_.backbone)  # the linear probe keeps the source backbone as it was
    assert tuned.keys() == before.keys()
    assert all(torch.equal(tuned[k], before[k]) for k in before)
    full = FineTuner(weights=weights, max_epochs=1, random_state=0).fit(
        digits["X_tr"], digits["y_tr"]
    )
    assert any(not torch.equal(v, before[k]) for k, v in _state(full.model_.backbone).items())
    after = _state(paradigm_backbones[kind])  # the caller's backbone is never trained in place
    assert all(torch.equal(after[k], before[k]) for k in before)


def test_timm_backbone_source_must_agree_with_model(digits):
    backbone = create_backbone(f"timm:{MODEL}", in_shape=(1, 8, 8))
    with pytest.raises(ValueError, match=f"pass model='{MODEL}'"):
        FineTuner(model="resnet10t", weights=backbone).fit(digits["X_tr"], digits["y_tr"])
    ft = FineTuner(model=MODEL, weights=backbone, max_epochs=1, random_state=0)
    assert ft.fit(digits["X_tr"], digits["y_tr"]).predict(digits["X_te"]).shape == (300,)


# ---------------------------------------------------------------------------- epochs
def test_auto_epochs_grow_as_the_training_set_shrinks(digits):
    X, y = load_digits(images=True)
    epochs = {}
    for n in (16, 160, 480):
        stop = StopAfterOneEpoch()
        ft = FineTuner(
            model=MODEL,
            weights=None,
            max_epochs="auto",
            image_size=8,
            augment=False,
            callbacks=[stop],
            random_state=0,
        ).fit(X[:n], y[:n])
        assert stop.max_epochs == ft.epochs_ and len(ft.history_) == 1
        epochs[n] = ft.epochs_
    assert all(10 <= e <= 200 for e in epochs.values())
    assert epochs[16] > epochs[160] > epochs[480]
    assert epochs == {16: 200, 160: 30, 480: 10}  # about 300 optimizer steps, clipped


def test_int_max_epochs_is_used_as_given(digits):
    ft = FineTuner(model=MODEL, weights=None, max_epochs=3, random_state=0)
    ft.fit(digits["X_tr"], digits["y_tr"])
    assert ft.epochs_ == 3 and len(ft.history_) == 3


# ---------------------------------------------------------------------------- estimator contract
def test_string_labels_probabilities_and_score(source, digits):
    names = np.array(
        ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]
    )
    y_tr, y_te = names[digits["y_tr"]], names[digits["y_te"]]
    ft = FineTuner(
        model=MODEL, weights=source["folder"] / "src1.safetensors", max_epochs=8, random_state=0
    ).fit(digits["X_tr"], y_tr)
    assert list(ft.classes_) == sorted(["five", "six", "seven", "eight", "nine"])
    proba = ft.predict_proba(digits["X_te"])
    assert proba.shape == (300, 5)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-12)
    pred = ft.predict(digits["X_te"])
    np.testing.assert_array_equal(pred, ft.classes_[proba.argmax(axis=1)])
    assert ft.score(digits["X_te"], y_te) == pytest.approx(np.mean(pred == y_te))
    assert ft.score(digits["X_te"], y_te) > 0.6
    assert ft.n_features_in_ == 1 and ft.input_shape_ == (1, 8, 8)
    with pytest.raises(ValueError, match="shape"):
        ft.predict(digits["X_te"][:, 0, :4])


def test_determinism_pickle_and_batch_independence(digits):
    def fit(seed):
        return FineTuner(model=MODEL, weights=None, max_epochs=2, random_state=seed).fit(
            digits["X_tr"], digits["y_tr"]
        )

    a, b, c = fit(7), fit(7), fit(8)
    X = digits["X_te"]
    np.testing.assert_array_equal(a.predict_proba(X), b.predict_proba(X))
    assert not np.array_equal(a.predict_proba(X), c.predict_proba(X))
    np.testing.assert_array_equal(a.predict_proba(X[5:12]), a.predict_proba(X)[5:12])
    clone = pickle.loads(pickle.dumps(a))
    np.testing.assert_array_equal(clone.predict_proba(X), a.predict_proba(X))


def test_unfitted_and_nan_inputs(digits):
    with pytest.raises(NotFittedError):
        FineTuner(model=MODEL, weights=None).predict(digits["X_te"])
    X = digits["X_tr"].copy()
    X[0, 0, 0, 0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        FineTuner(model=MODEL, weights=None, max_epochs=1).fit(X, digits["y_tr"])


def test_run_dir_and_resume_a_finished_run(tmp_path, source, digits):
    params = dict(
        model=MODEL,
        weights=source["folder"] / "src1.safetensors",
        max_epochs=2,
        run_dir=tmp_path / "run",
        random_state=0,
    )
    first = FineTuner(**params).fit(digits["X_tr"], digits["y_tr"])
    lines = (tmp_path / "run" / "metrics.csv").read_text().splitlines()
    assert len(lines) == 3 and lines[0].startswith("epoch,train_loss")
    assert (tmp_path / "run" / "checkpoint.pt").is_file()
    again = FineTuner(resume=True, **params).fit(digits["X_tr"], digits["y_tr"])
    assert len(again.history_) == 2
    assert again.history_[-1]["train_loss"] == first.history_[-1]["train_loss"]
    np.testing.assert_array_equal(
        again.predict_proba(digits["X_te"]), first.predict_proba(digits["X_te"])
    )


@pytest.mark.filterwarnings("ignore:The given NumPy array is not writable")
def test_sklearn_contract_on_images(digits):
    """What scikit-learn's estimator checks test on tabular data (which a timm model cannot
    take, see tests/test_sklearn_checks.py), checked here on images."""
    X, y = np.ascontiguousarray(digits["X_tr"][:40]), digits["y_tr"][:40]
    ft = FineTuner(model=MODEL, weights=None, max_epochs=1, callbacks=[Snapshots()], random_state=0)
    params = ft.get_params()
    read_only = X.copy()
    read_only.setflags(write=False)
    assert ft.fit(read_only, y) is ft  # fit returns self; read-only input is fine
    assert ft.get_params() == params  # fit does not change parameters
    fitted = dict(vars(ft))
    proba = ft.predict_proba(X)
    assert vars(ft).keys() == fitted.keys() and all(vars(ft)[k] is v for k, v in fitted.items())
    order = np.random.default_rng(0).permutation(len(X))
    np.testing.assert_array_equal(ft.predict_proba(X[order]), proba[order])
    np.testing.assert_array_equal(ft.predict_proba(X.astype(np.float64)), proba)
    np.testing.assert_array_equal(ft.predict_proba(np.asfortranarray(X)), proba)
    refit = ft.fit(X.astype(np.int64), y).predict_proba(X)  # integer pixels; fit is idempotent
    np.testing.assert_array_equal(refit, proba)
    with pytest.warns(DataConversionWarning):
        FineTuner(model=MODEL, weights=None, max_epochs=1).fit(X, y[:, None])
    with pytest.raises(ValueError, match="single class, 7"):
        FineTuner(model=MODEL, weights=None, max_epochs=1).fit(X, np.full(len(X), 7))
    negative = FineTuner(model=MODEL, weights=None, max_epochs=1).fit(X - 8, y)
    assert float(negative.network_.adapter.pixel_scale) == 8.0  # the largest |pixel|


def test_unlabelled_rows_are_learnt_from_semi_supervised(source, digits):
    y_few = digits["y_tr"].copy()
    y_few[10:] = -1  # 10 labelled rows, 90 unlabelled
    ft = FineTuner(
        model=MODEL,
        weights=source["folder"] / "src1.safetensors",
        unlabelled_label=-1,
        semi_supervised_steps=4,
        batch_size=4,
        random_state=0,
    ).fit(digits["X_tr"], y_few)
    assert ft.n_unlabelled_ == 90 and -1 not in ft.classes_
    assert set(ft.classes_) == set(digits["y_tr"][:10])
    assert ft.predict_proba(digits["X_te"]).shape == (300, len(ft.classes_))
    with pytest.raises(ValueError, match="unlabelled rows"):
        ft.score(digits["X_te"][:5], np.full(5, -1))
    with pytest.raises(ValueError, match="every row of y"):
        FineTuner(model=MODEL, weights=None, unlabelled_label=-1).fit(
            digits["X_tr"][:8], np.full(8, -1)
        )
