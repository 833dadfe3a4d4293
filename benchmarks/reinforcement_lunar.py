"""LunarLander-v3 benchmark: the shipped presets (PPO, A2C, DQN) run by
``paradigms.reinforcement.Agent`` next to plain stable-baselines3 with the same
rl-baselines3-zoo hyperparameters, for quality (evaluation return) and speed (wall clock).

Needs Box2D (``pip install -e ".[box2d]"``, part of ``dev``). Run from the repository root, on
a quiet machine (about 20 minutes on 2 CPUs with the default two seeds; not part of
``make bench``):

    .venv/bin/python benchmarks/reinforcement_lunar.py           # full run: writes results
    .venv/bin/python benchmarks/reinforcement_lunar.py --quick   # smoke test, about a minute

A full run writes ``benchmarks/results/reinforcement-lunarlander.json`` and the
``reinforcement-lunarlander`` section of ``benchmarks/RESULTS.md``. ``--algos ppo,dqn`` picks
algorithms, ``--seeds 0,1,2`` the seeds. Every side gets the preset's full budget (PPO 1M
steps, A2C 200k, DQN 100k) and the same protocol as ``reinforcement.py`` (untimed warm-up of
each side, alternating order, 20 deterministic evaluation episodes on a fresh env).

Reference, not a goal: the zoo's benchmark table (one run each, LunarLander-v2, which v3 only
fixes bugs of) reports PPO 242.1 ± 31.8 (1M steps), A2C 155.8 ± 80.4 (200k), DQN 154.4 ± 79.2
(100k). The goal is the project's general one: the Agent is as fast as plain SB3 (median wall
time ratio <= 1.0) at the same quality.
"""

from __future__ import annotations

import argparse
import sys
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

import torch
from _reinforcement_report import per_seed_table, preset_note, render_goals, render_header
from _results import base_parser, command_line, goal, publish
from reinforcement import (
    Side,
    agent_side,
    compare_networks,
    compare_sides,
    preset_check,
    run_parts,
)
from stable_baselines3 import A2C, DQN, PPO
from stable_baselines3.common.base_class import BaseAlgorithm
from stable_baselines3.common.env_util import make_vec_env

from paradigms.reinforcement import Agent
from paradigms.reinforcement.presets import parse_schedule

SECTION = "reinforcement-lunarlander"
ENV_ID = "LunarLander-v3"
ALGOS = ("ppo", "a2c", "dqn")
ALGORITHM_CLASSES: dict[str, type[BaseAlgorithm]] = {"ppo": PPO, "a2c": A2C, "dqn": DQN}

#: rl-baselines3-zoo's LunarLander hyperparameters (hyperparams/{ppo,a2c,dqn}.yml), written out
#: by hand so the plain side does not depend on the library's preset file; the report checks
#: that the two agree. ``n_envs`` and ``n_timesteps`` are the zoo's too.
PLAIN: dict[str, dict[str, Any]] = {
    "ppo": {
        "n_envs": 16,
        "n_timesteps": 1_000_000,
        "n_steps": 1024,
        "batch_size": 64,
        "gae_lambda": 0.98,
        "gamma": 0.999,
        "n_epochs": 4,
        "ent_coef": 0.01,
    },
    "a2c": {
        "n_envs": 8,
        "n_timesteps": 200_000,
        "gamma": 0.995,
        "n_steps": 5,
        "learning_rate": "lin_0.00083",
        "ent_coef": 0.00001,
    },
    "dqn": {
        "n_envs": 1,
        "n_timesteps": 100_000,
        "learning_rate": 0.00063,
        "batch_size": 128,
        "buffer_size": 50_000,
        "learning_starts": 0,
        "gamma": 0.99,
        "target_update_interval": 250,
        "train_freq": 4,
        "gradient_steps": -1,
        "exploration_fraction": 0.12,
        "exploration_final_eps": 0.1,
    },
}
#: the zoo's policy_kwargs (the Agent's equivalent network is compared layer by layer instead)
PLAIN_POLICY_KWARGS: dict[str, dict[str, Any]] = {"dqn": {"net_arch": [256, 256]}}
#: the zoo's benchmark table, LunarLander-v2 (benchmark.md of rl-baselines3-zoo)
ZOO_REFERENCE: dict[str, dict[str, float]] = {
    "ppo": {"mean": 242.119, "std": 31.823, "steps": 1_000_000},
    "a2c": {"mean": 155.751, "std": 80.419, "steps": 200_000},
    "dqn": {"mean": 154.382, "std": 79.241, "steps": 100_000},
}
MAX_TIME_RATIO = 1.0
ENV_NOTE = (
    "Envs: the Agent makes its training envs with `render_mode=None` (it renders only for "
    "recordings). SB3's `make_vec_env(env_id)` defaults to `render_mode='rgb_array'`, under "
    "which LunarLander adds a Box2D body for every engine particle, a decoration, and its "
    "physics step gets several times slower. The plain side gets `render_mode=None` too, "
    "unless the run says `--plain-env-default` (then this section's title says so)."
)
#: --quick budgets: PPO gets past its one-rollout warm-up, the others a few updates
QUICK_STEPS = {"ppo": 20_000, "a2c": 2_000, "dqn": 2_000}


