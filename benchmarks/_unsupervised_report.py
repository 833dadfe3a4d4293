"""Goals and the markdown report of ``benchmarks/unsupervised.py``.

:func:`evaluate_goals` judges the issue's goals on the measured results (split and model seed
``config.goal_seed``); :func:`render_markdown` turns the results into the ``unsupervised``
section of ``benchmarks/RESULTS.md``. Both read only the JSON-ready results dict, so a saved
``results/unsupervised.json`` can be re-rendered without re-running anything.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from _results import goal, md_table, status

# goal thresholds (from the issue)
MAX_MSE_RATIO_VS_PCA = 0.5
MAX_FIT_SECONDS = 10.0
MAX_TIME_RATIO = 0.5
MIN_MEAN_AUROC = 0.92


def evaluate_goals(results: dict[str, Any]) -> list[dict[str, Any]]:
    """Each goal of the issue: measured value, target, pass or not."""
    recon = results["reconstruction"]
    ae = recon["methods"]["paradigms"]
    fit_s = ae["fit_time"]["median_s"]
    anomaly = results["anomaly"]
    worst = min(anomaly["per_class"], key=lambda row: row["paradigms"] - row["pca"])
    n_classes = len(anomaly["per_class"])
    return [
        goal(
            "reconstruction test MSE, AutoEncoder / PCA",
            f"{ae['mse']:.4f} / {recon['pca']['mse']:.4f} = {ae['mse_ratio_vs_pca']:.3f}",
            f"<= {MAX_MSE_RATIO_VS_PCA}",
            ae["mse_ratio_vs_pca"] <= MAX_MSE_RATIO_VS_PCA,
        ),
        goal(
            "AutoEncoder fit time (median, s)",
            fit_s,
            f"<= {MAX_FIT_SECONDS:g}",
            fit_s <= MAX_FIT_SECONDS,
        ),
        goal(
            "fit time, AutoEncoder / plain loop",
            ae["time_ratio_vs_plain_loop"],
            f"<= {MAX_TIME_RATIO}",
            ae["time_ratio_vs_plain_loop"] <= MAX_TIME_RATIO,
        ),
        goal(
            "anomaly detection, AutoEncoder mean AUROC",
            anomaly["mean"]["paradigms"],
            f">= {MIN_MEAN_AUROC}",
            anomaly["mean"]["paradigms"] >= MIN_MEAN_AUROC,
        ),
        goal(
            "anomaly detection, AutoEncoder AUROC >= PCA AUROC per class",
            f"{anomaly['paradigms_beats_pca']}/{n_classes} classes (smallest margin: digit "
            f"{worst['digit']}, {worst['paradigms']:.4f} vs {worst['pca']:.4f})",
            f"{n_classes}/{n_classes}",
            anomaly["paradigms_beats_pca"] == n_classes,
        ),
    ]


# --------------------------------------------------------------------------- report
def _join(values: Sequence[Any]) -> str:
    return ", ".join(str(v) for v in values)


def _f(value: float, digits: int = 4) -> str:
    return f"{value:.{digits}f}"


def render_markdown(results: dict[str, Any]) -> str:
    """The RESULTS.md section (also printed): context, goals, then one table per benchmark."""
    pca_mse = results["reconstruction"]["pca"]["mse"]
    return "\n\n".join(
        [
            _render_header(results),
            _render_goals(results["goals"]),
            _render_reconstruction(results["reconstruction"], results["config"]),
            _render_anomaly(results["anomaly"]),
            _render_kinds(results["kinds"], results["reconstruction"], pca_mse),
            _render_seeds(results["seeds"], pca_mse),
        ]
    )


def _render_header(results: dict[str, Any]) -> str:
    m, cfg = results["machine"], results["config"]
    quick = (
        "\n\n**QUICK SMOKE RUN** (short training, one repeat): the numbers below are not "
        "meaningful and the goals are expected to fail."
        if cfg["quick"]
        else ""
    )
    return (
        "## Unsupervised: paradigms AutoEncoder vs PCA, plain PyTorch and IsolationForest"
        f"{quick}\n\n"
        f"- date: {results['date']}\n"
        f"- machine: {m['cpu_count']} CPUs ({m['cpu_model']}), torch {m['torch']}, "
        f"torch.get_num_threads() = {m['torch_num_threads']}, device `{cfg['device']}`, "
        f"python {m['python']}, scikit-learn {m['packages'].get('scikit-learn')}\n"
        f"- load average (1/5/15 min) at start {m['load_average_at_start']}, "
        f"at end {m['load_average_at_end']}\n"
        f"- command: `{results['command']}`\n"
        "- data: sklearn digits as vectors (n, 64) scaled to [0, 1] (pixels / 16), 75/25 "
        f"stratified split random_state={cfg['goal_seed']}; latent size {cfg['latent_dim']} "
        "for every side\n"
        f"- seeds: every goal uses model seed {cfg['goal_seed']} (`torch.manual_seed` for the "
        "plain loop, `random_state` for paradigms and IsolationForest)\n"
        f"- timing: wall clock of the whole fit, median of {cfg['repeats']} alternating "
        f"repeats after an untimed warm-up; the plain loop runs {cfg['plain_epochs']} epochs, "
        f"batch {cfg['batch_size']}, AdamW lr {cfg['lr']} with OneCycleLR per step"
    )


def _render_goals(goals: list[dict[str, Any]]) -> str:
    rows = [[g["goal"], g["measured"], g["target"], status(g["passed"])] for g in goals]
    return "### Goals\n\n" + md_table(["goal", "measured", "target", "result"], rows)


def _mse_cell(per_repeat: Sequence[float]) -> str:
    """The first repeat's MSE, flagged when repeats disagree (training not deterministic)."""
    cell = _f(per_repeat[0], 5)
    if max(per_repeat) != min(per_repeat):
        cell += f" (repeats vary: {_f(min(per_repeat), 5)}-{_f(max(per_repeat), 5)})"
    return cell


