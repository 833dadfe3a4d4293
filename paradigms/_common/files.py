"""Every file write goes through here: atomic writes, the writable-folder check, and failed
writes turned into one :class:`~paradigms._common.errors.RunWriteError` with the cause in plain
words.

An atomic write goes to a temporary file in the same folder, then renames it over the target.
A reader (or a run killed half-way, or a disk that fills up) therefore sees either the old file
or the new one, never a half-written file; the temporary file is removed on failure.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import re
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from paradigms._common.errors import RunWriteError

try:
    import resource
except ImportError:  # Windows: no file-size limits to recognise
    resource = None  # type: ignore[assignment]

PathLike = str | os.PathLike[str]

_SPACE = "free some space"
#: errno -> (the cause in plain words, what fixes it without writing elsewhere)
_CAUSES: dict[int, tuple[str, str]] = {
    errno.ENOSPC: ("no space left on device", _SPACE),
    getattr(errno, "EDQUOT", errno.ENOSPC): ("disk quota exceeded", _SPACE),
    errno.EFBIG: ("file too large (over the file-size limit, ulimit -f)", "raise the limit"),
    errno.EACCES: ("permission denied", ""),
    errno.EPERM: ("permission denied", ""),
    errno.EROFS: ("read-only file system", ""),
    errno.EISDIR: ("it is a folder", ""),
    errno.ENAMETOOLONG: ("the name is too long", ""),
}
#: errnos that only a write raises (how the CLI recognises a write outside this module)
DISK_ERRNOS = frozenset({errno.ENOSPC, getattr(errno, "EDQUOT", 0), errno.EFBIG, errno.EROFS})
#: a folder with less free space than this is taken as full when a writer hides the errno
_NEARLY_FULL = 1 << 20


def write_error(path: PathLike | None, error: OSError) -> RunWriteError:
    """``error``, raised while writing ``path``, as a :class:`RunWriteError` in plain words."""
    if isinstance(error, RunWriteError):
        return error
    code = error.errno
    blocker = _file_in_the_way(Path(path)) if path is not None else None
    if code in (errno.ENOTDIR, errno.EEXIST) and blocker is not None:
        is_self = Path(path) == blocker  # type: ignore[arg-type]
        reason = "it is a file, not a folder" if is_self else f"a parent, {blocker}, is a file"
        return RunWriteError(path, reason, "", code)
    reason, remedy = _CAUSES.get(code or 0, ("", ""))
    if not reason:
        reason = " ".join((error.strerror or str(error)).split()).lower()
    return RunWriteError(path, reason, remedy, code)


@contextlib.contextmanager
def writing(path: PathLike | None) -> Iterator[None]:
    """Turn an ``OSError`` raised inside the block into a :class:`RunWriteError` naming ``path``
    (for writes that cannot go through :func:`atomic_write`, e.g. an append-only log)."""
    try:
        yield
    except RunWriteError:
        raise
    except OSError as exc:
        raise write_error(path, exc) from exc


def check_writable(folder: PathLike, *, keep: bool = True) -> Path:
    """Create ``folder`` (and missing parents), then write and remove a small probe file there.

    Args:
        folder: the folder a run or command will write to.
        keep: ``False`` removes the folders this call created, leaving no trace (a check made
            before the inputs are validated).

    Returns:
        ``folder`` as a ``Path``.

    Raises:
        RunWriteError: the folder cannot be created or written (naming it and the cause).
    """
    path = Path(folder)
    created = [p for p in (*reversed(path.parents), path) if not os.path.lexists(p)]
    probe = path / f".paradigms-write-check-{os.getpid()}"
    try:
        with writing(path):
            path.mkdir(parents=True, exist_ok=True)
            with open(probe, "wb") as handle:
                handle.write(b"paradigms\n")
                handle.flush()
                os.fsync(handle.fileno())
    finally:
        with contextlib.suppress(OSError):
            probe.unlink(missing_ok=True)
        for made in () if keep else reversed(created):
            with contextlib.suppress(OSError):
                made.rmdir()
    return path


def _default_file_mode() -> int:
    """The mode ``open()`` would give a new file (0o666 minus the umask), unlike mkstemp's 0o600."""
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def atomic_write(path: PathLike, write: Callable[[str], None]) -> Path:
    """Call ``write(tmp_path)`` then atomically move ``tmp_path`` to ``path``.

    Args:
        path: the final file path; its parent folder is created if missing.
        write: a function that writes the whole file to the temporary path it is given.

    Returns:
        The final path.

    Raises:
        RunWriteError: the file could not be written (disk full, file-size limit, no
            permission, a parent that is a file...); ``path`` is left as it was.
    """
    target = Path(path)
    with writing(target):
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
        os.close(fd)
    try:
        write(tmp)
        os.chmod(tmp, _default_file_mode())
        os.replace(tmp, target)
    except BaseException as exc:
        error = _failed_write(target, exc, tmp)
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        if error is None or error is exc:
            raise
        raise error from exc
    return target


def atomic_write_bytes(path: PathLike, data: bytes | bytearray | memoryview) -> Path:
    """Atomically write ``data`` to ``path`` (raises :class:`RunWriteError` on failure)."""

    def _write(tmp: str) -> None:
        with open(tmp, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())

    return atomic_write(path, _write)


def atomic_write_text(path: PathLike, text: str) -> Path:
    """Atomically write UTF-8 ``text`` to ``path``."""
    return atomic_write_bytes(path, text.encode("utf-8"))


def write_json_atomic(path: PathLike, obj: Any) -> Path:
    """Atomically write ``obj`` as indented JSON (non-JSON values are written with ``str``)."""
    return atomic_write_text(path, json.dumps(obj, indent=2, sort_keys=True, default=str) + "\n")


def _file_in_the_way(path: Path) -> Path | None:
    """The first of ``path``'s ancestors (or ``path``) that exists but is not a folder."""
    for candidate in (*reversed(path.parents), path):
        if os.path.lexists(candidate) and not candidate.is_dir():
            return candidate
    return None


def _failed_write(target: Path, exc: BaseException, tmp: str) -> RunWriteError | None:
    """The write error ``exc`` stands for, or ``None`` when it is not a failed write.

    Some writers hide the ``OSError``: torch's zip writer raises ``RuntimeError: ... unexpected
    pos``, safetensors ``SafetensorError: ... (os error 28)``. Those are recognised by the errno
    in the message, a temporary file that reached the file-size limit, or a full disk.
    """
    if isinstance(exc, OSError):
        return write_error(target, exc)
    if not isinstance(exc, Exception):  # KeyboardInterrupt, SystemExit
        return None
    code = _hidden_errno(str(exc), tmp)
    return None if code is None else write_error(target, OSError(code, os.strerror(code)))


def _hidden_errno(message: str, tmp: str) -> int | None:
    found = re.search(r"os error (\d+)", message)
    if found:
        return int(found.group(1))
    with contextlib.suppress(OSError):
        limit = resource.getrlimit(resource.RLIMIT_FSIZE)[0] if resource else -1
        limited = limit not in (-1, getattr(resource, "RLIM_INFINITY", -1))
        if limited and os.path.getsize(tmp) >= limit:
            return errno.EFBIG
        if hasattr(os, "statvfs"):
            stats = os.statvfs(os.path.dirname(tmp) or ".")
            if stats.f_bavail * stats.f_frsize < _NEARLY_FULL:
                return errno.ENOSPC
    return None
