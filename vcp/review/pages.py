"""Writing review pages: one film's page, or a folder's films and their index page.

A page goes beside its report (or where the caller says), never over the report or the film it
reads; an existing file at its name is replaced only when it is a page vcp wrote (its ``generator``
marker), or with ``force``. A folder's pages and index are all checked before the first is written.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path

from vcp.core.atomic import write_text_output
from vcp.core.outputs import OutputGuard, OutputWritten
from vcp.errors import ReportError
from vcp.report import REPORT_SUFFIX
from vcp.report.naming import VIDEO_EXTENSIONS, find_report
from vcp.report.pairing import locate_video
from vcp.review.html import flagged_seconds
from vcp.review.index import FilmLine, render_index
from vcp.review.page import render_page
from vcp.review.stills import collect_stills

__all__ = ["INDEX_NAME", "is_review_page", "page_path", "write_folder_review", "write_review"]

log = logging.getLogger(__name__)

INDEX_NAME = "vcp-review.html"
_HEAD_BYTES = 4096
# The template's marker; pages written before it carry their report's name on <html> instead.
_MARKERS = ('<meta name="generator" content="vcp', '<html lang="en" data-report-name=')


def page_path(report_path: Path) -> Path:
    """The default page for a report: ``movie.mp4.vcp.json`` -> ``movie.mp4.vcp.html``."""
    return report_path.with_suffix(".html")


def is_review_page(path: Path) -> bool:
    """True if ``path`` is a page ``vcp review`` wrote (a film's or a folder's)."""
    try:
        with path.open("rb") as page:
            head = page.read(_HEAD_BYTES).decode("utf-8", errors="replace")
    except OSError:
        return False
    return head.startswith("<!DOCTYPE html>") and any(m in head for m in _MARKERS)


def _guard(reads: Mapping[Path, str], *, force: bool) -> OutputGuard:
    return OutputGuard(reads, force=force, refreshes=is_review_page, refreshed="a vcp review page")


Emit = Callable[[OutputWritten], None]


def write_review(
    report_path: Path,
    out: Path | None = None,
    *,
    stills: bool = True,
    force: bool = False,
    emit: Emit | None = None,
) -> Path:
    """Write the review page of ``report_path`` (to ``out`` or beside it); returns its path.

    ``force`` replaces an existing file that is not a review page; the report and its film are
    never written over (OutputError). ``emit`` hears of the page once it is written.
    """
    from vcp.report import load_report

    report = load_report(report_path)
    target = out or page_path(report_path)
    video = locate_video(report, report_path)
    reads = {report_path: "the report being read", video: "the film being read"}
    _guard(reads, force=force).check(target)
    images = collect_stills(report, video if stills else None)
    write_text_output(target, render_page(report, report_name=report_path.name, stills=images))
    if emit is not None:
        emit(OutputWritten(target, "page"))
    return target


def write_folder_review(
    folder: Path,
    out: Path | None = None,
    *,
    stills: bool = True,
    force: bool = False,
    reports_dir: Path | None = None,
    emit: Emit | None = None,
) -> Path:
    """A page per report and an index linking them; returns the index's path.

    The reports are those under ``folder``; with ``reports_dir``, those of the videos under
    ``folder`` found in ``reports_dir`` (a video without one gets a line saying so). The pages go
    beside their reports, the index to ``out`` or beside them (``INDEX_NAME``). ``emit`` hears of
    each page, then of the index, once written (and may raise to stop before the next).
    """
    reports, missing = _reports(folder, reports_dir)
    index = out or (reports_dir or folder) / INDEX_NAME
    _check_all(reports, index, force=force)
    films = [_film(path, stills=stills, force=force, emit=emit) for path in reports]
    films += [
        FilmLine(name=v.name, page=None, error=f"no report in {reports_dir}") for v in missing
    ]
    write_text_output(index, render_index(films, folder=folder, index=index))
    if emit is not None:
        emit(OutputWritten(index, "index"))
    return index


def _reports(folder: Path, reports_dir: Path | None) -> tuple[list[Path], list[Path]]:
    """The reports to review, and the videos whose report is missing from ``reports_dir``."""
    if reports_dir is None:
        reports = sorted(folder.rglob(f"*{REPORT_SUFFIX}"))
        if not reports:
            raise ReportError(
                f"no reports (*{REPORT_SUFFIX}) in {folder}",
                where=str(folder),
                hint="run `vcp analyze` on the films first",
            )
        return reports, []
    videos = sorted(
        p for p in folder.rglob("*") if p.suffix.lower() in VIDEO_EXTENSIONS and p.is_file()
    )
    found = {video: find_report(video, reports_dir) for video in videos}
    reports = sorted({path for path in found.values() if path is not None})
    if not reports:
        raise ReportError(
            f"no reports in {reports_dir} for the videos in {folder}",
            where=str(reports_dir),
            hint=f"run `vcp analyze` on the videos in {folder} first, with the reports written "
            f"to {reports_dir}",
        )
    return reports, [video for video, path in found.items() if path is None]


def _check_all(reports: Iterable[Path], index: Path, *, force: bool) -> None:
    """Every page and the index checked before the first is written."""
    reports = list(reports)
    for report in reports:
        _guard({report: "the report being read"}, force=force).check(page_path(report))
    _guard(dict.fromkeys(reports, "a report being read"), force=force).check(index)


def _film(report_path: Path, *, stills: bool, force: bool, emit: Emit | None) -> FilmLine:
    """Write one film's page; a broken report becomes a line saying why, not a failed folder."""
    from vcp.report import load_report

    name = report_path.name[: -len(REPORT_SUFFIX)]
    try:
        report = load_report(report_path)
        page = write_review(report_path, stills=stills, force=force, emit=emit)
    except ReportError as exc:
        log.warning("%s: %s", report_path, exc)
        return FilmLine(name=name, page=None, error=str(exc))
    return FilmLine(
        name=report.input.name or name,
        page=page,
        duration=report.input.duration,
        flagged=flagged_seconds(report),
        uncertain=sum(1 for s in report.segments if s.uncertain),
    )
