"""`vcp analyze` on a folder: films whose report is current are skipped with a one-line tally,
`--force` analyses every film again. The sample film with the real models."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from vcp_testing.analysis import SAMPLE
from vcp_testing.cli import Run

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("restore_logging")]


async def test_a_folder_skips_current_films_and_force_analyses_them_again(
    vcp: Run, config: Path, tmp_path: Path
) -> None:
    films = tmp_path / "films"
    films.mkdir()
    shutil.copy(SAMPLE, films / "a.mp4")
    first = await vcp("analyze", films, "-c", config, "--progress", "none")
    assert first.returncode == 0, first.stderr
    assert first.stdout.splitlines()[-1] == "0 current, 1 analysed, 0 failed"
    report = (films / "a.vcp.json").read_bytes()

    shutil.copy(SAMPLE, films / "b.mp4")  # a film added to the library
    second = await vcp("analyze", films, "-c", config, "--progress", "none")
    assert second.returncode == 0, second.stderr
    assert second.stdout.splitlines()[-1] == "1 current, 1 analysed, 0 failed"
    assert "a.mp4:" not in second.stdout  # a current film prints nothing but the tally
    assert (films / "a.vcp.json").read_bytes() == report

    forced = await vcp("analyze", films, "-c", config, "--progress", "none", "--force")
    assert forced.returncode == 0, forced.stderr
    assert forced.stdout.splitlines()[-1] == "0 current, 2 analysed, 0 failed"
