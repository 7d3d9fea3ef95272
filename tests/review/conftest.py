"""Fixtures of the review tests: the sample film with its report, and the CLI in-process."""

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
    """``run("review", path)``: vcp's command line in this process, and what it printed."""
    capsys.readouterr()

    def run(*argv: str | Path) -> Result:
        code = main([str(a) for a in argv])
        out, err = capsys.readouterr()
        return Result(code, out, err)

    return run
