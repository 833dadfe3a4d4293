"""One transfer run: fine-tune on a few labels per class, compare with scratch, write a run dir.

This is what ``paradigms transfer`` and the tour call.
"""

from __future__ import annotations

import os
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

import numpy as np

from paradigms._common.checks import epochs_option
from paradigms._common.rundir import prepare_run_dir, write_summary
from paradigms.data import load_dataset
from paradigms.report import (
    explain_classifier,
    plot_confusion_matrix,
    plot_label_efficiency,
    plot_learning_curves,
    write_caption,
    write_html_report,
)
from paradigms.transfer.finetuner import FineTuner
from paradigms.transfer.run_config import TransferRunConfig
from paradigms.transfer.sources import NAMED_SOURCES

#: smaller label budgets drawn for the label-efficiency curve (plus the run's own)
CURVE_BUDGETS = (1, 2, 5, 10, 20)


def parse_classes(spec: str) -> list[int] | None:
    """``"5-9"`` -> [5, 6, 7, 8, 9]; ``"1,3,7"`` -> [1, 3, 7]; ``""`` -> None (all classes)."""
    spec = spec.strip()
    if not spec:
        return None
    try:
        if "-" in spec and "," not in spec:
            low, high = (int(p) for p in spec.split("-", 1))
            return list(range(low, high + 1))
        return [int(p) for p in spec.split(",")]
    except ValueError as exc:
        raise ValueError(
            f"classes={spec!r} is not a class list; use a range like '5-9' or a list like '1,3,7'."
        ) from exc


def load_run_data(config: TransferRunConfig) -> tuple[np.ndarray, np.ndarray, list[int] | None]:
    """``(X, y, classes)``: the labelled dataset, kept to ``config.classes`` when given."""
    data = load_dataset(config.dataset, True, config.target, config.image_size)
    if data.y is None or data.task != "classification":
        raise ValueError(f"dataset {config.dataset!r} has no class labels; transfer needs them.")
    X, y = data.X, data.y
    classes = parse_classes(config.classes)
    if classes is not None:
        keep = np.isin(y, classes)
        if not keep.any():
            raise ValueError(f"no samples of classes {classes} in {config.dataset!r}.")
        X, y = X[keep], y[keep]
    return X, y, classes


def few_shot_split(
    y: np.ndarray, budgets: list[int], seed: int
) -> tuple[dict[int, np.ndarray], np.ndarray]:
    """Nested labelled subsets (``budget`` per class) and the evaluation indices (the rest).

    Each class's samples are shuffled once; the first ``k`` form the ``k``-shot set, so the
    sets are nested, and every sample beyond the largest budget is held out for evaluation.
    """
    rng = np.random.default_rng(seed)
    largest = max(budgets)
    per_class = {}
    for label in np.unique(y):
        idx = rng.permutation(np.flatnonzero(y == label))
        if len(idx) <= largest:
            raise ValueError(
                f"class {label!r} has {len(idx)} samples: too few for {largest} labels per class "
                "plus a test set. Lower --labels-per-class."
            )
        per_class[label] = idx
    subsets = {k: np.concatenate([idx[:k] for idx in per_class.values()]) for k in budgets}
    rest = np.concatenate([idx[largest:] for idx in per_class.values()])
    return subsets, rest


