"""Few-label benchmark: the semi-supervised Classifier, reused autoencoder encoders and anomaly
scores against scikit-learn's LabelSpreading, SVC, LogisticRegression, scratch, a plain
FixMatch loop and a nearest-neighbour distance.

Run from the repository root, on a quiet machine (about 25 minutes on 2 CPUs):

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
2. Digits 5-9 only, K = 5.
3. Time, K = 5, draw 0: the semi-supervised Classifier and the plain FixMatch loop
   (``_fixmatch_reference.py``, 1,500 steps), one after the other, and LabelSpreading's fit.
4. Pretraining that transfers, K = 5: each AutoEncoder kind fitted on every training image
   (no labels), its ``encoder_`` given to a default Classifier trained on the labels alone,
   fine-tuned and frozen, against the same Classifier from scratch.
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

import numpy as np
import torch
from _fixmatch_reference import fixmatch_reference
from _results import command_line, goal, md_table, parse_options, publish
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
    "plain, latent 8 (default)": {},
    "plain, latent 32": {"latent_dim": 32},
    "denoising, latent 32": {"kind": "denoising", "latent_dim": 32},
    "variational, latent 16": {"kind": "variational", "latent_dim": 16},
}


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
    clf = Classifier(random_state=0, **params).fit(X_tr, masked)
    semi_s = time.perf_counter() - started
    started = time.perf_counter()
    ref = fixmatch_reference(
        X_tr[labelled], y_tr[labelled], X_tr[rest], 10, seed=0, steps=30 if quick else 1500
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


def bench_pretraining(X_tr, y_tr, X_te, y_te, draws: int, quick: bool) -> list[dict[str, Any]]:
    extra = {"max_epochs": 2} if quick else {}
    rows = []
    scratch = []
    for draw in range(draws):
        labelled, _ = draw_labels_per_class(y_tr, 5, draw)
        clf = Classifier(random_state=draw).fit(X_tr[labelled], y_tr[labelled])
        scratch.append(clf.score(X_te, y_te))
    rows.append({"encoder": "none (scratch)", "fine_tuned": float(np.mean(scratch))})
    for name, kwargs in AE_KINDS.items():
        started = time.perf_counter()
        encoder = AutoEncoder(random_state=0, **kwargs, **extra).fit(X_tr).encoder_
        seconds = time.perf_counter() - started
        scores: dict[str, list[float]] = {"fine_tuned": [], "frozen": []}
        for draw in range(draws):
            labelled, _ = draw_labels_per_class(y_tr, 5, draw)
            for mode, frozen in (("fine_tuned", False), ("frozen", True)):
                clf = Classifier(backbone=encoder, freeze_backbone=frozen, random_state=draw)
                clf.fit(X_tr[labelled], y_tr[labelled])
                scores[mode].append(clf.score(X_te, y_te))
        rows.append(
            {
                "encoder": name,
                "pretrain_s": seconds,
                **{k: float(np.mean(v)) for k, v in scores.items()},
            }
        )
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
        row: dict[str, Any] = {"digit": digit}
        for method in ANOMALY_SCORES:
            scorer = AnomalyScorer(method).fit(codes_tr, errors_tr)
            row[method] = float(roc_auc_score(labels, scorer.score(codes, errors)))
        flat_tr, flat = train.reshape(len(train), -1), evaluate.reshape(len(evaluate), -1)
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
    results["time"] = bench_time(X_tr, y_tr, X_te, y_te, quick)
    results["pretraining"] = bench_pretraining(X_tr, y_tr, X_te, y_te, draws, quick)
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
    scratch = results["pretraining"][0]["fine_tuned"]
    default = results["pretraining"][1]["fine_tuned"]
    out.append(
        goal(
            "default AutoEncoder encoder -> default Classifier, K=5, minus scratch",
            default - scratch,
            ">= +0.05",
            default - scratch >= 0.05,
        )
    )
    anomaly = results["anomaly"]
    mean_auroc = float(np.mean([r["reconstruction+knn"] for r in anomaly]))
    wins = sum(r["reconstruction+knn"] >= r["pixel_nearest_neighbour"] for r in anomaly)
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
    timing = results["time"]
    semi = timing["semi_supervised"]["seconds"]
    lines += ["### Time, K=5, draw 0 (run one after the other in this process)", ""]
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
    lines += [
        md_table(
            ["encoder", "pretrain s", "Classifier fine-tuned", "Classifier frozen (linear probe)"],
            [
                [
                    r["encoder"],
                    f"{r.get('pretrain_s', 0):.1f}" if "pretrain_s" in r else "",
                    f"{r['fine_tuned']:.4f}",
                    f"{r['frozen']:.4f}" if "frozen" in r else "",
                ]
                for r in results["pretraining"]
            ],
        ),
        "",
    ]
    lines += ["### Anomaly detection, one digit held out: AUROC", ""]
    anomaly = results["anomaly"]
    cols = [*ANOMALY_SCORES, "pixel_nearest_neighbour"]
    body = [[r["digit"], *[f"{r[c]:.4f}" for c in cols]] for r in anomaly]
    body.append(["**mean**", *[f"{np.mean([r[c] for r in anomaly]):.4f}" for c in cols]])
    lines += [md_table(["held-out digit", *cols], body), ""]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_options(__doc__.split("\n\n")[0], argv, repeats=False)
    results = run(args.quick, command_line())
    return publish(
        results, render_markdown(results), name=SECTION, quick=args.quick, no_write=args.no_write
    )


if __name__ == "__main__":
    sys.exit(main())
