"""Tutorial 02 — unsupervised learning: an autoencoder on digits, for compression and anomalies.

Run:
    python tutorials/02_autoencoder_digits.py                 # about 10 s on a laptop CPU
    python tutorials/02_autoencoder_digits.py --max-epochs 5 --out runs/tutorial02

What you will see, top to bottom:
1. the data: 1,797 digits as 64-value vectors, pixel values 0..16, labels kept aside (the
   autoencoder never sees them; we use them only to colour plots and to pick an anomaly);
2. compression: an ``AutoEncoder`` squeezes each digit into 8 numbers and rebuilds it; its test
   reconstruction error is compared with PCA's using the same 8 numbers;
3. the latent space: the 8-D codes drawn in 2-D, coloured by the labels it never saw;
4. anomaly detection: trained without any 7s, the autoencoder rebuilds 7s badly — its
   reconstruction error separates them from normal digits (AUROC), better than PCA;
5. reuse: the encoder is a shared Backbone — saved, and handed to a supervised Classifier.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass, fields
from pathlib import Path

import numpy as np
from sklearn.decomposition import PCA
from sklearn.metrics import roc_auc_score

from paradigms.backbones import save_backbone
from paradigms.data import load_digits, train_test_split_stratified
from paradigms.report import plot_latent_scatter, plot_learning_curves, plot_reconstructions
from paradigms.supervised import Classifier
from paradigms.unsupervised import AutoEncoder


@dataclass
class Config:
    seed: int = 0
    latent_dim: int = 8
    kind: str = "plain"  # or "contrastive" (the estimator's default), "denoising", "masked"...
    max_epochs: int = 30
    anomaly_digit: int = 7
    out: str = "runs/tutorial02"


def parse_config() -> Config:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    for f in fields(Config):
        parser.add_argument(
            f"--{f.name.replace('_', '-')}", type=type(f.default), default=f.default
        )
    return Config(**vars(parser.parse_args()))


def pca_errors(train: np.ndarray, data: np.ndarray, k: int) -> np.ndarray:
    """Per-sample PCA reconstruction MSE: the linear baseline."""
    pca = PCA(k).fit(train)
    return ((pca.inverse_transform(pca.transform(data)) - data) ** 2).mean(axis=1)


def main(cfg: Config) -> dict[str, float]:
    out = Path(cfg.out)
    out.mkdir(parents=True, exist_ok=True)

    # 1. data (labels only for evaluation)
    X, y = load_digits()
    X_train, X_test, y_train, y_test = train_test_split_stratified(X, y, random_state=cfg.seed)

    # 2. compression: 64 values -> latent_dim numbers -> 64 values
    ae = AutoEncoder(
        latent_dim=cfg.latent_dim, kind=cfg.kind, max_epochs=cfg.max_epochs, random_state=cfg.seed
    )
    ae.fit(X_train)
    codes = ae.transform(X_test)
    rebuilt = ae.inverse_transform(codes)
    mse = float(np.mean((rebuilt - X_test) ** 2))
    mse_pca = float(np.mean(pca_errors(X_train, X_test, cfg.latent_dim)))
    print(
        f"codes {codes.shape}; test MSE autoencoder {mse:.3f} vs PCA({cfg.latent_dim}) "
        f"{mse_pca:.3f} (pixel units 0..16; ratio {mse / mse_pca:.2f})"
    )
    plot_learning_curves(ae.history_, out / "learning_curves.png")
    plot_reconstructions(
        X_test.reshape(-1, 8, 8), rebuilt.reshape(-1, 8, 8), out / "reconstructions.png"
    )

    # 3. the latent space, coloured by labels the model never saw
    plot_latent_scatter(codes, out / "latent.png", labels=y_test)

    # 4. anomaly detection: no 7s in training; do 7s reconstruct worse?
    normal = y_train != cfg.anomaly_digit
    detector = AutoEncoder(
        latent_dim=cfg.latent_dim, kind=cfg.kind, max_epochs=cfg.max_epochs, random_state=cfg.seed
    ).fit(X_train[normal])
    is_anomaly = (y_test == cfg.anomaly_digit).astype(int)
    auroc = roc_auc_score(is_anomaly, detector.reconstruction_error(X_test))
    auroc_pca = roc_auc_score(is_anomaly, pca_errors(X_train[normal], X_test, cfg.latent_dim))
    print(
        f"anomaly detection of unseen {cfg.anomaly_digit}s: AUROC autoencoder {auroc:.3f} "
        f"vs PCA {auroc_pca:.3f} (1.0 = perfect, 0.5 = chance)"
    )

    # 5. the encoder is a Backbone: save it, and let a classifier use it as frozen features
    path = save_backbone(ae.encoder_, out / "digits_encoder.safetensors")
    probe = Classifier(backbone=str(path), freeze_backbone=True, max_epochs=20, random_state=0)
    accuracy = probe.fit(X_train, y_train).score(X_test, y_test)
    print(f"a linear classifier on the {cfg.latent_dim}-D codes: test accuracy {accuracy:.3f}")
    print(f"encoder saved to {path}; plots in {out}/")
    return {
        "mse": mse,
        "mse_pca": mse_pca,
        "auroc": auroc,
        "auroc_pca": auroc_pca,
        "probe_accuracy": accuracy,
    }


if __name__ == "__main__":
    main(parse_config())
