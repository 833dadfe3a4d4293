"""Read a stable-baselines3 ``.zip`` without unpickling anything.

An SB3 file is a zip archive of:

- ``data``: JSON of the algorithm's attributes. Plain values (numbers, strings, lists) are
  stored as they are; everything else (spaces, schedules, classes, numpy arrays) is a dict
  whose ``":serialized:"`` entry is a base64 cloudpickle (SB3 issue #2281: unpickling it can
  run any code) beside readable first-level fields (``"_shape"``, ``"n"``, ``"low"``...);
- ``policy.pth`` and one ``<name>.optimizer.pth`` per optimizer: ``torch.save``'d state dicts;
- ``pytorch_variables.pth``: extra tensors (SAC's ``log_ent_coef``);
- ``_stable_baselines3_version`` and ``system_info.txt``.

:func:`read_sb3_archive` reads the JSON with every ``":serialized:"`` entry dropped unread, and
each ``.pth`` with ``torch.load(weights_only=True)``, which only rebuilds tensors, numbers,
strings, lists, tuples and dicts and refuses any other pickled object before it is created.
"""

from __future__ import annotations

import io
import json
import os
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch

from paradigms._common.errors import MissingFileError

#: the entry SB3 writes its JSON attributes to
DATA_ENTRY = "data"
POLICY_ENTRY = "policy.pth"
VARIABLES_ENTRY = "pytorch_variables.pth"
VERSION_ENTRY = "_stable_baselines3_version"
#: the largest entry read (a policy of a few hundred MB is large already): a guard against
#: archives that declare gigabytes
MAX_ENTRY_BYTES = 2**31
SERIALIZED = ":serialized:"
TYPE = ":type:"


@dataclass
class SB3Archive:
    """What :func:`read_sb3_archive` found in an SB3 ``.zip``.

    Attributes:
        path: the file read.
        fields: the ``data`` JSON; an entry that SB3 pickled is a dict of its readable fields
            (its ``":type:"`` and first-level attributes) with the pickle removed.
        pickled: names of the entries whose value was only available as a pickle.
        policy: the policy's state dict, ``{name: tensor}`` in SB3's order.
        optimizers: ``{"policy.optimizer": state_dict, ...}``, one per optimizer file.
        variables: the ``pytorch_variables.pth`` tensors (``{"log_ent_coef": t}`` for SAC).
        sb3_version: the version of stable-baselines3 that wrote the file ("" if unknown).
    """

    path: Path
    fields: dict[str, Any]
    pickled: tuple[str, ...]
    policy: dict[str, torch.Tensor]
    optimizers: dict[str, dict[str, Any]] = field(default_factory=dict)
    variables: dict[str, torch.Tensor] = field(default_factory=dict)
    sb3_version: str = ""

    def readable(self, name: str) -> dict[str, Any]:
        """The readable fields of a pickled entry (``{}`` when absent or plain)."""
        value = self.fields.get(name)
        return value if isinstance(value, dict) and TYPE in value else {}


def _read_entry(archive: zipfile.ZipFile, name: str, path: Path) -> bytes:
    info = archive.getinfo(name)
    if info.file_size > MAX_ENTRY_BYTES:
        raise ValueError(
            f"{path} declares {info.file_size:,} bytes for {name!r}, more than the "
            f"{MAX_ENTRY_BYTES:,} this loader reads; this is not an SB3 model file."
        )
    return archive.read(name)


def _strip_pickles(data: dict[str, Any]) -> tuple[dict[str, Any], tuple[str, ...]]:
    """``data`` with every ``":serialized:"`` value removed, and the names that had one."""
    fields: dict[str, Any] = {}
    pickled: list[str] = []
    for key, value in data.items():
        if isinstance(value, dict) and SERIALIZED in value:
            pickled.append(key)
            value = {k: v for k, v in value.items() if k != SERIALIZED}
        fields[key] = value
    return fields, tuple(pickled)


