"""Hyperparameter search: a 20-trial study on digits and a PPO study on an env without a preset,
each against the library's defaults on held-out data.

Run from the repository root, on a quiet machine (about 8 minutes on 2 CPUs):

    .venv/bin/python benchmarks/tuning.py            # full run: writes the results
    .venv/bin/python benchmarks/tuning.py --quick    # smoke test

The full run writes ``benchmarks/results/tuning.json`` and the ``tuning`` section of
``benchmarks/RESULTS.md``; ``--quick`` only the git-ignored ``benchmarks/out/``.

Protocol (issue 15):

- **Classifier on digits**: stratified 75/25 split (``random_state=0``). ``tune_estimator`` runs
  20 trials (TPE, seed 0, median pruner on each epoch's validation accuracy) over the
  ``classifier`` search space on the training part, each trial holding out 20% of it; the
  estimator is ``Classifier(random_state=0)`` with its defaults (``max_epochs="auto"``: 30
  epochs here). Then the defaults and the best parameters are fitted on the whole training part
  with 3 seeds each and scored on the test part.
- **PPO on LineTargetEnv** (``paradigms.reinforcement.envs``; no tuned preset, so the defaults
  are the ones the library derives from the env and the budget): ``tune_agent`` runs 12 trials
  of 10,000 steps (the zoo's PPO space, 4 evaluations of 5 episodes per trial, median pruner).
  Then the derived defaults and the best parameters train for 10,000 steps with 3 held-out
  seeds (1-3; the study used seed 0) and are evaluated over 20 episodes each.

Goals: the 20-trial digits study finishes in <= 300 s with pruning, and its best parameters
score at least the defaults' test accuracy (stated either way); the time per trial.
"""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Sequence
from datetime import datetime, timezone
from typing import Any

import torch
from _results import (
    command_line,
    finish_results,
    goal,
    goal_lines,
    md_table,
    parse_options,
    publish,
    section_header,
)
from _timing import load_average, machine_info

from paradigms.data import load_digits, train_test_split_stratified
from paradigms.engine import tune_estimator
from paradigms.reinforcement import Agent, tune_agent
from paradigms.reinforcement.envs import LineTargetEnv
from paradigms.supervised import Classifier

SECTION = "tuning"
THREADS = 2
SEEDS = (1, 2, 3)


def _digits(quick: bool) -> dict[str, Any]:
    X, y = load_digits(images=True)
    X_tr, X_te, y_tr, y_te = train_test_split_stratified(X, y, test_size=0.25, random_state=0)
    trials = 3 if quick else 20
    base = {"max_epochs": 3} if quick else {}
    started = time.perf_counter()
    result = tune_estimator(Classifier(random_state=0, **base), X_tr, y_tr, trials=trials, seed=0)
    study_seconds = time.perf_counter() - started
    scores: dict[str, list[float]] = {"defaults": [], "best": []}
    for seed in SEEDS[: 1 if quick else 3]:
        for key, params in (("defaults", {}), ("best", result.best_params)):
            clf = Classifier(random_state=seed, **base, **params).fit(X_tr, y_tr)
            scores[key].append(float(clf.score(X_te, y_te)))
    return {
        "task": "Classifier on digits",
        "trials": trials,
        "study_seconds": round(study_seconds, 1),
        "seconds_per_trial": result.seconds_per_trial,
        "n_complete": result.n_complete,
        "n_pruned": result.n_pruned,
        "best_validation": round(result.best_value, 4),
        "best_params": result.best_params,
        "test_defaults": [round(s, 4) for s in scores["defaults"]],
        "test_best": [round(s, 4) for s in scores["best"]],
        "metric": "test accuracy",
    }


