"""A film whose header claims an impossible length still gives a report the other commands read."""

from __future__ import annotations

import struct
from collections.abc import Callable
from pathlib import Path

from vcp_testing.cli import Result
from vcp_testing.videos import write_video

from vcp.report import load_report


def claiming(path: Path, seconds: float) -> Path:
    """``path`` (Matroska) with its header's Duration rewritten to ``seconds``."""
    data = bytearray(path.read_bytes())
    at = data.find(b"\x44\x89\x88")  # Segment Info > Duration, an 8-byte float (milliseconds)
    assert at >= 0, "no 8-byte Duration element"
    data[at + 3 : at + 11] = struct.pack(">d", seconds * 1000)
    path.write_bytes(bytes(data))
    return path


def test_a_film_claiming_a_billion_seconds_gets_a_report_of_what_was_decoded(
    tmp_path: Path, run: Callable[..., Result]
) -> None:
    film = claiming(write_video(tmp_path / "film.mkv", seconds=3.0, audio=True), 1e9)
    config = tmp_path / "subtitles.yaml"
    config.write_text(
        f"merge_defaults: false\nmodels:\n  cache_dir: {tmp_path / 'cache'}\n"
        "detectors:\n  - name: subtitles\n    type: subtitles\n"
    )
    result = run("analyze", film, "-c", config, "--progress", "none")
    assert result.returncode == 0, result.stderr
    report = load_report(tmp_path / "film.vcp.json")  # loads: no time beyond any film
    assert report.input.duration <= 4.0
    assert any("claims to last" in w for w in report.warnings)
    review = run("review", tmp_path / "film.vcp.json", "-o", tmp_path / "page.html")
    assert review.returncode == 0, review.stderr
