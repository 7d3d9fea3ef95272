"""No two of vcp's packages import each other, even through others, and none imports the root.

The graph is built from the source with ``ast`` (no imports run), so a package added later is
checked without touching this test. Every import counts: at module level, under
``TYPE_CHECKING``, and inside functions (a lazy import is still a dependency). The package root
(``vcp/__init__.py``, the public surface that re-exports everything) is imported by no package.
That every import goes *down* the rows drawn in docs/architecture.md is checked against the
drawing itself, in tests/docs/test_layout_docs.py, with ``package_graph`` from here.
"""

from __future__ import annotations

import ast
import itertools
from collections.abc import Iterator
from pathlib import Path

import vcp

ROOT = Path(vcp.__file__).parent
NOT_NODES = {"__init__", "__main__"}


def top_level_nodes() -> set[str]:
    """vcp's subpackages and top-level modules (``errors``), by name."""
    nodes = {p.name for p in ROOT.iterdir() if (p / "__init__.py").is_file()}
    nodes |= {p.stem for p in ROOT.glob("*.py") if p.stem not in NOT_NODES}
    return nodes


def imported_modules(path: Path, *, lazy: bool = True) -> Iterator[str]:
    """Every absolute module name ``path`` imports (relative ones resolved); ``lazy=False``
    leaves out imports inside functions."""
    package = ".".join(path.relative_to(ROOT.parent).with_suffix("").parts[:-1])
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree) if lazy else _outside_functions(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{parent}.{base}" if base else parent
            yield base
            yield from (f"{base}.{alias.name}" for alias in node.names)  # from vcp import errors


def _outside_functions(node: ast.AST) -> Iterator[ast.AST]:
    for child in ast.iter_child_nodes(node):
        if not isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            yield child
            yield from _outside_functions(child)


def node_of(module: str, nodes: set[str]) -> str | None:
    parts = module.split(".")
    if parts[0] != "vcp" or len(parts) < 2:
        return None
    return parts[1] if parts[1] in nodes else None


def package_graph(*, lazy: bool = True) -> dict[str, dict[str, str]]:
    """node -> {node it imports: one file that does}."""
    nodes = top_level_nodes()
    graph: dict[str, dict[str, str]] = {n: {} for n in nodes}
    for path in sorted(ROOT.rglob("*.py")):
        owner = path.relative_to(ROOT).parts[0].removesuffix(".py")
        if owner not in nodes:
            continue
        for module in imported_modules(path, lazy=lazy):
            target = node_of(module, nodes)
            if target and target != owner:
                graph[owner].setdefault(target, str(path.relative_to(ROOT.parent)))
    return graph


def find_cycle(graph: dict[str, dict[str, str]]) -> list[str] | None:
    """One cycle as a list of nodes (first == last), or None."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                return [*path[path.index(nxt) :], nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        path.pop()
        state[node] = 2
        return None

    for start in sorted(graph):
        if start not in state and (found := visit(start)):
            return found
    return None


def assert_no_cycle(graph: dict[str, dict[str, str]]) -> None:
    cycle = find_cycle(graph)
    if cycle:
        steps = [f"{a} -> {b} ({graph[a][b]})" for a, b in itertools.pairwise(cycle)]
        raise AssertionError("import cycle between vcp's packages:\n  " + "\n  ".join(steps))


def test_no_import_cycle_between_vcp_packages_at_module_level() -> None:
    assert_no_cycle(package_graph(lazy=False))


def test_no_cycle_even_through_imports_inside_functions() -> None:
    assert_no_cycle(package_graph())


def root_imports(path: Path) -> Iterator[str]:
    """What ``path`` takes from the package root: ``import vcp``, ``from vcp import name`` (a
    submodule such as ``from vcp import errors`` is not the root)."""
    nodes = top_level_nodes()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            yield from (a.name for a in node.names if a.name == "vcp")
        elif isinstance(node, ast.ImportFrom) and node.module == "vcp" and not node.level:
            yield from (f"vcp.{a.name}" for a in node.names if a.name not in nodes)


def test_no_package_imports_the_package_root() -> None:
    importers = [
        f"{path.relative_to(ROOT.parent)}: {name}"
        for path in sorted(ROOT.rglob("*.py"))
        if path.parent != ROOT or path.stem not in NOT_NODES
        for name in root_imports(path)
    ]
    assert importers == [], "the root only re-exports: import the module that defines the name"


def test_the_shared_core_imports_no_other_vcp_package() -> None:
    assert set(package_graph()["core"]) <= {"errors"}


def test_errors_import_no_vcp_package() -> None:
    assert package_graph()["errors"] == {}


def test_the_graph_sees_every_package_and_its_imports() -> None:
    graph = package_graph()
    assert {"cli", "config", "core", "models", "mirror", "errors"} <= set(graph)
    assert {"config", "models", "errors"} <= set(graph["cli"])


def test_a_cycle_is_found_and_named() -> None:
    graph = {"a": {"b": "vcp/a/x.py"}, "b": {"c": "vcp/b/y.py"}, "c": {"a": "vcp/c/z.py"}}
    assert find_cycle(graph) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b": "f"}, "b": {}}) is None
