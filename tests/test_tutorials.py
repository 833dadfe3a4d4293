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
        "--out",
        str(tmp_path),
    )
    for strategy in ("fine_tune", "linear_probe", "gradual_unfreeze", "scratch"):
        assert strategy in out
    assert "weights='hub' offline" in out and "local file" in out
    assert (tmp_path / "test_resnet-digits0-4.safetensors").is_file()
