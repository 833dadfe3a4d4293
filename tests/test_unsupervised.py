"""AutoEncoder (plain, denoising, variational) and the "projected" backbone, on bundled data."""

from __future__ import annotations

import copy
import csv
import warnings

import numpy as np
import pytest
import torch
from sklearn.decomposition import PCA
from sklearn.model_selection import train_test_split

from paradigms.backbones import (
    Backbone,
    ProjectedBackbone,
    create_backbone,
    load_backbone,
    project_backbone,
    save_backbone,
)
from paradigms.data import load_digits, make_shapes
from paradigms.supervised import Classifier
from paradigms.unsupervised import AutoEncoder


@pytest.fixture(scope="module")
def digits():
    """Raw digit vectors (0..16), stratified 75/25 split: X_tr, X_te, y_tr, y_te."""
    X, y = load_digits()
    return train_test_split(X, y, test_size=0.25, stratify=y, random_state=0)


@pytest.fixture(scope="module")
def fitted(digits):
    """A plain AE (latent 8) trained on the raw digit vectors."""
    X_tr = digits[0]
    return AutoEncoder(kind="plain", latent_dim=8, max_epochs=10, random_state=0).fit(X_tr)


def state_of(module: torch.nn.Module) -> dict[str, torch.Tensor]:
    return {k: v.detach().clone() for k, v in module.state_dict().items()}


def assert_same_state(a: dict[str, torch.Tensor], b: dict[str, torch.Tensor]) -> None:
    assert a.keys() == b.keys()
    for key in a:
        assert torch.equal(a[key], b[key]), key


# ---------------------------------------------------------------- shapes and quality


def test_transform_and_inverse_on_vectors(digits, fitted):
    X_tr, X_te, _, _ = digits
    Z = fitted.transform(X_te)
    assert Z.shape == (len(X_te), 8) and Z.dtype == np.float64
    assert np.isfinite(Z).all()
    assert fitted.input_shape_ == (64,) and fitted.n_features_in_ == 64
    recon = fitted.inverse_transform(Z)
    assert recon.shape == X_te.shape and recon.dtype == np.float64
    # it reconstructs in the data's units (0..16), far better than predicting the mean
    mse = ((recon - X_te) ** 2).mean()
    assert mse < 0.4 * ((X_te - X_tr.mean(axis=0)) ** 2).mean()
    # torch input gives the same codes as numpy input
    np.testing.assert_array_equal(fitted.transform(torch.from_numpy(X_te)), Z)
    # a sample's code does not depend on the other samples in the call
    np.testing.assert_array_equal(fitted.transform(X_te[5:6]), Z[5:6])
    np.testing.assert_array_equal(fitted.fit_transform(X_tr).shape, (len(X_tr), 8))


def test_images_keep_their_layout():
    X, _ = load_digits(images=True)
    X = X[:400]
    ae = AutoEncoder(latent_dim=6, max_epochs=2, random_state=0).fit(X)
    assert ae.encoder_.in_shape == (1, 8, 8) and ae.encoder_.base.config.name == "cnn"
    Z = ae.transform(X)
    assert Z.shape == (400, 6) and Z.dtype == np.float64
    assert ae.inverse_transform(Z).shape == (400, 1, 8, 8)

    hw = AutoEncoder(latent_dim=6, max_epochs=2, random_state=0).fit(X[:, 0])
    assert hw.input_shape_ == (8, 8) and hw.encoder_.in_shape == (1, 8, 8)
    assert hw.transform(X[:, 0]).shape == (400, 6)
    assert hw.inverse_transform(hw.transform(X[:, 0])).shape == (400, 8, 8)
    assert hw.reconstruction_error(X[:, 0]).shape == (400,)
    with pytest.raises(ValueError, match="shape"):
        hw.transform(X)  # (n, 1, 8, 8) differs from the (n, 8, 8) it was fitted on


