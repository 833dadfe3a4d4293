"""Reinforcement benchmark: ``paradigms.reinforcement.Agent`` next to plain stable-baselines3
with the same rl-baselines3-zoo hyperparameters, measuring quality (evaluation return) and
speed (wall-clock construction + learning, steps per second) side by side.

Run from the repository root, on a quiet machine (nothing else running; about 15 minutes on 2
CPUs, most of it SAC):

    .venv/bin/python benchmarks/reinforcement.py           # full run: writes the results
    .venv/bin/python benchmarks/reinforcement.py --quick   # smoke test: a few thousand steps

The full run writes ``benchmarks/results/reinforcement.json`` and the ``reinforcement``
section of ``benchmarks/RESULTS.md``. ``--quick`` never touches either (its JSON goes to the
git-ignored ``benchmarks/out/``); ``--no-write`` only prints. ``--threads N`` sets torch's
thread count once at start (default 1 here, what small RL networks run fastest with); both
sides run with that count. ``--only ppo,sac,extractor`` picks parts; ``--seeds`` and
``--sac-seeds`` (comma-separated) pick the seeds of parts 1 and 2.

What is measured (goals from the project's issue; each is printed as PASS/FAIL):

1. CartPole-v1, PPO, 100k steps, seeds 0..4: ``Agent("CartPole-v1", algo="ppo", seed=s)`` with
   its preset vs plain SB3 ``PPO("MlpPolicy", make_vec_env(..., n_envs=8, seed=s), **zoo)``.
   Goals: evaluation (20 deterministic episodes, fresh env) >= 475 for every seed; median
   wall time Agent / plain SB3 <= 1.0 (moonshot 0.5). Issue anchor: the zoo's tuned PPO with
   plain SB3, 100k steps in 39 s, evaluation 500.0 (about 2,570 steps/s).
2. Pendulum-v1, SAC, 20k steps (zoo: learning_rate 1e-3): ``Agent(..., algo="sac")`` and plain
   SB3 SAC. Goal: evaluation >= -200 for every seed (zoo reports -157).
3. Network overhead: PPO on CartPole-v1 with the preset, 50k steps, alternating repeats: plain
   SB3 ``MlpPolicy`` (64-64 tanh; also with fused Adam, the optimizer the Agent uses, so the
   comparison with it isolates the networks), the Agent's default (``BackboneExtractor``
   with a 64 mlp backbone + ``net_arch=[64]``) and an explicit 64-64 mlp backbone
   (``net_arch=[]``).
   Goal: median steps/s, Agent / SB3 >= 0.95. Parameter counts show the networks' sizes.
"""

from __future__ import annotations

import argparse
import dataclasses
import statistics
import sys
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import Any, Protocol

import numpy as np
import torch
from _reinforcement_report import ANCHOR, evaluate_goals, render_markdown
from _results import base_parser, command_line, publish
from _timing import load_average, machine_info, time_alternating, time_call
from stable_baselines3 import PPO, SAC
from stable_baselines3.common.base_class import BaseAlgorithm
from stable_baselines3.common.env_util import make_vec_env
from stable_baselines3.common.evaluation import evaluate_policy
from torch import nn

from paradigms.reinforcement import Agent
from paradigms.reinforcement.presets import parse_schedule

SECTION = "reinforcement"
PARTS = ("ppo", "sac", "extractor")
EVAL_SEED_OFFSET = 10_000  # evaluation env of seed s is seeded s + 10_000 (as Agent's own)

#: rl-baselines3-zoo's tuned CartPole-v1 PPO (hyperparams/ppo.yml), written out by hand so the
#: plain side does not depend on the library's preset file; the report checks they agree.
PLAIN_PPO: dict[str, Any] = {
    "n_steps": 32,
    "batch_size": 256,
    "gae_lambda": 0.8,
    "gamma": 0.98,
    "n_epochs": 20,
    "ent_coef": 0.0,
    "learning_rate": "lin_0.001",
    "clip_range": "lin_0.2",
}
PLAIN_PPO_N_ENVS = 8
#: the zoo's Pendulum-v1 SAC (hyperparams/sac.yml): SB3 defaults except the learning rate.
PLAIN_SAC: dict[str, Any] = {"learning_rate": 0.001}
PLAIN_SAC_N_ENVS = 1
#: part 3, side (c): both 64-unit tanh layers in the backbone, nothing after it.
FULL_MLP_AGENT: dict[str, Any] = {
    "backbone": "mlp",
    "backbone_kwargs": {"hidden": [64, 64], "activation": "tanh"},
    "policy_kwargs": {"net_arch": [], "share_features_extractor": False},
}


