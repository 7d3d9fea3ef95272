"""`vcp export --format srt`: the film's subtitles, cleaned, beside it. Real CLI runs on real
films."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from vcp_testing.cli import Result
from vcp_testing.subtitles import LINES, with_subtitles

CLI = Callable[..., Result]


@pytest.fixture
def cli(run: CLI) -> CLI:
    """The CLI in this process (tests/conftest.py's ``run``)."""
    return run


def test_export_srt_writes_the_films_subtitles_cleaned(
    cli: CLI, plain_film: Path, tmp_path: Path, subtitles_only: Path
) -> None:
    film = with_subtitles(plain_film, tmp_path / "movie.mkv", LINES, codec="subrip")
    (tmp_path / "movie.srt").write_text("the user's own file\n")
    cli("analyze", film, "-c", subtitles_only, "--progress", "none")
    result = cli("export", film, "--format", "srt", "-c", subtitles_only)
    assert result.returncode == 0, result.stderr
    cleaned = (tmp_path / "movie.clean.srt").read_text()
    assert "What the <i>f***</i> is this?" in cleaned and "Oh, s***." in cleaned
    assert "00:00:00,5" in cleaned and "-->" in cleaned
    assert (tmp_path / "movie.srt").read_text() == "the user's own file\n"


def test_export_srt_of_a_film_without_subtitles_is_a_usage_error(
    cli: CLI, plain_film: Path, tmp_path: Path, subtitles_only: Path
) -> None:
    film = tmp_path / "movie.mp4"
    film.write_bytes(plain_film.read_bytes())
    cli("analyze", film, "-c", subtitles_only, "--progress", "none")
    result = cli("export", film, "--format", "edl,srt", "-c", subtitles_only)
    assert result.returncode == 2
    assert "no text subtitles" in result.stderr
    assert not (tmp_path / "movie.edl").exists()  # nothing written before the refusal
