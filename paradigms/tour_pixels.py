"""The tour's flows into reinforcement from pretrained features, on PixelCatch's pixels.

A network trained by another paradigm on PixelCatch frames recorded from random play — a
Classifier told which side of the paddle the ball is on (supervised), an AutoEncoder that
only reconstructs the frames (unsupervised, no labels, no rewards), a timm model trained by
the FineTuner and handed over as a weights file (transfer) — becomes PPO's frozen features
extractor. Each is compared with PPO learning a CNN from scratch, with the same settings,
environment steps and seeds.

A part of :mod:`paradigms.tour`, which may combine paradigms.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from paradigms.backbones import save_backbone
from paradigms.reinforcement import Agent, PixelCatchEnv, collect_demonstrations
from paradigms.report.captions import write_caption
from paradigms.report.rl_curves import plot_evaluation_curves
from paradigms.supervised import Classifier
from paradigms.tour_step import TourStep
from paradigms.transfer import FineTuner, pretrained_backbone
from paradigms.transfer.sources import OFFLINE_IMAGENET_MODEL, packaged_weights_file
from paradigms.unsupervised import AutoEncoder

#: PPO for 10x10 PixelCatch, used by every side (8 envs x 64 steps = 512 steps per update)
PPO_SETTINGS = dict(
    n_envs=8, n_steps=64, batch_size=256, n_epochs=4, learning_rate=1e-3, gamma=0.95,
    ent_coef=0.01,
)  # fmt: skip
EVAL_EVERY, EVAL_EPISODES = 1_024, 10
SCRATCH = "cnn learned from scratch"


def pixel_catch_frames(n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """``n`` PixelCatch frames from random play as ``(n, 1, 10, 10)`` float32 pixels (0-255),
    and the side of the paddle the ball is on in each (``PixelCatchEnv.ball_side``)."""
    rng = np.random.default_rng(seed)
    demos = collect_demonstrations(PixelCatchEnv, lambda _: int(rng.integers(3)), n, seed=seed)
    frames = demos.observations
    return frames.transpose(0, 3, 1, 2).astype(np.float32), PixelCatchEnv.ball_side(frames)


def _seeds(seeds: int) -> str:
    return "1 seed" if seeds == 1 else f"mean of {seeds} seeds"


def _mean_curve(runs: list[list[dict[str, float]]]) -> list[dict[str, float]]:
    """Evaluation rows averaged over seeds (the spread: across seeds, or within one seed)."""
    rows = []
    for at_step in zip(*runs, strict=True):
        means = [row["mean_return"] for row in at_step]
        spread = float(np.std(means)) if len(means) > 1 else at_step[0]["std_return"]
        steps = at_step[0]["timesteps"]
        rows.append(
            {"timesteps": steps, "mean_return": float(np.mean(means)), "std_return": spread}
        )
    return rows


def against_scratch(
    sides: dict[str, object],
    folder: Path,
    quick: bool,
    title: str,
) -> tuple[dict[str, float], int, int]:
    """PPO on PixelCatch with each side's backbone frozen, and with a CNN from scratch.

    Args:
        sides: ``{label: backbone}`` (a backbone file or a :class:`Backbone`), each frozen.
        folder: where ``evaluation_returns.png`` (mean evaluation curves) is written.
        quick: 3,072 steps and one seed instead of 4,096 steps and two.
        title: the plot's title.

    Returns:
        ``({label: mean final evaluation return}, steps, seeds)``, the scratch CNN under
        :data:`SCRATCH`.
    """
    steps, seeds = (3_072, 1) if quick else (4_096, 2)
    runs: dict[str, list[list[dict[str, float]]]] = {label: [] for label in [*sides, SCRATCH]}
    for seed in range(seeds):
        for label, backbone in [*sides.items(), (SCRATCH, "auto")]:
            frozen = label != SCRATCH
            agent = Agent(
                PixelCatchEnv,
                algo="ppo",
                backbone=backbone,
                freeze_backbone=frozen,
                seed=seed,
                **PPO_SETTINGS,
            )
            agent.learn(
                steps, eval_freq=EVAL_EVERY, eval_episodes=EVAL_EPISODES, progress_bar=False
            )
            runs[label].append(agent.evaluations_)
            agent.close()
    curves = {label: _mean_curve(rows) for label, rows in runs.items()}
    write_caption(
        plot_evaluation_curves(curves, folder / "evaluation_returns.png", title=title),
        f"PixelCatch evaluation return ({EVAL_EPISODES} episodes; +5 catches every ball) "
        f"against PPO's environment steps ({_seeds(seeds)}): frozen pretrained features "
        "against a CNN PPO learns itself.",
    )
    return {label: rows[-1]["mean_return"] for label, rows in curves.items()}, steps, seeds


def _flow_step(
    paradigm: str,
    what: str,
    sides: dict[str, object],
    handed_on: Path,
    folder: Path,
    quick: bool,
    benchmark: tuple[str, str] = ("", "no benchmark hands this paradigm's network to PPO"),
) -> TourStep:
    """PPO with each of ``sides`` frozen (the first is this step's own) against scratch, as
    the step's line; ``handed_on`` is the file the other paradigm wrote, ``benchmark`` the
    RESULTS.md section measuring the same ("" for none) and how its protocol differs."""
    title = f"PixelCatch: {what} as PPO features"
    finals, steps, seeds = against_scratch(sides, folder, quick, title)
    ours = next(iter(sides))
    others = " vs ".join(f"{v:+.1f} {k}" for k, v in finals.items() if k != ours)
    return TourStep(
        paradigm,
        f"PixelCatch 10x10 pixels: {what} as frozen PPO features, {steps:,} steps",
        f"eval return {finals[ours]:+.1f} {ours} vs {others} (of +5; {_seeds(seeds)})",
        str(handed_on),
        plots=str(folder),
        against=(finals[ours], finals[SCRATCH], SCRATCH),
        results_section=benchmark[0],
        protocol_difference=benchmark[1],
    )


def supervised_to_rl_step(root: Path, quick: bool) -> TourStep:
    """Supervised -> reinforcement: a Classifier learns which side of the paddle the ball is
    on (labels read off the frames); its CNN backbone, frozen, is PPO's features extractor."""
    X, side = pixel_catch_frames(3000)
    clf = Classifier(max_epochs=10, random_state=0).fit(X, side)
    path = save_backbone(clf.backbone_, root / "pixelcatch-ball-side.backbone.safetensors")
    sides: dict[str, object] = {"classifier backbone": str(path)}
    folder = root / "supervised-to-rl" / "plots"
    what = "a classifier's backbone"
    return _flow_step("supervised -> reinforcement", what, sides, path, folder, quick)


def unsupervised_to_rl_step(root: Path, quick: bool) -> TourStep:
    """Unsupervised -> reinforcement: an AutoEncoder reconstructs random-play frames (no
    labels, no rewards); its encoder, frozen, is PPO's features extractor."""
    X, _ = pixel_catch_frames(2000)
    ae = AutoEncoder(kind="plain", latent_dim=8, max_epochs=10, random_state=0).fit(X)
    path = save_backbone(ae.encoder_, root / "pixelcatch-autoencoder.encoder.safetensors")
    sides: dict[str, object] = {"autoencoder encoder": str(path)}
    folder = root / "unsupervised-to-rl" / "plots"
    what = "an autoencoder's encoder (no labels)"
    return _flow_step("unsupervised -> reinforcement", what, sides, path, folder, quick)


def transfer_to_rl_step(root: Path, quick: bool) -> TourStep:
    """Transfer -> reinforcement: the FineTuner trains a timm resnet10t on labelled frames
    at their own 10x10 size and saves its weights; ``pretrained_backbone`` loads that file
    as PPO's frozen features. Where ``paradigms[pretrained]`` is installed, ImageNet
    EfficientNet-Lite0 features, frozen, run beside it."""
    X, side = pixel_catch_frames(1000)
    tuner = FineTuner(
        model="resnet10t", weights=None, image_size=None, max_epochs=3, random_state=0
    ).fit(X, side)
    path = tuner.save_weights(root / "pixelcatch-resnet10t.safetensors")
    in_shape, scale = (1, *X.shape[2:]), float(X.max())
    ours = "timm resnet10t (FineTuner weights)"
    sides: dict[str, object] = {
        ours: pretrained_backbone("resnet10t", in_shape, weights=path, pixel_scale=scale)
    }
    if packaged_weights_file(OFFLINE_IMAGENET_MODEL) is not None:
        sides["ImageNet EfficientNet-Lite0"] = pretrained_backbone(
            OFFLINE_IMAGENET_MODEL, in_shape, pixel_scale=scale
        )
    folder = root / "transfer-to-rl" / "plots"
    what = "a timm resnet10t from the FineTuner"
    benchmark = ("pretrained_rl", "the ImageNet side only: 32x32 frames, 16,384 steps, seed 0 "
                 "there; 10x10, 4,096 steps, 2 seeds here")  # fmt: skip
    return _flow_step("transfer -> reinforcement", what, sides, path, folder, quick, benchmark)
