"""Transfer benchmark: ``paradigms.transfer.FineTuner`` next to a plain PyTorch + timm loop on the
issue's protocol, measuring quality (test accuracy) and speed (wall-clock fit time) side by side.

Run from the repository root, on a quiet machine (nothing else running; about 10 minutes on 2
CPUs):

    .venv/bin/python benchmarks/transfer.py           # full run: writes the results
    .venv/bin/python benchmarks/transfer.py --quick   # smoke test: 2 source epochs, 10 steps

The full run writes ``benchmarks/results/transfer.json`` and the ``transfer`` section of
``benchmarks/RESULTS.md``. ``--quick`` never touches either (its JSON goes to the git-ignored
``benchmarks/out/``); ``--no-write`` only prints. ``--threads N`` sets torch's thread count once
at start. Nothing is downloaded: the script sets ``HF_HUB_OFFLINE=1`` before timm is imported.

Protocol (the issue's anchor, measured with a plain loop: 0.911 fine-tune vs 0.688 from scratch
at 5 labels per class, linear probe 0.817; 0.948 vs 0.868 at 10):

1. Source: timm ``resnet10t`` (random init, 5 classes) trained by a plain loop on digits 0-4
   (images /16, bilinear to 32x32, 3 channels, ImageNet mean/std; AdamW 1e-3, batch 64, 15
   epochs, cosine schedule per step); its ``state_dict`` saved with safetensors.
2. Target: digits 5-9, K labelled images per class (K = 5, 10) drawn with
   ``np.random.default_rng(seed)`` for seeds 0, 1, 2; the test set is every other 5-9 image.
   Plain loops (new 5-class head, AdamW 1e-3, batch 16, cosine, the same number of optimizer
   steps as the FineTuner: its ``max_epochs="auto"`` rule): fine-tune, linear probe (frozen
   backbone in eval mode), from scratch. paradigms: ``FineTuner`` defaults with the SAME source
   file and strategy fine_tune / linear_probe / gradual_unfreeze, and ``weights=None``.
3. Supplementary: paradigms' own source training (``FineTuner(weights=None, max_epochs=15,
   batch_size=64)`` on digits 0-4) and the fine-tune row repeated from that file; the three
   plain target loops again with 15 target epochs (a shorter budget).
4. Offline: ``FineTuner(weights="hub")`` with ``HF_HUB_OFFLINE=1`` and an empty ``HF_HOME``, in
   a fresh process.

Goals (printed as PASS/FAIL): gain fine-tune - scratch >= +0.22 and fine-tune accuracy >= 0.93
(means over seeds, K = 5); fine-tune fit time / plain loop's <= 1.0 (same optimizer steps);
the offline failure is a ValueError within 2 s.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import math
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
import torch
from _results import command_line, parse_options, publish
from _timing import load_average, machine_info, time_alternating, time_call
from _transfer_report import ANCHOR, evaluate_goals, render_markdown
from safetensors.torch import load_file, save_file
from supervised import digits_images
from torch import nn
from torch.nn import functional

from paradigms.transfer import FineTuner

BENCH_DIR = Path(__file__).resolve().parent
REPO_ROOT = BENCH_DIR.parent
SECTION = "transfer"

PIXEL_MAX = 16.0  # digits pixels are counts 0..16
AUTO_STEPS = 300  # FineTuner's documented max_epochs="auto": about 300 steps, 10..200 epochs
EVAL_CHUNK = 512


# --------------------------------------------------------------------------- configuration
@dataclass(frozen=True)
class Config:
    """What one run does.

    Attributes:
        quick: smoke-test mode (short training, one seed, no RESULTS.md).
        source_epochs: epochs of both source trainings (plain loop and paradigms).
        target_epochs: epochs of every target fit; ``None`` keeps FineTuner's ``"auto"`` and
            gives the plain loops the same number of epochs (so the same optimizer steps).
        labels_per_class: the K values (labelled target images per class).
        seeds: labelled-sample draws and model seeds.
        device: where every side trains.
        threads: ``torch.get_num_threads()`` for every timed block.
        model: the timm architecture.
        image_size: side the plain loop resizes the 8x8 digits to (FineTuner: "auto", also 32).
        source_classes / target_classes: the digits of each task.
        source_batch_size / source_lr: plain source loop (and paradigms source batch size).
        target_batch_size / target_lr: plain target loops (FineTuner keeps its defaults).
        goal_labels_per_class: the K the accuracy goals are judged on.
        short_epochs: target epochs of the supplementary short-budget plain loops.
    """

    quick: bool
    source_epochs: int
    target_epochs: int | None
    labels_per_class: tuple[int, ...]
    seeds: tuple[int, ...]
    device: str
    threads: int
    model: str = "resnet10t"
    image_size: int = 32
    source_classes: tuple[int, ...] = (0, 1, 2, 3, 4)
    target_classes: tuple[int, ...] = (5, 6, 7, 8, 9)
    source_batch_size: int = 64
    source_lr: float = 1e-3
    target_batch_size: int = 16
    target_lr: float = 1e-3
    goal_labels_per_class: int = 5
    short_epochs: int = 15

    def fine_tuner(self, seed: int, **params: Any) -> FineTuner:
        """An unfitted FineTuner: its defaults plus model, seed, device and ``params``."""
        kwargs: dict[str, Any] = {"model": self.model, "random_state": seed, "device": self.device}
        if self.target_epochs is not None:
            kwargs["max_epochs"] = self.target_epochs
        return FineTuner(**{**kwargs, **params})

    def plain_epochs(self, n_train: int) -> int:
        """Target epochs of the plain loops: FineTuner's ``"auto"`` rule unless overridden."""
        if self.target_epochs is not None:
            return self.target_epochs
        steps_per_epoch = math.ceil(n_train / self.target_batch_size)
        return min(200, max(10, math.ceil(AUTO_STEPS / steps_per_epoch)))