# --------------------------------------------------------------------------- configuration
@dataclass(frozen=True)
class Config:
    """What one run does.

    Attributes:
        quick: smoke-test mode (a few thousand steps, one seed, no RESULTS.md).
        parts: the parts to run, among :data:`PARTS`.
        threads: ``torch.get_num_threads()`` for every side and every timed block.
        device: where every side trains.
        ppo_steps / ppo_seeds: part 1's budget and seeds.
        sac_steps / sac_seeds: part 2's budget and seeds.
        sac_plain: also run plain SB3 SAC in part 2.
        extractor_steps / repeats: part 3's budget and alternating rounds per side.
        eval_episodes: deterministic evaluation episodes (fresh env, untimed).
        warm_up_steps: untimed steps of each side before anything is timed, per algorithm.
    """

    quick: bool
    parts: tuple[str, ...]
    threads: int
    device: str
    ppo_steps: int
    ppo_seeds: tuple[int, ...]
    sac_steps: int
    sac_seeds: tuple[int, ...]
    sac_plain: bool
    extractor_steps: int
    repeats: int
    eval_episodes: int = 20
    warm_up_steps: tuple[tuple[str, int], ...] = (("ppo", 512), ("sac", 300))

    def warm_up(self, algo: str) -> int:
        """Untimed warm-up steps for ``algo`` (PPO: two rollouts; SAC: some gradient steps)."""
        return dict(self.warm_up_steps)[algo]


class SideSettings(Protocol):
    """What running and comparing sides needs of a config (``Config`` here, and the configs of
    the benchmarks that reuse these sides, such as ``reinforcement_lunar.py``)."""

    threads: int
    device: str
    eval_episodes: int

    def warm_up(self, algo: str) -> int: ...


# --------------------------------------------------------------------------- sides
# Each side builds its model and learns; the returned SB3 model is evaluated afterwards.
Side = Callable[[int, int], BaseAlgorithm]


def plain_ppo(cfg: Config, seed: int, steps: int, fused: bool = False) -> BaseAlgorithm:
    """Plain SB3: ``make_vec_env`` with 8 envs + ``PPO("MlpPolicy")`` with the zoo's values.

    ``fused=True`` gives SB3's Adam torch's fused kernel (what the Agent uses), so that a
    comparison with the Agent measures the networks alone.
    """
    env = make_vec_env("CartPole-v1", n_envs=PLAIN_PPO_N_ENVS, seed=seed)
    kwargs = dict(PLAIN_PPO)
    kwargs["learning_rate"] = parse_schedule(kwargs["learning_rate"])
    kwargs["clip_range"] = parse_schedule(kwargs["clip_range"])
    if fused:
        kwargs["policy_kwargs"] = {"optimizer_kwargs": {"fused": True}}
    model = PPO("MlpPolicy", env, seed=seed, device=cfg.device, **kwargs)
    return model.learn(steps)


def plain_sac(cfg: Config, seed: int, steps: int) -> BaseAlgorithm:
    """Plain SB3: ``SAC("MlpPolicy")`` on one Pendulum-v1 env with the zoo's learning rate."""
    env = make_vec_env("Pendulum-v1", n_envs=PLAIN_SAC_N_ENVS, seed=seed)
    return SAC("MlpPolicy", env, seed=seed, device=cfg.device, **PLAIN_SAC).learn(steps)


def agent_side(
    env_id: str, algo: str, cfg: SideSettings, seed: int, steps: int, **kwargs: Any
) -> Any:
    """``Agent(env_id, algo, seed=seed, **kwargs)`` with its preset, learned for ``steps``.

    The progress bar is off (the plain side has none); ``num_threads`` is the benchmark's.
    """
    agent = Agent(
        env_id, algo=algo, seed=seed, device=cfg.device, num_threads=cfg.threads, **kwargs
    )
    return agent.learn(steps, progress_bar=False).model


