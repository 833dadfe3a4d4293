"""Render an HTML report in a real headless browser and save what a person would see as a PNG.

    python -m paradigms.report.screenshot runs/tour-*/report.html    # writes report.png beside it

Uses Chromium (or Chrome) when installed (Debian: ``apt install chromium``); nothing else in
the library needs it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


def find_browser() -> str | None:
    """The path of an installed Chromium or Chrome, or None."""
    for name in BROWSERS:
        found = shutil.which(name)
        if found:
            return found
    return None


def screenshot(
    html: str | os.PathLike[str],
    png: str | os.PathLike[str] | None = None,
    *,
    width: int = 1200,
    height: int = 2400,
    timeout: float = 120.0,
) -> Path:
    """Render ``html`` headless at ``width`` x ``height`` pixels and write ``png``.

    Args:
        html: the report file.
        png: where to write (default: ``html`` with ``.png``).
        width: viewport width in pixels.
        height: viewport height; the page below it is not captured.
        timeout: seconds before the browser is given up on.

    Raises:
        ValueError: no such file, no browser installed, or the browser wrote no picture.
    """
    source = Path(html).resolve()
    if not source.is_file():
        raise ValueError(f"no report at {os.fspath(html)!r}; pass the report.html to render.")
    browser = find_browser()
    if browser is None:
        raise ValueError(
            f"no headless browser found (looked for {', '.join(BROWSERS)}); install Chromium, "
            "e.g. `apt install chromium`, to render reports."
        )
    target = Path(png) if png is not None else source.with_suffix(".png")
    with tempfile.TemporaryDirectory() as profile:
        command = [
            browser, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            "--hide-scrollbars", f"--user-data-dir={profile}", f"--window-size={width},{height}",
            f"--screenshot={target.resolve()}", source.as_uri(),
        ]  # fmt: skip
        result = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
    if not target.is_file() or target.stat().st_size == 0:
        raise ValueError(
            f"{browser} wrote no screenshot of {source} (exit {result.returncode}): "
            f"{result.stderr.strip()[-500:]}"
        )
    return target


if __name__ == "__main__":
    for page in sys.argv[1:] or ["report.html"]:
        sys.stdout.write(f"{screenshot(page)}\n")
