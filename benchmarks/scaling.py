"""Data parallel measured: time per epoch in 1 and 2 processes, and what checkpoints cost.

Run from the repository root, on a quiet machine (about 5 minutes on 2 CPUs):

    .venv/bin/python benchmarks/scaling.py            # full run: writes the results
    .venv/bin/python benchmarks/scaling.py --quick    # smoke test

The full run writes ``benchmarks/results/scaling.json`` and the ``scaling`` section of
``benchmarks/RESULTS.md``; ``--quick`` only the git-ignored ``benchmarks/out/``.

Protocol (issue 14): digits images, the 1,347-image training split, augmentation off; two
models: the default ``Classifier`` (the library ``cnn``) and a ``FineTuner`` (timm resnet10t
from scratch, images upsampled to 32 px). The same two cores three ways, each a fresh process
(``benchmarks/_scaling_worker.py``), timed in alternation: one process with 2 torch threads;
two processes with 1 thread each under ``torchrun --standalone --nproc_per_node=2`` (DDP on
gloo: each rank trains on half of every epoch, gradients averaged); one process with 2 threads
writing the engine's atomic checkpoint after every epoch (``run_dir``). Seconds per epoch: the
time from one epoch's end to the next (so a checkpoint written in between counts), median
over the epochs after the first (which warms up), then the median over repeats. Goal:
checkpoints cost <= 3% of the epoch time.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

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
from _timing import load_average, machine_info, time_alternating

SECTION = "scaling"
WORKER = Path(__file__).resolve().parent / "_scaling_worker.py"
SIDES = ("1 process x 2 threads", "2 processes x 1 thread (torchrun)", "1 x 2 + checkpoint")


def _environment() -> dict[str, str]:
    env = {**os.environ, "OMP_NUM_THREADS": "1", "HF_HUB_OFFLINE": "1"}
    for key in ("RANK", "WORLD_SIZE", "LOCAL_RANK", "MASTER_ADDR", "MASTER_PORT"):
        env.pop(key, None)
    return env


def _side(side: str, model: str, epochs: int) -> Any:
    def run() -> list[float]:
        with tempfile.TemporaryDirectory() as folder:
            out = Path(folder) / "epochs.json"
            if side == SIDES[1]:
                launcher = [sys.executable, "-m", "torch.distributed.run", "--standalone",
                            "--nproc_per_node=2"]  # fmt: skip
                args = [model, str(epochs), "1", str(out)]
            else:
                launcher = [sys.executable]
                args = [model, str(epochs), "2", str(out)]
                if side == SIDES[2]:
                    args.append(str(Path(folder) / "run"))
            for attempt in (1, 2):  # torchrun's rendezvous fails now and then; once more
                done = subprocess.run(
                    [*launcher, str(WORKER), *args],
                    env=_environment(),
                    cwd=folder,
                    capture_output=True,
                    text=True,
                    check=False,
                )
                if done.returncode == 0:
                    return json.loads(out.read_text())
                print(f"{side}, {model}: attempt {attempt} failed:\n{done.stderr[-2000:]}")
            raise RuntimeError(f"{side} failed twice for {model}; see the output above")

    return run


def _epoch_seconds(runs: list[list[float]]) -> float:
    return statistics.median(statistics.median(epochs) for epochs in runs)


def run(quick: bool, command: str, repeats: int) -> dict[str, Any]:
    started = datetime.now(timezone.utc)
    machine = machine_info(("timm",))
    machine["load_average_at_start"] = load_average()
    rows = []
    for model, epochs in (("cnn", 5 if quick else 12), ("finetuner", 3 if quick else 6)):
        timings = time_alternating(
            {side: _side(side, model, epochs) for side in SIDES}, repeats, threads=1
        )
        base = _epoch_seconds(timings[SIDES[0]].results)
        for side in SIDES:
            seconds = _epoch_seconds(timings[side].results)
            rows.append(
                {
                    "model": model,
                    "side": side,
                    "epochs": epochs,
                    "epoch_seconds": round(seconds, 4),
                    "vs_one_process": round(seconds / base, 3),
                    "per_epoch_runs": timings[side].results,
                }
            )
    results = finish_results(started, command, machine, rows=rows)
    results["goals"] = goals(rows)
    return results


def goals(rows: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for model in ("cnn", "finetuner"):
        cost = next(r for r in rows if r["model"] == model and r["side"] == SIDES[2])
        extra = (cost["vs_one_process"] - 1) * 100
        out.append(goal(f"checkpoint cost, % of the epoch ({model})", round(extra, 2), "<= 3",
                        extra <= 3))  # fmt: skip
    return out


def render_markdown(results: dict[str, Any]) -> str:
    body = [
        [r["model"], r["side"], r["epochs"], f"{r['epoch_seconds']:.3f}",
         f"{r['vs_one_process']:.2f}x"]
        for r in results["rows"]
    ]  # fmt: skip
    lines = [
        *section_header(
            "Scaling: data parallel on one machine, and the cost of checkpoints (digits)",
            results,
            "2 cores shared by every side",
            "see `benchmarks/scaling.py`; seconds from one epoch's end to the next, medians "
            "over epochs and repeats",
        ),
        md_table(["model", "how", "epochs", "s per epoch", "vs 1 process"], body),
        "",
        *goal_lines(results["goals"]),
    ]  # fmt: skip
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
