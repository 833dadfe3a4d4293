"""Every tutorial runs top to bottom (smoke test with a tiny budget)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def run_tutorial(name: str, *args: str) -> str:
    result = subprocess.run(
        [sys.executable, str(ROOT / "tutorials" / name), *args],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        env={**os.environ, "OMP_NUM_THREADS": "1", "MPLBACKEND": "Agg"},
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout


def test_tutorial_01_supervised_digits(tmp_path):
    out = run_tutorial("01_supervised_digits.py", "--max-epochs", "3", "--out", str(tmp_path))
    assert "test accuracy" in out and "reload identical: True" in out
    assert (tmp_path / "digits_cnn.safetensors").is_file()
    assert (tmp_path / "confusion_matrix.png").is_file()


def test_tutorial_02_autoencoder_digits(tmp_path):
    out = run_tutorial("02_autoencoder_digits.py", "--max-epochs", "3", "--out", str(tmp_path))
    assert "test MSE autoencoder" in out and "AUROC autoencoder" in out
    for name in ("digits_encoder.safetensors", "latent.png", "reconstructions.png"):
        assert (tmp_path / name).is_file(), name


def test_tutorial_03_transfer_timm(tmp_path):
    out = run_tutorial(
        "03_transfer_timm.py",
        "--model",
        "test_resnet",
        "--source-epochs",
        "1",
        "--target-epochs",
        "2",
        "--labels-per-class",
        "2",
        "--imagenet-epochs",
        "2",
        "--out",
        str(tmp_path),
    )
    for strategy in ("fine_tune", "linear_probe", "gradual_unfreeze", "scratch"):
        assert strategy in out
    assert "weights='hub' offline" in out and "local file" in out
    assert "sees in china.jpg: bell cote" in out or "sees in china.jpg: palace" in out
    assert "imagenet scratch" in out and "strategy linear_probe" in out
    assert (tmp_path / "test_resnet-digits0-4.safetensors").is_file()


def test_tutorial_04_rl_cartpole(tmp_path):
    out = run_tutorial(
        "04_rl_cartpole.py",
        "--timesteps",
        "2000",
        "--eval-freq",
        "1000",
        "--eval-episodes",
        "2",
        "--final-episodes",
        "2",
        "--out",
        str(tmp_path),
    )
    assert "preset for CartPole-v1 / ppo" in out and "BackboneExtractor" in out
    assert "evaluation at" in out and "final evaluation over 2 episodes" in out
    assert "same actions on 200 observations: True" in out
    for name in ("learning_curve.png", "cartpole_backbone.safetensors", "agent/agent.json"):
        assert (tmp_path / name).is_file(), name
    assert (tmp_path / "agent" / "agent.safetensors").is_file()
    assert "episode GIF" in out and (tmp_path / "CartPole-v1.gif").is_file()


def test_tutorial_05_custom_env(tmp_path):
    out = run_tutorial(
        "05_custom_env.py",
        "--timesteps",
        "2000",
        "--pixel-timesteps",
        "1000",
        "--eval-episodes",
        "3",
        "--out",
        str(tmp_path),
    )
    assert "ValueError: reset() returned an observation" in out and "float64" in out
    assert "raises it too, before building: True" in out
    assert "validate_env(FixedWalkToTargetEnv()) passed" in out
    assert out.count("random policy: mean return") == 2 and out.count("PPO after") == 2
    for kind in ("'factory'", "'instance'", "'class_path'"):
        assert kind in out
    assert "backbone='cnn'" in out and "episode GIF" in out
    assert (tmp_path / "pixel_catch.gif").is_file()
    assert (tmp_path / "pixel_catch_agent" / "agent.json").is_file()


def test_tutorial_06_few_labels(tmp_path):
    out = run_tutorial(
        "06_few_labels.py",
        "--steps",
        "8",
        "--draws",
        "1",
        "--labels-per-class",
        "2",
        "--ae-epochs",
        "3",
        "--out",
        str(tmp_path),
    )
    assert "labelled and" in out and "(never -1)" in out
    for name in ("labels alone", "semi-supervised", "LabelSpreading"):
        assert f"{name}: " in out, name
    assert "AUROC for unseen 7s" in out and "distance to the nearest training image" in out
    assert "AutoEncoder (contrastive) encoder -> Classifier on the labels alone" in out
    assert (tmp_path / "label_efficiency.png").is_file()
    assert (tmp_path / "label_efficiency.csv").read_text().startswith("method,labels_per_class")


def test_tutorial_07_interpretation(tmp_path):
    out = run_tutorial(
        "07_interpretation.py", "--max-epochs", "4", "--timesteps", "1000", "--out", str(tmp_path)
    )
    assert "attributions (100, 1, 8, 8)" in out and "random order: " in out
    assert out.count("rank correlation with random weights") == 2
    assert "macro avg" in out and "latent traversal of units" in out
    assert "CartPole return" in out and "in random order" in out
    for name in ("attributions.png", "latent_traversal.png", "worst.png", "cartpole.png"):
        assert (tmp_path / name).stat().st_size > 0, name
    assert (tmp_path / "classifier" / "top_losses.png").is_file()


def test_tutorial_00_layers_and_backprop(tmp_path):
    out = run_tutorial("00_layers_and_backprop.py", "--max-epochs", "2", "--out", str(tmp_path))
    assert "layer by layer equals the network's forward: True" in out
    line = next(text for text in out.splitlines() if text.startswith("hand vs autograd"))
    errors = [float(part.split()[-1]) for part in line.split(",")]
    assert max(errors) < 1e-5, line  # the hand-computed gradients are autograd's
    for depth in (0, 1, 2, 4):
        assert f"depth {depth}: accuracy" in out
    for name in ("layers.png", "depth.png", "depth.csv"):
        assert (tmp_path / name).stat().st_size > 0, name


def test_tutorial_08_custom_backbone(tmp_path):
    out = run_tutorial(
        "08_custom_backbone.py", "--max-epochs", "2", "--timesteps", "256", "--out", str(tmp_path)
    )
    assert "giving identical features: True" in out
    assert "encoder_ is a ProjectedBackbone" in out and "PPO with residual_mlp" in out
    assert "wrong shape -> ValueError" in out
    assert (tmp_path / "residual_mlp.safetensors").is_file()


def test_tutorial_09_behaviour_cloning(tmp_path):
    out = run_tutorial(
        "09_behaviour_cloning.py", "--demo-steps", "600", "--ppo-steps", "512",
        "--eval-freq", "256", "--out", str(tmp_path),
    )  # fmt: skip
    assert "the agent acts as the classifier predicts: True" in out
    assert "PPO from scratch: return" in out and "demonstration steps" in out
    assert (tmp_path / "evaluation_returns.png").stat().st_size > 0


def test_tutorial_10_autoencoder_to_rl(tmp_path):
    out = run_tutorial(
        "10_autoencoder_to_rl.py", "--frames", "300", "--max-epochs", "1", "--ppo-steps", "512",
        "--eval-freq", "256", "--out", str(tmp_path),
    )  # fmt: skip
    assert "ball side read off the 8-number code: accuracy" in out
    assert "PPO with autoencoder encoder, frozen: eval return" in out
    assert "PPO with cnn from scratch: eval return" in out
    assert (tmp_path / "evaluation_returns.png").stat().st_size > 0


def test_tutorial_11_timm_to_rl(tmp_path):
    out = run_tutorial(
        "11_timm_to_rl.py", "--frames", "200", "--max-epochs", "1", "--ppo-steps", "512",
        "--eval-freq", "256", "--no-imagenet", "--out", str(tmp_path),
    )  # fmt: skip
    assert "resnet10t sees the ball's side: accuracy" in out
    assert "PPO with resnet10t from the FineTuner, frozen: eval return" in out
    assert "ImageNet" not in out  # --no-imagenet leaves it out
    assert (tmp_path / "pixelcatch-resnet10t.safetensors").stat().st_size > 0
    assert (tmp_path / "evaluation_returns.png").stat().st_size > 0
