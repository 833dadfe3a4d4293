"""Unsupervised benchmark: ``paradigms.unsupervised.AutoEncoder`` next to PCA, a plain PyTorch
autoencoder loop and IsolationForest, measuring speed (wall-clock fit time) and quality (test
reconstruction MSE, anomaly-detection AUROC) side by side.

Run from the repository root, on a quiet machine (nothing else running; a few minutes on 2 CPUs):

    .venv/bin/python benchmarks/unsupervised.py           # full run: writes the results
    .venv/bin/python benchmarks/unsupervised.py --quick   # smoke test: 3 epochs, 1 repeat

The full run writes ``benchmarks/results/unsupervised.json`` and the ``unsupervised`` section of
``benchmarks/RESULTS.md``. ``--quick`` never touches either (its JSON goes to the git-ignored
``benchmarks/out/``); ``--no-write`` only prints. ``--threads N`` sets torch's thread count once
at start; ``--repeats N`` sets the alternating timing rounds (default 3).

Data: sklearn's digits as vectors ``(n, 64)`` scaled to [0, 1] (pixels / 16), 75/25 stratified
split (random_state=0). What is measured (goals from the project's issue, printed as PASS/FAIL):

1. Reconstruction, test MSE (mean over every test value of ``(reconstruction - x)**2``):
   ``PCA(8)``; a plain PyTorch MLP autoencoder 64-256-128-8 / 8-128-256-64 (ReLU, linear
   output, MSE, AdamW 3e-3, batch 64, 300 epochs, OneCycleLR per step, index-slicing batches);
   ``AutoEncoder(kind="plain", latent_dim=8, random_state=0)``, otherwise its defaults (the
   reconstruction kind: the default ``"contrastive"`` trades reconstruction for codes a
   classifier can use, measured in the fewlabel benchmark).
   Goals: AutoEncoder MSE <= 0.5 x PCA MSE; fit time <= 10 s and <= 0.5 x the plain loop's.
2. Anomaly detection, one digit class c held out at a time: train on the training split without
   c; score the test split without c (normal) plus every sample of c in the dataset (anomalous);
   AUROC of PCA(8) reconstruction error, ``IsolationForest(random_state=0)`` and the
   AutoEncoder's ``reconstruction_error``. Goals: AutoEncoder mean AUROC >= 0.92 and
   AutoEncoder AUROC >= PCA AUROC for every class.
3. Supplementary: the reconstruction test for ``kind="denoising"`` and ``kind="variational"``,
   and the plain AutoEncoder's MSE over ``random_state`` 0..2.
"""

from __future__ import annotations

import argparse
import dataclasses
import math
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
from _timing import load_average, machine_info, time_alternating, time_call
from _unsupervised_report import evaluate_goals, render_markdown
from sklearn.datasets import load_digits
from sklearn.decomposition import PCA
from sklearn.ensemble import IsolationForest
from sklearn.metrics import roc_auc_score
from supervised import Split, make_split
from torch import nn
from torch.nn import functional

from paradigms.unsupervised import AutoEncoder

BENCH_DIR = Path(__file__).resolve().parent
SECTION = "unsupervised"

PIXEL_MAX = 16.0  # digits pixels are counts 0..16
N_CLASSES = 10


# --------------------------------------------------------------------------- configuration
@dataclass(frozen=True)
class Config:
    """What one run does.

    Attributes:
        quick: smoke-test mode (short training, one repeat, one seed, no RESULTS.md).
        plain_epochs: epochs of the plain PyTorch autoencoder loop.
        estimator_epochs: ``max_epochs`` given to ``AutoEncoder``; ``None`` keeps its default
            (the full run measures the defaults).
        repeats: alternating timing rounds per side (the median is reported).
        seeds: ``random_state`` values of the supplementary seed sweep (goal split throughout).
        device: where every side trains (one device for all, so timings compare).
        threads: ``torch.get_num_threads()`` for every timed block.
        latent_dim: code size of every side (PCA components, bottleneck width).
        batch_size: samples per step of the plain loop.
        lr: AdamW (peak one-cycle) learning rate of the plain loop.
        goal_seed: the split ``random_state`` and model seed every goal is judged on.
    """

    quick: bool
    plain_epochs: int
    estimator_epochs: int | None
    repeats: int
    seeds: tuple[int, ...]
    device: str
    threads: int
    latent_dim: int = 8
    batch_size: int = 64
    lr: float = 3e-3
    goal_seed: int = 0

    def autoencoder(self, seed: int, **params: Any) -> AutoEncoder:
        """An unfitted plain ``AutoEncoder``: its defaults plus latent size, seed, device,
        ``params``."""
        kwargs: dict[str, Any] = {
            "kind": "plain",
            "latent_dim": self.latent_dim,
            "random_state": seed,
            "device": self.device,
        }
        if self.estimator_epochs is not None:
            kwargs["max_epochs"] = self.estimator_epochs
        return AutoEncoder(**{**kwargs, **params})


