"""Classifier and Regressor: the supervised contract from DESIGN.md, on bundled data."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from sklearn.model_selection import GridSearchCV, train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer

from paradigms.backbones import Backbone, create_backbone, load_backbone, save_backbone
from paradigms.data import load_digits, load_wine
from paradigms.supervised import Classifier, Regressor


@pytest.fixture(scope="module")
def digits_images():
    X, y = load_digits(images=True)
    return train_test_split(X, y, test_size=0.25, stratify=y, random_state=0)


@pytest.fixture(scope="module")
def fitted_digits(digits_images):
    X_tr, _, y_tr, _ = digits_images
    return Classifier(max_epochs=6, random_state=0).fit(X_tr, y_tr)


def test_classifier_learns_digit_images(digits_images, fitted_digits):
    _, X_te, _, y_te = digits_images
    clf = fitted_digits
    assert clf.score(X_te, y_te) > 0.95
    assert isinstance(clf.backbone_, Backbone) and clf.backbone_.config.name == "cnn"
    assert clf.input_shape_ == (1, 8, 8) and clf.n_features_in_ == 1
    assert len(clf.history_) == 6 and clf.history_[-1]["train_loss"] < clf.history_[0]["train_loss"]
    proba = clf.predict_proba(X_te)
    assert proba.shape == (len(X_te), 10)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-12)
    np.testing.assert_array_equal(clf.classes_[proba.argmax(1)], clf.predict(X_te))


def test_image_layouts_and_torch_input(digits_images):
    X_tr, X_te, y_tr, y_te = digits_images
    hw = X_tr[:, 0]  # (n, 8, 8)
    clf = Classifier(max_epochs=3, random_state=0).fit(torch.from_numpy(hw), torch.from_numpy(y_tr))
    assert clf.input_shape_ == (8, 8)
    assert clf.backbone_.in_shape == (1, 8, 8)
    assert clf.score(X_te[:, 0], y_te) > 0.8
    with pytest.raises(ValueError, match="shape"):
        clf.predict(X_te)  # (n, 1, 8, 8) differs from the (n, 8, 8) it was fitted on


def test_string_labels_and_unscaled_tabular_features():
    X, y = load_wine()
    names = np.array(["barolo", "grignolino", "barbera"])[y]
    X_tr, X_te, y_tr, y_te = train_test_split(X, names, test_size=0.25, stratify=y, random_state=0)
    clf = Classifier(random_state=0).fit(X_tr * 1000.0, y_tr)  # features in the thousands
    assert set(clf.classes_) == {"barolo", "grignolino", "barbera"}
    assert clf.predict(X_te * 1000.0).dtype == clf.classes_.dtype
    assert clf.score(X_te * 1000.0, y_te) > 0.9


def test_same_seed_same_model_and_predictions_independent_of_batching():
    X, y = load_wine()
    a = Classifier(max_epochs=5, random_state=3).fit(X, y)
    b = Classifier(max_epochs=5, random_state=3).fit(X, y)
    np.testing.assert_array_equal(a.predict_proba(X), b.predict_proba(X))
    c = Classifier(max_epochs=5, random_state=4).fit(X, y)
    assert not np.array_equal(a.predict_proba(X), c.predict_proba(X))
    one_by_one = np.concatenate([a.predict_proba(X[i : i + 1]) for i in range(0, len(X), 17)])
    np.testing.assert_array_equal(one_by_one, a.predict_proba(X[::17]))


def test_backbone_given_as_name_instance_or_path(tmp_path, digits_images):
    X_tr, X_te, y_tr, y_te = digits_images
    source = Classifier(backbone="cnn", max_epochs=3, random_state=0).fit(X_tr, y_tr)
    path = save_backbone(source.backbone_, tmp_path / "bb.safetensors")
    before = {k: v.clone() for k, v in source.backbone_.state_dict().items()}

    from_instance = Classifier(backbone=source.backbone_, max_epochs=2, random_state=0)
    from_instance.fit(X_tr, y_tr)
    after = source.backbone_.state_dict()
    assert all(torch.equal(before[k], after[k]) for k in before), "the given backbone was trained"
    assert from_instance.backbone_ is not source.backbone_

    from_path = Classifier(backbone=str(path), max_epochs=2, random_state=0).fit(X_tr, y_tr)
    assert from_path.score(X_te, y_te) > 0.9
    # the reused backbone keeps the input scaling learned on the source data
    loaded = load_backbone(path)
    assert loaded.normalizer.fitted
    torch.testing.assert_close(loaded.normalizer.mean, source.backbone_.normalizer.mean)


def test_frozen_backbone_is_bit_identical_after_fit(digits_images):
    X_tr, _, y_tr, _ = digits_images
    bb = create_backbone("cnn", in_shape=(1, 8, 8))
    bb.normalizer.fit(X_tr)
    clf = Classifier(backbone=bb, freeze_backbone=True, max_epochs=2, random_state=0)
    clf.fit(X_tr, y_tr)
    for key, value in bb.state_dict().items():  # includes BatchNorm running statistics
        assert torch.equal(value, clf.backbone_.state_dict()[key]), key


def test_backbone_in_shape_mismatch_is_explained(digits_images):
    X_tr, _, y_tr, _ = digits_images
    wrong = create_backbone("cnn", in_shape=(3, 32, 32))
    with pytest.raises(ValueError, match=r"\(3, 32, 32\).*\(1, 8, 8\)"):
        Classifier(backbone=wrong).fit(X_tr, y_tr)


@pytest.mark.parametrize(
    ("X", "y", "message"),
    [
        (np.full((10, 3), np.nan), np.arange(10) % 2, "NaN"),
        (np.full((10, 3), np.inf), np.arange(10) % 2, "infinity"),
        (np.zeros((0, 3)), np.zeros(0), "0 sample"),
        (np.zeros((10, 3)), np.arange(9) % 2, "inconsistent numbers of samples"),
        (np.zeros(10), np.arange(10) % 2, "Expected 2D array"),
        (np.zeros((10, 1, 2, 3, 4)), np.arange(10) % 2, "5 dimensions"),
        (
            np.random.default_rng(0).normal(size=(10, 3)),
            np.linspace(0, 1, 10),
            "Unknown label type",
        ),
    ],
)
def test_classifier_bad_input(X, y, message):
    with pytest.raises(ValueError, match=message):
        Classifier(max_epochs=1).fit(X, y)


def test_unknown_backbone_name_suggests_close_ones():
    X, y = load_wine()
    with pytest.raises(ValueError, match="Did you mean 'mlp'"):
        Classifier(backbone="mpl").fit(X, y)


def test_a_single_class_is_refused_with_the_fix():
    X = np.random.default_rng(0).normal(size=(20, 4))
    with pytest.raises(ValueError, match=r"single class, 'only'.*Add labelled rows of another"):
        Classifier(max_epochs=2, random_state=0).fit(X, ["only"] * 20)


def test_regressor_single_and_multi_output():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(400, 5)) * [1, 10, 100, 1000, 0.01]
    w = np.array([1.0, -0.2, 0.01, 0.001, 50.0])
    y = X @ w * 100 + 5000  # a large offset and scale: targets are standardised inside
    reg = Regressor(max_epochs=40, random_state=0).fit(X[:300], y[:300])
    assert reg.predict(X[300:]).shape == (100,)
    assert reg.score(X[300:], y[300:]) > 0.9
    Y = np.stack([y, -y / 100], axis=1)
    multi = Regressor(max_epochs=40, random_state=0).fit(X[:300], Y[:300])
    assert multi.predict(X[300:]).shape == (100, 2)
    assert multi.score(X[300:], Y[300:]) > 0.9


def test_works_in_pipeline_and_grid_search():
    X, y = load_wine()
    pipe = make_pipeline(FunctionTransformer(np.log1p), Classifier(max_epochs=5, random_state=0))
    assert pipe.fit(X, y).score(X, y) > 0.9
    search = GridSearchCV(Classifier(max_epochs=5, random_state=0), {"lr": [1e-3, 3e-3]}, cv=2)
    search.fit(X, y)
    assert search.best_params_["lr"] in (1e-3, 3e-3)


def test_run_dir_checkpoints_and_resume(tmp_path):
    X, y = load_wine()
    full = Classifier(max_epochs=6, random_state=0, run_dir=tmp_path / "full").fit(X, y)
    assert (tmp_path / "full" / "metrics.csv").read_text().count("\n") == 7  # header + 6 rows
    assert (tmp_path / "full" / "checkpoint.pt").is_file()
    # a finished run resumed is loaded, not retrained, and predicts identically
    again = Classifier(max_epochs=6, random_state=0, run_dir=tmp_path / "full", resume=True)
    again.fit(X, y)
    np.testing.assert_array_equal(again.predict_proba(X), full.predict_proba(X))
    assert len(again.history_) == 6
