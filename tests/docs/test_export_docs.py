"""docs/export.md shows what vcp really prints and writes for the sample film.

The film is the sample (as ``movie.mp4``) with the report `vcp analyze` wrote for it
(tests/fixtures/sample.vcp.json, ``vcp_testing.analysed``). Every ``vcp`` command of the page's
``sh`` blocks runs; every ``console`` block runs, command by command (``$ vcp ...`` or ``$ cat
FILE``), and prints exactly the lines shown under it; every ``<!-- output: NAME -->`` block is the
file `vcp export movie.mp4` writes. Times come from the committed report, so they are exact.
"""

from __future__ import annotations

import json
import re
import shlex
from collections.abc import Callable
from pathlib import Path

import pytest
from vcp_testing.analysed import REPORT, SAMPLE, analysed_film
from vcp_testing.cli import Result
from vcp_testing.reports import doc_commands, doc_files

DOC = (Path(__file__).resolve().parents[2] / "docs" / "export.md").read_text(encoding="utf-8")
TRUTH = json.loads((SAMPLE.with_name("sample.truth.json")).read_text(encoding="utf-8"))
Run = Callable[..., Result]


def console_blocks(markdown: str) -> list[list[tuple[str, str]]]:
    """Each ``console`` block as (command, the output shown under it) pairs."""
    blocks = []
    for text in re.findall(r"```console\n(.*?)```", markdown, re.S):
        pairs: list[tuple[str, str]] = []
        for line in text.splitlines(keepends=True):
            if line.startswith("$ "):
                pairs.append((line[2:].strip(), ""))
            else:
                command, shown = pairs[-1]
                pairs[-1] = (command, shown + line)
        blocks.append(pairs)
    return blocks


@pytest.fixture
def films(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A folder with movie.mp4, its real report and the page's files (my.yaml); the cwd."""
    analysed_film(tmp_path)
    for name, text in doc_files(DOC, "file").items():
        (tmp_path / name).write_text(text)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_every_documented_command_runs(films: Path, run: Run) -> None:
    commands = doc_commands(DOC)
    assert len(commands) >= 7
    for argv in commands:
        if "--mpv-script" in argv:  # prints a path and exits, as --help does
            with pytest.raises(SystemExit) as done:
                run(*argv)
            assert done.value.code == 0
            continue
        result = run(*argv)
        assert result.returncode == 0, (argv, result.stderr)
        assert all(Path(line).is_file() for line in result.stdout.splitlines()), argv
    assert (films / "sidecars" / "movie.chapters.mkv").is_file()


def test_documented_console_sessions_print_what_is_shown(films: Path, run: Run) -> None:
    blocks = console_blocks(DOC)
    assert len(blocks) >= 2
    for pairs in blocks:
        for command, shown in pairs:
            argv = shlex.split(command)
            if argv[0] == "cat":
                printed = (films / argv[1]).read_text(encoding="utf-8")
            else:
                assert argv[0] == "vcp", command
                result = run(*argv[1:])
                assert result.returncode == 0, (command, result.stderr)
                printed = result.stdout
            assert printed == shown, command


def test_documented_files_are_what_export_writes(films: Path, run: Run) -> None:
    assert run("export", "movie.mp4").returncode == 0
    shown = doc_files(DOC, "output")
    assert set(shown) == {"movie.edl", "movie.mcf", "movie.vcp.vtt"}
    for name, text in shown.items():
        assert (films / name).read_text(encoding="utf-8") == text, name


def test_the_committed_report_is_the_sample_s() -> None:
    # After `make sample` rebuilds the film, `make demo` writes the new report to
    # .demo/sample.vcp.json: copy it here (input.path relative) and update docs/export.md.
    report = json.loads(REPORT.read_text(encoding="utf-8"))
    assert report["input"]["size"] == SAMPLE.stat().st_size
    assert report["input"]["duration"] == TRUTH["duration"]
    heard = [(s["category"], s["start"]) for s in report["segments"]]
    spoken = [(w["category"], w["start"]) for w in TRUTH["words"]]
    assert [c for c, _ in heard] == [c for c, _ in spoken]
    assert all(abs(a - b) < 0.3 for (_, a), (_, b) in zip(heard, spoken, strict=True))
