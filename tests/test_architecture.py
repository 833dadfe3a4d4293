"""DESIGN.md's import rules, enforced on the source tree.

- ``supervised``, ``unsupervised``, ``transfer``, ``reinforcement`` may import ``backbones``,
  ``engine``, ``data``, ``_common`` and ``report`` — never each other.
- ``backbones``, ``engine``, ``data``, ``_common`` (and ``report``) import no paradigm.
- Only ``cli.py`` and the commands it runs (``tour.py``, ``export.py``) combine paradigms.
- Tutorials use public names only (no ``paradigms.<pkg>._private`` imports).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "paradigms"
PARADIGMS = {"supervised", "unsupervised", "transfer", "reinforcement"}
SHARED = {"backbones", "engine", "data", "_common", "report"}
# the tour (with its parts), the CLI, and `paradigms export`
COMBINERS = {"cli.py", "tour.py", "tour_rl.py", "tour_pixels.py", "export.py"}


def imported_modules(path: Path, package: str | None = None) -> set[str]:
    """Absolute names of every ``paradigms`` module ``path`` imports (relative ones resolved
    against ``package``, by default the package the file sits in)."""
    tree = ast.parse(path.read_text(), filename=str(path))
    if package is None:
        package_parts = list(path.relative_to(ROOT).with_suffix("").parts[:-1])
    else:
        package_parts = package.split(".")
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package_parts[: len(package_parts) - node.level + 1]
                module = ".".join([*base, node.module] if node.module else base)
            else:
                module = node.module or ""
            names.add(module)
            names.update(f"{module}.{alias.name}" for alias in node.names)
    return {n for n in names if n == "paradigms" or n.startswith("paradigms.")}


def top_package(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else None


def source_files(folder: Path) -> list[Path]:
    return sorted(folder.rglob("*.py"))


@pytest.mark.parametrize("paradigm", sorted(PARADIGMS))
def test_paradigms_do_not_import_each_other(paradigm: str) -> None:
    for path in source_files(PACKAGE / paradigm):
        for module in imported_modules(path):
            target = top_package(module)
            assert target not in PARADIGMS - {paradigm}, (
                f"{path.relative_to(ROOT)} imports {module}: paradigms exchange Backbones, "
                "they never import each other"
            )


@pytest.mark.parametrize("shared", sorted(SHARED))
def test_shared_layers_import_no_paradigm(shared: str) -> None:
    for path in source_files(PACKAGE / shared):
        for module in imported_modules(path):
            assert top_package(module) not in PARADIGMS, (
                f"{path.relative_to(ROOT)} imports {module}: shared layers import no paradigm"
            )


def test_only_cli_and_tour_combine_paradigms() -> None:
    for path in PACKAGE.glob("*.py"):
        used = {top_package(m) for m in imported_modules(path)} & PARADIGMS
        if path.name not in COMBINERS:
            assert len(used) <= 1, f"{path.name} combines paradigms {sorted(used)}"


def test_tutorials_use_public_names_only() -> None:
    tutorials = source_files(ROOT / "tutorials")
    assert tutorials, "tutorials/ should hold at least one tutorial"
    for path in tutorials:
        for module in imported_modules(path):
            private = [p for p in module.split(".")[1:] if p.startswith("_")]
            assert not private, f"{path.name} imports private module {module}"


def test_every_package_declares_its_public_surface() -> None:
    for folder in sorted(p for p in PACKAGE.iterdir() if (p / "__init__.py").is_file()):
        if folder.name.startswith("_"):
            continue
        init = (folder / "__init__.py").read_text()
        assert "__all__" in init, f"paradigms/{folder.name}/__init__.py has no __all__"


def test_the_rule_checker_sees_a_violation(tmp_path: Path) -> None:
    """The checker itself must catch a forbidden import (so the tests above can fail)."""
    fake = tmp_path / "fake.py"
    fake.write_text("from paradigms.transfer import FineTuner\nfrom ..unsupervised import x\n")
    found = {top_package(m) for m in imported_modules(fake, package="paradigms.supervised")}
    assert {"transfer", "unsupervised"} <= found
