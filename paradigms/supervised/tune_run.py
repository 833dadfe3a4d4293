"""``paradigms tune supervised``: tune a supervised run's estimator, then measure the best
parameters against the defaults on the run's held-out test split."""

from __future__ import annotations

import os
from dataclasses import asdict
from pathlib import Path
from typing import Any

from paradigms._common.rundir import prepare_run_dir
from paradigms._common.tuning import StudyOptions
from paradigms.data import train_test_split_stratified
from paradigms.engine.tuning import tune_against_defaults
from paradigms.supervised.run import build_estimator, load_run_data
from paradigms.supervised.run_config import SupervisedRunConfig


def tune_supervised(
    config: SupervisedRunConfig, options: StudyOptions, out: str | os.PathLike[str] | None = None
) -> dict[str, Any]:
    """An Optuna study over the run's Classifier/Regressor on its training split, then the
    defaults and the best parameters scored on the test split (accuracy or R²); see
    :func:`~paradigms.engine.tuning.tune_against_defaults` for what ``out`` receives."""
    if config.labels_per_class:
        raise ValueError("tune the fully labelled task: leave --labels-per-class at 0.")
    data = load_run_data(config)
    classification = data.task == "classification"
    name = f"tune-supervised-{Path(config.dataset).stem}"
    settings = {**asdict(config), **asdict(options)}
    run_dir = prepare_run_dir(out, name, settings, resume=False)
    X_tr, X_te, y_tr, y_te = train_test_split_stratified(
        data.X, data.y, test_size=config.test_size, random_state=config.seed
    )
    summary = tune_against_defaults(
        build_estimator(config, classification=classification),
        (X_tr, y_tr),
        (X_te, y_te),
        options,
        run_dir,
        title=name,
        metric="test accuracy" if classification else "test r2",
        config=settings,
    )
    return {"dataset": config.dataset, **summary}
