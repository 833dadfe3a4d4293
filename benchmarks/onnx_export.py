"""ONNX export: how close the files are to torch, and onnxruntime's CPU throughput against torch's.

Run from the repository root, on a quiet machine (about 2 minutes on 2 CPUs):

    .venv/bin/python benchmarks/onnx_export.py            # full run: writes the results
    .venv/bin/python benchmarks/onnx_export.py --quick    # smoke test

The full run writes ``benchmarks/results/onnx_export.json`` and the ``onnx_export`` section of
``benchmarks/RESULTS.md``; ``--quick`` only the git-ignored ``benchmarks/out/``.

Protocol (issue 15): digits images, stratified 75/25 split (``random_state=0``). Models: the
default ``Classifier`` (cnn backbone), a ``FineTuner`` (timm resnet10t from scratch, 32x32 after
its input adaptation), a ``Regressor`` on diabetes, an ``AutoEncoder``'s encoder, and PPO's
CartPole policy (the zoo preset, 20,000 steps). Each is exported with ``export_onnx``; on the
test inputs (CartPole: 2,000 observations of random play) we report the export time, the
largest absolute difference of the outputs (probabilities, predictions, codes, actions) to
the estimator's own ``predict_proba``/``predict``/``transform``, and whether the predicted
labels / actions are identical. Throughput: the same batch through the torch network
(``torch.no_grad``, eval mode) and through onnxruntime's CPU session, both with 2 threads,
in batches of 256 and of 1 (alternating repeats, medians).

Goal: max |difference| <= 1e-4 on probabilities, identical labels and actions (issue 15).
"""

from __future__ import annotations

import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import gymnasium as gym
import numpy as np
import onnxruntime
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
from sklearn.datasets import load_diabetes

from paradigms.data import load_digits, train_test_split_stratified
from paradigms.reinforcement import Agent
from paradigms.reinforcement.onnx_policy import DeterministicPolicy
from paradigms.supervised import Classifier, Regressor
from paradigms.transfer import FineTuner
from paradigms.unsupervised import AutoEncoder

SECTION = "onnx_export"
THREADS = 2
BATCHES = (256, 1)
#: inputs pushed through each side per timed call, per batch size
ROWS_PER_CALL = {256: 2048, 1: 64}


def _session(path: Path) -> onnxruntime.InferenceSession:
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = THREADS
    options.inter_op_num_threads = 1
    return onnxruntime.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])


def _throughput(
    network: torch.nn.Module, session: Any, name: str, inputs: np.ndarray, repeats: int
) -> dict[str, Any]:
    """Inputs per second through torch and onnxruntime, for each batch size."""
    network = network.eval()
    out: dict[str, Any] = {}
    for batch in BATCHES:
        rows = ROWS_PER_CALL[batch]
        chunks = [inputs[i : i + batch] for i in range(0, rows, batch)]
        chunks = [c for c in chunks if len(c) == batch]
        tensors = [torch.from_numpy(c) for c in chunks]

        def torch_side(tensors: Sequence[torch.Tensor] = tensors) -> None:
            with torch.no_grad():
                for t in tensors:
                    network(t)

        def onnx_side(chunks: Sequence[np.ndarray] = chunks) -> None:
            for c in chunks:
                session.run(None, {name: c})

        timings = time_alternating({"torch": torch_side, "onnx": onnx_side}, repeats, THREADS)
        n = sum(len(c) for c in chunks)
        torch_rate, onnx_rate = n / timings["torch"].median, n / timings["onnx"].median
        out[str(batch)] = {
            "torch_per_s": round(torch_rate, 1),
            "onnxruntime_per_s": round(onnx_rate, 1),
            "onnx_over_torch": round(onnx_rate / torch_rate, 3),
        }
    return out


def _row(
    name: str,
    export: Callable[[Path], Any],
    network: Callable[[], torch.nn.Module],
    inputs: np.ndarray,
    reference: Callable[[np.ndarray], np.ndarray],
    output_index: int,
    labels: Callable[[np.ndarray], np.ndarray] | None,
    repeats: int,
) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "model.onnx"
        start = time.perf_counter()
        result = export(path)
        seconds = time.perf_counter() - start
        session = _session(path)
        outputs = session.run(None, {result.input_name: inputs})
        got = np.asarray(outputs[output_index], dtype=np.float64)
        want = np.asarray(reference(inputs), dtype=np.float64).reshape(got.shape)
        row: dict[str, Any] = {
            "model": name,
            "export_seconds": round(seconds, 2),
            "file_kib": round(path.stat().st_size / 1024, 1),
            "max_abs_difference": float(np.abs(got - want).max()),
            "n_inputs": len(inputs),
        }
        if labels is not None:
            row["identical_labels"] = bool(np.array_equal(labels(got), labels(want)))
        row["throughput"] = _throughput(network(), session, result.input_name, inputs, repeats)
    return row


def _cartpole_observations(n: int) -> np.ndarray:
    env = gym.make("CartPole-v1")
    observation, _ = env.reset(seed=0)
    seen = []
    while len(seen) < n:
        seen.append(observation)
        observation, _, terminated, truncated, _ = env.step(env.action_space.sample())
        if terminated or truncated:
            observation, _ = env.reset()
    return np.stack(seen).astype(np.float32)


