"""Writes that fail for real — a file-size limit (``RLIMIT_FSIZE``, so writes fail with EFBIG
as on a full disk), a read-only folder, an ``--out`` under a regular file — end in one
``RunWriteError`` (an ``OSError``) naming the file, the cause and the fix; the CLI prints it as
one line with a non-zero status; the previous checkpoint stays whole and ``--resume`` finishes.
"""

from __future__ import annotations

import errno
import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from paradigms._common import RunWriteError, atomic_write, atomic_write_bytes, check_writable
from paradigms._common.files import write_error
from paradigms.cli import main

resource = pytest.importorskip("resource", reason="file-size limits need a POSIX system")

#: bytes a process under the limit may write per file: more than config.json and metrics.csv,
#: far less than a checkpoint (iris's is about 400 kB)
LIMIT = 64 * 1024
RUN = ["supervised", "--dataset", "iris", "--max-epochs", "2", "--no-progress"]


def _file_size_limit(limit: int):
    """A ``preexec_fn``: writes past ``limit`` bytes fail with EFBIG (SIGXFSZ would kill)."""

    def limit_writes() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return limit_writes


def _paradigms(*args: str, limit: int | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "paradigms", *args],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "MPLBACKEND": "Agg"},
        preexec_fn=_file_size_limit(limit) if limit is not None else None,
    )


def _one_line(stderr: str) -> str:
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    assert "Traceback" not in stderr
    return lines[0]


def test_cli_checkpoint_over_the_file_size_limit_keeps_the_last_one(tmp_path, capsys):
    out = tmp_path / "run"
    args = [*RUN, "--out", str(out)]
    assert main(args) == 0
    first = json.loads(capsys.readouterr().out)
    checkpoint = out / "checkpoint.pt"
    before = checkpoint.read_bytes()
    assert len(before) > LIMIT

    # the same run started again, on a "full disk": its first checkpoint cannot be written
    failed = _paradigms(*args, limit=LIMIT)
    assert failed.returncode == 1 and failed.stdout == ""
    line = _one_line(failed.stderr)
    assert line.startswith(f"paradigms supervised: error: cannot write {checkpoint}: ")
    assert "file too large" in line and "raise the limit" in line
    assert "--resume" in line and "choose another --out" in line
    assert checkpoint.read_bytes() == before
    assert not list(out.rglob("*.tmp"))

    assert main([*args, "--resume"]) == 0
    assert json.loads(capsys.readouterr().out)["test_accuracy"] == first["test_accuracy"]


_API_SCRIPT = """
import json, resource, signal, sys
import torch
from torch import nn
from paradigms._common import RunWriteError, atomic_write
from paradigms.backbones import create_backbone, save_backbone
from paradigms.engine import fit

run_dir, limit = sys.argv[1], int(sys.argv[2])
X, y = torch.randn(64, 64), torch.randn(64, 1)
model = nn.Sequential(nn.Linear(64, 256), nn.ReLU(), nn.Linear(256, 1))
options = dict(max_epochs=1, batch_size=16, device="cpu", progress=False, run_dir=run_dir)
fit(model, nn.functional.mse_loss, (X, y), **options)  # no limit yet: a checkpoint

signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
resource.setrlimit(resource.RLIMIT_FSIZE, (limit, resource.getrlimit(resource.RLIMIT_FSIZE)[1]))
writes = {
    "checkpoint": lambda: fit(model, nn.functional.mse_loss, (X, y), **options),
    "backbone": lambda: save_backbone(
        create_backbone("mlp", in_shape=(64,), hidden=(256,)), run_dir + "/b.safetensors"
    ),
    "torch_save_to_a_file": lambda: atomic_write(
        run_dir + "/raw.pt", lambda tmp: torch.save(model.state_dict(), tmp)
    ),
}
report = {}
for name, write in writes.items():
    try:
        write()
        report[name] = None
    except OSError as error:
        report[name] = {
            "type": type(error).__name__,
            "is_run_write_error": isinstance(error, RunWriteError),
            "errno": error.errno,
            "path": error.filename,
            "message": str(error),
            "cause": type(error.__cause__).__name__,
        }
print(json.dumps(report))
"""


