"""Writing benchmark results: a JSON file per benchmark and one section of ``RESULTS.md``.

Each benchmark owns the part of ``benchmarks/RESULTS.md`` between its markers
``<!-- NAME:start -->`` and ``<!-- NAME:end -->``; writing a section leaves the rest of the file
(other benchmarks' sections, hand-written notes) untouched.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shlex
import sys
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

RESULTS_HEADER = """# Benchmark results

Numbers measured by the scripts in `benchmarks/` (see `benchmarks/README.md`); each section is
rewritten by its script, with the date, machine and exact command it was measured with.
"""


def _atomic_write_text(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_json(path: Path, data: Any) -> None:
    """Write ``data`` as indented JSON (atomically: a half-written file never appears)."""
    _atomic_write_text(path, json.dumps(data, indent=2) + "\n")


def replace_section(path: Path, name: str, body: str) -> None:
    """Put ``body`` between the ``name`` markers of ``path``, creating what is missing.

    A missing file gets :data:`RESULTS_HEADER`; a file without the markers gets the section
    appended at the end.
    """
    start, end = f"<!-- {name}:start -->", f"<!-- {name}:end -->"
    block = f"{start}\n{body.strip()}\n{end}"
    text = path.read_text(encoding="utf-8") if path.is_file() else RESULTS_HEADER
    if start in text and end in text and text.index(start) < text.index(end):
        before = text[: text.index(start)]
        after = text[text.index(end) + len(end) :]
        text = before + block + after
    else:
        text = text.rstrip("\n") + "\n\n" + block + "\n"
    _atomic_write_text(path, text)


def md_table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """A GitHub-flavoured markdown table."""
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


# --------------------------------------------------------------------------- goals and output
def goal(name: str, measured: Any, target: str, passed: bool) -> dict[str, Any]:
    """One goal of an issue as a JSON-ready dict (floats rounded to 4 places)."""
    if isinstance(measured, float):
        measured = round(measured, 4)
    return {"goal": name, "measured": measured, "target": target, "passed": bool(passed)}


def status(passed: bool) -> str:
    """``PASS`` or ``FAIL``."""
    return "PASS" if passed else "FAIL"


def goal_lines(goals: Sequence[dict[str, Any]]) -> list[str]:
    """One markdown bullet per goal: ``- PASS name: measured (goal target)``."""
    return [
        f"- {status(g['passed'])} {g['goal']}: {g['measured']} (goal {g['target']})" for g in goals
    ]


def print_goals(goals: Sequence[dict[str, Any]]) -> None:
    """One ``PASS``/``FAIL`` line per goal."""
    for item in goals:
        verdict = status(item["passed"])
        print(f"{verdict}  {item['goal']}: {item['measured']} (target {item['target']})")


def command_line() -> str:
    """The command this process was started with (the interpreter relative to the cwd)."""
    python = Path(sys.executable)
    with contextlib.suppress(ValueError):
        python = python.relative_to(Path.cwd())
    return shlex.join([os.fspath(python), *sys.argv])


def write_outputs(
    results: dict[str, Any],
    section: str,
    *,
    name: str,
    results_json: Path,
    results_md: Path,
    quick_json: Path,
    quick: bool,
) -> list[Path]:
    """Write a benchmark's outputs; returns the files written.

    A quick run writes only ``quick_json`` (git-ignored, so a smoke test cannot overwrite real
    numbers); a full run writes ``results_json`` and the ``name`` section of ``results_md``.
    """
    if quick:
        write_json(quick_json, results)
        return [quick_json]
    write_json(results_json, results)
    replace_section(results_md, name, section)
    return [results_json, results_md]


BENCH_DIR = Path(__file__).resolve().parent


def base_parser(description: str, repeats: bool = True) -> argparse.ArgumentParser:
    """The options every benchmark script takes."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--quick", action="store_true", help="smoke test; never writes results")
    parser.add_argument("--no-write", action="store_true", help="print only, write no files")
    parser.add_argument("--threads", type=int, default=None, help="torch.set_num_threads(N)")
    if repeats:
        parser.add_argument("--repeats", type=int, default=None, help="timing rounds (default 3)")
    parser.add_argument(
        "--device", default="cpu", help="device for every side (default cpu, as 'auto' on CPU)"
    )
    return parser


