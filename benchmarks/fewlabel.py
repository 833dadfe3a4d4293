"""Few-label benchmark: the semi-supervised Classifier, reused autoencoder encoders and anomaly
scores against scikit-learn's LabelSpreading, SVC, LogisticRegression, scratch, a plain
FixMatch loop and a nearest-neighbour distance.

Run from the repository root, on a quiet machine (about 40 minutes on 2 CPUs):

    .venv/bin/python benchmarks/fewlabel.py            # full run: writes the results
    .venv/bin/python benchmarks/fewlabel.py --quick    # smoke test: tiny budgets, 1 draw

The full run writes ``benchmarks/results/fewlabel.json`` and the ``fewlabel`` section of
``benchmarks/RESULTS.md``; ``--quick`` writes only the git-ignored ``benchmarks/out/``.

Protocol (the issue's): digits as ``(n, 1, 8, 8)`` images, stratified 75/25 split
``random_state=0``; draw ``d`` (d = 0, 1, 2) keeps K random labels per class of the training
part (``paradigms.data.draw_labels_per_class`` with seed d) and hides the rest; every method
sees the same labels and is scored on the same test part. Semi-supervised methods
(the Classifier with ``y == -1`` rows, LabelSpreading) also see the hidden rows' images.

1. Label efficiency, all ten digits, K = 1, 2, 5, 10, all: ``paradigms.supervised.
   label_efficiency`` with its defaults (Classifier defaults on both sides).
2. Digits 5-9 only, K = 5. Then, on all ten digits at K = 5, the unlabelled rows per
   labelled row (``unlabelled_ratio``) of ``UNLABELLED_RATIOS`` against the default.
3. Time, K = 5, draw 0: the semi-supervised Classifier and the plain FixMatch loop
   (``_fixmatch_reference.py``, 1,500 steps), one after the other, and LabelSpreading's fit.
4. Pretraining that transfers, K = 5: each AutoEncoder kind fitted on every training image
   (no labels, ``random_state=0``), its ``encoder_`` given to a Classifier trained on the
   labels alone: with its defaults (which follow the encoder's ``fine_tune_lr_scale``), with
   the backbone at 1 and 0.01 times the head's learning rate, frozen; and a
   LogisticRegression on the codes; against the default Classifier from scratch.
   Then the backbone learning rate swept for the default encoder and for a Classifier
   backbone trained on digits 0-4 reused for 5-9.
5. Anomaly detection, one digit held out at a time (as ``benchmarks/unsupervised.py``, on
   images): a default AutoEncoder on the training part without that digit; every
   ``anomaly_score`` against the Euclidean distance to the nearest training image (raw pixels).
"""

from __future__ import annotations

import sys
import time
from collections.abc import Sequence
from datetime import datetime, timezone
from typing import Any

import _fixmatch_reference as reference
import numpy as np
import torch
from _results import goal, md_table, run_untimed_benchmark
from _timing import load_average, machine_info
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import train_test_split
from sklearn.neighbors import NearestNeighbors

from paradigms.data import draw_labels_per_class, load_digits
from paradigms.supervised import Classifier, label_efficiency, make_baseline
from paradigms.unsupervised import AutoEncoder
from paradigms.unsupervised.anomaly import ANOMALY_SCORES, AnomalyScorer

SECTION = "fewlabel"
AE_KINDS = {
    "contrastive, latent 32 (default)": {},
    "plain, latent 8": {"kind": "plain", "latent_dim": 8},
    "plain, latent 32": {"kind": "plain"},
    "denoising, latent 32": {"kind": "denoising"},
    "masked, latent 32": {"kind": "masked"},
    "variational, latent 16": {"kind": "variational", "latent_dim": 16},
}
#: backbone learning rates (relative to the head's) of the fine-tuning table; None = frozen
LR_SCALES = (1.0, 0.1, 0.03, 0.01, None)
#: unlabelled rows per labelled row of the recipe table (besides the default; 7 is FixMatch's)
UNLABELLED_RATIOS = (2, 7)
#: the anomaly table's column of the default score with Euclidean code distances
EUCLIDEAN_COLUMN = f"{ANOMALY_SCORES[0]}, Euclidean codes"


