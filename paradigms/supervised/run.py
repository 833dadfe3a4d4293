"""One supervised run end to end: data -> fit -> evaluate -> run directory with plots and report.

This is what ``paradigms supervised`` and the tour call.
"""

from __future__ import annotations

import logging
import os
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.preprocessing import LabelEncoder

from paradigms._common.checks import epochs_option
from paradigms._common.rundir import prepare_run_dir, write_summary
from paradigms.backbones import save_backbone
from paradigms.data import (
    Dataset,
    draw_labels_per_class,
    load_dataset,
    train_test_split_stratified,
)
from paradigms.engine.semisupervised import UNLABELLED
from paradigms.report import (
    explain_classifier,
    plot_confusion_matrix,
    plot_learning_curves,
    plot_predictions_vs_truth,
    write_caption,
    write_html_report,
)
from paradigms.supervised.classifier import Classifier
from paradigms.supervised.efficiency import label_efficiency
from paradigms.supervised.regressor import Regressor
from paradigms.supervised.run_config import SupervisedRunConfig
from paradigms.supervised.saved_model import MODEL_FILE, save_model

logger = logging.getLogger(__name__)


def build_estimator(
    config: SupervisedRunConfig,
    *,
    classification: bool,
    run_dir: Path | None = None,
    resume: bool = False,
    progress: bool = False,
    unlabelled_label: Any = None,
) -> Classifier | Regressor:
    """The Classifier (or Regressor) a supervised run trains, from its config; a run with few
    labels (``--labels-per-class``) passes the ``unlabelled_label`` its hidden rows carry."""
    few_labels = unlabelled_label is not None
    params: dict[str, Any] = dict(
        backbone=config.backbone,
        max_epochs=epochs_option(config.max_epochs),
        batch_size=config.batch_size,
        lr=config.lr,
        # a few labels are too precious to hold out for validation
        validation_fraction=0.0 if few_labels else config.validation_fraction,
        device=config.device,
        random_state=config.seed,
        verbose=int(progress),
        run_dir=run_dir,
        resume=resume,
    )
    if classification:
        return Classifier(
            unlabelled_label=unlabelled_label,
            semi_supervised_steps=config.semi_supervised_steps,
            **params,
        )
    return Regressor(**params)


def load_run_data(config: SupervisedRunConfig) -> Dataset:
    """The run's dataset; a ``ValueError`` when it has no labels."""
    # digits as (n, 1, 8, 8): "auto" picks the CNN
    data = load_dataset(config.dataset, True, config.target, config.image_size)
    if data.y is None or data.task == "unlabeled":
        raise ValueError(
            f"dataset {config.dataset!r} has no labels; the supervised paradigm needs targets. "
            "For a .csv file name its label column (--target COLUMN); add a 'y' array to an "
            ".npz file; or use 'paradigms unsupervised'."
        )
    return data


