"""Tutorial 03 — transfer learning: fine-tune a pretrained timm model on a handful of labels.

Run:
    python tutorials/03_transfer_timm.py                       # about two minutes on a laptop CPU
    python tutorials/03_transfer_timm.py --source-epochs 2 --target-epochs 20 --out runs/t03

Everything is offline. Instead of downloading ImageNet weights we make our own "pretrained"
model, exactly as a hub model was made, only smaller:
1. source task: train timm's ``resnet10t`` on digits 0-4 (plenty of labels);
2. save its weights as a ``.safetensors`` file — the same kind of file the hub serves;
3. target task: digits 5-9 with only ``labels_per_class`` labelled images per digit. Load the
   file through timm's pretrained machinery (``FineTuner(weights=path)``: timm swaps the
   5-class head for a new one) and fine-tune, with three strategies;
4. compare with the same network trained from scratch on the same few labels;
5. see what happens when you ask for hub weights without a network: a fast, clear error.
"""

from __future__ import annotations

import argparse
import os
import time
from dataclasses import dataclass, fields
from pathlib import Path

import numpy as np
from safetensors.torch import save_file

from paradigms.data import load_digits
from paradigms.transfer import FineTuner


@dataclass
class Config:
    seed: int = 0
    model: str = "resnet10t"
    source_epochs: int = 15
    target_epochs: str = "auto"  # "auto": about 300 optimizer steps, whatever the label count
    labels_per_class: int = 5
    out: str = "runs/tutorial03"


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
    X, y = load_digits(images=True)  # (1797, 1, 8, 8), pixels 0..16; upsampled to 32x32 inside
    target_epochs: int | str = "auto" if cfg.target_epochs == "auto" else int(cfg.target_epochs)

    # 1-2. source task and its weights file
    source = y < 5
    started = time.perf_counter()
    pretrain = FineTuner(
        model=cfg.model,
        weights=None,
        max_epochs=cfg.source_epochs,
        batch_size=64,
        random_state=cfg.seed,
    ).fit(X[source], y[source])
    weights = out / f"{cfg.model}-digits0-4.safetensors"
    save_file({k: v.contiguous() for k, v in pretrain.model_.state_dict().items()}, str(weights))
    print(
        f"source model: digits 0-4, {len(pretrain.history_)} epochs in "
        f"{time.perf_counter() - started:.0f} s -> {weights}"
    )

    # 3. target task: a few labels of digits 5-9; the rest of 5-9 is the test set
    rng = np.random.default_rng(cfg.seed)
    target = np.flatnonzero(~source)
    few = np.concatenate(
        [
            rng.choice(target[y[target] == c], cfg.labels_per_class, replace=False)
            for c in range(5, 10)
        ]
    )
    test = np.setdiff1d(target, few)
    print(f"target: {len(few)} labelled images of digits 5-9, {len(test)} test images")
    results = {}
    for strategy in ("fine_tune", "linear_probe", "gradual_unfreeze"):
        tuner = FineTuner(
            model=cfg.model,
            weights=str(weights),
            strategy=strategy,
            max_epochs=target_epochs,
            random_state=cfg.seed,
        )
        started = time.perf_counter()
        results[strategy] = tuner.fit(X[few], y[few]).score(X[test], y[test])
        print(
            f"  {strategy:17s} accuracy {results[strategy]:.3f} "
            f"({tuner.epochs_} epochs, {time.perf_counter() - started:.0f} s)"
        )

    # 4. the baseline: same network, same labels, no pretraining
    scratch = FineTuner(
        model=cfg.model, weights=None, max_epochs=target_epochs, random_state=cfg.seed
    )
    results["scratch"] = scratch.fit(X[few], y[few]).score(X[test], y[test])
    print(f"  {'scratch':17s} accuracy {results['scratch']:.3f}")
    print(f"transfer gain (fine_tune - scratch): {results['fine_tune'] - results['scratch']:+.3f}")

    # 5. hub weights without a network fail within seconds and say what to do instead
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    started = time.perf_counter()
    try:
        FineTuner(model=cfg.model, weights="hub").fit(X[few], y[few])
    except ValueError as error:
        print(f"weights='hub' offline, after {time.perf_counter() - started:.2f} s: {error}")
    return results


if __name__ == "__main__":
    main(parse_config())