def _split(X: np.ndarray, y: np.ndarray) -> list[np.ndarray]:
    return train_test_split(X, y, test_size=0.25, stratify=y, random_state=0)


def curve_rows(result: Any) -> list[dict[str, Any]]:
    return [{k: v for k, v in row.items() if k != "accuracies"} for row in result.summary()]


def bench_time(X_tr, y_tr, X_te, y_te, quick: bool) -> dict[str, Any]:
    labelled, rest = draw_labels_per_class(y_tr, 5, 0)
    masked = np.full(len(y_tr), -1)
    masked[labelled] = y_tr[labelled]
    params = {"semi_supervised_steps": 30} if quick else {}
    started = time.perf_counter()
    clf = Classifier(unlabelled_label=-1, random_state=0, **params).fit(X_tr, masked)
    semi_s = time.perf_counter() - started
    started = time.perf_counter()
    ref = reference.fixmatch_reference(
        X_tr[labelled],
        y_tr[labelled],
        X_tr[rest],
        10,
        seed=0,
        steps=30 if quick else reference.STEPS,
    )
    ref_s = time.perf_counter() - started
    with torch.no_grad():
        ref_acc = float((ref(torch.from_numpy(X_te)).argmax(1).numpy() == y_te).mean())
    started = time.perf_counter()
    spreading = make_baseline("label_spreading_knn")
    spreading.fit(X_tr.reshape(len(X_tr), -1), masked)
    ls_s = time.perf_counter() - started
    ls_acc = float((spreading.predict(X_te.reshape(len(X_te), -1)) == y_te).mean())
    return {
        "semi_supervised": {"seconds": semi_s, "accuracy": float(clf.score(X_te, y_te))},
        "plain_fixmatch_loop": {"seconds": ref_s, "accuracy": ref_acc},
        "label_spreading_knn": {"seconds": ls_s, "accuracy": ls_acc},
    }


def bench_recipe(
    X_tr, y_tr, X_te, y_te, draws: int, ten: Any, params: dict[str, Any] | None
) -> dict[str, Any]:
    """K=5, all digits: the semi-supervised Classifier's unlabelled rows per labelled row, each
    ratio of :data:`UNLABELLED_RATIOS` against the default (whose row comes from ``ten``), with
    ``params`` (the curve's Classifier parameters) otherwise."""
    defaults = Classifier(**(params or {}))
    default = defaults.unlabelled_ratio
    rows = [
        {"unlabelled_ratio": default, **r}
        for r in curve_rows(ten)
        if r["method"] == "semi_supervised" and r["labels_per_class"] == 5
    ]
    for ratio in (r for r in UNLABELLED_RATIOS if r != default):
        curve = label_efficiency(
            X_tr,
            y_tr,
            X_te,
            y_te,
            (5,),
            methods=("semi_supervised",),
            draws=draws,
            classifier_params={**(params or {}), "unlabelled_ratio": ratio},
            progress=True,
        )
        rows += [{"unlabelled_ratio": ratio, **r} for r in curve_rows(curve)]
    return {
        "default_ratio": default,
        "labelled_batch": defaults.batch_size,
        "steps": defaults.semi_supervised_steps,
        "rows": sorted(rows, key=lambda r: r["unlabelled_ratio"]),
    }


def _reuse_scores(backbone: Any, X_tr, y_tr, X_te, y_te, draws: int, **params: Any) -> float:
    """Mean test accuracy of ``Classifier(backbone=backbone, **params)`` over the K=5 draws."""
    scores = []
    for draw in range(draws):
        labelled, _ = draw_labels_per_class(y_tr, 5, draw)
        clf = Classifier(backbone=backbone, random_state=draw, **params)
        scores.append(clf.fit(X_tr[labelled], y_tr[labelled]).score(X_te, y_te))
    return float(np.mean(scores))


