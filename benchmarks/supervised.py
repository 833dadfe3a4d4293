"""Supervised benchmark: ``paradigms`` next to a plain PyTorch loop, skorch and scikit-learn,
measuring speed (wall-clock fit time) and quality (test accuracy / R²) side by side.

Run from the repository root, on a quiet machine (nothing else running; a few minutes on 2 CPUs):

    .venv/bin/python benchmarks/supervised.py           # full run: writes the results
    .venv/bin/python benchmarks/supervised.py --quick   # smoke test: 3 epochs, 1 repeat, no sweeps

The full run writes ``benchmarks/results/supervised.json`` and the ``supervised`` section of
``benchmarks/RESULTS.md``. ``--quick`` never touches either (its JSON goes to the git-ignored
``benchmarks/out/``); ``--no-write`` only prints. ``--threads N`` sets torch's thread count once
at start (default: torch's own default); every timed block runs with that same count.

What is measured (goals from the project's issue; each is printed as PASS/FAIL):

1. digits images (n, 1, 8, 8), raw 0..16, 75/25 stratified split (random_state=0):
   a plain PyTorch loop (3-conv CNN, DataLoader, AdamW 3e-3, 30 epochs), skorch with the same
   network, ``SVC()``, and ``paradigms.supervised.Classifier(random_state=0)`` with defaults.
   Goals: paradigms accuracy >= 0.99; paradigms fit time / plain loop time <= 1.0.
   Engine overhead: the same network trained by ``paradigms.engine.fit`` (constant lr) and by a
   hand-written index-slicing loop. Goal: overhead <= 5%.
2. wine and breast_cancer, raw features: ``Classifier`` vs StandardScaler + LogisticRegression.
   Goal: paradigms accuracy >= LR accuracy - 0.02.
3. diabetes (``load_diabetes(scaled=False)``: raw features): ``Regressor`` vs StandardScaler +
   RidgeCV, test R². Goal: paradigms R² >= RidgeCV R² - 0.05.
"""

from __future__ import annotations

import argparse
import dataclasses
import importlib.util
import statistics
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
import torch
from _results import command_line, parse_options, publish
from _supervised_report import evaluate_goals, render_markdown
from _timing import Timing, load_average, machine_info, time_alternating, time_call
from sklearn.datasets import load_breast_cancer, load_diabetes, load_digits, load_wine
from sklearn.linear_model import LogisticRegression, RidgeCV
from sklearn.model_selection import KFold, cross_val_score, train_test_split
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC
from torch import nn
from torch.nn import functional
from torch.utils.data import DataLoader, TensorDataset

from paradigms.engine import fit as engine_fit
from paradigms.supervised import Classifier, Regressor

BENCH_DIR = Path(__file__).resolve().parent
SECTION = "supervised"

PIXEL_MAX = 16.0  # digits pixels are counts 0..16
ADAMW_DEFAULT_WEIGHT_DECAY = 0.01  # torch.optim.AdamW's default
TEST_SIZE = 0.25


# --------------------------------------------------------------------------- configuration
@dataclass(frozen=True)
class Config:
    """What one run does.

    Attributes:
        quick: smoke-test mode (short training, one repeat, no sweeps, no RESULTS.md).
        epochs: epochs of the reference loops (plain PyTorch, skorch, engine overhead).
        estimator_epochs: ``max_epochs`` given to the paradigms estimators; ``None`` keeps
            their default (the full run measures the defaults).
        repeats: alternating timing rounds per side (the median is reported).
        seeds: seeds of the supplementary sweeps (split ``random_state`` and model seed).
        device: where every side trains (one device for all, so timings compare).
        threads: ``torch.get_num_threads()`` for every timed block.
        batch_size: samples per step of the reference loops.
        lr: AdamW learning rate of the reference loops.
        goal_seed: the split ``random_state`` and model seed every goal is judged on.
    """

    quick: bool
    epochs: int
    estimator_epochs: int | None
    repeats: int
    seeds: tuple[int, ...]
    device: str
    threads: int
    batch_size: int = 64
    lr: float = 3e-3
    goal_seed: int = 0

    def estimator_kwargs(self, seed: int) -> dict[str, Any]:
        """Keyword arguments of a paradigms estimator: its defaults plus seed and device."""
        kwargs: dict[str, Any] = {"random_state": seed, "device": self.device}
        if self.estimator_epochs is not None:
            kwargs["max_epochs"] = self.estimator_epochs
        return kwargs


