"""The README's layout table and docs/architecture.md name every package in the tree, and nothing
that is not there; the architecture's layers are the imports the code really makes.

A package added, moved or removed without its line in both documents fails here, so the two
cannot drift from ``vcp/``.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

import vcp

ROOT = Path(vcp.__file__).parent
REPO = ROOT.parent
DOCS = {"README.md": REPO / "README.md", "docs/architecture.md": REPO / "docs" / "architecture.md"}
_PATH = re.compile(r"`(vcp/[\w/]*?/)`")


def packages() -> set[str]:
    """Every package folder under vcp/, as ``vcp/x/y/``."""
    return {
        f"{init.parent.relative_to(REPO).as_posix()}/"
        for init in ROOT.rglob("__init__.py")
        if init.parent != ROOT and "__pycache__" not in init.parts
    }


def table_paths(text: str) -> set[str]:
    """The ``vcp/.../`` folders named in the first cell of the Markdown tables' rows."""
    named = set()
    for line in text.splitlines():
        if line.startswith("| `"):
            named.update(_PATH.findall(line.split("|")[1]))
    return named


def readme_layout() -> str:
    text = DOCS["README.md"].read_text(encoding="utf-8")
    section = text.split("\n## Layout\n", 1)[1]
    return section.split("\n## ", 1)[0]


def architecture() -> str:
    return DOCS["docs/architecture.md"].read_text(encoding="utf-8")


@pytest.mark.parametrize("doc", sorted(DOCS))
def test_every_package_has_a_line_and_every_line_a_package(doc: str) -> None:
    text = readme_layout() if doc == "README.md" else architecture()
    named = table_paths(text)
    assert sorted(packages() - named) == [], f"packages missing from {doc}'s table"
    assert sorted(named - packages()) == [], f"{doc}'s table names folders that are no packages"


def test_the_layers_are_the_imports_the_code_makes() -> None:
    # The first block of docs/architecture.md draws the packages in rows: each may import only
    # packages on lower rows, lazily (inside a function) too.
    sys.path.insert(0, str(REPO / "tests"))
    try:
        from test_import_graph import package_graph
    finally:
        sys.path.remove(str(REPO / "tests"))
    graph = package_graph()
    block = architecture().split("```\n", 2)[1]
    row = {}
    for depth, line in enumerate(block.splitlines()):
        for word in line.split():
            if word in graph:
                row.setdefault(word, depth)
            else:
                break  # the description after the names
    assert set(row) == set(graph), "every top-level package (and errors) is drawn once"
    upward = [
        f"{importer} -> {imported} ({graph[importer][imported]})"
        for importer, targets in graph.items()
        for imported in targets
        if row[imported] <= row[importer]
    ]
    assert upward == [], "imports that are not drawn going down"
