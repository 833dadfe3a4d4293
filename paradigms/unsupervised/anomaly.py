"""Anomaly scores of a fitted autoencoder: distances to the training inputs and in its code
space, reconstruction error, and combinations. Higher = more anomalous.

The default, ``"knn+input"``, was chosen on images, vectors and tables at once
(``benchmarks/RESULTS.md``, anomaly; digits one digit held out at a time, as 8x8 images and as
64 values; iris, wine, breast cancer and a synthetic table, one class normal):

- the input part, the mean distance to the :data:`INPUT_NEIGHBOURS` nearest training rows in
  the :class:`~paradigms.unsupervised.input_space.InputSpace` (features in one unit keep their
  scale; a table's unrelated units are standardised and ranked), carries most of it: in raw
  units one wide column decided every distance on the tables (mean AUROC 0.815 there before);
- the code part, the distance to the 5 nearest training codes, adds to it on images, whose
  contrastive codes learn that a shifted or rotated image is the same image (digits as images:
  mean 0.9929 and at least the nearest training image on 10 of 10 digits at weight 0.5,
  against 0.9881 for the input part alone and 0.9920 at weight 1), but not on vectors and
  tables, where the views are noise and the codes of a few dozen rows are noise too (digits as
  vectors 0.9890 without the codes, 0.9867 at weight 0.5; tables 0.9051 against 0.8988):
  :data:`CODE_WEIGHTS`;
- the reconstruction error of a contrastive autoencoder ranks worst of them (its decoder learns
  from warped views); the Mahalanobis distance of the codes far below the rest, because the
  encoder maps unfamiliar inputs towards the centre of the code distribution.

Contrastive codes are trained on cosine similarities, so their neighbours are found by angle
(``code_metric="cosine"``, which ``AutoEncoder`` picks for that kind): the code-space distance
alone reaches 0.984 by angle against 0.976 by Euclidean distance on digits images.
"""

from __future__ import annotations

import numpy as np
from sklearn.covariance import EmpiricalCovariance
from sklearn.neighbors import NearestNeighbors

from paradigms.unsupervised.input_space import InputSpace

#: the scores ``AutoEncoder(anomaly_score=...)`` offers
ANOMALY_SCORES = ("knn+input", "reconstruction", "knn", "mahalanobis", "reconstruction+knn")
#: how code-space neighbour distances are measured: ``"cosine"`` (the Euclidean distance
#: between unit-length codes) for codes trained on cosine similarities, as the contrastive
#: kind's are; ``"euclidean"`` for the others
CODE_METRICS = ("euclidean", "cosine")


#: training rows the input distance of ``"knn+input"`` averages over: 2 ranked best over the
#: three layouts together (1 and 3 to 5 each lost on one of them)
INPUT_NEIGHBOURS = 2
#: the code distance's weight in ``"knn+input"``, by layout (see the module's docstring)
CODE_WEIGHTS = {"images": 0.5, "vectors": 0.0}


def code_weight_for(sample_ndim: int) -> float:
    """The code weight (:data:`CODE_WEIGHTS`) for samples of ``sample_ndim`` dimensions
    (1: vectors and table rows; 2 or 3: images)."""
    return CODE_WEIGHTS["vectors" if sample_ndim == 1 else "images"]


def code_metric_for(kind: str) -> str:
    """The code metric (:data:`CODE_METRICS`) for an autoencoder ``kind``'s codes."""
    return "cosine" if kind == "contrastive" else "euclidean"