def test_training_reduces_reconstruction_error(digits):
    X_tr, X_te, _, _ = digits
    short = AutoEncoder(latent_dim=4, max_epochs=1, random_state=0).fit(X_tr)
    long = AutoEncoder(latent_dim=4, max_epochs=15, random_state=0).fit(X_tr)
    assert long.reconstruction_error(X_te).mean() < 0.8 * short.reconstruction_error(X_te).mean()
    losses = long.history_.column("train_loss")
    assert len(losses) == 15 and losses[-1] < 0.7 * losses[0]


def test_beats_pca_with_the_same_code_size(digits):
    X_tr, X_te = digits[0] / 16.0, digits[1] / 16.0
    pca = PCA(n_components=4).fit(X_tr)
    pca_mse = ((pca.inverse_transform(pca.transform(X_te)) - X_te) ** 2).mean()
    ae = AutoEncoder(kind="plain", latent_dim=4, max_epochs=15, random_state=1).fit(X_tr)
    ae_mse = ((ae.inverse_transform(ae.transform(X_te)) - X_te) ** 2).mean()
    assert ae_mse < 0.75 * pca_mse  # measured about 0.5x


def test_bigger_and_colour_images():
    X, _ = make_shapes(n_samples=60, size=64, random_state=0)
    ae = AutoEncoder(latent_dim=8, max_epochs=1, batch_size=32, random_state=0).fit(X)
    assert ae.inverse_transform(ae.transform(X)).shape == (60, 1, 64, 64)
    assert np.isfinite(ae.reconstruction_error(X)).all()

    X3, _ = make_shapes(n_samples=60, size=32, channels=3, random_state=0)
    ae3 = AutoEncoder(latent_dim=8, max_epochs=1, random_state=0).fit(X3)
    assert ae3.encoder_.in_shape == (3, 32, 32)
    assert ae3.inverse_transform(ae3.transform(X3)).shape == (60, 3, 32, 32)


# ---------------------------------------------------------------- kinds


def test_denoising_trains_and_is_deterministic_in_eval(digits):
    X_tr, X_te, _, _ = digits
    ae = AutoEncoder(kind="denoising", noise=0.3, latent_dim=8, max_epochs=5, random_state=0)
    ae.fit(X_tr)
    losses = ae.history_.column("train_loss")
    assert losses[-1] < losses[0]
    np.testing.assert_array_equal(ae.transform(X_te), ae.transform(X_te))
    np.testing.assert_array_equal(ae.reconstruction_error(X_te), ae.reconstruction_error(X_te))
    assert ae.reconstruction_error(X_te).mean() < 0.6


def test_variational_sample_and_posterior_mean(digits):
    X_tr, X_te, _, _ = digits
    vae = AutoEncoder(kind="variational", latent_dim=4, max_epochs=5, random_state=0).fit(X_tr)
    samples = vae.sample(7, random_state=3)
    assert samples.shape == (7, 64) and np.isfinite(samples).all()
    np.testing.assert_array_equal(samples, vae.sample(7, random_state=3))
    assert not np.array_equal(samples, vae.sample(7, random_state=4))
    # transform is the posterior mean: deterministic, and what the encoder returns
    Z = vae.transform(X_te)
    np.testing.assert_array_equal(Z, vae.transform(X_te))
    with torch.no_grad():
        mu = vae.encoder_.eval()(torch.from_numpy(X_te[:10])).double().numpy()
    np.testing.assert_allclose(Z[:10], mu, rtol=1e-5, atol=1e-6)
    np.testing.assert_array_equal(vae.reconstruction_error(X_te), vae.reconstruction_error(X_te))
    with pytest.raises(ValueError, match="n_samples"):
        vae.sample(0)

    X_img, _ = load_digits(images=True)
    vae_img = AutoEncoder(kind="variational", latent_dim=4, max_epochs=1, random_state=0)
    assert vae_img.fit(X_img[:200]).sample(3, random_state=0).shape == (3, 1, 8, 8)


