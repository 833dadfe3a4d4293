"""``tune_estimator``: an Optuna study over a scikit-learn-style estimator's hyperparameters.

Each trial fits a clone of the estimator with drawn hyperparameters (the estimator's own search
space from ``search_spaces.json``, or yours) on the data, holding out ``validation_fraction``
of it; the engine's per-epoch validation metric feeds Optuna's median pruner
(:class:`TrialPruning`), and the last epoch's value is the trial's objective. The best
trial's keyword arguments (``best_params.json``) go straight back into the estimator:
``Classifier(**result.best_params)``.
"""

from __future__ import annotations

import inspect
import os
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.base import clone

from paradigms._common.rundir import write_summary
from paradigms._common.tuning import (
    StudyOptions,
    TuningResult,
    known_draws,
    load_search_space,
    require_optuna,
    run_study,
    suggest,
)
from paradigms.backbones import CNNBackbone, MLPBackbone
from paradigms.engine.callbacks import Callback
from paradigms.engine.estimator import NeuralEstimator
from paradigms.engine.state import TrainState

#: the share of the data a trial holds out when the estimator holds out none itself
TUNING_VALIDATION = 0.2


class TrialPruning(Callback):
    """Report ``monitor`` to an Optuna trial after every epoch and stop a trial the pruner
    gives up on (by raising ``optuna.TrialPruned``)."""

    def __init__(self, trial: Any, monitor: str) -> None:
        self.trial = trial
        self.monitor = monitor

    def on_epoch_end(self, state: TrainState) -> None:
        row = state.history[-1]
        if self.monitor not in row:
            raise ValueError(
                f"tuning reads {self.monitor!r} each epoch, which the history does not record "
                f"(keys: {sorted(row)}); the estimator needs validation_fraction > 0."
            )
        self.trial.report(float(row[self.monitor]), int(row["epoch"]))
        if self.trial.should_prune():
            raise require_optuna().TrialPruned(f"pruned at epoch {row['epoch']}")


def tune_estimator(
    estimator: Any,
    X: Any,
    y: Any = None,
    *,
    trials: int = 20,
    timeout: float | None = None,
    storage: str | None = None,
    study_name: str | None = None,
    seed: int = 0,
    space: Mapping[str, Any] | None = None,
    out: str | os.PathLike[str] | None = None,
) -> TuningResult:
    """Search ``estimator``'s hyperparameters with Optuna (TPE sampler, median pruner).

    Args:
        estimator: a ``Classifier``, ``Regressor``, ``AutoEncoder`` or ``FineTuner``
            (unfitted; its parameters are the fixed part of every trial).
        X, y: the training data (``y`` None for an ``AutoEncoder``); each trial holds out the
            estimator's ``validation_fraction`` (:data:`TUNING_VALIDATION` when it is 0).
        trials: finished trials the study should hold (all processes sharing it).
        timeout: seconds this process may spend.
        storage: an Optuna RDB URL shared by processes or machines, e.g.
            ``"sqlite:///study.db"``; None keeps the study in memory.
        study_name: the study's name in ``storage`` (default: the estimator's class name).
        seed: the sampler's seed.
        space: a search space (default: the estimator's in ``search_spaces.json``).
        out: folder for ``best_params.json``, ``trials.csv``, ``study.json``, ``plots/``
            (optimisation history, parameter importances) and ``report.html``.

    Returns:
        :class:`~paradigms._common.tuning.TuningResult`; ``best_params`` is what
        ``estimator.set_params(**best_params)`` takes.
    """
    space_name, monitor, direction = _tuning_facts(estimator)
    entries = dict(space) if space is not None else load_search_space(space_name)
    fixed = estimator.get_params()
    validation = float(fixed.get("validation_fraction") or 0.0) or TUNING_VALIDATION
    tags = _tags(estimator, X)

    def objective(trial: Any) -> float:
        params = suggest(trial, entries, tags)
        trial.set_user_attr("params", params)
        candidate = clone(estimator).set_params(**_merged(fixed, params))
        pruning = TrialPruning(trial, monitor)
        callbacks = [*(fixed.get("callbacks") or []), pruning]
        candidate.set_params(validation_fraction=validation, callbacks=callbacks, run_dir=None)
        candidate.fit(X, y) if y is not None else candidate.fit(X)
        value = float(candidate.history_[-1][monitor])
        if not np.isfinite(value):
            raise ValueError(f"{monitor} is {value}: this draw diverged.")
        return value

    defaults = dict(fixed)
    if fixed.get("backbone_kwargs") is None:  # what the backbone builds: the "default" choice
        defaults["backbone_kwargs"] = _default_widths(estimator)
    if defaults.get("augment") == "auto":  # what "auto" means for images
        defaults["augment"] = bool(estimator.augments_by_default)
    result = run_study(
        objective,
        direction=direction,
        first_trial=known_draws(entries, defaults),
        trials=trials,
        timeout=timeout,
        storage=storage,
        study_name=study_name or type(estimator).__name__,
        seed=seed,
        out=out,
    )
    if out is not None:
        from paradigms.report.study_plots import write_study_report

        write_study_report(
            out,
            f"paradigms tune: {type(estimator).__name__}",
            result.summary(),
            result.history,
            result.importances,
            direction,
            monitor,
        )
    return result


