"""``censor``: from a film and its report to a censored copy, written atomically.

The order of work: refuse a bad output path, read the report, probe the film, refuse a report of
another film, plan the edits and the streams, then transcode into a temporary file beside the
output and rename it. The work runs in a worker thread (``vcp.core.threads.run_stoppable``); a
cancellation (a task cancelled, Ctrl-C) stops it at its next progress step, about a second of the
film. Whatever stops the run (an error, a cancellation) removes the temporary file before the
caller hears of it, so nothing partial ever sits under the output's name; the input is only read.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from vcp.actions import EditPlan, plan_edits
from vcp.censor.checks import check_output
from vcp.censor.events import (
    CensorEvent,
    CensorFinished,
    CensorNotice,
    CensorProgress,
    CensorStarted,
)
from vcp.censor.streams import StreamPlan, plan_streams
from vcp.config.schema import DEFAULT_MAX_SUBTITLE_BYTES
from vcp.config.schema.actions import ActionsSettings
from vcp.core.atomic import write_output
from vcp.core.event_sink import Handler
from vcp.core.outputs import OutputGuard
from vcp.core.threads import run_with_events
from vcp.report import load_report
from vcp.report.naming import find_report
from vcp.report.pairing import check_pairing, default_report_path

if TYPE_CHECKING:
    from vcp.media.probe import MediaInfo
    from vcp.media.rewrite.writer import Recipe
    from vcp.media.subtitles import Masker

__all__ = ["CensorResult", "censor_film"]

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class CensorResult:
    """What was written: the output, its edits, and which streams were copied or re-encoded."""

    output: Path
    plan: EditPlan
    streams: StreamPlan
    duration: float  # the output's, in seconds
    elapsed: float
    subtitle_files: tuple[Path, ...] = ()  # cleaned copies of the film's subtitle files


async def censor_film(
    video: Path,
    output: Path,
    *,
    actions: ActionsSettings,
    report: Path | None = None,
    force: bool = False,
    on_event: Handler[CensorEvent] | None = None,
    subtitles: Masker | None = None,
) -> CensorResult:
    """Write ``output``: ``video`` with ``actions`` applied to its report's segments.

    ``report`` defaults to the film's report beside it (``<stem>.vcp.json``; see
    ``vcp.report.naming``). ``force`` replaces an existing output and accepts a report whose name
    or duration does not match the film (with a notice); it never lets the output be the film or
    the report. ``subtitles`` (``vcp.analysis.detectors.subtitles.subtitle_masker``) masks the
    listed words of every text subtitle stream copied, and writes a cleaned copy of each subtitle
    file beside the film next to the output (``movie.en.srt`` -> ``clean.en.srt``).

    ``on_event`` (sync or async) receives the ``CensorEvent``s in the event loop, in order; the
    work waits while it runs. Cancelling the call stops the work within about a second of the
    film, removes the temporary file, then re-raises. Raises OutputError (the output refused, or
    not written: a full disk), ReportError (the report; ReportMismatch: another film's),
    MediaError (the film); OutputError too when skips leave nothing of the film.
    """

    def work(emit: Callable[[CensorEvent], None]) -> CensorResult:
        return _censor(
            video,
            output,
            actions=actions,
            report=report,
            force=force,
            emit=emit,
            subtitles=subtitles,
        )

    return await run_with_events(work, on_event)


def _censor(
    video: Path,
    output: Path,
    *,
    actions: ActionsSettings,
    report: Path | None,
    force: bool,
    emit: Callable[[CensorEvent], None],
    subtitles: Masker | None,
) -> CensorResult:
    """``censor``'s work, in its worker thread."""
    from vcp.media.rewrite.empty import check_kept
    from vcp.media.rewrite.writer import transcode

    began = time.monotonic()
    report = report or find_report(video) or default_report_path(video)
    check_output(video, output, force=force, report=report)
    files = _subtitle_files(video, output, force=force, report=report) if subtitles else []
    job = _prepare(video, report, actions=actions, force=force, subtitles=subtitles)
    check_kept(job.plan, output=output)
    emit(
        CensorStarted(
            source=video,
            output=output,
            duration=job.media.duration,
            output_duration=job.duration,
            streams=job.streams.jobs,
            audio_edits=len(job.plan.audio),
            video_edits=len(job.plan.video),
        )
    )
    for message in job.notices:
        emit(CensorNotice(message))

    def progress(seconds: float) -> None:
        total = job.media.duration
        emit(CensorProgress(min(seconds, total), total))

    def write(tmp: Path) -> None:
        transcode(video, tmp, job.recipe, on_progress=progress, shown_as=output)

    # The muxer guesses the container from the temporary file's extension: keep the output's.
    write_output(output, write, suffix=f".partial{output.suffix}")
    cleaned = tuple(_clean(source, target, subtitles) for source, target in files if subtitles)
    elapsed = time.monotonic() - began
    emit(CensorFinished(output, job.duration, elapsed))
    return CensorResult(output, job.plan, job.streams, job.duration, elapsed, cleaned)


def _subtitle_files(
    video: Path, output: Path, *, force: bool, report: Path
) -> list[tuple[Path, Path]]:
    """Each subtitle file beside the film and where its cleaned copy goes, checked as the
    output is: ``movie.en.srt`` beside ``movie.mp4`` -> ``clean.en.srt`` beside ``clean.mp4``."""
    from vcp.media.subtitles import find_sidecars

    pairs = []
    for source in find_sidecars(video):
        target = output.with_name(output.stem + source.name[len(video.stem) :])
        reads = {video: "the film being read", report: "the report being read"}
        OutputGuard({**reads, source: "a subtitle file being read"}, force=force).check(target)
        pairs.append((source, target))
    return pairs


def _clean(source: Path, target: Path, masker: Masker) -> Path:
    from vcp.media.subtitles import clean_file

    log.info("cleaning %s into %s", source, target)
    return clean_file(source, target, masker, max_bytes=DEFAULT_MAX_SUBTITLE_BYTES)


@dataclass(frozen=True)
class _Job:
    """Everything decided before the first packet is read."""

    media: MediaInfo
    plan: EditPlan
    streams: StreamPlan
    recipe: Recipe
    notices: tuple[str, ...]

    @property
    def duration(self) -> float:
        kept = self.plan.output_duration()  # 0.0 is a length: `or` would turn it into the film's
        return self.media.duration if kept is None else kept


def _prepare(
    video: Path,
    report_path: Path,
    *,
    actions: ActionsSettings,
    force: bool,
    subtitles: Masker | None = None,
) -> _Job:
    """Read the report and the film, refuse a mismatch, plan the edits and the streams."""
    from vcp.media.probe import probe
    from vcp.media.rewrite.writer import Recipe, encoder_for

    report = load_report(report_path)
    media = probe(video)
    reason = check_pairing(
        report, video, duration=media.duration, report_path=report_path, force=force
    )
    plan = plan_edits(report, actions, duration=media.duration)
    streams = plan_streams(
        media.streams, plan, encoder_for=encoder_for, masks_subtitles=subtitles is not None
    )
    recipe = Recipe(
        plan=plan,
        actions=actions,
        encoders={j.index: j.codec for j in streams.jobs if j.action == "encode"},
        bit_rates={j.index: j.bit_rate for j in streams.jobs if j.bit_rate},
        start=media.start,
        subtitle_masker=subtitles,
    )
    forced = (f"forced: using a report that does not match the film: {reason}",)
    notes = tuple(j.note for j in streams.jobs if j.note)
    return _Job(
        media, plan, streams, recipe, (*(forced if reason else ()), *streams.notices, *notes)
    )
