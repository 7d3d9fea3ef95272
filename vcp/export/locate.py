"""Finding a report from a video and a video from a report.

``vcp analyze`` writes ``movie.vcp.json`` beside ``movie.mp4``, so a video names its report; a
report names its video in ``input.path`` (and a report moved along with its film finds it by
``input.name`` in its own folder).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from vcp.errors import ReportError
from vcp.report import default_report_path

if TYPE_CHECKING:
    from vcp.report import Report

__all__ = ["locate_video", "report_for"]


def report_for(path: Path) -> Path:
    """The report named by ``path``: the path itself if it is JSON, else the video's report."""
    if path.suffix.lower() == ".json":
        return path
    report = default_report_path(path)
    if not report.is_file():
        raise ReportError(
            f"no report for {path.name}",
            where=str(report),
            hint=f"run `vcp analyze {path}` first, or give the report's path",
        )
    return report


def locate_video(report: Report, report_path: Path) -> Path:
    """The report's video: ``input.path`` as written, else ``input.name`` beside the report.

    The result may not exist; only outputs that read the film (chapters, stills) need it.
    """
    recorded = Path(report.input.path)
    beside = report_path.parent / (report.input.name or recorded.name)
    for candidate in (recorded, beside):
        if candidate.is_file():
            return candidate
    return recorded if recorded.is_absolute() else beside
