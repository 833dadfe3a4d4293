"""Load and save a dataset as a NumPy ``.npz`` archive with arrays ``X`` and optional ``y``."""

from __future__ import annotations

import os
import zipfile
from pathlib import Path
from typing import Any

import numpy as np

from paradigms._common import MissingFileError
from paradigms._common.files import atomic_write
from paradigms.data._task import infer_task
from paradigms.data.adapters import to_numpy
from paradigms.data.dataset import Dataset


def load_npz(path: str | os.PathLike[str]) -> Dataset:
    """Load a dataset saved as an ``.npz`` archive holding ``X`` and, optionally, ``y``.

    The file is read with ``allow_pickle=False``, so it can never run code; object arrays
    (e.g. lists of Python objects) are refused. The task is inferred from ``y``: no ``y`` ->
    ``"unlabeled"``; integer, boolean or string ``y`` -> ``"classification"``; float ``y`` made
    only of whole numbers with at most 50 distinct values -> ``"classification"``; other float
    ``y`` -> ``"regression"``.

    Args:
        path: path to the ``.npz`` file (for example written by :func:`save_npz` or
            ``np.savez(path, X=X, y=y)``).

    Returns:
        A :class:`Dataset` named after the file stem, with ``X`` of shape ``(n, ...)`` and
        ``y`` of shape ``(n,)`` (or ``None``) exactly as stored.

    Raises:
        MissingFileError: if the file does not exist.
        ValueError: if the file is not an ``.npz`` archive, has no ``X`` array, holds object
            arrays, or ``X`` and ``y`` differ in length.
    """
    file = Path(path)
    if not file.exists():
        raise MissingFileError(
            f"no .npz file at {str(file)!r} (absolute: {str(file.resolve())!r}); "
            "check the path, or write one with paradigms.data.save_npz(path, X, y)."
        )
    if file.is_dir():
        raise ValueError(
            f"{str(file)!r} is a folder, expected an .npz file; pass the path of the file itself."
        )
    try:
        archive = np.load(file, allow_pickle=False)
    except (ValueError, OSError, zipfile.BadZipFile) as exc:
        raise ValueError(
            f"could not read {str(file)!r} as an .npz archive ({exc}); expected a file written "
            "by np.savez(path, X=X, y=y) or paradigms.data.save_npz."
        ) from exc
    if not isinstance(archive, np.lib.npyio.NpzFile):
        raise ValueError(
            f"{str(file)!r} holds a single .npy array, expected an .npz archive with named "
            "arrays; save it with np.savez(path, X=X, y=y)."
        )
    with archive:
        keys = sorted(archive.files)
        if "X" not in keys:
            raise ValueError(
                f"{str(file)!r} has no array named 'X' (found keys: {keys}); save the inputs "
                "under the key 'X' (and the targets under 'y'), e.g. np.savez(path, X=X, y=y)."
            )
        X = _read(archive, "X", file)
        y = _read(archive, "y", file) if "y" in keys else None
    if X.ndim == 0:
        raise ValueError(
            f"'X' in {str(file)!r} is a scalar, expected an array of shape (n_samples, ...)."
        )
    if y is not None and (y.ndim == 0 or len(y) != len(X)):
        got = "a scalar" if y.ndim == 0 else f"{len(y)} targets"
        raise ValueError(
            f"{str(file)!r} has {len(X)} samples in 'X' but {got} in 'y'; store one target "
            "per sample."
        )
    task = infer_task(y)
    target_names = None
    if task == "classification" and y is not None and y.dtype.kind in "US":
        target_names = [str(name) for name in np.unique(y)]
    return Dataset(X=X, y=y, task=task, name=file.stem, target_names=target_names)


def _read(archive: Any, key: str, file: Path) -> np.ndarray:
    """Read one array from an open archive, turning the pickle refusal into a clear error."""
    try:
        return np.asarray(archive[key])
    except (ValueError, OSError, zipfile.BadZipFile) as exc:
        if "allow_pickle" not in str(exc) and "bject arrays" not in str(exc):
            raise ValueError(
                f"could not read array {key!r} from {str(file)!r} ({exc}); the file may be "
                "damaged: write it again with paradigms.data.save_npz(path, X, y)."
            ) from exc
        raise ValueError(
            f"array {key!r} in {str(file)!r} is an object array, which would need pickle to "
            "load; pickle is refused because it can run arbitrary code. Re-save it with a "
            "numeric or string dtype, e.g. np.savez(path, X=np.asarray(X, dtype=np.float32))."
        ) from exc


def save_npz(path: str | os.PathLike[str], X: Any, y: Any | None = None) -> Path:
    """Save ``X`` (and ``y``) to an ``.npz`` archive that :func:`load_npz` can read.

    The file is written to a temporary file in the same folder and then renamed over ``path``,
    so a reader never sees a half-written file. The archive is compressed.

    Args:
        path: destination; ``.npz`` is appended when missing (as ``np.savez`` does) and
            missing parent folders are created.
        X: inputs of shape ``(n, ...)`` (NumPy array, torch tensor or nested list).
        y: optional targets of shape ``(n,)`` or ``(n, k)``.

    Returns:
        The path written.

    Raises:
        TypeError: if ``X`` or ``y`` cannot be converted to an array or is an object array.
        ValueError: if ``X`` is a scalar or ``X`` and ``y`` differ in length.
    """
    X_arr = to_numpy(X)
    y_arr = None if y is None else to_numpy(y)
    if X_arr.ndim == 0:
        raise ValueError(f"X must be an array of shape (n_samples, ...), got a scalar ({X_arr!r}).")
    for key, arr in (("X", X_arr), ("y", y_arr)):
        if arr is not None and arr.dtype.kind == "O":
            raise TypeError(
                f"{key} has dtype object, which load_npz refuses to read (it needs pickle); "
                f"convert it first, e.g. np.asarray({key}, dtype=np.float32)."
            )
    if y_arr is not None and (y_arr.ndim == 0 or len(y_arr) != len(X_arr)):
        got = "a scalar" if y_arr.ndim == 0 else f"{len(y_arr)} targets"
        raise ValueError(f"X has {len(X_arr)} samples but y has {got}; pass one target per sample.")
    target = Path(path)
    if target.suffix != ".npz":
        target = target.with_name(target.name + ".npz")
    arrays = {"X": X_arr} if y_arr is None else {"X": X_arr, "y": y_arr}

    def _write(tmp: str) -> None:
        with open(tmp, "wb") as fh:
            np.savez_compressed(fh, **arrays)
            fh.flush()
            os.fsync(fh.fileno())

    return atomic_write(target, _write)
