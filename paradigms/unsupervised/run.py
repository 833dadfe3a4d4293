"""One autoencoder run end to end: data -> fit -> evaluate -> run directory with plots.

This is what ``paradigms unsupervised`` and the tour call.
"""

from __future__ import annotations

import os
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.decomposition import PCA

from paradigms._common.rundir import prepare_run_dir, write_summary
from paradigms.backbones import save_backbone
from paradigms.data import load_dataset, train_test_split_stratified
from paradigms.report import (
    plot_image_grid,
    plot_latent_scatter,
    plot_latent_traversal,
    plot_learning_curves,
    plot_reconstruction_errors,
    plot_reconstructions,
    write_caption,
    write_html_report,
)
from paradigms.unsupervised.autoencoder import AutoEncoder
from paradigms.unsupervised.run_config import UnsupervisedRunConfig


def _pca_baseline(X_tr: np.ndarray, X_te: np.ndarray, k: int) -> float:
    """Test MSE (data units) of PCA with ``k`` components: the linear baseline."""
    flat_tr, flat_te = X_tr.reshape(len(X_tr), -1), X_te.reshape(len(X_te), -1)
    k = min(k, flat_tr.shape[1], len(flat_tr))
    pca = PCA(k).fit(flat_tr)
    return float(np.mean((pca.inverse_transform(pca.transform(flat_te)) - flat_te) ** 2))


#: test samples shown with the highest reconstruction error
WORST = 8


def _plot_inside(
    ae: AutoEncoder, X_te: np.ndarray, plots: Path, config: UnsupervisedRunConfig
) -> None:
    """Latent traversals and the worst reconstructions, with their captions."""
    traversal = ae.latent_traversal(X_te)
    write_caption(
        plot_latent_traversal(
            traversal.decoded,
            traversal.values,
            traversal.units,
            plots / "latent_traversal.png",
            title=f"{config.dataset}: latent traversal ({config.kind})",
        ),
        "Each row decodes one typical test code while a single latent unit moves from two "
        "standard deviations below its mean to two above (the number under each picture); "
        "what changes along a row is what that unit encodes.",
    )
    errors = ae.reconstruction_error(X_te)
    worst = np.argsort(-errors, kind="stable")[:WORST]
    rebuilt = ae.inverse_transform(ae.transform(X_te[worst]))
    write_caption(
        plot_reconstruction_errors(
            X_te[worst], rebuilt, errors[worst], plots / "worst_reconstructions.png"
        ),
        f"The {len(worst)} test samples the autoencoder rebuilds worst (error: mean squared "
        f"error over the data's variance; test mean {errors.mean():.2f}), their "
        "reconstructions and where the two differ: the samples its anomaly score flags first.",
    )


def build_autoencoder(
    config: UnsupervisedRunConfig,
    *,
    run_dir: Path | None = None,
    resume: bool = False,
    progress: bool = False,
) -> AutoEncoder:
    """The AutoEncoder an unsupervised run trains, from its config."""
    return AutoEncoder(
        backbone=config.backbone,
        latent_dim=config.latent_dim,
        kind=config.kind,
        max_epochs=config.max_epochs,
        batch_size=config.batch_size,
        lr=config.lr,
        validation_fraction=config.validation_fraction,
        device=config.device,
        random_state=config.seed,
        verbose=int(progress),
        run_dir=run_dir,
        resume=resume,
    )


def run_unsupervised(
    config: UnsupervisedRunConfig,
    out: str | os.PathLike[str] | None = None,
    resume: bool = False,
    progress: bool = True,
) -> dict[str, Any]:
    """Train an autoencoder, evaluate it on a held-out split, and write a run directory.

    The directory holds ``config.json``, ``metrics.csv``, ``checkpoint.pt``,
    ``encoder.safetensors`` (a backbone any paradigm can reuse), ``summary.json``,
    ``report.html`` and ``plots/``: learning curves, originals vs reconstructions, the latent
    space in 2-D coloured by label when the data has labels, latent traversals, the test
    samples reconstructed worst with their error maps, and for VAEs a grid of samples.

    Returns:
        The summary dict, including ``run_dir``.
    """
    data = load_dataset(config.dataset, True, config.target, config.image_size)
    run_dir = prepare_run_dir(
        out, f"unsupervised-{Path(config.dataset).stem}", asdict(config), resume
    )
    labels = data.y if data.y is not None else np.zeros(len(data.X), dtype=np.int64)
    X_tr, X_te, _, y_te = train_test_split_stratified(
        data.X, labels, test_size=config.test_size, random_state=config.seed
    )
    ae = build_autoencoder(config, run_dir=run_dir, resume=resume, progress=progress)
    started = time.perf_counter()
    ae.fit(X_tr)
    fit_seconds = time.perf_counter() - started
    codes = ae.transform(X_te)
    recon = ae.inverse_transform(codes)
    test_mse = float(np.mean((recon - X_te) ** 2))
    summary: dict[str, Any] = {
        "dataset": config.dataset,
        "kind": config.kind,
        "latent_dim": config.latent_dim,
        "backbone": ae.encoder_.config.kwargs.get("base") if ae.encoder_.config else "custom",
        "n_train": len(X_tr),
        "n_test": len(X_te),
        "epochs_run": len(ae.history_),
        "batch_size": ae.batch_size_,  # what "auto" resolved to
        "fit_seconds": round(fit_seconds, 3),
        "test_mse": test_mse,
        "test_reconstruction_error": float(ae.reconstruction_error(X_te).mean()),
        f"pca{config.latent_dim}_test_mse": _pca_baseline(X_tr, X_te, config.latent_dim),
    }
    plots = run_dir / "plots"
    write_caption(
        plot_learning_curves(ae.history_, plots / "learning_curves.png"),
        "Reconstruction loss per epoch on the training (and validation) data.",
    )
    plot_reconstructions(
        X_te,
        recon,
        plots / "reconstructions.png",
        title=f"{config.dataset}: test originals (top) vs reconstructions",
    )
    write_caption(
        plots / "reconstructions.png",
        f"Test samples and what the {config.latent_dim}-number code rebuilds of them.",
    )
    has_labels = data.y is not None and data.task == "classification"
    plot_latent_scatter(
        codes,
        plots / "latent.png",
        labels=y_te if has_labels else None,
        title=f"{config.dataset}: {config.latent_dim}-D codes of the test split",
    )
    write_caption(
        plots / "latent.png",
        "The test codes in two dimensions"
        + (", coloured by the labels the autoencoder never saw." if has_labels else "."),
    )
    _plot_inside(ae, X_te, plots, config)
    if config.kind == "variational" and X_tr.ndim >= 3:
        write_caption(
            plot_image_grid(
                ae.sample(32, random_state=config.seed),
                plots / "samples.png",
                title="samples from the prior, decoded",
            ),
            "New samples: random codes from the prior, decoded.",
        )
    save_backbone(
        ae.encoder_,
        run_dir / "encoder.safetensors",
        extra={"trained_by": "unsupervised", "kind": config.kind, "dataset": config.dataset},
    )
    summary["run_dir"] = str(run_dir)
    write_summary(run_dir, summary)
    write_html_report(
        run_dir,
        title=f"paradigms unsupervised: {config.dataset} ({config.kind})",
        summary=summary,
        config=asdict(config),
    )
    return summary