# --------------------------------------------------------------------------- data
@dataclass(frozen=True)
class Split:
    """A train/test split."""

    X_train: np.ndarray
    X_test: np.ndarray
    y_train: np.ndarray
    y_test: np.ndarray


def make_split(X: np.ndarray, y: np.ndarray, seed: int, stratify: bool = True) -> Split:
    """75/25 split, stratified by class for classification."""
    parts = train_test_split(
        X, y, test_size=TEST_SIZE, stratify=y if stratify else None, random_state=seed
    )
    return Split(*parts)


def digits_images() -> tuple[np.ndarray, np.ndarray]:
    """sklearn's digits as images ``(1797, 1, 8, 8)`` float32, raw 0..16, labels int64."""
    bunch = load_digits()
    return bunch.data.astype(np.float32).reshape(-1, 1, 8, 8), bunch.target.astype(np.int64)


# --------------------------------------------------------------------------- networks
class PlainCNN(nn.Sequential):
    """The issue's reference network: ``(B, 1, 8, 8)`` scaled to 0..1 -> ``(B, 10)`` logits."""

    def __init__(self) -> None:
        super().__init__(
            nn.Conv2d(1, 32, 3, padding=1),
            nn.ReLU(),
            nn.Conv2d(32, 64, 3, padding=1),
            nn.ReLU(),
            nn.MaxPool2d(2),
            nn.Conv2d(64, 128, 3, padding=1),
            nn.ReLU(),
            nn.AdaptiveAvgPool2d(1),
            nn.Flatten(),
            nn.Linear(128, 10),
        )


class RawInputCNN(nn.Module):
    """:class:`PlainCNN` on raw 0..16 pixels (divides by 16 inside ``forward``)."""

    def __init__(self) -> None:
        super().__init__()
        self.net = PlainCNN()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """``(B, 1, 8, 8)`` raw -> ``(B, 10)`` logits."""
        return self.net(x / PIXEL_MAX)


@torch.no_grad()
def torch_accuracy(model: nn.Module, X: np.ndarray, y: np.ndarray, device: str) -> float:
    """Accuracy of ``model`` (in eval mode) on ``X`` given exactly as the model expects it."""
    model.eval()
    logits = model(torch.from_numpy(np.ascontiguousarray(X)).to(device))
    return float((logits.argmax(dim=1).cpu().numpy() == y).mean())


# --------------------------------------------------------------------------- digits sides
def fit_plain_loop(data: Split, cfg: Config, seed: int) -> nn.Module:
    """1a: the textbook loop: TensorDataset + shuffled DataLoader, AdamW, cross-entropy."""
    torch.manual_seed(seed)
    device = torch.device(cfg.device)
    dataset = TensorDataset(
        torch.from_numpy(data.X_train) / PIXEL_MAX, torch.from_numpy(data.y_train)
    )
    loader = DataLoader(
        dataset,
        batch_size=cfg.batch_size,
        shuffle=True,
        generator=torch.Generator().manual_seed(seed),
    )
    model = PlainCNN().to(device)
    optimizer = torch.optim.AdamW(model.parameters(), lr=cfg.lr)
    model.train()
    for _ in range(cfg.epochs):
        for inputs, target in loader:
            loss = functional.cross_entropy(model(inputs.to(device)), target.to(device))
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
    return model.eval()


def plain_loop_accuracy(model: nn.Module, data: Split, cfg: Config) -> float:
    """Test accuracy of the plain loop's network (inputs scaled /16 as in training)."""
    return torch_accuracy(model, data.X_test / PIXEL_MAX, data.y_test, cfg.device)


