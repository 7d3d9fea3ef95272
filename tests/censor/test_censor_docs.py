"""Every command and snippet in docs/censor.md runs, on a real film, and does what the text says."""

from __future__ import annotations

import json
import re
import shlex
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from vcp_testing.censor_films import CLI, Film, audio_of, dbfs, peak_hz, seg, window, write_report

DOC = Path(__file__).resolve().parents[2] / "docs" / "censor.md"


def blocks(language: str) -> list[str]:
    """The fenced code blocks of one language in docs/censor.md."""
    return re.findall(rf"```{language}\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S)


def prepare(film: Film, folder: Path) -> None:
    """film.mkv with its report film.vcp.json, and an edited report that allows segment 2."""
    shutil.copyfile(film.path, folder / "film.mkv")
    copy = Film(folder / "film.mkv", film.duration, True, True)
    report = write_report(copy, [seg(1, 1.0, 1.5), seg(2, 3.0, 3.5)])
    data = json.loads(report.read_text())
    data["segments"][1]["allow"] = True
    (folder / "film.edited.vcp.json").write_text(json.dumps(data))
    for block in blocks("yaml"):
        name = block.splitlines()[0].removeprefix("# ").strip()
        if name.endswith(".yaml"):
            (folder / name).write_text(block)


def test_every_command_in_the_doc_runs(
    cli: CLI, film: Film, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    work = tmp_path / "doc"
    work.mkdir()
    prepare(film, work)
    monkeypatch.chdir(work)
    commands = [line for block in blocks("sh") for line in block.splitlines() if line.strip()]
    assert len(commands) == 3
    for command in commands:
        argv = shlex.split(command)
        assert argv[0] == "vcp"
        result = cli(*argv[1:])
        assert result.returncode == 0, f"{command}\n{result.stderr}"
        assert result.stdout.startswith("wrote ")
    censored = audio_of(work / "film.censored.mkv")  # from the edited report: 2 is allowed
    assert dbfs(window(censored, 1.0, 1.5)) < -60
    assert dbfs(window(censored, 3.0, 3.5)) > -40
    bleeped = audio_of(work / "film.bleeped.mkv")
    assert peak_hz(window(bleeped, 1.0, 1.5)) == pytest.approx(1000, abs=5)


def test_the_embedding_snippet_runs(
    films: Callable[[str], Film],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    # The snippet names movie.mp4 and reads movie.vcp.json, as the docs check's folder has them.
    work = tmp_path / "embed"
    work.mkdir()
    source = films("mp4")
    movie = Film(work / "movie.mp4", source.duration, True, False)
    shutil.copyfile(source.path, movie.path)
    write_report(movie, [seg(1, 1.0, 1.5)])
    monkeypatch.chdir(work)
    (snippet,) = blocks("python")
    exec(compile(snippet, str(DOC), "exec"), {})
    assert dbfs(window(audio_of(work / "movie.censored.mp4"), 1.0, 1.5)) < -60
    assert "CensorFinished" in capsys.readouterr().out
