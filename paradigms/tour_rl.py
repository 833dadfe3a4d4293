"""The tour's reinforcement steps: PPO from its preset, and behaviour cloning (supervised ->
reinforcement: a Classifier of an expert's moves starts PPO's actor). The flows that hand PPO
pretrained features are in :mod:`paradigms.tour_pixels`.

A part of :mod:`paradigms.tour`, which may combine paradigms.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from paradigms.reinforcement import Agent, collect_demonstrations
from paradigms.reinforcement.run import RLRunConfig, run_rl
from paradigms.report.captions import write_caption
from paradigms.report.rl_curves import plot_evaluation_curves
from paradigms.supervised import Classifier
from paradigms.tour_step import TourStep


def rl_step(root: Path, quick: bool, progress: bool) -> TourStep:
    """Reinforcement: PPO with its tuned preset on CartPole-v1 for the preset's 100k steps
    (30k with ``quick``), without early stopping."""
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
        summary["run_dir"],
        against=(summary["eval_mean_return"], summary["reward_threshold"], "reward threshold"),
        results_section="reinforcement",
        protocol_difference="seeds 0-4, 20 evaluation episodes on a fresh env there; "
        "seed 0, 10 episodes here",
    )


def cartpole_expert(obs: np.ndarray) -> int:
    """A scripted CartPole controller: push towards the side the pole is falling to."""
    return int(obs[2] + 0.5 * obs[3] > 0)


def behaviour_cloning_step(root: Path, quick: bool) -> TourStep:
    """Supervised -> reinforcement by behaviour cloning: a Classifier fitted on a scripted
    expert's CartPole (observation, action) pairs becomes PPO's starting actor (backbone and
    action head, through the backbones package); PPO fine-tunes it. Against PPO from scratch
    with the same preset, budget and evaluations (10 episodes every 2,048 steps)."""
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
        str(folder.parent),
        plots=str(folder),
        against=(end, scratch_end, f"PPO from scratch, {steps:,} steps"),
        results_section="behaviour_cloning",
        protocol_difference="200 or 2,000 demonstration steps, seeds 0-2, steps to the "
        "threshold there; 1,000 steps, seed 0, the return after a fixed budget here",
    )