def bench_pretraining(
    X_tr, y_tr, X_te, y_te, draws: int, quick: bool
) -> tuple[list[dict[str, Any]], Any]:
    """Each AutoEncoder kind's encoder reused at K=5; returns the rows and the default
    kind's encoder."""
    extra = {"max_epochs": 2} if quick else {}
    scratch = _reuse_scores("auto", X_tr, y_tr, X_te, y_te, draws)
    rows: list[dict[str, Any]] = [{"encoder": "none (scratch)", "default_classifier": scratch}]
    default = None
    for name, kwargs in AE_KINDS.items():
        started = time.perf_counter()
        ae = AutoEncoder(random_state=0, **kwargs, **extra).fit(X_tr)
        seconds = time.perf_counter() - started
        default = ae.encoder_ if default is None else default
        row: dict[str, Any] = {"encoder": name, "pretrain_s": seconds}
        row["default_classifier"] = _reuse_scores(ae.encoder_, X_tr, y_tr, X_te, y_te, draws)
        for label, params in (
            ("lr_scale_1", {"backbone_lr_scale": 1.0}),
            ("lr_scale_0.01", {"backbone_lr_scale": 0.01}),
            ("frozen", {"freeze_backbone": True}),
        ):
            row[label] = _reuse_scores(ae.encoder_, X_tr, y_tr, X_te, y_te, draws, **params)
        codes_tr, codes_te = ae.transform(X_tr), ae.transform(X_te)
        row["logistic_on_codes"] = float(
            np.mean(
                [
                    make_baseline("logistic_regression")
                    .fit(codes_tr[few], y_tr[few])
                    .score(codes_te, y_te)
                    for few in (draw_labels_per_class(y_tr, 5, d)[0] for d in range(draws))
                ]
            )
        )
        rows.append(row)
    return rows, default


def bench_fine_tuning_rate(
    X, y, encoder: Any, X_tr, y_tr, X_te, y_te, draws: int, quick: bool
) -> list[dict[str, Any]]:
    """The backbone's learning rate when a Classifier fine-tunes a reused backbone at K=5:
    the default AutoEncoder's encoder (all ten digits), and a Classifier backbone trained on
    digits 0-4 reused for digits 5-9 (the tour's backbone-reuse step, scored on the 5-9
    images not drawn)."""
    source = y < 5
    donor = Classifier(max_epochs=2 if quick else 30, random_state=0).fit(X[source], y[source])
    target = np.flatnonzero(~source)

    def digits_5_9(**params: Any) -> float:
        scores = []
        for draw in range(draws):
            few, rest = draw_labels_per_class(y, 5, draw, pool=target)
            clf = Classifier(backbone=donor.backbone_, random_state=0, **params)
            scores.append(clf.fit(X[few], y[few]).score(X[rest], y[rest]))
        return float(np.mean(scores))

    sides = {
        "default AutoEncoder encoder -> all ten digits": lambda **params: _reuse_scores(
            encoder, X_tr, y_tr, X_te, y_te, draws, **params
        ),
        "Classifier backbone, digits 0-4 -> 5-9": digits_5_9,
    }
    rows = []
    for name, score in sides.items():
        row: dict[str, Any] = {"backbone": name}
        for scale in LR_SCALES:
            params = {"freeze_backbone": True} if scale is None else {"backbone_lr_scale": scale}
            row[str(scale)] = score(**params)
        rows.append(row)
    return rows