def _ppo(quick: bool) -> dict[str, Any]:
    steps = 2_000 if quick else 10_000
    trials = 2 if quick else 12
    started = time.perf_counter()
    result = tune_agent(LineTargetEnv, "ppo", timesteps=steps, trials=trials, seed=0)
    study_seconds = time.perf_counter() - started
    scores: dict[str, list[float]] = {"defaults": [], "best": []}
    for seed in SEEDS[: 1 if quick else 3]:
        for key, params in (("defaults", {}), ("best", result.best_params)):
            agent = Agent(LineTargetEnv, algo="ppo", seed=seed, num_threads=1, **params)
            agent.learn(steps, progress_bar=False)
            scores[key].append(float(agent.evaluate(5 if quick else 20)[0]))
            agent.close()
    return {
        "task": f"PPO on LineTargetEnv (no preset), {steps:,} steps per trial",
        "trials": trials,
        "study_seconds": round(study_seconds, 1),
        "seconds_per_trial": result.seconds_per_trial,
        "n_complete": result.n_complete,
        "n_pruned": result.n_pruned,
        "best_validation": round(result.best_value, 3),
        "best_params": result.best_params,
        "test_defaults": [round(s, 3) for s in scores["defaults"]],
        "test_best": [round(s, 3) for s in scores["best"]],
        "metric": "mean evaluation return (20 episodes, held-out seeds)",
    }


def run(quick: bool, command: str) -> dict[str, Any]:
    started = datetime.now(timezone.utc)
    machine = machine_info(("optuna", "stable-baselines3"))
    machine["load_average_at_start"] = load_average()
    rows = [_digits(quick), _ppo(quick)]
    results = finish_results(started, command, machine, rows=rows)
    results["goals"] = goals(rows)
    return results


def goals(rows: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    digits = rows[0]
    best, default = statistics.mean(digits["test_best"]), statistics.mean(digits["test_defaults"])
    ppo = rows[1]
    ppo_best, ppo_default = statistics.mean(ppo["test_best"]), statistics.mean(ppo["test_defaults"])
    return [
        goal("20-trial digits study, seconds", digits["study_seconds"], "<= 300",
             digits["study_seconds"] <= 300),
        goal("digits: best params' test accuracy vs the defaults'",
             f"{best:.4f} vs {default:.4f}", ">= defaults", best >= default),
        goal("PPO LineTargetEnv: best params' return vs the derived defaults'",
             f"{ppo_best:.2f} vs {ppo_default:.2f}", ">= defaults", ppo_best >= ppo_default),
    ]  # fmt: skip


def _mean_and_values(values: Sequence[float]) -> str:
    return f"{statistics.mean(values):.4g} ({', '.join(map(str, values))})"


def render_markdown(results: dict[str, Any]) -> str:
    table = []
    for r in results["rows"]:
        table.append(
            [
                r["task"],
                r["trials"],
                f"{r['n_complete']} / {r['n_pruned']}",
                r["study_seconds"],
                r["seconds_per_trial"],
                r["best_validation"],
                _mean_and_values(r["test_defaults"]),
                _mean_and_values(r["test_best"]),
            ]
        )
    params = [f"- {r['task']}: best parameters `{r['best_params']}`" for r in results["rows"]]
    body = [
        *section_header(
            "Hyperparameter search with Optuna: against the defaults",
            results,
            f"{THREADS} torch threads (RL trials: 1)",
            "see `benchmarks/tuning.py`; TPE sampler (seed 0), median pruner; the best "
            "parameters refitted and scored on held-out data (digits: the test split; RL: "
            "seeds 1-3)",
        ),
        md_table(
            [
                "task",
                "trials",
                "complete / pruned",
                "study s",
                "s per trial",
                "best validation",
                "defaults (held out)",
                "best params (held out)",
            ],
            table,
        ),
        "",
        *params,
        "",
        *goal_lines(results["goals"]),
    ]
    return "\n".join(body)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_options(__doc__.split("\n\n")[0], argv, repeats=False)
    torch.set_num_threads(THREADS)
    results = run(args.quick, command_line())
    return publish(
        results, render_markdown(results), name=SECTION, quick=args.quick, no_write=args.no_write
    )


if __name__ == "__main__":
    sys.exit(main())
