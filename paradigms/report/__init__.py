"""Run reports: PNG plots and a self-contained HTML page.

The plots are learning curves, a confusion matrix, predictions against truth for regression,
an image grid, originals against reconstructions, a 2-D latent scatter and label efficiency.
They are drawn on :class:`matplotlib.figure.Figure` objects with the Agg canvas, never through
pyplot, and every file is written atomically (temporary file in the same folder, then rename).
"""

from __future__ import annotations

from paradigms.report.confusion import plot_confusion_matrix
from paradigms.report.curves import plot_learning_curves
from paradigms.report.html_report import write_html_report
from paradigms.report.images import plot_image_grid
from paradigms.report.label_efficiency import plot_label_efficiency
from paradigms.report.latent import plot_latent_scatter
from paradigms.report.reconstructions import plot_reconstructions
from paradigms.report.regression import plot_predictions_vs_truth

__all__ = [
    "plot_confusion_matrix",
    "plot_image_grid",
    "plot_label_efficiency",
    "plot_latent_scatter",
    "plot_learning_curves",
    "plot_predictions_vs_truth",
    "plot_reconstructions",
    "write_html_report",
]