def fit_skorch(data: Split, cfg: Config, seed: int) -> Any:
    """1b: skorch's NeuralNetClassifier, same network, optimizer, lr, batch size and epochs."""
    from skorch import NeuralNetClassifier

    torch.manual_seed(seed)
    net = NeuralNetClassifier(
        PlainCNN,
        criterion=nn.CrossEntropyLoss,  # the network returns logits
        optimizer=torch.optim.AdamW,
        lr=cfg.lr,
        batch_size=cfg.batch_size,
        max_epochs=cfg.epochs,
        train_split=None,
        iterator_train__shuffle=True,
        device=cfg.device,
        verbose=0,
    )
    return net.fit(data.X_train / PIXEL_MAX, data.y_train)


def skorch_accuracy(net: Any, data: Split, cfg: Config) -> float:
    """Test accuracy of the skorch net (inputs scaled /16 as in training)."""
    return float(net.score(data.X_test / PIXEL_MAX, data.y_test))


def fit_svc(data: Split, cfg: Config, seed: int) -> SVC:
    """1c: ``SVC()`` with defaults on flattened pixels scaled to 0..1."""
    return SVC().fit(data.X_train.reshape(len(data.X_train), -1) / PIXEL_MAX, data.y_train)


def svc_accuracy(model: SVC, data: Split, cfg: Config) -> float:
    """Test accuracy of the SVC on flattened pixels /16."""
    return float(model.score(data.X_test.reshape(len(data.X_test), -1) / PIXEL_MAX, data.y_test))


def fit_paradigms(data: Split, cfg: Config, seed: int) -> Classifier:
    """1d: ``Classifier`` with its defaults, on raw images."""
    return Classifier(**cfg.estimator_kwargs(seed)).fit(data.X_train, data.y_train)


def estimator_accuracy(model: Any, data: Split, cfg: Config) -> float:
    """Test accuracy of a paradigms estimator on raw images."""
    return float(model.score(data.X_test, data.y_test))


@dataclass(frozen=True)
class Method:
    """One side of the digits comparison: how to fit it and how to score the fitted model."""

    label: str
    fit: Callable[[Split, Config, int], Any]
    accuracy: Callable[[Any, Split, Config], float]


def digits_methods() -> dict[str, Method]:
    """The digits sides; skorch only where it is installed (``pip install -e '.[bench]'``)."""
    methods = {
        "plain_loop": Method(
            "plain PyTorch loop (DataLoader, AdamW)", fit_plain_loop, plain_loop_accuracy
        ),
        "skorch": Method("skorch NeuralNetClassifier, same net", fit_skorch, skorch_accuracy),
        "svc": Method("sklearn SVC() on pixels / 16", fit_svc, svc_accuracy),
        "paradigms": Method("paradigms Classifier (defaults)", fit_paradigms, estimator_accuracy),
    }
    if importlib.util.find_spec("skorch") is None:
        del methods["skorch"]
    return methods


def warm_up(data: Split, cfg: Config, methods: dict[str, Method]) -> None:
    """One untimed one-epoch fit of every side on the full training set, so no timed run pays
    first-call costs (lazy imports, allocator growth, kernel selection for every batch shape,
    including the short last batch)."""
    one_epoch = dataclasses.replace(cfg, epochs=1, estimator_epochs=1)
    for method in methods.values():
        method.fit(data, one_epoch, cfg.goal_seed)


