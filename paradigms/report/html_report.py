"""A single, self-contained HTML page summarising one training run."""

from __future__ import annotations

import base64
import html
import json
import math
from collections.abc import Mapping, Sequence
from datetime import datetime, timezone
from pathlib import Path

from paradigms._common.errors import MissingFileError
from paradigms.report._files import PathLike, write_shared_text
from paradigms.report._metrics_csv import MetricsTable, read_metrics_csv
from paradigms.report.captions import read_captions

#: The most metrics rows shown; longer files are cut with a note.
MAX_METRIC_ROWS = 200

#: The report's file name inside the run folder.
REPORT_NAME = "report.html"

_CSS = """
body { font-family: system-ui, -apple-system, "Segoe UI", Helvetica, Arial, sans-serif;
       margin: 2em auto; max-width: 1100px; padding: 0 1em; color: #222; line-height: 1.4; }
h1 { border-bottom: 2px solid #ddd; padding-bottom: .3em; }
h2 { margin-top: 1.8em; color: #333; }
.generated { color: #777; font-size: .9em; }
table { border-collapse: collapse; margin: .5em 0; font-size: .9em; }
th, td { border: 1px solid #ddd; padding: .3em .7em; text-align: left; vertical-align: top; }
th { background: #f3f3f3; }
tr:nth-child(even) td { background: #fafafa; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
.scroll { overflow-x: auto; }
figure { display: inline-block; margin: .5em 1em 1em 0; max-width: 100%; vertical-align: top; }
figure img { max-width: 100%; max-height: 460px; border: 1px solid #eee; }
figcaption { color: #444; font-size: .9em; max-width: 46em; }
figcaption code { color: #777; font-size: .9em; }
pre { background: #f6f8fa; border: 1px solid #ddd; padding: 1em; overflow-x: auto; }
.note { color: #a15c00; font-style: italic; }
""".strip()


def _esc(value: object) -> str:
    return html.escape(str(value), quote=True)


def _format_value(value: object) -> str:
    """Text for one summary value: floats to 6 significant digits, containers as JSON."""
    if isinstance(value, float):
        return f"{value:.6g}" if math.isfinite(value) else str(value)
    if isinstance(value, Mapping | list | tuple):
        try:
            return json.dumps(value, default=str)
        except (TypeError, ValueError):
            return str(value)
    return str(value)


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _summary_section(summary: Mapping[str, object]) -> str:
    if not summary:
        return "<h2>Summary</h2>\n<p>No summary values.</p>"
    rows = []
    for key, value in summary.items():
        text = _format_value(value)
        cls = ' class="num"' if _is_number(text) else ""
        rows.append(f"<tr><th>{_esc(key)}</th><td{cls}>{_esc(text)}</td></tr>")
    return '<h2>Summary</h2>\n<table class="summary">\n' + "\n".join(rows) + "\n</table>"


def embedded_figure(png: Path, caption: str = "") -> str:
    """A ``<figure>`` with ``png`` inlined as a data URI, captioned by ``caption`` and its
    file name."""
    data = base64.b64encode(png.read_bytes()).decode("ascii")
    text = f"{_esc(caption)} " if caption else ""
    return (
        f'<figure><img src="data:image/png;base64,{data}" alt="{_esc(caption or png.name)}">'
        f"<figcaption>{text}<code>{_esc(png.name)}</code></figcaption></figure>"
    )


def _plots_section(plot_files: list[Path], heading: str = "Plots") -> str:
    if not plot_files:
        return ""
    captions = read_captions(plot_files[0].parent)
    figures = [embedded_figure(png, captions.get(png.name, "")) for png in plot_files]
    return f"<h2>{_esc(heading)}</h2>\n" + "\n".join(figures)


def _pngs(folder: Path) -> list[Path]:
    return sorted(folder.glob("*.png")) if folder.is_dir() else []


def _tables_section(tables: Mapping[str, tuple[Sequence[str], Sequence[Sequence[object]]]]) -> str:
    parts = []
    for heading, (header, rows) in tables.items():
        head = "".join(f"<th>{_esc(h)}</th>" for h in header)
        body = "\n".join(
            "<tr>" + "".join(f"<td>{_esc(cell)}</td>" for cell in row) + "</tr>" for row in rows
        )
        parts.append(
            f"<h2>{_esc(heading)}</h2>\n<table>\n<thead><tr>{head}</tr></thead>\n"
            f"<tbody>\n{body}\n</tbody></table>"
        )
    return "\n".join(parts)