def test_sample_needs_a_variational_model(fitted):
    with pytest.raises(ValueError, match="variational"):
        fitted.sample(4)


# ---------------------------------------------------------------- anomaly scores


def test_each_anomaly_score_is_what_it_names(digits, fitted):
    from sklearn.base import clone
    from sklearn.neighbors import NearestNeighbors

    X_tr, X_te, _, _ = digits
    codes_tr, codes_te = fitted.transform(X_tr), fitted.transform(X_te)
    errors_tr, errors_te = fitted.reconstruction_error(X_tr), fitted.reconstruction_error(X_te)
    knn = NearestNeighbors(n_neighbors=5).fit(codes_tr)
    knn_te = knn.kneighbors(codes_te)[0].mean(axis=1)
    knn_tr = knn.kneighbors()[0].mean(axis=1)
    combined = errors_te / np.median(errors_tr) + knn_te / np.median(knn_tr)
    # digits as vectors: 64 pixels in one unit, so one common scale; the mean distance to the 2
    # nearest training rows; no code distance for vectors (CODE_WEIGHTS)
    scale = X_tr.std(axis=0)[X_tr.std(axis=0) > 0].mean()
    nearest = NearestNeighbors(n_neighbors=2).fit(X_tr / scale)
    near_te = nearest.kneighbors(X_te / scale)[0].mean(axis=1)
    near_tr = nearest.kneighbors()[0].mean(axis=1)
    with_inputs = near_te / np.median(near_tr)
    assert fitted.anomaly_score == "knn+input"  # the default
    np.testing.assert_allclose(fitted.anomaly_scores(X_te), with_inputs, rtol=1e-6)
    for method, expected in [
        ("reconstruction", errors_te),
        ("knn", knn_te),
        ("reconstruction+knn", combined),
    ]:
        other = clone(fitted).set_params(anomaly_score=method).fit(X_tr)
        np.testing.assert_allclose(other.anomaly_scores(X_te), expected, rtol=1e-6)
    maha = clone(fitted).set_params(anomaly_score="mahalanobis").fit(X_tr).anomaly_scores(X_te)
    assert maha.shape == (len(X_te),) and (maha >= 0).all()


@pytest.mark.parametrize(
    ("params", "error"),
    [
        ({"anomaly_score": "lof"}, ValueError),
        ({"n_neighbors": 0}, ValueError),
        ({"n_neighbors": 2.0}, TypeError),
    ],
)
def test_bad_anomaly_parameters_are_named(digits, params, error):
    with pytest.raises(error, match=r"anomaly_score|n_neighbors"):
        AutoEncoder(max_epochs=1, **params).fit(digits[0][:50])


def test_score_conventions(digits, fitted):
    X_tr, X_te, _, _ = digits
    err = fitted.reconstruction_error(X_te)
    assert err.shape == (len(X_te),) and err.dtype == np.float64 and (err >= 0).all()
    scores = fitted.anomaly_scores(X_te)
    np.testing.assert_array_equal(fitted.score_samples(X_te), -scores)
    assert fitted.score(X_te) == pytest.approx(np.mean(-scores))
    # error = per-sample MSE in data units divided by the training data's mean variance
    recon = fitted.inverse_transform(fitted.transform(X_te))
    expected = ((recon - X_te) ** 2).mean(axis=1) / X_tr.var(axis=0).mean()
    np.testing.assert_allclose(err, expected, rtol=1e-4)


def test_unit_variance_ignores_constant_features(digits):
    """Digits have always-zero pixels; the error must still be relative to the data variance."""
    X_tr = digits[0] / 16.0
    assert (X_tr.var(axis=0) == 0).any()
    ae = AutoEncoder(latent_dim=4, max_epochs=1, random_state=0).fit(X_tr)
    recon = ae.inverse_transform(ae.transform(X_tr))
    expected = ((recon - X_tr) ** 2).mean(axis=1) / X_tr.var(axis=0).mean()
    np.testing.assert_allclose(ae.reconstruction_error(X_tr), expected, rtol=1e-4)


