"""Where export and review write: beside the report, beside the video given, or into ``-o``.

A report is data a user edits or receives: its ``input.path`` and ``input.name`` say which film it
describes, and the film is still read from there (chapters, stills), but they never decide where a
file is written.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from vcp_testing.cli import Result
from vcp_testing.reports import SAMPLE, film_with_report

Run = Callable[..., Result]


def _hostile(report: Path, *, path: str, name: str | None = None) -> None:
    data = json.loads(report.read_text())
    data["input"]["path"] = path
    if name is not None:
        data["input"]["name"] = name
    report.write_text(json.dumps(data))


def _files(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())


@pytest.fixture
def elsewhere(tmp_path: Path) -> Path:
    """A folder holding a file the report will name (standing in for /etc/passwd)."""
    folder = tmp_path / "etc"
    folder.mkdir()
    (folder / "passwd").write_text("root:x:0:0\n")
    return folder


def test_export_of_a_report_naming_another_path_writes_beside_the_report(
    run: Run, tmp_path: Path, elsewhere: Path
) -> None:
    _, report = film_with_report(tmp_path / "films")
    _hostile(report, path=str(elsewhere / "passwd"))
    result = run("export", report, "--format", "edl,mcf,vtt")
    assert result.returncode == 0, result.stderr
    assert _files(elsewhere) == ["passwd"]
    written = [Path(line) for line in result.stdout.splitlines()]
    assert {p.parent for p in written} == {report.parent}
    assert {p.name for p in written} == {"film.edl", "film.mcf", "film.vcp.vtt"}


def test_a_film_name_with_folders_in_it_is_reduced_to_its_file_name(
    run: Run, tmp_path: Path, elsewhere: Path
) -> None:
    _, report = film_with_report(tmp_path / "films")
    _hostile(report, path=str(elsewhere / "passwd"), name="../../etc/passwd")
    result = run("export", report, "--format", "edl")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == str(report.parent / "passwd.edl")
    assert _files(elsewhere) == ["passwd"]


def test_the_chapters_copy_reads_the_film_the_report_names_and_writes_beside_the_report(
    run: Run, tmp_path: Path, elsewhere: Path
) -> None:
    _, report = film_with_report(tmp_path / "films")
    (report.parent / "film.mp4").unlink()  # the film is where the report says, elsewhere
    shutil.copyfile(SAMPLE, elsewhere / "film.mp4")
    _hostile(report, path=str(elsewhere / "film.mp4"))
    result = run("export", report, "--format", "chapters")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == str(report.parent / "film.chapters.mkv")
    assert _files(elsewhere) == ["film.mp4", "passwd"]


def test_a_video_given_by_the_user_keeps_its_files_beside_it(run: Run, tmp_path: Path) -> None:
    video, report = film_with_report(tmp_path / "films")
    reports = tmp_path / "reports"
    reports.mkdir()
    moved = shutil.move(report, reports / report.name)
    result = run("export", video, "--reports", reports, "--format", "edl")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == str(video.parent / "film.edl")
    assert Path(moved).is_file()


def test_review_of_a_report_naming_another_path_writes_beside_the_report(
    run: Run, tmp_path: Path, elsewhere: Path
) -> None:
    _, report = film_with_report(tmp_path / "films")
    _hostile(report, path=str(elsewhere / "passwd"))
    result = run("review", report, "--no-stills")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == str(report.with_suffix(".html"))
    assert _files(elsewhere) == ["passwd"]


def test_stills_still_come_from_the_film_the_report_names(run: Run, tmp_path: Path) -> None:
    films = tmp_path / "films"
    films.mkdir()
    shutil.copyfile(SAMPLE, films / "film.mp4")
    _, report = film_with_report(tmp_path / "reports")
    (report.parent / "film.mp4").unlink()  # the report alone, in another folder
    _hostile(report, path=str(films / "film.mp4"))
    result = run("review", report)
    assert result.returncode == 0, result.stderr
    page = report.with_suffix(".html").read_text()
    assert "data:image/jpeg;base64," in page
    assert _files(films) == ["film.mp4"]
