"""Tutorial 06 — few labels, many unlabelled images: semi-supervised learning on digits.

Run:
    python tutorials/06_few_labels.py                     # about 5 minutes on two CPU cores
    python tutorials/06_few_labels.py --steps 100 --draws 1 --ae-epochs 10 --out runs/tutorial06

What you will see, top to bottom:
1. the data: 1,347 training digits of which we keep only 5 labels per class (50 labels); the
   other 1,297 keep their images but lose their labels (``y = -1``, scikit-learn's convention);
2. the labels alone: a ``Classifier`` trained on the 50 labelled images, and scikit-learn's
   ``SVC`` on the same 50;
3. the unlabelled images too: the same ``Classifier`` given all 1,347 rows with ``-1`` for the
   missing labels learns from them (confident predictions on slightly shifted images become
   targets for strongly distorted ones: FixMatch-style), next to scikit-learn's
   ``LabelSpreading``, which spreads the 50 labels over a neighbour graph of all images;
4. pretraining that transfers: an ``AutoEncoder`` with its defaults learns codes from the
   1,347 images without labels (reconstruction, plus codes that agree across small warps of an
   image and of its nearest neighbours); its ``encoder_`` starts a ``Classifier`` trained on
   the 50 labels alone, which keeps the encoder nearly fixed, as the encoder advises;
5. the label-efficiency curve: accuracy against labels per class for all of these, several
   label draws each, as a PNG and a CSV;
6. anomalies: an ``AutoEncoder`` trained without any 7s scores 7s as anomalous; its default
   score adds the distance to the nearest training codes (compared by angle) to the distance
   to the nearest training image, next to the reconstruction error alone and to that nearest
   image distance alone (the strongest simple baseline).
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass, fields
from pathlib import Path

import numpy as np
from sklearn.metrics import roc_auc_score
from sklearn.neighbors import NearestNeighbors
from sklearn.preprocessing import MinMaxScaler
from sklearn.semi_supervised import LabelSpreading
from sklearn.svm import SVC

from paradigms.data import draw_labels_per_class, load_digits, train_test_split_stratified
from paradigms.supervised import Classifier, label_efficiency
from paradigms.unsupervised import AutoEncoder


@dataclass
class Config:
    seed: int = 0
    labels_per_class: int = 5
    steps: int = 1000  # optimizer steps of each semi-supervised fit
    draws: int = 2  # label draws per point of the curve
    anomaly_digit: int = 7
    ae_epochs: int = 100  # passes of each AutoEncoder fit (100 = its default on these images)
    out: str = "runs/tutorial06"


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

    # 1. data: keep K labels per class of the training split, hide the rest (-1)
    X, y = load_digits(images=True)  # (1797, 1, 8, 8), pixel values 0..16
    X_tr, X_te, y_tr, y_te = train_test_split_stratified(X, y, test_size=0.25, random_state=0)
    labelled, hidden = draw_labels_per_class(y_tr, cfg.labels_per_class, cfg.seed)
    y_few = y_tr.copy()
    y_few[hidden] = -1
    print(f"{len(labelled)} labelled and {len(hidden)} unlabelled training images")

    # 2. the labels alone
    alone = Classifier(random_state=cfg.seed).fit(X_tr[labelled], y_tr[labelled])
    pixels = MinMaxScaler().fit(X_tr.reshape(len(X_tr), -1))
    flat_tr, flat_te = (pixels.transform(a.reshape(len(a), -1)) for a in (X_tr, X_te))
    svc = SVC().fit(flat_tr[labelled], y_tr[labelled])
    scores = {
        "Classifier, labels alone": alone.score(X_te, y_te),
        "SVC, labels alone": svc.score(flat_te, y_te),
    }

    # 3. the unlabelled images too: unlabelled_label=-1 says that y == -1 marks them (without
    #    it, -1 would be a class like any other)
    semi = Classifier(unlabelled_label=-1, semi_supervised_steps=cfg.steps, random_state=cfg.seed)
    semi.fit(X_tr, y_few)
    spreading = LabelSpreading(kernel="knn", n_neighbors=7).fit(flat_tr, y_few)
    scores["Classifier, semi-supervised"] = semi.score(X_te, y_te)
    scores["LabelSpreading"] = spreading.score(flat_te, y_te)
    print(f"classes_ = {list(semi.classes_)} (never -1); {semi.n_unlabelled_} unlabelled rows used")
    for name, value in scores.items():
        print(f"test accuracy with {cfg.labels_per_class} labels per class, {name}: {value:.4f}")

    # 4. pretraining that transfers: codes learnt without labels start the classifier
    ae = AutoEncoder(max_epochs=cfg.ae_epochs, random_state=cfg.seed).fit(X_tr)  # no labels
    reused = Classifier(backbone=ae.encoder_, random_state=cfg.seed)
    reused.fit(X_tr[labelled], y_tr[labelled])
    print(
        f"AutoEncoder ({ae.kind}) encoder -> Classifier on the labels alone: "
        f"{reused.score(X_te, y_te):.4f} (from scratch {scores['Classifier, labels alone']:.4f}; "
        f"the encoder advises fine-tuning it at {ae.encoder_.fine_tune_lr_scale}x the head's rate)"
    )

    # 5. the label-efficiency curve: every method, several draws, CSV + PNG
    budgets = sorted({1, cfg.labels_per_class})
    curve = label_efficiency(
        X_tr,
        y_tr,
        X_te,
        y_te,
        [*budgets, "all"],
        draws=cfg.draws,
        random_state=cfg.seed,
        classifier_params={"semi_supervised_steps": cfg.steps},
        progress=True,
    )
    curve.to_csv(out / "label_efficiency.csv")
    curve.plot(out / "label_efficiency.png")
    print(f"label-efficiency curve: {out / 'label_efficiency.png'}, {out / 'label_efficiency.csv'}")

    # 6. anomalies: train without one digit, score it
    normal = y_tr != cfg.anomaly_digit
    ae = AutoEncoder(max_epochs=cfg.ae_epochs, random_state=cfg.seed).fit(X_tr[normal])
    test = np.concatenate([X_te[y_te != cfg.anomaly_digit], X[y == cfg.anomaly_digit]])
    truth = np.r_[
        np.zeros((y_te != cfg.anomaly_digit).sum()), np.ones((y == cfg.anomaly_digit).sum())
    ]
    auroc = roc_auc_score(truth, ae.anomaly_scores(test))
    auroc_recon = roc_auc_score(truth, ae.reconstruction_error(test))
    flat_normal = X_tr[normal].reshape(int(normal.sum()), -1)
    nearest = NearestNeighbors(n_neighbors=1).fit(flat_normal)
    auroc_pixels = roc_auc_score(truth, nearest.kneighbors(test.reshape(len(test), -1))[0][:, 0])
    print(
        f"AUROC for unseen {cfg.anomaly_digit}s: default anomaly score {auroc:.4f}, "
        f"reconstruction error alone {auroc_recon:.4f}, distance to the nearest training "
        f"image {auroc_pixels:.4f}"
    )
    return {**scores, "anomaly_auroc": auroc}


if __name__ == "__main__":
    main(parse_config())
