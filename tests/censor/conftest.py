"""Fixtures for the censor tests: the film a test censors, and the CLI. The session's films
(``films``) are in tests/conftest.py."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from vcp_testing.censor_films import CLI, Film
from vcp_testing.cli import Result

from vcp.cli.main import main


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
