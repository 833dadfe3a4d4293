"""Everything that explains a fitted classifier on test data, written to one folder.

Works with any estimator that has ``classes_``, ``predict``, ``predict_proba``, ``attribute`` and
``attribution_baseline`` (the library's ``Classifier`` and ``FineTuner``), so the report needs
no paradigm.
"""

from __future__ import annotations

import importlib.util
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.metrics import classification_report

from paradigms.report._arrays import to_1d, to_numpy
from paradigms.report._files import PathLike, write_shared_text
from paradigms.report.attribution_checks import deletion_curve, random_scores
from paradigms.report.attribution_plots import (
    plot_attribution_maps,
    plot_feature_importance,
    plot_sample_attributions,
)
from paradigms.report.attributions import INSTALL_HINT
from paradigms.report.captions import write_caption
from paradigms.report.mistakes import ConfusedPair, most_confused_pairs, top_losses

#: samples whose attributions are drawn, top losses shown, and samples in the deletion check
EXAMPLES, TOP_LOSSES, DELETION_SAMPLES = 8, 8, 100

#: measurements along a deletion curve (features deleted in as many equal steps)
DELETION_POINTS = 16


@dataclass
class ClassifierExplanation:
    """What :func:`explain_classifier` found.

    Attributes:
        report: scikit-learn's classification report (precision, recall, F1 per class).
        confused_pairs: the most frequent mistakes, most first.
        top_loss_indices: rows of ``X`` with the highest loss ``(k,)``, highest first.
        top_losses: their cross-entropy losses ``(k,)``.
        deletion_area: area under accuracy as the most-attributed features are deleted
            (``None`` without Captum); lower means the attributions found what the model uses.
        random_deletion_area: the same for features deleted in random order.
        attribution_seconds: time to compute the drawn attributions.
        files: every file written.
        note: why something was left out (e.g. Captum missing), else ``""``.
    """

    report: str
    confused_pairs: list[ConfusedPair]
    top_loss_indices: np.ndarray
    top_losses: np.ndarray
    deletion_area: float | None = None
    random_deletion_area: float | None = None
    attribution_seconds: float | None = None
    files: list[Path] = field(default_factory=list)
    note: str = ""

    def summary(self) -> dict[str, Any]:
        """The headline numbers, for a run's ``summary.json``."""
        out: dict[str, Any] = {
            "most_confused": [f"{p.true}->{p.predicted} x{p.count}" for p in self.confused_pairs]
        }
        if self.deletion_area is not None and self.random_deletion_area is not None:
            out["deletion_area"] = round(self.deletion_area, 4)
            out["deletion_area_random"] = round(self.random_deletion_area, 4)
        return out


def captum_available() -> bool:
    """Whether Captum (the attribution library) is installed."""
    return importlib.util.find_spec("captum") is not None


