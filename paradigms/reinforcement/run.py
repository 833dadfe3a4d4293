"""One RL run end to end: agent -> learn (with evaluations) -> run directory with report.

This is what ``paradigms rl`` calls. The run directory ``runs/rl-<env>-<timestamp>/`` holds:

- ``config.json``: every parameter, package versions and the resolved hyperparameters;
- ``episodes.csv``: one row per training episode (appended during training, also on resume);
- ``evaluations.csv``: the evaluations during training and the final one;
- ``agent/``: the saved agent (``agent.json`` + ``agent.safetensors``), also saved
  periodically during training, so ``--resume`` continues an interrupted run;
- ``backbone.safetensors``: the policy's backbone, reusable by any other paradigm (for Dict
  observations one ``backbone-<key>.safetensors`` per entry);
- ``plots/learning_curve.png``, ``plots/policy_attributions.png`` (what drives the greedy
  action: :mod:`~paradigms.reinforcement.explain_policy`), ``episode.gif`` (when the env
  renders ``rgb_array``);
- ``summary.json`` and ``report.html``.
"""

from __future__ import annotations

import csv
import io
import json
import logging
import os
import re
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

from paradigms._common.files import atomic_write_text, write_json_atomic
from paradigms._common.rundir import CONFIG_FILE, prepare_run_dir, write_summary
from paradigms.backbones import save_backbone
from paradigms.reinforcement.agent import Agent
from paradigms.reinforcement.callbacks import EPISODE_COLUMNS
from paradigms.reinforcement.env_source import resolve_env
from paradigms.reinforcement.explain_policy import plot_policy_importance
from paradigms.reinforcement.presets import DEFAULT_TIMESTEPS
from paradigms.reinforcement.recording import record_episode
from paradigms.reinforcement.run_config import RLRunConfig, check_config, stop_reward_target
from paradigms.reinforcement.serialization import CONFIG_FILE as AGENT_FILE
from paradigms.report import write_caption, write_html_report
from paradigms.report.rl_curves import plot_episode_returns

logger = logging.getLogger(__name__)

AGENT_DIR = "agent"
EPISODES_CSV = "episodes.csv"
EVALUATIONS_CSV = "evaluations.csv"
GIF_NAME = "episode.gif"


def run_name(env: str) -> str:
    """``"rl-<env>"`` with the env reduced to a safe folder name (``module:Class`` -> Class)."""
    label = env.rsplit(":", 1)[-1]
    return "rl-" + (re.sub(r"[^A-Za-z0-9._-]+", "-", label).strip("-.") or "env")


def _new_agent(config: RLRunConfig) -> Agent:
    # the budget is known before the agent is built, so defaults derived for an env without
    # a preset fit it from the start (and config.json records the values that train)
    budget = {"n_timesteps": int(config.timesteps)} if config.timesteps else {}
    return Agent(
        config.env,
        algo=config.algo,
        backbone=config.backbone,
        freeze_backbone=config.freeze_backbone,
        seed=config.seed,
        n_envs=config.n_envs or None,
        device=config.device,
        **budget,
    )


def _episode_rows(path: Path) -> int:
    if not path.is_file():
        return 0
    with path.open(newline="", encoding="utf-8") as fh:
        return sum(1 for _ in csv.DictReader(fh))


