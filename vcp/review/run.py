"""``review``: the review page of a report, a video or a folder of them, as an awaitable.

The pages are written in a worker thread (``vcp.core.threads.run_stoppable``); a cancellation stops
a folder's review before its next page, and no page is ever left half-written (each is written to
a temporary name and renamed).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from vcp.core.event_sink import Handler
from vcp.core.outputs import OutputWritten
from vcp.core.threads import run_with_events
from vcp.report.pairing import report_for
from vcp.review.pages import write_folder_review, write_review

__all__ = ["build_review"]


async def build_review(
    source: Path,
    out: Path | None = None,
    *,
    reports_dir: Path | None = None,
    stills: bool = True,
    force: bool = False,
    on_event: Handler[OutputWritten] | None = None,
) -> Path:
    """Write the review page(s) of ``source``; returns the page to open.

    ``source`` is a report, a video whose report is beside it (or in ``reports_dir``), or a folder:
    then a page per report under it (with ``reports_dir``: per video under it whose report is
    there) and an index page, which is returned. ``out`` is the page (the index for a folder);
    by default beside the report (``page_path``; the folder's ``vcp-review.html``). ``stills``:
    take the stills missing from the report from the film. ``force`` replaces an existing file
    that is not a review page. ``on_event`` (sync or async) hears an ``OutputWritten`` per page.

    ReportError (no report, a broken one; in a folder a broken report becomes a line of the
    index), OutputError (a page refused or not written).
    """

    def work(emit: Callable[[OutputWritten], None]) -> Path:
        return _review(source, out, reports_dir=reports_dir, stills=stills, force=force, emit=emit)

    return await run_with_events(work, on_event)


def _review(
    source: Path,
    out: Path | None,
    *,
    reports_dir: Path | None,
    stills: bool,
    force: bool,
    emit: Callable[[OutputWritten], None],
) -> Path:
    """``review``'s work, in its worker thread."""
    if source.is_dir():
        return write_folder_review(
            source, out, stills=stills, force=force, reports_dir=reports_dir, emit=emit
        )
    report = report_for(source, reports_dir=reports_dir)
    return write_review(report, out, stills=stills, force=force, emit=emit)
