"""Writing benchmark results: a JSON file per benchmark and one section of ``RESULTS.md``.

Each benchmark owns the part of ``benchmarks/RESULTS.md`` between its markers
``<!-- NAME:start -->`` and ``<!-- NAME:end -->``; writing a section leaves the rest of the file
(other benchmarks' sections, hand-written notes) untouched.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

RESULTS_HEADER = """# Benchmark results

Numbers measured by the scripts in `benchmarks/` (see `benchmarks/README.md`); each section is
rewritten by its script, with the date, machine and exact command it was measured with.
"""


def _atomic_write_text(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_json(path: Path, data: Any) -> None:
    """Write ``data`` as indented JSON (atomically: a half-written file never appears)."""
    _atomic_write_text(path, json.dumps(data, indent=2) + "\n")


def replace_section(path: Path, name: str, body: str) -> None:
    """Put ``body`` between the ``name`` markers of ``path``, creating what is missing.

    A missing file gets :data:`RESULTS_HEADER`; a file without the markers gets the section
    appended at the end.
    """
    start, end = f"<!-- {name}:start -->", f"<!-- {name}:end -->"
    block = f"{start}\n{body.strip()}\n{end}"
    text = path.read_text(encoding="utf-8") if path.is_file() else RESULTS_HEADER
    if start in text and end in text and text.index(start) < text.index(end):
        before = text[: text.index(start)]
        after = text[text.index(end) + len(end) :]
        text = before + block + after
    else:
        text = text.rstrip("\n") + "\n\n" + block + "\n"
    _atomic_write_text(path, text)


def md_table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """A GitHub-flavoured markdown table."""
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)
