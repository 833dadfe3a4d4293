"""Run directories: ``runs/<name>-<timestamp>/`` with a ``config.json`` that records everything."""

from __future__ import annotations

import datetime as _dt
import json
import os
import platform
import sys
from importlib import metadata
from pathlib import Path
from typing import Any

from paradigms._common.files import check_writable, write_json_atomic

#: where a run goes when no folder is given: ``<RUNS_ROOT>/<name>-<timestamp>``
RUNS_ROOT = "runs"
#: every run directory's record of its parameters
CONFIG_FILE = "config.json"
#: every run directory's final numbers
SUMMARY_FILE = "summary.json"

_VERSIONED = (
    "paradigms",
    "torch",
    "torchvision",
    "timm",
    "numpy",
    "scikit-learn",
    "gymnasium",
    "stable-baselines3",
    "safetensors",
)


def package_versions() -> dict[str, str]:
    """Installed versions of the packages a run depends on (``"missing"`` when absent)."""
    versions = {"python": platform.python_version()}
    for name in _VERSIONED:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "missing"
    return versions


def new_run_dir(out: str | os.PathLike[str] | None, name: str, root: str = RUNS_ROOT) -> Path:
    """``out`` if given, else ``<root>/<name>-<YYYYmmdd-HHMMSS>``; created if missing and
    checked to be writable.

    Raises:
        RunWriteError: the folder cannot be created or written (the message says why).
    """
    if out is not None:
        path = Path(out)
    else:
        stamp = _dt.datetime.now().strftime("%Y%m%d-%H%M%S")
        path = Path(root) / f"{name}-{stamp}"
    return check_writable(path)


def write_run_config(run_dir: Path, params: dict[str, Any]) -> Path:
    """Write ``config.json``: the parameters, the command line, time and package versions."""
    return write_json_atomic(
        run_dir / CONFIG_FILE,
        {
            "params": params,
            "command": [Path(sys.argv[0]).name, *sys.argv[1:]],
            "created": _dt.datetime.now().isoformat(timespec="seconds"),
            "versions": package_versions(),
            "platform": platform.platform(),
        },
    )


def check_resumable(run_dir: Path, params: dict[str, Any]) -> None:
    """Refuse to resume ``run_dir`` if its ``config.json`` records different parameters.

    Raises:
        ValueError: naming each parameter that changed, old -> new.
    """
    path = run_dir / CONFIG_FILE
    if not path.is_file():
        return
    previous = json.loads(path.read_text()).get("params", {})
    changed = {k: (previous.get(k), v) for k, v in params.items() if previous.get(k) != v}
    if changed:
        details = ", ".join(f"{k}: {old!r} -> {new!r}" for k, (old, new) in changed.items())
        raise ValueError(
            f"--resume: {run_dir} was made with different parameters ({details}). Resume with "
            "the original parameters, or choose a new --out folder."
        )


def prepare_run_dir(
    out: str | os.PathLike[str] | None, name: str, params: dict[str, Any], resume: bool
) -> Path:
    """Create (or, on ``resume``, reopen) a run directory and write its ``config.json``.

    Args:
        out: the folder, or ``None`` for ``runs/<name>-<timestamp>``.
        name: the run's kind and data, e.g. ``"supervised-digits"``.
        params: every parameter of the run.
        resume: refuse (``ValueError``) if ``out`` holds a run made with other parameters.

    Raises:
        RunWriteError: the folder or its ``config.json`` cannot be written.
    """
    run_dir = new_run_dir(out, name)
    if resume:
        check_resumable(run_dir, params)
    write_run_config(run_dir, params)
    return run_dir


def write_summary(run_dir: Path, summary: dict[str, Any]) -> Path:
    """Write the run's final numbers to ``summary.json`` (atomically); returns its path."""
    return write_json_atomic(run_dir / SUMMARY_FILE, summary)