def bench_anomaly(X, y, digits: Sequence[int], quick: bool) -> list[dict[str, Any]]:
    X_tr, X_te, y_tr, y_te = _split(X, y)
    extra = {"max_epochs": 2} if quick else {}
    rows = []
    for digit in digits:
        train = X_tr[y_tr != digit]
        evaluate = np.concatenate([X_te[y_te != digit], X[y == digit]])
        labels = np.r_[np.zeros((y_te != digit).sum()), np.ones((y == digit).sum())]
        ae = AutoEncoder(random_state=0, **extra).fit(train)
        codes_tr, codes = ae.transform(train), ae.transform(evaluate)
        errors_tr, errors = ae.reconstruction_error(train), ae.reconstruction_error(evaluate)
        flat_tr, flat = train.reshape(len(train), -1), evaluate.reshape(len(evaluate), -1)
        row: dict[str, Any] = {"digit": digit}
        metric = ae.anomaly_scorer_.code_metric  # the AutoEncoder's own, for its kind
        for method in ANOMALY_SCORES:
            if method == ae.anomaly_score:  # the default: the AutoEncoder's own score
                row[method] = float(roc_auc_score(labels, ae.anomaly_scores(evaluate)))
                continue
            scorer = AnomalyScorer(method, code_metric=metric).fit(codes_tr, errors_tr, flat_tr)
            row[method] = float(roc_auc_score(labels, scorer.score(codes, errors, flat)))
        if metric != "euclidean":  # what the default score was with Euclidean code distances
            weight = ae.anomaly_scorer_.code_weight  # the default's, with Euclidean codes
            scorer = AnomalyScorer(ANOMALY_SCORES[0], code_weight=weight)
            scorer.fit(codes_tr, errors_tr, flat_tr)
            row[EUCLIDEAN_COLUMN] = float(roc_auc_score(labels, scorer.score(codes, errors, flat)))
        nearest = NearestNeighbors(n_neighbors=1).fit(flat_tr).kneighbors(flat)[0][:, 0]
        row["pixel_nearest_neighbour"] = float(roc_auc_score(labels, nearest))
        rows.append(row)
    return rows


def run(quick: bool, command: str) -> dict[str, Any]:
    X, y = load_digits(images=True)
    X_tr, X_te, y_tr, y_te = _split(X, y)
    draws = 1 if quick else 3
    params = {"semi_supervised_steps": 30} if quick else None
    budgets: tuple[int | str, ...] = (1, 5) if quick else (1, 2, 5, 10, "all")
    results: dict[str, Any] = {
        "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "command": command,
        "machine": machine_info(("scikit-learn", "timm")),
        "draws": draws,
    }
    ten = label_efficiency(
        X_tr, y_tr, X_te, y_te, budgets, draws=draws, classifier_params=params, progress=True
    )
    results["all_digits"] = curve_rows(ten)
    upper = y >= 5
    a_tr, a_te, b_tr, b_te = _split(X[upper], y[upper] - 5)
    five = label_efficiency(
        a_tr,
        b_tr,
        a_te,
        b_te,
        (5,),
        methods=("semi_supervised", "label_spreading_knn", "label_spreading_rbf", "svc"),
        draws=draws,
        classifier_params=params,
        progress=True,
    )
    results["digits_5_9"] = curve_rows(five)
    results["recipe"] = bench_recipe(X_tr, y_tr, X_te, y_te, draws, ten, params)
    results["time"] = bench_time(X_tr, y_tr, X_te, y_te, quick)
    results["pretraining"], encoder = bench_pretraining(X_tr, y_tr, X_te, y_te, draws, quick)
    results["fine_tuning_rate"] = bench_fine_tuning_rate(
        X, y, encoder, X_tr, y_tr, X_te, y_te, draws, quick
    )
    results["anomaly"] = bench_anomaly(X, y, (0, 1) if quick else range(10), quick)
    results["machine"]["load_average_at_end"] = load_average()
    results["goals"] = goals(results, ten, five)
    return results


