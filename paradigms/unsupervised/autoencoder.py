"""``AutoEncoder``: representation learning without labels, as a scikit-learn transformer."""

from __future__ import annotations

import math
import os
import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np
import torch
from sklearn.base import ClassNamePrefixFeaturesOutMixin, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from paradigms._common.seeding import seed_everything
from paradigms.backbones import Backbone, ProjectedBackbone, project_backbone
from paradigms.backbones.onnx import example_inputs
from paradigms.engine import Callback
from paradigms.engine.estimator import (
    NeuralEstimator,
    TuningTarget,
    seed_from_random_state,
    to_numpy,
)
from paradigms.engine.onnx_export import OnnxGraph, Reshaped
from paradigms.unsupervised._network import KINDS, AutoEncoderNet, ReconstructionLoss
from paradigms.unsupervised.anomaly import AnomalyScorer, code_metric_for, code_weight_for
from paradigms.unsupervised.budget import (
    CONTRASTIVE_BATCH,
    CONTRASTIVE_PASSES,
    CONTRASTIVE_STEPS,
    RECONSTRUCTION_BATCH,
    RECONSTRUCTION_EPOCHS,
)
from paradigms.unsupervised.contrastive import (
    FINE_TUNE_LR_SCALE,
    NEIGHBOURS,
    NeighbourContrastiveLoss,
    neighbour_table,
    unit_code_scale,
)
from paradigms.unsupervised.decoders import mirror_decoder
from paradigms.unsupervised.traversal import LatentTraversal, latent_traversal


