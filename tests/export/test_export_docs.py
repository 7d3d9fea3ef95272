"""docs/export.md: every command it shows runs, and the files it shows are what vcp writes."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from vcp_testing.cli import Result
from vcp_testing.reports import doc_commands, doc_files, film_with_report

DOC = (Path(__file__).resolve().parents[2] / "docs" / "export.md").read_text(encoding="utf-8")
Run = Callable[..., Result]


def test_every_documented_command_runs(
    tmp_path: Path, run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    film_with_report(tmp_path, "movie.mp4")
    for name, text in doc_files(DOC, "file").items():
        (tmp_path / name).write_text(text)
    monkeypatch.chdir(tmp_path)
    commands = doc_commands(DOC)
    assert len(commands) >= 5
    for argv in commands:
        result = run(*argv)
        assert result.returncode == 0, (argv, result.stderr)
        assert all(Path(line).is_file() for line in result.stdout.splitlines()), argv
    assert (tmp_path / "sidecars" / "movie.chapters.mkv").is_file()


def test_documented_files_are_what_export_writes(
    tmp_path: Path, run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    film_with_report(tmp_path, "movie.mp4")
    monkeypatch.chdir(tmp_path)
    assert run("export", "movie.mp4").returncode == 0
    shown = doc_files(DOC, "output")
    assert set(shown) == {"movie.edl", "movie.mcf", "movie.vcp.vtt"}
    for name, text in shown.items():
        assert (tmp_path / name).read_text(encoding="utf-8") == text, name
