"""Hyperparameter search with Optuna, shared by the estimators and the agents.

The search spaces are data (``search_spaces.json`` beside this file; the RL ones are
rl-baselines3-zoo's). :func:`suggest` turns one trial's draws into the keyword arguments an
estimator or ``Agent`` takes; :func:`run_study` runs an Optuna study — TPE sampler with a seed,
median pruner fed by the caller's per-epoch or per-evaluation reports, a trial budget and a time
budget — in an Optuna storage, so that several processes (SQLite) or machines (a PostgreSQL or
MySQL URL) can work on one study at once, and writes ``best_params.json`` and ``trials.csv``.
"""

from __future__ import annotations

import copy
import csv
import io
import json
import logging
import math
import os
import socket
import time
import warnings
from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from paradigms._common.files import atomic_write_text, check_writable, write_json_atomic

logger = logging.getLogger(__name__)

INSTALL_HINT = "pip install 'paradigms[tune]' (or pip install optuna)"
SPACES_FILE = Path(__file__).with_name("search_spaces.json")
#: errors that fail one trial (a diverging or invalid draw) without stopping the study
FAILING = (ValueError, FloatingPointError, RuntimeError)
#: sqlalchemy errors of processes creating one new database at once (retried, not reported)
RACING_ERRORS = ("OperationalError", "IntegrityError")
#: the columns of trials.csv
TRIAL_COLUMNS = ("number", "state", "value", "steps_reported", "seconds", "params")
#: trials the median pruner lets finish before it prunes, and reports it ignores in each trial
N_STARTUP_TRIALS, N_WARMUP_STEPS = 5, 2


def require_optuna() -> Any:
    """The ``optuna`` module, or an ``ImportError`` that says how to install it."""
    try:
        import optuna
    except ImportError as error:
        raise ImportError(f"tuning needs Optuna: {INSTALL_HINT}") from error
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    return optuna


@cache
def _spaces() -> dict[str, Any]:
    return json.loads(SPACES_FILE.read_text(encoding="utf-8"))


def search_space_names() -> list[str]:
    """The search spaces ``search_spaces.json`` defines."""
    return sorted(k for k in _spaces() if not k.startswith("_"))


def load_search_space(name: str) -> dict[str, Any]:
    """The search space ``name`` (``"classifier"``, ``"ppo"``...) as a dict of entries."""
    if name not in search_space_names():
        raise ValueError(
            f"unknown search space {name!r}; expected one of {', '.join(search_space_names())}."
        )
    entries = dict(_spaces()[name])
    base = entries.pop("_extends", None)
    if base is not None:  # another space's entries, then this one's own
        entries = {**load_search_space(str(base)), **entries}
    return copy.deepcopy(entries)


def _set(params: dict[str, Any], dotted: str, value: Any) -> None:
    keys = dotted.split(".")
    target = params
    for key in keys[:-1]:
        target = target.setdefault(key, {})
    target[keys[-1]] = value


def _choices(entry: Mapping[str, Any], budget: int | None) -> list[Any]:
    choices = list(entry["choices"])
    fraction = entry.get("budget_fraction")
    if fraction is None or budget is None:
        return choices
    kept = [c for c in choices if c is None or c <= fraction * budget]
    return kept or choices[:1]


