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
COMBINERS = {
    "cli.py",
    "_cli_commands.py",
    "_cli_out.py",
    "tour.py",
    "tour_rl.py",
    "tour_pixels.py",
    "export.py",
}


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


# ---------------------------------------------------------------- the module graph
def module_names(root: Path = PACKAGE) -> dict[str, Path]:
    """``{"paradigms.x.y": path}`` for every module and package under ``root``."""
    names = {}
    for path in source_files(root):
        parts = path.relative_to(root.parent).with_suffix("").parts
        names[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return names


def _runtime_nodes(tree: ast.AST) -> list[ast.AST]:
    """Every import statement of ``tree``, function-level ones included, leaving out the
    bodies of ``if TYPE_CHECKING:`` (annotations only, never run)."""
    found: list[ast.AST] = []
    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            stack.extend(node.orelse)
            continue
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            found.append(node)
        stack.extend(ast.iter_child_nodes(node))
    return found


def imports_of(name: str, path: Path, modules: dict[str, Path]) -> list[tuple[str, str | None]]:
    """``(module, imported name or None)`` for each runtime import of module ``name``; a
    ``from package import module`` counts as an import of that module."""
    is_package = path.name == "__init__.py"
    package = name.split(".") if is_package else name.split(".")[:-1]
    out: list[tuple[str, str | None]] = []
    for node in _runtime_nodes(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            out.extend((alias.name, None) for alias in node.names)
            continue
        assert isinstance(node, ast.ImportFrom)
        if node.level:
            base = package[: len(package) - node.level + 1]
            source = ".".join([*base, node.module] if node.module else base)
        else:
            source = node.module or ""
        for alias in node.names:
            if f"{source}.{alias.name}" in modules:
                out.append((f"{source}.{alias.name}", None))
            else:
                out.append((source, alias.name))
    return [(m, n) for m, n in out if m == "paradigms" or m.startswith("paradigms.")]


def module_graph(root: Path = PACKAGE) -> dict[str, set[str]]:
    """``{module: modules it imports at run time}`` inside ``root``'s package."""
    modules = module_names(root)
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        targets = set()
        for module, _ in imports_of(name, path, modules):
            while module not in modules and "." in module:  # a name inside a module
                module = module.rsplit(".", 1)[0]
            if module in modules and module != name:
                targets.add(module)
        graph[name] = targets
    return graph


def import_cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected groups of more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in graph.get(node, ()):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                cycles.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return cycles


def test_no_import_cycles() -> None:
    cycles = import_cycles(module_graph())
    assert not cycles, (
        f"import circles (function-level imports included): {cycles}; a file-format or helper "
        "module must not import the class that uses it"
    )


def test_the_cycle_finder_sees_a_cycle(tmp_path: Path) -> None:
    root = tmp_path / "paradigms"
    (root / "pkg").mkdir(parents=True)
    (root / "__init__.py").write_text("")
    (root / "pkg" / "__init__.py").write_text("")
    (root / "pkg" / "a.py").write_text("def f():\n    from paradigms.pkg import b\n")
    (root / "pkg" / "b.py").write_text("from paradigms.pkg.a import f\n")
    (root / "pkg" / "c.py").write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from paradigms.pkg import a\n"
    )
    (root / "pkg" / "d.py").write_text("from paradigms.pkg import c\n")
    cycles = import_cycles(module_graph(root))
    assert cycles == [["paradigms.pkg.a", "paradigms.pkg.b"]]


def _private_part(module: str) -> int | None:
    """Index of the first private part of a dotted ``module`` name (``_x``, not ``__x__``)."""
    for i, part in enumerate(module.split(".")):
        if part.startswith("_") and not part.startswith("__"):
            return i
    return None


def private_imports(root: Path = PACKAGE) -> list[str]:
    """Imports of another package's private module, and of a private name from another module."""
    modules = module_names(root)
    found = []
    for name, path in modules.items():
        for module, imported in imports_of(name, path, modules):
            cut = _private_part(module)
            if cut is not None:
                owner = ".".join(module.split(".")[:cut])
                if not (name == owner or name.startswith(owner + ".")):
                    found.append(f"{name} imports {module}, private to {owner}")
            private_name = imported and _private_part(imported) == 0
            if private_name and module != name:
                found.append(f"{name} imports {imported}, private to {module}")
    return found


def test_no_private_module_or_name_of_another_package() -> None:
    found = private_imports()
    assert not found, "; ".join(found)


def test_the_private_rule_sees_a_violation(tmp_path: Path) -> None:
    root = tmp_path / "paradigms"
    for package in ("one", "two"):
        (root / package).mkdir(parents=True)
        (root / package / "__init__.py").write_text("")
    (root / "__init__.py").write_text("")
    (root / "one" / "_inner.py").write_text("def helper():\n    pass\n")
    (root / "one" / "ok.py").write_text("from paradigms.one._inner import helper\n")
    (root / "two" / "bad.py").write_text(
        "from paradigms.one._inner import helper\nfrom paradigms.one.ok import _hidden\n"
    )
    found = private_imports(root)
    assert len(found) == 2 and all(line.startswith("paradigms.two.bad") for line in found)


def test_reinforcement_never_imports_engine() -> None:
    graph = module_graph()
    for name, targets in graph.items():
        if name.startswith("paradigms.reinforcement"):
            engine = sorted(t for t in targets if t.startswith("paradigms.engine"))
            assert not engine, (
                f"{name} imports {engine}: the reinforcement paradigm trains with SB3, and "
                "shares with the others through backbones and _common only"
            )