# --------------------------------------------------------------------------- data
@dataclass(frozen=True)
class Task:
    """Raw digits images ``(n, 1, 8, 8)`` (0..16) with their digit labels."""

    X_train: np.ndarray
    y_train: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray


def source_task(X: np.ndarray, y: np.ndarray, cfg: Config) -> Task:
    """Every image of the source digits (trained on and scored on: train accuracy only)."""
    mask = np.isin(y, cfg.source_classes)
    return Task(X[mask], y[mask], X[mask], y[mask])


def target_task(X: np.ndarray, y: np.ndarray, cfg: Config, k: int, seed: int) -> Task:
    """``k`` labelled images per target digit drawn with ``default_rng(seed)``; the rest test."""
    rng = np.random.default_rng(seed)
    labelled = np.concatenate(
        [rng.choice(np.flatnonzero(y == c), size=k, replace=False) for c in cfg.target_classes]
    )
    rest = np.setdiff1d(np.flatnonzero(np.isin(y, cfg.target_classes)), labelled)
    return Task(X[labelled], y[labelled], X[rest], y[rest])


# --------------------------------------------------------------------------- plain loop
def plain_inputs(X: np.ndarray, cfg: Config) -> torch.Tensor:
    """``(n, 1, 8, 8)`` raw -> ``(n, 3, size, size)``: /16, bilinear, 3 channels, ImageNet norm."""
    from timm.data import IMAGENET_DEFAULT_MEAN, IMAGENET_DEFAULT_STD

    x = torch.from_numpy(np.ascontiguousarray(X, dtype=np.float32)) / PIXEL_MAX
    x = functional.interpolate(x, size=(cfg.image_size,) * 2, mode="bilinear", align_corners=False)
    x = x.repeat(1, 3, 1, 1)
    mean = torch.tensor(IMAGENET_DEFAULT_MEAN).reshape(1, 3, 1, 1)
    std = torch.tensor(IMAGENET_DEFAULT_STD).reshape(1, 3, 1, 1)
    return ((x - mean) / std).to(cfg.device)