@dataclass(frozen=True)
class LunarConfig:
    """What one run does (``threads``, ``device``, ``eval_episodes`` and :meth:`warm_up` are
    what ``reinforcement.compare_sides`` reads).

    Attributes:
        quick: smoke-test mode (a few thousand steps per algorithm, one seed).
        algos: the algorithms to run, among :data:`ALGOS`.
        seeds: seeds of every algorithm.
        steps: steps per algorithm (the zoo's budget unless quick).
        threads: ``torch.get_num_threads()`` for every side and every timed block.
        device: where every side trains.
        plain_env_default: plain SB3's envs keep ``make_vec_env``'s default
            ``render_mode="rgb_array"`` (what SB3 code usually gets) instead of the Agent's
            ``None``; the results go to their own section.
        eval_episodes: deterministic evaluation episodes (fresh env, untimed).
    """

    quick: bool
    algos: tuple[str, ...]
    seeds: tuple[int, ...]
    steps: tuple[tuple[str, int], ...]
    threads: int
    device: str
    plain_env_default: bool = False
    eval_episodes: int = 20

    def warm_up(self, algo: str) -> int:
        """Untimed warm-up steps: one PPO rollout (16 x 1024), some A2C and DQN updates."""
        return {"ppo": 16_384, "a2c": 2_000, "dqn": 1_000}[algo]

    def budget(self, algo: str) -> int:
        return dict(self.steps)[algo]


def plain_side(algo: str, cfg: LunarConfig, seed: int, steps: int) -> BaseAlgorithm:
    """Plain SB3: ``make_vec_env`` with the zoo's ``n_envs`` + ``MlpPolicy`` with its values.

    The envs are made like the Agent's (``render_mode=None``) unless ``cfg.plain_env_default``:
    then ``make_vec_env``'s own default, ``render_mode="rgb_array"``, under which LunarLander
    adds a Box2D body per engine particle and its physics step gets much slower.
    """
    values = {key: value for key, value in PLAIN[algo].items() if key != "n_timesteps"}
    env_kwargs = None if cfg.plain_env_default else {"render_mode": None}
    env = make_vec_env(ENV_ID, n_envs=values.pop("n_envs"), seed=seed, env_kwargs=env_kwargs)
    for key in ("learning_rate", "clip_range"):
        if isinstance(values.get(key), str):
            values[key] = parse_schedule(values[key])
    model = ALGORITHM_CLASSES[algo](
        "MlpPolicy",
        env,
        seed=seed,
        device=cfg.device,
        policy_kwargs=PLAIN_POLICY_KWARGS.get(algo),
        **values,
    )
    return model.learn(steps)


def bench_algo(algo: str, cfg: LunarConfig) -> dict[str, Any]:
    """One algorithm: Agent (preset) vs plain SB3 (zoo values) on every seed."""
    sides: dict[str, Side] = {
        "agent": partial(agent_side, ENV_ID, algo, cfg),
        "sb3": partial(plain_side, algo, cfg),
    }
    result = compare_sides(ENV_ID, algo, sides, cfg, cfg.seeds, cfg.budget(algo))
    summary = result["summary"]
    result["time_ratio"] = round(summary["agent"]["median_s"] / summary["sb3"]["median_s"], 4)
    plain = {k: v for k, v in PLAIN[algo].items() if k != "n_envs"}
    result["preset"] = preset_check(ENV_ID, algo, plain, PLAIN[algo]["n_envs"])
    agent = Agent(ENV_ID, algo=algo, check_env=False, device=cfg.device)
    network = ALGORITHM_CLASSES[algo](
        "MlpPolicy",
        make_vec_env(ENV_ID),
        device=cfg.device,
        policy_kwargs=PLAIN_POLICY_KWARGS.get(algo),
    )
    result["networks"] = compare_networks(agent, network)
    return result


