"""Behaviour cloning -> PPO: environment steps to the reward threshold against PPO from scratch.

Run from the repository root (about 15 minutes on 2 CPUs; one core is enough):

    .venv/bin/python benchmarks/behaviour_cloning.py            # full run: writes the results
    .venv/bin/python benchmarks/behaviour_cloning.py --quick    # smoke test

The full run writes ``benchmarks/results/behaviour_cloning.json`` and the ``behaviour_cloning``
section of ``benchmarks/RESULTS.md``; ``--quick`` only the git-ignored ``benchmarks/out/``.

Protocol (issue 13): a scripted expert plays each env — CartPole-v1: push towards the side the
pole falls to (``angle + 0.5 * angular velocity > 0``); LunarLander-v3: Gymnasium's own
``heuristic`` controller — and ``collect_demonstrations`` records its (observation, action)
pairs, two amounts per env. A ``Classifier`` (mlp backbone, one hidden layer of 64) is fitted
on them and handed to ``Agent(env, algo="ppo", backbone=clf.model_)``: the backbone and the
head become the actor, the critic trains alone first (``critic_warmup``), then PPO fine-tunes
with the zoo preset. Against it: ``Agent(env, algo="ppo")``, the same preset from scratch.
Every agent is evaluated (10 episodes, deterministic) before training and every
``eval_freq`` steps; "steps to threshold" is the first evaluation whose mean return reaches
the env's reward threshold (475, 200), training stops there, and an agent that does not get
there within the budget counts as the budget. Medians over the seeds; the demonstration steps
are stated beside, and the cloned agent's total is PPO's steps plus the demonstrations'.

Goal: the cloned start reaches the threshold in at most half of scratch's environment steps.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from datetime import datetime, timezone
from typing import Any

import gymnasium as gym
import numpy as np
import torch
from _results import (
    command_line,
    finish_results,
    goal,
    goal_lines,
    md_table,
    parse_options,
    publish,
    section_header,
)
from _timing import machine_info
from gymnasium.envs.box2d.lunar_lander import heuristic

from paradigms.reinforcement import Agent, collect_demonstrations
from paradigms.supervised import Classifier

SECTION = "behaviour_cloning"
EVAL_EPISODES = 10


def _cartpole_expert() -> Callable[[np.ndarray], int]:
    return lambda obs: int(obs[2] + 0.5 * obs[3] > 0)


def _lunar_expert() -> Callable[[np.ndarray], int]:
    env = gym.make("LunarLander-v3")  # the heuristic reads only env.unwrapped.continuous
    return lambda obs: int(heuristic(env, obs))


#: env -> (expert factory, threshold, demonstration steps, eval_freq, budget, seeds)
ENVS: dict[str, tuple[Callable[[], Callable], float, tuple[int, ...], int, int, tuple]] = {
    "CartPole-v1": (_cartpole_expert, 475.0, (200, 2_000), 2_048, 200_000, (0, 1, 2)),
    "LunarLander-v3": (_lunar_expert, 200.0, (2_000, 20_000), 16_384, 1_000_000, (0, 1)),
}  # fmt: skip


def _steps_to_threshold(agent: Agent, threshold: float, eval_freq: int, budget: int) -> dict:
    """Evaluate before training, then train with evaluations until the threshold or budget."""
    start, _ = agent.evaluate(EVAL_EPISODES)
    if start >= threshold:
        return {"start_return": start, "steps": 0, "reached": True}
    agent.learn(budget, eval_freq=eval_freq, eval_episodes=EVAL_EPISODES, stop_reward=threshold,
                progress_bar=False)  # fmt: skip
    hits = [r["timesteps"] for r in agent.evaluations_ if r["mean_return"] >= threshold]
    return {"start_return": start, "steps": int(hits[0]) if hits else budget,
            "reached": bool(hits)}  # fmt: skip


def _cloned(env: str, demos: int, seed: int, quick: bool) -> dict[str, Any]:
    expert, threshold, _, eval_freq, budget, _ = ENVS[env]
    data = collect_demonstrations(env, expert(), demos, seed=1_000 + seed)
    clf = Classifier(backbone="mlp", backbone_kwargs={"hidden": [64]}, random_state=seed)
    clf.fit(data.observations, data.actions)
    agent = Agent(env, algo="ppo", backbone=clf.model_, seed=seed)
    row = _steps_to_threshold(agent, threshold, eval_freq, budget // (20 if quick else 1))
    expert_return = float(np.mean(data.episode_returns)) if data.episode_returns else None
    return {**row, "demo_steps": demos, "expert_return": expert_return,
            "imitation_accuracy": round(float(clf.score(data.observations, data.actions)), 4),
            "critic_warmup": agent.hyperparameters["critic_warmup"]}  # fmt: skip


def _scratch(env: str, seed: int, quick: bool) -> dict[str, Any]:
    _, threshold, _, eval_freq, budget, _ = ENVS[env]
    agent = Agent(env, algo="ppo", seed=seed)
    return _steps_to_threshold(agent, threshold, eval_freq, budget // (20 if quick else 1))


def run(quick: bool, command: str) -> dict[str, Any]:
    started = datetime.now(timezone.utc)
    rows, goals = [], []
    for env, (_, _, demo_sizes, _, _, seeds) in ENVS.items():
        seeds = seeds[:1] if quick else seeds
        scratch = [_scratch(env, s, quick) for s in seeds]
        scratch_median = float(np.median([r["steps"] for r in scratch]))
        rows.append({"env": env, "start": "scratch", "runs": scratch,
                     "median_steps": scratch_median, "demo_steps": 0})  # fmt: skip
        print(f"{env} scratch: median {scratch_median:,.0f} steps")
        for demos in demo_sizes:
            cloned = [_cloned(env, demos, s, quick) for s in seeds]
            median = float(np.median([r["steps"] for r in cloned]))
            rows.append({"env": env, "start": f"cloned from {demos:,} expert steps",
                         "runs": cloned, "median_steps": median, "demo_steps": demos})  # fmt: skip
            print(f"{env} cloned ({demos} demos): median {median:,.0f} PPO steps")
            total = median + demos
            goals.append(goal(f"{env}, {demos:,} demonstration steps: (PPO + demonstration "
                              "steps) / scratch's steps", round(total / scratch_median, 3),
                              "<= 0.5", total <= 0.5 * scratch_median))  # fmt: skip
    results = finish_results(started, command, machine_info(), rows=rows, seeds=list(seeds))
    results["goals"] = goals
    return results


def _cell(runs: list[dict[str, Any]], key: str, fmt: str) -> str:
    values = [r.get(key) for r in runs]
    return " / ".join("-" if v is None else format(v, fmt) for v in values)


def render_markdown(results: dict[str, Any]) -> str:
    table = [
        [r["env"], r["start"], f"{r['median_steps']:,.0f}",
         _cell(r["runs"], "steps", ",.0f"),
         "yes" if all(x["reached"] for x in r["runs"]) else "NO (budget counted)",
         _cell(r["runs"], "start_return", ".1f"),
         _cell(r["runs"], "expert_return", ".1f") if r["demo_steps"] else "-",
         _cell(r["runs"], "imitation_accuracy", ".3f") if r["demo_steps"] else "-"]
        for r in results["rows"]
    ]  # fmt: skip
    body = [
        *section_header(
            "Behaviour cloning -> PPO against PPO from scratch: steps to the reward threshold",
            results,
            "1 torch thread per agent (the library's default for RL)",
            "see `benchmarks/behaviour_cloning.py`; scripted experts, zoo PPO presets, "
            f"{EVAL_EPISODES}-episode deterministic evaluations",
        ),
        md_table(
            [
                "env",
                "start",
                "median PPO steps to threshold",
                "per seed",
                "all seeds reached",
                "return before PPO (per seed)",
                "expert's return in the demos",
                "classifier accuracy on the demos",
            ],
            table,
        ),
        "",
        "The cloned agents' PPO steps include the critic's warm-up (the actor waits); the "
        "demonstrations are extra environment steps, counted in the goals below.",
        "",
        *goal_lines(results["goals"]),
    ]
    return "\n".join(body)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_options(__doc__.split("\n\n")[0], argv, repeats=False)
    torch.set_num_threads(1)
    results = run(args.quick, command_line())
    return publish(
        results, render_markdown(results), name=SECTION, quick=args.quick, no_write=args.no_write
    )


if __name__ == "__main__":
    sys.exit(main())
