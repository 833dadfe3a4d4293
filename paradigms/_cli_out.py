"""The CLI's writable-output check and the one-line message for a failed write: each command's
``--out`` is checked before the paradigm is imported or any data loaded, and a write that fails
later names the file, the cause and the fix (with ``--resume`` where a run can continue)."""

from __future__ import annotations

import argparse
from pathlib import Path

from paradigms._cli_commands import RUN_COMMANDS
from paradigms._common.errors import RunWriteError
from paradigms._common.files import check_writable, write_error
from paradigms._common.rundir import RUNS_ROOT


def _out_folder(args: argparse.Namespace) -> Path | None:
    """The folder a command will write to (``None``: it writes nothing, or ``export`` of a
    source that does not exist, which ``export_run`` reports)."""
    if args.command == "backbones" or (args.command == "rl" and args.list_presets):
        return None
    if args.command == "export":
        if args.out:
            return Path(args.out).parent
        source = Path(args.run_dir)
        return source if source.is_dir() else source.parent if source.is_file() else None
    return Path(args.out) if args.out else Path(RUNS_ROOT)


def check_out(args: argparse.Namespace) -> None:
    """Fail fast (``RunWriteError``) when the command's folder cannot be created or written;
    the check leaves no folder behind."""
    folder = _out_folder(args)
    if folder is None:
        return
    try:
        check_writable(folder, keep=False)
    except RunWriteError as exc:
        if args.command == "export" and args.out and isinstance(exc.__cause__, OSError):
            raise write_error(args.out, exc.__cause__) from exc.__cause__  # name the file
        raise


def write_failure(error: RunWriteError, args: argparse.Namespace, started: bool) -> str:
    """The one-line message for a failed write: with the resume hint once a run has begun."""
    then = ""
    if started and args.command in RUN_COMMANDS:  # they continue with --resume
        folder = args.out or _run_folder(error.path)
        if folder is not None:
            rerun = "--resume" if args.out else f"--resume --out {folder}"
            then = f", then rerun the same command with {rerun}"
            then += " to continue from the last checkpoint"
    return error.describe("choose another --out", then)


def _run_folder(path: str | None) -> Path | None:
    """The ``runs/<name>-<time>`` folder that ``path`` lies in (a run without ``--out``)."""
    if path is None:
        return None
    parts = Path(path).parts
    return Path(*parts[:2]) if len(parts) > 2 and parts[0] == RUNS_ROOT else None
