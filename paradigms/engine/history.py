"""Per-epoch training history: a list of metric rows."""

from __future__ import annotations

import math
from typing import Any


class History(list):  # type: ignore[type-arg]
    """A list of per-epoch dicts such as ``{"epoch": 1, "train_loss": 0.4, "val_loss": 0.5}``.

    Rows always carry ``epoch`` (1-based), ``train_loss``, ``lr`` and ``time_s``; ``val_loss``
    and ``val_<metric>`` are present when validation data was given.
    """

    def column(self, key: str) -> list[float]:
        """All values of ``key`` across epochs (NaN where an epoch lacks it)."""
        return [float(row.get(key, math.nan)) for row in self]

    def keys(self) -> list[str]:
        """Every metric name that appears in any row, in first-seen order."""
        seen: dict[str, None] = {}
        for row in self:
            seen.update(dict.fromkeys(row))
        return list(seen)

    def best(self, key: str, mode: str = "min") -> dict[str, Any]:
        """The row with the lowest (``mode="min"``) or highest (``"max"``) finite ``key``.

        Raises:
            ValueError: if no row has a finite value for ``key``.
        """
        rows = [r for r in self if key in r and math.isfinite(float(r[key]))]
        if not rows:
            raise ValueError(f"no epoch recorded a finite {key!r}; recorded keys: {self.keys()}.")
        pick = min if mode == "min" else max
        return pick(rows, key=lambda r: float(r[key]))
