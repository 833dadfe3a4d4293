"""Anomaly scores of a fitted autoencoder: reconstruction error, distances in its code space,
and their combination. Higher = more anomalous.

Measured on digits, one digit held out at a time (``benchmarks/RESULTS.md``, few labels and
anomalies): the reconstruction error and the k-nearest-neighbour distance between codes each
miss anomalies the other catches, and their sum (each divided by its median on the training
rows) ranks best of the four; the Mahalanobis distance of the codes ranks *below chance* there,
because the encoder maps unfamiliar inputs towards the centre of the code distribution.
"""

from __future__ import annotations

import numpy as np
from sklearn.covariance import EmpiricalCovariance
from sklearn.neighbors import NearestNeighbors

#: the scores ``AutoEncoder(anomaly_score=...)`` offers
ANOMALY_SCORES = ("reconstruction", "knn", "mahalanobis", "reconstruction+knn")


class AnomalyScorer:
    """Scores samples from their codes ``(n, latent_dim)`` and reconstruction errors ``(n,)``.

    Args:
        method: one of :data:`ANOMALY_SCORES`:
            ``"reconstruction"``: the reconstruction error;
            ``"knn"``: mean Euclidean distance to the ``n_neighbors`` nearest training codes;
            ``"mahalanobis"``: squared Mahalanobis distance to the training codes' mean;
            ``"reconstruction+knn"``: reconstruction error / its training median + knn
            distance / its training median (a training row's own code left out).
        n_neighbors: neighbours for ``"knn"`` (fewer when there are fewer training rows).
    """

    def __init__(self, method: str, n_neighbors: int = 5) -> None:
        if method not in ANOMALY_SCORES:
            raise ValueError(
                f"anomaly_score={method!r} is unknown; choose one of {ANOMALY_SCORES}."
            )
        if isinstance(n_neighbors, bool) or not isinstance(n_neighbors, (int, np.integer)):
            raise TypeError(f"n_neighbors must be an int >= 1; got {n_neighbors!r}.")
        if n_neighbors < 1:
            raise ValueError(f"n_neighbors must be an int >= 1; got {n_neighbors!r}.")
        self.method = method
        self.n_neighbors = int(n_neighbors)

    def fit(self, codes: np.ndarray, errors: np.ndarray) -> AnomalyScorer:
        """Learn from the training rows' codes ``(n, latent_dim)`` and errors ``(n,)``."""
        if self.method in ("knn", "reconstruction+knn"):
            k = max(1, min(self.n_neighbors, len(codes) - 1))
            self._neighbors = NearestNeighbors(n_neighbors=k).fit(codes)
        if self.method == "mahalanobis":
            self._covariance = EmpiricalCovariance(assume_centered=False).fit(codes)
        if self.method == "reconstruction+knn":
            own = self._neighbors.kneighbors()[0].mean(axis=1)  # each row without itself
            self._knn_median = _positive_median(own)
            self._error_median = _positive_median(errors)
        return self

    def _knn(self, codes: np.ndarray) -> np.ndarray:
        return self._neighbors.kneighbors(codes)[0].mean(axis=1)

    def score(self, codes: np.ndarray, errors: np.ndarray) -> np.ndarray:
        """Anomaly scores ``(n,)`` of rows with ``codes`` and reconstruction ``errors``."""
        if self.method == "reconstruction":
            return np.asarray(errors, dtype=np.float64)
        if self.method == "knn":
            return self._knn(codes)
        if self.method == "mahalanobis":
            return self._covariance.mahalanobis(codes)
        return errors / self._error_median + self._knn(codes) / self._knn_median


def _positive_median(values: np.ndarray) -> float:
    """The median of ``values``, or 1 where it is not positive (all-equal training rows)."""
    median = float(np.median(values))
    return median if np.isfinite(median) and median > 0 else 1.0