def evaluate_goals(results: dict[str, Any]) -> list[dict[str, Any]]:
    """Per algorithm: median wall time Agent / plain SB3 <= 1.0."""
    goals = []
    for algo in results["config"]["algos"]:
        part = results[algo]
        goals.append(
            goal(
                f"{ENV_ID} {algo.upper()}: wall time, median Agent / median plain SB3",
                part["time_ratio"],
                f"<= {MAX_TIME_RATIO}",
                part["time_ratio"] <= MAX_TIME_RATIO,
            )
        )
    return goals


def render_markdown(results: dict[str, Any]) -> str:
    """The RESULTS.md section: header, goals, one table per algorithm."""
    title = f"Reinforcement, {ENV_ID}: the shipped presets, Agent vs plain stable-baselines3"
    if results["config"]["plain_env_default"]:
        title += " with make_vec_env's default render_mode='rgb_array'"
    parts = [render_header(results, title), ENV_NOTE, render_goals(results["goals"])]
    for algo in results["config"]["algos"]:
        part, zoo = results[algo], ZOO_REFERENCE[algo]
        agent_net, sb3_net = part["networks"]["agent"], part["networks"]["sb3"]
        same = agent_net["linear_layers"] == sb3_net["linear_layers"]
        note = (
            f"{preset_note(part['preset'])} Policy parameters: Agent "
            f"{agent_net['parameters']:,}, plain SB3 {sb3_net['parameters']:,}; linear layers "
            f"{'identical' if same else 'differ'}. Wall time ratio (medians, Agent / SB3): "
            f"**{part['time_ratio']:.3f}**. Zoo reference (LunarLander-v2, one run): "
            f"{zoo['mean']:.1f} ± {zoo['std']:.1f} at {zoo['steps']:,.0f} steps. "
            f"Part took {part['part_seconds']:.0f} s in all."
        )
        heading = f"### {ENV_ID}, {algo.upper()}, {part['steps']:,} steps"
        parts.append(f"{heading}\n\n{per_seed_table(part)}\n\n{note}")
    return "\n\n".join(parts)


def run(cfg: LunarConfig, command: str) -> dict[str, Any]:
    """Every chosen algorithm in order; returns the JSON-ready results (goals included)."""
    return run_parts(
        SECTION,
        command,
        cfg,
        ("stable-baselines3", "gymnasium", "box2d", "paradigms"),
        {"zoo_reference": ZOO_REFERENCE},
        {algo: partial(bench_algo, algo, cfg) for algo in cfg.algos},
        evaluate_goals,
    )


def _items(text: str, allowed: Sequence[str] | None = None) -> tuple[str, ...]:
    items = tuple(item.strip() for item in text.split(",") if item.strip())
    if not items or (allowed is not None and set(items) - set(allowed)):
        raise argparse.ArgumentTypeError(f"expected a comma-separated subset of {allowed}")
    return items


def main(argv: Sequence[str] | None = None) -> int:
    parser = base_parser(__doc__.split("\n\n")[0], repeats=False)
    parser.set_defaults(threads=1)
    parser.add_argument("--algos", type=partial(_items, allowed=ALGOS), default=ALGOS)
    parser.add_argument("--seeds", type=_items, default=None, help="default 0,1 (quick: 0)")
    parser.add_argument(
        "--plain-env-default",
        action="store_true",
        help="plain SB3 keeps make_vec_env's render_mode='rgb_array' (own results section)",
    )
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)
    quick = bool(args.quick)
    algos = tuple(a for a in ALGOS if a in args.algos)
    cfg = LunarConfig(
        quick=quick,
        algos=algos,
        seeds=tuple(int(s) for s in args.seeds) if args.seeds else ((0,) if quick else (0, 1)),
        steps=tuple(
            (algo, QUICK_STEPS[algo] if quick else PLAIN[algo]["n_timesteps"]) for algo in algos
        ),
        threads=torch.get_num_threads(),
        device=args.device,
        plain_env_default=bool(args.plain_env_default),
    )
    warnings.filterwarnings("ignore", category=UserWarning, module=r"gymnasium\.utils\..*")
    results = run(cfg, command_line())
    name = f"{SECTION}-sb3-default-env" if cfg.plain_env_default else SECTION
    return publish(
        results, render_markdown(results), name=name, quick=cfg.quick, no_write=args.no_write
    )


if __name__ == "__main__":
    sys.exit(main())