def codes(y: np.ndarray, classes: Sequence[int], device: str) -> torch.Tensor:
    """Digit labels -> class indices ``0..len(classes)-1`` ``(n,)`` int64."""
    return torch.from_numpy(np.searchsorted(np.asarray(classes), y).astype(np.int64)).to(device)


def train_loop(
    module: nn.Module,
    inputs: torch.Tensor,
    targets: torch.Tensor,
    epochs: int,
    batch_size: int,
    lr: float,
    seed: int,
) -> int:
    """AdamW (default weight decay) + per-step cosine, randperm batches; returns the steps."""
    params = [p for p in module.parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW(params, lr=lr)
    n = len(inputs)
    total = epochs * math.ceil(n / batch_size)
    scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=total)
    generator = torch.Generator().manual_seed(seed)
    for _ in range(epochs):
        order = torch.randperm(n, generator=generator).to(inputs.device)
        for start in range(0, n, batch_size):
            batch = order[start : start + batch_size]
            loss = functional.cross_entropy(module(inputs[batch]), targets[batch])
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            scheduler.step()
    return total


@dataclass
class PlainFit:
    """A model trained by the plain loop and how many optimizer steps it took."""

    model: nn.Module
    steps: int


def new_timm_model(cfg: Config, n_classes: int) -> nn.Module:
    """``timm.create_model(model, num_classes=n_classes, pretrained=False)`` on the device."""
    import timm

    return timm.create_model(cfg.model, num_classes=n_classes, pretrained=False).to(cfg.device)


def load_body(model: nn.Module, weights: Path) -> None:
    """Load every source tensor except the classifier's (the new head stays as initialised)."""
    head = model.pretrained_cfg["classifier"]
    state = {k: v for k, v in load_file(weights).items() if not k.startswith(f"{head}.")}
    missing, unexpected = model.load_state_dict(state, strict=False)
    if unexpected or any(not k.startswith(f"{head}.") for k in missing):
        raise RuntimeError(f"source weights do not fit: missing {missing}, extra {unexpected}")


def fit_plain_source(task: Task, cfg: Config, seed: int) -> PlainFit:
    """The issue's source model: random-init timm model trained on the source digits."""
    torch.manual_seed(seed)
    model = new_timm_model(cfg, len(cfg.source_classes)).train()
    inputs = plain_inputs(task.X_train, cfg)
    targets = codes(task.y_train, cfg.source_classes, cfg.device)
    steps = train_loop(
        model, inputs, targets, cfg.source_epochs, cfg.source_batch_size, cfg.source_lr, seed
    )
    return PlainFit(model.eval(), steps)


def fit_plain_target(task: Task, cfg: Config, seed: int, weights: Path | None) -> PlainFit:
    """Plain fine-tune from ``weights`` (every layer trains), or from scratch when ``None``."""
    torch.manual_seed(seed)
    model = new_timm_model(cfg, len(cfg.target_classes))
    if weights is not None:
        load_body(model, weights)
    inputs = plain_inputs(task.X_train, cfg)
    targets = codes(task.y_train, cfg.target_classes, cfg.device)
    epochs = cfg.plain_epochs(len(inputs))
    steps = train_loop(
        model.train(), inputs, targets, epochs, cfg.target_batch_size, cfg.target_lr, seed
    )
    return PlainFit(model.eval(), steps)


def fit_plain_probe(task: Task, cfg: Config, seed: int, weights: Path) -> PlainFit:
    """Plain linear probe: frozen backbone in eval mode, its pooled features computed once."""
    torch.manual_seed(seed)
    model = new_timm_model(cfg, len(cfg.target_classes))
    load_body(model, weights)
    model.eval().requires_grad_(False)
    head = model.get_classifier().requires_grad_(True)
    with torch.no_grad():
        features = model.forward_head(
            model.forward_features(plain_inputs(task.X_train, cfg)), pre_logits=True
        )
    targets = codes(task.y_train, cfg.target_classes, cfg.device)
    epochs = cfg.plain_epochs(len(features))
    steps = train_loop(head, features, targets, epochs, cfg.target_batch_size, cfg.target_lr, seed)
    return PlainFit(model.eval(), steps)