def _render_reconstruction(recon: dict[str, Any], cfg: dict[str, Any]) -> str:
    pca = recon["pca"]
    rows = [[pca["label"], _f(pca["mse"], 5), "1.00", f"{pca['fit_s']:.3f}", "", ""]]
    for row in recon["methods"].values():
        t = row["fit_time"]
        rows.append(
            [
                row["label"],
                _mse_cell(row["mse_per_repeat"]),
                f"{row['mse_ratio_vs_pca']:.2f}",
                f"{t['median_s']:.2f}",
                _join([f"{s:.2f}" for s in t["repeats_s"]]),
                f"{row['time_ratio_vs_plain_loop']:.2f}",
            ]
        )
    title = (
        f"### Reconstruction: test MSE and fit time "
        f"({recon['n_train']} train / {recon['n_test']} test, split {recon['seed']})"
    )
    headers = [
        "method",
        "test MSE",
        "MSE / PCA",
        "fit s (median)",
        "fit s (repeats)",
        "time / plain",
    ]
    note = (
        "Test MSE: mean over every test value of (reconstruction - x)²; the AutoEncoder "
        "reconstructs with `inverse_transform(transform(X))`."
    )
    return f"{title}\n\n{md_table(headers, rows)}\n\n{note}"


def _render_anomaly(anomaly: dict[str, Any]) -> str:
    keys = ("pca", "isolation_forest", "paradigms")
    rows = [
        [
            row["digit"],
            row["n_train"],
            f"{row['n_normal']} / {row['n_anomalous']}",
            *(_f(row[key]) for key in keys),
            "yes" if row["paradigms"] >= row["pca"] else "**no**",
            f"{row['paradigms_fit_s']:.2f}",
        ]
        for row in anomaly["per_class"]
    ]
    n_classes = len(anomaly["per_class"])
    rows.append(
        [
            "**mean**",
            "",
            "",
            *(f"**{_f(anomaly['mean'][key])}**" for key in keys),
            f"{anomaly['paradigms_beats_pca']}/{n_classes}",
            "",
        ]
    )
    headers = [
        "held-out digit",
        "train n",
        "normal / anomalous n",
        "PCA AUROC",
        "IsolationForest AUROC",
        "AutoEncoder AUROC",
        "AE >= PCA",
        "AE fit s",
    ]
    note = (
        "Digit c is the anomaly: every detector trains on the training split without c and "
        "scores the test split without c (normal) plus every sample of c in the dataset "
        "(anomalous). Scores: PCA reconstruction MSE, `-IsolationForest.score_samples`, "
        "`AutoEncoder.reconstruction_error`."
    )
    return f"### Anomaly detection: one digit held out at a time\n\n{note}\n\n" + md_table(
        headers, rows
    )


def _render_kinds(kinds: dict[str, Any], recon: dict[str, Any], pca_mse: float) -> str:
    plain = recon["methods"]["paradigms"]
    rows = [
        [
            "plain (goal run)",
            _f(plain["mse"], 5),
            f"{plain['mse_ratio_vs_pca']:.2f}",
            f"{plain['fit_time']['median_s']:.2f}",
        ]
    ]
    for kind, row in kinds.items():
        rows.append([kind, _f(row["mse"], 5), f"{row['mse'] / pca_mse:.2f}", f"{row['fit_s']:.2f}"])
    headers = ["variant", "test MSE", "MSE / PCA", "fit s"]
    title = "### AutoEncoder variants (supplementary): reconstruction, same split and seed"
    note = (
        "Defaults otherwise (plain, batch 16, 30 epochs); each variant is fitted and timed once "
        "(the goal row: the median)."
    )
    return f"{title}\n\n{note}\n\n{md_table(headers, rows)}"


def _render_seeds(seeds: dict[str, Any], pca_mse: float) -> str:
    rows = [
        [row["seed"], _f(row["mse"], 5), f"{row['mse'] / pca_mse:.2f}", f"{row['fit_s']:.2f}"]
        for row in seeds["per_seed"]
    ]
    for stat in ("mean", "min", "max"):
        value = seeds["summary"][stat]
        rows.append([f"**{stat}**", _f(value, 5), f"{value / pca_mse:.2f}", ""])
    title = "### AutoEncoder across seeds (supplementary): reconstruction on the goal split"
    note = "Row s: the default plain AutoEncoder with `random_state=s`; split fixed."
    return f"{title}\n\n{note}\n\n" + md_table(
        ["random_state", "test MSE", "MSE / PCA", "fit s"], rows
    )
