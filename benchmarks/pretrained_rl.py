"""Transfer -> reinforcement: ImageNet EfficientNet-Lite0, frozen, as a PPO agent's features
extractor on a pixel env, against the library's CNN learned from scratch.

Run from the repository root, on a quiet machine (about 10 minutes on 2 CPUs):

    .venv/bin/python benchmarks/pretrained_rl.py            # full run: writes the results
    .venv/bin/python benchmarks/pretrained_rl.py --quick    # smoke test

The full run writes ``benchmarks/results/pretrained_rl.json`` and the ``pretrained_rl`` section
of ``benchmarks/RESULTS.md``; ``--quick`` only the git-ignored ``benchmarks/out/``.

Protocol: ``PixelCatchEnv(size=32)`` (32x32 grey ``uint8`` frames, a 1-px ball falls, a 3-px
paddle catches it; +1 per ball caught, -1 per ball missed, 5 balls: returns in [-5, +5]).
PPO with the tour's settings (8 envs, 64 steps each, batch 256, 4 epochs, lr 1e-3,
gamma 0.95, entropy 0.01), seed 0, 16,384 steps, evaluated every 4,096 steps (5 episodes,
deterministic; an episode is 160 steps). Sides: ``pretrained_backbone("tf_efficientnet_lite0",
(1, 32, 32), pixel_scale=255)`` with ``freeze_backbone=True`` (the ImageNet weights from
``paradigms[pretrained]``; 1 input channel by timm's channel adaptation) against
``backbone="auto"`` (the library CNN, trained). Reported: steps to reach a mean evaluation
return of +3 (first evaluation at or above it), the final evaluation, and training steps per
second (wall clock of ``learn`` with its evaluations).
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Sequence
from datetime import datetime, timezone
from functools import partial
from typing import Any

os.environ.setdefault("HF_HUB_OFFLINE", "1")

import numpy as np
import torch
from _results import command_line, goal, md_table, parse_options, publish
from _timing import load_average, machine_info

from paradigms.reinforcement import Agent, PixelCatchEnv
from paradigms.tour_pixels import PPO_SETTINGS
from paradigms.transfer import pretrained_backbone
from paradigms.transfer.sources import OFFLINE_IMAGENET_MODEL

SECTION = "pretrained_rl"
SIZE = 32
THRESHOLD = 3.0
EVAL_EPISODES = 5


def run_side(name: str, seed: int, steps: int, eval_every: int) -> dict[str, Any]:
    if name == "imagenet, frozen":
        backbone: Any = pretrained_backbone(
            OFFLINE_IMAGENET_MODEL, (1, SIZE, SIZE), pixel_scale=255
        )
        frozen = True
    else:
        backbone, frozen = "auto", False
    agent = Agent(
        partial(PixelCatchEnv, size=SIZE),
        algo="ppo",
        backbone=backbone,
        freeze_backbone=frozen,
        seed=seed,
        **PPO_SETTINGS,
    )
    started = time.perf_counter()
    agent.learn(steps, eval_freq=eval_every, eval_episodes=EVAL_EPISODES, progress_bar=False)
    seconds = time.perf_counter() - started
    curve = [(int(e["timesteps"]), float(e["mean_return"])) for e in agent.evaluations_]
    reached = next((t for t, r in curve if r >= THRESHOLD), None)
    agent.close()
    row = {
        "side": name,
        "seed": seed,
        "steps_to_threshold": reached,
        "final_return": curve[-1][1] if curve else None,
        "curve": curve,
        "steps_per_second": round(steps / seconds, 1),
    }
    print(row, flush=True)
    return row


def run(quick: bool, command: str) -> dict[str, Any]:
    started = datetime.now(timezone.utc)
    machine = machine_info(("stable-baselines3", "timm"))
    machine["load_average_at_start"] = load_average()
    steps, every, seeds = (2048, 1024, (0,)) if quick else (16_384, 4096, (0,))
    rows = [
        run_side(name, seed, steps, every)
        for seed in seeds
        for name in ("imagenet, frozen", "scratch cnn")
    ]
    machine["load_average_at_end"] = load_average()
    results: dict[str, Any] = {
        "date": started.isoformat(timespec="seconds"),
        "command": command,
        "machine": machine,
        "steps": steps,
        "rows": rows,
    }
    results["goals"] = goals(results)
    return results


def _mean(rows: list[dict[str, Any]], side: str, key: str) -> float:
    values = [r[key] for r in rows if r["side"] == side and r[key] is not None]
    return float(np.mean(values)) if values else float("nan")


def goals(results: dict[str, Any]) -> list[dict[str, Any]]:
    rows = results["rows"]
    pre = _mean(rows, "imagenet, frozen", "final_return")
    scratch = _mean(rows, "scratch cnn", "final_return")
    return [
        goal(
            "final return, frozen ImageNet features minus scratch CNN",
            pre - scratch,
            "> 0 (ImageNet helps)",
            pre - scratch > 0,
        )
    ]


def render_markdown(results: dict[str, Any]) -> str:
    m = results["machine"]
    body = []
    for r in results["rows"]:
        reached = r["steps_to_threshold"]
        body.append(
            [
                r["side"],
                r["seed"],
                f"{reached:,}" if reached is not None else f"not within {results['steps']:,}",
                f"{r['final_return']:+.1f}",
                r["steps_per_second"],
            ]
        )
    lines = [
        "## Transfer -> reinforcement: frozen ImageNet features as a PPO extractor (PixelCatch)",
        "",
        f"- date: {results['date']}",
        f"- machine: {m['cpu_count']} CPUs ({m['cpu_model']}), torch {m['torch']}, "
        f"torch threads {m['torch_num_threads']}",
        f"- load average at start {m['load_average_at_start']}, at end {m['load_average_at_end']}",
        f"- command: `{results['command']}`",
        f"- protocol: see `benchmarks/pretrained_rl.py`; PixelCatch {SIZE}x{SIZE}, PPO, "
        f"{results['steps']:,} steps, threshold: mean evaluation return >= +{THRESHOLD:g} of +5",
        "",
        md_table(["side", "seed", "steps to threshold", "final eval return", "steps/s"], body),
    ]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_options(__doc__.split("\n\n")[0], argv, repeats=False)
    if args.threads is None:
        torch.set_num_threads(1)  # small networks on CPU: one thread per process is fastest
    results = run(args.quick, command_line())
    return publish(
        results, render_markdown(results), name=SECTION, quick=args.quick, no_write=args.no_write
    )


if __name__ == "__main__":
    sys.exit(main())
