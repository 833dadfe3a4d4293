"""``paradigms tour``: every paradigm that exists, and the flows between them, on bundled data.

Only this module (with its parts :mod:`paradigms.tour_rl` and :mod:`paradigms.tour_pixels`),
:mod:`paradigms.cli` and :mod:`paradigms.export` may combine paradigms.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from paradigms._common.compute import measure_compute
from paradigms._common.files import write_json_atomic
from paradigms._common.rundir import new_run_dir
from paradigms.backbones import load_backbone, save_backbone
from paradigms.data import (
    draw_labels_per_class,
    load_digits,
    make_shapes,
    train_test_split_stratified,
)
from paradigms.report import explain_classifier, write_html_report
from paradigms.supervised import Classifier, make_baseline
from paradigms.supervised.run import SupervisedRunConfig, run_supervised
from paradigms.tour_pixels import (
    supervised_to_rl_step,
    transfer_to_rl_step,
    unsupervised_to_rl_step,
)
from paradigms.tour_rl import behaviour_cloning_step, rl_step
from paradigms.tour_step import TourStep
from paradigms.transfer import FineTuner
from paradigms.transfer.sources import (
    OFFLINE_IMAGENET_MODEL,
    missing_package_hint,
    packaged_weights_file,
)
from paradigms.unsupervised import AutoEncoder
from paradigms.unsupervised.run import UnsupervisedRunConfig, run_unsupervised

#: (dataset, what the step runs, how the protocol of RESULTS.md's "supervised" differs)
SUPERVISED_RUNS = (
    ("digits", "Classifier, cnn backbone, 8x8 digit images",
     "same split and seed 0; the tour holds out 10% for validation and trains "
     "30 epochs, the benchmark's defaults train on every training row"),
    ("wine", "Classifier, mlp backbone, raw tabular features",
     "seeds 0-4 with the defaults on every training row there; seed 0, 30 "
     "epochs, 10% held out for validation here"),
    ("diabetes", "Regressor, mlp backbone, raw tabular features",
     "the same run as its seed-0 goal row; the benchmark adds seeds 1-4 and "
     "5-fold cross-validation"),
)  # fmt: skip


def _supervised_step(
    root: Path, dataset: str, what: str, difference: str, epochs: int, progress: bool
) -> TourStep:
    summary = run_supervised(
        SupervisedRunConfig(dataset=dataset, max_epochs=epochs),
        out=root / f"supervised-{dataset}",
        progress=progress,
    )
    metric = "test_accuracy" if "test_accuracy" in summary else "test_r2"
    return TourStep(
        "supervised",
        f"{dataset}: {what}",
        f"{metric} = {summary[metric]:.4f}",
        summary["run_dir"],
        results_section="supervised",
        protocol_difference=difference,
    )


def _backbone_reuse_step(root: Path, epochs: int, labels_per_class: int = 5) -> TourStep:
    """A backbone trained on digits 0-4 is saved, loaded, and fine-tuned on a few 5-9 labels.

    Compared with the same Classifier trained from scratch on the same few labels; both
    numbers are the mean over three random draws of the labelled samples.
    """
    X, y = load_digits(images=True)
    source = y < 5
    clf = Classifier(max_epochs=epochs, random_state=0).fit(X[source], y[source])
    path = save_backbone(clf.backbone_, root / "digits0-4.backbone.safetensors")
    target_idx = np.flatnonzero(~source)
    reused_acc, scratch_acc = [], []
    for draw in range(3):
        few, rest = draw_labels_per_class(y, labels_per_class, draw, pool=target_idx)
        reused = Classifier(backbone=load_backbone(path), lr=1e-3, max_epochs=50, random_state=0)
        scratch = Classifier(max_epochs=50, random_state=0)
        reused_acc.append(reused.fit(X[few], y[few]).score(X[rest], y[rest]))
        scratch_acc.append(scratch.fit(X[few], y[few]).score(X[rest], y[rest]))
    return TourStep(
        "backbone reuse",
        f"digits 0-4 backbone -> digits 5-9 with {labels_per_class} labels/class",
        f"accuracy {np.mean(reused_acc):.4f} reused vs {np.mean(scratch_acc):.4f} from scratch",
        str(path),
        against=(float(np.mean(reused_acc)), float(np.mean(scratch_acc)), "scratch"),
        results_section="fewlabel",
        protocol_difference="its fine-tuning table's digits 0-4 -> 5-9 row: the Classifier's "
        "defaults there (lr 3e-3, about 300 steps), lr 1e-3 and 50 epochs here",
    )


def _unsupervised_step(root: Path, epochs: int, progress: bool) -> TourStep:
    summary = run_unsupervised(
        UnsupervisedRunConfig(dataset="digits", max_epochs=epochs),
        out=root / "unsupervised-digits",
        progress=progress,
    )
    pca = summary["pca8_test_mse"]
    return TourStep(
        "unsupervised",
        "digits: AutoEncoder, cnn encoder, 8-D code",
        f"test MSE {summary['test_mse']:.4f} vs PCA(8) {pca:.4f} "
        f"(ratio {summary['test_mse'] / pca:.2f})",
        summary["run_dir"],
        against=(summary["test_mse"], pca, "PCA(8)"),
        lower_is_better=True,
        results_section="unsupervised",
        protocol_difference="same split and 8-D code; an mlp on pixels / 16 there (so its "
        "MSE is 256x smaller), a cnn on the raw 0-16 images here",
    )


def _encoder_to_classifier_step(root: Path, quick: bool, labels_per_class: int = 5) -> TourStep:
    """Unsupervised -> supervised: an AutoEncoder with its defaults (the contrastive kind),
    trained on every training image without labels, gives its encoder to a default Classifier
    that sees only a few labels, against the same Classifier trained from scratch on them."""
    X, y = load_digits(images=True)
    X_tr, X_te, y_tr, y_te = train_test_split_stratified(X, y, test_size=0.25, random_state=0)
    budget = {"max_epochs": 30} if quick else {}
    ae = AutoEncoder(random_state=0, **budget).fit(X_tr)  # no labels
    path = save_backbone(ae.encoder_, root / "digits-autoencoder.encoder.safetensors")
    reused_acc, scratch_acc = [], []
    for draw in range(3):
        few, _ = draw_labels_per_class(y_tr, labels_per_class, draw)
        reused = Classifier(backbone=str(path), random_state=draw)
        scratch = Classifier(random_state=draw)
        reused_acc.append(reused.fit(X_tr[few], y_tr[few]).score(X_te, y_te))
        scratch_acc.append(scratch.fit(X_tr[few], y_tr[few]).score(X_te, y_te))
    return TourStep(
        "unsupervised -> supervised",
        f"default AutoEncoder's encoder -> default Classifier, {labels_per_class} labels/class",
        f"accuracy {np.mean(reused_acc):.4f} reused encoder vs {np.mean(scratch_acc):.4f} scratch",
        str(path),
        against=(float(np.mean(reused_acc)), float(np.mean(scratch_acc)), "scratch"),
        results_section="fewlabel",
        protocol_difference="its pretraining table, the same protocol"
        + ("; --quick trains the autoencoder for 30 passes, not 100" if quick else ""),
    )


def _few_labels_step(quick: bool, labels_per_class: int = 5) -> TourStep:
    """Few labels, many unlabelled images: the Classifier given every training digit with all
    but ``labels_per_class`` labels per class hidden (``y == -1``) against scikit-learn's
    LabelSpreading on the same rows and the same Classifier on the labels alone."""
    X, y = load_digits(images=True)
    X_tr, X_te, y_tr, y_te = train_test_split_stratified(X, y, test_size=0.25, random_state=0)
    labelled, hidden = draw_labels_per_class(y_tr, labels_per_class, 0)
    y_few = y_tr.copy()
    y_few[hidden] = -1
    semi = Classifier(
        unlabelled_label=-1, semi_supervised_steps=150 if quick else 1000, random_state=0
    )
    semi_acc = semi.fit(X_tr, y_few).score(X_te, y_te)
    alone = Classifier(random_state=0).fit(X_tr[labelled], y_tr[labelled]).score(X_te, y_te)
    spreading = make_baseline("label_spreading_knn")
    spreading.fit(X_tr.reshape(len(X_tr), -1), y_few)
    spread_acc = spreading.score(X_te.reshape(len(X_te), -1), y_te)
    return TourStep(
        "semi-supervised",
        f"digits, {labels_per_class} labels/class + {len(hidden)} unlabelled images",
        f"accuracy {semi_acc:.4f} semi-supervised Classifier vs {spread_acc:.4f} LabelSpreading "
        f"vs {alone:.4f} labels alone",
        against=(semi_acc, spread_acc, "LabelSpreading"),
        results_section="fewlabel",
        protocol_difference="the same fits as its 'Time, K=5, draw 0' table (full tour); its "
        "goal rows average 3 label draws",
    )


def _transfer_step(root: Path, quick: bool, labels_per_class: int = 5) -> TourStep:
    """Transfer: a timm resnet10t trained on digits 0-4 is saved as a weights file, loaded
    through timm's pretrained machinery, and fine-tuned on a few labels of digits 5-9,
    compared with the same FineTuner from scratch (mean over two draws of the labels)."""
    X, y = load_digits(images=True)
    source = y < 5
    pretrain = FineTuner(
        weights=None, max_epochs=3 if quick else 15, batch_size=64, random_state=0
    ).fit(X[source], y[source])
    path = pretrain.save_weights(root / "resnet10t-digits0-4.safetensors")
    target_idx = np.flatnonzero(~source)
    epochs: int | str = 30 if quick else "auto"
    tuned_acc, scratch_acc = [], []
    plots = root / "transfer-digits5-9" / "plots"
    for draw in range(2):
        few, rest = draw_labels_per_class(y, labels_per_class, draw, pool=target_idx)
        tuned = FineTuner(weights=str(path), max_epochs=epochs, random_state=0)
        scratch = FineTuner(weights=None, max_epochs=epochs, random_state=0)
        tuned_acc.append(tuned.fit(X[few], y[few]).score(X[rest], y[rest]))
        scratch_acc.append(scratch.fit(X[few], y[few]).score(X[rest], y[rest]))
        if draw == 0:  # what the fine-tuned network looks at, and where it still goes wrong
            explain_classifier(tuned, X[rest], y[rest], plots, n_checked=50)
    return TourStep(
        "transfer",
        f"timm resnet10t from digits 0-4 -> digits 5-9 with {labels_per_class} labels/class",
        f"accuracy {np.mean(tuned_acc):.4f} fine-tuned vs {np.mean(scratch_acc):.4f} scratch",
        str(path),
        plots=str(plots),
        against=(float(np.mean(tuned_acc)), float(np.mean(scratch_acc)), "scratch"),
        results_section="transfer",
        protocol_difference="its paradigms-trained-source row: same recipe and labels; 3 "
        "draws seeded by the draw there, draws 0-1 with random_state 0 here",
    )


def _imagenet_step(root: Path, quick: bool) -> TourStep:
    """Transfer from ImageNet: EfficientNet-Lite0 with the ImageNet weights that
    ``paradigms[pretrained]`` installs learns colour shapes from ONE labelled image per class,
    against the same model from scratch and SVC on pixels (on machines without the package,
    the step says what to install)."""
    if packaged_weights_file(OFFLINE_IMAGENET_MODEL) is None:
        return TourStep(
            "transfer",
            f"ImageNet {OFFLINE_IMAGENET_MODEL} -> shapes: skipped",
            missing_package_hint(OFFLINE_IMAGENET_MODEL),
        )
    X, y = make_shapes(600, size=64, channels=3, random_state=0)
    one, rest = draw_labels_per_class(y, 1, random_state=0)
    tuned = FineTuner(model=OFFLINE_IMAGENET_MODEL, weights="imagenet", random_state=0)
    tuned_acc = tuned.fit(X[one], y[one]).score(X[rest], y[rest])
    path = tuned.save_weights(root / "efficientnet-lite0-shapes.safetensors")
    scratch = FineTuner(
        model=OFFLINE_IMAGENET_MODEL,
        weights=None,
        max_epochs=50 if quick else "auto",
        random_state=0,
    )
    scratch_acc = scratch.fit(X[one], y[one]).score(X[rest], y[rest])
    svc_acc = (
        make_baseline("svc")
        .fit(X[one].reshape(3, -1), y[one])
        .score(X[rest].reshape(len(rest), -1), y[rest])
    )
    return TourStep(
        "transfer",
        f"ImageNet {OFFLINE_IMAGENET_MODEL} (installed package) -> colour shapes, 1 label/class",
        f"accuracy {tuned_acc:.4f} ({tuned.strategy_.replace('_', ' ')}) vs {scratch_acc:.4f} "
        f"scratch vs {svc_acc:.4f} SVC on pixels",
        str(path),
        against=(tuned_acc, max(scratch_acc, svc_acc), "best of scratch, SVC"),
        results_section="pretrained",
        protocol_difference="colour shapes at 1 label/class: 900 images split 600/300 and 3 "
        "draws there; 600 images, draw 0, the other 597 tested here",
    )


def run_tour(
    quick: bool = False,
    out: str | None = None,
    progress: bool = False,
    echo: Callable[[str], Any] = lambda _: None,
) -> Path:
    """Run the tour; ``echo`` receives each finished step as a line of text.

    Args:
        quick: fewer epochs (about a quarter of the time).
        out: the tour's folder (default ``runs/tour-<timestamp>``).
        progress: progress bars for each training run.
        echo: called with a one-line description of each finished step.

    Returns:
        The tour folder, holding ``tour.json``, ``report.html`` and one folder per run.
    """
    root = new_run_dir(out, "tour")
    epochs = 8 if quick else 30
    steps: list[TourStep] = []

    def record(make_step: Callable[..., TourStep], *args: Any) -> None:
        with measure_compute() as cost:
            step = make_step(*args)
        steps.append(step.record_cost(cost))
        echo(format_step(step))

    for dataset, what, difference in SUPERVISED_RUNS:
        record(_supervised_step, root, dataset, what, difference, epochs, progress)
    record(_unsupervised_step, root, epochs, progress)
    record(_few_labels_step, quick)
    record(_encoder_to_classifier_step, root, quick)
    record(_backbone_reuse_step, root, epochs)
    record(_transfer_step, root, quick)
    record(_imagenet_step, root, quick)
    record(rl_step, root, quick, progress)
    record(supervised_to_rl_step, root, quick)
    record(unsupervised_to_rl_step, root, quick)
    record(transfer_to_rl_step, root, quick)
    record(behaviour_cloning_step, root, quick)
    summary = {
        f"{i + 1}. {s.paradigm}: {s.what}": f"{s.result} ({s.cost_line()})"
        for i, s in enumerate(steps)
    }
    write_json_atomic(root / "tour.json", [s.__dict__ for s in steps])
    galleries = {
        f"{i + 1}. {s.paradigm}: {s.what}": folder
        for i, s in enumerate(steps)
        if (folder := s.plot_folder()) is not None
    }
    write_html_report(
        root,
        title="paradigms tour",
        summary=summary,
        tables={
            "Against the baselines": comparison_table(steps),
            "What each step cost": cost_table(steps),
            "The same measurements in benchmarks/RESULTS.md": benchmark_table(steps),
        },
        config={"quick": quick, "epochs": epochs},
        metrics_csv=None,
        galleries=galleries,
    )
    return root


def comparison_table(steps: list[TourStep]) -> tuple[list[str], list[list[str]]]:
    """Headers and rows: each step with a baseline, both numbers, and whether it beat it."""
    rows = [
        [f"{i + 1}. {s.paradigm}", f"{s.against[0]:.4g}", f"{s.against[1]:.4g} ({s.against[2]})",
         ("lower is better: " if s.lower_is_better else "") + s.verdict()]
        for i, s in enumerate(steps)
        if s.against is not None
    ]  # fmt: skip
    return ["step", "this library", "baseline", "beats the baseline"], rows


def cost_table(steps: list[TourStep]) -> tuple[list[str], list[list[str]]]:
    """Headers and rows: each step's seconds, torch optimizer steps and network sizes
    (scikit-learn baselines fit without a torch optimizer and count as seconds only)."""
    rows = [
        [f"{i + 1}. {s.paradigm}", f"{s.seconds:.1f}", f"{s.optimizer_steps:,}", str(s.networks),
         f"{s.parameters:,}" if s.networks else "-"]
        for i, s in enumerate(steps)
    ]  # fmt: skip
    headers = ["step", "seconds", "optimizer steps", "networks trained", "parameters, largest"]
    return headers, rows


def benchmark_table(steps: list[TourStep]) -> tuple[list[str], list[list[str]]]:
    """Headers and rows: each step's RESULTS.md section and how the protocols differ."""
    rows = [
        [f"{i + 1}. {s.paradigm}", s.results_section or "none", s.protocol_difference]
        for i, s in enumerate(steps)
    ]
    return ["step", "RESULTS.md section", "how its protocol differs from the tour's"], rows


def format_step(step: TourStep) -> str:
    """``[paradigm] what: result (seconds, optimizer steps, parameters)``."""
    return f"[{step.paradigm}] {step.what}: {step.result} ({step.cost_line()})"
