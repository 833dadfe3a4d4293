"""Tutorial 09 — supervised -> reinforcement by behaviour cloning: start PPO as an expert.

Run:
    python tutorials/09_behaviour_cloning.py               # about 40 s on two CPU cores
    python tutorials/09_behaviour_cloning.py --demo-steps 200 --ppo-steps 2048 --out runs/t09

What you will see, top to bottom:
1. an expert: a scripted CartPole controller (push towards the side the pole falls to), and
   ``collect_demonstrations`` recording what it saw and did — (observation, action) pairs;
2. supervised learning: a ``Classifier`` learns to predict the expert's action from the
   observation (imitation accuracy on held-out demonstrations);
3. the hand-over: ``Agent(env, algo="ppo", backbone=clf.model_)`` makes the classifier's
   backbone and head the policy's actor (through the backbones package); before any PPO step
   it already plays as the classifier predicts;
4. fine-tuning: PPO trains on, the critic first alone (``critic_warmup``), against PPO from
   scratch with the same preset, budget and evaluations, plotted as evaluation curves;
5. the cost stated honestly: the demonstrations are environment steps too. With fewer
   (``--demo-steps 200``) the clone starts weaker, and PPO may then need more steps than
   scratch (``benchmarks/behaviour_cloning.py`` measures it: 8x on CartPole).
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass, fields
from pathlib import Path

import numpy as np

from paradigms.data import train_test_split_stratified
from paradigms.reinforcement import Agent, collect_demonstrations
from paradigms.report import plot_evaluation_curves
from paradigms.supervised import Classifier


@dataclass
class Config:
    seed: int = 0
    env: str = "CartPole-v1"
    demo_steps: int = 2_000
    ppo_steps: int = 12_288
    eval_freq: int = 2_048
    out: str = "runs/tutorial09"


def parse_config() -> Config:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    for f in fields(Config):
        parser.add_argument(
            f"--{f.name.replace('_', '-')}", type=type(f.default), default=f.default
        )
    return Config(**vars(parser.parse_args()))


def expert(obs: np.ndarray) -> int:
    """Push right (1) when the pole leans or swings right, else left (0)."""
    return int(obs[2] + 0.5 * obs[3] > 0)


def train_and_evaluate(agent: Agent, cfg: Config) -> list[dict[str, float]]:
    """Evaluation rows from step 0 (before PPO) to ``cfg.ppo_steps``."""
    mean, std = agent.evaluate(n_episodes=10)
    agent.learn(cfg.ppo_steps, eval_freq=cfg.eval_freq, eval_episodes=10, progress_bar=False)
    return [{"timesteps": 0, "mean_return": mean, "std_return": std}, *agent.evaluations_]


def main(cfg: Config) -> dict[str, float]:
    out = Path(cfg.out)
    out.mkdir(parents=True, exist_ok=True)

    # 1. the expert's demonstrations
    demos = collect_demonstrations(cfg.env, expert, cfg.demo_steps, seed=cfg.seed)
    finished = demos.episode_returns or ["(no episode finished)"]
    print(f"{demos.n_steps:,} expert steps; its episode returns: {finished}")

    # 2. imitation is classification: observation -> the expert's action
    X_tr, X_te, y_tr, y_te = train_test_split_stratified(
        demos.observations, demos.actions, test_size=0.2, random_state=cfg.seed
    )
    clf = Classifier(backbone="mlp", backbone_kwargs={"hidden": [64]}, random_state=cfg.seed)
    clf.fit(X_tr, y_tr)
    print(f"imitation accuracy on held-out demonstrations: {clf.score(X_te, y_te):.3f}")

    # 3. the hand-over: backbone + head become the actor
    cloned = Agent(cfg.env, algo="ppo", backbone=clf.model_, seed=cfg.seed)
    same = np.array_equal(cloned.predict(X_te, deterministic=True)[0], clf.predict(X_te))
    print(f"the agent acts as the classifier predicts: {same}; actor "
          f"{cloned.hyperparameters['policy_kwargs']['net_arch']}, critic warm-up "
          f"{cloned.hyperparameters['critic_warmup']:,} steps")  # fmt: skip

    # 4. fine-tuning against PPO from scratch
    curves = {
        f"cloned from {demos.n_steps:,} expert steps, then PPO": train_and_evaluate(cloned, cfg),
        "PPO from scratch": train_and_evaluate(Agent(cfg.env, algo="ppo", seed=cfg.seed), cfg),
    }
    threshold = cloned.reward_threshold
    plot = plot_evaluation_curves(curves, out / "evaluation_returns.png",
                                  reward_threshold=threshold)  # fmt: skip
    for label, rows in curves.items():
        first = next((r["timesteps"] for r in rows if r["mean_return"] >= threshold), None)
        reached = f"first at {first:,} PPO steps" if first is not None else "not reached"
        before, after = rows[0]["mean_return"], rows[-1]["mean_return"]
        print(f"{label}: return {before:.1f} before PPO, {after:.1f} after "
              f"{cfg.ppo_steps:,}; threshold {reached}")  # fmt: skip
    print(f"wrote {plot}")

    # 5. the demonstrations were environment steps too
    print(f"the cloned agent's total cost: {demos.n_steps:,} demonstration steps + its PPO steps")
    return {label: rows[-1]["mean_return"] for label, rows in curves.items()}


if __name__ == "__main__":
    main(parse_config())
