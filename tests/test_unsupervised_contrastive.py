"""The contrastive and masked AutoEncoder kinds, and how a Classifier fine-tunes the result."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from sklearn.base import clone
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split

from paradigms.backbones import load_backbone, save_backbone
from paradigms.data import draw_labels_per_class, load_digits
from paradigms.supervised import Classifier
from paradigms.unsupervised import AutoEncoder
from paradigms.unsupervised._network import MASK_RATIO, _keep_mask
from paradigms.unsupervised.anomaly import AnomalyScorer
from paradigms.unsupervised.contrastive import (
    FINE_TUNE_LR_SCALE,
    neighbour_table,
    unit_code_scale,
)


@pytest.fixture(scope="module")
def images():
    """Digit images ``(n, 1, 8, 8)``, stratified 75/25 split: X_tr, X_te, y_tr, y_te."""
    X, y = load_digits(images=True)
    return train_test_split(X, y, test_size=0.25, stratify=y, random_state=0)


@pytest.fixture(scope="module")
def contrastive(images):
    """A contrastive AutoEncoder (the default kind) on a short budget: 20 passes, 120 steps."""
    return AutoEncoder(max_epochs=20, random_state=0).fit(images[0])


def _probe_accuracy(ae: AutoEncoder, images, labels_per_class: int = 5) -> float:
    X_tr, X_te, y_tr, y_te = images
    few, _ = draw_labels_per_class(y_tr, labels_per_class, 0)
    probe = LogisticRegression(max_iter=3000).fit(ae.transform(X_tr[few]), y_tr[few])
    return float(probe.score(ae.transform(X_te), y_te))


def test_neighbour_table_leaves_each_row_out_and_keeps_to_the_candidates():
    points = np.array([[0.0], [1.0], [2.0], [10.0], [11.0]], dtype=np.float32)
    table = neighbour_table(points, np.arange(5), k=1)
    np.testing.assert_array_equal(table[:, 0], [1, 0, 1, 4, 3])
    # only rows 0, 1 and 3 may be neighbours (e.g. the training part of a split)
    table = neighbour_table(points, np.array([0, 1, 3]), k=2)
    assert table.shape == (5, 2) and set(table.ravel()) <= {0, 1, 3}
    assert all(row not in table[row] for row in range(5))
    np.testing.assert_array_equal(table[4], [3, 1])
    # a lone candidate is everyone's neighbour, itself included
    np.testing.assert_array_equal(neighbour_table(points, np.array([2]), k=5), [[2]] * 5)


def test_keep_mask_hides_patches_of_images_and_features_of_vectors():
    torch.manual_seed(0)
    image_mask = _keep_mask(torch.zeros(400, 1, 8, 8))
    assert image_mask.shape == (400, 1, 8, 8)
    # 2x2 patches: every pixel of a patch shares its fate
    patches = image_mask.reshape(400, 4, 2, 4, 2)
    assert (patches.amin(dim=(2, 4)) == patches.amax(dim=(2, 4))).all()
    assert abs(float(1 - image_mask.mean()) - MASK_RATIO) < 0.03
    vector_mask = _keep_mask(torch.zeros(400, 30))
    assert vector_mask.shape == (400, 30)
    assert abs(float(1 - vector_mask.mean()) - MASK_RATIO) < 0.03


def test_masked_kind_reconstructs_better_than_the_mean(images):
    X_tr, X_te = images[0], images[1]
    ae = AutoEncoder(kind="masked", max_epochs=5, random_state=0).fit(X_tr)
    assert ae.model_.kind == "masked"
    # errors are divided by the data's variance: 1.0 is "predict the mean everywhere"
    assert float(ae.reconstruction_error(X_te).mean()) < 0.6


def test_contrastive_codes_have_unit_scale_and_group_the_digits(images, contrastive):
    X_tr = images[0]
    codes = contrastive.transform(X_tr)
    assert codes.shape == (len(X_tr), 32)
    assert abs(float(codes.std(axis=0).mean()) - 1.0) < 1e-3
    # 5 labels per class, a logistic regression on the codes: the contrastive codes beat a
    # plain autoencoder's of the same size and budget (measured 0.962 vs 0.856)
    plain = AutoEncoder(kind="plain", max_epochs=20, random_state=0).fit(X_tr)
    assert _probe_accuracy(contrastive, images) > _probe_accuracy(plain, images) + 0.05


def test_unit_code_scale_keeps_reconstructions(images, contrastive):
    X_te = images[1][:20]
    before_codes = contrastive.transform(X_te)
    before = contrastive.inverse_transform(before_codes)
    network = contrastive.model_
    saved = {k: v.clone() for k, v in network.state_dict().items()}
    try:
        unit_code_scale(network, 0.5)
        np.testing.assert_allclose(contrastive.transform(X_te), 2 * before_codes, rtol=1e-5)
        recon = contrastive.inverse_transform(contrastive.transform(X_te))
        np.testing.assert_allclose(recon, before, rtol=1e-4, atol=1e-4)
    finally:
        network.load_state_dict(saved)


def test_contrastive_encoder_advises_a_low_fine_tuning_rate_that_survives_a_file(
    tmp_path, contrastive
):
    encoder = contrastive.encoder_
    assert encoder.fine_tune_lr_scale == FINE_TUNE_LR_SCALE
    path = save_backbone(encoder, tmp_path / "encoder.safetensors")
    assert load_backbone(path).fine_tune_lr_scale == FINE_TUNE_LR_SCALE
    plain = AutoEncoder(kind="plain", latent_dim=2, max_epochs=1, random_state=0)
    plain.fit(np.arange(32.0).reshape(8, 4))
    assert plain.encoder_.fine_tune_lr_scale is None


def test_classifier_follows_the_advice_and_drops_it_once_trained(images, contrastive):
    X_tr, y_tr = images[0][:60], images[2][:60]
    clf = Classifier(backbone=contrastive.encoder_, max_epochs=1, random_state=0)
    network = clf._build_network(X_tr, 10, augment_images=False)
    groups = clf._param_groups(network)
    assert groups is not None and groups[0]["lr"] == pytest.approx(clf.lr * FINE_TUNE_LR_SCALE)
    n_backbone = sum(p.numel() for p in network.backbone.parameters())
    assert sum(p.numel() for p in groups[0]["params"]) == n_backbone
    assert sum(p.numel() for g in groups for p in g["params"]) == sum(
        p.numel() for p in network.parameters()
    )
    # an explicit scale wins; 1 means one learning rate for everything
    assert Classifier(backbone_lr_scale=1.0)._param_groups(network) is None
    assert Classifier(backbone_lr_scale=0.5)._param_groups(network)[0]["lr"] == pytest.approx(
        0.5 * clf.lr
    )
    # a fresh backbone has no advice
    fresh = Classifier(max_epochs=1)
    assert fresh._param_groups(fresh._build_network(X_tr, 10, augment_images=False)) is None
    fitted = clf.fit(X_tr, y_tr)
    assert fitted.backbone_.fine_tune_lr_scale is None  # trained for this task now
    assert contrastive.encoder_.fine_tune_lr_scale == FINE_TUNE_LR_SCALE  # the AE's untouched
    frozen = Classifier(backbone=contrastive.encoder_, freeze_backbone=True, max_epochs=1)
    assert frozen.fit(X_tr, y_tr).backbone_.fine_tune_lr_scale == FINE_TUNE_LR_SCALE


@pytest.mark.parametrize("scale", [-0.1, float("nan"), "low", True])
def test_bad_backbone_lr_scale_is_refused(images, scale):
    X_tr, y_tr = images[0][:30], images[2][:30]
    with pytest.raises(ValueError, match="backbone_lr_scale"):
        Classifier(backbone_lr_scale=scale, max_epochs=1).fit(X_tr, y_tr)


@pytest.mark.parametrize("batch_size", [0, "big", 2.5, True])
def test_bad_batch_size_is_refused(batch_size):
    with pytest.raises(ValueError, match="batch_size"):
        AutoEncoder(batch_size=batch_size, max_epochs=1).fit(np.ones((10, 3)))


def test_auto_budget_depends_on_the_kind():
    contrastive = AutoEncoder()
    assert contrastive._budget(1347) == (100, 256)  # 600 steps of 256
    assert contrastive._budget(100) == (300, 100)  # at most 300 passes
    assert contrastive._budget(100_000) == (10, 256)  # at least 10 passes
    assert AutoEncoder(kind="plain")._budget(1347) == (30, 16)
    assert AutoEncoder(max_epochs=3, batch_size=8)._budget(1347) == (3, 8)


def test_contrastive_fit_with_validation_and_on_vectors():
    X = np.random.default_rng(0).normal(size=(60, 5)).astype(np.float32) * 10
    ae = AutoEncoder(max_epochs=3, validation_fraction=0.2, random_state=0).fit(X)
    assert "val_loss" in ae.history_[-1] and np.isfinite(ae.history_[-1]["val_loss"])
    assert ae.transform(X).shape == (60, 32) and np.isfinite(ae.anomaly_scores(X)).all()
    same = AutoEncoder(max_epochs=3, validation_fraction=0.2, random_state=0).fit(X)
    np.testing.assert_array_equal(ae.transform(X), same.transform(X))


def test_contrastive_code_neighbours_are_measured_by_angle(images, contrastive):
    from sklearn.neighbors import NearestNeighbors

    X_tr, X_te, _, _ = images
    knn = clone(contrastive).set_params(anomaly_score="knn").fit(X_tr)
    unit_tr, unit_te = (
        codes / np.linalg.norm(codes, axis=1, keepdims=True)
        for codes in (knn.transform(X_tr), knn.transform(X_te))
    )
    expected = NearestNeighbors(n_neighbors=5).fit(unit_tr).kneighbors(unit_te)[0].mean(axis=1)
    np.testing.assert_allclose(knn.anomaly_scores(X_te), expected, rtol=1e-5)
    assert knn.anomaly_scorer_.code_metric == "cosine"
    assert AutoEncoder(kind="plain", max_epochs=1).fit(X_tr[:50]).anomaly_scorer_.code_metric == (
        "euclidean"
    )


def test_default_anomaly_score_on_images_adds_half_the_code_distance(images, contrastive):
    from sklearn.neighbors import NearestNeighbors

    X_tr, X_te, _, _ = images
    flat_tr, flat_te = X_tr.reshape(len(X_tr), -1), X_te.reshape(len(X_te), -1)
    scale = flat_tr.std(axis=0)[flat_tr.std(axis=0) > 0].mean()  # pixels: one unit
    nearest = NearestNeighbors(n_neighbors=2).fit(flat_tr / scale)
    near_te = nearest.kneighbors(flat_te / scale)[0].mean(axis=1)
    near_tr = nearest.kneighbors()[0].mean(axis=1)
    unit_tr, unit_te = (
        codes / np.linalg.norm(codes, axis=1, keepdims=True)
        for codes in (contrastive.transform(X_tr), contrastive.transform(X_te))
    )
    codes = NearestNeighbors(n_neighbors=5).fit(unit_tr)
    code_te, code_tr = codes.kneighbors(unit_te)[0].mean(axis=1), codes.kneighbors()[0].mean(1)
    expected = near_te / np.median(near_tr) + 0.5 * code_te / np.median(code_tr)
    np.testing.assert_allclose(contrastive.anomaly_scores(X_te), expected, rtol=1e-5)


def test_cosine_code_metric_ignores_each_code_length():
    rng = np.random.default_rng(0)
    codes, inputs, errors = rng.normal(size=(40, 4)), rng.normal(size=(40, 6)), rng.random(40)
    lengths = rng.uniform(0.1, 10.0, size=(40, 1))
    scorer = AnomalyScorer("knn", code_metric="cosine").fit(codes, errors, inputs)
    rescaled = AnomalyScorer("knn", code_metric="cosine").fit(codes * lengths, errors, inputs)
    np.testing.assert_allclose(
        scorer.score(codes[:7], errors[:7], inputs[:7]),
        rescaled.score(codes[:7] * 3.0, errors[:7], inputs[:7]),
    )
    euclidean = AnomalyScorer("knn").fit(codes, errors, inputs)
    assert not np.allclose(
        euclidean.score(codes[:7] * 3.0, errors[:7], inputs[:7]),
        euclidean.score(codes[:7], errors[:7], inputs[:7]),
    )
    zeros = np.zeros_like(codes)  # codes of no length: finite scores, no division by zero
    on_zeros = AnomalyScorer("knn+input", code_metric="cosine").fit(zeros, errors, inputs)
    assert np.isfinite(on_zeros.score(zeros[:3], errors[:3], inputs[:3])).all()
    with pytest.raises(ValueError, match="code_metric='manhattan' is unknown"):
        AnomalyScorer("knn", code_metric="manhattan")