@torch.no_grad()
def plain_accuracy(
    fitted: PlainFit, X: np.ndarray, y: np.ndarray, classes: Sequence[int], cfg: Config
) -> float:
    """Accuracy of the plain model (eval mode) on raw images ``X`` with digit labels ``y``."""
    inputs, targets = plain_inputs(X, cfg), codes(y, classes, cfg.device)
    predictions = torch.cat(
        [
            fitted.model(inputs[i : i + EVAL_CHUNK]).argmax(1)
            for i in range(0, len(inputs), EVAL_CHUNK)
        ]
    )
    return float((predictions == targets).float().mean())


# --------------------------------------------------------------------------- paradigms
def fit_paradigms(task: Task, cfg: Config, seed: int, **params: Any) -> FineTuner:
    """A FineTuner with its defaults plus ``params``, fitted on the labelled images."""
    return cfg.fine_tuner(seed, **params).fit(task.X_train, task.y_train)


def paradigms_steps(model: FineTuner, n_train: int) -> int:
    """Optimizer steps the FineTuner took: epochs x batches per epoch."""
    return int(model.epochs_) * math.ceil(n_train / int(model.batch_size))


def save_state_dict(model: nn.Module, path: Path) -> Path:
    """``model.state_dict()`` as a safetensors file (tensors made contiguous, on the CPU)."""
    save_file({k: v.detach().cpu().contiguous() for k, v in model.state_dict().items()}, path)
    return path


# --------------------------------------------------------------------------- the target methods
@dataclass(frozen=True)
class Method:
    """One way of learning the target task (the report names each by its key).

    Attributes:
        fit: ``(task, cfg, seed) -> fitted`` (a :class:`PlainFit` or a fitted FineTuner).
        plain: whether ``fit`` returns a :class:`PlainFit`.
    """

    fit: Callable[[Task, Config, int], Any]
    plain: bool


def target_methods(plain_source: Path, own_source: Path | None) -> dict[str, Method]:
    """Every target method; ``plain_fine_tune`` and ``fine_tune`` are timed in alternation."""
    plain_file = str(plain_source)
    methods = {
        "plain_fine_tune": Method(partial(fit_plain_target, weights=plain_source), True),
        "plain_linear_probe": Method(partial(fit_plain_probe, weights=plain_source), True),
        "plain_scratch": Method(partial(fit_plain_target, weights=None), True),
        "fine_tune": Method(
            partial(fit_paradigms, weights=plain_file, strategy="fine_tune"), False
        ),
        "linear_probe": Method(
            partial(fit_paradigms, weights=plain_file, strategy="linear_probe"), False
        ),
        "gradual_unfreeze": Method(
            partial(fit_paradigms, weights=plain_file, strategy="gradual_unfreeze"), False
        ),
        "scratch": Method(partial(fit_paradigms, weights=None), False),
        "fine_tune_backbone_lr_0.1": Method(
            partial(fit_paradigms, weights=plain_file, backbone_lr_scale=0.1), False
        ),
    }
    if own_source is not None:
        methods["fine_tune_own_source"] = Method(
            partial(fit_paradigms, weights=str(own_source)), False
        )
    return methods


TIMED_PAIR = ("plain_fine_tune", "fine_tune")


