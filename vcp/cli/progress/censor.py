"""Drawing ``censor``'s events: a tqdm bar over the film's seconds on a terminal, log lines for
files and CI, nothing with ``--progress none`` (notices are still said unless ``--quiet``)."""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Mapping
from typing import Literal, Self, TextIO

from tqdm import tqdm

from vcp.censor import (
    CensorEvent,
    CensorFinished,
    CensorNotice,
    CensorProgress,
    CensorStarted,
    StreamJob,
)
from vcp.cli.progress.modes import ProgressMode, choose_mode
from vcp.core.terminal import terminal_safe

__all__ = ["CensorRenderer", "describe_job", "make_censor_renderer"]

_BAR_FORMAT = "{desc}: {percentage:3.0f}%|{bar}| {n:.0f}/{total:.0f} s [{elapsed}<{remaining}]"


def describe_job(job: StreamJob) -> str:
    """``audio 1: re-encoded (aac -> aac)`` or ``video 0: copied (h264)``."""
    if job.action == "copy":
        return f"{job.type} {job.index}: copied ({job.source_codec})"
    return f"{job.type} {job.index}: re-encoded ({job.source_codec} -> {job.codec})"


class CensorRenderer:
    """An event handler for ``vcp.censor.censor``; use it as a context manager."""

    def __init__(
        self,
        mode: Literal["bars", "log", "none"],
        stream: TextIO,
        *,
        quiet: bool = False,
        clock: Callable[[], float] = time.monotonic,
        log_interval: float = 5.0,
    ) -> None:
        self._mode, self._stream, self._quiet = mode, stream, quiet
        self._clock, self._interval = clock, log_interval
        self._bar: tqdm | None = None
        self._mark = clock()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the bar, if one is open."""
        if self._bar is not None:
            self._bar.close()
            self._bar = None

    def __call__(self, event: CensorEvent) -> None:
        match event:
            case CensorStarted():
                self._started(event)
            case CensorNotice(message=message) if not self._quiet:
                self._say(f"! {message}")
            case CensorProgress(seconds=seconds, total=total):
                self._progress(seconds, total)
            case CensorFinished():
                if self._bar is not None:
                    self._bar.update(self._bar.total - self._bar.n)
                self.close()

    def _started(self, event: CensorStarted) -> None:
        if self._mode == "none":
            return
        self._say(
            f"censoring {event.source.name}: {event.audio_edits} audio edit(s), "
            f"{event.video_edits} video edit(s)"
        )
        for job in event.streams:
            self._say(f"  {describe_job(job)}")
        if self._mode == "bars":
            self._bar = tqdm(
                desc=terminal_safe(event.source.name)[-32:], total=round(event.duration, 1),
                unit="s", file=self._stream, dynamic_ncols=True, mininterval=0.2, leave=False,
                bar_format=_BAR_FORMAT,
            )  # fmt: skip

    def _progress(self, seconds: float, total: float) -> None:
        if self._bar is not None:
            self._bar.update(max(0.0, round(seconds, 1) - self._bar.n))
        elif self._mode == "log" and self._clock() - self._mark >= self._interval:
            self._mark = self._clock()
            share = seconds / total if total else 0.0
            self._say(f"censoring: {seconds:.0f}/{total:.0f} s of the film read ({share:.0%})")

    def _say(self, line: str) -> None:
        line = terminal_safe(line)  # one line, naming files: no control character is meant
        if self._bar is not None:
            tqdm.write(line, file=self._stream)
        else:
            self._stream.write(line + "\n")
            self._stream.flush()


def make_censor_renderer(
    mode: ProgressMode,
    *,
    stream: TextIO | None = None,
    quiet: bool = False,
    env: Mapping[str, str] | None = None,
) -> CensorRenderer:
    """The renderer ``--progress`` asks for (see ``vcp.cli.progress.modes.choose_mode``)."""
    stream = sys.stderr if stream is None else stream
    chosen = choose_mode(mode, stream=stream, quiet=quiet, env=os.environ if env is None else env)
    return CensorRenderer(chosen, stream, quiet=quiet)
