"""``TourStep``: one line of the tour's table, with its pictures and its baseline."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from paradigms._common.compute import ComputeCost


@dataclass
class TourStep:
    """One line of the tour's table."""

    paradigm: str
    what: str
    result: str
    run_dir: str = ""
    plots: str = ""  # a folder of captioned PNGs shown in the report (default run_dir/plots)
    #: (this step's number, the baseline's, the baseline's name), for the report's first table
    against: tuple[float, float, str] | None = None
    lower_is_better: bool = False
    #: the benchmarks/RESULTS.md section measuring the same thing ("" if none does), and how
    #: its protocol differs from this step's
    results_section: str = ""
    protocol_difference: str = ""
    # what the step cost, filled in by the tour (measure_compute in paradigms._common.compute)
    seconds: float = 0.0
    optimizer_steps: int = 0
    networks: int = 0
    parameters: int = 0  # trainable parameters of the largest network the step trained

    def record_cost(self, cost: ComputeCost) -> TourStep:
        """This step with ``cost``'s seconds, optimizer steps, networks and parameters."""
        self.seconds, self.optimizer_steps = cost.seconds, cost.optimizer_steps
        self.networks, self.parameters = cost.networks, cost.parameters
        return self

    def cost_line(self) -> str:
        """``12.3 s, 1,024 optimizer steps, 2 networks of up to 34,567 parameters``."""
        if not self.optimizer_steps:
            return f"{self.seconds:.1f} s, nothing trained by gradient descent"
        nets = "1 network of" if self.networks == 1 else f"{self.networks} networks of up to"
        return (
            f"{self.seconds:.1f} s, {self.optimizer_steps:,} optimizer steps, "
            f"{nets} {self.parameters:,} parameters"
        )

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
