"""Anomaly scores of a fitted autoencoder: reconstruction error, distances in its code space
and to the training inputs, and combinations. Higher = more anomalous.

Measured on digits, one digit held out at a time (``benchmarks/RESULTS.md``, fewlabel
section): with the default contrastive autoencoder, the code-space neighbour distance and the
distance to the nearest training image each miss anomalies the other catches, and their sum
(each divided by its median on the training rows, ``"knn+input"``) ranks best; the
reconstruction error of a contrastive autoencoder ranks worst of them (its decoder learns
from warped views). The Mahalanobis distance of the codes ranks far below the rest, because
the encoder maps unfamiliar inputs towards the centre of the code distribution.

Contrastive codes are trained on cosine similarities, so their neighbours are found by angle
(``code_metric="cosine"``, which ``AutoEncoder`` picks for that kind): ``"knn+input"`` reaches
a mean AUROC of 0.992 by angle against 0.990 by Euclidean distance, the code-space distance
alone 0.984 against 0.976 (the held-out 1s: 0.956 against 0.864; the Euclidean figures of
``"knn"`` from the run before the change).
"""

from __future__ import annotations

import numpy as np
from sklearn.covariance import EmpiricalCovariance
from sklearn.neighbors import NearestNeighbors

#: the scores ``AutoEncoder(anomaly_score=...)`` offers
ANOMALY_SCORES = ("knn+input", "reconstruction", "knn", "mahalanobis", "reconstruction+knn")
#: how code-space neighbour distances are measured: ``"cosine"`` (the Euclidean distance
#: between unit-length codes) for codes trained on cosine similarities, as the contrastive
#: kind's are; ``"euclidean"`` for the others
CODE_METRICS = ("euclidean", "cosine")


def code_metric_for(kind: str) -> str:
    """The code metric (:data:`CODE_METRICS`) for an autoencoder ``kind``'s codes."""
    return "cosine" if kind == "contrastive" else "euclidean"


class AnomalyScorer:
    """Scores samples from their codes ``(n, latent_dim)``, reconstruction errors ``(n,)`` and
    inputs ``(n, d)`` (flattened, in the data's units).

    Args:
        method: one of :data:`ANOMALY_SCORES`:
            ``"knn+input"``: knn distance / its training median + the Euclidean distance to
            the nearest training input / its training median (a training row left out of its
            own neighbours in both);
            ``"reconstruction"``: the reconstruction error;
            ``"knn"``: mean Euclidean distance to the ``n_neighbors`` nearest training codes
            (between unit-length codes with ``code_metric="cosine"``);
            ``"mahalanobis"``: squared Mahalanobis distance to the training codes' mean;
            ``"reconstruction+knn"``: reconstruction error / its training median + knn
            distance / its training median (a training row's own code left out).
        n_neighbors: neighbours for ``"knn"`` (fewer when there are fewer training rows).
        code_metric: one of :data:`CODE_METRICS`, for the code-space neighbour distances
            (``"mahalanobis"`` always sees the raw codes).
    """

    def __init__(self, method: str, n_neighbors: int = 5, code_metric: str = "euclidean") -> None:
        if method not in ANOMALY_SCORES:
            raise ValueError(
                f"anomaly_score={method!r} is unknown; choose one of {ANOMALY_SCORES}."
            )
        if isinstance(n_neighbors, bool) or not isinstance(n_neighbors, (int, np.integer)):
            raise TypeError(f"n_neighbors must be an int >= 1; got {n_neighbors!r}.")
        if n_neighbors < 1:
            raise ValueError(f"n_neighbors must be an int >= 1; got {n_neighbors!r}.")
        if code_metric not in CODE_METRICS:
            raise ValueError(
                f"code_metric={code_metric!r} is unknown; choose one of {CODE_METRICS}."
            )
        self.method = method
        self.n_neighbors = int(n_neighbors)
        self.code_metric = code_metric

    def _neighbour_codes(self, codes: np.ndarray) -> np.ndarray:
        """``codes`` ``(n, latent_dim)`` as the neighbour distances see them."""
        codes = np.asarray(codes, dtype=np.float64)
        if getattr(self, "code_metric", "euclidean") == "cosine":  # older pickles: Euclidean
            return codes / np.maximum(np.linalg.norm(codes, axis=1, keepdims=True), 1e-12)
        return codes

    def fit(self, codes: np.ndarray, errors: np.ndarray, inputs: np.ndarray) -> AnomalyScorer:
        """Learn from the training rows' codes ``(n, latent_dim)``, errors ``(n,)`` and
        flattened inputs ``(n, d)``."""
        if self.method in ("knn", "reconstruction+knn", "knn+input"):
            k = max(1, min(self.n_neighbors, len(codes) - 1))
            self._neighbors = NearestNeighbors(n_neighbors=k).fit(self._neighbour_codes(codes))
        if self.method == "mahalanobis":
            self._covariance = EmpiricalCovariance(assume_centered=False).fit(codes)
        if self.method in ("reconstruction+knn", "knn+input"):
            own = self._neighbors.kneighbors()[0].mean(axis=1)  # each row without itself
            self._knn_median = _positive_median(own)
            self._error_median = _positive_median(errors)
        if self.method == "knn+input":
            self._nearest_input = NearestNeighbors(n_neighbors=1).fit(inputs)
            own = self._nearest_input.kneighbors()[0][:, 0] if len(inputs) > 1 else np.ones(1)
            self._input_median = _positive_median(own)
        return self

    def _knn(self, codes: np.ndarray) -> np.ndarray:
        return self._neighbors.kneighbors(self._neighbour_codes(codes))[0].mean(axis=1)

    def score(self, codes: np.ndarray, errors: np.ndarray, inputs: np.ndarray) -> np.ndarray:
        """Anomaly scores ``(n,)`` of rows with ``codes``, reconstruction ``errors`` and
        flattened ``inputs``."""
        if self.method == "knn+input":
            nearest = self._nearest_input.kneighbors(inputs)[0][:, 0]
            return self._knn(codes) / self._knn_median + nearest / self._input_median
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
