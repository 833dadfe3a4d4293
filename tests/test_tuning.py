"""Hyperparameter search: search spaces that the estimators and Agent take, studies that run end
to end from Python and the CLI, pruning, and two processes sharing one SQLite study."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import numpy as np
import optuna
import pytest
from sklearn.datasets import load_wine

from paradigms._common.tuning import (
    known_draws,
    load_search_space,
    run_study,
    search_space_names,
    suggest,
)
from paradigms.cli import main
from paradigms.data import load_digits
from paradigms.engine import TrialPruning, tune_estimator
from paradigms.reinforcement import Agent, GridWorldEnv, tune_agent
from paradigms.supervised import Classifier, Regressor
from paradigms.unsupervised import AutoEncoder

ENVS = {"ppo": "CartPole-v1", "a2c": "CartPole-v1", "dqn": "CartPole-v1"}


@pytest.mark.parametrize("algo", ["ppo", "a2c", "dqn", "sac", "td3"])
def test_every_rl_search_space_builds_an_agent(algo):
    space = load_search_space(algo)
    study = optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=1))
    for _ in range(3):
        params = suggest(study.ask(), space, budget=20_000)
        assert "one_minus_gamma" not in params and "net_arch" not in params  # converted
        if "n_steps" in params:
            assert params["n_steps"] <= 0.25 * 20_000  # the budget drops long rollouts
        agent = Agent(ENVS.get(algo, "Pendulum-v1"), algo=algo, seed=0, num_threads=1, **params)
        assert agent.hyperparameters["gamma"] == pytest.approx(params.get("gamma", 0.99))
        agent.close()


@pytest.mark.parametrize("name", ["classifier", "regressor", "autoencoder", "finetuner"])
def test_estimator_search_spaces_are_estimator_parameters(name):
    space = load_search_space(name)
    trial = optuna.create_study().ask()
    params = suggest(trial, space, tags={"images", "cnn", "denoising"})
    from paradigms.transfer import FineTuner

    cls = {"classifier": Classifier, "regressor": Regressor, "autoencoder": AutoEncoder}
    estimator = cls.get(name, FineTuner)()
    assert set(params) <= set(estimator.get_params())
    assert set(search_space_names()) >= {"classifier", "ppo", "td3"}


def test_tune_classifier_end_to_end(tmp_path):
    X, y = load_digits(images=True)
    X, y = X[:400], y[:400]
    result = tune_estimator(
        Classifier(max_epochs=3, random_state=0), X, y, trials=4, seed=1, out=tmp_path
    )
    assert result.n_complete + result.n_pruned == 4 and 0 < result.best_value <= 1
    written = json.loads((tmp_path / "best_params.json").read_text())
    assert written == json.loads(json.dumps(result.best_params))
    best = Classifier(max_epochs=3, random_state=0, **written).fit(X, y)  # taken directly
    assert best.score(X, y) > 0.5
    rows = (tmp_path / "trials.csv").read_text().splitlines()
    assert rows[0].startswith("number,state,value") and len(rows) == 5
    for png in ("optimization_history.png", "param_importances.png"):
        assert (tmp_path / "plots" / png).read_bytes().startswith(b"\x89PNG")
    assert "data:image/png;base64" in (tmp_path / "report.html").read_text()


def test_pruning_stops_a_fit_when_the_pruner_says_so():
    class GiveUp:
        def __init__(self):
            self.reports = []

        def report(self, value, step):
            self.reports.append((step, value))

        def should_prune(self):
            return len(self.reports) >= 2

    trial = GiveUp()
    X, y = load_wine(return_X_y=True)
    clf = Classifier(
        max_epochs=20, validation_fraction=0.2, callbacks=[TrialPruning(trial, "val_accuracy")]
    )
    with pytest.raises(optuna.TrialPruned):
        clf.fit(X, y)
    assert [step for step, _ in trial.reports] == [1, 2]
    with pytest.raises(ValueError, match="validation_fraction > 0"):
        Classifier(max_epochs=2, callbacks=[TrialPruning(trial, "val_accuracy")]).fit(X, y)


def test_median_pruner_prunes_bad_trials_in_a_study():
    def objective(trial):
        quality = trial.suggest_float("quality", 0, 1)
        for step in range(10):
            trial.report(quality * step, step)
            if trial.should_prune():
                raise optuna.TrialPruned()
        return quality * 10

    result = run_study(objective, direction="maximize", trials=30, seed=0)
    assert result.n_pruned > 0 and result.n_complete + result.n_pruned == 30
    assert result.best_value > 8


def test_tune_agent_on_a_custom_env_given_as_module_class(tmp_path):
    env = "paradigms.reinforcement.envs:GridWorldEnv"
    result = tune_agent(env, "dqn", timesteps=400, trials=2, n_evaluations=2, eval_episodes=2,
                        out=tmp_path)  # fmt: skip
    assert result.n_complete == 2 and np.isfinite(result.best_value)
    params = json.loads((tmp_path / "best_params.json").read_text())
    Agent(GridWorldEnv, algo="dqn", seed=0, **params).close()  # Agent(..., **params) takes them


def test_bad_study_options_are_refused():
    with pytest.raises(ValueError, match="trials must be an int >= 1"):
        run_study(lambda trial: 0.0, direction="maximize", trials=0)
    with pytest.raises(ValueError, match="direction"):
        run_study(lambda trial: 0.0, direction="up", trials=1)
    with pytest.raises(ValueError, match="unknown search space 'ppo2'"):
        load_search_space("ppo2")
    with pytest.raises(TypeError, match="tune_estimator tunes the library's estimators"):
        tune_estimator(object(), np.zeros((4, 2)), trials=1)

    with pytest.raises(ValueError, match="cannot open the Optuna storage 'nonsense://x'"):
        run_study(lambda trial: 0.0, direction="maximize", trials=1, storage="nonsense://x")

    def diverges(trial):
        raise ValueError("this draw diverged")

    with pytest.raises(ValueError, match=r"no trial of study.*this draw diverged"):
        run_study(diverges, direction="maximize", trials=1)


def test_cli_tune_supervised_against_the_defaults(tmp_path, capsys):
    out = tmp_path / "tune"
    args = ["tune", "supervised", "--dataset", "wine", "--max-epochs", "4", "--trials", "3"]
    assert main([*args, "--out", str(out), "--no-progress"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["n_complete"] + summary["n_pruned"] == 3
    assert 0 <= summary["test_score_defaults"] <= 1 and 0 <= summary["test_score_best"] <= 1
    assert (out / "best_params.json").is_file() and (out / "config.json").is_file()


@pytest.mark.slow
def test_two_processes_share_one_sqlite_study(tmp_path):
    storage = f"sqlite:///{tmp_path / 'study.db'}"
    command = [sys.executable, "-m", "paradigms", "tune", "supervised", "--dataset", "wine",
               "--max-epochs", "30", "--trials", "10", "--storage", storage,
               "--study-name", "shared", "--no-progress"]  # fmt: skip
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    pipes = {"stdout": subprocess.PIPE, "stderr": subprocess.PIPE}
    workers = [
        subprocess.Popen([*command, "--out", str(tmp_path / f"w{i}")], env=env, **pipes)
        for i in range(2)
    ]
    for worker in workers:
        _, err = worker.communicate(timeout=600)
        assert worker.returncode == 0, err.decode()[-2000:]
    study = optuna.load_study(study_name="shared", storage=storage)
    finished = [t for t in study.trials if t.state.is_finished()]
    workers = [t.user_attrs["worker"] for t in finished]
    # MaxTrialsCallback stops each process once 10 are finished; a trial in flight may end too
    assert 10 <= len(finished) <= 11, workers
    assert len(set(workers)) == 2, workers  # both processes worked on the one study


@pytest.mark.parametrize(
    "args",
    [
        ["unsupervised", "--dataset", "digits", "--max-epochs", "2"],
        ["transfer", "--model", "test_resnet", "--weights", "none", "--classes", "0-2",
         "--labels-per-class", "6", "--max-epochs", "2"],
        ["rl", "--env", "paradigms.reinforcement.envs:LineTargetEnv", "--timesteps", "256",
         "--eval-episodes", "1"],
    ],
    ids=["unsupervised", "transfer", "rl-custom-env"],
)  # fmt: skip
def test_cli_tunes_every_paradigm(tmp_path, capsys, args):
    out = tmp_path / "tune"
    assert main(["tune", *args, "--trials", "2", "--out", str(out), "--no-progress"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["n_complete"] + summary["n_pruned"] == 2
    assert json.loads((out / "best_params.json").read_text()) == summary["best_params"]
    assert (out / "plots" / "optimization_history.png").stat().st_size > 0
    scores = [k for k in summary if k.endswith(("_defaults", "_best")) and "beats" not in k]
    assert len(scores) == 2  # the defaults and the best, measured on held-out data


def test_the_first_trial_keeps_only_preset_values_the_budget_allows():
    space = load_search_space("dqn")
    preset = {"learning_starts": 1000, "batch_size": 64, "train_freq": 256}
    assert known_draws(space, preset)["learning_starts"] == 1000
    draws = known_draws(space, preset, budget=1500)  # 1,000 > half of a 1,500-step trial
    assert "learning_starts" not in draws and "train_freq" not in draws
    assert draws["batch_size"] == 64
