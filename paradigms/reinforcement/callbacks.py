"""SB3 callbacks the Agent attaches: episode history + CSV log, progress bar, checkpoints."""

from __future__ import annotations

import csv
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from stable_baselines3.common.callbacks import BaseCallback
from tqdm.auto import tqdm

from paradigms._common.files import writing

EPISODE_COLUMNS = ("timesteps", "episode", "episode_return", "episode_length", "time_s")


class EpisodeRecorder(BaseCallback):
    """Appends one row per finished episode to ``history`` (and to a CSV file, if given).

    Rows: ``{"timesteps", "episode", "episode_return", "episode_length", "time_s"}``, read
    from the ``Monitor`` wrapper's ``info["episode"]``. The CSV is appended to and flushed
    after every episode, so an interrupted run keeps its log.
    """

    def __init__(self, history: list[dict[str, Any]], csv_path: str | os.PathLike[str] | None):
        super().__init__()
        self.history = history
        self.csv_path = Path(csv_path) if csv_path is not None else None
        self._file: Any = None
        self._writer: Any = None
        self._start = 0.0
        self._offset = 0.0

    def _on_training_start(self) -> None:
        self._start = time.perf_counter()
        self._offset = float(self.history[-1]["time_s"]) if self.history else 0.0
        if self.csv_path is not None:
            with writing(self.csv_path):
                self.csv_path.parent.mkdir(parents=True, exist_ok=True)
                new = not self.csv_path.exists() or self.csv_path.stat().st_size == 0
                self._file = self.csv_path.open("a", newline="", encoding="utf-8")
                self._writer = csv.DictWriter(self._file, fieldnames=EPISODE_COLUMNS)
                if new:
                    self._writer.writeheader()

    def _on_step(self) -> bool:
        for info in self.locals.get("infos", ()):
            episode = info.get("episode")
            if episode is None:
                continue
            row = {
                "timesteps": int(self.num_timesteps),
                "episode": len(self.history) + 1,
                "episode_return": float(episode["r"]),
                "episode_length": int(episode["l"]),
                "time_s": round(self._offset + time.perf_counter() - self._start, 3),
            }
            self.history.append(row)
            if self._writer is not None:
                with writing(self.csv_path):
                    self._writer.writerow(row)
                    self._file.flush()
        return True

    def _on_training_end(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = self._writer = None


class ProgressBar(BaseCallback):
    """A tqdm bar over environment steps, showing the mean return of the last 20 episodes."""

    def __init__(self, total_timesteps: int, history: list[dict[str, Any]]) -> None:
        super().__init__()
        self.total = int(total_timesteps)
        self.history = history
        self._bar: Any = None
        self._seen = 0

    def _on_training_start(self) -> None:
        self._bar = tqdm(total=self.total, unit="step", desc="learn", dynamic_ncols=True)
        self._seen = len(self.history)

    def _on_step(self) -> bool:
        self._bar.update(self.training_env.num_envs)
        if len(self.history) != self._seen:
            self._seen = len(self.history)
            recent = [row["episode_return"] for row in self.history[-20:]]
            self._bar.set_postfix(mean_return=f"{sum(recent) / len(recent):.1f}")
        return True

    def _on_training_end(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None


class PeriodicSave(BaseCallback):
    """Calls ``save()`` (an atomic agent save) every ``every`` environment steps and at the end."""

    def __init__(self, save: Callable[[], object], every: int) -> None:
        super().__init__()
        self.save = save
        self.every = max(1, int(every))
        self._last = 0

    def _on_training_start(self) -> None:
        self._last = self.num_timesteps

    def _on_step(self) -> bool:
        if self.num_timesteps - self._last >= self.every:
            self._last = self.num_timesteps
            self.save()
        return True

    def _on_training_end(self) -> None:
        self.save()


class PeriodicEvaluation(BaseCallback):
    """Evaluates every ``every`` environment steps; stops training at ``stop_reward``.

    Args:
        evaluate: returns ``(mean_return, std_return)`` of a deterministic evaluation.
        every: environment steps between evaluations.
        evaluations: list the ``{"timesteps", "mean_return", "std_return"}`` rows go to.
        stop_reward: stop once an evaluation's mean return reaches this (None: never).
    """

    def __init__(
        self,
        evaluate: Callable[[], tuple[float, float]],
        every: int,
        evaluations: list[dict[str, Any]],
        stop_reward: float | None,
    ) -> None:
        super().__init__()
        self.evaluate = evaluate
        self.every = max(1, int(every))
        self.evaluations = evaluations
        self.stop_reward = stop_reward
        self._last = 0

    def _on_training_start(self) -> None:
        self._last = self.num_timesteps

    def _on_step(self) -> bool:
        if self.num_timesteps - self._last < self.every:
            return True
        self._last = self.num_timesteps
        mean, std = self.evaluate()
        self.evaluations.append(
            {"timesteps": int(self.num_timesteps), "mean_return": mean, "std_return": std}
        )
        self.logger.record("eval/mean_reward", mean)
        return self.stop_reward is None or mean < self.stop_reward


def training_callbacks(
    *,
    history: list[dict[str, Any]],
    evaluations: list[dict[str, Any]],
    total: int,
    progress_bar: bool,
    csv_path: Path | None,
    evaluate: Callable[[], tuple[float, float]] | None,
    eval_freq: int | None,
    stop_reward: float | None,
    save: Callable[[], Any] | None,
    save_freq: int | None,
    extra: BaseCallback | None,
) -> list[BaseCallback]:
    """The callbacks of one ``Agent.learn`` call, in the order they run.

    Episodes are recorded (and appended to ``csv_path``); a tqdm bar when ``progress_bar``;
    ``evaluate`` every ``eval_freq`` steps (stopping at ``stop_reward``); ``save`` every
    ``save_freq`` steps (default: about ten times per call); then the user's ``extra``.
    """
    callbacks: list[BaseCallback] = [EpisodeRecorder(history, csv_path)]
    if progress_bar:
        callbacks.append(ProgressBar(total, history))
    if evaluate is not None and eval_freq:
        callbacks.append(PeriodicEvaluation(evaluate, int(eval_freq), evaluations, stop_reward))
    if save is not None:
        callbacks.append(PeriodicSave(save, int(save_freq) if save_freq else max(1, total // 10)))
    if extra is not None:
        callbacks.append(extra)
    return callbacks