def _write_rows(path: Path, columns: tuple[str, ...], rows: list[dict[str, Any]]) -> None:
    """Write ``rows`` as a CSV file, atomically."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    atomic_write_text(path, buffer.getvalue())


def _resume_agent(run_dir: Path, config: RLRunConfig) -> Agent | None:
    """The agent saved in ``run_dir/agent`` (None when there is none yet).

    ``episodes.csv`` is brought in line with the saved agent: episodes logged after its last
    save (lost when the run was interrupted) are dropped, so the log continues without gaps.
    """
    if not (run_dir / AGENT_DIR / AGENT_FILE).is_file():
        logger.warning("--resume: %s holds no saved agent yet; starting a new run", run_dir)
        return None
    agent = Agent.load(
        run_dir / AGENT_DIR, env=config.env, device=config.device, n_envs=config.n_envs or None
    )
    log = run_dir / EPISODES_CSV
    if _episode_rows(log) != len(agent.history_):
        logger.info("rewriting %s from the saved agent's %d episodes", log, len(agent.history_))
        _write_rows(log, EPISODE_COLUMNS, agent.history_)
    logger.info("resuming %s at %d timesteps", run_dir, agent.num_timesteps)
    return agent


def _record_resolved(run_dir: Path, resolved: dict[str, Any]) -> None:
    """Add the resolved settings (hyperparameters, budget, stop reward...) to config.json."""
    path = run_dir / CONFIG_FILE
    content = json.loads(path.read_text(encoding="utf-8"))
    content["resolved"] = resolved
    write_json_atomic(path, content)


def _learn(
    agent: Agent,
    run_dir: Path,
    budget: int,
    eval_freq: int,
    config: RLRunConfig,
    stop_reward: float | None,
    progress: bool,
) -> float:
    """Train up to ``budget`` total timesteps (unless already reached); returns seconds taken."""
    last = agent.evaluations_[-1]["mean_return"] if agent.evaluations_ else None
    if stop_reward is not None and last is not None and last >= stop_reward:
        logger.info("already reached stop_reward %.6g; not training further", stop_reward)
        return 0.0
    remaining = budget - agent.num_timesteps
    if remaining <= 0:
        logger.info("already trained %d of %d timesteps", agent.num_timesteps, budget)
        return 0.0
    started = time.perf_counter()
    agent.learn(
        remaining,
        progress_bar=progress,
        eval_freq=eval_freq,
        eval_episodes=config.eval_episodes,
        stop_reward=stop_reward,
        log_dir=run_dir,
        save_path=run_dir / AGENT_DIR,
    )
    return time.perf_counter() - started


def run_rl(
    config: RLRunConfig,
    out: str | os.PathLike[str] | None = None,
    resume: bool = False,
    progress: bool = True,
) -> dict[str, Any]:
    """Train and evaluate one agent, writing everything to a run directory.

    Args:
        config: what to train.
        out: the run directory (default ``runs/rl-<env>-<timestamp>``).
        resume: continue the run saved in ``out/agent`` up to the run's timestep budget
            (refused when ``config`` differs from the one recorded in ``out/config.json``).
        progress: show a progress bar.

    Returns:
        The headline results (also in ``summary.json``), including ``run_dir``.

    Raises:
        ValueError: a bad parameter, an unknown env id, or a resume with changed parameters.
    """
    check_config(config)
    resolve_env(config.env)  # an unknown id fails here, before a folder is made
    params = asdict(config)
    agent: Agent | None = None
    if resume:
        run_dir = prepare_run_dir(out, run_name(config.env), params, resume=True)
        agent = _resume_agent(run_dir, config)
    resumed_from = agent.num_timesteps if agent is not None else None
    if agent is None:
        agent = _new_agent(config)
        run_dir = prepare_run_dir(out, run_name(config.env), params, resume=resume)
        for stale in (EPISODES_CSV, GIF_NAME):  # from an earlier run in the same --out
            (run_dir / stale).unlink(missing_ok=True)
    try:
        return _finish_run(agent, run_dir, config, resumed_from, progress)
    finally:
        agent.close()


def _finish_run(
    agent: Agent, run_dir: Path, config: RLRunConfig, resumed_from: int | None, progress: bool
) -> dict[str, Any]:
    budget = config.timesteps or int(agent.hyperparameters.get("n_timesteps", DEFAULT_TIMESTEPS))
    eval_freq = config.eval_freq or max(1, budget // 10)
    threshold = agent.reward_threshold
    stop_reward = stop_reward_target(config.stop_reward, threshold)
    _record_resolved(
        run_dir,
        {
            "hyperparameters": agent.hyperparameters,
            "tuned_preset": agent.tuned,
            "timestep_budget": budget,
            "eval_freq": eval_freq,
            "reward_threshold": threshold,
            "stop_reward": stop_reward,
            "n_envs": int(agent.env.num_envs),
            "device": str(agent.device),
        },
    )
    fit_seconds = _learn(agent, run_dir, budget, eval_freq, config, stop_reward, progress)
    mean, std = agent.evaluate(config.eval_episodes)
    evaluations = [{**row, "kind": "during training"} for row in agent.evaluations_]
    evaluations.append(
        {"timesteps": agent.num_timesteps, "mean_return": mean, "std_return": std, "kind": "final"}
    )
    _write_rows(
        run_dir / EVALUATIONS_CSV, ("timesteps", "mean_return", "std_return", "kind"), evaluations
    )
    if agent.history_:
        plot_episode_returns(
            agent.history_,
            run_dir / "plots" / "learning_curve.png",
            evaluations=evaluations,
            reward_threshold=threshold,
            title=f"{agent.source.name}: {config.algo.upper()} learning curve",
        )
        write_caption(
            run_dir / "plots" / "learning_curve.png",
            "Training episode returns against environment steps (rolling mean) and the "
            "greedy evaluations; the dashed line is the env's reward threshold.",
        )
    else:
        logger.warning("no training episode finished; skipping the learning curve")
    recording = record_episode(agent, run_dir / GIF_NAME, seed=config.seed)
    inside = plot_policy_importance(agent, run_dir / "plots" / "policy_attributions.png")
    backbones = agent.backbones_
    per_entry = agent.reads_dict_observations  # one file, or one per Dict observation entry
    for key, backbone in backbones.items():
        safe_key = re.sub(r"[^A-Za-z0-9_-]", "_", key)
        name = f"backbone-{safe_key}" if per_entry else "backbone"
        save_backbone(
            backbone,
            run_dir / f"{name}.safetensors",
            extra={"trained_by": "reinforcement", "env": config.env, "algo": config.algo},
        )
    reached = (
        "no threshold"
        if stop_reward is None
        else ("yes" if max(row["mean_return"] for row in evaluations) >= stop_reward else "no")
    )
    summary: dict[str, Any] = {
        "env": agent.source.name,
        "algo": agent.algo,
        "tuned_preset": "yes" if agent.tuned else "no (defaults derived from env and budget)",
        "backbone": ", ".join(
            (b.config.name if b.config else "custom") + (f" ({k})" if per_entry else "")
            for k, b in backbones.items()
        ),
        "n_envs": int(agent.env.num_envs),
        "timesteps": agent.num_timesteps,
        "timestep_budget": budget,
        "episodes": len(agent.history_),
        "fit_seconds": round(fit_seconds, 3),
        "eval_episodes": config.eval_episodes,
        "eval_mean_return": mean,
        "eval_std_return": std,
        "reward_threshold": threshold,
        "stop_reward": stop_reward,
        "stop_reward_reached": reached,
        "episode_gif": GIF_NAME if recording is not None else "none (the env cannot render)",
        "run_dir": str(run_dir),
    }
    summary.update(inside)
    if recording is not None:
        summary["gif_episode_return"] = recording.episode_return
    if resumed_from is not None:
        summary["resumed_from_timesteps"] = resumed_from
    write_summary(run_dir, summary)
    write_html_report(
        run_dir,
        title=f"paradigms rl: {agent.source.name} ({agent.algo.upper()})",
        summary=summary,
        config={**asdict(config), "hyperparameters": agent.hyperparameters},
        metrics_csv=EVALUATIONS_CSV,
    )
    logger.info("eval mean return %.4g ± %.4g; run in %s", mean, std, run_dir)
    return summary