def test_unseen_class_is_anomalous():
    X, y = load_digits()
    normal = np.flatnonzero(y != 0)
    rng = np.random.default_rng(0)
    rng.shuffle(normal)
    train, held_out = normal[:1100], normal[1100:]
    ae = AutoEncoder(kind="plain", latent_dim=4, max_epochs=8, random_state=0).fit(X[train])
    anomalies = ae.reconstruction_error(X[y == 0]).mean()
    normals = ae.reconstruction_error(X[held_out]).mean()
    assert anomalies > 1.5 * normals  # measured about 3x
    assert ae.score_samples(X[y == 0]).mean() < ae.score_samples(X[held_out]).mean()


# ---------------------------------------------------------------- the encoder as a backbone


def test_encoder_is_a_saveable_backbone(tmp_path, digits, fitted):
    X_te = digits[1]
    enc = fitted.encoder_
    assert isinstance(enc, Backbone) and isinstance(enc, ProjectedBackbone)
    assert enc.out_features == 8 and enc.in_shape == (64,)
    assert enc.config is not None and enc.config.name == "projected"
    path = save_backbone(enc, tmp_path / "enc.safetensors")
    loaded = load_backbone(path)
    with torch.no_grad():
        out = loaded(torch.from_numpy(X_te)).double().numpy()
    np.testing.assert_array_equal(out, fitted.transform(X_te))


def test_encoder_reused_by_a_classifier(tmp_path, digits, fitted):
    X_tr, X_te, y_tr, y_te = digits
    before = state_of(fitted.encoder_)
    clf = Classifier(backbone=fitted.encoder_, max_epochs=8, random_state=0).fit(X_tr, y_tr)
    assert clf.score(X_te, y_te) > 0.85
    assert_same_state(before, state_of(fitted.encoder_))  # the AE's encoder is not trained

    path = save_backbone(fitted.encoder_, tmp_path / "enc.safetensors")
    from_file = Classifier(backbone=path, max_epochs=8, random_state=0).fit(X_tr, y_tr)
    assert from_file.score(X_te, y_te) > 0.85
    from_str = Classifier(backbone=str(path), max_epochs=8, random_state=0).fit(X_tr, y_tr)
    np.testing.assert_array_equal(from_str.predict_proba(X_te), from_file.predict_proba(X_te))


def test_linear_probe_on_the_code(digits, fitted):
    X_tr, X_te, y_tr, y_te = digits
    probe = Classifier(
        backbone=fitted.encoder_, freeze_backbone=True, max_epochs=10, random_state=0
    ).fit(X_tr, y_tr)
    assert probe.score(X_te, y_te) > 0.5  # chance is 0.1; measured about 0.67
    # frozen: the classifier's backbone is exactly the AE's encoder
    assert_same_state(state_of(fitted.encoder_), state_of(probe.backbone_))


def test_pretrained_backbone_keeps_its_normaliser(digits):
    X_tr = digits[0]
    given = create_backbone("mlp", in_shape=(64,), hidden=[32])
    given.normalizer.fit(X_tr[:50] * 2.0 + 1.0)  # statistics unlike X_tr's
    before = state_of(given)
    ae = AutoEncoder(backbone=given, latent_dim=4, max_epochs=2, random_state=0).fit(X_tr)
    assert_same_state(before, state_of(given))  # the given object is never trained
    assert given.training  # ... nor switched to another mode
    for name in ("mean", "scale"):
        assert torch.equal(getattr(ae.encoder_.normalizer, name), getattr(given.normalizer, name))
    # the mirrored decoder follows the given mlp's widths
    assert ae.encoder_.base.config.kwargs == {"hidden": [32]}
    assert ae.model_.decoder.layers[0].out_features == 32
    # error is still relative to the training data's own variance
    recon = ae.inverse_transform(ae.transform(X_tr))
    expected = ((recon - X_tr) ** 2).mean(axis=1) / X_tr.var(axis=0).mean()
    np.testing.assert_allclose(ae.reconstruction_error(X_tr), expected, rtol=1e-4)