def suggest(
    trial: Any,
    space: Mapping[str, Mapping[str, Any]],
    tags: Iterable[str] = (),
    budget: int | None = None,
) -> dict[str, Any]:
    """Draw one value per entry of ``space`` from ``trial`` and return the keyword arguments
    they make (nested where an entry's ``into`` is dotted, e.g. ``policy_kwargs.net_arch``).

    Args:
        trial: an ``optuna.Trial``.
        space: a search space (:func:`load_search_space`).
        tags: what the data is (``"images"`` or ``"tabular"``, ``"denoising"``): entries whose
            ``when`` is not among them are skipped.
        budget: a trial's timestep budget; entries with a ``budget_fraction`` drop the
            choices above that share of it (a 2,048-step rollout in a 4,000-step trial).
    """
    present = set(tags)
    params: dict[str, Any] = {}
    drawn: dict[str, Any] = {}
    for name, entry in space.items():
        if "when" in entry and entry["when"] not in present:
            continue
        kind = entry["type"]
        if kind == "float":
            value = trial.suggest_float(
                name, entry["low"], entry["high"], log=entry.get("log", False)
            )
        elif kind == "int":
            value = trial.suggest_int(
                name, entry["low"], entry["high"], log=entry.get("log", False)
            )
        elif kind == "categorical":
            value = trial.suggest_categorical(name, _choices(entry, budget))
        else:
            raise ValueError(f"search space entry {name!r} has unknown type {kind!r}.")
        drawn[name] = value
        if "values" in entry:
            value = copy.deepcopy(entry["values"][value])
        if entry.get("transform") == "one_minus":
            value = 1.0 - value
        if "divide" in entry:
            value = max(1, int(drawn[entry["divide"]]) // int(value))
        _set(params, entry.get("into", name), value)
        if "copy" in entry:
            _set(params, entry["copy"], value)
    return {
        k: v for k, v in params.items() if not (isinstance(v, dict) and v.get("type", 0) is None)
    }


def _lookup(values: Mapping[str, Any], dotted: str) -> Any:
    current: Any = values
    for key in dotted.split("."):
        if not isinstance(current, Mapping) or key not in current:
            return _MISSING
        current = current[key]
    return current


_MISSING = object()


def known_draws(
    space: Mapping[str, Mapping[str, Any]], values: Mapping[str, Any], budget: int | None = None
) -> dict[str, Any]:
    """The draws of ``space`` that reproduce ``values`` (keyword arguments as :func:`suggest`
    returns them, e.g. an estimator's defaults), for entries whose value can be inverted and
    lies inside the space; the rest are left to the sampler.

    ``study.enqueue_trial`` of the result makes the study's first trial the defaults, so the
    best trial is never worse than them on the study's own validation data. With ``budget``,
    a categorical value is inside the space only among the choices :func:`suggest` keeps for
    that budget (a preset's ``learning_starts=1000`` is not a draw of a 1,500-step trial).
    """
    draws: dict[str, Any] = {}
    for name, entry in space.items():
        if "divide" in entry or "copy" in entry:
            continue
        value = _lookup(values, entry.get("into", name))
        if value is _MISSING:
            continue
        if "values" in entry:
            matches = [c for c, v in entry["values"].items() if _same(v, value)]
            if matches:
                draws[name] = matches[0]
            continue
        if entry.get("transform") == "one_minus" and isinstance(value, (int, float)):
            value = 1.0 - value
        if entry["type"] == "categorical":
            if any(_same(value, c) for c in _choices(entry, budget)):
                draws[name] = value
        elif (
            isinstance(value, (int, float))
            and not isinstance(value, bool)
            and entry["low"] <= value <= entry["high"]
        ):
            draws[name] = value
    return draws


def _same(a: Any, b: Any) -> bool:
    """Equal, with tuples and lists alike (``(32, 64)`` is ``[32, 64]``)."""
    normal = json.loads(json.dumps(a, default=list)), json.loads(json.dumps(b, default=list))
    return normal[0] == normal[1]


@dataclass(frozen=True)
class StudyOptions:
    """How long and where a ``paradigms tune`` study runs (the CLI's tune options).

    Attributes:
        trials: finished trials the study should hold (all processes sharing it).
        timeout: seconds this process may spend (None: no limit).
        storage: an Optuna RDB URL (``sqlite:///study.db``, ``postgresql://...``), or None.
        study_name: the study's name in ``storage`` (None: derived from what is tuned).
        seed: the sampler's seed.
    """

    trials: int = 20
    timeout: float | None = None
    storage: str | None = None
    study_name: str | None = None
    seed: int = 0


@dataclass
class TuningResult:
    """What a study found.

    Attributes:
        best_params: keyword arguments of the best trial, as the estimator or ``Agent`` takes
            them (also in ``best_params.json``).
        best_value: its objective value.
        direction: ``"maximize"`` or ``"minimize"``.
        n_complete, n_pruned, n_failed: trials of the study in each state (all processes).
        seconds: this process's wall time; ``seconds_per_trial`` its mean per trial.
        study_name, storage: where the study lives (``storage`` None: in memory).
        importances: each drawn parameter's importance (``optuna.importance``), when computable.
        out: the folder written, or ``None``.
    """

    best_params: dict[str, Any]
    best_value: float
    direction: str
    n_complete: int
    n_pruned: int
    n_failed: int
    seconds: float
    seconds_per_trial: float
    study_name: str
    storage: str | None
    importances: dict[str, float] = field(default_factory=dict)
    out: str | None = None
    history: list[dict[str, Any]] = field(default_factory=list)

    def summary(self) -> dict[str, Any]:
        """JSON-ready fields (without the per-trial history)."""
        data = asdict(self)
        data.pop("history")
        return data


def run_study(
    objective: Callable[[Any], float],
    *,
    direction: str,
    trials: int,
    timeout: float | None = None,
    storage: str | None = None,
    study_name: str = "paradigms",
    seed: int = 0,
    out: str | Path | None = None,
    first_trial: Mapping[str, Any] | None = None,
) -> TuningResult:
    """Run (or join) an Optuna study until it holds ``trials`` finished trials or ``timeout``
    seconds have passed in this process.

    Args:
        objective: ``trial -> value``; it stores the trial's keyword arguments with
            ``trial.set_user_attr("params", ...)``, reports intermediate values with
            ``trial.report`` and raises ``optuna.TrialPruned`` when ``trial.should_prune()``.
        direction: ``"maximize"`` or ``"minimize"``.
        trials: finished (complete or pruned) trials the study should hold, counting those of
            every process sharing it (Optuna's ``MaxTrialsCallback``).
        timeout: seconds this process may spend (None: no limit).
        storage: an Optuna RDB URL (``sqlite:///study.db``, ``postgresql://...``) shared by
            processes; None keeps the study in memory.
        study_name: the study's name in ``storage`` (joined when it exists).
        seed: the TPE sampler's seed.
        out: folder for ``best_params.json``, ``trials.csv`` and ``study.json``.
        first_trial: draws to try first when the study is new (:func:`known_draws` of the
            defaults), so the best trial is at least the defaults on the study's validation.

    Raises:
        ValueError: ``trials`` below 1, an unknown direction, or no trial that completed.
    """
    optuna = require_optuna()
    if isinstance(trials, bool) or not isinstance(trials, int) or trials < 1:
        raise ValueError(f"trials must be an int >= 1; got {trials!r}.")
    if direction not in ("maximize", "minimize"):
        raise ValueError(f"direction must be 'maximize' or 'minimize'; got {direction!r}.")
    if timeout is not None and not (isinstance(timeout, (int, float)) and timeout > 0):
        raise ValueError(f"timeout must be a positive number of seconds or None; got {timeout!r}.")
    study = optuna.create_study(
        storage=_open_storage(optuna, storage),
        study_name=study_name,
        direction=direction,
        load_if_exists=True,
        sampler=optuna.samplers.TPESampler(seed=seed),
        pruner=optuna.pruners.MedianPruner(
            n_startup_trials=N_STARTUP_TRIALS, n_warmup_steps=N_WARMUP_STEPS
        ),
    )
    finished = (optuna.trial.TrialState.COMPLETE, optuna.trial.TrialState.PRUNED)
    done_before = len(study.get_trials(deepcopy=False, states=finished))
    if first_trial and not study.get_trials(deepcopy=False):
        study.enqueue_trial(dict(first_trial), user_attrs={"defaults": True})
    worker = f"{socket.gethostname()}:{os.getpid()}"

    def tagged(trial: Any) -> float:
        trial.set_user_attr("worker", worker)  # which process ran it (shared studies)
        try:
            return objective(trial)
        except FAILING as error:  # the trial fails, the study goes on; the reason is kept
            trial.set_user_attr("error", f"{type(error).__name__}: {error}"[:500])
            raise

    started = time.perf_counter()
    study.optimize(
        tagged,
        n_trials=max(0, trials - done_before),
        timeout=timeout,
        callbacks=[optuna.study.MaxTrialsCallback(trials, states=finished)],
        gc_after_trial=True,
        catch=FAILING,
    )
    seconds = time.perf_counter() - started
    result = _result(optuna, study, direction, seconds, done_before, storage)
    if out is not None:
        result.out = str(write_study(result, Path(out)))
    return result


def _open_storage(optuna: Any, url: str | None, attempts: int = 5) -> Any:
    """Optuna's RDB storage at ``url`` (None: in memory). Processes that open a new database
    at the same moment race to create its tables; the loser retries. SQLite connections wait
    up to 60 s for a lock instead of failing at once."""
    if url is None:
        return None
    engine_kwargs = {"connect_args": {"timeout": 60}} if url.startswith("sqlite") else {}
    for attempt in range(attempts):
        try:
            return optuna.storages.RDBStorage(url, engine_kwargs=engine_kwargs)
        except Exception as error:  # sqlalchemy's errors: "table already exists", locks
            racing = type(error).__name__ in RACING_ERRORS
            if attempt == attempts - 1 or not racing:
                raise ValueError(
                    f"cannot open the Optuna storage {url!r} ({type(error).__name__}: "
                    f"{str(error).splitlines()[0][:200]}). Pass an RDB URL such as "
                    "sqlite:///study.db or postgresql://user:password@host/database."
                ) from error
            time.sleep(0.5 * (attempt + 1))
    return None  # pragma: no cover - the loop returns or raises


def _result(
    optuna: Any, study: Any, direction: str, seconds: float, before: int, storage: str | None
) -> TuningResult:
    states = optuna.trial.TrialState
    all_trials = study.get_trials(deepcopy=False)
    complete = [t for t in all_trials if t.state == states.COMPLETE]
    if not complete:
        failed = [t for t in all_trials if t.state == states.FAIL]
        reason = failed[-1].user_attrs.get("error", "") if failed else ""
        raise ValueError(
            f"no trial of study {study.study_name!r} completed ({len(all_trials)} trials"
            + (f"; the last failure: {reason[:300]}" if reason else "")
            + "). Give more trials or time, or check the options."
        )
    importances: dict[str, float] = {}
    if len(complete) >= 2:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # "importances will be equal" on flat studies
                importances = dict(optuna.importance.get_param_importances(study))
        except (RuntimeError, ValueError, ZeroDivisionError):  # e.g. every value identical
            importances = {}
    best = study.best_trial
    mine = max(1, len(all_trials) - before)
    return TuningResult(
        best_params=dict(best.user_attrs.get("params", best.params)),
        best_value=float(best.value),
        direction=direction,
        n_complete=len(complete),
        n_pruned=sum(t.state == states.PRUNED for t in all_trials),
        n_failed=sum(t.state == states.FAIL for t in all_trials),
        seconds=round(seconds, 2),
        seconds_per_trial=round(seconds / mine, 2),
        study_name=study.study_name,
        storage=storage,
        importances={k: round(float(v), 4) for k, v in importances.items()},
        history=[_trial_row(t) for t in all_trials],
    )


def _trial_row(trial: Any) -> dict[str, Any]:
    value = trial.value if trial.value is not None and math.isfinite(trial.value) else None
    duration = trial.duration.total_seconds() if trial.duration is not None else None
    return {
        "number": trial.number,
        "state": trial.state.name.lower(),
        "value": value,
        "steps_reported": len(trial.intermediate_values),
        "seconds": round(duration, 3) if duration is not None else None,
        "params": json.dumps(trial.params, sort_keys=True),
    }


def write_study(result: TuningResult, out: Path) -> Path:
    """``best_params.json``, ``trials.csv`` (one row per trial) and ``study.json`` in ``out``
    (``RunWriteError`` when they cannot be written)."""
    check_writable(out)
    write_json_atomic(out / "best_params.json", result.best_params)
    write_json_atomic(out / "study.json", result.summary())
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(TRIAL_COLUMNS), lineterminator="\n")
    writer.writeheader()
    writer.writerows(result.history)
    atomic_write_text(out / "trials.csv", buffer.getvalue())
    return out
