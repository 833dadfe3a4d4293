"""Tutorial 10 — unsupervised -> reinforcement: an autoencoder's encoder as the agent's eyes.

Run:
    python tutorials/10_autoencoder_to_rl.py               # about 20 s on two CPU cores
    python tutorials/10_autoencoder_to_rl.py --frames 500 --max-epochs 2 --ppo-steps 1024

What you will see, top to bottom:
1. frames without labels or rewards: ``collect_demonstrations`` records what a random player
   of ``PixelCatchEnv`` sees (10x10 grey images: a 1-pixel ball falls, a 3-pixel paddle waits);
2. unsupervised learning: an ``AutoEncoder`` learns to squeeze each frame into an 8-number
   code and rebuild it; nothing tells it what matters for the game;
3. what the code knows anyway: a logistic regression on the codes predicts which side of the
   paddle the ball is on (``PixelCatchEnv.ball_side``), against the same regression on pixels;
4. the hand-over: ``Agent(PixelCatchEnv, backbone=ae.encoder_, freeze_backbone=True)`` — the
   encoder, unchanged, turns frames into features, and PPO learns only the small policy and
   value layers on top;
5. against PPO learning a CNN from scratch with the same settings and steps: evaluation
   curves (+5 = every ball caught), one seed (the tour's step averages two; measured there:
   the frozen encoder +1.3, level with a scratch CNN that keeps where things are (+1.6; a
   globally pooled one scored -1.7), below a classifier's backbone, which was told what
   matters: +5.0).
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass, fields
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression

from paradigms.reinforcement import Agent, PixelCatchEnv, collect_demonstrations
from paradigms.report import plot_evaluation_curves
from paradigms.unsupervised import AutoEncoder

#: PPO for 10x10 PixelCatch (the tour's settings): 8 envs x 64 steps per update
PPO = dict(
    n_envs=8, n_steps=64, batch_size=256, n_epochs=4, learning_rate=1e-3, gamma=0.95,
    ent_coef=0.01,
)  # fmt: skip


@dataclass
class Config:
    seed: int = 0
    frames: int = 2_000
    max_epochs: int = 10
    ppo_steps: int = 4_096
    eval_freq: int = 1_024
    out: str = "runs/tutorial10"


def parse_config() -> Config:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    for f in fields(Config):
        parser.add_argument(
            f"--{f.name.replace('_', '-')}", type=type(f.default), default=f.default
        )
    return Config(**vars(parser.parse_args()))


def random_frames(n: int, seed: int) -> np.ndarray:
    """``(n, 10, 10, 1)`` uint8 frames a random player sees."""
    rng = np.random.default_rng(seed)
    return collect_demonstrations(
        PixelCatchEnv, lambda _: int(rng.integers(3)), n, seed=seed
    ).observations


def main(cfg: Config) -> dict[str, float]:
    out = Path(cfg.out)
    out.mkdir(parents=True, exist_ok=True)

    # 1. frames, no labels, no rewards
    frames = random_frames(cfg.frames, cfg.seed)
    X = frames.transpose(0, 3, 1, 2).astype(np.float32)  # (N, 1, 10, 10): channels first
    print(f"{len(X):,} frames of shape {X.shape[1:]} from random play")

    # 2. the autoencoder learns to rebuild them
    # plain reconstruction: the contrastive default would make the code ignore small shifts,
    # and where the ball is is what the agent needs
    ae = AutoEncoder(kind="plain", latent_dim=8, max_epochs=cfg.max_epochs, random_state=cfg.seed)
    ae.fit(X)
    loss = ae.history_[-1]["train_loss"]
    print(f"autoencoder: {ae.latent_dim}-number code, final reconstruction loss {loss:.3f}")

    # 3. does the code know where the ball is? (labels used only to check, never to train)
    side = PixelCatchEnv.ball_side(frames)
    half = len(X) // 2
    codes = ae.transform(X)
    pixels = X.reshape(len(X), -1)
    for name, features in (("the 8-number code", codes), ("the 100 raw pixels", pixels)):
        probe = LogisticRegression(max_iter=2000).fit(features[:half], side[:half])
        accuracy = probe.score(features[half:], side[half:])
        print(f"ball side read off {name}: accuracy {accuracy:.3f} (held-out frames)")

    # 4.-5. the encoder as frozen eyes, against a CNN PPO learns itself
    curves = {}
    eyes = {"autoencoder encoder, frozen": ae.encoder_, "cnn from scratch": "auto"}
    for label, backbone in eyes.items():
        agent = Agent(PixelCatchEnv, algo="ppo", backbone=backbone,
                      freeze_backbone=backbone != "auto", seed=cfg.seed, **PPO)  # fmt: skip
        agent.learn(cfg.ppo_steps, eval_freq=cfg.eval_freq, eval_episodes=10, progress_bar=False)
        curves[label] = agent.evaluations_
        agent.close()
        print(f"PPO with {label}: eval return {curves[label][-1]['mean_return']:+.1f} of +5 "
              f"after {cfg.ppo_steps:,} steps")  # fmt: skip
    title = "PixelCatch: an autoencoder's encoder as PPO's eyes"
    plot = plot_evaluation_curves(curves, out / "evaluation_returns.png", title=title)
    print(f"wrote {plot}")
    return {label: rows[-1]["mean_return"] for label, rows in curves.items()}


if __name__ == "__main__":
    main(parse_config())