def load_tensors_only(blob: bytes, what: str) -> Any:
    """``torch.load(weights_only=True)`` of ``blob``; a ``ValueError`` naming ``what`` when the
    file holds anything but tensors and plain containers (a planted pickle among them)."""
    try:
        return torch.load(io.BytesIO(blob), map_location="cpu", weights_only=True)
    except Exception as error:  # UnpicklingError, RuntimeError on a damaged file, ...
        first_line = str(error).strip().splitlines()[0] if str(error).strip() else type(error)
        raise ValueError(
            f"{what} was refused: it is not a plain tensor file that torch.load(weights_only="
            f"True) can read ({first_line}). An SB3 file whose .pth entries hold other pickled "
            "objects cannot be loaded safely; if you trust its author, load it with SB3 and "
            "save the agent again (Agent.save writes safetensors)."
        ) from error


def read_sb3_archive(path: str | os.PathLike[str]) -> SB3Archive:
    """Read an SB3 ``.zip`` without unpickling (see the module docstring).

    Raises:
        MissingFileError: ``path`` does not exist.
        ValueError: not a zip, no ``data`` or ``policy.pth``, damaged JSON, or a ``.pth``
            entry holding more than tensors.
    """
    file = Path(path)
    if not file.exists():
        raise MissingFileError(
            f"no SB3 model at {os.fspath(path)!r}: the file does not exist. Pass the .zip that "
            "SB3's model.save(...) wrote, or the folder that Agent.save(...) wrote."
        )
    if not zipfile.is_zipfile(file):
        raise ValueError(
            f"{file} is not a zip archive; Agent.load reads an SB3 .zip or a folder written by "
            "Agent.save."
        )
    try:
        return _read(file)
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, KeyError) as error:
        raise ValueError(
            f"{file} is a damaged zip archive ({type(error).__name__}: {error}); save the model "
            "again with SB3, or download it again."
        ) from error


def _read(file: Path) -> SB3Archive:
    with zipfile.ZipFile(file) as archive:
        names = set(archive.namelist())
        missing = [n for n in (DATA_ENTRY, POLICY_ENTRY) if n not in names]
        if missing:
            raise ValueError(
                f"{file} is a zip but not an SB3 model: it has no {' or '.join(missing)} entry "
                f"(found {sorted(names)[:8]}). Pass a file written by SB3's model.save(...)."
            )
        try:
            data = json.loads(_read_entry(archive, DATA_ENTRY, file).decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as error:
            raise ValueError(f"{file}: its 'data' entry is not JSON ({error}).") from error
        if not isinstance(data, dict):
            raise ValueError(f"{file}: its 'data' entry is not a JSON object.")
        fields, pickled = _strip_pickles(data)
        policy = load_tensors_only(
            _read_entry(archive, POLICY_ENTRY, file), f"{file}:{POLICY_ENTRY}"
        )
        if not isinstance(policy, dict) or not all(torch.is_tensor(v) for v in policy.values()):
            raise ValueError(f"{file}:{POLICY_ENTRY} is not a state dict of tensors.")
        optimizers = {
            name[: -len(".pth")]: load_tensors_only(_read_entry(archive, name, file), name)
            for name in sorted(names)
            if name.endswith(".pth") and name not in (POLICY_ENTRY, VARIABLES_ENTRY)
        }
        variables: dict[str, torch.Tensor] = {}
        if VARIABLES_ENTRY in names:
            loaded = load_tensors_only(_read_entry(archive, VARIABLES_ENTRY, file), VARIABLES_ENTRY)
            variables = {k: v for k, v in dict(loaded).items() if torch.is_tensor(v)}
        version = ""
        if VERSION_ENTRY in names:
            version = _read_entry(archive, VERSION_ENTRY, file).decode("utf-8", "replace").strip()
    return SB3Archive(file, fields, pickled, dict(policy), optimizers, variables, version)
