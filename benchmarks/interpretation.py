"""Attributions of the library's own models: time, and the deletion and randomisation checks.

Run from the repository root, on a quiet machine (about 4 minutes on 2 CPUs):

    .venv/bin/python benchmarks/interpretation.py            # full run: writes the results
    .venv/bin/python benchmarks/interpretation.py --quick    # smoke test

The full run writes ``benchmarks/results/interpretation.json`` and the ``interpretation``
section of ``benchmarks/RESULTS.md``; ``--quick`` only the git-ignored ``benchmarks/out/``.

Protocol (issue 12): digits images, stratified 75/25 split (``random_state=0``), the first 100
test images. Models with the library's defaults: ``Classifier(random_state=0)``; a
``FineTuner`` (timm resnet10t, ``weights=None``, 15 epochs) on the same split; a PPO ``Agent``
on ``PixelSideEnv`` (16x16 ``uint8`` frames, the probe env of ``benchmarks/unseen_envs.py``)
for 20,000 steps, explained on 100 observations of its evaluation episodes. For each
model and method (integrated gradients, 32 steps, from the model's baseline; saliency):

- time for the 100 inputs (2 torch threads; alternating repeats, medians), beside plain
  Captum called on the same network (``IntegratedGradients(model_)``): the wrapper's cost;
- deletion area: accuracy (the agent: agreement with its own greedy actions) as each input's
  most-attributed pixels are set to the baseline, 4 at a time for 8x8 digits (16 steps in all
  for larger inputs), area under the curve over the deleted fraction; random order beside it
  (the mean of 3 orders);
- randomisation: mean per-image Spearman correlation between the attributions of the trained
  model and of the same architecture re-initialised (``reset_parameters``), same targets.

Goals: attributions for 100 digits in <= 1 s; the default method's deletion area <= 0.3x
random's on digits; rank correlation <= 0.3 for every method.
"""

from __future__ import annotations

import copy
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

import numpy as np
import torch
from _results import (
    finish_results,
    goal,
    goal_lines,
    md_table,
    run_benchmark,
    section_header,
)
from _timing import load_average, machine_info, time_alternating
from captum.attr import IntegratedGradients

from paradigms.data import load_digits, train_test_split_stratified
from paradigms.reinforcement import Agent
from paradigms.reinforcement.envs import PixelSideEnv
from paradigms.report import deletion_curve, random_scores, rank_correlation, reinitialised
from paradigms.supervised import Classifier
from paradigms.transfer import FineTuner

SECTION = "interpretation"
METHODS = ("integrated_gradients", "saliency")
N_IMAGES, THREADS = 100, 2
PLAIN = "plain Captum IG on the same network"


@dataclass
class _Subject:
    """One explained model.

    ``attribute(x, method)`` and ``randomised(x, method)`` give attributions for the same
    targets (the trained model's predictions); ``plain`` runs plain Captum on the same
    network, when it is a plain network.
    """

    name: str
    attribute: Callable[[np.ndarray, str], np.ndarray]
    randomised: Callable[[np.ndarray, str], np.ndarray]
    predict: Callable[[np.ndarray], np.ndarray]
    inputs: np.ndarray
    labels: np.ndarray
    baseline: np.ndarray | float
    plain: Callable[[], Any] | None = None


def _estimator_subject(name: str, estimator: Any, network_attr: str, X, y) -> _Subject:
    twin = copy.deepcopy(estimator)
    setattr(twin, network_attr, reinitialised(getattr(estimator, network_attr)))
    predicted = estimator.predict(X)
    network = getattr(estimator, network_attr).eval()
    inputs = torch.from_numpy(np.ascontiguousarray(X, dtype=np.float32))
    codes = torch.as_tensor(np.searchsorted(estimator.classes_, predicted))
    start = torch.from_numpy(estimator.attribution_baseline()).expand_as(inputs).contiguous()

    def plain() -> Any:
        return IntegratedGradients(network).attribute(
            inputs, baselines=start, target=codes, n_steps=32, internal_batch_size=2048
        )

    return _Subject(
        name,
        lambda x, method: estimator.attribute(x, method=method),
        lambda x, method: twin.attribute(x, target=predicted, method=method),
        estimator.predict,
        X,
        y,
        estimator.attribution_baseline(),
        plain,
    )


def _agent_subject(steps: int) -> _Subject:
    agent = Agent(PixelSideEnv, algo="ppo", seed=0, num_threads=1)
    agent.learn(steps, progress_bar=False)
    score = agent.evaluate(10)[0]
    found = agent.observation_importance(n_episodes=10, max_observations=N_IMAGES)
    observations = found.observations.astype(np.float32)

    def act(batch: np.ndarray) -> np.ndarray:
        return np.asarray(agent.predict(batch)[0]).reshape(-1)

    greedy = act(observations)
    trained_policy = agent.model.policy
    random_policy = reinitialised(trained_policy)

    def randomised(x: np.ndarray, method: str) -> np.ndarray:
        out = np.zeros_like(x)
        agent.model.policy = random_policy
        try:
            for action in np.unique(greedy):
                rows = greedy == action
                out[rows] = agent.attribute(x[rows], target=int(action), method=method)
        finally:
            agent.model.policy = trained_policy
        return out

    return _Subject(
        f"Agent PPO PixelSideEnv ({steps:,} steps, eval return {score:.1f} of 20)",
        lambda x, method: agent.attribute(x, method=method),
        randomised,
        act,
        observations,
        greedy,
        0.0,
    )


