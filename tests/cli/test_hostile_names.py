"""A film whose name holds terminal escapes cannot drive the terminal through vcp's output.

``evil\\x1b]0;PWNED\\x07\\x1b[2J\\nforged.mp4``: an OSC that retitles the window (ended by BEL), a
CSI that clears the screen, and a newline that would start a forged line of output. vcp prints such
a name in every summary, progress line, error and path; each run below (a real process, its raw
bytes) must show it escaped (``\\x1b``, ``\\x07``, ``\\n``), still recognisable.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from vcp_testing.analysis import SAMPLE, config_data, fill_cache, write_config
from vcp_testing.reports import film_with_report

from vcp.core.terminal import terminal_safe

EVIL = "evil\x1b]0;PWNED\x07\x1b[2J\nforged\u202e.mp4"
SHOWN = terminal_safe(EVIL)  # evil\x1b]0;PWNED\x07\x1b[2J\nforged\u202e.mp4, as text
STEM = SHOWN.removesuffix(".mp4")  # the name as shown, whatever the suffix
RAW = (b"\x1b", b"\x07", b"\nforged", "\u202e".encode())


def vcp(*argv: str | Path, cwd: Path, env: dict[str, str] | None = None) -> tuple[int, bytes]:
    """Run vcp in a new process; its exit code and stdout + stderr, raw."""
    done = subprocess.run(
        [sys.executable, "-m", "vcp", *map(str, argv)],
        capture_output=True,
        cwd=cwd,
        env={**os.environ, **(env or {})},
        timeout=120,
        check=False,
    )
    return done.returncode, done.stdout + b"\n" + done.stderr


def assert_escaped(output: bytes) -> None:
    for raw in RAW:
        assert raw not in output, output.decode(errors="replace")
    assert STEM.encode() in output, output.decode(errors="replace")


@pytest.fixture
def evil_film(tmp_path: Path) -> tuple[Path, Path]:
    return film_with_report(tmp_path / "films", EVIL)


def test_export_prints_the_written_paths_escaped(evil_film: tuple[Path, Path]) -> None:
    video, _ = evil_film
    code, output = vcp("export", video.name, cwd=video.parent)
    assert code == 0, output
    assert_escaped(output)
    assert output.count(STEM.encode()) == 3  # .edl, .mcf, .vcp.vtt


def test_review_prints_the_page_path_escaped(evil_film: tuple[Path, Path]) -> None:
    video, report = evil_film
    code, output = vcp("review", report.name, "--no-stills", cwd=video.parent)
    assert code == 0, output
    assert_escaped(output)


@pytest.mark.parametrize("progress", ["log", "bars"])
def test_censor_progress_and_summary_show_the_name_escaped(
    evil_film: tuple[Path, Path], progress: str
) -> None:
    video, _ = evil_film
    out = "censored " + EVIL
    code, output = vcp("censor", video.name, "-o", out, "--progress", progress, cwd=video.parent)
    assert code == 0, output
    for raw in (b"\x07", b"\x1b]", b"\x1b[2J", b"\nforged"):  # tqdm's bars draw with CSI codes
        assert raw not in output, output.decode(errors="replace")
    assert SHOWN.encode() in output


def test_errors_show_the_name_escaped_in_message_and_where(tmp_path: Path) -> None:
    video = tmp_path / EVIL
    shutil.copyfile(SAMPLE, video)  # no report beside it
    code, output = vcp("export", video.name, cwd=tmp_path)
    assert code == 2, output
    assert_escaped(output)
    code, output = vcp("censor", video.name, "-o", "out.mp4", cwd=tmp_path)
    assert code == 2, output
    assert_escaped(output)


def test_a_logged_warning_shows_the_name_escaped(evil_film: tuple[Path, Path]) -> None:
    video, report = evil_film
    video.unlink()  # review warns that the film is not there for its stills
    code, output = vcp("review", report.name, cwd=report.parent)
    assert code == 0, output
    assert b"is not there" in output
    assert_escaped(output)


def test_a_broken_report_s_error_names_it_escaped(evil_film: tuple[Path, Path]) -> None:
    video, report = evil_film
    report.write_text("{not json")
    code, output = vcp("review", report.name, cwd=video.parent)
    assert code == 2, output
    assert_escaped(output)


@pytest.mark.slow
async def test_analyze_progress_summary_and_report_path_are_escaped(
    default_models_root: Path, tmp_path: Path
) -> None:
    cache = tmp_path / "cache"
    await asyncio.to_thread(fill_cache, default_models_root, cache)
    config = write_config(tmp_path / "vcp.yaml", config_data("http://127.0.0.1:9", cache))
    video = tmp_path / EVIL
    shutil.copyfile(SAMPLE, video)
    code, output = await asyncio.to_thread(
        vcp, "analyze", video.name, "-c", config, "--progress", "log", "--export", "edl",
        cwd=tmp_path,
    )  # fmt: skip
    assert code == 0, output
    assert_escaped(output)
    report = json.loads((tmp_path / EVIL.replace(".mp4", ".vcp.json")).read_text())
    assert report["input"]["name"] == EVIL  # the report keeps the real name: it is data