def test_fresh_backbone_learns_normaliser_from_the_data(digits, fitted):
    X_tr = digits[0]
    np.testing.assert_allclose(
        fitted.encoder_.normalizer.mean.numpy(), X_tr.mean(axis=0), rtol=1e-4, atol=1e-4
    )


def test_an_encoder_reused_by_another_autoencoder_saves_and_loads(tmp_path, digits, fitted):
    X_tr, X_te, _, _ = digits
    stacked = AutoEncoder(backbone=fitted.encoder_, latent_dim=3, max_epochs=1, random_state=0)
    stacked.fit(X_tr)
    assert stacked.encoder_.out_features == 3
    loaded = load_backbone(save_backbone(stacked.encoder_, tmp_path / "stacked.safetensors"))
    with torch.no_grad():
        out = loaded(torch.from_numpy(X_te)).double().numpy()
    np.testing.assert_array_equal(out, stacked.transform(X_te))


# ---------------------------------------------------------------- bad input and parameters


@pytest.mark.parametrize(
    ("X", "match"),
    [
        (np.full((10, 4), np.nan), "NaN"),
        (np.where(np.eye(10, 4) > 0, np.inf, 0.0), "infinity"),
        (np.zeros((0, 4)), "0 sample"),
        (np.arange(10.0), "2D|reshape"),
        (np.zeros((4, 1, 2, 3, 3)), "5 dimensions"),
    ],
    ids=["nan", "inf", "empty", "1d", "5d"],
)
def test_bad_training_data(X, match):
    with pytest.raises(ValueError, match=match):
        AutoEncoder(latent_dim=2, max_epochs=1).fit(X)


@pytest.mark.parametrize("latent_dim", [0, -1, 2.5, "4"])
def test_bad_latent_dim(latent_dim):
    X = np.random.default_rng(0).normal(size=(20, 6))
    with pytest.raises(ValueError, match="latent_dim"):
        AutoEncoder(latent_dim=latent_dim, max_epochs=1).fit(X)


def test_unknown_kind_lists_the_kinds():
    X = np.random.default_rng(0).normal(size=(20, 6))
    with pytest.raises(ValueError, match=r"plain.*denoising.*variational"):
        AutoEncoder(kind="sparse", latent_dim=2, max_epochs=1).fit(X)


def test_overcomplete_plain_autoencoder_warns():
    X = np.random.default_rng(0).normal(size=(20, 3)).astype(np.float32)
    with pytest.warns(UserWarning, match="identity"):
        AutoEncoder(kind="plain", latent_dim=3, max_epochs=1, random_state=0).fit(X)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        AutoEncoder(latent_dim=2, max_epochs=1, random_state=0).fit(X)
        AutoEncoder(kind="denoising", latent_dim=3, max_epochs=1, random_state=0).fit(X)


def test_bad_inputs_after_fit(fitted):
    with pytest.raises(ValueError, match=r"\(n, 8\)"):
        fitted.inverse_transform(np.zeros((3, 5)))
    with pytest.raises(ValueError, match=r"\(n, 8\)"):
        fitted.inverse_transform(np.zeros(8))
    with pytest.raises(ValueError, match=r"\(n, 8\)"):
        fitted.inverse_transform(np.zeros((3, 8, 1)))
    with pytest.raises(ValueError, match="NaN"):
        fitted.inverse_transform(np.full((3, 8), np.nan))
    with pytest.raises(ValueError, match=r"63 features.*expecting 64"):
        fitted.transform(np.zeros((3, 63)))
    with pytest.raises(ValueError, match="features"):
        fitted.reconstruction_error(np.zeros((3, 65)))
    with pytest.raises(ValueError, match="NaN"):
        fitted.transform(np.full((3, 64), np.nan))


