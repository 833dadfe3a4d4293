"""A frozen backbone computed once per env step (FrozenFeatures) against the unfrozen path.

Run from the repository root, on a quiet machine (about 8 minutes on 2 CPUs):

    .venv/bin/python benchmarks/frozen_rl.py            # full run: writes the results
    .venv/bin/python benchmarks/frozen_rl.py --quick    # smoke test

The full run writes ``benchmarks/results/frozen_rl.json`` and the ``frozen_rl`` section of
``benchmarks/RESULTS.md``; ``--quick`` only the git-ignored ``benchmarks/out/``.

Protocol: PPO on ``PixelCatchEnv(size=32)`` (32x32 grey ``uint8`` frames) with the
tour's settings (8 envs, 64 steps each, batch 256, 4 epochs), the ImageNet EfficientNet-Lite0
of ``paradigms[pretrained]`` as the backbone (``pretrained_backbone``, 1 input channel, 1280
features). Three sides, each a fresh agent (seed 0) trained for 1,024 steps (two rollouts and
their updates), timed in alternation (``_timing.time_alternating``, medians over the
repeats), one torch thread: the backbone trained with the policy (``freeze_backbone=False``,
the unfrozen path), frozen inside the policy (how ``freeze_backbone=True`` worked before:
the backbone runs again in every epoch), and frozen computed once per env step
(``FrozenFeatures``, what ``freeze_backbone=True`` does now). Rollout memory: the bytes of the
rollout buffer's observations (raw frames, or the features). Goal (issue 11): frozen >= 2x
the steps/s of the unfrozen path.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from datetime import datetime, timezone
from typing import Any

os.environ.setdefault("HF_HUB_OFFLINE", "1")

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

from paradigms.reinforcement import Agent, PixelCatchEnv
from paradigms.transfer import pretrained_backbone
from paradigms.transfer.sources import OFFLINE_IMAGENET_MODEL

SECTION = "frozen_rl"
SIZE = 32
PPO = dict(n_envs=8, n_steps=64, batch_size=256, n_epochs=4, learning_rate=1e-3)  # fmt: skip
SIDES = ("unfrozen (trained)", "frozen in the policy (before)", "frozen, once per step (now)")


class _FrozenInPolicy(Agent):
    """``freeze_backbone=True`` as before FrozenFeatures: the backbone inside the policy."""

    def _prepare(self, *args: Any, **kwargs: Any) -> None:
        super()._prepare(*args, **kwargs)
        self._precompute_frozen = False


def env() -> PixelCatchEnv:
    return PixelCatchEnv(size=SIZE)


def make_side(side: str, backbone: Any, steps: int) -> Any:
    def run() -> dict[str, Any]:
        cls = _FrozenInPolicy if side == SIDES[1] else Agent
        agent = cls(env, algo="ppo", backbone=backbone, freeze_backbone=side != SIDES[0],
                    seed=0, **PPO)  # fmt: skip
        agent.learn(steps, progress_bar=False)
        memory = int(agent.model.rollout_buffer.observations.nbytes)
        agent.close()
        return {"rollout_observation_bytes": memory}

    return run


def run(quick: bool, command: str, repeats: int) -> dict[str, Any]:
    started = datetime.now(timezone.utc)
    machine = machine_info(("stable-baselines3", "timm"))
    machine["load_average_at_start"] = load_average()
    backbone = pretrained_backbone(OFFLINE_IMAGENET_MODEL, (1, SIZE, SIZE), pixel_scale=255)
    steps = 512 if quick else 1024
    timings = time_alternating(
        {side: make_side(side, backbone, steps) for side in SIDES}, repeats, threads=1
    )
    rows = [
        {
            "side": side,
            "steps": steps,
            **timing.summary(),
            "steps_per_second": round(steps / timing.median, 1),
            "rollout_observation_bytes": timing.results[0]["rollout_observation_bytes"],
        }
        for side, timing in timings.items()
    ]
    results = finish_results(started, command, machine, rows=rows)
    results["goals"] = goals(results)
    return results


def goals(results: dict[str, Any]) -> list[dict[str, Any]]:
    speed = {r["side"]: r["steps_per_second"] for r in results["rows"]}
    ratio = speed[SIDES[2]] / speed[SIDES[0]]
    return [goal("steps/s, frozen once per step / unfrozen", ratio, ">= 2", ratio >= 2)]


def render_markdown(results: dict[str, Any]) -> str:
    base = results["rows"][0]["steps_per_second"]
    body = [
        [r["side"], r["steps_per_second"], f"{r['steps_per_second'] / base:.2f}x",
         f"{r['rollout_observation_bytes'] / 1024:.0f} KiB", r["median_s"]]
        for r in results["rows"]
    ]  # fmt: skip
    lines = [
        *section_header(
            "Reinforcement: a frozen backbone once per env step (PixelCatch 32x32, PPO)",
            results,
            "one torch thread",
            "see `benchmarks/frozen_rl.py`; ImageNet EfficientNet-Lite0 backbone, "
            f"{results['rows'][0]['steps']:,} steps per repeat, medians",
        ),
        md_table(["side", "steps/s", "vs unfrozen", "rollout observations", "median s"], body),
    ]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_options(__doc__.split("\n\n")[0], argv)
    torch.set_num_threads(1)
    results = run(args.quick, command_line(), args.repeats or (1 if args.quick else 3))
    return publish(
        results, render_markdown(results), name=SECTION, quick=args.quick, no_write=args.no_write
    )


if __name__ == "__main__":
    sys.exit(main())
