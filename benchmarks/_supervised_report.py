"""Goals and the markdown report of ``benchmarks/supervised.py``.

:func:`evaluate_goals` judges the issue's goals on the measured results (split and model seed
``config.goal_seed``); :func:`render_markdown` turns the results into the ``supervised``
section of ``benchmarks/RESULTS.md``. Both read only the JSON-ready results dict, so a saved
``results/supervised.json`` can be re-rendered without re-running anything.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from _results import goal as _goal
from _results import md_table, status

# goal thresholds (from the issue)
DIGITS_MIN_ACCURACY = 0.99
MAX_TIME_RATIO = 1.0
MAX_ENGINE_OVERHEAD = 0.05
TABULAR_MAX_DEFICIT = 0.02
REGRESSION_MAX_DEFICIT = 0.05

COLUMN_NAMES = {
    "plain_loop": "plain PyTorch loop",
    "svc": "SVC",
    "paradigms": "paradigms",
    "paradigms_goal_split": "paradigms, goal split, random_state s",
    "paradigms_no_dropout": "paradigms with dropout=0",
    "paradigms_no_augment": "paradigms with augment=False",
    "logreg": "LogisticRegression",
    "ridge_cv": "RidgeCV",
}


def _row_of_seed(per_seed: list[dict[str, Any]], seed: int) -> dict[str, Any]:
    return next(row for row in per_seed if row["seed"] == seed)


def evaluate_goals(results: dict[str, Any]) -> list[dict[str, Any]]:
    """Each goal of the issue, judged on the goal seed: measured value, target, pass or not."""
    seed = results["config"]["goal_seed"]
    digits = results["digits"]["methods"]
    goals = [
        _goal(
            "digits accuracy",
            digits["paradigms"]["accuracy"],
            f">= {DIGITS_MIN_ACCURACY}",
            digits["paradigms"]["accuracy"] >= DIGITS_MIN_ACCURACY,
        ),
        _goal(
            "digits fit time, paradigms / plain loop",
            digits["paradigms"]["time_ratio_vs_plain_loop"],
            f"<= {MAX_TIME_RATIO}",
            digits["paradigms"]["time_ratio_vs_plain_loop"] <= MAX_TIME_RATIO,
        ),
        _goal(
            "engine overhead vs identical manual loop",
            f"{results['engine_overhead']['overhead']:+.1%}",
            f"<= {MAX_ENGINE_OVERHEAD:.0%}",
            results["engine_overhead"]["overhead"] <= MAX_ENGINE_OVERHEAD,
        ),
    ]
    for name, tab in results["tabular"].items():
        row = _row_of_seed(tab["per_seed"], seed)
        goals.append(
            _goal(
                f"{name} accuracy vs LogisticRegression",
                f"{row['paradigms']:.4f} vs {row['logreg']:.4f}",
                f">= LR - {TABULAR_MAX_DEFICIT}",
                row["paradigms"] >= row["logreg"] - TABULAR_MAX_DEFICIT,
            )
        )
    row = _row_of_seed(results["diabetes"]["per_seed"], seed)
    goals.append(
        _goal(
            "diabetes R² vs RidgeCV",
            f"{row['paradigms']:.4f} vs {row['ridge_cv']:.4f}",
            f">= RidgeCV - {REGRESSION_MAX_DEFICIT}",
            row["paradigms"] >= row["ridge_cv"] - REGRESSION_MAX_DEFICIT,
        )
    )
    return goals


# --------------------------------------------------------------------------- report
def _join(values: Sequence[Any]) -> str:
    return ", ".join(str(v) for v in values)


def _f(value: float, digits: int = 4) -> str:
    return f"{value:.{digits}f}"


def render_markdown(results: dict[str, Any]) -> str:
    """The RESULTS.md section (also printed): context, goals, then one table per benchmark."""
    parts = [_render_header(results), _render_goals(results["goals"])]
    parts += [_render_digits(results["digits"]), _render_engine(results["engine_overhead"])]
    if "digits_seeds" in results:
        parts.append(_render_digits_seeds(results["digits_seeds"]))
    parts += [_render_tabular(results["tabular"]), _render_diabetes(results["diabetes"])]
    return "\n\n".join(parts)


def _render_header(results: dict[str, Any]) -> str:
    m, cfg = results["machine"], results["config"]
    seed = cfg["goal_seed"]
    quick = (
        "\n\n**QUICK SMOKE RUN** (short training, one repeat): the numbers below are not "
        "meaningful and the goals are expected to fail."
        if cfg["quick"]
        else ""
    )
    return (
        "## Supervised: paradigms vs plain PyTorch, skorch and scikit-learn"
        f"{quick}\n\n"
        f"- date: {results['date']}\n"
        f"- machine: {m['cpu_count']} CPUs ({m['cpu_model']}), torch {m['torch']}, "
        f"torch.get_num_threads() = {m['torch_num_threads']}, device `{cfg['device']}`, "
        f"python {m['python']}, scikit-learn {m['packages'].get('scikit-learn')}, "
        f"skorch {m['packages'].get('skorch')}\n"
        f"- load average (1/5/15 min) at start {m['load_average_at_start']}, "
        f"at end {m['load_average_at_end']}\n"
        f"- command: `{results['command']}`\n"
        f"- seeds: every goal uses split random_state={seed} and model seed {seed} "
        "(`torch.manual_seed` for the PyTorch and skorch sides, `random_state` for paradigms); "
        f"sweeps use seed s for both the split and the model, s in {_join(cfg['seeds'])}\n"
        f"- timing: wall clock of the whole fit, median of {cfg['repeats']} alternating "
        "repeats after an untimed warm-up; reference loops run "
        f"{cfg['epochs']} epochs, batch {cfg['batch_size']}, AdamW lr {cfg['lr']}"
    )


def _render_goals(goals: list[dict[str, Any]]) -> str:
    rows = [[g["goal"], g["measured"], g["target"], status(g["passed"])] for g in goals]
    return "### Goals\n\n" + md_table(["goal", "measured", "target", "result"], rows)


def _accuracy_cell(per_repeat: Sequence[float]) -> str:
    """The first repeat's accuracy, flagged when repeats disagree (training not deterministic)."""
    cell = _f(per_repeat[0])
    if max(per_repeat) != min(per_repeat):
        cell += f" (repeats vary: {_f(min(per_repeat))}-{_f(max(per_repeat))})"
    return cell


