"""``write_sidecars``: every player file for one report, named as players look for them.

The text formats are derived from the report alone and are replaced on every export (re-exporting
after editing the report is the normal workflow): an existing file of that name is replaced when
it is small UTF-8 text (an older export, a hand-made list); anything else there (a video, a
report, any binary file) only with ``force``. The chapters format is a copy of the whole film: an
existing copy is replaced, and a report whose film name or length differs from the video's is
used, only with ``force``. The film and the report being read are never written over.

The ``srt`` format is the film's own subtitles cleaned: its first text subtitle stream (else the
first subtitle file beside it) with the listed words masked, written as ``<stem>.clean.srt`` so
that it never takes the name of the user's own ``<stem>.srt``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from vcp.core.atomic import write_text_output
from vcp.core.outputs import OutputGuard, OutputWritten, make_folder
from vcp.errors import EmptyOutput
from vcp.export.chapters import plan_chapters
from vcp.export.cues import PlayerCue, cues_from_report
from vcp.export.edl import ACTION_CODES, Edit, default_edits, format_edl
from vcp.export.locate import Placement
from vcp.export.mcf import format_mcf
from vcp.export.vtt import format_vtt
from vcp.report.files import is_report_file
from vcp.report.pairing import check_pairing
from vcp.report.timecode import millis

if TYPE_CHECKING:
    from vcp.config.schema.actions import ActionsSettings
    from vcp.media.subtitles import Masker, Subtitles
    from vcp.report import Report

__all__ = [
    "DEFAULT_FORMATS",
    "FORMATS",
    "check_formats",
    "sidecar_path",
    "write_placed",
    "write_sidecars",
]

log = logging.getLogger(__name__)

FORMATS = ("edl", "mcf", "vtt", "chapters", "srt")
# The cheap text files by default; ``chapters`` copies the whole film, so it is asked for by name.
DEFAULT_FORMATS = ("edl", "mcf", "vtt")
_SUFFIXES = {
    "edl": ".edl",
    "mcf": ".mcf",
    "vtt": ".vcp.vtt",
    "chapters": ".chapters.mkv",
    "srt": ".clean.srt",
}


def sidecar_path(video: Path, fmt: str, out_dir: Path | None = None) -> Path:
    """Where ``fmt`` goes for ``video``: ``<stem><suffix>`` in ``out_dir`` or beside the video."""
    return (out_dir or video.parent) / f"{video.stem}{_SUFFIXES[fmt]}"


def write_sidecars(
    report: Report,
    formats: Iterable[str],
    *,
    actions: ActionsSettings | None = None,
    video: Path | None = None,
    out_dir: Path | None = None,
    force: bool = False,
    subtitle_masker: Masker | None = None,
) -> list[Path]:
    """Write ``formats`` for ``report``; returns the paths written, in ``formats`` order.

    ``actions`` (the settings' actions section) decides EDL skips and mutes and their padding;
    without it speech is muted and pictures skipped, unpadded. ``video`` is the film: the files
    are named after it and go beside it (or into ``out_dir``). Without it they are named after the
    report's film (``input.name`` as a bare file name), go into ``out_dir`` or the current folder,
    and the chapters copy reads the film at ``input.path``: a report never decides where a file
    is written. Segments with ``allow: true`` appear in no output. ``subtitle_masker`` is what
    the ``srt`` format does to the film's subtitles (see ``write_placed``).
    """
    if video is not None:
        place = Placement.beside_video(video, out_dir=out_dir)
    else:
        place = Placement.beside_report(report, out_dir=out_dir)
    return write_placed(
        report, formats, place, actions=actions, force=force, subtitle_masker=subtitle_masker
    )


def write_placed(
    report: Report,
    formats: Iterable[str],
    place: Placement,
    *,
    actions: ActionsSettings | None = None,
    force: bool = False,
    subtitle_masker: Masker | None = None,
    emit: Callable[[OutputWritten], None] | None = None,
) -> list[Path]:
    """``write_sidecars`` with the folder, the names and the film given by ``place``;
    ``subtitle_masker`` (``vcp.analysis.detectors.subtitles.subtitle_masker``) is what the
    ``srt`` format does to the film's subtitles. ``emit`` hears of each file once it is written
    (and may raise to stop before the next)."""
    formats = check_formats(formats)
    targets = {fmt: place.folder / f"{place.stem}{_SUFFIXES[fmt]}" for fmt in formats}
    _check_targets(place, targets, force=force)
    if "chapters" in targets:
        _check_film(report, place, force=force)
    subtitles = (
        _film_subtitles(place.film, targets["srt"], subtitle_masker) if "srt" in targets else None
    )
    make_folder(place.folder)
    job = _Export(report, cues_from_report(report), place.film, actions, subtitles)
    for fmt, target in targets.items():
        _WRITERS[fmt](job, target)
        log.info("wrote %s", target)
        if emit is not None:
            emit(OutputWritten(target, fmt))
    return list(targets.values())


def check_formats(formats: Iterable[str]) -> list[str]:
    """``formats`` normalised (trimmed, lower case, each once, in order); ValueError naming the
    unknown ones (or none given) and the known ones."""
    chosen = list(dict.fromkeys(f.strip().lower() for f in formats if f.strip()))
    unknown = [f for f in chosen if f not in FORMATS]
    if unknown or not chosen:
        raise ValueError(
            f"unknown export format: {', '.join(unknown) or '(none given)'} "
            f"(choose from {', '.join(FORMATS)})"
        )
    return chosen


def _check_targets(place: Placement, targets: dict[str, Path], *, force: bool) -> None:
    """Every target checked before the first is written (see the module's docstring)."""
    reads = {place.film: "the film being read"}
    if place.report is not None:
        reads[place.report] = "the report being read"
    for fmt, target in targets.items():
        own = _OWN_FORMATS.get(fmt)
        guard = OutputGuard(
            reads,
            force=force,
            refreshes=own[0] if own else None,
            refreshed=own[1] if own else "",
        )
        guard.check(target, folder_made_later=True)


_TEXT_LIMIT_BYTES = 16 * 1024 * 1024  # a player file of a film is kilobytes; a video is not one


def _is_text_sidecar(path: Path) -> bool:
    """A file an export may replace: small UTF-8 text (an older export, a hand-made list), not
    a video, not a report, nothing binary."""
    try:
        if path.stat().st_size > _TEXT_LIMIT_BYTES:
            return False
        text = path.read_bytes().decode("utf-8")
    except (OSError, UnicodeDecodeError):
        return False
    return "\x00" not in text and not is_report_file(path)


_OWN_FORMATS: dict[str, tuple[Callable[[Path], bool], str]] = {
    fmt: (_is_text_sidecar, "a text file") for fmt in ("edl", "mcf", "vtt", "srt")
}


@dataclass(frozen=True)
class _Export:
    """What every format's writer reads: the report, its cues, the film and the actions."""

    report: Report
    cues: list[PlayerCue]
    film: Path
    actions: ActionsSettings | None
    subtitles: tuple[Subtitles, Masker] | None = None


def _check_film(report: Report, place: Placement, *, force: bool) -> None:
    """The chapters copy reads the film: refuse a report written for another one unless ``force``
    (its chapters would fall in the wrong places). Text files do not read the film."""
    from vcp.media.probe import probe

    film = place.film
    duration = probe(film).duration
    reason = check_pairing(report, film, duration=duration, report_path=place.report, force=force)
    if reason:
        log.warning("using a report that does not belong to %s: %s", film.name, reason)


def _write_edl(job: _Export, target: Path) -> None:
    edits = default_edits(job.cues) if job.actions is None else _planned(job.report, job.actions)
    write_text_output(target, format_edl(edits))


def _planned(report: Report, actions: ActionsSettings) -> list[Edit]:
    """The actions plan's edits (padded, clamped, allowed segments dropped) as EDL edits."""
    from vcp.actions import AudioEdit, VideoEdit, plan_edits

    plan = plan_edits(report, actions)
    edits: list[AudioEdit | VideoEdit] = [*plan.audio, *plan.video]
    return [Edit(millis(e.start), millis(e.end), ACTION_CODES[e.action]) for e in edits]


def _write_mcf(job: _Export, target: Path) -> None:
    write_text_output(target, format_mcf(job.cues, duration=job.report.input.duration))


def _write_vtt(job: _Export, target: Path) -> None:
    write_text_output(target, format_vtt(job.cues))


def _write_chapters(job: _Export, target: Path) -> None:
    from vcp.media.chapters import write_with_chapters

    chapters = plan_chapters(job.cues, duration_ms=millis(job.report.input.duration))
    result = write_with_chapters(job.film, target, chapters)
    for name in result.dropped:
        log.warning("%s: stream %s not copied (the container cannot hold it)", target.name, name)


def _film_subtitles(film: Path, target: Path, masker: Masker | None) -> tuple[Subtitles, Masker]:
    """The film's first text subtitle stream, else its first subtitle file, read before any
    output is written; OutputError (``target`` cannot be made) when it has none."""
    from vcp.config.schema import DEFAULT_MAX_CUES, DEFAULT_MAX_SUBTITLE_BYTES
    from vcp.media.probe import probe
    from vcp.media.subtitles import load_subtitles, sources_of

    if masker is None:
        raise ValueError(
            "the srt format needs the word lists: pass subtitle_masker "
            "(vcp.analysis.detectors.subtitles.subtitle_masker)"
        )
    media = probe(film)
    sources, _ = sources_of(media)
    if not sources:
        raise EmptyOutput(
            target,
            f"{film.name} has no text subtitles (no subtitle stream of text, no .srt, .vtt or "
            ".ass file beside it named after it): nothing to clean",
            hint="leave the srt format out for this film",
        )
    limits = {"max_bytes": DEFAULT_MAX_SUBTITLE_BYTES, "max_cues": DEFAULT_MAX_CUES}
    return load_subtitles(media, sources[0], **limits), masker


def _write_srt(job: _Export, target: Path) -> None:
    from vcp.media.subtitles import clean_text

    assert job.subtitles is not None
    subs, masker = job.subtitles
    write_text_output(target, clean_text(subs, masker, fmt="srt"))


_WRITERS: dict[str, Callable[[_Export, Path], None]] = {
    "edl": _write_edl,
    "mcf": _write_mcf,
    "vtt": _write_vtt,
    "chapters": _write_chapters,
    "srt": _write_srt,
}
