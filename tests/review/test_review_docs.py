"""docs/review.md: every command it shows runs, and its screenshot command works."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from browser import needs_chromium, screenshot
from vcp_testing.cli import Result
from vcp_testing.reports import doc_commands, film_with_report

DOC = (Path(__file__).resolve().parents[2] / "docs" / "review.md").read_text(encoding="utf-8")
Run = Callable[..., Result]


def test_every_documented_command_runs(
    tmp_path: Path, run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    film_with_report(tmp_path, "movie.mp4")
    film_with_report(tmp_path / "films" / "drama", "one.mp4")
    film_with_report(tmp_path / "films", "two.mp4")
    monkeypatch.chdir(tmp_path)
    commands = doc_commands(DOC)
    assert len(commands) == 5
    for argv in commands:
        result = run(*argv)
        assert result.returncode == 0, (argv, result.stderr)
    assert {p.name for p in tmp_path.glob("*.html")} == {"movie.vcp.html", "review.html"}
    index = tmp_path / "films" / "vcp-review.html"
    assert "one.vcp.html" in index.read_text() and "two.vcp.html" in index.read_text()


@needs_chromium
def test_documented_screenshot_command_draws_the_page(film: tuple[Path, Path], run: Run) -> None:
    video, _ = film
    assert run("review", video).returncode == 0
    png = video.parent / "review.png"
    screenshot(video.parent / "film.vcp.html", video.parent, png)
    head = png.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n"
    assert (int.from_bytes(head[16:20], "big"), int.from_bytes(head[20:24], "big")) == (1200, 800)
    assert "--screenshot=docs/review.png --window-size=1200,800" in DOC
