"""Sanity checks for attributions, because they are easy to get wrong.

- **Deletion** (Samek et al., 2017; Petsiuk et al., 2018): set the most-attributed input values
  to a baseline, a few at a time, and watch the accuracy fall. Attributions that find what the
  model uses make it fall faster than deleting values at random: the area under the curve is
  smaller.
- **Model randomisation** (Adebayo et al., 2018): the attributions of a trained model and of the
  same architecture with random weights must differ; a rank correlation near 1 means the
  method draws the input, not the model.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import torch
from scipy.stats import spearmanr


@dataclass(frozen=True)
class DeletionCurve:
    """Accuracy after deleting the top ``deleted[i]`` features of each sample.

    Attributes:
        deleted: features deleted per sample ``(k,)``, from 0 to all of them.
        accuracy: accuracy at each point ``(k,)``.
    """

    deleted: np.ndarray
    accuracy: np.ndarray

    @property
    def area(self) -> float:
        """Area under accuracy against the deleted fraction (0 to 1): lower is better."""
        fraction = self.deleted / self.deleted[-1]
        heights = (self.accuracy[1:] + self.accuracy[:-1]) / 2
        return float(np.sum(heights * np.diff(fraction)))


def deletion_curve(
    predict: Callable[[np.ndarray], np.ndarray],
    X: np.ndarray,
    y: np.ndarray,
    scores: np.ndarray,
    step: int = 4,
    baseline: float | np.ndarray = 0.0,
) -> DeletionCurve:
    """Delete each sample's highest-scoring features ``step`` at a time; measure accuracy.

    Args:
        predict: labels for a batch shaped like ``X`` (e.g. ``clf.predict``).
        X: samples ``(n, *shape)``.
        y: their true labels ``(n,)``.
        scores: one score per feature ``(n, *shape)``, higher deleted first (attributions, or
            random numbers for the reference curve).
        step: features deleted between two measurements.
        baseline: the value a deleted feature is set to: a number, or one sample
            ``shape`` of values (e.g. ``clf.attribution_baseline()``).

    Returns:
        The :class:`DeletionCurve`, from nothing deleted to everything.
    """
    X = np.asarray(X, dtype=np.float32)
    scores = np.asarray(scores, dtype=np.float64)
    if scores.shape != X.shape:
        raise ValueError(f"scores have shape {scores.shape}; expected X's shape {X.shape}.")
    if len(X) == 0 or len(X) != len(y):
        raise ValueError(f"need as many labels as samples (> 0); got {len(X)} and {len(y)}.")
    if int(step) < 1:
        raise ValueError(f"step must be a positive int; got {step!r}.")
    flat = X.reshape(len(X), -1).copy()
    absent = np.broadcast_to(np.asarray(baseline, dtype=np.float32), X.shape[1:]).reshape(-1)
    order = np.argsort(-scores.reshape(len(X), -1), axis=1, kind="stable")
    n_features = flat.shape[1]
    points = sorted({*range(0, n_features, int(step)), n_features})
    rows = np.arange(len(X))[:, None]
    accuracy = []
    done = 0
    for point in points:
        flat[rows, order[:, done:point]] = absent[order[:, done:point]]
        done = point
        accuracy.append(float(np.mean(predict(flat.reshape(X.shape)) == np.asarray(y))))
    return DeletionCurve(np.asarray(points, dtype=float), np.asarray(accuracy))


def random_scores(shape: tuple[int, ...], seed: int = 0) -> np.ndarray:
    """Uniform random scores ``shape``: the deletion curve's reference ordering."""
    return np.random.default_rng(seed).random(shape)


def rank_correlation(first: np.ndarray, second: np.ndarray) -> float:
    """Mean over samples of the Spearman rank correlation between two attributions.

    Args:
        first, second: attributions of the same samples ``(n, *shape)``, signed as the method
            gives them.

    Returns:
        The mean correlation; samples where either attribution is constant count as 0.
    """
    a = np.asarray(first, dtype=np.float64).reshape(len(first), -1)
    b = np.asarray(second, dtype=np.float64).reshape(len(second), -1)
    if a.shape != b.shape or len(a) == 0:
        raise ValueError(f"attributions must share a non-empty shape; got {a.shape}, {b.shape}.")
    values = []
    for u, v in zip(a, b, strict=True):
        if np.ptp(u) == 0 or np.ptp(v) == 0:
            values.append(0.0)
            continue
        values.append(float(spearmanr(u, v).statistic))
    return float(np.mean(values))


def reinitialised(module: torch.nn.Module, seed: int = 1) -> torch.nn.Module:
    """A copy of ``module`` with every layer's parameters drawn afresh: the model-randomisation
    check's network.

    Layers with ``reset_parameters`` (linear, convolution, normalisation) are re-initialised;
    buffers without it, such as a backbone's input scaling, are kept, so the copy sees inputs
    as the trained network does. ``module`` itself is not touched.
    """
    twin = copy.deepcopy(module)
    generator_state = torch.random.get_rng_state()
    torch.manual_seed(seed)
    try:
        for layer in twin.modules():
            if layer is not twin and hasattr(layer, "reset_parameters"):
                layer.reset_parameters()
    finally:
        torch.random.set_rng_state(generator_state)
    return twin