def run_transfer(
    config: TransferRunConfig,
    out: str | os.PathLike[str] | None = None,
    resume: bool = False,
    progress: bool = True,
) -> dict[str, Any]:
    """Fine-tune with ``labels_per_class`` labels, compare with scratch over smaller budgets.

    Writes ``config.json``, ``metrics.csv`` and ``checkpoint.pt`` (the main fine-tune),
    ``model.safetensors`` (its weights, reusable with ``weights=``), ``summary.json``,
    ``report.html`` and ``plots/``: learning curves, a confusion matrix, attribution maps and
    top losses (:func:`~paradigms.report.explain_classifier`), and label efficiency
    (accuracy against labels per class, transfer vs scratch).

    Returns:
        The summary dict, including ``run_dir``.
    """
    X, y, classes = load_run_data(config)
    weights: str | None = None if config.weights.lower() == "none" else config.weights
    run_dir = prepare_run_dir(out, f"transfer-{Path(config.dataset).stem}", asdict(config), resume)
    budgets = sorted(
        {*(k for k in CURVE_BUDGETS if k < config.labels_per_class), config.labels_per_class}
    )
    subsets, rest = few_shot_split(y, budgets, config.seed)

    def make(source: str | None, **kwargs: Any) -> FineTuner:
        return FineTuner(
            model=config.model,
            weights=source,
            strategy=config.strategy,
            max_epochs=epochs_option(config.max_epochs),
            device=config.device,
            random_state=config.seed,
            **kwargs,
        )

    main = subsets[config.labels_per_class]
    started = time.perf_counter()
    tuned = make(weights, verbose=int(progress), run_dir=run_dir, resume=resume)
    tuned.fit(X[main], y[main])
    fit_seconds = time.perf_counter() - started
    y_pred = tuned.predict(X[rest])
    source = config.weights if weights is None or weights in NAMED_SOURCES else Path(weights).name
    label = f"{config.strategy} from {source}"  # "auto" chooses per label budget
    curves: dict[str, list[float]] = {label: [], "scratch": []}
    for k in budgets:
        idx = subsets[k]
        transfer_acc = (
            float(np.mean(y_pred == y[rest]))
            if k == config.labels_per_class
            else make(weights).fit(X[idx], y[idx]).score(X[rest], y[rest])
        )
        curves[label].append(transfer_acc)
        curves["scratch"].append(make(None).fit(X[idx], y[idx]).score(X[rest], y[rest]))
    plots = run_dir / "plots"
    write_caption(
        plot_learning_curves(tuned.history_, plots / "learning_curves.png"),
        "The main fine-tune's loss (and validation metrics, when held out) per epoch.",
    )
    plot_confusion_matrix(
        y[rest],
        y_pred,
        path=plots / "confusion_matrix.png",
        title=f"{config.dataset}: {config.labels_per_class} labels/class",
    )
    plot_label_efficiency(
        budgets,
        curves,
        plots / "label_efficiency.png",
        title=f"{config.model} on {config.dataset}: transfer vs scratch",
    )
    write_caption(
        plots / "label_efficiency.png",
        "Test accuracy against labelled images per class: the fine-tuned model against the "
        "same architecture trained from scratch on the same images.",
    )
    write_caption(
        plots / "confusion_matrix.png",
        "Test images by true class (rows) and predicted class (columns).",
    )
    explanation = explain_classifier(tuned, X[rest], y[rest], plots)
    tuned.save_weights(run_dir / "model.safetensors")
    transfer_curve, scratch_curve = curves.values()
    summary: dict[str, Any] = {
        "dataset": config.dataset,
        "classes": classes if classes is not None else "all",
        "model": config.model,
        "weights": config.weights,
        "strategy": tuned.strategy_,
        "strategy_requested": config.strategy,
        "labels_per_class": config.labels_per_class,
        "n_train": len(main),
        "n_test": len(rest),
        "epochs_run": len(tuned.history_),
        "fit_seconds": round(fit_seconds, 3),
        "test_accuracy": transfer_curve[-1],
        "scratch_test_accuracy": scratch_curve[-1],
        "transfer_gain": transfer_curve[-1] - scratch_curve[-1],
        "label_efficiency": {
            str(k): {"transfer": t, "scratch": s}
            for k, t, s in zip(budgets, transfer_curve, scratch_curve, strict=True)
        },
        **explanation.summary(),
        "run_dir": str(run_dir),
    }
    write_summary(run_dir, summary)
    write_html_report(
        run_dir,
        title=f"paradigms transfer: {config.model} on {config.dataset}",
        summary={k: v for k, v in summary.items() if k != "label_efficiency"},
        config=asdict(config),
        texts={"Classification report (test images)": explanation.report},
    )
    return summary
