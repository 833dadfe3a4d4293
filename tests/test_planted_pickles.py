"""A file from a stranger cannot run code: a planted pickle is refused by every loader.

The pickle below, if unpickled, writes a marker file; every loader must raise a ``ValueError``
and the marker must never appear.
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from pathlib import Path

import numpy as np
import pytest
import torch

from paradigms.backbones import load_backbone
from paradigms.data import load_dataset
from paradigms.engine import load_checkpoint
from paradigms.reinforcement import Agent
from paradigms.reinforcement.envs import LineTargetEnv
from paradigms.supervised import Classifier


class _Payload:
    """Unpickles as ``open(marker, "w")``: proof that loading ran code."""

    def __init__(self, marker: Path) -> None:
        self.marker = str(marker)

    def __reduce__(self):
        return (open, (self.marker, "w"))


def _torch_file(path: Path, marker: Path) -> Path:
    torch.save({"model": _Payload(marker), "weight": torch.zeros(2)}, path)
    return path


def test_the_payload_runs_when_unpickled(tmp_path):  # the test's premise
    marker = tmp_path / "ran"
    torch.load(_torch_file(tmp_path / "x.pt", marker), weights_only=False)
    assert marker.exists()


def test_checkpoints_backbones_and_weights_refuse_a_planted_pickle(tmp_path):
    marker = tmp_path / "ran"
    planted = _torch_file(tmp_path / "checkpoint.pt", marker)
    with pytest.raises(ValueError, match="not a readable paradigms checkpoint"):
        load_checkpoint(planted)
    with pytest.raises(ValueError):
        load_backbone(planted)
    from paradigms.transfer import FineTuner

    X = np.random.default_rng(0).random((6, 3, 8, 8)).astype(np.float32)
    with pytest.raises(ValueError):
        FineTuner(model="test_resnet", weights=str(planted), max_epochs=1).fit(X, [0, 1] * 3)
    assert not marker.exists()


def test_a_resumed_fit_refuses_a_planted_checkpoint(tmp_path):
    marker = tmp_path / "ran"
    _torch_file(tmp_path / "checkpoint.pt", marker)
    X = np.random.default_rng(0).random((20, 4)).astype(np.float32)
    clf = Classifier(max_epochs=2, run_dir=tmp_path, resume=True)
    with pytest.raises(ValueError, match="checkpoint"):
        clf.fit(X, [0, 1] * 10)
    assert not marker.exists()


def test_npz_files_refuse_a_planted_pickle(tmp_path):
    marker = tmp_path / "ran"
    path = tmp_path / "data.npz"
    np.savez(path, X=np.array([_Payload(marker)] * 3, dtype=object), y=np.arange(3))
    with pytest.raises(ValueError, match="pickle"):
        load_dataset(path)
    assert not marker.exists()


def test_agent_folders_refuse_planted_files(tmp_path):
    marker = tmp_path / "ran"
    agent = Agent(LineTargetEnv, algo="ppo", seed=0, n_steps=32, batch_size=32, n_epochs=1)
    folder = agent.learn(64, progress_bar=False).save(tmp_path / "agent")
    weights = folder / "agent.safetensors"
    buffer = io.BytesIO()
    torch.save({"policy": _Payload(marker)}, buffer)
    weights.write_bytes(buffer.getvalue())  # a pickle where safetensors belong
    with pytest.raises(ValueError, match="SHA-256 differs"):
        Agent.load(folder, env=LineTargetEnv)
    config = json.loads((folder / "agent.json").read_text())  # a stranger fixes the hash too
    config["weights_sha256"] = hashlib.sha256(weights.read_bytes()).hexdigest()
    (folder / "agent.json").write_text(json.dumps(config))
    with pytest.raises(ValueError, match="is not a safetensors file"):
        Agent.load(folder, env=LineTargetEnv)
    assert zipfile.is_zipfile(weights)  # torch's format, refused without being unpickled
    assert not marker.exists()
