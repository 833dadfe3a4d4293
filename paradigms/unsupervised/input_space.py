"""The space in which anomaly scores measure distances between inputs.

Features in one unit (pixels, one sensor's readings) keep their relative scale, which carries
what they show: standardised one by one, digits' near-empty border pixels would weigh as much
as the strokes (digits as vectors, one digit held out: nearest-neighbour AUROC 0.988 in the
data's units, 0.937 standardised). A table's columns are in unrelated units (age, income, a
ratio) and one of them would decide every distance: there each feature is standardised, and its
rank among the training rows (as a normal score) is added beside it, so that a skewed column
counts by its order as well as its size (breast cancer, the malignant class normal: 0.72 with
the standardised features alone, 0.87 with their ranks added; ``benchmarks/RESULTS.md``,
anomaly).
"""

from __future__ import annotations

import numpy as np
from scipy.special import ndtri

#: features whose spreads differ by more than this factor (the largest standard deviation over
#: the median one) are taken to be in different units. Measured: digits as vectors 1.5 at
#: most, iris 1.5; wine, breast cancer and synthetic tables in unrelated units 80 to 7,000
UNITS_SPREAD = 10.0


class InputSpace:
    """Maps flattened inputs ``(n, d)`` to the rows that input-space distances compare.

    ``fit`` decides from the training rows whether their features share a unit
    (:data:`UNITS_SPREAD`): then rows are centred and divided by one common scale (``(n, d)``);
    otherwise each feature is standardised and its rank-based normal score among the training
    rows is appended (``(n, 2d)``; beyond the training range the score continues linearly in
    standard deviations, so that far-out values stay far).
    """

    def fit(self, inputs: np.ndarray) -> InputSpace:
        """Learn the scaling from training rows ``inputs`` ``(n, d)``."""
        inputs = np.asarray(inputs, dtype=np.float64)
        self.mean_ = inputs.mean(axis=0)
        std = inputs.std(axis=0)
        varying = std > 1e-12 * (1.0 + np.abs(inputs).max(initial=0.0))
        spread = std[varying]
        self.units_differ_ = bool(varying.any() and spread.max() > UNITS_SPREAD * np.median(spread))
        if self.units_differ_:
            self.scale_ = np.where(varying, std, 1.0)
            self.sorted_ = np.sort(inputs, axis=0)  # (n, d): each feature's training values
        else:
            self.scale_ = np.full_like(std, spread.mean() if varying.any() else 1.0)
        return self

    def transform(self, inputs: np.ndarray) -> np.ndarray:
        """Rows ``(n, d)`` (one unit) or ``(n, 2d)`` (units differ) to measure distances in."""
        inputs = np.asarray(inputs, dtype=np.float64)
        scaled = (inputs - self.mean_) / self.scale_
        if not self.units_differ_:
            return scaled
        return np.hstack([scaled, self._rank_scores(inputs)])

    def _rank_scores(self, inputs: np.ndarray) -> np.ndarray:
        """Each value's normal score from its rank among the training values, ``(n, d)``."""
        n = len(self.sorted_)
        scores = np.empty_like(inputs)
        for j in range(inputs.shape[1]):
            column = self.sorted_[:, j]
            below = np.searchsorted(column, inputs[:, j], side="left")
            above = np.searchsorted(column, inputs[:, j], side="right")
            scores[:, j] = ndtri((below + above + 1) / (2 * n + 2))  # mid-rank, in (0, 1)
        low, high = self.sorted_[0], self.sorted_[-1]
        beyond = np.maximum(inputs - high, 0) - np.maximum(low - inputs, 0)
        return scores + beyond / self.scale_
