"""ONNX export of every estimator, backbone and agent, each file run in onnxruntime and compared
with the torch model it came from (dynamic batch sizes included)."""

from __future__ import annotations

import json

import numpy as np
import onnx
import onnxruntime
import pytest
from sklearn.datasets import load_diabetes
from sklearn.exceptions import NotFittedError

from paradigms.backbones import create_backbone, export_onnx, save_backbone
from paradigms.data import load_digits
from paradigms.supervised import Classifier, Regressor
from paradigms.transfer import FineTuner
from paradigms.unsupervised import AutoEncoder

#: logits and probabilities may differ from torch's by float32 rounding only
TOLERANCE = 1e-4


def run_onnx(path, name, inputs):
    session = onnxruntime.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    return session.run(None, {name: inputs})


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits(images=True)  # (n, 1, 8, 8)
    return X.astype(np.float32), y


@pytest.mark.parametrize("layout", ["images", "grey", "flat"])
def test_classifier_export_matches_predict_at_any_batch_size(digits, tmp_path, layout):
    X, y = digits
    X = {"images": X, "grey": X[:, 0], "flat": X.reshape(len(X), -1)}[layout]
    clf = Classifier(max_epochs=2, random_state=0).fit(X[:300], y[:300])
    result = clf.export_onnx(tmp_path / "clf.onnx")
    assert result.output_names == ("logits", "probabilities")
    assert result.input_shape == X.shape[1:] and result.max_abs_difference < TOLERANCE
    for n in (1, 7, 300):
        batch = X[300 : 300 + n]
        logits, probabilities = run_onnx(result.path, "input", batch)
        assert probabilities.shape == (n, 10)
        assert np.abs(probabilities - clf.predict_proba(batch)).max() < TOLERANCE
        assert (clf.classes_[logits.argmax(1)] == clf.predict(batch)).all()
    notes = {p.key: p.value for p in onnx.load(str(result.path)).metadata_props}
    assert json.loads(notes["classes"]) == list(range(10))
    assert notes["paradigms_model"] == "Classifier"


def test_string_classes_are_in_the_metadata(digits, tmp_path):
    X, y = digits
    names = np.array(["zero", "one", "two"])[y[:200] % 3]
    clf = Classifier(max_epochs=1, random_state=0).fit(X[:200], names)
    result = clf.export_onnx(tmp_path / "named.onnx", X=X[:20])
    logits, _ = run_onnx(result.path, "input", X[200:240])
    classes = np.array(json.loads(result.metadata["classes"]))
    assert (classes[logits.argmax(1)] == clf.predict(X[200:240])).all()


@pytest.mark.parametrize("outputs", [1, 2])
def test_regressor_export_predicts_on_the_targets_scale(tmp_path, outputs):
    X, y = load_diabetes(return_X_y=True)
    y = y if outputs == 1 else np.c_[y, -3 * y]
    reg = Regressor(max_epochs=3, random_state=0).fit(X, y)
    result = reg.export_onnx(tmp_path / "reg.onnx")
    (prediction,) = run_onnx(result.path, "input", X.astype(np.float32))
    expected = reg.predict(X)
    assert prediction.shape == expected.shape
    # targets in the hundreds: float32 rounding of ~1e-7 relative
    assert np.abs(prediction - expected).max() < TOLERANCE * np.abs(expected).max()


def test_autoencoder_exports_encoder_decoder_and_both(digits, tmp_path):
    X = digits[0][:, 0]  # (n, 8, 8)
    ae = AutoEncoder(max_epochs=2, random_state=0).fit(X[:300])
    encoder = ae.export_onnx(tmp_path / "enc.onnx")  # the default part
    decoder = ae.export_onnx(tmp_path / "dec.onnx", part="decoder")
    both = ae.export_onnx(tmp_path / "ae.onnx", part="autoencoder")
    assert (encoder.input_name, encoder.output_names) == ("input", ("code",))
    assert (decoder.input_name, decoder.input_shape) == ("code", (ae.latent_dim,))
    batch = X[300:350]
    (codes,) = run_onnx(encoder.path, "input", batch)
    assert np.abs(codes - ae.transform(batch)).max() < TOLERANCE
    (decoded,) = run_onnx(decoder.path, "code", codes)
    assert decoded.shape == batch.shape
    assert np.abs(decoded - ae.inverse_transform(codes)).max() < 1e-3
    (reconstruction,) = run_onnx(both.path, "input", batch)
    assert np.abs(reconstruction - decoded).max() < 1e-3