def evaluate(model: BaseAlgorithm, env_id: str, seed: int, episodes: int) -> tuple[float, float]:
    """Mean and std return over ``episodes`` deterministic episodes on a fresh env (untimed);
    the same protocol for every side."""
    env = make_vec_env(env_id, n_envs=1, seed=seed + EVAL_SEED_OFFSET)
    try:
        returns, _ = evaluate_policy(
            model, env, n_eval_episodes=episodes, deterministic=True, return_episode_rewards=True
        )
    finally:
        env.close()
    return float(np.mean(returns)), float(np.std(returns))


def close_env(model: BaseAlgorithm) -> None:
    """Close a trained model's training env."""
    env = model.get_env()
    if env is not None:
        env.close()


def network_summary(policy: nn.Module) -> dict[str, Any]:
    """Parameter and buffer counts of an SB3 policy and the shapes of its linear layers
    (``"in x out"``, sorted; a module shared between actor and critic counts once)."""
    layers = [
        f"{module.in_features}x{module.out_features}"
        for module in policy.modules()
        if isinstance(module, nn.Linear)
    ]
    return {
        "parameters": sum(p.numel() for p in policy.parameters()),
        "buffers": sum(b.numel() for b in policy.buffers()),
        "linear_layers": sorted(layers, key=lambda s: tuple(int(x) for x in s.split("x"))),
    }


def compare_networks(agent: Agent, plain: BaseAlgorithm) -> dict[str, Any]:
    """:func:`network_summary` of an untrained Agent's and plain SB3 model's policies; both
    are closed afterwards."""
    networks = {"agent": network_summary(agent.policy), "sb3": network_summary(plain.policy)}
    agent.close()
    close_env(plain)
    return networks


def preset_check(env_id: str, algo: str, plain: dict[str, Any], n_envs: int) -> dict[str, Any]:
    """The Agent's hyperparameters next to the plain side's: do they agree?"""
    agent = Agent(env_id, algo=algo, check_env=False)
    hyper = agent.hyperparameters
    agent.close()
    differ = {
        key: {"agent": hyper.get(key), "plain": value}
        for key, value in {**plain, "n_envs": n_envs}.items()
        if hyper.get(key) != value
    }
    return {"plain": {**plain, "n_envs": n_envs}, "agent": hyper, "differences": differ}


# --------------------------------------------------------------------------- parts 1 and 2
def run_seed(
    name: str, side: Side, env_id: str, cfg: SideSettings, seed: int, steps: int
) -> dict[str, Any]:
    """One timed construction + learning of one side, then its (untimed) evaluation."""
    model, seconds = time_call(partial(side, seed, steps), cfg.threads)
    mean, std = evaluate(model, env_id, seed, cfg.eval_episodes)
    row = {
        "eval_mean": round(mean, 2),
        "eval_std": round(std, 2),
        "seconds": round(seconds, 3),
        "timesteps": int(model.num_timesteps),
        "steps_per_s": round(model.num_timesteps / seconds, 1),
    }
    close_env(model)
    print(f"  {env_id} seed {seed} {name}: {row}", flush=True)
    return row


def compare_sides(
    env_id: str,
    algo: str,
    sides: dict[str, Side],
    cfg: SideSettings,
    seeds: Sequence[int],
    steps: int,
) -> dict[str, Any]:
    """Every side on every seed; the order alternates per seed (given order on even seeds'
    positions, reversed on odd ones) after one untimed warm-up of each side."""
    for side in sides.values():
        close_env(side(seeds[0], cfg.warm_up(algo)))
    names = list(sides)
    per_seed = []
    for index, seed in enumerate(seeds):
        order = names if index % 2 == 0 else names[::-1]
        row: dict[str, Any] = {"seed": seed, "order": order}
        for name in order:
            row[name] = run_seed(name, sides[name], env_id, cfg, seed, steps)
        per_seed.append(row)
    summary = {
        name: {
            "median_s": round(statistics.median(r[name]["seconds"] for r in per_seed), 3),
            "median_steps_per_s": round(
                statistics.median(r[name]["steps_per_s"] for r in per_seed), 1
            ),
            "mean_eval": round(statistics.fmean(r[name]["eval_mean"] for r in per_seed), 2),
            "min_eval": min(r[name]["eval_mean"] for r in per_seed),
        }
        for name in names
    }
    return {
        "env_id": env_id,
        "algo": algo,
        "steps": steps,
        "per_seed": per_seed,
        "summary": summary,
    }