def test_api_writes_over_the_file_size_limit_raise_run_write_error(tmp_path):
    run_dir = tmp_path / "run"
    checkpoint = run_dir / "checkpoint.pt"
    script = tmp_path / "write_over_the_limit.py"
    script.write_text(textwrap.dedent(_API_SCRIPT))
    # the first fit (unlimited) is checked in the parent, between two runs of the script
    result = subprocess.run(
        [sys.executable, str(script), str(run_dir), str(LIMIT // 4)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout.strip().splitlines()[-1])
    for name, path in [
        ("checkpoint", checkpoint),
        ("backbone", run_dir / "b.safetensors"),
        ("torch_save_to_a_file", run_dir / "raw.pt"),
    ]:
        error = report[name]
        assert error is not None, f"{name} was written over the limit"
        assert error["is_run_write_error"] and error["errno"] == errno.EFBIG, error
        assert error["path"] == str(path)
        assert error["message"].startswith(f"cannot write {path}: file too large")
        assert "raise the limit or write to another folder" in error["message"]
    assert report["checkpoint"]["cause"] == "OSError"  # the real EFBIG, not torch's RuntimeError
    assert not list(run_dir.rglob("*.tmp"))
    assert checkpoint.stat().st_size > LIMIT // 4  # the unlimited fit's checkpoint, still whole
    import torch

    assert torch.load(checkpoint, weights_only=True)["epoch"] == 1


def test_api_write_under_a_regular_file(tmp_path):
    blocker = tmp_path / "notes.txt"
    blocker.write_text("a file, not a folder")
    target = blocker / "run" / "model.bin"
    with pytest.raises(OSError) as caught:
        atomic_write_bytes(target, b"weights")
    error = caught.value
    assert isinstance(error, RunWriteError) and error.errno == errno.ENOTDIR
    assert str(error) == (
        f"cannot write {target}: a parent, {blocker}, is a file; write to another folder."
    )
    assert isinstance(error.__cause__, NotADirectoryError)
    with pytest.raises(RunWriteError, match=r"a parent, .* is a file"):
        check_writable(blocker / "run")
    with pytest.raises(RunWriteError, match="it is a file, not a folder"):
        check_writable(blocker)
    assert blocker.read_text() == "a file, not a folder"


def test_a_failing_writer_that_is_not_a_write_error_is_left_alone(tmp_path):
    target = tmp_path / "kept.txt"
    target.write_text("old")

    def broken(tmp: str) -> None:
        Path(tmp).write_text("half")
        raise RuntimeError("a bug in the writer")

    with pytest.raises(RuntimeError, match="a bug in the writer"):
        atomic_write(target, broken)
    assert target.read_text() == "old" and not list(tmp_path.glob("*.tmp"))


def test_run_write_error_is_an_oserror_that_pickles():
    import pickle

    error = RunWriteError("runs/a/checkpoint.pt", "no space left on device", "free some space")
    again = pickle.loads(pickle.dumps(error))
    assert isinstance(again, OSError) and str(again) == str(error) == (
        "cannot write runs/a/checkpoint.pt: no space left on device; free some space or write "
        "to another folder."
    )


@pytest.mark.parametrize(
    ("code", "words"),
    [
        (errno.ENOSPC, "no space left on device; free some space or write to another folder."),
        (errno.EACCES, "permission denied; write to another folder."),
        (errno.EROFS, "read-only file system; write to another folder."),
    ],
)
def test_the_causes_in_plain_words(code, words):
    error = write_error("runs/a/x.pt", OSError(code, os.strerror(code)))
    assert error.errno == code and str(error) == f"cannot write runs/a/x.pt: {words}"


def test_cli_out_under_a_file_fails_fast_in_one_line(tmp_path):
    blocker = tmp_path / "notes.txt"
    blocker.write_text("")
    started = time.perf_counter()
    result = _paradigms("supervised", "--dataset", "digits", "--out", str(blocker / "run"))
    seconds = time.perf_counter() - started
    assert result.returncode == 1 and result.stdout == ""
    line = _one_line(result.stderr)
    assert line == (
        f"paradigms supervised: error: cannot write {blocker / 'run'}: a parent, {blocker}, "
        "is a file; choose another --out."
    )
    assert seconds < 60  # before any training (a full digits run takes longer)


@pytest.mark.parametrize(
    "command",
    [
        ["supervised"],
        ["unsupervised"],
        ["transfer"],
        ["rl"],
        ["tour", "--quick"],
        ["tune", "supervised", "--trials", "1"],
    ],
)
def test_every_command_checks_its_out_before_starting(command, tmp_path, capsys):
    blocker = tmp_path / "notes.txt"
    blocker.write_text("")
    assert main([*command, "--out", str(blocker / "run")]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    line = _one_line(captured.err)
    assert line.endswith(f"a parent, {blocker}, is a file; choose another --out.")


def test_export_checks_its_out_before_loading(tmp_path, capsys):
    blocker = tmp_path / "notes.txt"
    blocker.write_text("")
    target = blocker / "model.onnx"
    assert main(["export", str(tmp_path), "--out", str(target)]) == 1
    line = _one_line(capsys.readouterr().err)
    assert line == (
        f"paradigms export: error: cannot write {target}: a parent, {blocker}, is a file; "
        "choose another --out."
    )


def test_the_check_leaves_no_folder_behind(tmp_path, capsys):
    out = tmp_path / "new" / "run"
    assert main(["supervised", "--dataset", "wines", "--out", str(out)]) == 2  # a user error
    assert "wines" in capsys.readouterr().err
    assert not (tmp_path / "new").exists()


def _can_write(folder: Path) -> bool:
    probe = folder / "probe"
    try:
        probe.write_bytes(b"")
    except PermissionError:
        return False
    probe.unlink()
    return True


def test_cli_read_only_out(tmp_path, capsys):
    folder = tmp_path / "read-only"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        if os.access(folder, os.W_OK) or _can_write(folder):
            pytest.skip("this user (root) writes into a 0o555 folder anyway; nothing to refuse")
        assert main([*RUN, "--out", str(folder / "run")]) == 1
        line = _one_line(capsys.readouterr().err)
        assert f"cannot write {folder / 'run'}: permission denied" in line
        assert line.endswith("choose another --out.")
    finally:
        folder.chmod(0o755)
