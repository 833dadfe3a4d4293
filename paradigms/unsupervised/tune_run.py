"""``paradigms tune unsupervised``: tune a run's autoencoder, then measure the best parameters
against the defaults by the test split's reconstruction error."""

from __future__ import annotations

import os
from dataclasses import asdict
from pathlib import Path
from typing import Any

import numpy as np

from paradigms._common.rundir import prepare_run_dir
from paradigms._common.tuning import StudyOptions
from paradigms.data import load_dataset, train_test_split_stratified
from paradigms.engine.tuning import tune_against_defaults
from paradigms.unsupervised.autoencoder import AutoEncoder
from paradigms.unsupervised.run import build_autoencoder
from paradigms.unsupervised.run_config import UnsupervisedRunConfig


def _minus_reconstruction_error(ae: AutoEncoder, X: Any, y: Any = None) -> float:
    return -float(np.mean(ae.reconstruction_error(X)))


def tune_unsupervised(
    config: UnsupervisedRunConfig, options: StudyOptions, out: str | os.PathLike[str] | None = None
) -> dict[str, Any]:
    """An Optuna study over the run's AutoEncoder (pruned on each epoch's validation loss),
    then the defaults and the best parameters scored by minus the mean reconstruction error of
    the test split (higher is better)."""
    data = load_dataset(config.dataset, True, config.target, config.image_size)
    name = f"tune-unsupervised-{Path(config.dataset).stem}"
    settings = {**asdict(config), **asdict(options)}
    run_dir = prepare_run_dir(out, name, settings, resume=False)
    labels = data.y if data.y is not None else np.zeros(len(data.X), dtype=np.int64)
    X_tr, X_te, _, _ = train_test_split_stratified(
        data.X, labels, test_size=config.test_size, random_state=config.seed
    )
    ae = build_autoencoder(config)
    summary = tune_against_defaults(
        ae,
        (X_tr, None),
        (X_te, None),
        options,
        run_dir,
        title=name,
        metric="minus the test reconstruction error (relative to the data's variance)",
        scorer=_minus_reconstruction_error,
        config=settings,
    )
    return {"dataset": config.dataset, **summary}