def bench_ppo(cfg: Config) -> dict[str, Any]:
    """Part 1: CartPole-v1 PPO, Agent with its preset vs plain SB3 with the zoo's values."""
    sides: dict[str, Side] = {
        "agent": partial(agent_side, "CartPole-v1", "ppo", cfg),
        "sb3": partial(plain_ppo, cfg),
    }
    result = compare_sides("CartPole-v1", "ppo", sides, cfg, cfg.ppo_seeds, cfg.ppo_steps)
    summary = result["summary"]
    result["time_ratio"] = round(summary["agent"]["median_s"] / summary["sb3"]["median_s"], 4)
    result["preset"] = preset_check("CartPole-v1", "ppo", PLAIN_PPO, PLAIN_PPO_N_ENVS)
    return result


def bench_sac(cfg: Config) -> dict[str, Any]:
    """Part 2: Pendulum-v1 SAC, Agent with its preset (and plain SB3 SAC, unless disabled)."""
    sides: dict[str, Side] = {"agent": partial(agent_side, "Pendulum-v1", "sac", cfg)}
    if cfg.sac_plain:
        sides["sb3"] = partial(plain_sac, cfg)
    result = compare_sides("Pendulum-v1", "sac", sides, cfg, cfg.sac_seeds, cfg.sac_steps)
    if cfg.sac_plain:
        summary = result["summary"]
        result["time_ratio"] = round(summary["agent"]["median_s"] / summary["sb3"]["median_s"], 4)
    result["preset"] = preset_check("Pendulum-v1", "sac", PLAIN_SAC, PLAIN_SAC_N_ENVS)
    agent = Agent("Pendulum-v1", algo="sac", check_env=False, device=cfg.device)
    plain = SAC("MlpPolicy", make_vec_env("Pendulum-v1"), device=cfg.device, **PLAIN_SAC)
    result["networks"] = compare_networks(agent, plain)
    return result


# --------------------------------------------------------------------------- part 3
EXTRACTOR_LABELS = {
    "sb3_mlp_policy": "SB3 PPO MlpPolicy (pi/vf 64-64 tanh)",
    "sb3_mlp_policy_fused": "SB3 PPO MlpPolicy + fused Adam (the Agent's optimizer)",
    "agent_default": "Agent default (BackboneExtractor mlp 64 + net_arch [64])",
    "agent_full_mlp": "Agent, mlp backbone 64-64 tanh + net_arch []",
}


def bench_extractor(cfg: Config) -> dict[str, Any]:
    """Part 3: steps/s of the same PPO run with SB3's network and with the Agent's, seed 0."""
    sides: dict[str, Side] = {
        "sb3_mlp_policy": partial(plain_ppo, cfg),
        "sb3_mlp_policy_fused": partial(plain_ppo, cfg, fused=True),
        "agent_default": partial(agent_side, "CartPole-v1", "ppo", cfg),
        "agent_full_mlp": partial(agent_side, "CartPole-v1", "ppo", cfg, **FULL_MLP_AGENT),
    }
    for side in sides.values():
        close_env(side(0, cfg.warm_up("ppo")))
    runners = {name: partial(side, 0, cfg.extractor_steps) for name, side in sides.items()}
    timings = time_alternating(runners, cfg.repeats, cfg.threads)
    rows: dict[str, Any] = {}
    for name, timing in timings.items():
        model = timing.results[0]
        rates = [m.num_timesteps / s for m, s in zip(timing.results, timing.seconds, strict=True)]
        rows[name] = {
            "label": EXTRACTOR_LABELS[name],
            "network": network_summary(model.policy),
            "timesteps": int(model.num_timesteps),
            "steps_per_s_median": round(statistics.median(rates), 1),
            "steps_per_s_repeats": [round(r, 1) for r in rates],
            "fit_time": timing.summary(),
        }
        for fitted in timing.results:
            close_env(fitted)
    reference = rows["sb3_mlp_policy"]["steps_per_s_median"]
    same_optimizer = rows["sb3_mlp_policy_fused"]["steps_per_s_median"]
    for row in rows.values():
        row["steps_per_s_ratio_vs_sb3"] = round(row["steps_per_s_median"] / reference, 4)
        row["steps_per_s_ratio_vs_sb3_fused"] = round(row["steps_per_s_median"] / same_optimizer, 4)
    return {"env_id": "CartPole-v1", "steps": cfg.extractor_steps, "seed": 0, "sides": rows}


