"""Latent traversals: decode one code while a single latent unit moves, to see what it encodes."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

#: units shown when none are named (the ones that vary most over the data)
DEFAULT_UNITS = 8


@dataclass(frozen=True)
class LatentTraversal:
    """Decoded samples along each traversed unit.

    Attributes:
        decoded: ``(len(units), steps, *input_shape)``: row ``i`` moves unit ``units[i]``.
        values: the unit's value at each step ``(len(units), steps)``.
        units: the traversed latent units.
        reference: the code every row starts from ``(latent_dim,)``: the code of the sample
            nearest the data's mean code.
    """

    decoded: np.ndarray
    values: np.ndarray
    units: list[int]
    reference: np.ndarray


def latent_traversal(
    estimator: Any,
    X: Any,
    units: Sequence[int] | None = None,
    steps: int = 7,
    span: float = 2.0,
) -> LatentTraversal:
    """Traverse latent units of a fitted autoencoder over the codes of ``X``.

    Each unit moves from ``mean - span * std`` to ``mean + span * std`` of its values over
    ``X``'s codes, all other units kept at the reference code's.

    Args:
        estimator: a fitted :class:`~paradigms.unsupervised.AutoEncoder`.
        X: samples whose codes set the reference and the ranges ``(n, ...)``, ``n >= 2``.
        units: the units to move (default: the :data:`DEFAULT_UNITS` with the largest spread).
        steps: decoded samples per unit (>= 2).
        span: how many standard deviations each side of the mean.

    Raises:
        ValueError: unknown units, fewer than 2 steps, a non-positive span, too few samples.
    """
    codes = estimator.transform(X)
    if len(codes) < 2:
        raise ValueError(
            f"X needs at least 2 samples to measure the codes' spread; got {len(codes)}."
        )
    if int(steps) < 2 or not np.isfinite(span) or span <= 0:
        raise ValueError(f"steps must be >= 2 and span > 0; got steps={steps!r}, span={span!r}.")
    width = codes.shape[1]
    spread = codes.std(axis=0)
    if units is None:
        chosen = [int(u) for u in np.argsort(-spread, kind="stable")[: min(DEFAULT_UNITS, width)]]
    else:
        chosen = [int(u) for u in units]
        bad = [u for u in chosen if not 0 <= u < width]
        if bad or not chosen:
            raise ValueError(
                f"units must be a non-empty list of latent units in 0..{width - 1}; "
                f"got {list(units)!r}."
            )
    mean = codes.mean(axis=0)
    reference = codes[np.argmin(((codes - mean) ** 2).sum(axis=1))]
    values = np.stack(
        [
            np.linspace(mean[u] - span * spread[u], mean[u] + span * spread[u], int(steps))
            for u in chosen
        ]
    )
    grid = np.repeat(reference[None, None, :], len(chosen), axis=0).repeat(int(steps), axis=1)
    for row, unit in enumerate(chosen):
        grid[row, :, unit] = values[row]
    decoded = estimator.inverse_transform(grid.reshape(-1, width))
    decoded = decoded.reshape(len(chosen), int(steps), *decoded.shape[1:])
    return LatentTraversal(decoded, values, chosen, reference)