def _texts_section(texts: Mapping[str, str]) -> str:
    return "\n".join(f"<h2>{_esc(k)}</h2>\n<pre>{_esc(v)}</pre>" for k, v in texts.items())


def _metrics_section(table: MetricsTable, name: str) -> str:
    head = "".join(f"<th>{_esc(h)}</th>" for h in table.header)
    body = []
    for row in table.rows:
        cells = "".join(
            f'<td class="num">{_esc(c)}</td>' if _is_number(c) else f"<td>{_esc(c)}</td>"
            for c in row
        )
        body.append(f"<tr>{cells}</tr>")
    note = ""
    if table.truncated:
        note = (
            f'<p class="note">Showing the first {len(table.rows)} of {table.total_rows} rows '
            f"(truncated; see {_esc(name)} for the rest).</p>\n"
        )
    return (
        f"<h2>Metrics <small>({_esc(name)})</small></h2>\n{note}"
        f'<div class="scroll"><table class="metrics">\n<thead><tr>{head}</tr></thead>\n'
        f"<tbody>\n" + "\n".join(body) + "\n</tbody></table></div>"
    )


def _config_section(config: Mapping[str, object]) -> str:
    try:
        text = json.dumps(config, indent=2, sort_keys=True, default=str)
    except (TypeError, ValueError):  # keys that cannot be sorted or encoded
        text = json.dumps({str(k): v for k, v in config.items()}, indent=2, default=str)
    return f"<h2>Configuration</h2>\n<pre>{_esc(text)}</pre>"


def write_html_report(
    run_dir: PathLike,
    title: str,
    summary: Mapping[str, object],
    config: Mapping[str, object] | None = None,
    metrics_csv: str | None = "metrics.csv",
    plots_dir: str = "plots",
    texts: Mapping[str, str] | None = None,
    galleries: Mapping[str, PathLike] | None = None,
    tables: Mapping[str, tuple[Sequence[str], Sequence[Sequence[object]]]] | None = None,
) -> Path:
    """Write ``run_dir/report.html``: one page that can be mailed or archived on its own.

    The page has inline CSS and embeds every ``run_dir/<plots_dir>/*.png`` as a base64 data URI,
    so it needs no other file. It shows, in order: the title, a key/value summary table, the
    plots (each captioned with its ``captions.json`` line, :mod:`paradigms.report.captions`, and
    its file name), preformatted ``texts``, the metrics table read from
    ``run_dir/<metrics_csv>`` (the first :data:`MAX_METRIC_ROWS` rows, with a note when cut) and
    the configuration as indented JSON. Sections without content are left out, and all text is
    HTML-escaped.

    Args:
        run_dir: the run folder; must exist.
        title: the page heading.
        summary: headline results, e.g. ``{"test_accuracy": 0.93, "epochs": 20}``.
        config: the run's configuration (any JSON-like mapping; other values are shown as text).
        metrics_csv: the metrics file's name inside ``run_dir``; None (or a missing file) leaves
            the table out.
        plots_dir: the folder inside ``run_dir`` holding the PNG plots.
        texts: preformatted blocks by heading, e.g. a classification report.
        galleries: more plot folders by heading (e.g. the tour's runs), each embedded after
            the plots with its captions.
        tables: ``{heading: (header, rows)}`` tables shown right after the summary.

    Returns:
        The path of the report written (atomically).

    Raises:
        ValueError: if ``run_dir`` is not an existing folder (a
            :class:`~paradigms._common.errors.MissingFileError`).
    """
    root = Path(run_dir)
    if not root.is_dir():
        raise MissingFileError(f"run_dir {str(root)!r} is not an existing folder")

    plot_files = _pngs(root / plots_dir)
    table = read_metrics_csv(root / metrics_csv, MAX_METRIC_ROWS) if metrics_csv else None
    generated = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")

    sections = [
        _summary_section(summary),
        _tables_section(tables or {}),
        _plots_section(plot_files),
        *(_plots_section(_pngs(Path(f)), h) for h, f in (galleries or {}).items()),
        _texts_section(texts or {}),
        _metrics_section(table, metrics_csv) if table is not None and metrics_csv else "",
        _config_section(config) if config is not None else "",
    ]
    body = "\n\n".join(s for s in sections if s)
    page = (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{_esc(title)}</title>\n<style>\n{_CSS}\n</style>\n</head>\n<body>\n"
        f"<h1>{_esc(title)}</h1>\n"
        f'<p class="generated">Run folder: <code>{_esc(root.resolve().name)}</code> · '
        f"generated {generated}</p>\n\n{body}\n</body>\n</html>\n"
    )
    return write_shared_text(root / REPORT_NAME, page)