def run_supervised(
    config: SupervisedRunConfig,
    out: str | os.PathLike[str] | None = None,
    resume: bool = False,
    progress: bool = True,
) -> dict[str, Any]:
    """Train and evaluate one model, writing everything to a run directory.

    Args:
        config: what to train.
        out: the run directory (default ``runs/supervised-<dataset>-<timestamp>``).
        resume: continue an interrupted run in ``out`` from its checkpoint.
        progress: show a progress bar.

    Returns:
        The summary dict (also written to ``summary.json``), including ``run_dir``.
    """
    data = load_run_data(config)
    is_classification = data.task == "classification"
    few_labels = config.labels_per_class > 0
    if few_labels and not is_classification:
        raise ValueError(
            f"--labels-per-class needs a classification dataset; {config.dataset!r} is "
            f"{data.task}. Leave --labels-per-class at 0."
        )
    run_dir = prepare_run_dir(
        out, f"supervised-{Path(config.dataset).stem}", asdict(config), resume
    )
    X_tr, X_te, y_tr, y_te = train_test_split_stratified(
        data.X, data.y, test_size=config.test_size, random_state=config.seed
    )
    y_fit, marker = (
        _hide_labels(y_tr, config.labels_per_class, config.seed) if few_labels else (y_tr, None)
    )
    estimator = build_estimator(
        config,
        classification=is_classification,
        run_dir=run_dir,
        resume=resume,
        progress=progress,
        unlabelled_label=marker,
    )
    started = time.perf_counter()
    estimator.fit(X_tr, y_fit)
    fit_seconds = time.perf_counter() - started
    y_pred = estimator.predict(X_te)

    plots = run_dir / "plots"
    write_caption(
        plot_learning_curves(estimator.history_, plots / "learning_curves.png"),
        "Training (and validation, when held out) loss and metrics per epoch.",
    )
    texts: dict[str, str] = {}
    summary: dict[str, Any] = {
        "dataset": config.dataset,
        "task": data.task,
        "backbone": estimator.backbone_.config.name if estimator.backbone_.config else "custom",
        "n_train": len(X_tr),
        "n_test": len(X_te),
        "epochs_run": len(estimator.history_),
        "fit_seconds": round(fit_seconds, 3),
    }
    if is_classification:
        summary["test_accuracy"] = float(np.mean(y_pred == y_te))
        names = data.target_names
        labels = list(estimator.classes_)
        codes = all(isinstance(c, (int, np.integer)) for c in labels)  # names[k] names class k
        display = (
            [names[int(c)] for c in labels]
            if codes and names and len(names) == len(labels)
            else None
        )
        plot_confusion_matrix(
            y_te,
            y_pred,
            labels=display if display is not None else labels,
            path=plots / "confusion_matrix.png",
            title=f"{config.dataset}: test confusion matrix",
        )
        write_caption(
            plots / "confusion_matrix.png",
            "Test samples by true class (rows) and predicted class (columns); off-diagonal "
            "cells are the mistakes.",
        )
        explanation = explain_classifier(
            estimator, X_te, y_te, plots, class_names=display, feature_names=data.feature_names
        )
        summary.update(explanation.summary())
        texts["Classification report (test split)"] = explanation.report
        if explanation.note:
            summary["interpretation_note"] = explanation.note
    else:
        summary["test_r2"] = float(estimator.score(X_te, y_te))
        write_caption(
            plot_predictions_vs_truth(
                y_te, y_pred, plots / "predictions.png", title=f"{config.dataset}: test predictions"
            ),
            "Each test sample's prediction against its true value; on the dashed line they agree.",
        )
    if few_labels:
        own = {
            "method": "semi_supervised",
            "labels_per_class": config.labels_per_class,
            "draw": 0,
            "accuracy": summary["test_accuracy"],
            "fit_seconds": fit_seconds,
        }
        curve = _few_label_curve(config, X_tr, y_tr, X_te, y_te, run_dir, progress, own)
        summary.update(curve)
    save_backbone(
        estimator.backbone_,
        run_dir / "backbone.safetensors",
        extra={"trained_by": "supervised", "dataset": config.dataset},
    )
    save_model(estimator, run_dir / MODEL_FILE)
    summary["run_dir"] = str(run_dir)
    write_summary(run_dir, summary)
    write_html_report(
        run_dir,
        title=f"paradigms supervised: {config.dataset}",
        summary=summary,
        config=asdict(config),
        texts=texts,
    )
    return summary


def _hide_labels(y: np.ndarray, labels_per_class: int, seed: int) -> tuple[np.ndarray, Any]:
    """A copy of ``y`` with all but ``labels_per_class`` rows per class marked unlabelled, and
    the marker: -1, or one below the smallest label when -1 is a class; other labels become
    objects, among which the integer -1 cannot be mistaken for a class."""
    rest = draw_labels_per_class(y, labels_per_class, seed)[1]
    y = np.asarray(y)
    if y.dtype.kind in "iu":
        marker = UNLABELLED if UNLABELLED not in y else int(y.min()) - 1
        hidden = y.astype(np.int64)
    else:
        marker, hidden = UNLABELLED, y.astype(object)
    hidden[rest] = marker
    return hidden, marker


def _few_label_curve(
    config: SupervisedRunConfig,
    X_tr: np.ndarray,
    y_tr: np.ndarray,
    X_te: np.ndarray,
    y_te: np.ndarray,
    run_dir: Path,
    progress: bool,
    own_fit: dict[str, Any],
) -> dict[str, Any]:
    """Write ``label_efficiency.csv`` and its plot; the methods' mean accuracy at K.

    The curve's Classifiers take the run's settings, so its first draw at K is the run's own
    fit (``own_fit``), which is not repeated."""
    encoder = LabelEncoder().fit(y_tr)
    k = config.labels_per_class
    budgets: list[int | str] = [b for b in (1, 2, 5, 10) if b < k] + [k, "all"]
    curve = label_efficiency(
        X_tr,
        encoder.transform(y_tr),
        X_te,
        encoder.transform(y_te),
        budgets,
        draws=config.curve_draws,
        random_state=config.seed,
        classifier_params={
            "backbone": config.backbone,
            "max_epochs": epochs_option(config.max_epochs),
            "batch_size": config.batch_size,
            "lr": config.lr,
            "semi_supervised_steps": config.semi_supervised_steps,
            "device": config.device,
        },
        progress=progress,
        measured=[own_fit],
    )
    curve.to_csv(run_dir / "label_efficiency.csv")
    curve.plot(
        run_dir / "plots" / "label_efficiency.png",
        title=f"{config.dataset}: test accuracy against labels per class",
    )
    return {
        "labels_per_class": k,
        **{
            f"curve_{row['method']}_at_{k}": round(row["mean_accuracy"], 4)
            for row in curve.summary()
            if row["labels_per_class"] == k
        },
    }
