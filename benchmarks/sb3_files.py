"""SB3 ``.zip`` files read without pickle: do they act as SB3's own load, and at what cost?

Run from the repository root (about 2 minutes on 2 CPUs):

    .venv/bin/python benchmarks/sb3_files.py            # full run: writes the results
    .venv/bin/python benchmarks/sb3_files.py --quick    # smoke test

The full run writes ``benchmarks/results/sb3_files.json`` and the ``sb3_files`` section of
``benchmarks/RESULTS.md``; ``--quick`` only the git-ignored ``benchmarks/out/``.

Protocol (issue 14): SB3 itself trains each model (seed 0, SB3's defaults unless stated) and
saves it with ``model.save``: PPO on CartPole-v1 (MlpPolicy, ReLU, separate 64-64 / 64 trunks),
DQN on CartPole-v1, SAC and TD3 on Pendulum-v1, PPO with ``CnnPolicy`` on PixelCatch 36x36.
Each file is opened by SB3's ``Algo.load`` (which unpickles) and by paradigms'
``Agent.load(path, env=...)`` (which does not), alternating, 1 torch thread; we report the
median load times, the share of identical deterministic actions on 2,000 observations drawn
from the observation space and the largest action difference, the mean return of 10
evaluation episodes with each (same env seeds), and how many values the file held only as a
pickle (named by ``agent.sb3_notes_``).

Goal: identical actions on every observation, equal evaluation returns.
"""

from __future__ import annotations

import sys
import tempfile
import warnings
from collections.abc import Callable, Sequence
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import gymnasium as gym
import numpy as np
import torch
from _results import (
    finish_results,
    goal,
    goal_lines,
    md_table,
    run_benchmark,
    section_header,
)
from _timing import machine_info, time_alternating
from stable_baselines3 import DQN, PPO, SAC, TD3
from stable_baselines3.common.base_class import BaseAlgorithm

from paradigms.reinforcement import Agent, SB3ImportWarning
from paradigms.reinforcement.envs import PixelCatchEnv

SECTION = "sb3_files"
THREADS = 1
N_OBSERVATIONS = 2_000
EVAL_EPISODES = 10


def _pixel_catch() -> gym.Env:
    return PixelCatchEnv(size=36)


#: name -> (SB3 class, policy, env factory, env name, kwargs, steps)
MODELS: dict[str, tuple[type[BaseAlgorithm], str, Callable[[], gym.Env], str, dict, int]] = {
    "PPO CartPole (ReLU, pi 64-64 / vf 64)": (
        PPO, "MlpPolicy", lambda: gym.make("CartPole-v1"), "CartPole-v1",
        {"policy_kwargs": {"activation_fn": torch.nn.ReLU,
                           "net_arch": {"pi": [64, 64], "vf": [64]}}}, 20_000,
    ),
    "DQN CartPole": (
        DQN, "MlpPolicy", lambda: gym.make("CartPole-v1"), "CartPole-v1",
        {"learning_starts": 1_000, "exploration_fraction": 0.2}, 20_000,
    ),
    "SAC Pendulum": (
        SAC, "MlpPolicy", lambda: gym.make("Pendulum-v1"), "Pendulum-v1",
        {"learning_starts": 500}, 4_000,
    ),
    "TD3 Pendulum": (
        TD3, "MlpPolicy", lambda: gym.make("Pendulum-v1"), "Pendulum-v1",
        {"learning_starts": 500}, 4_000,
    ),
    "PPO CnnPolicy PixelCatch 36x36": (
        PPO, "CnnPolicy", _pixel_catch, "PixelCatch-36", {"n_steps": 256, "batch_size": 64}, 2_048,
    ),
}  # fmt: skip


def _evaluate(predict: Callable[[np.ndarray], np.ndarray], make: Callable[[], gym.Env]) -> float:
    returns = []
    for episode in range(EVAL_EPISODES):
        env = make()
        obs, _ = env.reset(seed=1_000 + episode)
        total, done = 0.0, False
        while not done:
            obs, reward, terminated, truncated, _ = env.step(predict(obs))
            total += float(reward)
            done = terminated or truncated
        returns.append(total)
    return float(np.mean(returns))


