"""``export``: the player files of a report, or of a video's report, as an awaitable.

The files are written in a worker thread (``vcp.core.threads.run_stoppable``); a cancellation
stops the work before the next file, and a file being written is never left half-written (each is
written to a temporary name and renamed).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from vcp.core.event_sink import Handler
from vcp.core.outputs import OutputWritten
from vcp.core.threads import run_with_events
from vcp.export.locate import Placement
from vcp.export.sidecars import DEFAULT_FORMATS, check_formats, write_placed
from vcp.report import load_report
from vcp.report.pairing import report_for

if TYPE_CHECKING:
    from vcp.config.schema.actions import ActionsSettings
    from vcp.media.subtitles import Masker

__all__ = ["export_files"]


async def export_files(
    source: Path,
    formats: Iterable[str] = DEFAULT_FORMATS,
    *,
    actions: ActionsSettings | None = None,
    reports_dir: Path | None = None,
    out_dir: Path | None = None,
    force: bool = False,
    subtitle_masker: Masker | None = None,
    on_event: Handler[OutputWritten] | None = None,
) -> list[Path]:
    """Write ``formats`` (``vcp.export.FORMATS``) for ``source``; returns the paths written.

    ``source`` is a report (``.json``), or a video whose report is beside it (or in
    ``reports_dir``). Given a video, the files are named after it and go beside it; given a
    report, they are named after its film and go beside the report; ``out_dir`` puts them there
    instead. The report's own text never says where. ``actions`` decides EDL skips and mutes (see
    ``write_sidecars``); ``force`` replaces an existing file that is not one of these text files
    (and, for chapters, uses a report of another film); ``subtitle_masker`` is needed by the
    ``srt`` format. ``on_event`` (sync or async) hears an ``OutputWritten`` per file.

    ValueError for an unknown format; ReportError (the report), OutputError (a file refused or not
    written), MediaError (the film, for chapters and srt).
    """
    formats = check_formats(formats)

    def work(emit: Callable[[OutputWritten], None]) -> list[Path]:
        report_path = report_for(source, reports_dir=reports_dir)
        report = load_report(report_path)
        if source != report_path:
            place = Placement.beside_video(source, report=report_path, out_dir=out_dir)
        else:
            place = Placement.beside_report(report, report_path, out_dir=out_dir)
        masker = subtitle_masker
        return write_placed(
            report, formats, place, actions=actions, force=force, subtitle_masker=masker, emit=emit
        )

    return await run_with_events(work, on_event)
