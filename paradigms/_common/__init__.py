"""Small helpers shared by every package: device, seeding, validation, errors, run directories."""

from paradigms._common.device import resolve_device
from paradigms._common.errors import MissingFileError, NonFiniteLossError
from paradigms._common.files import atomic_write_bytes, atomic_write_text, write_json_atomic
from paradigms._common.seeding import seed_everything

__all__ = [
    "MissingFileError",
    "NonFiniteLossError",
    "atomic_write_bytes",
    "atomic_write_text",
    "resolve_device",
    "seed_everything",
    "write_json_atomic",
]