def test_finetuner_export_has_its_input_adaptation_inside(digits, tmp_path):
    X, y = digits
    ft = FineTuner(model="test_resnet", weights=None, max_epochs=1, random_state=0)
    ft.fit(X[:120], y[:120])
    result = ft.export_onnx(tmp_path / "ft.onnx")
    batch = X[200:233]  # raw digits pixels in 0..16: the adapter rescales and resizes
    logits, probabilities = run_onnx(result.path, "input", batch)
    assert np.abs(probabilities - ft.predict_proba(batch)).max() < TOLERANCE
    assert (ft.classes_[logits.argmax(1)] == ft.predict(batch)).all()


def test_finetuner_on_a_backbone_exports(digits, tmp_path):
    X, y = digits
    ft = FineTuner(weights=create_backbone("cnn", in_shape=(1, 8, 8)), max_epochs=1)
    ft.set_params(random_state=0).fit(X[:120], y[:120])
    result = ft.export_onnx(tmp_path / "ftb.onnx")
    logits, _ = run_onnx(result.path, "input", X[:50])
    assert (ft.classes_[logits.argmax(1)] == ft.predict(X[:50])).all()


@pytest.mark.parametrize(
    "name, in_shape", [("mlp", (13,)), ("cnn", (3, 12, 12)), ("timm:test_resnet", (1, 16, 16))]
)
def test_any_backbone_exports(tmp_path, name, in_shape):
    backbone = create_backbone(name, in_shape=in_shape)
    rng = np.random.default_rng(0)
    backbone.normalizer.fit(rng.normal(5, 2, (64, *in_shape)).astype(np.float32))
    save_backbone(backbone, tmp_path / "bb.safetensors")
    result = export_onnx(backbone, tmp_path / "bb.onnx")
    inputs = rng.normal(5, 2, (5, *in_shape)).astype(np.float32)
    (features,) = run_onnx(result.path, "input", inputs)
    import torch

    with torch.no_grad():
        expected = backbone.eval()(torch.from_numpy(inputs)).numpy()
    assert features.shape == (5, backbone.out_features)
    assert np.abs(features - expected).max() < TOLERANCE


def test_what_cannot_be_exported_says_so(digits, tmp_path):
    X, y = digits
    with pytest.raises(NotFittedError):  # a ValueError
        Classifier().export_onnx(tmp_path / "x.onnx")
    clf = Classifier(max_epochs=1, random_state=0).fit(X[:100], y[:100])
    with pytest.raises(ValueError, match=r"ending in \.onnx"):
        clf.export_onnx(tmp_path / "x.pt")
    with pytest.raises(ValueError, match="exports part='model'"):
        clf.export_onnx(tmp_path / "x.onnx", part="decoder")
    with pytest.raises(ValueError, match="was fitted on samples of shape"):
        clf.export_onnx(tmp_path / "x.onnx", X=np.zeros((4, 3)))
    with pytest.raises(TypeError, match="exports a paradigms Backbone; got Classifier"):
        export_onnx(clf, tmp_path / "x.onnx")
    with pytest.raises(ValueError, match=r"inputs of shape \(n, 1, 8, 8\)"):
        export_onnx(clf.backbone_, tmp_path / "x.onnx", example=np.zeros((2, 64)))
    assert not list(tmp_path.iterdir())  # nothing half-written


def test_saved_finetuner_weights_export_as_the_finetuner_predicts(digits, tmp_path):
    from paradigms.transfer import export_saved_weights

    X, y = digits
    ft = FineTuner(model="test_resnet", weights=None, max_epochs=1, random_state=0)
    ft.fit(X[:120], y[:120])
    ft.save_weights(tmp_path / "ft.safetensors")
    result = export_saved_weights(tmp_path / "ft.safetensors", tmp_path / "ft.onnx")
    _, probabilities = run_onnx(result.path, "input", X[200:260])
    assert np.abs(probabilities - ft.predict_proba(X[200:260])).max() < TOLERANCE
    assert json.loads(result.metadata["classes"]) == list(range(10))


def test_cli_exports_a_transfer_run(tmp_path, capsys):
    from paradigms.cli import main

    out = tmp_path / "run"
    args = ["transfer", "--model", "test_resnet", "--weights", "none", "--classes", "5-9"]
    args += ["--labels-per-class", "2", "--max-epochs", "1", "--no-progress"]
    assert main([*args, "--out", str(out)]) == 0
    capsys.readouterr()
    assert main(["export", str(out)]) == 0
    assert "-> logits, probabilities" in capsys.readouterr().out
    assert (out / "model.onnx").stat().st_size > 0
