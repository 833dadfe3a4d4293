"""``tune_agent``: an Optuna study over an RL algorithm's hyperparameters, rl-baselines3-zoo style.

The search spaces are the zoo's (``rl_zoo3/hyperparams_opt.py``, ``sample_<algo>_params``),
kept as data in ``search_spaces.json``; as in the zoo (``--optimize``), each trial trains for a
fixed budget with a TPE sampler, evaluates ``n_evaluations`` times on the way and hands each
mean return to Optuna's median pruner, and its objective is the last evaluation's mean return.
The first trial is the agent's own defaults (as far as the space holds them), so the best is
never below them on the study. The env can be any env the
:class:`~paradigms.reinforcement.Agent` takes — a custom one as ``"module:Class"`` too (zoo
issue #168 asks for exactly that).
"""

from __future__ import annotations

import os
from typing import Any

from stable_baselines3.common.callbacks import BaseCallback

from paradigms._common.tuning import (
    TuningResult,
    known_draws,
    load_search_space,
    require_optuna,
    run_study,
    suggest,
)
from paradigms.reinforcement.algorithms import check_algorithm


class TrialEvaluation(BaseCallback):
    """Every ``every`` steps: evaluate ``agent`` greedily, report the mean return to ``trial``
    and stop training when the pruner gives up on it (``pruned`` is then True)."""

    def __init__(self, agent: Any, trial: Any, every: int, episodes: int) -> None:
        super().__init__()
        self.agent, self.trial, self.every, self.episodes = agent, trial, every, episodes
        self.next_at = every
        self.pruned = False
        self.last_mean: float | None = None

    def _on_step(self) -> bool:
        if self.num_timesteps < self.next_at:
            return True
        self.next_at += self.every
        mean, _ = self.agent.evaluate(self.episodes)
        self.last_mean = float(mean)
        self.trial.report(self.last_mean, int(self.num_timesteps))
        if self.trial.should_prune():
            self.pruned = True
            return False
        return True


def tune_agent(
    env: Any,
    algo: str = "ppo",
    *,
    timesteps: int = 20_000,
    trials: int = 20,
    timeout: float | None = None,
    n_evaluations: int = 4,
    eval_episodes: int = 5,
    storage: str | None = None,
    study_name: str | None = None,
    seed: int = 0,
    out: str | os.PathLike[str] | None = None,
    **fixed: Any,
) -> TuningResult:
    """Search ``algo``'s hyperparameters on ``env`` with Optuna (TPE, median pruner).

    Args:
        env: a registered id, a ``"module:Class"`` string, an env instance or a factory.
        algo: a name of the algorithm registry (its search space has the same name).
        timesteps: environment steps per trial.
        trials: finished trials the study should hold (all processes sharing it).
        timeout: seconds this process may spend.
        n_evaluations: evaluations per trial, each reported to the pruner.
        eval_episodes: episodes per evaluation.
        storage: an Optuna RDB URL shared by processes or machines (``"sqlite:///rl.db"``).
        study_name: the study's name in ``storage`` (default ``"<algo>-<env>"``).
        seed: the sampler's and every trial agent's seed.
        out: folder for ``best_params.json``, ``trials.csv``, ``study.json``, ``plots/`` and
            ``report.html``.
        **fixed: values every trial keeps (``n_envs=4``, ``backbone=...``); they are not
            searched.

    Returns:
        :class:`~paradigms._common.tuning.TuningResult`; ``Agent(env, algo=algo,
        **result.best_params)`` builds the best agent.
    """
    from paradigms.reinforcement.agent import Agent

    algo = check_algorithm(algo)
    space = {k: v for k, v in load_search_space(algo).items() if v.get("into", k) not in fixed}
    for name, value in (("timesteps", timesteps), ("n_evaluations", n_evaluations)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ValueError(f"{name} must be an int >= 1; got {value!r}.")
    every = max(1, timesteps // n_evaluations)
    fixed.setdefault("num_threads", 1)

    def objective(trial: Any) -> float:
        params = suggest(trial, space, budget=timesteps)
        trial.set_user_attr("params", params)
        agent = Agent(env, algo=algo, seed=seed, **fixed, **params)
        try:
            evaluation = TrialEvaluation(agent, trial, every, eval_episodes)
            agent.learn(timesteps, progress_bar=False, callback=evaluation)
            if evaluation.pruned:
                raise require_optuna().TrialPruned(f"pruned at step {agent.num_timesteps}")
            mean, _ = agent.evaluate(eval_episodes)
            return float(mean)
        finally:
            agent.close()

    probe = Agent(env, algo=algo, seed=seed, n_timesteps=timesteps, **fixed)
    defaults = known_draws(space, probe.hyperparameters, timesteps)  # preset's or derived
    probe.close()
    label = env if isinstance(env, str) else getattr(env, "__name__", type(env).__name__)
    result = run_study(
        objective,
        direction="maximize",
        trials=trials,
        timeout=timeout,
        storage=storage,
        study_name=study_name or f"{algo}-{label}",
        seed=seed,
        out=out,
        first_trial=defaults,
    )
    if out is not None:
        from paradigms.report.study_plots import write_study_report

        write_study_report(
            out,
            f"paradigms tune: {algo} on {label}",
            result.summary(),
            result.history,
            result.importances,
            "maximize",
            "mean evaluation return",
        )
    return result
