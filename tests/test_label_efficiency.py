"""label_efficiency(): accuracy against labels per class, every method on the same draws."""

from __future__ import annotations

import csv

import numpy as np
import pytest
from sklearn.model_selection import train_test_split

from paradigms.data import draw_labels_per_class, load_wine
from paradigms.supervised import LabelEfficiency, label_efficiency

QUICK = {"semi_supervised_steps": 3, "max_epochs": 2}


@pytest.fixture(scope="module")
def wine():
    X, y = load_wine()
    return train_test_split(X, y, test_size=0.3, stratify=y, random_state=0)


@pytest.fixture(scope="module")
def curve(wine):
    X_tr, X_te, y_tr, y_te = wine
    return label_efficiency(X_tr, y_tr, X_te, y_te, (1, 3, "all"), draws=2, classifier_params=QUICK)


def test_every_method_budget_and_draw_is_measured(curve):
    assert isinstance(curve, LabelEfficiency)
    assert len(curve.rows) == 3 * 2 * 6
    summary = curve.summary()
    assert len(summary) == 3 * 6 and all(row["draws"] == 2 for row in summary)
    for row in summary:
        assert 0.0 <= row["mean_accuracy"] <= 1.0 and row["std_accuracy"] >= 0.0
    # with every label, the baselines do not depend on the draw
    svc_all = [
        r["accuracy"] for r in curve.rows if r["method"] == "svc" and r["labels_per_class"] == "all"
    ]
    assert svc_all[0] == svc_all[1]
    assert curve.mean_accuracy("svc", "all") > 0.9
    with pytest.raises(KeyError):
        curve.mean_accuracy("svc", 7)


def test_csv_and_plot_are_written(curve, tmp_path):
    rows = list(csv.DictReader(curve.to_csv(tmp_path / "curve.csv").open()))
    assert len(rows) == 18 and rows[0]["method"] == "semi_supervised"
    assert len(rows[0]["accuracies"].split(";")) == 2
    assert curve.plot(tmp_path / "curve.png").stat().st_size > 0


def test_draws_are_the_same_for_every_method(wine):
    y_tr = wine[2]
    first, _ = draw_labels_per_class(y_tr, 3, 5)
    again, rest = draw_labels_per_class(y_tr, 3, 5)
    np.testing.assert_array_equal(first, again)
    assert len(first) == 9 and len(np.intersect1d(first, rest)) == 0
    assert sorted(np.bincount(y_tr[first])) == [3, 3, 3]
    with pytest.raises(ValueError, match="fewer than labels_per_class"):
        draw_labels_per_class(y_tr, 500, 0)


def test_measured_rows_are_taken_as_given(wine):
    X_tr, X_te, y_tr, y_te = wine
    own = {"method": "svc", "labels_per_class": 2, "draw": 0, "accuracy": 0.123, "fit_seconds": 1.0}
    curve = label_efficiency(
        X_tr, y_tr, X_te, y_te, (2,), methods=("svc",), draws=1, measured=[own]
    )
    assert curve.rows == [own]


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"methods": ("svm",)}, "unknown methods"),
        ({"labels_per_class": (0,)}, "labels_per_class"),
        ({"labels_per_class": ("most",)}, "labels_per_class"),
        ({"draws": 0}, "draws"),
    ],
)
def test_bad_arguments_are_named(wine, kwargs, match):
    X_tr, X_te, y_tr, y_te = wine
    with pytest.raises(ValueError, match=match):
        label_efficiency(X_tr, y_tr, X_te, y_te, **kwargs)


def test_hidden_or_mismatched_labels_are_refused(wine):
    X_tr, X_te, y_tr, y_te = wine
    y_bad = y_tr.copy()
    y_bad[0] = -1
    with pytest.raises(ValueError, match="every training row's integer class"):
        label_efficiency(X_tr, y_bad, X_te, y_te, (1,), draws=1)
    with pytest.raises(ValueError, match="same length"):
        label_efficiency(X_tr, y_tr[:-1], X_te, y_te, (1,), draws=1)
