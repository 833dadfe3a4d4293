"""sb3-contrib algorithms and MuJoCo: each new registry entry on a cheap task, and SAC's speed on
HalfCheetah next to plain stable-baselines3 with the same values.

Run from the repository root on a quiet machine (about 20 minutes on 2 CPUs):

    .venv/bin/python benchmarks/contrib.py           # full run: writes the results
    .venv/bin/python benchmarks/contrib.py --quick   # smoke test (tiny budgets, 1 seed)

The full run writes ``benchmarks/results/contrib.json`` and the ``contrib`` section of
``benchmarks/RESULTS.md``; ``--quick`` only the git-ignored ``benchmarks/out/``.

What is measured (goals from the project's issue "one home for each fact"):

1. Quality, ``Agent(env, algo=..., seed=s)`` with the zoo's preset, ``learn()`` for the
   preset's budget, 20 deterministic evaluation episodes on a fresh env, seeds 0 and 1:
   TQC on Pendulum-v1 (20k steps; goal >= -200 every seed, as SAC there), QR-DQN on
   CartPole-v1 (50k steps; goal >= 475, the env's solved threshold; the zoo reports 500).
   MaskablePPO on ``MaskedChoiceEnv`` (derived defaults, 10k steps) beside PPO on the same
   env and budget: masks should give the best return, 20.
2. Speed: SAC on HalfCheetah-v5 with the zoo's HalfCheetah values (SB3's defaults,
   ``learning_starts`` 10,000; the benchmark uses 1,000 so that updates dominate a short run),
   ``Agent`` against plain ``SAC("MlpPolicy", make_vec_env(...))``; each side builds and
   learns 3,000 steps, alternating repeats, median wall time. Goal: Agent steps/s >= 0.95x
   plain SB3's.
"""

from __future__ import annotations

import sys
import warnings
from datetime import datetime, timezone
from typing import Any

import numpy as np
from _results import finish_results, goal, goal_lines, md_table, run_benchmark, section_header
from _timing import load_average, machine_info, time_alternating
from stable_baselines3 import SAC
from stable_baselines3.common.env_util import make_vec_env

from paradigms.reinforcement import Agent, MaskedChoiceEnv

SECTION = "contrib"
EVAL_EPISODES = 20
#: (algo, env, budget, goal on every seed, what the goal is)
QUALITY = [
    ("tqc", "Pendulum-v1", 20_000, -200.0, "zoo preset; SAC's goal there"),
    ("qrdqn", "CartPole-v1", 50_000, 475.0, "zoo preset; CartPole's solved threshold"),
    ("maskableppo", MaskedChoiceEnv, 10_000, 20.0, "derived defaults; the best return"),
    ("ppo", MaskedChoiceEnv, 10_000, None, "derived defaults, no masks: for comparison"),
]
SPEED_ENV = "HalfCheetah-v5"
SPEED_STEPS = 3_000
SPEED_LEARNING_STARTS = 1_000


def _quality(seeds: list[int], scale: float) -> list[dict[str, Any]]:
    rows = []
    for algo, env, budget, target, note in QUALITY:
        steps = max(512, int(budget * scale))
        for seed in seeds:
            agent = Agent(env, algo=algo, seed=seed)
            started = datetime.now(timezone.utc)
            agent.learn(steps)
            seconds = (datetime.now(timezone.utc) - started).total_seconds()
            mean, std = agent.evaluate(EVAL_EPISODES)
            name = env if isinstance(env, str) else env.__name__
            rows.append(
                {"algo": algo, "env": name, "steps": steps, "seed": seed, "mean": mean,
                 "std": std, "seconds": round(seconds, 1), "target": target, "note": note}
            )  # fmt: skip
            print(f"{algo:<12} {name:<16} seed {seed}: {mean:8.1f} ± {std:.1f} ({seconds:.0f} s)")
            agent.close()
    return rows


def _speed(repeats: int, steps: int) -> dict[str, Any]:
    values = {"learning_starts": SPEED_LEARNING_STARTS}  # the zoo's: SB3's defaults otherwise

    def ours() -> float:
        agent = Agent(SPEED_ENV, algo="sac", seed=0, **values)
        agent.learn(steps)
        return float(agent.num_timesteps)

    def plain() -> float:
        model = SAC("MlpPolicy", make_vec_env(SPEED_ENV, n_envs=1, seed=0), seed=0, **values)
        model.learn(steps)
        return float(model.num_timesteps)

    timings = time_alternating({"paradigms": ours, "plain SB3": plain}, repeats, 1)
    out = {}
    for name, timing in timings.items():
        out[name] = {**timing.summary(), "steps_per_s": round(steps / timing.median, 1)}
    return out


def run(quick: bool, command: str, repeats: int) -> dict[str, Any]:
    started = datetime.now(timezone.utc)
    machine = {**machine_info(("stable_baselines3", "sb3_contrib", "gymnasium", "mujoco")),
               "load_average_at_start": load_average()}  # fmt: skip
    seeds = [0] if quick else [0, 1]
    rows = _quality(seeds, 0.05 if quick else 1.0)
    speed = _speed(repeats, 600 if quick else SPEED_STEPS)
    ratio = speed["paradigms"]["steps_per_s"] / speed["plain SB3"]["steps_per_s"]
    goals = []
    for algo, env, _, target, _ in QUALITY:
        if target is None:
            continue
        name = env if isinstance(env, str) else env.__name__
        worst = min(r["mean"] for r in rows if r["algo"] == algo)
        goals.append(goal(f"{algo} on {name}, every seed", round(worst, 1), f">= {target:g}",
                          worst >= target))  # fmt: skip
    goals.append(goal("SAC HalfCheetah-v5 steps/s, paradigms / plain SB3", round(ratio, 3),
                      ">= 0.95", ratio >= 0.95))  # fmt: skip
    return finish_results(started, command, machine, quick=quick, quality=rows, speed=speed,
                          speed_ratio=round(ratio, 3), repeats=repeats, goals=goals)  # fmt: skip


def render(results: dict[str, Any]) -> str:
    lines = section_header(
        "sb3-contrib algorithms and MuJoCo (`benchmarks/contrib.py`)",
        results,
        "1 torch thread",
        "see the script's docstring; quality: the preset's budget, 20 deterministic evaluation "
        "episodes per seed; speed: build + learn, alternating repeats, median",
    )
    lines.append(md_table(
        ["algo", "env", "steps", "seed", "eval return", "fit s", "goal", "setting"],
        [[r["algo"], r["env"], f"{r['steps']:,}", r["seed"], f"{r['mean']:.1f} ± {r['std']:.1f}",
          r["seconds"], "" if r["target"] is None else f">= {r['target']:g}", r["note"]]
         for r in results["quality"]],
    ))  # fmt: skip
    lines.append("")
    speed = results["speed"]
    lines.append(md_table(
        ["SAC on HalfCheetah-v5", "median s", "steps/s", "repeats (s)"],
        [[name, row["median_s"], row["steps_per_s"], row["repeats_s"]]
         for name, row in speed.items()],
    ))  # fmt: skip
    lines += ["", f"Agent / plain SB3 steps per second: {results['speed_ratio']:.3f}", ""]
    lines += goal_lines(results["goals"])
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    warnings.filterwarnings("ignore", category=DeprecationWarning)
    return run_benchmark(__doc__, run, render, name=SECTION, threads=1, argv=argv)


if __name__ == "__main__":
    np.seterr(all="ignore")
    sys.exit(main())