def goals(results: dict[str, Any], ten: Any, five: Any) -> list[dict[str, Any]]:
    out = []
    for budget, target in ((5, 0.975), (1, 0.80), (10, 0.98)):
        try:
            value = ten.mean_accuracy("semi_supervised", budget)
        except KeyError:
            continue
        out.append(
            goal(f"semi-supervised, all digits, K={budget}", value, f">= {target}", value >= target)
        )
    value = five.mean_accuracy("semi_supervised", 5)
    out.append(goal("semi-supervised, digits 5-9, K=5", value, ">= 0.98", value >= 0.98))
    scratch = results["pretraining"][0]["default_classifier"]
    default = results["pretraining"][1]["default_classifier"]
    out.append(
        goal(
            "default AutoEncoder encoder -> default Classifier, K=5, minus scratch",
            default - scratch,
            ">= +0.05",
            default - scratch >= 0.05,
        )
    )
    anomaly = results["anomaly"]
    default = AutoEncoder().anomaly_score
    mean_auroc = float(np.mean([r[default] for r in anomaly]))
    wins = sum(r[default] >= r["pixel_nearest_neighbour"] for r in anomaly)
    out.append(
        goal("anomaly mean AUROC (default score)", mean_auroc, ">= 0.99", mean_auroc >= 0.99)
    )
    out.append(
        goal(
            "digits where the default score >= pixel nearest neighbour",
            f"{wins}/{len(anomaly)}",
            ">= 8/10",
            wins >= 8,
        )
    )
    timing = results["time"]
    semi_s = timing["semi_supervised"]["seconds"]
    out.append(goal("K=5 semi-supervised fit seconds", semi_s, "<= 60", semi_s <= 60))
    ratio = semi_s / timing["plain_fixmatch_loop"]["seconds"]
    out.append(goal("fit time / plain FixMatch loop's", ratio, "<= 0.34", ratio <= 0.34))
    return out


def _f(value: Any) -> str:
    return f"{value:.4f}" if isinstance(value, float) else str(value)