def run(quick: bool, command: str, repeats: int) -> dict[str, Any]:
    started = datetime.now(timezone.utc)
    machine = machine_info(("onnx", "onnxruntime", "onnxscript", "timm", "stable-baselines3"))
    machine["load_average_at_start"] = load_average()
    X, y = load_digits(images=True)
    X_tr, X_te, y_tr, y_te = train_test_split_stratified(X, y, test_size=0.25, random_state=0)
    X_te = np.ascontiguousarray(X_te, dtype=np.float32)
    tile = np.concatenate([X_te] * 5)[: max(ROWS_PER_CALL.values())]  # enough rows to time
    clf = Classifier(max_epochs=3 if quick else "auto", random_state=0).fit(X_tr, y_tr)
    tuner = FineTuner(model="resnet10t", weights=None, max_epochs=1 if quick else 5)
    tuner.set_params(random_state=0).fit(X_tr, y_tr)
    X_d, y_d = load_diabetes(return_X_y=True)
    reg = Regressor(random_state=0).fit(X_d[:330], y_d[:330])
    X_d = np.ascontiguousarray(X_d, dtype=np.float32)
    tabular = np.concatenate([X_d] * 5)[: max(ROWS_PER_CALL.values())]
    ae = AutoEncoder(kind="plain", latent_dim=8, max_epochs=3 if quick else 30, random_state=0)
    ae.fit(X_tr)
    steps = 2_000 if quick else 20_000
    agent = Agent("CartPole-v1", algo="ppo", seed=0, num_threads=1).learn(steps)
    observations = _cartpole_observations(2_048)

    def argmax(values: np.ndarray) -> np.ndarray:
        return values.argmax(axis=1)

    def same(values: np.ndarray) -> np.ndarray:
        return values

    def policy_graph() -> torch.nn.Module:
        return DeterministicPolicy(agent.model, agent.algo, agent.env, None, transpose=False)

    rows = [
        _row(f"Classifier cnn (accuracy {clf.score(X_te, y_te):.3f})", clf.export_onnx,
             lambda: clf.model_, tile, clf.predict_proba, 1, argmax, repeats),
        _row(f"FineTuner resnet10t (accuracy {tuner.score(X_te, y_te):.3f})", tuner.export_onnx,
             lambda: tuner.network_, tile, tuner.predict_proba, 1, argmax, repeats),
        _row("Regressor mlp, diabetes (targets 25-346)", reg.export_onnx, lambda: reg.model_,
             tabular, reg.predict, 0, None, repeats),
        _row("AutoEncoder encoder (8-D code)", ae.export_onnx, lambda: ae.encoder_, tile,
             ae.transform, 0, None, repeats),
        _row(f"Agent PPO CartPole policy ({steps:,} steps)", agent.export_onnx, policy_graph,
             observations, lambda o: agent.predict(o)[0], 0, same, repeats),
    ]  # fmt: skip
    results = finish_results(started, command, machine, rows=rows)
    results["goals"] = goals(rows)
    return results


def goals(rows: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    probabilities = max(r["max_abs_difference"] for r in rows[:2])
    identical = all(r.get("identical_labels", True) for r in rows)
    return [
        goal(
            "max |difference| of probabilities",
            f"{probabilities:.1e}",
            "<= 1e-4",
            probabilities <= 1e-4,
        ),
        goal("identical labels and actions, every model", identical, "True", identical),
    ]


def render_markdown(results: dict[str, Any]) -> str:
    table = []
    for r in results["rows"]:
        big, one = r["throughput"]["256"], r["throughput"]["1"]
        table.append(
            [
                r["model"],
                r["export_seconds"],
                r["file_kib"],
                f"{r['max_abs_difference']:.1e}",
                {True: "yes", False: "NO"}.get(r.get("identical_labels"), "-"),
                f"{big['torch_per_s']:,.0f} / {big['onnxruntime_per_s']:,.0f} "
                f"({big['onnx_over_torch']:.2f}x)",
                f"{one['torch_per_s']:,.0f} / {one['onnxruntime_per_s']:,.0f} "
                f"({one['onnx_over_torch']:.2f}x)",
            ]
        )
    body = [
        *section_header(
            "ONNX export: fidelity and CPU throughput (onnxruntime vs torch)",
            results,
            f"{THREADS} threads for torch and onnxruntime",
            "see `benchmarks/onnx_export.py`; differences against the estimator's own "
            "predict_proba / predict / transform on the test inputs",
        ),
        md_table(
            [
                "model",
                "export s",
                "file KiB",
                "max abs diff",
                "identical labels/actions",
                "inputs/s batch 256: torch / onnxruntime",
                "inputs/s batch 1: torch / onnxruntime",
            ],
            table,
        ),
        "",
        *goal_lines(results["goals"]),
    ]
    return "\n".join(body)


def main(argv: Sequence[str] | None = None) -> int:
    return run_benchmark(__doc__, run, render_markdown, name=SECTION, threads=THREADS, argv=argv)


if __name__ == "__main__":
    sys.exit(main())