# --------------------------------------------------------------------------- 1. digits
def bench_digits(cfg: Config) -> dict[str, Any]:
    """Fit time (median of alternating repeats) and test accuracy of each side, goal split."""
    X, y = digits_images()
    data = make_split(X, y, cfg.goal_seed)
    methods = digits_methods()
    warm_up(data, cfg, methods)
    runners = {name: partial(m.fit, data, cfg, cfg.goal_seed) for name, m in methods.items()}
    timings = time_alternating(runners, cfg.repeats, cfg.threads)
    plain_median = timings["plain_loop"].median
    rows: dict[str, Any] = {}
    for name, method in methods.items():
        accuracies = [method.accuracy(fitted, data, cfg) for fitted in timings[name].results]
        rows[name] = {
            "label": method.label,
            "seed": cfg.goal_seed,
            "accuracy": accuracies[0],
            "accuracy_per_repeat": accuracies,
            "fit_time": timings[name].summary(),
            "time_ratio_vs_plain_loop": round(timings[name].median / plain_median, 4),
        }
    return {
        "seed": cfg.goal_seed,
        "n_train": len(data.X_train),
        "n_test": len(data.X_test),
        "methods": rows,
    }


def bench_digits_seeds(cfg: Config) -> dict[str, Any]:
    """Supplementary quality over seeds s: every side on split s with model seed s, plus the
    paradigms Classifier on the goal split with ``random_state=s`` (training-seed spread only)."""
    X, y = digits_images()
    methods = {k: v for k, v in digits_methods().items() if k in ("plain_loop", "svc", "paradigms")}
    goal_split = make_split(X, y, cfg.goal_seed)
    per_seed = []
    for seed in cfg.seeds:
        data = make_split(X, y, seed)
        row: dict[str, Any] = {"seed": seed}
        for name, method in methods.items():
            fitted, seconds = time_call(partial(method.fit, data, cfg, seed), cfg.threads)
            row[name] = method.accuracy(fitted, data, cfg)
            row[f"{name}_fit_s"] = round(seconds, 3)
        fitted = fit_paradigms(goal_split, cfg, seed)
        row["paradigms_goal_split"] = estimator_accuracy(fitted, goal_split, cfg)
        for key, change in (
            ("paradigms_no_dropout", {"dropout": 0.0}),
            ("paradigms_no_augment", {"augment": False}),
        ):
            variant = Classifier(**{**cfg.estimator_kwargs(seed), **change})
            row[key] = estimator_accuracy(variant.fit(data.X_train, data.y_train), data, cfg)
        per_seed.append(row)
    keys = [*methods, "paradigms_goal_split", "paradigms_no_dropout", "paradigms_no_augment"]
    return {"per_seed": per_seed, "summary": _summarise(per_seed, keys)}


def _summarise(per_seed: list[dict[str, Any]], keys: Sequence[str]) -> dict[str, Any]:
    return {
        key: {
            "mean": statistics.fmean(row[key] for row in per_seed),
            "min": min(row[key] for row in per_seed),
            "max": max(row[key] for row in per_seed),
        }
        for key in keys
    }


# --------------------------------------------------------------------------- 1e. engine overhead
@dataclass
class Trained:
    """A trained network and its last epoch's mean training loss."""

    model: nn.Module
    final_train_loss: float


def fit_manual_slicing(X: torch.Tensor, y: torch.Tensor, cfg: Config, seed: int) -> Trained:
    """The hand-written twin of the engine's fast path: randperm + index_select batches,
    AdamW at a constant lr (torch's fused kernel, as the engine picks it, so both sides do the
    same arithmetic), per-epoch mean loss tracked as any training loop would."""
    torch.manual_seed(seed)
    device = torch.device(cfg.device)
    model = RawInputCNN().to(device)
    X, y = X.to(device), y.to(device)
    optimizer = torch.optim.AdamW(model.parameters(), lr=cfg.lr, fused=True)
    generator = torch.Generator().manual_seed(seed)
    n = len(X)
    epoch_loss = float("nan")
    model.train()
    for _ in range(cfg.epochs):
        order = torch.randperm(n, generator=generator).to(device)
        total = 0.0
        for start in range(0, n, cfg.batch_size):
            index = order[start : start + cfg.batch_size]
            loss = functional.cross_entropy(
                model(X.index_select(0, index)), y.index_select(0, index)
            )
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            total += loss.item() * len(index)
        epoch_loss = total / n
    return Trained(model.eval(), epoch_loss)