def explain_classifier(
    estimator: Any,
    X: Any,
    y: Any,
    folder: PathLike,
    class_names: Sequence[str] | None = None,
    feature_names: Sequence[str] | None = None,
    method: str = "integrated_gradients",
    n_checked: int = DELETION_SAMPLES,
) -> ClassifierExplanation:
    """Explain a fitted classifier on labelled data ``X``, ``y``; write plots to ``folder``.

    Writes ``classification_report.txt``; with Captum, ``attributions.png`` (the first test
    images over their attribution maps for the predicted class, or the features' mean
    importance for tabular data) and ``top_losses.png`` (the worst-predicted samples with the
    attributions of the class they were mistaken for). Each plot gets a caption
    (:mod:`paradigms.report.captions`), the deletion check's numbers included.

    Args:
        estimator: a fitted ``Classifier`` or ``FineTuner`` (``classes_``, ``predict_proba``,
            ``attribute``).
        X: samples ``(n, ...)`` shaped like the training data.
        y: their true labels ``(n,)``, elements of ``classes_``.
        folder: where the files go (created if missing).
        class_names: display names in the order of ``classes_``.
        feature_names: names of tabular features.
        method: the attribution method.
        n_checked: the first samples whose attributions are computed and deletion-checked
            (fewer for large models on CPU).

    Raises:
        ValueError: unfitted estimator, labels not in ``classes_``, mismatched lengths.
    """
    if not hasattr(estimator, "classes_"):
        raise ValueError(
            f"{type(estimator).__name__} is not fitted (no classes_); call fit before "
            "explaining it."
        )
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    images = np.asarray(to_numpy(X), dtype=np.float32)
    truth = to_1d(y, "y")
    if len(truth) != len(images) or len(images) == 0:
        raise ValueError(f"need one label per sample (> 0); got {len(truth)} for {len(images)}.")
    classes = list(estimator.classes_)
    index = {c: i for i, c in enumerate(classes)}
    missing = [v for v in truth.tolist() if v not in index]
    if missing:
        raise ValueError(f"label {missing[0]!r} of y is not in classes_ {classes[:20]}.")
    names = [str(c) for c in (class_names or classes)]
    proba = estimator.predict_proba(images)
    true_index = np.array([index[v] for v in truth.tolist()])
    pred_index = proba.argmax(axis=1)
    text = classification_report(
        true_index, pred_index, labels=range(len(classes)), target_names=names, zero_division=0
    )
    result = ClassifierExplanation(
        report=text,
        confused_pairs=most_confused_pairs(
            [names[i] for i in true_index], [names[i] for i in pred_index]
        ),
        top_loss_indices=np.empty(0, dtype=int),
        top_losses=np.empty(0),
    )
    result.top_loss_indices, result.top_losses = top_losses(proba, true_index, TOP_LOSSES)
    result.files.append(write_shared_text(folder / "classification_report.txt", text))
    if not captum_available():
        result.note = f"attribution plots need Captum: {INSTALL_HINT}"
        return result
    is_image = images.ndim >= 3
    checked = images[: max(1, int(n_checked))]
    started = time.perf_counter()
    values = estimator.attribute(checked, method=method)
    result.attribution_seconds = time.perf_counter() - started
    _deletion_check(estimator, checked, truth[: len(checked)], values, result)
    label = method.replace("_", " ")
    deletion = (
        f" Deleting features in this order ({len(checked)} test samples) leaves an area of "
        f"{result.deletion_area:.3f} under the accuracy curve, against "
        f"{result.random_deletion_area:.3f} in random order (lower: the attributions find "
        "what the model uses)."
    )
    if is_image:
        k = min(EXAMPLES, len(checked))
        titles = [f"pred {names[pred_index[i]]} ({proba[i, pred_index[i]]:.2f})" for i in range(k)]
        path = plot_attribution_maps(
            checked[:k],
            values[:k],
            folder / "attributions.png",
            titles=titles,
            title=f"{label}: which pixels raised the predicted class",
        )
        caption = (
            f"Test images over their {label} maps for the predicted class: red pixels raised "
            f"its score, blue ones lowered it.{deletion}"
        )
    else:
        path = plot_feature_importance(
            values.reshape(len(values), -1),
            folder / "attributions.png",
            feature_names,
            title=f"{label}: mean |attribution| over {len(values)} test samples",
        )
        caption = f"Features ranked by their mean absolute {label} attribution.{deletion}"
    result.files.append(write_caption(path, caption))
    names_of = _Names(names, true_index, pred_index, proba)
    result.files.append(
        _plot_top_losses(estimator, images, result, names_of, folder, feature_names, method)
    )
    return result


@dataclass(frozen=True)
class _Names:
    """Display names and predictions of the explained samples."""

    names: list[str]
    true_index: np.ndarray
    pred_index: np.ndarray
    proba: np.ndarray


def _deletion_check(
    estimator: Any, X: np.ndarray, y: np.ndarray, scores: np.ndarray, result: ClassifierExplanation
) -> None:
    """Deletion areas of ``scores`` (attributions) and of a random order."""
    n_features = int(np.prod(X.shape[1:]))
    step = max(1, n_features // DELETION_POINTS)
    absent = estimator.attribution_baseline()
    result.deletion_area = deletion_curve(estimator.predict, X, y, scores, step, absent).area
    result.random_deletion_area = deletion_curve(
        estimator.predict, X, y, random_scores(X.shape), step, absent
    ).area


def _plot_top_losses(
    estimator: Any,
    images: np.ndarray,
    result: ClassifierExplanation,
    seen: _Names,
    folder: Path,
    feature_names: Sequence[str] | None,
    method: str,
) -> Path:
    rows = result.top_loss_indices
    picked = images[rows]
    predicted = [estimator.classes_[seen.pred_index[i]] for i in rows]
    values = estimator.attribute(picked, target=predicted, method=method)
    titles = [
        f"{seen.names[seen.true_index[i]]}→{seen.names[seen.pred_index[i]]} "
        f"p={seen.proba[i, seen.pred_index[i]]:.2f} loss {loss:.1f}"
        for i, loss in zip(rows, result.top_losses, strict=True)
    ]
    heading = "top losses: true→predicted, with the evidence for the predicted class"
    if images.ndim >= 3:
        path = plot_attribution_maps(picked, values, folder / "top_losses.png", titles, heading)
    else:
        path = plot_sample_attributions(
            values.reshape(len(values), -1),
            folder / "top_losses.png",
            feature_names,
            titles,
            heading,
        )
    return write_caption(
        path,
        f"The {len(rows)} test samples with the highest loss (true→predicted class), each "
        "with the attributions of the class it was predicted as: what the model saw there.",
    )
