"""Timing helpers shared by the benchmarks: wall-clock timing with alternating repeats, and a
description of the machine the numbers were measured on.

The machines these benchmarks run on are often noisy (two cores, other jobs), so competing
sides are timed in alternation — A B, B A, A B, ... — and compared by their medians: a burst of
background load then hits every side instead of whichever happened to run during it.
"""

from __future__ import annotations

import gc
import os
import platform
import statistics
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from importlib import metadata
from typing import Any

import torch


@dataclass
class Timing:
    """Wall-clock seconds of each repeat of one timed callable, and what each repeat returned."""

    seconds: list[float] = field(default_factory=list)
    results: list[Any] = field(default_factory=list)

    @property
    def median(self) -> float:
        """Median seconds over the repeats."""
        return statistics.median(self.seconds)

    def summary(self) -> dict[str, Any]:
        """A JSON-ready dict: median, min, max and every repeat, in seconds."""
        return {
            "median_s": round(self.median, 4),
            "min_s": round(min(self.seconds), 4),
            "max_s": round(max(self.seconds), 4),
            "repeats_s": [round(s, 4) for s in self.seconds],
        }


def check_threads(expected: int) -> None:
    """Raise if torch's intra-op thread count is not ``expected`` (every block uses the same).

    Raises:
        RuntimeError: when something changed ``torch.get_num_threads()`` mid-benchmark.
    """
    actual = torch.get_num_threads()
    if actual != expected:
        raise RuntimeError(
            f"torch.get_num_threads() is {actual}, but the benchmark started with {expected}; "
            "something changed the thread count, so the timings would not be comparable."
        )


def time_call(fn: Callable[[], Any], threads: int) -> tuple[Any, float]:
    """Run ``fn()`` once after a garbage collection; return ``(result, wall seconds)``."""
    check_threads(threads)
    gc.collect()
    start = time.perf_counter()
    result = fn()
    return result, time.perf_counter() - start


def time_alternating(
    fns: Mapping[str, Callable[[], Any]], repeats: int, threads: int
) -> dict[str, Timing]:
    """Time every callable ``repeats`` times, alternating between them.

    Round ``r`` runs the callables in the given order when ``r`` is even and in reverse order
    when it is odd (A B C, C B A, A B C, ...), which cancels slow drifts in machine load.

    Args:
        fns: ``{name: zero-argument callable}``; each call must do the whole timed work.
        repeats: rounds (each callable runs once per round).
        threads: the torch thread count every block must run with.

    Returns:
        ``{name: Timing}`` in the order of ``fns``.
    """
    timings = {name: Timing() for name in fns}
    names = list(fns)
    for round_index in range(repeats):
        order = names if round_index % 2 == 0 else names[::-1]
        for name in order:
            result, seconds = time_call(fns[name], threads)
            timings[name].seconds.append(seconds)
            timings[name].results.append(result)
    return timings


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            for line in handle:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _version(package: str) -> str | None:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return None


def load_average() -> list[float] | None:
    """The 1, 5 and 15 minute load averages, or ``None`` where the OS has none."""
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except (AttributeError, OSError):
        return None


def machine_info(packages: tuple[str, ...] = ()) -> dict[str, Any]:
    """CPU count and model, torch threads, Python and package versions, current load."""
    return {
        "cpu_count": os.cpu_count(),
        "cpu_model": _cpu_model(),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "torch": torch.__version__,
        "torch_num_threads": torch.get_num_threads(),
        "cuda_available": torch.cuda.is_available(),
        "packages": {name: _version(name) for name in packages},
        "load_average_at_start": load_average(),
    }
