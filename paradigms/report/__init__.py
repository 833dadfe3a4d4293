"""Run reports: PNG plots and a self-contained HTML page.

The plots are learning curves, a confusion matrix, predictions against truth for regression,
an image grid, originals against reconstructions, a 2-D latent scatter, label efficiency, RL
episode returns and evaluation curves, and the interpretation plots: attribution heat maps and
feature importances (Captum), top losses, latent traversals and reconstruction-error maps.
Each plot may carry a one-line caption (:func:`write_caption`) that the HTML report prints
under it.
They are drawn on :class:`matplotlib.figure.Figure` objects with the Agg canvas, never through
pyplot, and every file is written atomically (temporary file in the same folder, then rename).
"""

from __future__ import annotations

from paradigms.report.attribution_checks import (
    DeletionCurve,
    deletion_curve,
    random_scores,
    rank_correlation,
    reinitialised,
)
from paradigms.report.attribution_plots import (
    plot_attribution_maps,
    plot_feature_importance,
    plot_sample_attributions,
)
from paradigms.report.attributions import ATTRIBUTION_METHODS, attribute
from paradigms.report.autoencoder_views import plot_latent_traversal, plot_reconstruction_errors
from paradigms.report.captions import read_captions, write_caption
from paradigms.report.confusion import plot_confusion_matrix
from paradigms.report.curves import plot_learning_curves
from paradigms.report.explain_classifier import (
    ClassifierExplanation,
    captum_available,
    explain_classifier,
)
from paradigms.report.html_report import write_html_report
from paradigms.report.images import plot_image_grid
from paradigms.report.label_efficiency import plot_label_efficiency
from paradigms.report.latent import plot_latent_scatter
from paradigms.report.mistakes import ConfusedPair, most_confused_pairs, top_losses
from paradigms.report.reconstructions import plot_reconstructions
from paradigms.report.regression import plot_predictions_vs_truth
from paradigms.report.rl_curves import plot_episode_returns, plot_evaluation_curves
from paradigms.report.study_plots import plot_optimization_history, plot_param_importances

__all__ = [
    "ATTRIBUTION_METHODS",
    "ClassifierExplanation",
    "ConfusedPair",
    "DeletionCurve",
    "attribute",
    "captum_available",
    "deletion_curve",
    "explain_classifier",
    "most_confused_pairs",
    "plot_attribution_maps",
    "plot_confusion_matrix",
    "plot_episode_returns",
    "plot_evaluation_curves",
    "plot_feature_importance",
    "plot_image_grid",
    "plot_label_efficiency",
    "plot_latent_scatter",
    "plot_latent_traversal",
    "plot_learning_curves",
    "plot_optimization_history",
    "plot_param_importances",
    "plot_predictions_vs_truth",
    "plot_reconstruction_errors",
    "plot_reconstructions",
    "plot_sample_attributions",
    "random_scores",
    "rank_correlation",
    "read_captions",
    "reinitialised",
    "top_losses",
    "write_caption",
    "write_html_report",
]