def parse_options(
    description: str, argv: Sequence[str] | None = None, repeats: bool = True
) -> argparse.Namespace:
    """Parse the common options and apply ``--threads`` (before anything is timed)."""
    args = base_parser(description, repeats).parse_args(argv)
    if args.threads is not None:
        import torch

        torch.set_num_threads(args.threads)
    return args


def publish(
    results: dict[str, Any], section: str, *, name: str, quick: bool, no_write: bool
) -> int:
    """Print a benchmark's markdown section and goals, then write its outputs (see
    :func:`write_outputs`; paths follow ``name``). Returns the exit status, 0."""
    print(section)
    print()
    print_goals(results["goals"])
    if no_write:
        return 0
    written = write_outputs(
        results,
        section,
        name=name,
        results_json=BENCH_DIR / "results" / f"{name}.json",
        results_md=BENCH_DIR / "RESULTS.md",
        quick_json=BENCH_DIR / "out" / f"{name}-quick.json",
        quick=quick,
    )
    print("\nwrote " + ", ".join(str(path.relative_to(BENCH_DIR.parent)) for path in written))
    return 0


def finish_results(
    started: Any, command: str, machine: dict[str, Any], **fields: Any
) -> dict[str, Any]:
    """A benchmark's results dict: date, command, machine (load average at the end added now)
    and its own ``fields``; the caller adds ``goals``."""
    from _timing import load_average

    machine["load_average_at_end"] = load_average()
    return {
        "date": started.isoformat(timespec="seconds"),
        "command": command,
        "machine": machine,
        **fields,
    }


def section_header(title: str, results: dict[str, Any], machine: str, protocol: str) -> list[str]:
    """The first lines of a benchmark's markdown section: title, date, machine, load, command."""
    m = results["machine"]
    return [
        f"## {title}",
        "",
        f"- date: {results['date']}",
        f"- machine: {m['cpu_count']} CPUs ({m['cpu_model']}), torch {m['torch']}, {machine}",
        f"- load average at start {m['load_average_at_start']}, at end {m['load_average_at_end']}",
        f"- command: `{results['command']}`",
        f"- protocol: {protocol}",
        "",
    ]


def run_benchmark(
    doc: str,
    run: Callable[[bool, str, int], dict[str, Any]],
    render: Callable[[dict[str, Any]], str],
    *,
    name: str,
    threads: int,
    argv: Sequence[str] | None = None,
) -> int:
    """The ``main`` of a benchmark timed in repeats: parse the options (the first paragraph
    of ``doc`` is the description), fix torch's threads, ``run(quick, command, repeats)``
    (5 repeats, 1 with ``--quick``) and :func:`publish` what ``render`` makes of it."""
    import torch

    args = parse_options(doc.split("\n\n")[0], argv)
    torch.set_num_threads(threads)
    results = run(args.quick, command_line(), args.repeats or (1 if args.quick else 5))
    return publish(results, render(results), name=name, quick=args.quick, no_write=args.no_write)


def run_untimed_benchmark(
    doc: str,
    run: Callable[[bool, str], dict[str, Any]],
    render: Callable[[dict[str, Any]], str],
    *,
    name: str,
    argv: Sequence[str] | None = None,
) -> int:
    """The ``main`` of a benchmark without timing repeats: parse the options (the first
    paragraph of ``doc`` is the description), ``run(quick, command)`` and :func:`publish` what
    ``render`` makes of it."""
    args = parse_options(doc.split("\n\n")[0], argv, repeats=False)
    results = run(args.quick, command_line())
    return publish(results, render(results), name=name, quick=args.quick, no_write=args.no_write)
