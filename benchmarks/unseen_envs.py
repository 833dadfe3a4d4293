"""Defaults that learn on envs without a preset: every algorithm that fits each probe env.

Run from the repository root (about 30 minutes on 2 CPUs, two worker processes):

    .venv/bin/python benchmarks/unseen_envs.py            # full run: writes the results
    .venv/bin/python benchmarks/unseen_envs.py --quick    # smoke test (tiny budgets, 1 seed)

The full run writes ``benchmarks/results/unseen_envs.json`` and the ``unseen_envs`` section of
``benchmarks/RESULTS.md``; ``--quick`` only the git-ignored ``benchmarks/out/``.

Protocol: for each (env, algorithm, budget) cell, ``Agent(env, algo=algo, seed=s)`` with no
hyperparameter given (the defaults derived from the env and the budget,
``paradigms/reinforcement/auto_defaults.py``), ``learn(budget)``, then 20 deterministic
evaluation episodes; seeds 0, 1, 2. A cell's score is the evaluation return over the oracle's
mean return on 50 episodes (``oracle_action`` of the probe envs, the shortest path for
FrozenLake, +5 for PixelCatch); the table shows the interquartile mean over seeds with its 95 %
bootstrap interval (``paradigms.reinforcement.seeds``) and each seed's score. Beside it, for
the discrete-action cells, plain stable-baselines3 with its own defaults on the same env and
budget (seed 0), which is what a user of bare SB3 gets. The goal (issue 11): IQM >= 0.90 of
the optimum in every cell. The probe envs were used while choosing the derivation rules; the
last rows (FrozenLake-v1 without slip, PixelCatch) were not, they are held out.

Pixel family (issue 28): variants of ``PixelHalfEnv``/``PixelGoalEnv`` (image size, lit patch
size, 1 or 3 channels, channel-last or channel-first, dense or end-of-episode reward), split
before measuring into a choice group (labelled "choice": used to choose the auto image
backbone, ``AUTO_IMAGE_BACKBONE`` in ``paradigms/reinforcement/extractor.py``) and a held-out
group (labelled "held out": never used for choosing), PPO at 10k steps.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from datetime import datetime, timezone
from functools import partial
from typing import Any

import gymnasium as gym
import numpy as np
import torch
from _results import (
    command_line,
    finish_results,
    goal,
    md_table,
    parse_options,
    publish,
    section_header,
)
from _timing import load_average, machine_info

from paradigms.reinforcement import Agent
from paradigms.reinforcement import envs as probe_envs
from paradigms.reinforcement.algorithms import algorithm_class
from paradigms.reinforcement.seeds import summarize_seeds

SECTION = "unseen_envs"
GOAL = 0.90
EVAL_EPISODES = 20
ORACLE_EPISODES = 50
SEEDS = (0, 1, 2)
# issue 28's pixel family: choice group first, then the held-out group (see the docstring)
PIXEL_FAMILY: dict[str, Any] = {
    "PixelHalf 16px 1px (choice)": probe_envs.PixelHalfEnv,
    "PixelHalf 12px 2px CHW RGB (choice)": partial(
        probe_envs.PixelHalfEnv, size=12, patch=2, channels=3, channel_first=True
    ),
    "PixelHalf 24px 1px noisy (choice)": partial(probe_envs.PixelHalfEnv, size=24, noise=60),
    "PixelHalf 16px 1px end reward (choice)": partial(probe_envs.PixelHalfEnv, reward="end"),
    "PixelGoal 16px 1px (choice)": probe_envs.PixelGoalEnv,
    "PixelHalf 24px 3px RGB, held out": partial(
        probe_envs.PixelHalfEnv, size=24, patch=3, channels=3
    ),
    "PixelHalf 12px 1px CHW, held out": partial(
        probe_envs.PixelHalfEnv, size=12, channel_first=True
    ),
    "PixelHalf 20px CHW RGB end reward, held out": partial(
        probe_envs.PixelHalfEnv, size=20, channels=3, channel_first=True, reward="end"
    ),
    "PixelGoal 24px 2px CHW RGB d4, held out": partial(
        probe_envs.PixelGoalEnv, size=24, patch=2, channels=3, channel_first=True, distance=4
    ),
}
# (env label, algorithm, budget); the label names a factory in ENVS.
CELLS: tuple[tuple[str, str, int], ...] = (
    ("LineTargetEnv", "ppo", 20_000),
    ("LineTargetEnv", "a2c", 20_000),
    ("LineTargetEnv", "dqn", 20_000),
    ("CorridorEnv", "ppo", 20_000),
    ("CorridorEnv", "a2c", 20_000),
    ("CorridorEnv", "dqn", 20_000),
    ("ReachEnv", "ppo", 20_000),
    ("ReachEnv", "a2c", 20_000),
    ("ReachEnv", "sac", 10_000),
    ("ReachEnv", "td3", 10_000),
    ("PixelSideEnv", "ppo", 10_000),
    ("PixelSideEnv", "a2c", 10_000),
    ("PixelSideEnv", "dqn", 10_000),
    *((label, "ppo", 10_000) for label in PIXEL_FAMILY),
    ("FrozenLake-v1 (no slip), held out", "ppo", 20_000),
    ("FrozenLake-v1 (no slip), held out", "a2c", 20_000),
    ("FrozenLake-v1 (no slip), held out", "dqn", 20_000),
    ("PixelCatchEnv, held out", "ppo", 20_000),
)
ENVS: dict[str, Any] = {
    "LineTargetEnv": probe_envs.LineTargetEnv,
    "CorridorEnv": probe_envs.CorridorEnv,
    "ReachEnv": probe_envs.ReachEnv,
    "PixelSideEnv": probe_envs.PixelSideEnv,
    **PIXEL_FAMILY,
    "FrozenLake-v1 (no slip), held out": partial(gym.make, "FrozenLake-v1", is_slippery=False),
    "PixelCatchEnv, held out": probe_envs.PixelCatchEnv,
}
KNOWN_OPTIMUM = {"FrozenLake-v1 (no slip), held out": 1.0, "PixelCatchEnv, held out": 5.0}


def oracle_return(label: str) -> float:
    """Mean return of the env's best policy (``oracle_action``) or its known optimum."""
    if label in KNOWN_OPTIMUM:
        return KNOWN_OPTIMUM[label]
    env = ENVS[label]()
    returns = []
    for episode in range(ORACLE_EPISODES):
        obs, _ = env.reset(seed=50_000 + episode)
        done, total = False, 0.0
        while not done:
            obs, reward, terminated, truncated, _ = env.step(env.oracle_action(obs))
            total += float(reward)
            done = terminated or truncated
        returns.append(total)
    return float(np.mean(returns))


