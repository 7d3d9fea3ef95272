"""Writing review pages: one film's page, or a folder's films and their index page."""

from __future__ import annotations

import logging
from pathlib import Path

from vcp.errors import ReportError, UsageError
from vcp.export.files import write_text_atomic
from vcp.export.locate import locate_video
from vcp.report import REPORT_SUFFIX
from vcp.review.html import flagged_seconds
from vcp.review.index import FilmLine, render_index
from vcp.review.page import render_page
from vcp.review.stills import collect_stills

__all__ = ["INDEX_NAME", "page_path", "write_folder_review", "write_review"]

log = logging.getLogger(__name__)

INDEX_NAME = "vcp-review.html"


def page_path(report_path: Path) -> Path:
    """The default page for a report: ``movie.mp4.vcp.json`` -> ``movie.mp4.vcp.html``."""
    return report_path.with_suffix(".html")


def write_review(report_path: Path, out: Path | None = None, *, stills: bool = True) -> Path:
    """Write the review page of ``report_path`` (to ``out`` or beside it); returns its path."""
    from vcp.report import load_report

    report = load_report(report_path)
    target = out or page_path(report_path)
    video = locate_video(report, report_path) if stills else None
    images = collect_stills(report, video)
    write_text_atomic(target, render_page(report, report_name=report_path.name, stills=images))
    return target


def write_folder_review(folder: Path, out: Path | None = None, *, stills: bool = True) -> Path:
    """A page per report under ``folder`` and an index linking them; returns the index's path."""
    reports = sorted(folder.rglob(f"*{REPORT_SUFFIX}"))
    if not reports:
        raise UsageError(
            f"no reports (*{REPORT_SUFFIX}) in {folder}",
            where=str(folder),
            hint="run `vcp analyze` on the films first",
        )
    index = out or folder / INDEX_NAME
    films = [_film(path, stills=stills) for path in reports]
    write_text_atomic(index, render_index(films, folder=folder, index=index))
    return index


def _film(report_path: Path, *, stills: bool) -> FilmLine:
    """Write one film's page; a broken report becomes a line saying why, not a failed folder."""
    from vcp.report import load_report

    name = report_path.name[: -len(REPORT_SUFFIX)]
    try:
        report = load_report(report_path)
        page = write_review(report_path, stills=stills)
    except ReportError as exc:
        log.warning("%s: %s", report_path, exc)
        return FilmLine(name=name, page=None, error=str(exc))
    return FilmLine(
        name=report.input.name or name,
        page=page,
        duration=report.input.duration,
        flagged=flagged_seconds(report),
    )
