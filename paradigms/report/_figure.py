"""Create matplotlib figures without pyplot and save them atomically as PNG.

Every plot in :mod:`paradigms.report` is drawn on a :class:`matplotlib.figure.Figure` bound to
the non-interactive Agg canvas, so nothing touches pyplot's global state (no open-figure list,
no backend switch) and plotting is safe in scripts, servers and tests alike.
"""

from __future__ import annotations

from pathlib import Path

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from paradigms.report._files import PathLike, write_shared

#: Resolution of every saved PNG (dots per inch).
DPI = 100


def new_figure(width: float, height: float) -> Figure:
    """Return a constrained-layout figure of ``width`` x ``height`` inches on an Agg canvas.

    Args:
        width: figure width in inches.
        height: figure height in inches.

    Returns:
        A fresh figure, independent of pyplot.
    """
    fig = Figure(figsize=(width, height), layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def save_png(fig: Figure, path: PathLike) -> Path:
    """Render ``fig`` to ``path`` as a PNG, atomically (temporary file, then rename), mode 0644.

    Args:
        fig: the figure to save.
        path: the destination file; its parent folder is created if missing.

    Returns:
        The destination path.
    """

    def _write(tmp: str) -> None:
        # The temporary name ends in ".tmp", so the format must be given explicitly.
        fig.savefig(tmp, format="png", dpi=DPI)

    return write_shared(path, _write)