def _default_widths(estimator: Any) -> dict[str, Any]:
    """The cnn ``widths`` and mlp ``hidden`` the estimator builds when ``backbone_kwargs`` is
    None (the backbones' own defaults, or the estimator's tabular default)."""
    cnn = inspect.signature(CNNBackbone).parameters["widths"].default
    mlp = inspect.signature(MLPBackbone).parameters["hidden"].default
    tabular = estimator.default_backbone_kwargs((1,))
    return {"widths": list(cnn), "hidden": list(tabular.get("hidden", mlp))}


def _tuning_facts(estimator: Any) -> tuple[str, str, str]:
    target = estimator.tuning_target if isinstance(estimator, NeuralEstimator) else None
    if target is None:
        raise TypeError(
            f"tune_estimator tunes the library's estimators (Classifier, Regressor, AutoEncoder, "
            f"FineTuner); got {type(estimator).__name__}. For an Agent use "
            "paradigms.reinforcement.tune_agent."
        )
    return target.space, target.monitor, target.direction


def _tags(estimator: Any, X: Any) -> set[str]:
    images = getattr(X, "ndim", 2) >= 3
    tags = {"images" if images else "tabular"}
    if getattr(estimator, "backbone", None) in ("auto", "cnn" if images else "mlp"):
        tags.add("cnn" if images else "mlp")  # width entries: only for a backbone built by name
    if getattr(estimator, "kind", None) == "denoising":
        tags.add("denoising")
    return tags


def _merged(fixed: Mapping[str, Any], params: Mapping[str, Any]) -> dict[str, Any]:
    """``params`` with nested dicts merged into the estimator's (e.g. ``backbone_kwargs``)."""
    merged = dict(params)
    for key, value in params.items():
        if isinstance(value, dict) and isinstance(fixed.get(key), dict):
            merged[key] = {**fixed[key], **value}
    return merged


def tune_against_defaults(
    estimator: Any,
    train: tuple[Any, Any],
    test: tuple[Any, Any],
    options: StudyOptions,
    run_dir: Path,
    *,
    title: str,
    metric: str,
    scorer: Callable[[Any, Any, Any], float] | None = None,
    config: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The study ``paradigms tune`` runs for an estimator: :func:`tune_estimator` on ``train``,
    then the defaults and the best parameters fitted on all of ``train`` and scored on
    ``test``; ``summary.json``, the study's files, ``plots/`` and ``report.html`` in
    ``run_dir``.

    Args:
        estimator: the run's estimator with its defaults (unfitted).
        train, test: ``(X, y)`` pairs (``y`` None for an autoencoder).
        options: trials, time, storage, study name, seed.
        run_dir: the output folder (it exists).
        title: the report's heading.
        metric: what ``scorer`` measures, for the summary (higher is better).
        scorer: ``(fitted, X, y) -> score`` (default ``fitted.score(X, y)``).

    Returns:
        The summary: the study's numbers, ``test_score_defaults`` and ``test_score_best``.
    """
    result = tune_estimator(
        estimator,
        *train,
        trials=options.trials,
        timeout=options.timeout,
        storage=options.storage,
        study_name=options.study_name or title,
        seed=options.seed,
        out=run_dir,
    )
    score = scorer or (lambda fitted, X, y: float(fitted.score(X, y)))
    started = time.perf_counter()
    scores = {}
    for key, params in (("defaults", {}), ("best", result.best_params)):
        candidate = clone(estimator).set_params(**_merged(estimator.get_params(), params))
        X, y = train
        candidate.fit(X, y) if y is not None else candidate.fit(X)
        scores[key] = float(score(candidate, *test))
    summary = {
        **result.summary(),
        "metric": metric,
        "test_score_defaults": round(scores["defaults"], 4),
        "test_score_best": round(scores["best"], 4),
        "best_beats_defaults": scores["best"] >= scores["defaults"],
        "refit_seconds": round(time.perf_counter() - started, 2),
        "run_dir": str(run_dir),
    }
    write_summary(run_dir, summary)
    from paradigms.report.study_plots import write_study_report

    _, monitor, direction = _tuning_facts(estimator)
    write_study_report(
        run_dir,
        title,
        summary,
        result.history,
        result.importances,
        direction,
        monitor,
        config=config,
    )
    return summary
