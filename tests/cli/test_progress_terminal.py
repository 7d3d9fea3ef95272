"""The progress block as a person sees it on a terminal, and each piece of news said once.

The screen is replayed from what the renderer wrote (``vcp_testing.terminal.Screen``): tqdm sees a
stream that says it is a TTY, exactly as on a pseudo-terminal.
"""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from vcp_testing.cli import Run
from vcp_testing.hashes import sha256
from vcp_testing.terminal import Screen

from vcp.cli.progress import make_renderer
from vcp.mirror import MirrorServer, add_repo
from vcp.models.events import BytesReceived, DownloadStarted, FileVerified, ModelReady

pytestmark = pytest.mark.usefixtures("restore_logging")
SIZE = 1000


class Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def started(*files: str) -> Iterator[DownloadStarted]:
    return (DownloadStarted("m", f, SIZE) for f in files)


def finished(file: str) -> list[BytesReceived | FileVerified]:
    return [
        BytesReceived("m", file, SIZE, SIZE, SIZE),
        FileVerified("m", file, Path("/cache") / file, SIZE, "sha256:" + "ab" * 32),
    ]


def screen(stream: io.StringIO) -> list[str]:
    return Screen().feed(stream.getvalue()).lines


@pytest.mark.parametrize("done", ["a.bin", "b.bin"], ids=["first", "middle"])
def test_a_finished_file_leaves_no_blank_line_among_the_bars(done: str) -> None:
    stream = Tty()
    with make_renderer("bars", stream=stream, env={"NO_COLOR": "1"}) as render:
        for event in [*started("a.bin", "b.bin", "c.bin"), *finished(done)]:
            render(event)
        lines = screen(stream)

    assert lines[0].startswith("✓ m/" + done)
    assert lines[1].startswith("total:")
    bars = lines[2:]
    assert "" not in bars, "\n".join(lines)
    assert [bar.split(":")[0] for bar in bars] == sorted(
        {"m/a.bin", "m/b.bin", "m/c.bin"} - {f"m/{done}"}
    )


def test_bars_move_up_as_files_finish_and_new_ones_join_at_the_bottom() -> None:
    stream = Tty()
    with make_renderer("bars", stream=stream, env={"NO_COLOR": "1"}) as render:
        for event in [*started("a.bin", "b.bin", "c.bin"), *finished("a.bin"), *finished("b.bin")]:
            render(event)
        render(next(started("d.bin")))
        lines = screen(stream)

    assert "" not in lines, "\n".join(lines)
    assert [line.split(":")[0] for line in lines[-3:]] == ["total", "m/c.bin", "m/d.bin"]


def test_a_log_record_prints_above_the_bars(monkeypatch: pytest.MonkeyPatch) -> None:
    stream = Tty()
    monkeypatch.setattr("sys.stderr", stream)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(message)s", force=True)
    with make_renderer("bars", stream=stream, env={"NO_COLOR": "1"}) as render:
        for event in started("a.bin", "b.bin"):
            render(event)
        logging.getLogger("vcp.somewhere").warning("disk is nearly full")
        lines = screen(stream)
        render(ModelReady("m", Path("/cache"), "abc"))

    assert lines[0] == "WARNING disk is nearly full"
    assert [line.split(":")[0] for line in lines[1:]] == ["total", "m/a.bin", "m/b.bin"]


# -- a real download: warnings once, "1 file" ------------------------------------------------------


async def test_a_deprecated_source_and_a_fallback_are_each_announced_once(
    tmp_path: Path, vcp: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = b"weights" * 100
    add_repo(tmp_path / "mirror", "acme/new", {"model.bin": data})
    checksums = {"model.bin": f"sha256:{sha256(data)}"}
    sources = [
        {"name": "old", "hf": {"repo": "acme/new", "files": ["model.bin"]}, "checksums": checksums,
         "deprecated": {"replacement": "new", "reason": "renamed"}},
        {"name": "new", "hf": {"repo": "acme/new", "files": ["model.bin"]}, "checksums": checksums},
        {"name": "gone", "hf": {"repo": "acme/gone", "files": ["x.bin"]}, "fallbacks": ["new"]},
    ]  # fmt: skip
    config = tmp_path / "vcp.yaml"
    config.write_text(json.dumps({"models": {"sources": sources}, "detectors": []}))
    monkeypatch.setenv("VCP_MODELS__CACHE_DIR", str(tmp_path / "cache"))
    async with MirrorServer(tmp_path / "mirror") as mirror:
        monkeypatch.setenv("HF_ENDPOINT", mirror.url)
        result = await vcp("models", "download", "-c", config, "old", "gone", "--progress", "log")

    assert result.returncode == 0, result.stderr
    assert result.stderr.count("is deprecated") == 1, result.stderr
    assert "`vcp models pin --upgrade` rewrites the config" in result.stderr
    assert result.stderr.count("acme/gone") == 1, result.stderr  # the fallback's reason, once
    assert "using fallback new" in result.stderr
    assert "  1 file  " in result.stdout and "1 files" not in result.stdout


async def test_a_failed_model_s_error_is_printed_once(
    tmp_path: Path, vcp: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    sources = [{"name": "gone", "hf": {"repo": "acme/gone", "files": ["x.bin"]}}]
    config = tmp_path / "vcp.yaml"
    config.write_text(json.dumps({"models": {"sources": sources}, "detectors": []}))
    monkeypatch.setenv("VCP_MODELS__CACHE_DIR", str(tmp_path / "cache"))
    async with MirrorServer(tmp_path / "mirror") as mirror:
        monkeypatch.setenv("HF_ENDPOINT", mirror.url)
        result = await vcp("models", "download", "-c", config, "--progress", "log")

    assert result.returncode == 3
    assert "✗ gone failed\n" in result.stderr
    assert result.stderr.count("repository acme/gone") == 1, result.stderr