class AnomalyScorer:
    """Scores samples from their codes ``(n, latent_dim)``, reconstruction errors ``(n,)`` and
    inputs ``(n, d)`` (flattened, in the data's units).

    Args:
        method: one of :data:`ANOMALY_SCORES`:
            ``"knn+input"``: the mean distance to the ``input_neighbors`` nearest training
            inputs (in the :class:`~paradigms.unsupervised.input_space.InputSpace`) / its
            training median, plus
            ``code_weight`` x the knn code distance / its training median (a training row left
            out of its own neighbours in both);
            ``"reconstruction"``: the reconstruction error;
            ``"knn"``: mean Euclidean distance to the ``n_neighbors`` nearest training codes
            (between unit-length codes with ``code_metric="cosine"``);
            ``"mahalanobis"``: squared Mahalanobis distance to the training codes' mean;
            ``"reconstruction+knn"``: reconstruction error / its training median + knn
            distance / its training median (a training row's own code left out).
        n_neighbors: neighbours for ``"knn"`` (fewer when there are fewer training rows).
        code_metric: one of :data:`CODE_METRICS`, for the code-space neighbour distances
            (``"mahalanobis"`` always sees the raw codes).
        code_weight: the code distance's weight in ``"knn+input"`` (``None``: 1).
        input_neighbors: training inputs the input distance of ``"knn+input"`` averages over
            (fewer when there are fewer training rows).
    """

    def __init__(
        self,
        method: str,
        n_neighbors: int = 5,
        code_metric: str = "euclidean",
        code_weight: float | None = None,
        input_neighbors: int = INPUT_NEIGHBOURS,
    ) -> None:
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
        self.code_weight = 1.0 if code_weight is None else float(code_weight)
        self.input_neighbors = int(input_neighbors)

    def _neighbour_codes(self, codes: np.ndarray) -> np.ndarray:
        """``codes`` ``(n, latent_dim)`` as the neighbour distances see them."""
        codes = np.asarray(codes, dtype=np.float64)
        if getattr(self, "code_metric", "euclidean") == "cosine":  # older pickles: Euclidean
            return codes / np.maximum(np.linalg.norm(codes, axis=1, keepdims=True), 1e-12)
        return codes

    def fit(self, codes: np.ndarray, errors: np.ndarray, inputs: np.ndarray) -> AnomalyScorer:
        """Learn from the training rows' codes ``(n, latent_dim)``, errors ``(n,)`` and
        flattened inputs ``(n, d)``."""
        # "knn+input" with no code weight (vectors, tables) never looks at the codes
        uses_codes = self.method != "knn+input" or self.code_weight != 0
        if uses_codes and self.method in ("knn", "reconstruction+knn", "knn+input"):
            k = max(1, min(self.n_neighbors, len(codes) - 1))
            self._neighbors = NearestNeighbors(n_neighbors=k).fit(self._neighbour_codes(codes))
        if self.method == "mahalanobis":
            self._covariance = EmpiricalCovariance(assume_centered=False).fit(codes)
        if uses_codes and self.method in ("reconstruction+knn", "knn+input"):
            own = self._neighbors.kneighbors()[0].mean(axis=1)  # each row without itself
            self._knn_median = _positive_median(own)
        if self.method == "reconstruction+knn":
            self._error_median = _positive_median(errors)
        if self.method == "knn+input":
            self._input_space = InputSpace().fit(inputs)
            k = max(1, min(self.input_neighbors, len(inputs) - 1))
            rows = self._input_space.transform(inputs)
            self._nearest_input = NearestNeighbors(n_neighbors=k).fit(rows)
            own = self._nearest_input.kneighbors()[0].mean(axis=1) if len(inputs) > 1 else [1.0]
            self._input_median = _positive_median(np.asarray(own))
        return self

    def _knn(self, codes: np.ndarray) -> np.ndarray:
        return self._neighbors.kneighbors(self._neighbour_codes(codes))[0].mean(axis=1)

    def score(self, codes: np.ndarray, errors: np.ndarray, inputs: np.ndarray) -> np.ndarray:
        """Anomaly scores ``(n,)`` of rows with ``codes``, reconstruction ``errors`` and
        flattened ``inputs``."""
        if self.method == "knn+input":
            rows = self._input_space.transform(inputs)
            nearest = self._nearest_input.kneighbors(rows)[0].mean(axis=1)
            code = self._knn(codes) / self._knn_median if self.code_weight else 0.0
            return nearest / self._input_median + self.code_weight * code
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