class AutoEncoder(ClassNamePrefixFeaturesOutMixin, TransformerMixin, NeuralEstimator):
    """An autoencoder whose encoder is a shared :class:`~paradigms.backbones.Backbone`.

    ``transform`` gives the latent code, ``inverse_transform`` decodes it,
    ``anomaly_scores``/``score_samples`` score anomalies (``anomaly_score`` picks how), and
    ``encoder_`` is a backbone (the base network plus a projection to ``latent_dim``) that
    ``Classifier(backbone=...)``, ``save_backbone`` and every other paradigm accept.

    Reconstruction loss: squared error in the data's own units divided by the data's mean
    per-feature (per-channel for images) variance, so every feature/pixel counts equally and
    1.0 means "no better than predicting the mean". The decoder output is linear and mapped
    back with the encoder's normalisation statistics, so any data range works (raw 0..16
    digits, 0..255 pixels, unscaled tables).

    Args:
        backbone: encoder base: ``"auto"`` (mlp for vectors, cnn for images), a registered
            name, a saved backbone path or a ``Backbone`` (copied, never trained in place).
        backbone_kwargs: factory kwargs when ``backbone`` is a name.
        latent_dim: size of the code (>= 1; 32 by default). A plain autoencoder with
            ``latent_dim`` at least the input size can learn the identity (a warning says so).
        kind: how the encoder learns (``benchmarks/RESULTS.md``, fewlabel section, measures
            each as a classifier's initialisation):
            ``"contrastive"`` (the default): reconstruction plus codes that agree across random
            views of each sample and of its nearest neighbours
            (:mod:`paradigms.unsupervised.contrastive`), the one that helps a classifier;
            ``"plain"``: reconstruction alone (the smallest reconstruction error);
            ``"denoising"``: rebuild each sample from a noisy copy;
            ``"masked"``: rebuild each sample with half its patches (features) hidden;
            ``"variational"``: a VAE (``sample`` draws new data).
            Views of images are shifted, rotated and zoomed: where a sample's position or
            orientation carries its meaning (game frames for an agent), use ``"plain"``.
        noise: input noise std for ``"denoising"``, in units of each feature's std.
        beta: KL weight for ``"variational"`` (beta-VAE when != 1).
        anomaly_score: what :meth:`anomaly_scores` measures: ``"knn+input"`` (the mean
            distance to the 2 nearest training inputs, features in unrelated units
            standardised and ranked, plus, for images, half the distance to the nearest
            training codes, each divided by its training median; chosen on images, vectors and
            tables: :mod:`paradigms.unsupervised.anomaly`),
            ``"reconstruction+knn"`` (the same with the reconstruction error in place of the
            input distance), ``"reconstruction"``, ``"knn"`` or ``"mahalanobis"`` (see
            :mod:`paradigms.unsupervised.anomaly`). ``"knn+input"`` keeps the training inputs.
        n_neighbors: training codes the ``knn`` distance averages over (by angle, the
            distance between unit-length codes, for ``"contrastive"``, whose loss compares
            codes by cosine similarity; Euclidean for the other kinds).
        max_epochs: passes over the data; ``"auto"``: the kind's budget
            (:mod:`paradigms.unsupervised.budget`): 30, or for ``"contrastive"`` enough for
            600 steps (between 10 and 300 passes; 100 on 1,347 digits).
        batch_size: samples per step; ``"auto"``: 16 (``benchmarks/RESULTS.md``,
            "AutoEncoder variants", compares it with 100 epochs of batch 64), or 256 for
            ``"contrastive"``, whose loss contrasts every sample with the rest of its batch.
        lr, weight_decay, validation_fraction, early_stopping,
        device, random_state, verbose, run_dir, resume, callbacks: as for
            :class:`paradigms.supervised.Classifier`.

    Fitted attributes: ``encoder_``, ``model_``, ``history_``, ``n_features_in_``,
    ``input_shape_``, ``batch_size_`` (what ``batch_size="auto"`` resolved to).
    """

    def __init__(
        self,
        backbone: str | os.PathLike[str] | Backbone = "auto",
        backbone_kwargs: dict[str, Any] | None = None,
        latent_dim: int = 32,
        kind: str = "contrastive",
        noise: float = 0.2,
        beta: float = 1.0,
        anomaly_score: str = "knn+input",
        n_neighbors: int = 5,
        max_epochs: int | str = "auto",
        batch_size: int | str = "auto",
        lr: float = 3e-3,
        weight_decay: float = 1e-4,
        validation_fraction: float = 0.0,
        early_stopping: bool | int = False,
        device: str = "auto",
        random_state: int | np.random.RandomState | None = None,
        verbose: int = 0,
        run_dir: str | os.PathLike[str] | None = None,
        resume: bool = False,
        callbacks: Sequence[Callback] | None = None,
    ) -> None:
        self.backbone = backbone
        self.backbone_kwargs = backbone_kwargs
        self.latent_dim = latent_dim
        self.kind = kind
        self.noise = noise
        self.beta = beta
        self.anomaly_score = anomaly_score
        self.n_neighbors = n_neighbors
        self.max_epochs = max_epochs
        self.batch_size = batch_size
        self.lr = lr
        self.weight_decay = weight_decay
        self.validation_fraction = validation_fraction
        self.early_stopping = early_stopping
        self.device = device
        self.random_state = random_state
        self.verbose = verbose
        self.run_dir = run_dir
        self.resume = resume
        self.callbacks = callbacks

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.input_tags.three_d_array = True
        return tags

    # ------------------------------------------------------------------ fit
    def _check_params(self, n_values: int) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"kind={self.kind!r} is unknown; choose one of {KINDS}.")
        if not isinstance(self.latent_dim, (int, np.integer)) or self.latent_dim < 1:
            raise ValueError(f"latent_dim must be an int >= 1; got {self.latent_dim!r}.")
        if not (math.isfinite(self.noise) and self.noise >= 0):
            raise ValueError(f"noise must be a finite number >= 0; got {self.noise!r}.")
        if not (math.isfinite(self.beta) and self.beta >= 0):
            raise ValueError(f"beta must be a finite number >= 0; got {self.beta!r}.")
        if self.kind == "plain" and self.latent_dim >= n_values:
            warnings.warn(
                f"latent_dim={self.latent_dim} is at least the input size ({n_values} values): "
                "a plain autoencoder can learn the identity and the code need not be useful. "
                "Use a smaller latent_dim, or kind='denoising' / 'variational'.",
                UserWarning,
                stacklevel=3,
            )

    def _budget(self, n_rows: int) -> tuple[int, int]:
        """``(max_epochs, batch_size)`` with ``"auto"`` resolved for ``kind`` and ``n_rows``."""
        contrastive = self.kind == "contrastive"
        batch = self.batch_size
        if batch == "auto":
            batch = min(CONTRASTIVE_BATCH, max(1, n_rows)) if contrastive else RECONSTRUCTION_BATCH
        elif isinstance(batch, bool) or not isinstance(batch, (int, np.integer)) or batch < 1:
            raise ValueError(f"batch_size must be 'auto' or an int >= 1; got {batch!r}.")
        if contrastive:
            low, high = CONTRASTIVE_PASSES
            epochs = self._resolve_epochs(
                n_rows, low, high, steps=CONTRASTIVE_STEPS, batch_size=int(batch)
            )
            return epochs, batch
        epochs = RECONSTRUCTION_EPOCHS
        return self._resolve_epochs(n_rows, epochs, epochs, batch_size=int(batch)), batch

    def _encoder(self, X: np.ndarray) -> ProjectedBackbone:
        base = self._build_backbone(X)
        if base.config is None:
            return ProjectedBackbone(base, int(self.latent_dim))
        return project_backbone(base, int(self.latent_dim))

    def fit(self, X: Any, y: Any = None) -> AutoEncoder:
        """Learn codes of ``X`` ``(n, ...)`` as ``kind`` says; ``y`` is ignored. Returns
        ``self``."""
        X = self._validate_inputs(X, reset=True)
        self._check_params(int(np.prod(X.shape[1:])))
        scorer = AnomalyScorer(
            self.anomaly_score,
            self.n_neighbors,
            code_metric=code_metric_for(self.kind),  # contrastive codes: neighbours by angle
            code_weight=code_weight_for(X.ndim - 1),  # the codes help on images only
        )
        seed = seed_from_random_state(self.random_state)
        seed_everything(seed)
        encoder = self._encoder(X)
        decoder = mirror_decoder(encoder.base, int(self.latent_dim), encoder.in_shape)
        model = AutoEncoderNet(encoder, decoder, kind=self.kind, noise=self.noise)
        # The data's own mean per-feature (per-channel) variance: the normaliser's scale is
        # not it (constant features get scale 1; a pretrained backbone keeps foreign stats).
        axes = (0,) if X.ndim == 2 else (0, *range(2, X.ndim))
        unit_variance = float(X.var(axis=axes, dtype=np.float64).mean())
        if not (math.isfinite(unit_variance) and unit_variance > 0):
            unit_variance = 1.0  # constant data: plain squared error
        self._loss = ReconstructionLoss(
            unit_variance, beta=self.beta, variational=self.kind == "variational"
        )
        epochs, batch = self._budget(len(X))
        self.batch_size_ = int(batch)  # what "auto" resolved to
        if self.kind == "contrastive":
            self._fit_contrastive(model, X, seed, epochs, batch)
        else:
            train, val = self._split_validation(X, X, seed, stratify=False)
            self.history_ = self._train(
                model,
                self._loss,
                (train[0],),
                None if val is None else (val[0],),
                seed,
                max_epochs=epochs,
                batch_size=batch,
            )
        self.model_ = model
        self.encoder_ = model.encoder
        self.anomaly_scorer_ = scorer.fit(self._codes(X), self._errors(X), _flat(X))
        self._n_features_out = int(self.latent_dim)  # for get_feature_names_out
        return self

    def _fit_contrastive(
        self, model: AutoEncoderNet, X: np.ndarray, seed: int, epochs: int, batch: int
    ) -> None:
        """Train with :class:`NeighbourContrastiveLoss`: batches are ``(X[rows], rows)``, each
        row's neighbours found among the training rows; then give the code unit scale."""
        rows = np.arange(len(X), dtype=np.int64)
        train, val = self._split_validation(X, rows, seed, stratify=False)
        with torch.no_grad():
            standardised = model.encoder.normalizer(torch.from_numpy(X)).numpy()
        neighbours = neighbour_table(standardised, np.sort(train[1]), NEIGHBOURS)
        loss = NeighbourContrastiveLoss(model, torch.from_numpy(X), neighbours, self._loss, seed)
        self.history_ = self._train(
            model, loss, train, val, seed, max_epochs=epochs, batch_size=batch
        )
        codes = self._forward_batched(model.encoder, X).double().numpy()
        unit_code_scale(model, float(codes.std(axis=0).mean()))
        model.encoder.fine_tune_lr_scale = FINE_TUNE_LR_SCALE

    # ------------------------------------------------------------------ use
    def _codes(self, X: np.ndarray) -> np.ndarray:
        return self._forward_batched(self.encoder_, X).double().numpy()

    def _errors(self, X: np.ndarray) -> np.ndarray:
        recon = self._forward_batched(_Reconstructor(self.model_), X)
        err = ((recon - torch.from_numpy(X)) ** 2).flatten(1).mean(dim=1)
        return (err.double() / self._loss.unit_variance).numpy()

    def transform(self, X: Any) -> np.ndarray:
        """Latent codes ``(n, latent_dim)`` (the posterior mean for a VAE)."""
        check_is_fitted(self)
        return self._codes(self._validate_inputs(X, reset=False))

    def inverse_transform(self, Z: Any) -> np.ndarray:
        """Decode ``Z`` ``(n, latent_dim)`` to samples shaped like the training data."""
        check_is_fitted(self)
        Z = np.asarray(to_numpy(Z), dtype=np.float32)
        if Z.ndim != 2 or Z.shape[1] != self.latent_dim:
            raise ValueError(
                f"inverse_transform expects codes of shape (n, latent_dim) = "
                f"(n, {self.latent_dim}) "
                f"as returned by transform; got shape {Z.shape}."
            )
        if not np.isfinite(Z).all():
            raise ValueError("Z contains NaN or infinity; pass finite latent codes.")
        decoded = self._forward_batched(_Decoder(self.model_), np.ascontiguousarray(Z))
        return decoded.double().numpy().reshape(len(Z), *self.input_shape_)

    def reconstruction_error(self, X: Any) -> np.ndarray:
        """Per-sample reconstruction error ``(n,)``: higher = more anomalous.

        Mean squared error in data units divided by the training data's mean variance.
        """
        check_is_fitted(self)
        return self._errors(self._validate_inputs(X, reset=False))

    def anomaly_scores(self, X: Any) -> np.ndarray:
        """Per-sample anomaly scores ``(n,)``, higher = more anomalous, as ``anomaly_score``
        says (by default reconstruction error and code-space neighbour distance combined)."""
        check_is_fitted(self)
        X = self._validate_inputs(X, reset=False)
        return self.anomaly_scorer_.score(self._codes(X), self._errors(X), _flat(X))

    def score_samples(self, X: Any) -> np.ndarray:
        """``-anomaly_scores(X)``: scikit-learn's convention, lower = more abnormal."""
        return -self.anomaly_scores(X)

    def score(self, X: Any, y: Any = None) -> float:
        """Mean of :meth:`score_samples` (higher is better)."""
        return float(np.mean(self.score_samples(X)))

    #: what tune_estimator searches (search_spaces.json), monitors and which way
    tuning_target = TuningTarget("autoencoder", "val_loss", "minimize")

    _onnx_parts = ("encoder", "decoder", "autoencoder")

    def _onnx_graph(self, part: str) -> OnnxGraph:
        """``encoder``: ``input`` -> ``code`` ``(batch, latent_dim)``; ``decoder``: ``code`` ->
        ``reconstruction`` shaped like the training samples; ``autoencoder``: ``input`` ->
        ``reconstruction``."""
        shape = self.input_shape_
        if part == "encoder":
            return OnnxGraph(self.encoder_, ("code",), backbone=self.encoder_)
        if part == "autoencoder":
            module = Reshaped(_Reconstructor(self.model_), shape)
            return OnnxGraph(module, ("reconstruction",), backbone=self.encoder_)
        inputs = example_inputs(self.encoder_.normalizer, self.encoder_.in_shape)
        codes = torch.from_numpy(self._codes(inputs.numpy()).astype(np.float32))
        module = Reshaped(_Decoder(self.model_), shape)
        return OnnxGraph(module, ("reconstruction",), input_name="code", example=codes)

    def latent_traversal(
        self, X: Any, units: Sequence[int] | None = None, steps: int = 7, span: float = 2.0
    ) -> LatentTraversal:
        """What each latent unit encodes: one code decoded while a single unit moves over
        ``mean ± span * std`` of its values on ``X``
        (:func:`~paradigms.unsupervised.traversal.latent_traversal`)."""
        check_is_fitted(self)
        return latent_traversal(self, X, units=units, steps=steps, span=span)

    def sample(self, n_samples: int = 16, random_state: int | None = None) -> np.ndarray:
        """Draw new samples from a VAE's prior: ``z ~ N(0, I)``, decoded; ``(n, *input_shape)``."""
        check_is_fitted(self)
        if self.kind != "variational":
            raise ValueError(
                "sample() needs a generative model: kind='variational' "
                f"(this one is {self.kind!r})."
            )
        if int(n_samples) < 1:
            raise ValueError(f"n_samples must be >= 1; got {n_samples!r}.")
        generator = torch.Generator().manual_seed(seed_from_random_state(random_state))
        z = torch.randn(int(n_samples), int(self.latent_dim), generator=generator)
        return self.inverse_transform(z.numpy())


def _flat(X: np.ndarray) -> np.ndarray:
    """Samples as rows ``(n, d)`` in the data's units, for input-space distances."""
    return X.reshape(len(X), -1)


class _Decoder(torch.nn.Module):
    """Adapter so batched inference can run the decoder alone."""

    def __init__(self, net: AutoEncoderNet) -> None:
        super().__init__()
        self.net = net

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        return self.net.decode(z)


class _Reconstructor(torch.nn.Module):
    """Adapter returning only the reconstruction (eval mode: no noise, VAE uses the mean)."""

    def __init__(self, net: AutoEncoderNet) -> None:
        super().__init__()
        self.net = net

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x).recon
