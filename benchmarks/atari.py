"""Atari: PPO on ALE/Pong-v5 with the zoo's preset, against plain SB3 with the same wrappers.

Run from the repository root, on a quiet machine (about 5 minutes on 2 CPUs):

    .venv/bin/python benchmarks/atari.py            # full run: writes the results
    .venv/bin/python benchmarks/atari.py --quick    # smoke test

The full run writes ``benchmarks/results/atari.json`` and the ``atari`` section of
``benchmarks/RESULTS.md``; ``--quick`` only the git-ignored ``benchmarks/out/``.

Protocol: ``ALE/Pong-v5`` made with ``frameskip=1`` under SB3's ``AtariWrapper`` and a 4-frame
``VecFrameStack``, 8 envs (``DummyVecEnv``), PPO with rl-baselines3-zoo's ``atari`` values
(n_steps 128, batch 256, 4 epochs, lr lin_2.5e-4, clip lin_0.1, vf 0.5, entropy 0.01), seed 0.
Sides: ``Agent("ALE/Pong-v5", algo="ppo")`` (the library's preset: the same wrappers and
values, the ``nature_cnn`` backbone) and plain SB3 (``PPO("CnnPolicy", ...)``, NatureCNN),
each at one torch thread and at two. Each repeat builds a fresh agent and trains 2,048 steps
(two rollouts and their updates); sides alternate, medians over the repeats. steps/s counts
building the agent (env creation, the library's env checks, the model) and learning; the
learn-only column times ``learn`` alone. Goal (issue 11): the library's steps/s >= plain SB3's
with the same wrappers (on the first, stricter column).
"""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Sequence
from datetime import datetime, timezone
from typing import Any

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
from _timing import load_average, machine_info, time_alternating

from paradigms.reinforcement import Agent

SECTION = "atari"
ENV = "ALE/Pong-v5"
ZOO_PPO = dict(
    n_steps=128, n_epochs=4, batch_size=256, vf_coef=0.5, ent_coef=0.01,
)  # fmt: skip


def plain_sb3(steps: int, threads: int) -> Any:
    def run() -> float:
        import ale_py
        import gymnasium as gym
        from stable_baselines3 import PPO
        from stable_baselines3.common.atari_wrappers import AtariWrapper
        from stable_baselines3.common.env_util import make_vec_env
        from stable_baselines3.common.utils import LinearSchedule
        from stable_baselines3.common.vec_env import VecFrameStack

        gym.register_envs(ale_py)
        previous = torch.get_num_threads()
        torch.set_num_threads(threads)
        try:
            venv = make_vec_env(ENV, n_envs=8, seed=0, env_kwargs={"frameskip": 1},
                                wrapper_class=AtariWrapper)  # fmt: skip
            venv = VecFrameStack(venv, n_stack=4)
            model = PPO(
                "CnnPolicy", venv, seed=0, device="cpu",
                learning_rate=LinearSchedule(2.5e-4, 0.0, 1.0),
                clip_range=LinearSchedule(0.1, 0.0, 1.0), **ZOO_PPO,
            )  # fmt: skip
            started = time.perf_counter()
            model.learn(steps)
            learn_seconds = time.perf_counter() - started
            venv.close()
        finally:
            torch.set_num_threads(previous)
        return learn_seconds

    return run


def library(steps: int, threads: int) -> Any:
    def run() -> float:
        agent = Agent(ENV, algo="ppo", seed=0, num_threads=threads, device="cpu")
        started = time.perf_counter()
        agent.learn(steps, progress_bar=False)
        learn_seconds = time.perf_counter() - started
        agent.close()
        return learn_seconds

    return run


def run(quick: bool, command: str, repeats: int) -> dict[str, Any]:
    started = datetime.now(timezone.utc)
    machine = machine_info(("stable-baselines3", "ale-py"))
    machine["load_average_at_start"] = load_average()
    steps = 1024 if quick else 2048
    sides = {
        "paradigms Agent, 1 thread": library(steps, 1),
        "plain SB3, 1 thread": plain_sb3(steps, 1),
        "paradigms Agent, 2 threads": library(steps, 2),
        "plain SB3, 2 threads": plain_sb3(steps, 2),
    }
    timings = time_alternating(sides, repeats, threads=torch.get_num_threads())
    rows = [
        {"side": side, "steps": steps, **t.summary(),
         "steps_per_second": round(steps / t.median, 1),
         "learn_steps_per_second": round(steps / statistics.median(t.results), 1)}
        for side, t in timings.items()
    ]  # fmt: skip
    results = finish_results(started, command, machine, rows=rows)
    results["goals"] = goals(results)
    return results


def goals(results: dict[str, Any]) -> list[dict[str, Any]]:
    speed = {r["side"]: r["steps_per_second"] for r in results["rows"]}
    out = []
    for threads in ("1 thread", "2 threads"):
        ratio = speed[f"paradigms Agent, {threads}"] / speed[f"plain SB3, {threads}"]
        out.append(goal(f"steps/s, library / plain SB3 ({threads})", ratio, ">= 1", ratio >= 1))
    return out


def render_markdown(results: dict[str, Any]) -> str:
    m = results["machine"]
    body = [[r["side"], r["steps_per_second"], r["learn_steps_per_second"], r["median_s"],
             r["repeats_s"]] for r in results["rows"]]  # fmt: skip
    lines = [
        *section_header(
            "Reinforcement: Atari (ALE/Pong-v5) PPO steps/s against plain SB3, same wrappers",
            results,
            f"ale-py {m['packages'].get('ale-py')}",
            f"see `benchmarks/atari.py`; {results['rows'][0]['steps']:,} steps per repeat, "
            "8 envs, AtariWrapper + 4-frame stack, zoo PPO values, medians",
        ),
        md_table(
            ["side", "steps/s (build + learn)", "steps/s (learn only)", "median s", "repeats (s)"],
            body,
        ),
    ]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_options(__doc__.split("\n\n")[0], argv)
    results = run(args.quick, command_line(), args.repeats or (1 if args.quick else 3))
    return publish(
        results, render_markdown(results), name=SECTION, quick=args.quick, no_write=args.no_write
    )


if __name__ == "__main__":
    sys.exit(main())
