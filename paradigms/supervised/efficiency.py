"""Label-efficiency curves: test accuracy against labels per class, the library's classifiers
next to the classical baselines a user would pick instead.

Methods (``METHODS``):

- ``"semi_supervised"``: :class:`~paradigms.supervised.Classifier` given every training row,
  the unlabelled ones marked ``-1`` (FixMatch-style fit);
- ``"supervised"``: the same ``Classifier`` on the labelled rows alone (scratch);
- ``"label_spreading_knn"`` / ``"label_spreading_rbf"``: scikit-learn's ``LabelSpreading``
  (k-NN kernel with 7 neighbours; RBF kernel, gamma 20) on features scaled to [0, 1], with
  every training row as its graph;
- ``"svc"``: ``SVC()`` on the labelled rows, features scaled to [0, 1];
- ``"logistic_regression"``: ``LogisticRegression`` on the labelled rows, standardised.

Every method sees the same labelled rows in each draw and is scored on the same test rows.
"""

from __future__ import annotations

import csv
import logging
import os
import time
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import MinMaxScaler, StandardScaler
from sklearn.semi_supervised import LabelSpreading
from sklearn.svm import SVC
from tqdm.auto import tqdm

from paradigms._common.files import atomic_write
from paradigms.data import draw_labels_per_class
from paradigms.engine.estimator import to_numpy
from paradigms.engine.semisupervised import UNLABELLED
from paradigms.report import plot_label_efficiency
from paradigms.supervised.classifier import Classifier

logger = logging.getLogger(__name__)

METHODS = (
    "semi_supervised",
    "supervised",
    "label_spreading_knn",
    "label_spreading_rbf",
    "svc",
    "logistic_regression",
)
#: the default budgets: 1, 2, 5 and 10 labelled rows per class, then every training label
DEFAULT_LABELS_PER_CLASS: tuple[int | str, ...] = (1, 2, 5, 10, "all")
CSV_COLUMNS = (
    "method",
    "labels_per_class",
    "mean_accuracy",
    "std_accuracy",
    "draws",
    "mean_fit_seconds",
    "accuracies",
)


@dataclass
class LabelEfficiency:
    """The measured curve: one row per method, budget and draw.

    Attributes:
        rows: dicts with ``method``, ``labels_per_class`` (an int or ``"all"``), ``draw``,
            ``accuracy`` and ``fit_seconds``.
        all_labels_per_class: mean labelled rows per class when every label is used.
    """

    rows: list[dict[str, Any]] = field(default_factory=list)
    all_labels_per_class: float = 0.0

    def summary(self) -> list[dict[str, Any]]:
        """Mean and standard deviation over draws, per method and budget, in measured order."""
        groups: dict[tuple[str, Any], list[dict[str, Any]]] = {}
        for row in self.rows:
            groups.setdefault((row["method"], row["labels_per_class"]), []).append(row)
        out = []
        for (method, budget), rows in groups.items():
            accuracies = np.array([r["accuracy"] for r in rows])
            out.append(
                {
                    "method": method,
                    "labels_per_class": budget,
                    "mean_accuracy": float(accuracies.mean()),
                    "std_accuracy": float(accuracies.std()),
                    "draws": len(rows),
                    "mean_fit_seconds": float(np.mean([r["fit_seconds"] for r in rows])),
                    "accuracies": ";".join(f"{a:.4f}" for a in accuracies),
                }
            )
        return out

    def mean_accuracy(self, method: str, labels_per_class: int | str) -> float:
        """The mean accuracy of ``method`` at ``labels_per_class``.

        Raises:
            KeyError: if that pair was not measured.
        """
        for row in self.summary():
            if row["method"] == method and row["labels_per_class"] == labels_per_class:
                return float(row["mean_accuracy"])
        raise KeyError(f"{method!r} at {labels_per_class!r} labels per class was not measured")

    def to_csv(self, path: str | os.PathLike[str]) -> Path:
        """Write :meth:`summary` as CSV (atomically) and return the path."""

        def write(tmp: str) -> None:
            with open(tmp, "w", newline="", encoding="utf-8") as handle:
                writer = csv.DictWriter(handle, fieldnames=CSV_COLUMNS)
                writer.writeheader()
                for row in self.summary():
                    writer.writerow(
                        {k: f"{v:.6g}" if isinstance(v, float) else v for k, v in row.items()}
                    )

        return atomic_write(path, write)

    def plot(self, path: str | os.PathLike[str], title: str | None = None) -> Path:
        """Mean accuracy against labels per class with one-standard-deviation error bars;
        ``title`` gets the number of draws on a second line."""
        summary = self.summary()
        budgets = list(dict.fromkeys(row["labels_per_class"] for row in summary))
        xs = [self.all_labels_per_class if b == "all" else b for b in budgets]
        means: dict[str, list[float]] = {}
        stds: dict[str, list[float]] = {}
        for row in summary:
            means.setdefault(row["method"], [np.nan] * len(budgets))
            stds.setdefault(row["method"], [0.0] * len(budgets))
            index = budgets.index(row["labels_per_class"])
            means[row["method"]][index] = row["mean_accuracy"]
            stds[row["method"]][index] = row["std_accuracy"]
        draws = max(row["draws"] for row in summary)
        return plot_label_efficiency(
            xs,
            means,
            path,
            errors=stds,
            tick_labels=[str(b) for b in budgets],
            title=f"{title or 'test accuracy against labels per class'}\n{_draws_note(draws)}",
        )


