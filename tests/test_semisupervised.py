"""Semi-supervised Classifier: with unlabelled_label=-1, y == -1 marks unlabelled rows, which the
fit learns from; without it, -1 is a class like any other."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from sklearn.model_selection import train_test_split
from torch.optim.optimizer import register_optimizer_step_post_hook

from paradigms.data import load_digits, load_wine
from paradigms.engine.augment import strong_augment, weak_augment
from paradigms.engine.semisupervised import MixedData, data_statistics, unlabelled_mask
from paradigms.supervised import Classifier


def _semi(**params) -> Classifier:
    """A Classifier that learns from the rows marked -1 too."""
    return Classifier(unlabelled_label=-1, **params)


def _few_labels(y: np.ndarray, per_class: int, seed: int, marker=-1) -> np.ndarray:
    """A copy of ``y`` with all but ``per_class`` rows of each class set to ``marker``."""
    rng = np.random.RandomState(seed)
    keep = np.concatenate(
        [rng.choice(np.flatnonzero(y == c), per_class, replace=False) for c in np.unique(y)]
    )
    out = np.full(len(y), marker, dtype=object if isinstance(marker, str) else y.dtype)
    out[keep] = y[keep]
    return out


@pytest.fixture(scope="module")
def digits_split():
    X, y = load_digits(images=True)
    return train_test_split(X, y, test_size=0.25, stratify=y, random_state=0)


@pytest.mark.slow
def test_unlabelled_rows_raise_accuracy_over_the_labels_alone(digits_split):
    X_tr, X_te, y_tr, y_te = digits_split
    y_few = _few_labels(y_tr, 5, seed=0)
    semi = _semi(semi_supervised_steps=400, random_state=0).fit(X_tr, y_few)
    labelled = y_few != -1
    alone = Classifier(random_state=0).fit(X_tr[labelled], y_few[labelled])
    assert semi.n_unlabelled_ == int((~labelled).sum())
    assert list(semi.classes_) == list(range(10))  # never -1
    assert semi.score(X_te, y_te) > alone.score(X_te, y_te) + 0.05
    assert semi.score(X_te, y_te) > 0.9


def test_semi_supervised_fit_runs_its_step_budget_and_predicts(digits_split):
    X_tr, X_te, y_tr, _ = digits_split
    y_few = _few_labels(y_tr, 3, seed=1)
    steps = []
    hook = register_optimizer_step_post_hook(lambda *_: steps.append(1))
    try:
        clf = _semi(semi_supervised_steps=12, batch_size=16, random_state=0).fit(X_tr, y_few)
    finally:
        hook.remove()
    # 1,317 unlabelled rows in batches of 4 x 16 = 64 make a pass 21 steps: a budget of 12 is
    # one shorter epoch, not a whole pass
    assert len(clf.history_) == 1 and len(steps) == 12
    assert set(clf.classes_) == set(range(10)) and -1 not in clf.classes_
    proba = clf.predict_proba(X_te)
    assert proba.shape == (len(X_te), 10)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-10)


def test_semi_supervised_fit_is_deterministic(digits_split):
    X_tr, X_te, y_tr, _ = digits_split
    y_few = _few_labels(y_tr, 2, seed=2)
    fits = [
        _semi(semi_supervised_steps=6, batch_size=8, random_state=3).fit(X_tr, y_few)
        for _ in range(2)
    ]
    np.testing.assert_array_equal(fits[0].predict_proba(X_te), fits[1].predict_proba(X_te))


def test_zero_steps_ignore_unlabelled_rows(digits_split):
    X_tr, _, y_tr, _ = digits_split
    y_few = _few_labels(y_tr, 3, seed=0)
    clf = _semi(semi_supervised_steps=0, max_epochs=2, random_state=0).fit(X_tr, y_few)
    assert clf.n_unlabelled_ == 0 and len(clf.history_) == 2
    assert -1 not in clf.classes_


def test_string_labels_mark_unlabelled_rows_with_their_own_marker():
    X, y = load_wine()
    names = np.array(["barolo", "grignolino", "barbera"])[y]
    y_few = _few_labels(names, 4, seed=0, marker="")
    clf = Classifier(unlabelled_label="", semi_supervised_steps=20, random_state=0)
    clf.fit(X, y_few)
    assert set(clf.classes_) == {"barolo", "grignolino", "barbera"}
    assert clf.n_unlabelled_ == len(X) - 12
    assert clf.score(X, names) > 0.6


def test_validation_split_uses_labelled_rows_only(digits_split):
    X_tr, _, y_tr, _ = digits_split
    y_few = _few_labels(y_tr, 4, seed=0)
    clf = _semi(semi_supervised_steps=24, validation_fraction=0.25, random_state=0)
    clf.fit(X_tr, y_few)
    assert "val_accuracy" in clf.history_[-1] and "val_loss" in clf.history_[-1]


def test_all_rows_unlabelled_is_refused(digits_split):
    X_tr = digits_split[0]
    with pytest.raises(ValueError, match="every row of y is -1"):
        _semi().fit(X_tr[:20], np.full(20, -1))


def test_scoring_against_unlabelled_targets_is_refused(digits_split):
    X_tr, X_te, y_tr, y_te = digits_split
    clf = _semi(max_epochs=1, random_state=0).fit(X_tr[:100], y_tr[:100])
    y_bad = y_te.copy()
    y_bad[:3] = -1
    with pytest.raises(ValueError, match="3 unlabelled rows"):
        clf.score(X_te, y_bad)


@pytest.mark.parametrize(
    ("params", "error", "match"),
    [
        ({"pseudo_label_threshold": 0.0}, ValueError, "pseudo_label_threshold"),
        ({"pseudo_label_threshold": 1.5}, ValueError, "pseudo_label_threshold"),
        ({"unlabelled_ratio": 0}, ValueError, "unlabelled_ratio"),
        ({"semi_supervised_steps": -1}, ValueError, "semi_supervised_steps"),
        ({"semi_supervised_steps": 2.5}, TypeError, "semi_supervised_steps"),
    ],
)
def test_bad_semi_supervised_parameters_name_themselves(digits_split, params, error, match):
    X_tr, _, y_tr, _ = digits_split
    with pytest.raises(error, match=match):
        _semi(**params).fit(X_tr[:60], _few_labels(y_tr[:60], 2, 0))


def test_labels_minus_one_and_one_are_two_classes_by_default():
    """The silent one-class model of labels {-1, 1} (SVM-style data) is gone: semi-supervised
    learning needs unlabelled_label, and a single labelled class is refused."""
    X, y = load_wine()
    signs = np.where(y == 0, -1, 1)
    clf = Classifier(max_epochs=5, random_state=0).fit(X, signs)
    assert list(clf.classes_) == [-1, 1] and clf.n_unlabelled_ == 0
    assert set(clf.predict(X)) == {-1, 1} and clf.score(X, signs) > 0.8
    with pytest.raises(ValueError, match=r"single class, 1 \(59 rows marked -1 are unlabelled\)"):
        _semi().fit(X, signs)
    with pytest.raises(ValueError, match=r"single class, 'a'.*at least two classes"):
        Classifier().fit(X[:10], np.full(10, "a"))


def test_minus_one_as_the_commonest_of_many_classes_warns_of_the_keyword(digits_split):
    X_tr, _, y_tr, _ = digits_split
    y_few = _few_labels(y_tr, 3, seed=0)
    with pytest.warns(UserWarning, match="pass unlabelled_label=-1"):
        clf = Classifier(max_epochs=1, random_state=0).fit(X_tr, y_few)
    assert -1 in clf.classes_ and clf.n_unlabelled_ == 0


def test_unlabelled_mask_matches_only_the_marker_type():
    assert unlabelled_mask(np.array([0, -1, 2]), -1).tolist() == [False, True, False]
    assert unlabelled_mask(np.array(["a", "", "b"]), -1).tolist() == [False, False, False]
    assert unlabelled_mask(np.array(["a", "", "b"]), "").tolist() == [False, True, False]
    assert unlabelled_mask(np.array(["a", -1], dtype=object), -1).tolist() == [False, True]


def test_mixed_batches_put_labelled_rows_first():
    X_l, y_l = np.ones((5, 3), np.float32), np.arange(5)
    X_u = np.zeros((40, 3), np.float32)
    data = MixedData(X_l, y_l, X_u, labelled_batch=4, unlabelled_batch=8)
    batches = data.batches(torch.Generator().manual_seed(0), torch.device("cpu"), 0, 1)
    assert len(batches) == 5  # 40 unlabelled rows / 8 per step
    inputs, targets = next(iter(batches))
    assert inputs.shape == (12, 3) and (inputs[:4] == 1).all() and (inputs[4:] == 0).all()
    assert (targets[:4] >= 0).all() and (targets[4:] == -1).all()
    with pytest.raises(ValueError, match="0 unlabelled"):
        MixedData(X_l, y_l, X_u[:0], labelled_batch=4, unlabelled_batch=8)


def test_augmentations_keep_shape_and_differ_in_strength():
    torch.manual_seed(0)
    X = torch.from_numpy(load_digits(images=True)[0][:64])
    mean, scale = data_statistics(X.numpy())
    assert mean.shape == (1, 1, 1)
    weak, strong = weak_augment(X, mean, scale), strong_augment(X, mean, scale)
    assert weak.shape == strong.shape == X.shape
    assert (weak - X).abs().mean() < (strong - X).abs().mean()
    vectors = X.flatten(1)
    v_mean, v_scale = data_statistics(vectors.numpy())
    assert strong_augment(vectors, v_mean, v_scale).shape == vectors.shape


def test_distribution_alignment_pulls_pseudo_labels_towards_the_labelled_classes():
    from paradigms.engine.semisupervised import ConsistencyTraining

    biased = torch.nn.Linear(3, 4)
    with torch.no_grad():  # a network that favours class 0 for every input
        biased.weight.zero_()
        biased.bias.copy_(torch.tensor([2.0, 0.0, 0.0, 0.0]))
    prior = torch.full((4,), 0.25)
    model = ConsistencyTraining(biased, 2, torch.zeros(3), torch.ones(3), prior).train()
    raw = torch.softmax(biased.bias, 0)
    for _ in range(600):
        out = model(torch.randn(10, 3))
    assert raw[0] > 0.7
    np.testing.assert_allclose(out.teacher.mean(0).numpy(), prior.numpy(), atol=0.02)
    assert out.labelled.shape == (2, 4) and out.unlabelled.shape == (8, 4)