def score(
    method: Method, fitted: Any, task: Task, cfg: Config, seconds: float | None = None
) -> dict[str, Any]:
    """Test accuracy, epochs and optimizer steps of one fitted method, and its fit time when
    it was timed."""
    if method.plain:
        accuracy = plain_accuracy(fitted, task.X_test, task.y_test, cfg.target_classes, cfg)
        steps, epochs = fitted.steps, cfg.plain_epochs(len(task.X_train))
    else:
        accuracy = float(fitted.score(task.X_test, task.y_test))
        steps, epochs = paradigms_steps(fitted, len(task.X_train)), int(fitted.epochs_)
    row: dict[str, Any] = {"accuracy": accuracy, "epochs": epochs, "steps": steps}
    if seconds is not None:
        row["fit_s"] = round(seconds, 3)
        row["ms_per_step"] = round(1000 * seconds / steps, 2)
    return row


def bench_task(
    task: Task, cfg: Config, methods: dict[str, Method], seed: int, index: int
) -> dict[str, Any]:
    """Every method on one labelled draw, model seed ``seed``. The fine-tune pair runs plain
    first on even ``index`` and paradigms first on odd, so neither side always runs first."""
    pair = TIMED_PAIR if index % 2 == 0 else TIMED_PAIR[::-1]
    runners = {name: partial(methods[name].fit, task, cfg, seed) for name in pair}
    timings = time_alternating(runners, repeats=1, threads=cfg.threads)
    rows: dict[str, Any] = {}
    for name, method in methods.items():
        if name in timings:
            fitted, seconds = timings[name].results[0], timings[name].seconds[0]
        else:
            fitted, seconds = time_call(partial(method.fit, task, cfg, seed), cfg.threads)
        rows[name] = score(method, fitted, task, cfg, seconds)
    return {"first_timed": pair[0], "methods": rows}


def warm_up(task: Task, cfg: Config, methods: dict[str, Method]) -> None:
    """One untimed one-epoch fit of each timed side (imports, allocator, kernel selection)."""
    one_epoch = dataclasses.replace(cfg, target_epochs=1)
    for name in TIMED_PAIR:
        methods[name].fit(task, one_epoch, 0)


def summarise(per_seed: list[dict[str, Any]]) -> dict[str, Any]:
    """Mean / min / max accuracy and mean fit time of each method over the seeds, and gains."""
    summary: dict[str, Any] = {}
    for name in per_seed[0]["methods"]:
        accuracies = [row["methods"][name]["accuracy"] for row in per_seed]
        summary[name] = {
            "mean": statistics.fmean(accuracies),
            "min": min(accuracies),
            "max": max(accuracies),
            "mean_fit_s": round(statistics.fmean(r["methods"][name]["fit_s"] for r in per_seed), 3),
        }
    summary["gain_plain"] = summary["plain_fine_tune"]["mean"] - summary["plain_scratch"]["mean"]
    summary["gain_paradigms"] = summary["fine_tune"]["mean"] - summary["scratch"]["mean"]
    return summary


def bench_target(
    X: np.ndarray, y: np.ndarray, cfg: Config, methods: dict[str, Method]
) -> list[dict[str, Any]]:
    """Every K and seed: the labelled draw, every method's accuracy and time, then the means."""
    results, index = [], 0
    for k in cfg.labels_per_class:
        per_seed = []
        for seed in cfg.seeds:
            task = target_task(X, y, cfg, k, seed)
            row = bench_task(task, cfg, methods, seed, index)
            per_seed.append(
                {"seed": seed, "n_train": len(task.y_train), "n_test": len(task.y_test), **row}
            )
            index += 1
        results.append(
            {"labels_per_class": k, "per_seed": per_seed, "summary": summarise(per_seed)}
        )
    return results


def bench_short_budget(
    X: np.ndarray, y: np.ndarray, cfg: Config, methods: dict[str, Method]
) -> list[dict[str, Any]]:
    """Supplementary: the plain loops again with ``cfg.short_epochs`` target epochs (a shorter
    budget, as the issue's anchor may have used), every K and seed; accuracy only."""
    short = dataclasses.replace(cfg, target_epochs=cfg.short_epochs)
    plain = {name: method for name, method in methods.items() if method.plain}
    results = []
    for k in cfg.labels_per_class:
        per_seed = []
        for seed in cfg.seeds:
            task = target_task(X, y, cfg, k, seed)
            rows = {
                name: score(m, m.fit(task, short, seed), task, short) for name, m in plain.items()
            }
            per_seed.append({"seed": seed, "methods": rows})
        means = {
            name: statistics.fmean(row["methods"][name]["accuracy"] for row in per_seed)
            for name in plain
        }
        results.append({"labels_per_class": k, "per_seed": per_seed, "mean": means})
    return results