def fit_with_engine(X: torch.Tensor, y: torch.Tensor, cfg: Config, seed: int) -> Trained:
    """The same network and settings through ``paradigms.engine.fit``."""
    torch.manual_seed(seed)
    model = RawInputCNN()
    history = engine_fit(
        model,
        functional.cross_entropy,
        (X, y),
        max_epochs=cfg.epochs,
        batch_size=cfg.batch_size,
        lr=cfg.lr,
        scheduler="constant",
        weight_decay=ADAMW_DEFAULT_WEIGHT_DECAY,
        seed=seed,
        progress=False,
        device=cfg.device,
    )
    return Trained(model, float(history[-1]["train_loss"]))


def _max_weight_difference(a: nn.Module, b: nn.Module) -> float:
    pairs = zip(a.state_dict().values(), b.state_dict().values(), strict=True)
    return max(float((p.float() - q.float()).abs().max()) for p, q in pairs)


def bench_engine_overhead(cfg: Config) -> dict[str, Any]:
    """Median fit time of the engine vs the identical manual loop, alternating repeats."""
    X, y = digits_images()
    data = make_split(X, y, cfg.goal_seed)
    X_train, y_train = torch.from_numpy(data.X_train), torch.from_numpy(data.y_train)
    warm = dataclasses.replace(cfg, epochs=1)
    fit_manual_slicing(X_train, y_train, warm, cfg.goal_seed)
    fit_with_engine(X_train, y_train, warm, cfg.goal_seed)
    runners = {
        "manual_loop": partial(fit_manual_slicing, X_train, y_train, cfg, cfg.goal_seed),
        "engine_fit": partial(fit_with_engine, X_train, y_train, cfg, cfg.goal_seed),
    }
    timings: dict[str, Timing] = time_alternating(runners, cfg.repeats, cfg.threads)
    sides: dict[str, Any] = {}
    for name, timing in timings.items():
        trained: Trained = timing.results[0]
        sides[name] = {
            "seed": cfg.goal_seed,
            "fit_time": timing.summary(),
            "accuracy": torch_accuracy(trained.model, data.X_test, data.y_test, cfg.device),
            "final_train_loss": trained.final_train_loss,
        }
    overhead = timings["engine_fit"].median / timings["manual_loop"].median - 1.0
    difference = _max_weight_difference(
        timings["manual_loop"].results[0].model, timings["engine_fit"].results[0].model
    )
    return {"sides": sides, "overhead": round(overhead, 4), "max_weight_difference": difference}


# --------------------------------------------------------------------------- 2. tabular
TABULAR_LOADERS: dict[str, Callable[..., Any]] = {
    "wine": load_wine,
    "breast_cancer": load_breast_cancer,
}


def logistic_regression() -> Pipeline:
    return make_pipeline(StandardScaler(), LogisticRegression(max_iter=5000))


def _accuracy_of(model: Any, data: Split) -> float:
    return float(model.score(data.X_test, data.y_test))


def bench_tabular_dataset(X: np.ndarray, y: np.ndarray, cfg: Config) -> dict[str, Any]:
    """``Classifier`` on raw features vs scaled logistic regression, for every seed."""
    per_seed = []
    for seed in cfg.seeds:
        data = make_split(X, y, seed)
        clf, clf_s = time_call(
            partial(Classifier(**cfg.estimator_kwargs(seed)).fit, data.X_train, data.y_train),
            cfg.threads,
        )
        lr, lr_s = time_call(
            partial(logistic_regression().fit, data.X_train, data.y_train), cfg.threads
        )
        per_seed.append(
            {
                "seed": seed,
                "paradigms": _accuracy_of(clf, data),
                "logreg": _accuracy_of(lr, data),
                "paradigms_fit_s": round(clf_s, 3),
                "logreg_fit_s": round(lr_s, 3),
            }
        )
    return {
        "n_samples": len(X),
        "n_features": X.shape[1],
        "per_seed": per_seed,
        "summary": _summarise(per_seed, ["paradigms", "logreg"]),
    }