def render_markdown(results: dict[str, Any]) -> str:
    m = results["machine"]
    lines = [
        "## Few labels: semi-supervised Classifier, reused encoders, anomaly scores",
        "",
        f"- date: {results['date']}",
        f"- machine: {m['cpu_count']} CPUs ({m['cpu_model']}), torch {m['torch']}, "
        f"torch threads {m['torch_num_threads']}, python {m['python']}, "
        f"scikit-learn {m['packages'].get('scikit-learn')}",
        f"- load average at start {m['load_average_at_start']}, at end {m['load_average_at_end']}",
        f"- command: `{results['command']}`",
        f"- protocol: digits images, stratified 75/25 split random_state=0; {results['draws']} "
        "label draws (seeds 0..draws-1, `draw_labels_per_class`), means over draws; "
        "Classifier random_state = the draw's seed",
        "",
        "### Goals",
        "",
        md_table(
            ["goal", "measured", "target", "result"],
            [
                [g["goal"], _f(g["measured"]), g["target"], "PASS" if g["passed"] else "FAIL"]
                for g in results["goals"]
            ],
        ),
        "",
        "### All ten digits: test accuracy against labels per class (mean ± std over draws)",
        "",
    ]
    rows = results["all_digits"]
    budgets = list(dict.fromkeys(r["labels_per_class"] for r in rows))
    methods = list(dict.fromkeys(r["method"] for r in rows))
    table = []
    for method in methods:
        cells = [method]
        for budget in budgets:
            hit = [r for r in rows if r["method"] == method and r["labels_per_class"] == budget]
            cells.append(
                f"{hit[0]['mean_accuracy']:.4f} ± {hit[0]['std_accuracy']:.4f}" if hit else ""
            )
        fit = [r["mean_fit_seconds"] for r in rows if r["method"] == method]
        cells.append(f"{np.mean(fit):.2f}")
        table.append(cells)
    lines += [md_table(["method", *[f"K={b}" for b in budgets], "mean fit s"], table), ""]
    lines += ["### Digits 5-9, K=5", ""]
    lines += [
        md_table(
            ["method", "accuracy (mean ± std)", "mean fit s"],
            [
                [
                    r["method"],
                    f"{r['mean_accuracy']:.4f} ± {r['std_accuracy']:.4f}",
                    f"{r['mean_fit_seconds']:.2f}",
                ]
                for r in results["digits_5_9"]
            ],
        ),
        "",
    ]
    recipe = results.get("recipe")  # runs before the table have none
    lines += (
        []
        if recipe is None
        else [
            "### Unlabelled rows per labelled row, all digits, K=5 "
            f"({recipe['labelled_batch']} labelled rows per step, {recipe['steps']:,} steps)",
            "",
            md_table(
                ["unlabelled_ratio", "accuracy (mean ± std)", "mean fit s"],
                [
                    [
                        f"{r['unlabelled_ratio']}"
                        + (
                            " (default)" if r["unlabelled_ratio"] == recipe["default_ratio"] else ""
                        ),
                        f"{r['mean_accuracy']:.4f} ± {r['std_accuracy']:.4f}",
                        f"{r['mean_fit_seconds']:.2f}",
                    ]
                    for r in recipe["rows"]
                ],
            ),
            "",
        ]
    )
    timing = results["time"]
    semi = timing["semi_supervised"]["seconds"]
    lines += [
        "### Time, K=5, draw 0 (run one after the other in this process)",
        "",
        f"The plain loop follows the issue's description: {reference.STEPS:,} steps of "
        f"{reference.LABELLED_BATCH} labelled + "
        f"{reference.UNLABELLED_RATIO * reference.LABELLED_BATCH} unlabelled images, threshold "
        f"{reference.THRESHOLD}; the Classifier runs its defaults"
        + (
            ""
            if recipe is None
            else f" ({recipe['steps']:,} steps of {recipe['labelled_batch']} labelled + "
            f"{recipe['default_ratio'] * recipe['labelled_batch']} unlabelled rows)"
        )
        + ".",
        "",
    ]
    lines += [
        md_table(
            ["side", "accuracy", "fit s", "semi-supervised Classifier's time / this"],
            [
                [name, f"{v['accuracy']:.4f}", f"{v['seconds']:.2f}", f"{semi / v['seconds']:.3g}"]
                for name, v in timing.items()
            ],
        ),
        "",
    ]
    lines += [
        "### Pretraining that transfers, K=5 (AutoEncoder on every training image, no labels)",
        "",
    ]
    columns = {
        "default_classifier": "default Classifier (follows the encoder's advice)",
        "lr_scale_1": "backbone_lr_scale=1",
        "lr_scale_0.01": "backbone_lr_scale=0.01",
        "frozen": "frozen (linear probe)",
        "logistic_on_codes": "LogisticRegression on the codes",
    }
    lines += [
        md_table(
            ["encoder", "pretrain s", *columns.values()],
            [
                [
                    r["encoder"],
                    f"{r['pretrain_s']:.1f}" if "pretrain_s" in r else "",
                    *[f"{r[c]:.4f}" if c in r else "" for c in columns],
                ]
                for r in results["pretraining"]
            ],
        ),
        "",
        "### Fine-tuning a reused backbone, K=5: the backbone's learning rate / the head's",
        "",
        "Classifier defaults otherwise (one-cycle AdamW, head lr 3e-3); digits 0-4 -> 5-9 is "
        "scored on the 5-9 images not drawn, as in the tour.",
        "",
        md_table(
            ["backbone", *[("frozen" if s is None else f"x{s:g}") for s in LR_SCALES]],
            [
                [r["backbone"], *[f"{r[str(s)]:.4f}" for s in LR_SCALES]]
                for r in results["fine_tuning_rate"]
            ],
        ),
        "",
    ]
    lines += ["### Anomaly detection, one digit held out: AUROC", ""]
    anomaly = results["anomaly"]
    cols = [*ANOMALY_SCORES, EUCLIDEAN_COLUMN, "pixel_nearest_neighbour"]
    cols = [c for c in cols if all(c in r for r in anomaly)]
    body = [[r["digit"], *[f"{r[c]:.4f}" for c in cols]] for r in anomaly]
    body.append(["**mean**", *[f"{np.mean([r[c] for r in anomaly]):.4f}" for c in cols]])
    lines += [md_table(["held-out digit", *cols], body), ""]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    return run_untimed_benchmark(__doc__, run, render_markdown, name=SECTION, argv=argv)


if __name__ == "__main__":
    sys.exit(main())
