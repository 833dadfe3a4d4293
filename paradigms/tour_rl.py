"""The tour's reinforcement steps: PPO from its preset, and two flows into it from the
supervised paradigm (a frozen classifier backbone; behaviour cloning from an expert).

A part of :mod:`paradigms.tour`, which may combine paradigms.
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np

from paradigms.backbones import save_backbone
from paradigms.reinforcement import Agent, PixelCatchEnv, collect_demonstrations
from paradigms.reinforcement.envs.pixel_catch import BALL, PADDLE
from paradigms.reinforcement.plots import plot_evaluation_curves
from paradigms.reinforcement.run import RLRunConfig, run_rl
from paradigms.report.captions import write_caption
from paradigms.supervised import Classifier
from paradigms.tour_step import TourStep


def rl_step(root: Path, quick: bool, progress: bool) -> TourStep:
    """Reinforcement: PPO with its tuned preset on CartPole-v1 for the preset's 100k steps
    (30k with ``quick``), without early stopping."""
    started = time.perf_counter()
    summary = run_rl(
        RLRunConfig(
            env="CartPole-v1",
            algo="ppo",
            timesteps=30_000 if quick else 0,  # 0: the preset's budget (100k steps)
            eval_episodes=10,
            stop_reward="none",
        ),
        out=root / "rl-cartpole",
        progress=progress,
    )
    return TourStep(
        "reinforcement",
        f"CartPole-v1: PPO (zoo preset), mlp backbone, {summary['timesteps']:,} steps",
        f"eval return {summary['eval_mean_return']:.1f} ± {summary['eval_std_return']:.1f} "
        f"(solved at {summary['reward_threshold']:.0f})",
        time.perf_counter() - started,
        summary["run_dir"],
        against=(summary["eval_mean_return"], summary["reward_threshold"], "reward threshold"),
    )


def _pixel_catch_frames(n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """``n`` PixelCatch frames ``(n, 1, 10, 10)`` uint8 from random play, and the side the
    ball is on relative to the paddle (0 left, 1 above it, 2 right), read off each frame."""
    env, rng = PixelCatchEnv(), np.random.default_rng(seed)
    obs, _ = env.reset(seed=seed)
    frames = []
    for _ in range(n):
        frames.append(obs.transpose(2, 0, 1))
        obs, _, terminated, _, _ = env.step(int(rng.integers(3)))
        if terminated:
            obs, _ = env.reset()
    X = np.stack(frames)
    ball_col = (X[:, 0, :-1, :] == BALL).any(axis=1).argmax(axis=1)
    paddle_col = (X[:, 0, -1, :] == PADDLE).argmax(axis=1) + 1  # centre of the 3-px paddle
    return X, np.sign(ball_col - paddle_col) + 1


def supervised_to_rl_step(root: Path, quick: bool) -> TourStep:
    """Supervised -> reinforcement: a Classifier learns to see which side of the paddle the
    ball is on (labels read off random-play frames); its CNN backbone, frozen, becomes the
    PPO agent's features extractor on PixelCatch, compared with a CNN learned from scratch
    at the same number of environment steps (mean over seeds; +5 = every ball caught)."""
    started = time.perf_counter()
    X, y = _pixel_catch_frames(3000)
    clf = Classifier(max_epochs=10, random_state=0).fit(X.astype(np.float32), y)
    path = save_backbone(clf.backbone_, root / "pixelcatch-ball-side.backbone.safetensors")
    steps = 3000 if quick else 4096
    ppo = dict(
        n_envs=8,
        n_steps=64,
        batch_size=256,
        n_epochs=4,
        learning_rate=1e-3,
        gamma=0.95,
        ent_coef=0.01,
    )
    returns: dict[str, list[float]] = {"frozen": [], "scratch": []}
    for seed in range(1 if quick else 2):
        for name, backbone in (("frozen", str(path)), ("scratch", "auto")):
            agent = Agent(
                PixelCatchEnv,
                algo="ppo",
                backbone=backbone,
                seed=seed,
                freeze_backbone=name == "frozen",
                **ppo,
            )
            returns[name].append(agent.learn(steps, progress_bar=False).evaluate(10)[0])
            agent.close()
    return TourStep(
        "supervised -> reinforcement",
        f"PixelCatch 10x10 pixels: classifier backbone as frozen PPO features, {steps:,} steps",
        f"eval return {np.mean(returns['frozen']):+.1f} pretrained vs "
        f"{np.mean(returns['scratch']):+.1f} scratch cnn (of +5)",
        time.perf_counter() - started,
        str(path),
        against=(
            float(np.mean(returns["frozen"])),
            float(np.mean(returns["scratch"])),
            "scratch cnn",
        ),
    )


def cartpole_expert(obs: np.ndarray) -> int:
    """A scripted CartPole controller: push towards the side the pole is falling to."""
    return int(obs[2] + 0.5 * obs[3] > 0)


def behaviour_cloning_step(root: Path, quick: bool) -> TourStep:
    """Supervised -> reinforcement by behaviour cloning: a Classifier fitted on a scripted
    expert's CartPole (observation, action) pairs becomes PPO's starting actor (backbone and
    action head, through the backbones package); PPO fine-tunes it. Against PPO from scratch
    with the same preset, budget and evaluations (10 episodes every 2,048 steps)."""
    started = time.perf_counter()
    demos = collect_demonstrations("CartPole-v1", cartpole_expert, 1_000, seed=0)
    clf = Classifier(backbone="mlp", backbone_kwargs={"hidden": [64]}, random_state=0)
    clf.fit(demos.observations, demos.actions)
    steps, curves = 8_192 if quick else 20_480, {}
    for name, backbone in (("cloned", clf.model_), ("scratch", "auto")):
        agent = Agent("CartPole-v1", algo="ppo", backbone=backbone, seed=0)
        before, spread = agent.evaluate(10)
        agent.learn(steps, eval_freq=2_048, eval_episodes=10, progress_bar=False)
        rows = [{"timesteps": 0, "mean_return": before, "std_return": spread}]
        curves[name] = rows + agent.evaluations_
        threshold = float(agent.reward_threshold)
        agent.close()
    folder = root / "behaviour-cloning" / "plots"
    labels = {
        f"cloned from {demos.n_steps:,} expert steps, then PPO": curves["cloned"],
        "PPO from scratch": curves["scratch"],
    }
    write_caption(
        plot_evaluation_curves(labels, folder / "evaluation_returns.png",
                               reward_threshold=threshold,
                               title="CartPole-v1: behaviour cloning then PPO vs PPO from scratch"),
        f"Evaluation return (10 episodes) against PPO's environment steps; the cloned agent "
        f"starts from a Classifier of {demos.n_steps:,} expert (observation, action) pairs "
        "and its actor waits while the critic warms up.",
    )  # fmt: skip
    start, end = curves["cloned"][0]["mean_return"], curves["cloned"][-1]["mean_return"]
    scratch_end = curves["scratch"][-1]["mean_return"]
    return TourStep(
        "supervised -> reinforcement",
        f"CartPole-v1 by behaviour cloning: {demos.n_steps:,} expert steps -> Classifier -> "
        f"PPO's actor, {steps:,} PPO steps",
        f"eval return {start:.1f} before any PPO step, {end:.1f} after; PPO from scratch "
        f"{scratch_end:.1f} after the same {steps:,} steps (solved at {threshold:.0f})",
        time.perf_counter() - started,
        str(folder.parent),
        plots=str(folder),
        against=(end, scratch_end, f"PPO from scratch, {steps:,} steps"),
    )
