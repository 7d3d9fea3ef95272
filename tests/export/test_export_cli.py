"""``vcp export``: inputs, defaults, output folders, and bad input that leaves nothing behind."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from vcp_testing.cli import Result

from vcp.config import load_settings
from vcp.export import write_sidecars
from vcp.report import load_report

Run = Callable[..., Result]


def _names(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def test_default_formats_are_the_text_sidecars(film: tuple[Path, Path], run: Run) -> None:
    video, report = film
    result = run("export", report)  # the report's path works as well as the video's
    assert result.returncode == 0, result.stderr
    assert _names(video.parent) == [
        "film.edl",
        "film.mcf",
        "film.mp4",
        "film.vcp.json",
        "film.vcp.vtt",
    ]


def test_output_dir_is_created_and_files_keep_the_film_name(
    film: tuple[Path, Path], run: Run, tmp_path: Path
) -> None:
    video, _ = film
    out = tmp_path / "for" / "kodi"
    assert run("export", video, "--format", "edl,vtt", "-o", out).returncode == 0
    assert _names(out) == ["film.edl", "film.vcp.vtt"]


def test_re_export_replaces_text_sidecars(film: tuple[Path, Path], run: Run) -> None:
    video, _ = film
    edl = video.parent / "film.edl"
    edl.write_text("stale\n")
    assert run("export", video, "--format", "edl").returncode == 0
    assert edl.read_text().startswith("1.000 4.000 0")


def test_library_call_matches_the_command(film: tuple[Path, Path], run: Run) -> None:
    video, report = film
    [written] = write_sidecars(
        load_report(report), ["edl"], actions=load_settings().actions, out_dir=video.parent / "lib"
    )
    assert run("export", video, "--format", "edl").returncode == 0
    assert written.read_text() == (video.parent / "film.edl").read_text()


def test_corrupt_report_is_located_and_nothing_is_written(
    film: tuple[Path, Path], run: Run
) -> None:
    video, report = film
    report.write_text(report.read_text()[:300])
    result = run("export", video)
    assert result.returncode == 2
    assert "invalid JSON" in result.stderr and f"{report}:" in result.stderr
    assert _names(video.parent) == ["film.mp4", "film.vcp.json"]


def test_unknown_report_version_is_refused(film: tuple[Path, Path], run: Run) -> None:
    video, report = film
    data = json.loads(report.read_text())
    report.write_text(json.dumps({**data, "version": 99}))
    result = run("export", video, "--format", "edl,mcf,vtt,chapters")
    assert result.returncode == 2 and "version 99" in result.stderr
    assert _names(video.parent) == ["film.mp4", "film.vcp.json"]


def test_unwritable_output_folder_writes_nothing(
    film: tuple[Path, Path], run: Run, tmp_path: Path
) -> None:
    video, _ = film
    blocker = tmp_path / "a-file"
    blocker.write_text("")  # a folder cannot be made under a file (even by root)
    result = run("export", video, "-o", blocker / "out")
    assert result.returncode == 2
    assert "cannot write" in result.stderr and "hint:" in result.stderr
    assert _names(video.parent) == ["film.mp4", "film.vcp.json"]


def test_video_without_report_says_to_analyze_first(tmp_path: Path, run: Run) -> None:
    video = tmp_path / "new.mp4"
    video.write_bytes(b"")
    result = run("export", video)
    assert result.returncode == 2 and "vcp analyze" in result.stderr


def test_unknown_format_is_a_usage_error(film: tuple[Path, Path], run: Run) -> None:
    video, _ = film
    result = run("export", video, "--format", "edl,sub")
    assert result.returncode == 2 and "sub" in result.stderr
    assert _names(video.parent) == ["film.mp4", "film.vcp.json"]


def test_text_formats_never_load_pyav(film: tuple[Path, Path]) -> None:
    video, _ = film
    code = (
        "import sys\nfrom vcp.cli.main import main\n"
        f"assert main(['export', {str(video)!r}, '--format', 'edl,mcf,vtt']) == 0\n"
        "assert 'av' not in sys.modules, 'PyAV was imported'\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
