"""``TourStep``: one line of the tour's table, with its pictures and its baseline."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass
class TourStep:
    """One line of the tour's table."""

    paradigm: str
    what: str
    result: str
    seconds: float
    run_dir: str = ""
    plots: str = ""  # a folder of captioned PNGs shown in the report (default run_dir/plots)
    #: (this step's number, the baseline's, the baseline's name), for the report's first table
    against: tuple[float, float, str] | None = None
    lower_is_better: bool = False

    def verdict(self) -> str:
        """Whether this step beat its baseline ("yes", "no", "tie"), or "" without one."""
        if self.against is None:
            return ""
        ours, theirs, _ = self.against
        if abs(ours - theirs) < 1e-9:
            return "tie"
        return "yes" if (ours < theirs) == self.lower_is_better else "no"

    def plot_folder(self) -> Path | None:
        """The folder whose pictures the report shows for this step, if it has one."""
        folder = Path(self.plots) if self.plots else Path(self.run_dir or ".") / "plots"
        return folder if (self.plots or self.run_dir) and folder.is_dir() else None
