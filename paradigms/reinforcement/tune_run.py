"""``paradigms tune rl``: tune an algorithm on an env, then measure the best parameters against
the defaults (the tuned preset, or the derived defaults of an env without one) on the same
budget."""

from __future__ import annotations

import os
from dataclasses import asdict
from typing import Any

from paradigms._common.rundir import prepare_run_dir, write_summary
from paradigms._common.tuning import StudyOptions
from paradigms.reinforcement.run_config import RLRunConfig
from paradigms.reinforcement.tuning import tune_agent
from paradigms.report.study_plots import write_study_report

#: steps per trial when the config leaves ``timesteps`` at 0
TUNING_TIMESTEPS = 20_000


def tune_rl(
    config: RLRunConfig, options: StudyOptions, out: str | os.PathLike[str] | None = None
) -> dict[str, Any]:
    """Run an Optuna study over ``config.algo`` on ``config.env`` (``config.timesteps`` steps
    per trial, :data:`TUNING_TIMESTEPS` when 0), then train the defaults and the best
    parameters for as many steps and evaluate both over ``config.eval_episodes`` episodes.

    Returns:
        The summary, with ``eval_return_defaults`` and ``eval_return_best``.
    """
    from paradigms.reinforcement.agent import Agent

    timesteps = config.timesteps or TUNING_TIMESTEPS
    label = config.env.replace("/", "-").replace(":", "-")
    name = f"tune-rl-{config.algo}-{label}"
    settings = {**asdict(config), **asdict(options), "timesteps": timesteps}
    run_dir = prepare_run_dir(out, name, settings, resume=False)
    fixed: dict[str, Any] = {"backbone": config.backbone, "device": config.device}
    if config.n_envs:
        fixed["n_envs"] = config.n_envs
    result = tune_agent(
        config.env,
        config.algo,
        timesteps=timesteps,
        trials=options.trials,
        timeout=options.timeout,
        storage=options.storage,
        study_name=options.study_name or name,
        seed=options.seed,
        out=run_dir,
        **fixed,
    )
    scores = {}
    for key, params in (("defaults", {}), ("best", result.best_params)):
        agent = Agent(
            config.env, algo=config.algo, seed=config.seed, num_threads=1, **fixed, **params
        )
        try:
            agent.learn(timesteps, progress_bar=False)
            scores[key] = float(agent.evaluate(config.eval_episodes)[0])
        finally:
            agent.close()
    summary = {
        **result.summary(),
        "env": config.env,
        "algo": config.algo,
        "timesteps_per_trial": timesteps,
        "eval_return_defaults": round(scores["defaults"], 3),
        "eval_return_best": round(scores["best"], 3),
        "best_beats_defaults": scores["best"] >= scores["defaults"],
        "run_dir": str(run_dir),
    }
    write_summary(run_dir, summary)
    write_study_report(
        run_dir,
        f"paradigms tune rl: {config.algo} on {config.env}",
        summary,
        result.history,
        result.importances,
        "maximize",
        "mean evaluation return",
        baseline=None,
        config=settings,
    )
    return summary
