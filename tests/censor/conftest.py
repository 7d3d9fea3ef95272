"""Fixtures for the censor tests: a fresh copy of a small real film per test, and the CLI."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from censor_films import CLI, Film, make_film
from vcp_testing.cli import Result

from vcp.cli.main import main


@pytest.fixture(scope="session")
def film_masters(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Film]:
    """Each kind of test film, written once per session."""
    root = tmp_path_factory.mktemp("films")
    return {
        "mkv": make_film(root / "film.mkv"),
        "mp4": make_film(root / "film.mp4", subtitles=False),
        "mute": make_film(root / "silent.mkv", audio=False),
        "sync": make_film(root / "sync.mkv", sync=True),
        "dub": make_film(root / "dubbed.mkv", subtitles=False, tracks=2),
        "vorbis": make_film(root / "vorbis.mkv", subtitles=False, audio_codec="vorbis"),
    }


@pytest.fixture
def films(film_masters: dict[str, Film], tmp_path: Path) -> Callable[[str], Film]:
    """``films("mkv")``: a copy of that film in this test's tmp_path."""

    def copy(kind: str) -> Film:
        master = film_masters[kind]
        path = tmp_path / master.path.name
        shutil.copyfile(master.path, path)
        return Film(path, master.duration, master.audio, master.subtitles)

    return copy


@pytest.fixture
def film(films: Callable[[str], Film]) -> Film:
    """A 6 s 320x240 H.264 + AAC (tones) + SRT film in tmp_path."""
    return films("mkv")


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str], restore_logging: None) -> Iterator[CLI]:
    """``cli("censor", ...)``: vcp's main() in-process; its exit code and what it printed."""
    capsys.readouterr()

    def run(*argv: str | Path) -> Result:
        code = main([str(a) for a in argv])
        out, err = capsys.readouterr()
        return Result(code, out, err)

    yield run
