"""Read the head of a run's metrics CSV for display."""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class MetricsTable:
    """The first rows of a CSV file.

    Attributes:
        header: the column names (the file's first row).
        rows: up to ``max_rows`` data rows, each padded or cut to the header's length.
        total_rows: how many data rows the file holds.
    """

    header: list[str]
    rows: list[list[str]]
    total_rows: int

    @property
    def truncated(self) -> bool:
        """True when the file holds more rows than were kept."""
        return self.total_rows > len(self.rows)


def format_cell(text: str) -> str:
    """Shorten long decimal numbers to 6 significant digits; leave everything else as is.

    Args:
        text: one CSV cell.

    Returns:
        The cell for display, e.g. ``"0.6931471805599453"`` -> ``"0.693147"``.
    """
    stripped = text.strip()
    if not any(c in stripped for c in ".eE"):
        return text
    try:
        value = float(stripped)
    except ValueError:
        return text
    return f"{value:.6g}" if math.isfinite(value) else text


def read_metrics_csv(path: Path, max_rows: int) -> MetricsTable | None:
    """Read the header and the first ``max_rows`` rows of a CSV file.

    Args:
        path: the CSV file.
        max_rows: the most data rows to keep; the rest are only counted.

    Returns:
        The table, or None when the file is missing or empty.
    """
    if not path.is_file():
        return None
    with open(path, newline="", encoding="utf-8", errors="replace") as fh:
        reader = csv.reader(fh)
        header = next(reader, None)
        if not header:
            return None
        width = len(header)
        rows: list[list[str]] = []
        total = 0
        for row in reader:
            if not row:
                continue
            total += 1
            if len(rows) < max_rows:
                cells = [format_cell(c) for c in row[:width]]
                rows.append(cells + [""] * (width - len(cells)))
    return MetricsTable(header=header, rows=rows, total_rows=total)
