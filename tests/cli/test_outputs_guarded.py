"""No command writes over what it reads, nor over another file without ``--force``.

Every command that writes (``analyze``'s report, ``review``'s page, ``export``'s player files,
``censor``'s copy) is pointed at the film it reads, at the report it reads and at another existing
video, with and without ``--force``. The film and the report are refused even with ``--force``
(exit 2, a message and a hint, no traceback, their bytes unchanged); the other video is refused
without ``--force`` and replaced with it.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from vcp_testing.analysis import SAMPLE, config_data, fill_cache, write_config
from vcp_testing.cli import Result
from vcp_testing.reports import film_with_report

Run = Callable[..., Result]

pytestmark = pytest.mark.timeout(60)


@pytest.fixture(scope="module")
def config(default_models_root: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A config whose models are in a cache already (the analysis runs offline)."""
    folder = tmp_path_factory.mktemp("guard-models")
    fill_cache(default_models_root, folder / "cache")
    return write_config(
        folder / "vcp.yaml", config_data("http://127.0.0.1:9", folder / "cache", faces=False)
    )


@dataclass(frozen=True)
class Scene:
    """A folder with ``film.mp4``, its report ``film.vcp.json`` and ``precious.mp4``."""

    film: Path
    report: Path
    precious: Path

    @property
    def folder(self) -> Path:
        return self.film.parent


@pytest.fixture
def scene(tmp_path: Path) -> Scene:
    film, report = film_with_report(tmp_path / "films")
    precious = film.with_name("precious.mp4")
    shutil.copyfile(SAMPLE, precious)
    return Scene(film, report, precious)


def _target(scene: Scene, case: str) -> Path:
    """The file each case aims at (the film through ``..``, so a plain comparison misses it)."""
    if case == "film":
        (scene.folder / "sub").mkdir(exist_ok=True)
        return scene.folder / "sub" / ".." / scene.film.name
    return {"report": scene.report, "other-video": scene.precious}[case]


def _argv(command: str, scene: Scene, case: str, config: Path) -> tuple[list[str | Path], Path]:
    """The command line for ``command`` aimed at ``case``, and the file that must be protected."""
    target = _target(scene, case)
    if command == "analyze":
        return ["analyze", scene.film, "-o", target, "-c", config, "--progress", "none"], target
    if command == "review":
        return ["review", scene.report, "-o", target, "--no-stills"], target
    if command == "censor":
        argv = ["censor", scene.film, "-o", target, "--progress", "none"]
        return [*argv, "--report", scene.report], target
    # export names its files itself: the case's file is linked in under the EDL's name
    out = scene.folder / "players"
    out.mkdir()
    edl = out / "film.edl"
    if case == "other-video":
        shutil.copyfile(target, edl)
        return ["export", scene.report, "--format", "edl", "-o", out], edl
    os.link(target, edl)
    return ["export", scene.report, "--format", "edl", "-o", out], target


CELLS = [
    (command, case)
    for command in ("analyze", "review", "export", "censor")
    for case in ("film", "report", "other-video")
    if (command, case) != ("analyze", "report")  # analyze reads no report
]


def _refused_cleanly(result: Result) -> None:
    assert result.returncode == 2, result.stderr
    assert result.stderr.startswith("error: "), result.stderr
    assert "hint: " in result.stderr and "-o" in result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout == ""


@pytest.mark.parametrize("force", [False, True], ids=["plain", "force"])
@pytest.mark.parametrize(("command", "case"), CELLS, ids=["-".join(c) for c in CELLS])
def test_no_command_writes_over_its_inputs_or_another_file_without_force(
    run: Run, scene: Scene, config: Path, command: str, case: str, force: bool
) -> None:
    argv, protected = _argv(command, scene, case, config)
    before = protected.read_bytes()
    film_bytes, report_bytes = scene.film.read_bytes(), scene.report.read_bytes()
    result = run(*argv, *(["--force"] if force else []))
    assert scene.film.read_bytes() == film_bytes
    assert scene.report.read_bytes() == report_bytes
    if case == "other-video" and force:  # the user asked for it
        assert result.returncode == 0, result.stderr
        assert protected.read_bytes() != before
        return
    _refused_cleanly(result)
    assert protected.read_bytes() == before
    if case == "other-video":
        assert "already exists" in result.stderr and "--force" in result.stderr
    else:
        assert "being read" in result.stderr
        assert "--force" not in result.stderr  # no flag lets it through
    assert not [p for p in scene.folder.rglob(".*") if p.is_file()]  # no temporary file left