def timing_pairs(target: list[dict[str, Any]]) -> dict[str, Any]:
    """The alternately timed fine-tune pairs: seconds, steps, per-step time, ratio; medians."""
    pairs = []
    for block in target:
        for row in block["per_seed"]:
            plain, ours = (row["methods"][name] for name in TIMED_PAIR)
            pairs.append(
                {
                    "labels_per_class": block["labels_per_class"],
                    "seed": row["seed"],
                    "first": row["first_timed"],
                    "steps_plain": plain["steps"],
                    "steps_paradigms": ours["steps"],
                    "plain_s": plain["fit_s"],
                    "paradigms_s": ours["fit_s"],
                    "plain_ms_per_step": plain["ms_per_step"],
                    "paradigms_ms_per_step": ours["ms_per_step"],
                    "ratio": round(ours["fit_s"] / plain["fit_s"], 4),
                }
            )
    return {
        "pairs": pairs,
        "same_steps": all(p["steps_plain"] == p["steps_paradigms"] for p in pairs),
        "median_ratio": statistics.median(p["ratio"] for p in pairs),
        "median_ms_per_step_ratio": statistics.median(
            p["paradigms_ms_per_step"] / p["plain_ms_per_step"] for p in pairs
        ),
    }


# --------------------------------------------------------------------------- source training
def fit_paradigms_source(task: Task, cfg: Config, seed: int) -> FineTuner:
    """paradigms' own source training: ``FineTuner(weights=None)``, source epochs and batch."""
    return fit_paradigms(
        task,
        cfg,
        seed,
        weights=None,
        max_epochs=cfg.source_epochs,
        batch_size=cfg.source_batch_size,
    )


def bench_sources(X: np.ndarray, y: np.ndarray, cfg: Config, folder: Path) -> dict[str, Any]:
    """Both source trainings, each timed once after an untimed one-epoch warm-up fit; their
    weights saved under ``folder``."""
    task = source_task(X, y, cfg)
    runners = {"plain": fit_plain_source, "paradigms": fit_paradigms_source}
    for fit in runners.values():
        fit(task, dataclasses.replace(cfg, source_epochs=1), 0)
    timings = time_alternating(
        {name: partial(fit, task, cfg, 0) for name, fit in runners.items()}, 1, cfg.threads
    )
    plain, plain_s = timings["plain"].results[0], timings["plain"].seconds[0]
    ours, ours_s = timings["paradigms"].results[0], timings["paradigms"].seconds[0]
    return {
        "n_train": len(task.y_train),
        "plain": {
            "file": save_state_dict(plain.model, folder / "plain-source.safetensors"),
            "epochs": cfg.source_epochs,
            "steps": plain.steps,
            "fit_s": round(plain_s, 3),
            "train_accuracy": plain_accuracy(
                plain, task.X_test, task.y_test, cfg.source_classes, cfg
            ),
        },
        "paradigms": {
            "file": ours.save_weights(folder / "paradigms-source.safetensors"),
            "epochs": int(ours.epochs_),
            "steps": paradigms_steps(ours, len(task.y_train)),
            "fit_s": round(ours_s, 3),
            "train_accuracy": float(ours.score(task.X_test, task.y_test)),
        },
    }


