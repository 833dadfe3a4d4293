"""``paradigms tune transfer``: tune a fine-tuning run on its few labels, then measure the best
parameters against the defaults on the run's held-out images (every image beyond the labelled
ones, as ``paradigms transfer`` evaluates)."""

from __future__ import annotations

import os
from dataclasses import asdict
from pathlib import Path
from typing import Any

from paradigms._common.checks import epochs_option
from paradigms._common.rundir import prepare_run_dir
from paradigms._common.tuning import StudyOptions
from paradigms.engine.tuning import tune_against_defaults
from paradigms.transfer.finetuner import FineTuner
from paradigms.transfer.run import few_shot_split, load_run_data
from paradigms.transfer.run_config import TransferRunConfig


def tune_transfer(
    config: TransferRunConfig, options: StudyOptions, out: str | os.PathLike[str] | None = None
) -> dict[str, Any]:
    """An Optuna study over the run's FineTuner on ``labels_per_class`` labelled images per
    class (each trial holds out 20% of them), then the defaults and the best parameters fitted
    on all of them and scored by test accuracy on the rest."""
    X, y, _ = load_run_data(config)
    name = f"tune-transfer-{Path(config.dataset).stem}"
    settings = {**asdict(config), **asdict(options)}
    run_dir = prepare_run_dir(out, name, settings, resume=False)
    subsets, rest = few_shot_split(y, [config.labels_per_class], config.seed)
    labelled = subsets[config.labels_per_class]
    tuner = FineTuner(
        model=config.model,
        weights=None if config.weights.lower() == "none" else config.weights,
        strategy=config.strategy,
        max_epochs=epochs_option(config.max_epochs),
        device=config.device,
        random_state=config.seed,
    )
    summary = tune_against_defaults(
        tuner,
        (X[labelled], y[labelled]),
        (X[rest], y[rest]),
        options,
        run_dir,
        title=name,
        metric="test accuracy",
        config=settings,
    )
    return {"dataset": config.dataset, "model": config.model, **summary}
