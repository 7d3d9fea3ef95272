"""``censor``: from a film and its report to a censored copy, written atomically.

The order of work: refuse a bad output path, read the report, probe the film, refuse a report of
another film, plan the edits and the streams, then transcode into a temporary file beside the
output and rename it. Whatever stops the run (an error, Ctrl-C) removes the temporary file, so
nothing partial ever sits under the output's name; the input is only read.
"""

from __future__ import annotations

import contextlib
import logging
import os
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from vcp.actions import EditPlan, plan_edits
from vcp.censor.checks import check_output, check_report
from vcp.censor.events import (
    CensorEventHandler,
    CensorFinished,
    CensorNotice,
    CensorProgress,
    CensorStarted,
)
from vcp.censor.streams import StreamPlan, plan_streams
from vcp.config.actions import ActionsSettings
from vcp.report import default_report_path, load_report

__all__ = ["CensorResult", "censor"]

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class CensorResult:
    """What was written: the output, its edits, and which streams were copied or re-encoded."""

    output: Path
    plan: EditPlan
    streams: StreamPlan
    duration: float  # the output's, in seconds
    elapsed: float


def _ignore(event: object) -> None:
    pass


def censor(
    video: Path,
    output: Path,
    *,
    actions: ActionsSettings,
    report: Path | None = None,
    force: bool = False,
    on_event: CensorEventHandler = _ignore,
) -> CensorResult:
    """Write ``output``: ``video`` with ``actions`` applied to its report's segments.

    ``report`` defaults to ``<video>.vcp.json`` beside the film. ``force`` replaces an existing
    output and accepts a report whose name or duration does not match the film (with a notice).
    Raises UsageError (output path), ReportError (report) or MediaError (the film, or writing).
    """
    from vcp.media.censor import Recipe, encoder_for, transcode
    from vcp.media.probe import probe

    began = time.monotonic()
    check_output(video, output, force=force)
    report_path = report or default_report_path(video)
    loaded = load_report(report_path)
    media = probe(video)
    reason = check_report(loaded, media, video, report_path=report_path, force=force)
    plan = plan_edits(loaded, actions, duration=media.duration)
    streams = plan_streams(media.streams, plan, encoder_for=encoder_for)
    duration = plan.output_duration() or media.duration
    on_event(_started(video, output, media.duration, duration, plan, streams))
    if reason:
        on_event(CensorNotice(f"--force: using a report that does not match the film: {reason}"))
    for message in (*streams.notices, *(j.note for j in streams.jobs if j.note)):
        on_event(CensorNotice(message))
    recipe = Recipe(
        plan=plan,
        actions=actions,
        encoders={j.index: j.codec for j in streams.jobs if j.action == "encode"},
        bit_rates={j.index: j.bit_rate for j in streams.jobs if j.bit_rate},
        start=media.start,
    )

    def progress(seconds: float) -> None:
        on_event(CensorProgress(min(seconds, media.duration), media.duration))

    _write_atomically(output, lambda tmp: transcode(video, tmp, recipe, on_progress=progress))
    elapsed = time.monotonic() - began
    on_event(CensorFinished(output, duration, elapsed))
    return CensorResult(output, plan, streams, duration, elapsed)


def _started(
    video: Path, output: Path, total: float, duration: float, plan: EditPlan, streams: StreamPlan
) -> CensorStarted:
    return CensorStarted(
        source=video,
        output=output,
        duration=total,
        output_duration=duration,
        streams=streams.jobs,
        audio_edits=len(plan.audio),
        video_edits=len(plan.video),
    )


def _write_atomically(output: Path, write: Callable[[Path], None]) -> None:
    """Run ``write(tmp)`` on a temporary file beside ``output`` (same extension, so the muxer
    guesses the same container), then rename it to ``output``; remove it on any failure."""
    fd, name = tempfile.mkstemp(
        prefix=f".{output.stem}.", suffix=f".partial{output.suffix}", dir=output.parent
    )
    os.close(fd)
    tmp = Path(name)
    try:
        write(tmp)
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp's 0600 would hide the film from other users
        os.replace(tmp, output)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        log.debug("removed the partial output %s", tmp)
        raise


def _umask() -> int:
    mask = os.umask(0o022)  # reading the umask means setting it; put it straight back
    os.umask(mask)
    return mask
