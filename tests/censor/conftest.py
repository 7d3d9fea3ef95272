"""Fixtures for the censor tests: a fresh copy of a small real film per test, and the CLI."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from censor_films import CLI, Film, make_film
from vcp_testing.cli import Result

from vcp.cli.main import main

_KINDS: dict[str, tuple[str, dict[str, object]]] = {
    "mkv": ("film.mkv", {}),
    "mp4": ("film.mp4", {"subtitles": False}),
    "mute": ("silent.mkv", {"audio": False}),
    "sync": ("sync.mkv", {"sync": True}),
    "dub": ("dubbed.mkv", {"subtitles": False, "tracks": 2}),
    "vorbis": ("vorbis.mkv", {"subtitles": False, "audio_codec": "vorbis"}),
}


class _Masters:
    """Each kind of test film, written the first time a test asks for it."""

    def __init__(self, root: Path) -> None:
        self._root = root
        self._made: dict[str, Film] = {}

    def __getitem__(self, kind: str) -> Film:
        if kind not in self._made:
            name, options = _KINDS[kind]
            folder = self._root / kind
            folder.mkdir()
            self._made[kind] = make_film(folder / name, **options)  # type: ignore[arg-type]
        return self._made[kind]


@pytest.fixture(scope="session")
def film_masters(tmp_path_factory: pytest.TempPathFactory) -> _Masters:
    """The session's test films (see ``_KINDS``), each made once."""
    return _Masters(tmp_path_factory.mktemp("films"))


@pytest.fixture
def films(film_masters: _Masters, tmp_path: Path) -> Callable[[str], Film]:
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
