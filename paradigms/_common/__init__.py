"""Small helpers shared by every package: device, seeding, validation, errors, run directories."""

from paradigms._common.device import resolve_device
from paradigms._common.errors import MissingFileError, NonFiniteLossError, RunWriteError
from paradigms._common.files import (
    atomic_write,
    atomic_write_bytes,
    atomic_write_text,
    check_writable,
    write_json_atomic,
)
from paradigms._common.seeding import seed_everything

__all__ = [
    "MissingFileError",
    "NonFiniteLossError",
    "RunWriteError",
    "atomic_write",
    "atomic_write_bytes",
    "atomic_write_text",
    "check_writable",
    "resolve_device",
    "seed_everything",
    "write_json_atomic",
]
