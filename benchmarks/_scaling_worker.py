"""One fit for ``benchmarks/scaling.py``, alone or as one rank under torchrun.

    python benchmarks/_scaling_worker.py MODEL EPOCHS THREADS OUT.json [RUN_DIR]

Fits ``MODEL`` (``cnn``: the default Classifier on digits images; ``finetuner``: a FineTuner,
timm resnet10t from scratch) for ``EPOCHS`` epochs with ``THREADS`` torch threads; rank 0
writes the seconds between consecutive ends of epochs to ``OUT.json`` (``EPOCHS - 1``
values; each holds one epoch of training and the previous epoch's checkpoint, if any). With
``RUN_DIR`` the fit writes its per-epoch atomic checkpoint there.
"""

from __future__ import annotations

import json
import os
import sys
import time

import numpy as np
import torch

from paradigms.data import load_digits, train_test_split_stratified
from paradigms.engine import Callback
from paradigms.supervised import Classifier
from paradigms.transfer import FineTuner


class EpochClock(Callback):
    """Records when each epoch ended (before the checkpoint, which runs after the others)."""

    def __init__(self) -> None:
        self.ends: list[float] = []

    def on_epoch_end(self, state: object) -> None:
        self.ends.append(time.perf_counter())


def main(model: str, epochs: int, threads: int, out: str, run_dir: str | None) -> None:
    torch.set_num_threads(threads)
    X, y = load_digits(images=True)
    X_tr, _, y_tr, _ = train_test_split_stratified(X, y, test_size=0.25, random_state=0)
    clock = EpochClock()
    common = dict(
        max_epochs=epochs, random_state=0, run_dir=run_dir, device="cpu", callbacks=[clock]
    )
    if model == "cnn":
        estimator = Classifier(augment=False, **common)
    else:
        estimator = FineTuner(model="resnet10t", weights=None, augment=False, **common)
    estimator.fit(X_tr, y_tr)
    if int(os.environ.get("RANK", "0")) == 0:
        with open(out, "w", encoding="utf-8") as handle:
            json.dump(np.diff(clock.ends).tolist(), handle)


if __name__ == "__main__":
    args = sys.argv[1:]
    main(args[0], int(args[1]), int(args[2]), args[3], args[4] if len(args) > 4 else None)
