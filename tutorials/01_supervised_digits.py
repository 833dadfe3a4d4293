"""Tutorial 01 — supervised learning: classify 8x8 handwritten digits with a small CNN.

Run:
    python tutorials/01_supervised_digits.py                  # about 5 s on a laptop CPU
    python tutorials/01_supervised_digits.py --max-epochs 5 --out runs/tutorial01

What you will see, top to bottom:
1. the data: 1,797 grey 8x8 images with raw pixel values 0..16 (no scaling needed: the
   backbone learns and keeps its own input standardisation);
2. the model: ``Classifier(backbone="auto")`` picks the library's CNN backbone for images;
3. training with the shared engine (one-cycle learning rate, per-epoch history);
4. evaluation on a held-out test split, a confusion matrix and learning curves;
5. saving the trained backbone — the object every other paradigm can reuse — and loading it
   back to check it computes exactly the same features.
"""

from __future__ import annotations

import argparse
import time
from dataclasses import dataclass, fields
from pathlib import Path

import numpy as np
import torch

from paradigms.backbones import load_backbone, save_backbone
from paradigms.data import load_digits, train_test_split_stratified
from paradigms.report import plot_confusion_matrix, plot_learning_curves
from paradigms.supervised import Classifier


@dataclass
class Config:
    seed: int = 0
    max_epochs: int = 30
    batch_size: int = 64
    lr: float = 3e-3
    test_size: float = 0.25
    out: str = "runs/tutorial01"


def parse_config() -> Config:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    for f in fields(Config):
        parser.add_argument(
            f"--{f.name.replace('_', '-')}", type=type(f.default), default=f.default
        )
    return Config(**vars(parser.parse_args()))


def main(cfg: Config) -> dict[str, float]:
    out = Path(cfg.out)
    out.mkdir(parents=True, exist_ok=True)

    # 1. data: images (n, 1, 8, 8), labels 0..9; a stratified 75/25 split
    X, y = load_digits(images=True)
    X_train, X_test, y_train, y_test = train_test_split_stratified(
        X, y, test_size=cfg.test_size, random_state=cfg.seed
    )
    print(f"train {X_train.shape}, test {X_test.shape}, pixel range {X.min():.0f}..{X.max():.0f}")

    # 2. model: backbone="auto" -> CNN for images; random_state seeds init, shuffling, everything
    clf = Classifier(
        backbone="auto",
        max_epochs=cfg.max_epochs,
        batch_size=cfg.batch_size,
        lr=cfg.lr,
        validation_fraction=0.1,
        random_state=cfg.seed,
    )

    # 3. train
    started = time.perf_counter()
    clf.fit(X_train, y_train)
    seconds = time.perf_counter() - started
    last = clf.history_[-1]
    print(
        f"trained {len(clf.history_)} epochs in {seconds:.1f} s; "
        f"final train loss {last['train_loss']:.4f}, val accuracy {last['val_accuracy']:.4f}"
    )

    # 4. evaluate
    accuracy = clf.score(X_test, y_test)
    proba = clf.predict_proba(X_test[:3])
    print(f"test accuracy {accuracy:.4f}")
    print(
        "first three test images, most likely class and its probability:",
        [(int(c), round(float(p), 3)) for c, p in zip(proba.argmax(1), proba.max(1), strict=True)],
    )
    plot_learning_curves(clf.history_, out / "learning_curves.png")
    plot_confusion_matrix(y_test, clf.predict(X_test), path=out / "confusion_matrix.png")

    # 5. the backbone is the reusable part: save it, load it, and check it is the same network
    path = save_backbone(clf.backbone_, out / "digits_cnn.safetensors")
    reloaded = load_backbone(path)
    with torch.no_grad():
        batch = torch.from_numpy(X_test[:8])
        same = torch.allclose(clf.backbone_.eval()(batch), reloaded(batch))
    print(f"saved backbone to {path} ({reloaded.out_features} features); reload identical: {same}")
    print(f"plots in {out}/")
    return {
        "test_accuracy": float(accuracy),
        "fit_seconds": seconds,
        "reload_identical": float(same),
    }


if __name__ == "__main__":
    np.set_printoptions(precision=3)
    main(parse_config())
