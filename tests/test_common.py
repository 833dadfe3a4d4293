"""Tests for paradigms._common: device resolution, seeding, atomic writes, run directories."""

from __future__ import annotations

import json
import os
import random
import re
from pathlib import Path

import numpy as np
import pytest
import torch

from paradigms._common import (
    MissingFileError,
    NonFiniteLossError,
    atomic_write_bytes,
    atomic_write_text,
    resolve_device,
    seed_everything,
    write_json_atomic,
)
from paradigms._common.files import atomic_write
from paradigms._common.rundir import new_run_dir, package_versions, write_run_config


def _tmp_leftovers(folder: Path) -> list[str]:
    return [name for name in os.listdir(folder) if name.endswith(".tmp")]


# --------------------------------------------------------------------------------------- device


@pytest.mark.skipif(torch.cuda.is_available(), reason="asserts the CPU-only fallback")
def test_resolve_device_auto_is_cpu_without_accelerator() -> None:
    mps = getattr(torch.backends, "mps", None)
    if mps is not None and mps.is_available():
        pytest.skip("Apple MPS present")
    assert resolve_device("auto") == torch.device("cpu")
    assert resolve_device() == torch.device("cpu")


def test_resolve_device_explicit_cpu() -> None:
    assert resolve_device("cpu") == torch.device("cpu")
    assert resolve_device(torch.device("cpu")) == torch.device("cpu")
    assert isinstance(resolve_device("cpu"), torch.device)


@pytest.mark.parametrize("spec", ["gpu-please", "not a device", ""])
def test_resolve_device_bad_string(spec: str) -> None:
    with pytest.raises(ValueError, match="expected 'auto', 'cpu'"):
        resolve_device(spec)


@pytest.mark.skipif(torch.cuda.is_available(), reason="needs a machine without CUDA")
@pytest.mark.parametrize("spec", ["cuda", "cuda:0", torch.device("cuda")])
def test_resolve_device_cuda_without_cuda(spec: str | torch.device) -> None:
    with pytest.raises(ValueError, match="is_available"):
        resolve_device(spec)


# -------------------------------------------------------------------------------------- seeding


def _draws() -> tuple[float, float, torch.Tensor]:
    return random.random(), float(np.random.rand()), torch.rand(5)


def test_seed_everything_same_seed_same_draws() -> None:
    gen_a = seed_everything(123)
    first = _draws()
    perm_a = torch.randperm(20, generator=gen_a)
    gen_b = seed_everything(123)
    second = _draws()
    perm_b = torch.randperm(20, generator=gen_b)
    assert first[0] == second[0]
    assert first[1] == second[1]
    assert torch.equal(first[2], second[2])
    assert torch.equal(perm_a, perm_b)
    assert isinstance(gen_a, torch.Generator)


def test_seed_everything_different_seeds_differ() -> None:
    seed_everything(1)
    first = _draws()
    seed_everything(2)
    second = _draws()
    assert first[0] != second[0]
    assert not torch.equal(first[2], second[2])


def test_seed_everything_large_and_none_seeds() -> None:
    # seeds beyond 2**32 are reduced, not rejected by numpy
    seed_everything(2**40 + 7)
    a = float(np.random.rand())
    seed_everything(7)
    b = float(np.random.rand())
    assert a == b
    # None draws a fresh seed: still returns a usable generator
    gen = seed_everything(None)
    assert torch.randperm(5, generator=gen).sort().values.tolist() == [0, 1, 2, 3, 4]


# ------------------------------------------------------------------------------- atomic writes


def test_atomic_write_text_and_bytes(tmp_path: Path) -> None:
    target = tmp_path / "sub" / "dir" / "file.txt"  # parents are created
    out = atomic_write_text(target, "héllo\nworld")
    assert out == target
    assert target.read_text(encoding="utf-8") == "héllo\nworld"
    atomic_write_text(target, "second")  # overwrite
    assert target.read_text(encoding="utf-8") == "second"

    blob = tmp_path / "blob.bin"
    data = bytes(range(256)) * 3
    atomic_write_bytes(blob, data)
    assert blob.read_bytes() == data
    assert _tmp_leftovers(tmp_path) == []
    assert _tmp_leftovers(target.parent) == []


