"""Where `vcp analyze` puts reports, and how export, censor and review find them again.

An existing folder given with ``-o`` receives the reports whatever the number of inputs; two films
sharing a stem get reports named after their whole file names; ``--reports DIR`` lets export,
censor and review find reports written elsewhere; a full disk is a clear error, not a traceback.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from vcp_testing.analysis import make_media
from vcp_testing.cli import Run

pytestmark = pytest.mark.usefixtures("restore_logging")


def _names(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())


async def test_an_existing_folder_as_output_receives_the_report_of_one_video(
    vcp: Run, config: Path, tmp_path: Path
) -> None:
    films, reports = tmp_path / "films", tmp_path / "reports"
    films.mkdir(), reports.mkdir()
    make_media(films / "a.mp4")
    result = await vcp("analyze", films, "-o", reports, "-c", config, "--progress", "none")
    assert result.returncode == 0, result.stderr
    assert _names(reports) == ["a.vcp.json"]
    assert json.loads((reports / "a.vcp.json").read_text())["input"]["name"] == "a.mp4"
    one = await vcp("analyze", films / "a.mp4", "-o", reports, "-c", config, "--progress", "none")
    assert one.returncode == 0, one.stderr  # a single file too, and its report is refreshed
    assert _names(reports) == ["a.vcp.json"]


async def test_two_films_sharing_a_stem_get_a_report_each(
    vcp: Run, config: Path, tmp_path: Path
) -> None:
    films = tmp_path / "films"
    films.mkdir()
    make_media(films / "two.mkv")
    make_media(films / "two.mp4", seconds=3.0)
    result = await vcp("analyze", films, "-c", config, "--progress", "none")
    assert result.returncode == 0, result.stderr
    assert _names(films) == ["two.mkv", "two.mkv.vcp.json", "two.mp4", "two.mp4.vcp.json"]
    for name in ("two.mkv", "two.mp4"):
        assert json.loads((films / f"{name}.vcp.json").read_text())["input"]["name"] == name
    alone = await vcp("analyze", films / "two.mp4", "-c", config, "--progress", "none")
    assert alone.returncode == 0, alone.stderr  # its sibling still shares the stem
    assert "report: " in alone.stdout and "two.mp4.vcp.json" in alone.stdout
    reports = tmp_path / "reports"
    into = await vcp("analyze", films, "-o", reports, "-c", config, "--progress", "none")
    assert into.returncode == 0, into.stderr
    assert _names(reports) == ["two.mkv.vcp.json", "two.mp4.vcp.json"]


async def test_a_lone_film_keeps_the_short_report_name(
    vcp: Run, config: Path, tmp_path: Path
) -> None:
    make_media(tmp_path / "movie.mp4")
    (tmp_path / "movie.srt").write_text("1\n00:00:00,000 --> 00:00:01,000\nhi\n")
    result = await vcp("analyze", tmp_path / "movie.mp4", "-c", config, "--progress", "none")
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "movie.vcp.json").is_file()


async def test_the_readme_library_workflow_finds_reports_written_elsewhere(
    vcp: Run, config: Path, tmp_path: Path
) -> None:
    films, reports = tmp_path / "films", tmp_path / "reports"
    films.mkdir()
    make_media(films / "a.mp4")
    make_media(films / "b.mkv")
    analysed = await vcp("analyze", films, "-o", reports, "-c", config, "--progress", "none")
    assert analysed.returncode == 0, analysed.stderr
    exported = await vcp("export", films / "a.mp4", "--reports", reports, "--format", "edl")
    assert exported.returncode == 0, exported.stderr
    assert exported.stdout.strip() == str(films / "a.edl")
    clean = tmp_path / "clean.mp4"
    censored = await vcp(
        "censor", films / "a.mp4", "--reports", reports, "-o", clean, "--progress", "none"
    )
    assert censored.returncode == 0, censored.stderr
    assert clean.is_file()
    reviewed = await vcp("review", reports, "--no-stills")
    assert reviewed.returncode == 0, reviewed.stderr
    assert reviewed.stdout.strip() == str(reports / "vcp-review.html")
    by_films = await vcp("review", films, "--reports", reports, "--no-stills")
    assert by_films.returncode == 0, by_films.stderr
    index = (reports / "vcp-review.html").read_text()
    assert "a.vcp.html" in index and "b.vcp.html" in index
    assert not list(films.glob("*.html"))


async def test_a_video_without_a_report_in_the_reports_folder_says_where_it_looked(
    vcp: Run, tmp_path: Path
) -> None:
    make_media(tmp_path / "a.mp4")
    (tmp_path / "reports").mkdir()
    result = await vcp("export", tmp_path / "a.mp4", "--reports", tmp_path / "reports")
    assert result.returncode == 2
    assert "no report for a.mp4" in result.stderr and str(tmp_path / "reports") in result.stderr
    assert "Traceback" not in result.stderr


async def test_an_existing_file_that_is_not_a_report_needs_force(
    vcp: Run, config: Path, tmp_path: Path
) -> None:
    film = make_media(tmp_path / "film.mp4")
    notes = tmp_path / "notes.txt"
    notes.write_text("my notes\n")
    refused = await vcp("analyze", film, "-o", notes, "-c", config, "--progress", "none")
    assert refused.returncode == 2 and "already exists" in refused.stderr
    assert "--force" in refused.stderr and notes.read_text() == "my notes\n"
    forced = await vcp("analyze", film, "-o", notes, "-c", config, "--progress", "none", "--force")
    assert forced.returncode == 0, forced.stderr
    assert json.loads(notes.read_text())["format"] == "vcp-report"


# RLIMIT_FSIZE (with SIGXFSZ ignored) fails every write past the limit with EFBIG, the way a full
# disk fails with ENOSPC, without root or a small file system; the models are only read.
_LIMITED = textwrap.dedent(
    """
    import resource, runpy, signal, sys
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (300, 300))
    sys.argv = ["vcp", *sys.argv[1:]]
    runpy.run_module("vcp", run_name="__main__")
    """
)


@pytest.mark.slow
def test_a_full_disk_while_writing_the_report_is_a_clear_error(
    config: Path, tmp_path: Path
) -> None:
    (tmp_path / "films").mkdir()
    film = make_media(tmp_path / "films" / "film.mp4")
    old = tmp_path / "films" / "film.vcp.json"
    old.write_text('{"format": "vcp-report", "version": 1}\n')
    env = {**os.environ, "NO_COLOR": "1"}
    done = subprocess.run(
        [sys.executable, "-c", _LIMITED, "analyze", film, "-c", config, "--progress", "none"],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        check=False,
    )
    assert done.returncode == 2, done.stderr
    assert done.stderr.startswith("error: ") and "Traceback" not in done.stderr
    assert "film.vcp.json" in done.stderr and "too large" in done.stderr.lower()
    assert old.read_text() == '{"format": "vcp-report", "version": 1}\n'
    assert _names(tmp_path / "films") == ["film.mp4", "film.vcp.json"]  # no temporary file


async def test_export_in_the_same_run_leaves_a_foreign_file_alone(
    vcp: Run, config: Path, tmp_path: Path
) -> None:
    film = make_media(tmp_path / "film.mp4")
    squatter = tmp_path / "film.edl"
    squatter.write_bytes(make_media(tmp_path / "other.mp4").read_bytes())  # a video, EDL's name
    before = squatter.read_bytes()
    result = await vcp("analyze", film, "-c", config, "--progress", "none", "--export", "edl")
    assert result.returncode == 2
    assert "film.edl: the output file already exists" in result.stderr
    assert "vcp export VIDEO -o DIR" in result.stderr and "Traceback" not in result.stderr
    assert squatter.read_bytes() == before
    assert (tmp_path / "film.vcp.json").is_file()  # the report itself was written