# --------------------------------------------------------------------------- data
def digits_unit() -> tuple[np.ndarray, np.ndarray]:
    """sklearn's digits as vectors ``(1797, 64)`` float32 in [0, 1], labels int64."""
    bunch = load_digits()
    return (bunch.data / PIXEL_MAX).astype(np.float32), bunch.target.astype(np.int64)


def mse(reconstruction: np.ndarray, X: np.ndarray) -> float:
    """Mean over every value of ``(reconstruction - X)**2``."""
    return float(np.mean((np.asarray(reconstruction, dtype=np.float64) - X) ** 2))


# --------------------------------------------------------------------------- the sides
class PlainAutoEncoder(nn.Module):
    """The issue's reference: ``(B, 64) -> 256 -> 128 -> 8 -> 128 -> 256 -> (B, 64)``, ReLU
    between layers, linear code and linear output."""

    def __init__(self, n_features: int = 64, latent_dim: int = 8) -> None:
        super().__init__()
        self.encoder = nn.Sequential(
            nn.Linear(n_features, 256),
            nn.ReLU(),
            nn.Linear(256, 128),
            nn.ReLU(),
            nn.Linear(128, latent_dim),
        )
        self.decoder = nn.Sequential(
            nn.Linear(latent_dim, 128),
            nn.ReLU(),
            nn.Linear(128, 256),
            nn.ReLU(),
            nn.Linear(256, n_features),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """``(B, n_features) -> (B, n_features)`` reconstruction."""
        return self.decoder(self.encoder(x))


def fit_plain_loop(X_train: np.ndarray, cfg: Config, seed: int) -> PlainAutoEncoder:
    """The plain PyTorch loop: randperm + index-slicing batches, AdamW, OneCycleLR per step."""
    torch.manual_seed(seed)
    device = torch.device(cfg.device)
    X = torch.from_numpy(X_train).to(device)
    n = len(X)
    model = PlainAutoEncoder(X.shape[1], cfg.latent_dim).to(device)
    optimizer = torch.optim.AdamW(model.parameters(), lr=cfg.lr)
    steps_per_epoch = math.ceil(n / cfg.batch_size)
    scheduler = torch.optim.lr_scheduler.OneCycleLR(
        optimizer, max_lr=cfg.lr, total_steps=cfg.plain_epochs * steps_per_epoch
    )
    generator = torch.Generator().manual_seed(seed)
    model.train()
    for _ in range(cfg.plain_epochs):
        order = torch.randperm(n, generator=generator).to(device)
        for start in range(0, n, cfg.batch_size):
            batch = X[order[start : start + cfg.batch_size]]
            loss = functional.mse_loss(model(batch), batch)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            scheduler.step()
    return model.eval()


@torch.no_grad()
def plain_loop_mse(model: PlainAutoEncoder, X: np.ndarray, cfg: Config) -> float:
    """Test MSE of the plain loop's reconstruction."""
    reconstruction = model(torch.from_numpy(X).to(cfg.device)).cpu().numpy()
    return mse(reconstruction, X)


def fit_autoencoder(X_train: np.ndarray, cfg: Config, seed: int, **params: Any) -> AutoEncoder:
    """``AutoEncoder`` with its defaults (plus ``params``), fitted on ``X_train``."""
    return cfg.autoencoder(seed, **params).fit(X_train)


def autoencoder_mse(model: AutoEncoder, X: np.ndarray, cfg: Config) -> float:
    """Test MSE of ``inverse_transform(transform(X))``."""
    return mse(model.inverse_transform(model.transform(X)), X)


def fit_pca(X_train: np.ndarray, cfg: Config, seed: int) -> PCA:
    """``PCA(latent_dim)``, fitted on ``X_train``."""
    return PCA(n_components=cfg.latent_dim).fit(X_train)


def pca_errors(model: PCA, X: np.ndarray) -> np.ndarray:
    """Per-sample PCA reconstruction MSE ``(n,)``."""
    return np.mean((model.inverse_transform(model.transform(X)) - X) ** 2, axis=1)


@dataclass(frozen=True)
class Side:
    """One side of the reconstruction comparison: how to fit it and how to score it."""

    label: str
    fit: Callable[[np.ndarray, Config, int], Any]
    mse: Callable[[Any, np.ndarray, Config], float]


def reconstruction_sides(cfg: Config) -> dict[str, Side]:
    """The two timed sides: the plain loop and the paradigms AutoEncoder."""
    return {
        "plain_loop": Side(
            f"plain PyTorch MLP autoencoder ({cfg.plain_epochs} epochs)",
            fit_plain_loop,
            plain_loop_mse,
        ),
        "paradigms": Side("paradigms AutoEncoder (defaults)", fit_autoencoder, autoencoder_mse),
    }


def warm_up(X_train: np.ndarray, cfg: Config, sides: dict[str, Side]) -> None:
    """One untimed one-epoch fit of every side, so no timed run pays first-call costs."""
    one_epoch = dataclasses.replace(cfg, plain_epochs=1, estimator_epochs=1)
    for side in sides.values():
        side.fit(X_train, one_epoch, cfg.goal_seed)


# --------------------------------------------------------------------------- 1. reconstruction
def bench_reconstruction(data: Split, cfg: Config) -> dict[str, Any]:
    """PCA, then the plain loop and the AutoEncoder timed in alternation: test MSE and time."""
    pca, pca_s = time_call(partial(fit_pca, data.X_train, cfg, cfg.goal_seed), cfg.threads)
    pca_mse = float(np.mean(pca_errors(pca, data.X_test)))
    sides = reconstruction_sides(cfg)
    warm_up(data.X_train, cfg, sides)
    runners = {name: partial(s.fit, data.X_train, cfg, cfg.goal_seed) for name, s in sides.items()}
    timings = time_alternating(runners, cfg.repeats, cfg.threads)
    plain_median = timings["plain_loop"].median
    methods: dict[str, Any] = {}
    for name, side in sides.items():
        errors = [side.mse(fitted, data.X_test, cfg) for fitted in timings[name].results]
        methods[name] = {
            "label": side.label,
            "mse": errors[0],
            "mse_per_repeat": errors,
            "mse_ratio_vs_pca": round(errors[0] / pca_mse, 4),
            "fit_time": timings[name].summary(),
            "time_ratio_vs_plain_loop": round(timings[name].median / plain_median, 4),
        }
    return {
        "seed": cfg.goal_seed,
        "n_train": len(data.X_train),
        "n_test": len(data.X_test),
        "pca": {"label": f"PCA({cfg.latent_dim})", "mse": pca_mse, "fit_s": round(pca_s, 4)},
        "methods": methods,
    }


# --------------------------------------------------------------------------- 2. anomaly detection
def anomaly_task(
    data: Split, X_all: np.ndarray, y_all: np.ndarray, digit: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Training vectors without ``digit``; evaluation vectors and labels (1 = ``digit``)."""
    X_train = data.X_train[data.y_train != digit]
    normal = data.X_test[data.y_test != digit]
    anomalous = X_all[y_all == digit]
    X_eval = np.concatenate([normal, anomalous])
    labels = np.concatenate([np.zeros(len(normal)), np.ones(len(anomalous))]).astype(np.int64)
    return X_train, X_eval, labels


def bench_anomaly_class(
    data: Split, X_all: np.ndarray, y_all: np.ndarray, digit: int, cfg: Config
) -> dict[str, Any]:
    """AUROC of each detector with ``digit`` as the anomaly."""
    X_train, X_eval, labels = anomaly_task(data, X_all, y_all, digit)
    pca = fit_pca(X_train, cfg, cfg.goal_seed)
    forest = IsolationForest(random_state=cfg.goal_seed).fit(X_train)
    autoencoder, ae_s = time_call(
        partial(fit_autoencoder, X_train, cfg, cfg.goal_seed), cfg.threads
    )
    return {
        "digit": digit,
        "n_train": len(X_train),
        "n_normal": int((labels == 0).sum()),
        "n_anomalous": int(labels.sum()),
        "pca": float(roc_auc_score(labels, pca_errors(pca, X_eval))),
        "isolation_forest": float(roc_auc_score(labels, -forest.score_samples(X_eval))),
        "paradigms": float(roc_auc_score(labels, autoencoder.reconstruction_error(X_eval))),
        "paradigms_fit_s": round(ae_s, 3),
    }


def bench_anomaly(data: Split, X_all: np.ndarray, y_all: np.ndarray, cfg: Config) -> dict[str, Any]:
    """One held-out class at a time, every class; the mean AUROC of each detector."""
    per_class = [bench_anomaly_class(data, X_all, y_all, c, cfg) for c in range(N_CLASSES)]
    keys = ("pca", "isolation_forest", "paradigms")
    return {
        "per_class": per_class,
        "mean": {key: statistics.fmean(row[key] for row in per_class) for key in keys},
        "paradigms_beats_pca": sum(row["paradigms"] >= row["pca"] for row in per_class),
    }


# --------------------------------------------------------------------------- 3. supplementary
#: supplementary variants: the other kinds, and the batch/epoch budget the defaults replaced
VARIANTS: dict[str, dict[str, Any]] = {
    "denoising": {"kind": "denoising"},
    "variational": {"kind": "variational"},
    "plain, batch 64 x 100 epochs": {"batch_size": 64, "max_epochs": 100},
}


def bench_kinds(data: Split, cfg: Config) -> dict[str, Any]:
    """Test MSE and fit time of each variant in :data:`VARIANTS` (defaults otherwise)."""
    results = {}
    for name, params in VARIANTS.items():
        if cfg.quick and "max_epochs" in params:
            continue
        fit = partial(fit_autoencoder, data.X_train, cfg, cfg.goal_seed, **params)
        model, seconds = time_call(fit, cfg.threads)
        results[name] = {
            "mse": autoencoder_mse(model, data.X_test, cfg),
            "fit_s": round(seconds, 3),
        }
    return results


def bench_seeds(data: Split, cfg: Config) -> dict[str, Any]:
    """Test MSE of the plain AutoEncoder for each ``random_state`` in ``cfg.seeds`` (goal split)."""
    per_seed = []
    for seed in cfg.seeds:
        model, seconds = time_call(partial(fit_autoencoder, data.X_train, cfg, seed), cfg.threads)
        per_seed.append(
            {
                "seed": seed,
                "mse": autoencoder_mse(model, data.X_test, cfg),
                "fit_s": round(seconds, 3),
            }
        )
    errors = [row["mse"] for row in per_seed]
    return {
        "per_seed": per_seed,
        "summary": {"mean": statistics.fmean(errors), "min": min(errors), "max": max(errors)},
    }


# --------------------------------------------------------------------------- main
def run(cfg: Config, command: str) -> dict[str, Any]:
    """Every benchmark, in order; returns the JSON-ready results (goals included)."""
    results: dict[str, Any] = {
        "benchmark": SECTION,
        "date": datetime.now().astimezone().isoformat(timespec="seconds"),
        "command": command,
        "machine": machine_info(("scikit-learn", "numpy", "paradigms")),
        "config": dataclasses.asdict(cfg),
    }
    X, y = digits_unit()
    data = make_split(X, y, cfg.goal_seed)
    results["reconstruction"] = bench_reconstruction(data, cfg)
    results["anomaly"] = bench_anomaly(data, X, y, cfg)
    results["kinds"] = bench_kinds(data, cfg)
    results["seeds"] = bench_seeds(data, cfg)
    results["machine"]["load_average_at_end"] = load_average()
    results["goals"] = evaluate_goals(results)
    return results


def make_config(args: argparse.Namespace) -> Config:
    quick = bool(args.quick)
    return Config(
        quick=quick,
        plain_epochs=3 if quick else 300,
        estimator_epochs=3 if quick else None,
        repeats=args.repeats or (1 if quick else 3),
        seeds=(0,) if quick else (0, 1, 2),
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