def test_unfitted_raises():
    from sklearn.exceptions import NotFittedError

    with pytest.raises(NotFittedError):
        AutoEncoder().transform(np.zeros((2, 4)))


# ---------------------------------------------------------------- runs, resume, determinism


def test_run_dir_and_resume_of_a_finished_run(tmp_path, digits):
    X_tr, X_te, _, _ = digits
    params = dict(latent_dim=4, max_epochs=3, random_state=0, run_dir=tmp_path / "run")
    first = AutoEncoder(**params).fit(X_tr)
    assert (tmp_path / "run" / "checkpoint.pt").is_file()
    with open(tmp_path / "run" / "metrics.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 3 and "train_loss" in rows[0]
    resumed = AutoEncoder(**params, resume=True).fit(X_tr)
    np.testing.assert_array_equal(resumed.transform(X_te), first.transform(X_te))
    np.testing.assert_array_equal(
        resumed.reconstruction_error(X_te), first.reconstruction_error(X_te)
    )
    assert len(resumed.history_) == 3


def test_same_seed_same_codes_other_seed_differs(digits):
    X = digits[0][:300]
    a = AutoEncoder(latent_dim=4, max_epochs=2, random_state=5).fit(X)
    b = AutoEncoder(latent_dim=4, max_epochs=2, random_state=5).fit(X)
    c = AutoEncoder(latent_dim=4, max_epochs=2, random_state=6).fit(X)
    np.testing.assert_array_equal(a.transform(X), b.transform(X))
    assert not np.array_equal(a.transform(X), c.transform(X))
    # refitting the same object is also reproducible
    np.testing.assert_array_equal(a.fit(X).transform(X), b.transform(X))


def test_feature_names_and_params(fitted):
    names = fitted.get_feature_names_out()
    assert list(names) == [f"autoencoder{i}" for i in range(8)]
    clone = copy.deepcopy(fitted)
    assert clone.get_params() == fitted.get_params()
    params = AutoEncoder(latent_dim=3, kind="denoising").get_params()
    assert params["latent_dim"] == 3 and params["kind"] == "denoising"


# ---------------------------------------------------------------- the "projected" backbone


def test_projected_backbone_factory_and_round_trip(tmp_path):
    bb = create_backbone(
        "projected", in_shape=(64,), base="mlp", base_kwargs={"hidden": [32]}, out_features=4
    )
    assert isinstance(bb, ProjectedBackbone) and bb.out_features == 4 and bb.in_shape == (64,)
    assert bb.base.config.name == "mlp" and bb.base.out_features == 32
    X = torch.from_numpy(load_digits()[0][:20])
    bb.normalizer.fit(X)
    bb.eval()
    loaded = load_backbone(save_backbone(bb, tmp_path / "p.safetensors"))
    assert loaded.config == bb.config
    with torch.no_grad():
        assert bb(X).shape == (20, 4)
        assert torch.equal(loaded(X), bb(X))
    with pytest.raises(ValueError, match="out_features"):
        create_backbone("projected", in_shape=(64,), base="mlp", out_features=0)


def test_project_backbone_needs_a_config():
    base = create_backbone("mlp", in_shape=(5,), hidden=[8])
    wrapped = project_backbone(base, 3)
    assert wrapped.config.kwargs == {
        "base": "mlp",
        "base_kwargs": {"hidden": [8]},
        "out_features": 3,
    }
    base.config = None
    with pytest.raises(ValueError, match="create_backbone"):
        project_backbone(base, 3)


def test_project_backbone_copies_fitted_statistics():
    base = create_backbone("mlp", in_shape=(5,), hidden=[8])
    base.normalizer.fit(np.random.default_rng(0).normal(3.0, 2.0, size=(50, 5)))
    wrapped = project_backbone(base, 2)
    assert torch.equal(wrapped.normalizer.mean, base.normalizer.mean)
    assert torch.equal(wrapped.normalizer.scale, base.normalizer.scale)
    assert wrapped.normalizer.fitted