def _draws_note(draws: int) -> str:
    """``"3 label draws, mean ± std"`` (singular for one draw)."""
    return f"{draws} label draw{'s' if draws != 1 else ''}, mean ± std"


def _flat(X: np.ndarray) -> np.ndarray:
    return X.reshape(len(X), -1).astype(np.float64)


def make_baseline(method: str) -> Any:
    """The scikit-learn pipeline of a baseline in :data:`METHODS` (all but the two Classifier
    methods), with the scaling it is measured with."""
    if method == "label_spreading_knn":
        return make_pipeline(MinMaxScaler(), LabelSpreading(kernel="knn", n_neighbors=7))
    if method == "label_spreading_rbf":
        return make_pipeline(MinMaxScaler(), LabelSpreading(kernel="rbf", gamma=20))
    if method == "svc":
        return make_pipeline(MinMaxScaler(), SVC())
    if method == "logistic_regression":
        return make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000))
    raise ValueError(f"{method!r} is not a scikit-learn baseline; choose from {METHODS[2:]}.")


def _fit_and_score(
    method: str,
    X: np.ndarray,
    y: np.ndarray,
    labelled: np.ndarray,
    X_test: np.ndarray,
    y_test: np.ndarray,
    seed: int,
    classifier_params: Mapping[str, Any],
) -> float:
    """Fit ``method`` with the labels of rows ``labelled`` only; its test accuracy."""
    masked = np.full(len(y), UNLABELLED, dtype=np.int64)
    masked[labelled] = y[labelled]
    if method == "semi_supervised":
        semi = Classifier(unlabelled_label=UNLABELLED, random_state=seed, **classifier_params)
        model: Any = semi.fit(X, masked)
        return float(model.score(X_test, y_test))
    if method == "supervised":
        model = Classifier(random_state=seed, **classifier_params)
        return float(model.fit(X[labelled], y[labelled]).score(X_test, y_test))
    model = make_baseline(method)
    with warnings.catch_warnings():  # LabelSpreading's RBF kernel underflows on far pairs
        warnings.simplefilter("ignore", RuntimeWarning)
        if method.startswith("label_spreading"):
            model.fit(_flat(X), masked)
        else:
            model.fit(_flat(X[labelled]), y[labelled])
        return float(np.mean(model.predict(_flat(X_test)) == y_test))


