"""A report as a person sees it: rendered by a real headless browser (skipped without one)."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from paradigms.report import plot_evaluation_curves, write_html_report
from paradigms.report.captions import write_caption
from paradigms.report.screenshot import find_browser, screenshot


@pytest.mark.skipif(find_browser() is None, reason="no Chromium/Chrome installed")
def test_a_report_renders_in_a_headless_browser_with_its_pictures(tmp_path):
    rows = [{"timesteps": t, "mean_return": r, "std_return": 5.0} for t, r in [(0, 20), (10, 90)]]
    png = plot_evaluation_curves({"agent": rows}, tmp_path / "plots" / "curve.png")
    write_caption(png, "A learning curve.")
    report = write_html_report(tmp_path, "render check", {"accuracy": 0.9}, metrics_csv=None)
    shot = screenshot(report, tmp_path / "shot.png", width=900, height=1200)
    pixels = np.asarray(Image.open(shot).convert("RGB"), dtype=float)
    assert pixels.shape[:2] == (1200, 900)
    assert pixels.std() > 10  # text and an embedded plot, not a blank page
    coloured = (np.abs(pixels[..., 0] - pixels[..., 2]) > 60).mean()
    assert coloured > 0.001  # the plot's coloured line reached the page


def test_screenshot_names_what_is_missing(tmp_path):
    with pytest.raises(ValueError, match="no report at"):
        screenshot(tmp_path / "missing.html")
