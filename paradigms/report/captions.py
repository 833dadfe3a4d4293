"""One-line captions for plots, kept beside them in ``captions.json`` and shown in the reports.

The code that draws a plot knows what it shows; it writes the caption next to the PNG, and
:func:`~paradigms.report.write_html_report` (and the tour's report) print it under the picture.
"""

from __future__ import annotations

import json
from pathlib import Path

from paradigms._common.files import write_json_atomic
from paradigms.report._files import PathLike

#: the captions file inside a plots folder: ``{"file.png": "caption", ...}``
CAPTIONS_FILE = "captions.json"


def read_captions(folder: PathLike) -> dict[str, str]:
    """The captions of the PNGs in ``folder`` by file name (empty when there are none)."""
    path = Path(folder) / CAPTIONS_FILE
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError):
        return {}
    return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}


def write_caption(png: PathLike, caption: str) -> Path:
    """Record ``caption`` for the plot ``png`` (in its folder's ``captions.json``).

    Args:
        png: the plot's path.
        caption: one sentence saying what the picture shows.

    Returns:
        ``png``, as a path, so calls chain: ``write_caption(plot_x(...), "...")``.
    """
    png = Path(png)
    captions = read_captions(png.parent)
    captions[png.name] = " ".join(str(caption).split())
    write_json_atomic(png.parent / CAPTIONS_FILE, captions)
    return png