def _deletion_step(x: np.ndarray) -> int:
    width = int(np.prod(x.shape[1:]))
    return 4 if width <= 64 else max(1, width // 16)


def _measure(subject: _Subject, repeats: int) -> list[dict[str, Any]]:
    x, y, step = subject.inputs, subject.labels, _deletion_step(subject.inputs)

    def area(scores: np.ndarray) -> float:
        return deletion_curve(subject.predict, x, y, scores, step, subject.baseline).area

    chance = float(np.mean([area(random_scores(x.shape, seed)) for seed in range(3)]))
    sides: dict[str, Callable[[], Any]] = {
        m: (lambda m=m: subject.attribute(x, m)) for m in METHODS
    }
    if subject.plain is not None:
        sides[PLAIN] = subject.plain
    timings = time_alternating(sides, repeats, threads=THREADS)
    rows = []
    for method in METHODS:
        values = timings[method].results[0]
        ours = area(values)
        rows.append(
            {
                "model": subject.name,
                "method": method,
                "seconds_for_100": timings[method].median,
                "deletion_area": round(ours, 4),
                "deletion_area_random": round(chance, 4),
                "deletion_ratio": round(ours / chance, 3),
                "randomisation_rank_correlation": round(
                    rank_correlation(values, subject.randomised(x, method)), 3
                ),
            }
        )
    if PLAIN in timings:
        rows[0]["plain_captum_seconds"] = timings[PLAIN].median
    return rows


def run(quick: bool, command: str, repeats: int) -> dict[str, Any]:
    started = datetime.now(timezone.utc)
    machine = machine_info(("captum", "timm", "stable-baselines3"))
    machine["load_average_at_start"] = load_average()
    X, y = load_digits(images=True)
    X_tr, X_te, y_tr, y_te = train_test_split_stratified(X, y, test_size=0.25, random_state=0)
    x, labels = X_te[:N_IMAGES], y_te[:N_IMAGES]
    clf = Classifier(random_state=0).fit(X_tr, y_tr)
    epochs = 3 if quick else 15
    tuner = FineTuner(model="resnet10t", weights=None, max_epochs=epochs, random_state=0)
    tuner.fit(X_tr, y_tr)
    subjects = [
        _estimator_subject(
            f"Classifier (defaults, test accuracy {clf.score(X_te, y_te):.3f})",
            clf,
            "model_",
            x,
            labels,
        ),
        _estimator_subject(
            f"FineTuner resnet10t (scratch, {epochs} epochs, accuracy "
            f"{tuner.score(X_te, y_te):.3f})",
            tuner,
            "network_",
            x,
            labels,
        ),
        _agent_subject(4000 if quick else 20_000),
    ]
    rows = [row for subject in subjects for row in _measure(subject, repeats)]
    results = finish_results(started, command, machine, rows=rows, n_inputs=N_IMAGES)
    results["goals"] = goals(rows)
    return results


def goals(rows: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    digits = [r for r in rows if r["model"].startswith("Classifier")]
    default = next(r for r in digits if r["method"] == "integrated_gradients")
    slowest = max(r["seconds_for_100"] for r in digits)
    worst_rank = max(r["randomisation_rank_correlation"] for r in rows)
    return [
        goal("seconds for 100 digits (Classifier, every method)", slowest, "<= 1", slowest <= 1),
        goal(
            "deletion area / random, default method, digits",
            default["deletion_ratio"],
            "<= 0.3",
            default["deletion_ratio"] <= 0.3,
        ),
        goal("randomisation rank correlation, every model and method", worst_rank, "<= 0.3",
             worst_rank <= 0.3),
    ]  # fmt: skip


def render_markdown(results: dict[str, Any]) -> str:
    body = [
        [r["model"], r["method"].replace("_", " "), f"{r['seconds_for_100']:.3f}",
         f"{r['plain_captum_seconds']:.3f}" if "plain_captum_seconds" in r else "",
         r["deletion_area"], r["deletion_area_random"], f"{r['deletion_ratio']:.2f}x",
         r["randomisation_rank_correlation"]]
        for r in results["rows"]
    ]  # fmt: skip
    lines = [
        *section_header(
            "Interpretation: attributions of the library's models (digits, PixelSide)",
            results,
            f"{THREADS} torch threads",
            "see `benchmarks/interpretation.py`; 100 inputs, integrated gradients with 32 "
            "steps; deletion: the most-attributed pixels set to the baseline first",
        ),
        md_table(
            ["model", "method", "s for 100", "plain Captum s", "deletion area",
             "random order", "ratio", "rank corr. with random weights"],
            body,
        ),
        "",
        *goal_lines(results["goals"]),
    ]  # fmt: skip
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    return run_benchmark(__doc__, run, render_markdown, name=SECTION, threads=THREADS, argv=argv)


if __name__ == "__main__":
    sys.exit(main())
