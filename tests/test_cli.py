"""The ``paradigms`` command as a user meets it."""

from __future__ import annotations

import csv
import json
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from paradigms.backbones import load_backbone
from paradigms.cli import main
from paradigms.reinforcement import get_preset


def test_help_lists_every_command(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["--help"])
    assert exc.value.code == 0
    out = capsys.readouterr().out
    commands = ("tour", "supervised", "unsupervised", "transfer", "rl", "backbones", "export")
    for command in (*commands, "tune"):
        assert command in out


@pytest.mark.parametrize("module", ["paradigms.cli", "paradigms"])  # python -m paradigms too
def test_console_script_is_installed(module):
    result = subprocess.run(
        [sys.executable, "-m", module, "backbones"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0
    assert {"auto", "mlp", "cnn"} <= set(result.stdout.split())


def test_supervised_writes_a_complete_run_directory(tmp_path, capsys):
    out = tmp_path / "run"
    code = main(
        [
            "supervised",
            "--dataset",
            "wine",
            "--max-epochs",
            "4",
            "--seed",
            "1",
            "--out",
            str(out),
            "--no-progress",
        ]
    )
    assert code == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["task"] == "classification" and 0.0 <= summary["test_accuracy"] <= 1.0
    config = json.loads((out / "config.json").read_text())
    assert config["params"]["seed"] == 1 and config["params"]["max_epochs"] == 4
    assert config["params"]["dataset"] == "wine"
    assert {"torch", "scikit-learn", "paradigms", "python"} <= set(config["versions"])
    rows = list(csv.DictReader((out / "metrics.csv").open()))
    assert [int(r["epoch"]) for r in rows] == [1, 2, 3, 4]
    assert {"train_loss", "val_loss", "val_accuracy"} <= set(rows[0])
    for name in ("learning_curves.png", "confusion_matrix.png", "attributions.png"):
        assert (out / "plots" / name).read_bytes().startswith(b"\x89PNG")
    assert (out / "plots" / "top_losses.png").stat().st_size > 0
    assert (out / "checkpoint.pt").is_file() and (out / "model.safetensors").is_file()
    assert load_backbone(out / "backbone.safetensors").in_shape == (13,)
    report = (out / "report.html").read_text()
    assert "data:image/png;base64" in report and "Classification report" in report
    assert "mean absolute integrated gradients attribution" in report  # the caption
    assert 0 <= summary["deletion_area"] <= 1 and "most_confused" in summary
    assert not list(out.rglob("*.tmp"))


def test_supervised_regression_and_npz_dataset(tmp_path, capsys):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(120, 3)).astype(np.float32)
    y = (X @ [1.0, 2.0, -1.0]).astype(np.float32)
    path = tmp_path / "mine.npz"
    np.savez(path, X=X, y=y)
    code = main(
        [
            "supervised",
            "--dataset",
            str(path),
            "--max-epochs",
            "3",
            "--out",
            str(tmp_path / "reg"),
            "--no-progress",
        ]
    )
    assert code == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["task"] == "regression" and "test_r2" in summary
    assert (tmp_path / "reg" / "plots" / "predictions.png").is_file()


def test_resume_continues_and_refuses_changed_parameters(tmp_path, capsys):
    out = str(tmp_path / "run")
    args = ["supervised", "--dataset", "iris", "--max-epochs", "3", "--out", out, "--no-progress"]
    assert main(args) == 0
    first = json.loads(capsys.readouterr().out)
    assert main([*args, "--resume"]) == 0
    again = json.loads(capsys.readouterr().out)
    assert again["test_accuracy"] == first["test_accuracy"]
    code = main(
        [
            "supervised",
            "--dataset",
            "iris",
            "--max-epochs",
            "5",
            "--out",
            out,
            "--resume",
            "--no-progress",
        ]
    )
    assert code == 2
    assert "max_epochs: 3 -> 5" in capsys.readouterr().err


def test_bad_dataset_and_backbone_are_user_errors(tmp_path, capsys):
    assert main(["supervised", "--dataset", "wines", "--out", str(tmp_path / "a")]) == 2
    assert "wine" in capsys.readouterr().err
    assert (
        main(["supervised", "--dataset", "wine", "--backbone", "cnn", "--out", str(tmp_path / "b")])
        == 2
    )
    err = capsys.readouterr().err
    assert "cnn" in err and "mlp" in err


def test_unsupervised_vae_run_directory(tmp_path, capsys):
    out = tmp_path / "vae"
    code = main(
        [
            "unsupervised",
            "--dataset",
            "digits",
            "--kind",
            "variational",
            "--latent-dim",
            "4",
            "--max-epochs",
            "2",
            "--out",
            str(out),
            "--no-progress",
        ]
    )
    assert code == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["kind"] == "variational" and summary["latent_dim"] == 4
    assert summary["test_mse"] > 0 and summary["pca4_test_mse"] > 0
    assert summary["batch_size"] == 16 and summary["epochs_run"] == 2  # "auto" resolved
    shown = ("learning_curves.png", "reconstructions.png", "latent.png", "samples.png")
    inside = ("latent_traversal.png", "worst_reconstructions.png")
    for name in (*shown, *inside):
        assert (out / "plots" / name).read_bytes().startswith(b"\x89PNG"), name
    captions = json.loads((out / "plots" / "captions.json").read_text())
    assert set(inside) <= set(captions)
    assert "latent_traversal.png" in (out / "report.html").read_text()
    encoder = load_backbone(out / "encoder.safetensors")
    assert encoder.in_shape == (1, 8, 8) and encoder.out_features == 4
    rows = list(csv.DictReader((out / "metrics.csv").open()))
    assert len(rows) == 2 and "val_loss" in rows[0]
    assert not list(out.rglob("*.tmp"))


def test_unsupervised_tabular_and_bad_kind(tmp_path, capsys):
    out = tmp_path / "wine"
    assert (
        main(
            [
                "unsupervised",
                "--dataset",
                "wine",
                "--latent-dim",
                "2",
                "--max-epochs",
                "2",
                "--out",
                str(out),
                "--no-progress",
            ]
        )
        == 0
    )
    assert json.loads(capsys.readouterr().out)["n_train"] > 0
    assert (out / "plots" / "reconstructions.png").is_file()
    assert (
        main(
            [
                "unsupervised",
                "--dataset",
                "wine",
                "--kind",
                "sparse",
                "--out",
                str(tmp_path / "bad"),
                "--no-progress",
            ]
        )
        == 2
    )
    assert "variational" in capsys.readouterr().err


def test_transfer_run_with_local_weights_and_offline_hub(tmp_path, capsys, monkeypatch):
    from safetensors.torch import save_file

    from paradigms.data import load_digits
    from paradigms.transfer import FineTuner

    X, y = load_digits(images=True)
    source = FineTuner(
        model="test_resnet", weights=None, max_epochs=1, batch_size=64, random_state=0
    ).fit(X[y < 5], y[y < 5])
    weights = tmp_path / "src.safetensors"
    save_file({k: v.contiguous() for k, v in source.model_.state_dict().items()}, str(weights))
    out = tmp_path / "run"
    code = main(
        [
            "transfer",
            "--model",
            "test_resnet",
            "--weights",
            str(weights),
            "--classes",
            "5-9",
            "--labels-per-class",
            "2",
            "--max-epochs",
            "2",
            "--out",
            str(out),
            "--no-progress",
        ]
    )
    assert code == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["n_train"] == 10 and summary["classes"] == [5, 6, 7, 8, 9]
    assert set(summary["label_efficiency"]) == {"1", "2"}
    plots = ("learning_curves.png", "confusion_matrix.png", "label_efficiency.png")
    for name in (*plots, "attributions.png", "top_losses.png"):
        assert (out / "plots" / name).read_bytes().startswith(b"\x89PNG"), name
    assert (
        summary["deletion_area"] >= 0
        and "Classification report" in (out / "report.html").read_text()
    )
    assert (out / "model.safetensors").is_file() and (out / "checkpoint.pt").is_file()
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
    assert (
        main(
            ["transfer", "--model", "test_resnet", "--out", str(tmp_path / "hub"), "--no-progress"]
        )
        == 2
    )
    assert "local file" in capsys.readouterr().err


def test_transfer_run_with_imagenet_weights_installed_by_pip(tmp_path, capsys):
    out = tmp_path / "run"
    args = ["transfer", "--model", "tf_efficientnet_lite0", "--weights", "imagenet"]
    args += ["--dataset", "colour_shapes", "--labels-per-class", "1", "--max-epochs", "3"]
    assert main([*args, "--out", str(out), "--no-progress"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["weights"] == "imagenet" and summary["strategy"] == "linear_probe"
    assert summary["strategy_requested"] == "auto" and summary["n_train"] == 3
    assert summary["test_accuracy"] > summary["scratch_test_accuracy"]
    from paradigms.transfer import load_pretrained

    model = load_pretrained("tf_efficientnet_lite0", out / "model.safetensors")
    assert model.classifier.out_features == 3  # the run's own head, handed on


def rl_updates(timesteps: int) -> int:
    """The fewest optimizer steps PPO takes for ``timesteps`` with CartPole's preset: every
    full rollout (``n_envs * n_steps`` steps), ``n_epochs`` passes of its minibatches."""
    preset = get_preset("CartPole-v1", "ppo")
    rollout = preset["n_envs"] * preset["n_steps"]
    return timesteps // rollout * preset["n_epochs"] * (rollout // preset["batch_size"])


@pytest.mark.slow
def test_tour_quick_runs_real_work(tmp_path, capsys):
    assert main(["tour", "--quick", "--out", str(tmp_path / "tour")]) == 0
    out = capsys.readouterr().out
    assert "test_accuracy" in out and "reused vs" in out and "reused encoder vs" in out
    steps = json.loads((tmp_path / "tour" / "tour.json").read_text())
    assert {s["paradigm"] for s in steps} >= {
        "supervised",
        "unsupervised",
        "transfer",
        "reinforcement",
        "supervised -> reinforcement",
        "unsupervised -> reinforcement",
        "transfer -> reinforcement",
        "semi-supervised",
    }
    for step in steps:  # what each step cost is measured, not written in
        assert step["seconds"] > 0 and step["optimizer_steps"] > 0, step["what"]
        assert step["parameters"] > 0 and step["networks"] >= 1, step["what"]
    few = next(s for s in steps if s["paradigm"] == "semi-supervised")
    assert "LabelSpreading" in few["result"] and "labels alone" in few["result"]
    reuse = next(s for s in steps if s["paradigm"] == "unsupervised -> supervised")
    assert reuse["against"][0] > reuse["against"][1] + 0.02  # the encoder beats scratch
    digits = next(s for s in steps if s["what"].startswith("digits: Classifier"))
    assert float(digits["result"].split("=")[1]) > 0.95
    cartpole = next(s for s in steps if s["paradigm"] == "reinforcement")
    assert float(cartpole["result"].split()[2]) > 50  # a random policy averages about 22
    imagenet = next(s for s in steps if s["what"].startswith("ImageNet"))  # dev installs it
    assert "1 label/class" in imagenet["what"] and "SVC on pixels" in imagenet["result"]
    assert float(imagenet["result"].split()[1]) > 0.9  # one labelled shape per class
    assert Path(imagenet["run_dir"]).is_file()  # the fine-tuned weights, handed on
    assert (tmp_path / "tour" / "rl-cartpole" / "agent" / "agent.json").is_file()
    cloning = next(s for s in steps if "behaviour cloning" in s["what"])
    assert cloning["against"][0] >= 475  # the clone of the scripted expert solves CartPole
    report = (tmp_path / "tour" / "report.html").read_text()
    # every paradigm's interpretation pictures are embedded, captioned, from their runs
    for picture in (
        "attributions.png",
        "top_losses.png",
        "latent_traversal.png",
        "worst_reconstructions.png",
        "policy_attributions.png",
        "evaluation_returns.png",
    ):
        assert f"<code>{picture}</code></figcaption>" in report, picture
    assert "<h2>Against the baselines</h2>" in report
    cost = report.split("<h2>What each step cost</h2>")[1].split("</table>")[0]
    assert cost.count("<tr><td>") == len(steps)
    same = report.split("<h2>The same measurements in benchmarks/RESULTS.md</h2>")[1]
    assert same.split("</table>")[0].count("<tr><td>") == len(steps)
    results = (Path(__file__).resolve().parents[1] / "benchmarks" / "RESULTS.md").read_text()
    for step in steps:  # every section a step names exists, and each says how it differs
        assert step["protocol_difference"], step["what"]
        section = step["results_section"]
        assert not section or f"<!-- {section}:start -->" in results, (step["what"], section)
    assert sum(bool(s["results_section"]) for s in steps) >= 10
    rl = next(s for s in steps if s["paradigm"] == "reinforcement")
    assert rl["optimizer_steps"] >= rl_updates(30_000)  # PPO's minibatch steps are counted
    compared = [s for s in steps if s["against"] is not None]
    assert len(compared) >= 7  # every flow and paradigm with a baseline is in the table
    table = report.split("<h2>Against the baselines</h2>")[1].split("</table>")[0]
    verdicts = re.findall(r"<td>(?:lower is better: )?(yes|no|tie)</td></tr>", table)
    assert len(verdicts) == len(compared) == table.count("<tr><td>")
    transfer = next(s for s in steps if s["what"].startswith("timm resnet10t"))
    assert (Path(transfer["plots"]) / "attributions.png").stat().st_size > 0
    embedded = re.findall(r'<img src="data:image/png;base64,([^"]*)"', report)
    assert len(embedded) >= 15 and all(len(data) > 1000 for data in embedded)


def test_supervised_with_few_labels_writes_a_label_efficiency_curve(tmp_path, capsys):
    out = tmp_path / "few"
    argv = ["supervised", "--dataset", "wine", "--labels-per-class", "3", "--curve-draws", "1"]
    code = main([*argv, "--semi-supervised-steps", "4", "--out", str(out), "--no-progress"])
    assert code == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["labels_per_class"] == 3
    assert {"curve_semi_supervised_at_3", "curve_label_spreading_knn_at_3"} <= set(summary)
    rows = list(csv.DictReader((out / "label_efficiency.csv").open()))
    assert {r["labels_per_class"] for r in rows} == {"1", "2", "3", "all"}
    assert {r["method"] for r in rows} >= {"semi_supervised", "svc", "logistic_regression"}
    assert (out / "plots" / "label_efficiency.png").stat().st_size > 0
    assert "label_efficiency.png" in (out / "report.html").read_text()


def test_few_labels_on_a_regression_dataset_is_refused(tmp_path, capsys):
    argv = ["supervised", "--dataset", "diabetes", "--labels-per-class", "2"]
    assert main([*argv, "--out", str(tmp_path / "r"), "--no-progress"]) == 2
    assert "needs a classification dataset" in capsys.readouterr().err
    assert not (tmp_path / "r").exists()


def test_unsupervised_budget_is_the_kind_s_own_unless_given(capsys):
    from paradigms.cli import _config_from_args, build_parser
    from paradigms.unsupervised.run import UnsupervisedRunConfig, build_autoencoder

    def autoencoder(*options: str):
        args = build_parser().parse_args(["unsupervised", *options])
        return build_autoencoder(_config_from_args(UnsupervisedRunConfig, args))

    contrastive = autoencoder("--kind", "contrastive")
    assert (contrastive.max_epochs, contrastive.batch_size) == ("auto", "auto")
    assert contrastive._budget(1347) == (100, 256)  # 600 steps of 256, as from Python
    assert autoencoder("--kind", "plain")._budget(1347) == (30, 16)
    given = autoencoder("--max-epochs", "3", "--batch-size", "32")
    assert (given.max_epochs, given.batch_size) == (3, 32)
    with pytest.raises(SystemExit):
        build_parser().parse_args(["unsupervised", "--batch-size", "many"])
    assert "--batch-size must be 'auto' or a whole number; got 'many'" in capsys.readouterr().err
    with pytest.raises(SystemExit):  # the supervised batch size has no "auto"
        build_parser().parse_args(["supervised", "--batch-size", "auto"])