def _row(name: str, folder: Path, repeats: int, quick: bool) -> dict[str, Any]:
    cls, policy, make, env_name, kwargs, steps = MODELS[name]
    model = cls(policy, make(), seed=0, **kwargs)
    model.learn(200 if quick else steps)
    path = folder / f"{cls.__name__.lower()}_{len(list(folder.iterdir()))}.zip"
    model.save(path)

    def ours() -> Agent:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", SB3ImportWarning)
            return Agent.load(path, env=make)

    timings = time_alternating(
        {"sb3": lambda: cls.load(path, device="cpu"), "paradigms": ours}, repeats, THREADS
    )
    reference, agent = timings["sb3"].results[-1], timings["paradigms"].results[-1]
    space = make().observation_space
    space.seed(0)
    obs = np.stack([space.sample() for _ in range(100 if quick else N_OBSERVATIONS)])
    theirs = np.asarray(reference.predict(obs, deterministic=True)[0], dtype=float)
    mine = np.asarray(agent.predict(obs, deterministic=True)[0], dtype=float)
    same = np.all(np.isclose(theirs.reshape(len(obs), -1), mine.reshape(len(obs), -1)), axis=1)
    return {
        "model": name,
        "env": env_name,
        "train_steps": 200 if quick else steps,
        "backbone": agent._backbone_names(),
        "sb3_load_s": timings["sb3"].median,
        "paradigms_load_s": timings["paradigms"].median,
        "identical_actions": float(same.mean()),
        "max_abs_difference": float(np.abs(theirs - mine).max()),
        "return_sb3": _evaluate(lambda o: reference.predict(o, deterministic=True)[0], make),
        "return_paradigms": _evaluate(lambda o: agent.predict(o, deterministic=True)[0], make),
        "notes": list(agent.sb3_notes_),
    }


def run(quick: bool, command: str, repeats: int) -> dict[str, Any]:
    started = datetime.now(timezone.utc)
    with tempfile.TemporaryDirectory() as tmp:
        rows = []
        for name in MODELS:
            rows.append(_row(name, Path(tmp), repeats, quick))
            print(f"{name}: {rows[-1]['identical_actions']:.1%} identical actions")
    identical = min(r["identical_actions"] for r in rows)
    returns_equal = all(r["return_sb3"] == r["return_paradigms"] for r in rows)
    results = finish_results(
        started, command, machine_info(("stable-baselines3",)), repeats=repeats, rows=rows
    )
    results["goals"] = [
        goal("identical deterministic actions (worst model)", identical, "1.0", identical == 1.0),
        goal("equal evaluation returns", returns_equal, "True", returns_equal),
    ]
    return results


def render_markdown(results: dict[str, Any]) -> str:
    table = [
        [
            r["model"],
            r["backbone"],
            f"{r['sb3_load_s']:.3f} / {r['paradigms_load_s']:.3f} "
            f"({r['paradigms_load_s'] / r['sb3_load_s']:.2f}x)",
            f"{r['identical_actions']:.1%}",
            f"{r['max_abs_difference']:.1e}",
            f"{r['return_sb3']:.1f} / {r['return_paradigms']:.1f}",
            "; ".join(n.split(":")[0] for n in r["notes"]) or "-",
        ]
        for r in results["rows"]
    ]
    body = [
        *section_header(
            "SB3 .zip files read without pickle (Agent.load) against SB3's own load",
            results,
            f"{THREADS} torch thread",
            "see `benchmarks/sb3_files.py`; SB3 trains and saves each model, both load it",
        ),
        md_table(
            [
                "model (trained by SB3)",
                "paradigms backbone",
                "load s: SB3 / paradigms",
                "identical actions",
                "max abs diff",
                f"mean return ({EVAL_EPISODES} ep.): SB3 / paradigms",
                "not read back exactly (agent.sb3_notes_)",
            ],
            table,
        ),
        "",
        *goal_lines(results["goals"]),
    ]
    return "\n".join(body)


def main(argv: Sequence[str] | None = None) -> int:
    return run_benchmark(__doc__, run, render_markdown, name=SECTION, threads=THREADS, argv=argv)


if __name__ == "__main__":
    sys.exit(main())