# --------------------------------------------------------------------------- main
def run_parts(
    section: str,
    command: str,
    cfg: Any,
    packages: tuple[str, ...],
    extra: dict[str, Any],
    benches: dict[str, Callable[[], dict[str, Any]]],
    goals: Callable[[dict[str, Any]], list[dict[str, Any]]],
) -> dict[str, Any]:
    """Run ``benches`` in order (each timed into its ``part_seconds``) and return the
    JSON-ready results: date, command, machine, ``cfg`` (a dataclass), ``extra``, the parts
    and the goals judged on them."""
    results: dict[str, Any] = {
        "benchmark": section,
        "date": datetime.now().astimezone().isoformat(timespec="seconds"),
        "command": command,
        "machine": machine_info(packages),
        "config": dataclasses.asdict(cfg),
        **extra,
    }
    for name, bench in benches.items():
        print(f"[{name}]", flush=True)
        results[name], seconds = time_call(bench, cfg.threads)
        results[name]["part_seconds"] = round(seconds, 1)
    results["machine"]["load_average_at_end"] = load_average()
    results["goals"] = goals(results)
    return results


def run(cfg: Config, command: str) -> dict[str, Any]:
    """The chosen parts, in order; returns the JSON-ready results (goals included)."""
    benches = {"ppo": bench_ppo, "sac": bench_sac, "extractor": bench_extractor}
    return run_parts(
        SECTION,
        command,
        cfg,
        ("stable-baselines3", "gymnasium", "numpy", "paradigms"),
        {"anchor": ANCHOR},
        {part: partial(benches[part], cfg) for part in cfg.parts},
        evaluate_goals,
    )


def _ints(text: str) -> tuple[int, ...]:
    return tuple(int(item) for item in text.split(",") if item.strip())


def _parts(text: str) -> tuple[str, ...]:
    parts = tuple(item.strip() for item in text.split(",") if item.strip())
    unknown = sorted(set(parts) - set(PARTS))
    if unknown or not parts:
        raise argparse.ArgumentTypeError(f"parts are {', '.join(PARTS)}; got {text!r}")
    return tuple(p for p in PARTS if p in parts)


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """The common options plus this benchmark's; applies ``--threads`` (default 1)."""
    parser = base_parser(__doc__.split("\n\n")[0], repeats=True)
    parser.set_defaults(threads=1)
    parser.add_argument("--only", type=_parts, default=PARTS, help="e.g. ppo,extractor")
    parser.add_argument("--seeds", type=_ints, default=None, help="part 1 seeds (0,1,2,3,4)")
    parser.add_argument("--sac-seeds", type=_ints, default=None, help="part 2 seeds (0)")
    parser.add_argument("--no-plain-sac", action="store_true", help="skip plain SB3 SAC")
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)
    return args


def make_config(args: argparse.Namespace) -> Config:
    quick = bool(args.quick)
    return Config(
        quick=quick,
        parts=tuple(args.only),
        threads=torch.get_num_threads(),
        device=args.device,
        ppo_steps=5_000 if quick else 100_000,
        ppo_seeds=args.seeds or ((0,) if quick else (0, 1, 2, 3, 4)),
        # 20k SAC steps take over 3 minutes per side on 1 CPU thread: one seed by default
        sac_steps=500 if quick else 20_000,
        sac_seeds=args.sac_seeds or (0,),
        sac_plain=not args.no_plain_sac,
        extractor_steps=5_000 if quick else 50_000,
        repeats=args.repeats or (1 if quick else 3),
    )


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    cfg = make_config(args)
    # the env checkers' advice on Pendulum's unbounded spaces is not news here
    warnings.filterwarnings("ignore", category=UserWarning, module=r"gymnasium\.utils\..*")
    warnings.filterwarnings("ignore", category=UserWarning, module=r"stable_baselines3\..*")
    results = run(cfg, command_line())
    return publish(
        results, render_markdown(results), name=SECTION, quick=cfg.quick, no_write=args.no_write
    )


if __name__ == "__main__":
    sys.exit(main())