def _render_digits(digits: dict[str, Any]) -> str:
    rows = []
    for row in digits["methods"].values():
        t = row["fit_time"]
        repeats = _join([f"{s:.2f}" for s in t["repeats_s"]])
        rows.append(
            [
                row["label"],
                _accuracy_cell(row["accuracy_per_repeat"]),
                f"{t['median_s']:.2f}",
                repeats,
                f"{row['time_ratio_vs_plain_loop']:.2f}",
            ]
        )
    title = (
        f"### Digits images: test accuracy and fit time "
        f"({digits['n_train']} train / {digits['n_test']} test, split {digits['seed']})"
    )
    headers = ["method", "test accuracy", "fit s (median)", "fit s (repeats)", "time / plain"]
    return f"{title}\n\n{md_table(headers, rows)}"


def _render_engine(engine: dict[str, Any]) -> str:
    rows = []
    for name, side in engine["sides"].items():
        t = side["fit_time"]
        rows.append(
            [
                name,
                f"{t['median_s']:.2f}",
                _join([f"{s:.2f}" for s in t["repeats_s"]]),
                _f(side["accuracy"]),
                _f(side["final_train_loss"], 5),
            ]
        )
    headers = ["side", "fit s (median)", "fit s (repeats)", "test accuracy", "last train loss"]
    note = (
        f"Overhead (engine median / manual median - 1): **{engine['overhead']:+.1%}**. "
        "Both sides train the same 3-conv network on raw pixels (/16 inside `forward`), "
        "randperm + index_select batches, AdamW (fused kernel on both sides) at a constant lr; "
        "largest weight difference "
        f"after training: {engine['max_weight_difference']:.3g} (0 = the same computation)."
    )
    return "### Engine overhead: `paradigms.engine.fit` vs the same manual loop\n\n" + (
        f"{md_table(headers, rows)}\n\n{note}"
    )


def _render_sweep(sweep: dict[str, Any], keys: Sequence[str]) -> str:
    """One row per seed, then the mean and the minimum over seeds."""
    rows = [[row["seed"], *(_f(row[k]) for k in keys)] for row in sweep["per_seed"]]
    for stat in ("mean", "min"):
        rows.append([f"**{stat}**", *(_f(sweep["summary"][k][stat]) for k in keys)])
    return md_table(["seed", *(COLUMN_NAMES[k] for k in keys)], rows)


def _render_digits_seeds(sweep: dict[str, Any]) -> str:
    title = "### Digits across seeds (supplementary quality): test accuracy"
    note = (
        "Row s: each side on split random_state=s with model seed s; the last column keeps the "
        "goal split and varies only the Classifier's random_state; the last two switch off one "
        "default each (head dropout 0.2, image augmentation), on split s with seed s."
    )
    keys = [
        "plain_loop",
        "svc",
        "paradigms",
        "paradigms_goal_split",
        "paradigms_no_dropout",
        "paradigms_no_augment",
    ]
    return f"{title}\n\n{note}\n\n{_render_sweep(sweep, keys)}"


def _render_tabular(tabular: dict[str, Any]) -> str:
    parts = ["### Tabular, raw features: paradigms Classifier vs scaled LogisticRegression"]
    for name, tab in tabular.items():
        mean = tab["summary"]
        holds = mean["paradigms"]["mean"] >= mean["logreg"]["mean"] - TABULAR_MAX_DEFICIT
        parts.append(
            f"**{name}** ({tab['n_samples']} samples, {tab['n_features']} features), test "
            f"accuracy; goal on the mean over seeds: {status(holds)}\n\n"
            + _render_sweep(tab, ["paradigms", "logreg"])
        )
    return "\n\n".join(parts)


def _render_diabetes(diabetes: dict[str, Any]) -> str:
    mean = diabetes["summary"]
    holds = mean["paradigms"]["mean"] >= mean["ridge_cv"]["mean"] - REGRESSION_MAX_DEFICIT
    text = (
        "### Diabetes regression: paradigms Regressor vs StandardScaler + RidgeCV, test R²\n\n"
        f"Data: {diabetes['dataset']}; goal on the mean over seeds: {status(holds)}\n\n"
        + _render_sweep(diabetes, ["paradigms", "ridge_cv"])
    )
    if "cv5_r2" in diabetes:
        cv = diabetes["cv5_r2"]
        text += (
            "\n\n5-fold CV (KFold, shuffle, random_state=0), mean R²: "
            f"paradigms {_f(cv['paradigms']['mean'])}, RidgeCV {_f(cv['ridge_cv']['mean'])}"
        )
    return text