def run_cell(label: str, algo: str, budget: int, seed: int) -> dict[str, Any]:
    """One agent on the derived defaults: its evaluation return and time."""
    torch.set_num_threads(1)
    started = time.perf_counter()
    agent = Agent(ENVS[label], algo=algo, seed=seed)
    agent.learn(budget, progress_bar=False)
    mean, _ = agent.evaluate(EVAL_EPISODES)
    agent.close()
    return {
        "env": label, "algo": algo, "budget": budget, "seed": seed, "side": "paradigms",
        "return": round(mean, 3), "seconds": round(time.perf_counter() - started, 1),
        "hyperparameters": agent.hyperparameters,
    }  # fmt: skip


def run_plain_sb3(label: str, algo: str, budget: int, seed: int) -> dict[str, Any]:
    """Bare stable-baselines3 on its own defaults (one env, ``MlpPolicy``/``CnnPolicy``)."""
    from stable_baselines3.common.env_util import make_vec_env
    from stable_baselines3.common.evaluation import evaluate_policy

    torch.set_num_threads(1)
    started = time.perf_counter()
    venv = make_vec_env(ENVS[label], n_envs=1, seed=seed)
    image = len(venv.observation_space.shape or ()) == 3
    size = min(venv.observation_space.shape[:2]) if image else 0
    policy = "CnnPolicy" if image and size >= 36 else "MlpPolicy"  # NatureCNN needs 36x36
    model = algorithm_class(algo)(policy, venv, seed=seed, device="cpu")
    model.learn(budget)
    eval_env = make_vec_env(ENVS[label], n_envs=1, seed=seed + 10_000)
    mean, _ = evaluate_policy(model, eval_env, n_eval_episodes=EVAL_EPISODES, warn=False)
    return {
        "env": label, "algo": algo, "budget": budget, "seed": seed, "side": f"plain SB3 {policy}",
        "return": round(float(mean), 3), "seconds": round(time.perf_counter() - started, 1),
    }  # fmt: skip