def label_efficiency(
    X_train: Any,
    y_train: Any,
    X_test: Any,
    y_test: Any,
    labels_per_class: Sequence[int | str] = DEFAULT_LABELS_PER_CLASS,
    methods: Sequence[str] = METHODS,
    draws: int = 3,
    random_state: int = 0,
    classifier_params: Mapping[str, Any] | None = None,
    progress: bool = False,
    measured: Sequence[Mapping[str, Any]] = (),
) -> LabelEfficiency:
    """Measure test accuracy against labels per class for each method over several draws.

    Draw ``d`` keeps ``k`` random labels per class of the training rows (seed
    ``random_state + d``) and hides the rest; every method sees those labels, the
    semi-supervised ones also the hidden rows' inputs.

    Args:
        X_train: training inputs ``(n, ...)`` as for :class:`Classifier` (images or vectors).
        y_train: integer class labels ``(n,)`` of every training row (``>= 0``).
        X_test, y_test: the held-out rows every fit is scored on.
        labels_per_class: budgets, ints ``>= 1`` or ``"all"`` (every training label).
        methods: names from :data:`METHODS`.
        draws: label draws per budget (``"all"`` is measured once per draw seed too).
        random_state: seed of the first draw; the Classifiers use the draw's seed.
        classifier_params: extra parameters for both Classifier methods (e.g.
            ``{"semi_supervised_steps": 300}`` for a quicker curve).
        progress: show a progress bar over the fits.
        measured: rows already measured with these settings (e.g. a run's own fit: method,
            labels_per_class, draw, accuracy, fit_seconds); their fits are not repeated.

    Returns:
        The :class:`LabelEfficiency` (``.to_csv(path)``, ``.plot(path)``, ``.summary()``).

    Raises:
        ValueError: for unknown methods, bad budgets, labels below 0, or a class with fewer
            training rows than a budget.
    """
    unknown = [m for m in methods if m not in METHODS]
    if unknown or not methods:
        raise ValueError(f"unknown methods {unknown or methods!r}; choose from {METHODS}.")
    for budget in labels_per_class:
        if budget != "all" and (
            isinstance(budget, bool) or not isinstance(budget, int) or budget < 1
        ):
            raise ValueError(f"labels_per_class holds {budget!r}; use ints >= 1 or 'all'.")
    if isinstance(draws, bool) or not isinstance(draws, int) or draws < 1:
        raise ValueError(f"draws must be an int >= 1; got {draws!r}.")
    X = np.asarray(to_numpy(X_train), dtype=np.float32)
    y = np.asarray(to_numpy(y_train)).reshape(-1)
    Xt = np.asarray(to_numpy(X_test), dtype=np.float32)
    yt = np.asarray(to_numpy(y_test)).reshape(-1)
    if len(X) != len(y) or len(Xt) != len(yt):
        raise ValueError(
            f"X_train has {len(X)} rows and y_train {len(y)}; X_test {len(Xt)} and y_test "
            f"{len(yt)}: each pair must have the same length."
        )
    if y.dtype.kind not in "iu" or (y < 0).any():
        raise ValueError(
            "y_train must hold every training row's integer class (>= 0): the curve hides "
            "labels itself. Encode string labels with sklearn's LabelEncoder first."
        )
    params = dict(classifier_params or {})
    result = LabelEfficiency(all_labels_per_class=len(y) / len(np.unique(y)))
    known = {(r["method"], r["labels_per_class"], r["draw"]): dict(r) for r in measured}
    jobs = [(k, d, m) for k in labels_per_class for d in range(draws) for m in methods]
    for budget, draw, method in tqdm(jobs, desc="label efficiency", disable=not progress):
        if (method, budget, draw) in known:
            result.rows.append(known[(method, budget, draw)])
            continue
        seed = random_state + draw
        labelled = (
            np.arange(len(y)) if budget == "all" else draw_labels_per_class(y, int(budget), seed)[0]
        )
        started = time.perf_counter()
        accuracy = _fit_and_score(method, X, y, labelled, Xt, yt, seed, params)
        row = {
            "method": method,
            "labels_per_class": budget,
            "draw": draw,
            "accuracy": accuracy,
            "fit_seconds": time.perf_counter() - started,
        }
        logger.info("%s, %s labels per class, draw %d: %.4f", method, budget, draw, accuracy)
        result.rows.append(row)
    return result
