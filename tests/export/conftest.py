"""Fixtures of the export tests: the sample film with its hand-written report, and the CLI."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from vcp_testing.cli import Result
from vcp_testing.reports import film_with_report

from vcp.cli.main import main


@pytest.fixture
def film(tmp_path: Path) -> tuple[Path, Path]:
    """``(video, report)``: a copy of the sample in a temp folder and its report beside it."""
    return film_with_report(tmp_path / "films")


@pytest.fixture
def run(capsys: pytest.CaptureFixture[str], restore_logging: None) -> Callable[..., Result]:
    """``run("export", path)``: vcp's command line in this process, and what it printed."""
    capsys.readouterr()

    def run(*argv: str | Path) -> Result:
        code = main([str(a) for a in argv])
        out, err = capsys.readouterr()
        return Result(code, out, err)

    return run


@pytest.fixture
def no_padding(tmp_path: Path) -> Path:
    """A config whose actions add no padding, so edits match the report's segments exactly."""
    path = tmp_path / "no-padding.yaml"
    path.write_text("actions:\n  padding:\n    audio: 0\n    video: 0\n")
    return path