def run(quick: bool, command: str, workers: int) -> dict[str, Any]:
    started = datetime.now(timezone.utc)
    machine = machine_info(("stable-baselines3", "gymnasium"))
    machine["load_average_at_start"] = load_average()
    cells = [(e, a, 1024 if quick else b) for e, a, b in CELLS]
    seeds = (0,) if quick else SEEDS
    jobs = [(run_cell, e, a, b, s) for e, a, b in cells for s in seeds]
    jobs += [(run_plain_sb3, e, a, b, 0) for e, a, b in cells if a in ("ppo", "a2c", "dqn")]
    # off-policy jobs (a gradient step per env step) first, so the two workers end together
    jobs.sort(key=lambda job: job[2] not in ("sac", "td3", "dqn"))
    with ProcessPoolExecutor(max_workers=workers) as pool:
        futures = [pool.submit(*job) for job in jobs]
        rows = []
        for future in futures:
            rows.append(future.result())
            print(f"{rows[-1]['env']:<44} {rows[-1]['algo']:<4} {rows[-1]['side']:<22} "
                  f"seed {rows[-1]['seed']}: {rows[-1]['return']:.2f}", flush=True)  # fmt: skip
    optimum = {label: oracle_return(label) for label in ENVS}
    for row in rows:
        row["fraction"] = round(row["return"] / optimum[row["env"]], 4)
    results = finish_results(
        started, command, machine, optimum=optimum, rows=rows, cells=summarize(rows, cells)
    )
    results["goals"] = goals(results)
    return results


def summarize(rows: list[dict[str, Any]], cells: list[tuple[str, str, int]]) -> list[dict]:
    out = []
    for label, algo, budget in cells:
        mine = [r for r in rows if (r["env"], r["algo"], r["side"]) == (label, algo, "paradigms")]
        plain = [r for r in rows if (r["env"], r["algo"]) == (label, algo) and r not in mine]
        summary = summarize_seeds([r["fraction"] for r in mine], [r["seed"] for r in mine])
        out.append({
            "env": label, "algo": algo, "budget": budget, "iqm": round(summary.iqm, 3),
            "ci": [round(summary.ci_low, 3), round(summary.ci_high, 3)],
            "per_seed": [r["fraction"] for r in mine],
            "seconds_per_run": round(float(np.mean([r["seconds"] for r in mine])), 1),
            "plain_sb3": plain[0]["fraction"] if plain else None,
        })  # fmt: skip
    return out


def goals(results: dict[str, Any]) -> list[dict[str, Any]]:
    cells = results["cells"]
    passing = [c for c in cells if c["iqm"] >= GOAL]
    missed = ", ".join(f"{c['env']} {c['algo']} {c['iqm']:.2f}" for c in cells if c["iqm"] < GOAL)
    return [
        goal(
            f"cells whose IQM reaches {GOAL:.0%} of the optimum"
            + (f" (missed: {missed})" if missed else ""),
            f"{len(passing)} of {len(cells)}",
            "all",
            len(passing) == len(cells),
        )
    ]  # fmt: skip


def render_markdown(results: dict[str, Any]) -> str:
    body = [
        [
            c["env"], c["algo"], f"{c['budget']:,}", f"{c['iqm']:.3f}",
            f"[{c['ci'][0]:.2f}, {c['ci'][1]:.2f}]", " / ".join(f"{v:.2f}" for v in c["per_seed"]),
            "PASS" if c["iqm"] >= GOAL else "FAIL",
            "-" if c["plain_sb3"] is None else f"{c['plain_sb3']:.2f}", c["seconds_per_run"],
        ]
        for c in results["cells"]
    ]  # fmt: skip
    optimum = ", ".join(f"{k} {v:.2f}" for k, v in results["optimum"].items())
    lines = [
        *section_header(
            "Reinforcement on unseen envs: derived defaults, fraction of the optimum",
            results,
            "one torch thread per worker process",
            "see `benchmarks/unseen_envs.py`; score = evaluation return / optimum "
            f"(optimum: {optimum}); IQM and 95% bootstrap CI over seeds; goal IQM >= {GOAL:.2f}",
        ),
        md_table(
            [
                "env",
                "algo",
                "steps",
                "IQM",
                "95% CI",
                "per seed",
                f">= {GOAL:.2f}",
                "plain SB3 defaults (seed 0)",
                "s/run",
            ],
            body,
        ),
    ]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_options(__doc__.split("\n\n")[0], argv, repeats=False)
    workers = int(os.environ.get("BENCH_WORKERS", "2"))
    results = run(args.quick, command_line(), workers)
    for row in results["rows"]:  # the resolved values once per cell are enough
        if row["seed"] != 0:
            row.pop("hyperparameters", None)
    return publish(
        results, render_markdown(results), name=SECTION, quick=args.quick, no_write=args.no_write
    )


if __name__ == "__main__":
    sys.exit(main())
