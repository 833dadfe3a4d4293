"""The input space of anomaly scores: one unit kept, unrelated units standardised and ranked."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import train_test_split

from paradigms.data import load_digits, load_wine
from paradigms.unsupervised.anomaly import AnomalyScorer
from paradigms.unsupervised.input_space import UNITS_SPREAD, InputSpace


def test_features_in_one_unit_keep_their_relative_scale():
    X, _ = load_digits()  # 64 pixels, all 0..16: one unit
    space = InputSpace().fit(X)
    assert not space.units_differ_
    rows = space.transform(X[:5])
    assert rows.shape == (5, 64)
    ratio = (X[:5] - X.mean(axis=0)) / rows  # one common divisor for every pixel
    finite = np.isfinite(ratio) & (rows != 0)
    np.testing.assert_allclose(ratio[finite], ratio[finite][0], rtol=1e-5)


def test_a_table_in_unrelated_units_is_standardised_and_ranked():
    X, _ = load_wine()  # proline in the hundreds, hue around 1
    std = X.std(axis=0)
    assert std.max() > UNITS_SPREAD * np.median(std)
    space = InputSpace().fit(X)
    assert space.units_differ_
    rows = space.transform(X)
    assert rows.shape == (len(X), 2 * X.shape[1])
    np.testing.assert_allclose(rows[:, :13].std(axis=0), 1.0, rtol=1e-9)  # standardised
    ranks = rows[:, 13:]  # normal scores: monotone in each feature, centred
    for j in range(13):
        order = np.argsort(X[:, j], kind="stable")
        assert (np.diff(ranks[order, j]) >= -1e-12).all()
    assert abs(ranks.mean()) < 0.05


def test_values_beyond_the_training_range_stay_far():
    X, _ = load_wine()
    space = InputSpace().fit(X)
    top = X[X[:, 12].argmax()].copy()
    further = [
        space.transform((top + np.r_[np.zeros(12), step])[None])[0, 25] for step in (0, 500, 5000)
    ]
    assert further[0] < further[1] < further[2]  # proline far above any training wine


def test_constant_and_one_row_data_give_finite_rows():
    assert np.isfinite(InputSpace().fit(np.ones((10, 3))).transform(np.zeros((2, 3)))).all()
    table = np.c_[np.ones(6), np.arange(6.0), 1000 * np.arange(6.0) ** 2]
    assert np.isfinite(InputSpace().fit(table).transform(table)).all()


@pytest.mark.parametrize("normal", [0, 1, 2])
def test_the_default_input_distance_ranks_wine_anomalies_as_standardised_neighbours_do(normal):
    """On wine in raw units the input distance used to follow proline alone (0.86 AUROC with
    class 2 normal); standardised and ranked it finds the other cultivars."""
    X, y = load_wine()
    rows = np.flatnonzero(y == normal)
    train, test = train_test_split(rows, test_size=0.3, random_state=0)
    evaluate = np.concatenate([X[test], X[y != normal]])
    labels = np.r_[np.zeros(len(test)), np.ones((y != normal).sum())]
    codes = np.zeros((len(X), 2))  # no code distance: the input part alone
    scorer = AnomalyScorer("knn+input", code_weight=0.0, input_neighbors=2)
    scorer.fit(codes[train], np.zeros(len(train)), X[train])
    scores = scorer.score(codes[: len(evaluate)], np.zeros(len(evaluate)), evaluate)
    assert roc_auc_score(labels, scores) > 0.9