def test_atomic_write_uses_normal_file_mode(tmp_path: Path) -> None:
    target = tmp_path / "f.txt"
    atomic_write_text(target, "x")
    umask = os.umask(0)
    os.umask(umask)
    assert (target.stat().st_mode & 0o777) == (0o666 & ~umask)


def test_write_json_atomic(tmp_path: Path) -> None:
    target = tmp_path / "config.json"
    obj = {"b": 1, "a": [1, 2.5, "x"], "path": Path("some/where")}
    write_json_atomic(target, obj)
    text = target.read_text()
    assert text.endswith("\n")
    loaded = json.loads(text)
    assert loaded == {"a": [1, 2.5, "x"], "b": 1, "path": str(Path("some/where"))}
    assert text.index('"a"') < text.index('"b"')  # sorted keys
    assert _tmp_leftovers(tmp_path) == []


def test_atomic_write_failure_keeps_old_file(tmp_path: Path) -> None:
    target = tmp_path / "keep.txt"
    atomic_write_text(target, "old content")

    def broken(tmp: str) -> None:
        with open(tmp, "w") as fh:
            fh.write("half-writ")
        raise RuntimeError("disk on fire")

    with pytest.raises(RuntimeError, match="disk on fire"):
        atomic_write(target, broken)
    assert target.read_text() == "old content"
    assert sorted(os.listdir(tmp_path)) == ["keep.txt"]


def test_atomic_write_keyboard_interrupt_cleans_up(tmp_path: Path) -> None:
    target = tmp_path / "new.txt"

    def interrupted(tmp: str) -> None:
        Path(tmp).write_text("partial")
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        atomic_write(target, interrupted)
    assert os.listdir(tmp_path) == []


# ------------------------------------------------------------------------------------- errors


def test_error_types_are_value_errors() -> None:
    assert issubclass(MissingFileError, ValueError)
    assert issubclass(MissingFileError, FileNotFoundError)
    assert issubclass(NonFiniteLossError, ValueError)
    with pytest.raises(FileNotFoundError):
        raise MissingFileError("x")


# ---------------------------------------------------------------------------------- run dirs


def test_package_versions() -> None:
    versions = package_versions()
    assert versions["torch"].split("+")[0] == torch.__version__.split("+")[0]
    assert versions["numpy"] == np.__version__
    assert re.fullmatch(r"\d+\.\d+\.\d+.*", versions["python"])
    for name in ("paradigms", "scikit-learn", "safetensors", "timm"):
        assert name in versions
        assert versions[name] != "missing"
    assert all(isinstance(v, str) for v in versions.values())


def test_new_run_dir_explicit_and_timestamped(tmp_path: Path) -> None:
    explicit = new_run_dir(tmp_path / "a" / "b", name="ignored")
    assert explicit == tmp_path / "a" / "b"
    assert explicit.is_dir()
    again = new_run_dir(explicit, name="x")  # existing folder is fine
    assert again == explicit

    stamped = new_run_dir(None, name="clf", root=str(tmp_path / "runs"))
    assert stamped.is_dir()
    assert stamped.parent == tmp_path / "runs"
    assert re.fullmatch(r"clf-\d{8}-\d{6}", stamped.name)


def test_write_run_config(tmp_path: Path) -> None:
    params = {"lr": 0.01, "hidden": (8, 4), "backbone": "mlp", "path": tmp_path}
    out = write_run_config(tmp_path, params)
    assert out == tmp_path / "config.json"
    data = json.loads(out.read_text())
    assert set(data) >= {"params", "command", "created", "versions", "platform"}
    assert data["params"]["lr"] == 0.01
    assert data["params"]["hidden"] == [8, 4]
    assert data["params"]["path"] == str(tmp_path)
    assert data["versions"]["torch"] == package_versions()["torch"]
    assert isinstance(data["command"], list)
    assert _tmp_leftovers(tmp_path) == []