def bench_tabular(cfg: Config) -> dict[str, Any]:
    results = {}
    for name, loader in TABULAR_LOADERS.items():
        X, y = loader(return_X_y=True)
        results[name] = bench_tabular_dataset(X, y, cfg)
    return results


# --------------------------------------------------------------------------- 3. diabetes
def ridge_cv() -> Pipeline:
    return make_pipeline(StandardScaler(), RidgeCV())


def bench_diabetes(cfg: Config) -> dict[str, Any]:
    """``Regressor`` vs scaled RidgeCV: test R² per seed, and 5-fold CV R² (full run only)."""
    X, y = load_diabetes(return_X_y=True, scaled=False)
    per_seed = []
    for seed in cfg.seeds:
        data = make_split(X, y, seed, stratify=False)
        reg, reg_s = time_call(
            partial(Regressor(**cfg.estimator_kwargs(seed)).fit, data.X_train, data.y_train),
            cfg.threads,
        )
        ridge, ridge_s = time_call(partial(ridge_cv().fit, data.X_train, data.y_train), cfg.threads)
        per_seed.append(
            {
                "seed": seed,
                "paradigms": _accuracy_of(reg, data),  # .score is R² for regressors
                "ridge_cv": _accuracy_of(ridge, data),
                "paradigms_fit_s": round(reg_s, 3),
                "ridge_cv_fit_s": round(ridge_s, 3),
            }
        )
    result: dict[str, Any] = {
        "dataset": "sklearn load_diabetes(scaled=False): raw features",
        "per_seed": per_seed,
        "summary": _summarise(per_seed, ["paradigms", "ridge_cv"]),
    }
    if not cfg.quick:
        folds = KFold(n_splits=5, shuffle=True, random_state=0)
        result["cv5_r2"] = {
            "paradigms": _cv_mean(Regressor(**cfg.estimator_kwargs(0)), X, y, folds),
            "ridge_cv": _cv_mean(ridge_cv(), X, y, folds),
        }
    return result


def _cv_mean(model: Any, X: np.ndarray, y: np.ndarray, folds: KFold) -> dict[str, Any]:
    scores = cross_val_score(model, X, y, cv=folds, scoring="r2")
    return {"mean": float(scores.mean()), "folds": [round(float(s), 4) for s in scores]}


# --------------------------------------------------------------------------- main
def run(cfg: Config, command: str) -> dict[str, Any]:
    """Every benchmark, in order; returns the JSON-ready results (goals included)."""
    results: dict[str, Any] = {
        "benchmark": SECTION,
        "date": datetime.now().astimezone().isoformat(timespec="seconds"),
        "command": command,
        "machine": machine_info(("scikit-learn", "skorch", "numpy", "paradigms")),
        "config": dataclasses.asdict(cfg),
    }
    results["digits"] = bench_digits(cfg)
    results["engine_overhead"] = bench_engine_overhead(cfg)
    if not cfg.quick:
        results["digits_seeds"] = bench_digits_seeds(cfg)
    results["tabular"] = bench_tabular(cfg)
    results["diabetes"] = bench_diabetes(cfg)
    results["machine"]["load_average_at_end"] = load_average()
    results["goals"] = evaluate_goals(results)
    return results


def make_config(args: argparse.Namespace) -> Config:
    quick = bool(args.quick)
    return Config(
        quick=quick,
        epochs=3 if quick else 30,
        estimator_epochs=3 if quick else None,
        repeats=args.repeats or (1 if quick else 3),
        seeds=(0,) if quick else (0, 1, 2, 3, 4),
        device=args.device,
        threads=torch.get_num_threads(),
    )


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_options(__doc__.split("\n\n")[0], argv, repeats=True)
    cfg = make_config(args)
    results = run(cfg, command_line())
    return publish(
        results, render_markdown(results), name=SECTION, quick=cfg.quick, no_write=args.no_write
    )


if __name__ == "__main__":
    sys.exit(main())