# --------------------------------------------------------------------------- offline failure
OFFLINE_PROBE = """
import json, time
import numpy as np
from paradigms.transfer import FineTuner
X = np.random.default_rng(0).integers(0, 17, size=(10, 1, 8, 8)).astype(np.float32)
y = np.arange(10) % 2
calls = []
for _ in range(2):
    start, error = time.perf_counter(), None
    try:
        FineTuner(weights="hub", random_state=0).fit(X, y)
    except Exception as exc:
        error = exc
    calls.append({
        "seconds": round(time.perf_counter() - start, 3),
        "error_type": type(error).__name__ if error is not None else None,
        "message": str(error) if error is not None else None,
    })
print(json.dumps(calls))
"""


def bench_offline(timeout: float = 120.0) -> dict[str, Any]:
    """``FineTuner(weights="hub").fit`` in a fresh process with ``HF_HUB_OFFLINE=1`` and an
    empty ``HF_HOME``, twice: the first call includes importing timm, the second does not."""
    cache_vars = ("HF_HUB_CACHE", "HUGGINGFACE_HUB_CACHE", "TRANSFORMERS_CACHE", "TORCH_HOME")
    with tempfile.TemporaryDirectory() as home:
        env = {k: v for k, v in os.environ.items() if k not in cache_vars}
        env.update(HF_HUB_OFFLINE="1", HF_HOME=home, TORCH_HOME=home)
        start = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-c", OFFLINE_PROBE],
            capture_output=True,
            text=True,
            env=env,
            cwd=REPO_ROOT,
            timeout=timeout,
            check=False,
        )
        process_s = time.perf_counter() - start
    if done.returncode != 0:
        return {"error": done.stderr[-2000:], "process_s": round(process_s, 3)}
    cold, warm = json.loads(done.stdout.strip().splitlines()[-1])
    return {"cold": cold, "warm": warm, "process_s": round(process_s, 3)}


# --------------------------------------------------------------------------- main
def run(cfg: Config, command: str) -> dict[str, Any]:
    """Every benchmark, in order; returns the JSON-ready results (goals included)."""
    results: dict[str, Any] = {
        "benchmark": SECTION,
        "date": datetime.now().astimezone().isoformat(timespec="seconds"),
        "command": command,
        "machine": machine_info(("timm", "safetensors", "scikit-learn", "numpy", "paradigms")),
        "config": dataclasses.asdict(cfg),
        "anchor": ANCHOR,
    }
    X, y = digits_images()
    with tempfile.TemporaryDirectory() as folder:
        sources = bench_sources(X, y, cfg, Path(folder))
        methods = target_methods(sources["plain"]["file"], sources["paradigms"]["file"])
        warm_up(target_task(X, y, cfg, cfg.labels_per_class[0], cfg.seeds[0]), cfg, methods)
        results["target"] = bench_target(X, y, cfg, methods)
        results["short_budget"] = bench_short_budget(X, y, cfg, methods)
    for side in ("plain", "paradigms"):
        sources[side]["file"] = sources[side]["file"].name
    results["source"] = sources
    results["timing"] = timing_pairs(results["target"])
    results["offline"] = bench_offline()
    results["machine"]["load_average_at_end"] = load_average()
    results["goals"] = evaluate_goals(results)
    return results


def make_config(args: argparse.Namespace) -> Config:
    quick = bool(args.quick)
    return Config(
        quick=quick,
        source_epochs=2 if quick else 15,
        target_epochs=5 if quick else None,
        labels_per_class=(5, 10),
        seeds=(0,) if quick else (0, 1, 2),
        device=args.device,
        threads=torch.get_num_threads(),
        short_epochs=2 if quick else 15,
    )


def main(argv: Sequence[str] | None = None) -> int:
    os.environ["HF_HUB_OFFLINE"] = "1"  # before timm / huggingface_hub are imported (lazily)
    args = parse_options(__doc__.split("\n\n")[0], argv, repeats=False)
    cfg = make_config(args)
    results = run(cfg, command_line())
    return publish(
        results, render_markdown(results), name=SECTION, quick=cfg.quick, no_write=args.no_write
    )


if __name__ == "__main__":
    sys.exit(main())
