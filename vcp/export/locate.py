"""Finding a report from a video and a video from a report, and where a report's files go.

``vcp analyze`` writes ``movie.vcp.json`` beside ``movie.mp4`` (or into a folder of reports), so a
video names its report (``vcp.report.naming``). A report names its video in ``input.path`` (and a
report moved along with its film finds it by ``input.name`` in its own folder): the film is read
from there, but the report's text never decides where a file is written. Files made from a report
go beside the video the user gave, else beside the report, or into the folder the user named.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

from vcp.errors import ReportError
from vcp.report import REPORT_SUFFIX
from vcp.report.naming import find_report, report_path

if TYPE_CHECKING:
    from vcp.report import Report

__all__ = ["Placement", "film_name", "locate_video", "report_for"]


def report_for(path: Path, *, reports_dir: Path | None = None) -> Path:
    """The report named by ``path``: the path itself if it is JSON, else the video's report,
    beside it or in ``reports_dir``."""
    if path.suffix.lower() == ".json":
        return path
    found = find_report(path, reports_dir)
    if found is None:
        raise ReportError(
            f"no report for {path.name}",
            where=str(report_path(path, reports_dir)),
            hint=f"run `vcp analyze {path}` first, or give the report's path",
        )
    return found


def locate_video(report: Report, report_path: Path) -> Path:
    """The report's video: ``input.path`` as written, else ``input.name`` beside the report.

    The result may not exist; only outputs that read the film (chapters, stills) need it.
    """
    recorded = Path(report.input.path)
    beside = report_path.parent / film_name(report, report_path)
    for candidate in (recorded, beside):
        if candidate.is_file():
            return candidate
    return recorded if recorded.is_absolute() else beside


def film_name(report: Report, report_path: Path | None = None) -> str:
    """The report's film as a bare file name, fit to name files after: the last part of
    ``input.name`` (or of ``input.path``), never a path; else the report's own name."""
    for text in (report.input.name, report.input.path):
        name = PurePosixPath(text.replace("\\", "/")).name
        if name not in ("", ".", "..") and name.isprintable():
            return name
    if report_path is not None:
        return report_path.name.removesuffix(REPORT_SUFFIX).removesuffix(".json") or "film"
    return "film"


@dataclass(frozen=True)
class Placement:
    """Where one report's files go and what they read: ``folder`` receives them, named after
    ``stem``; ``film`` is the video read (chapters, stills) and ``report`` the report file read,
    neither of which is ever written over."""

    folder: Path
    stem: str
    film: Path
    report: Path | None = None

    @classmethod
    def beside_video(
        cls, video: Path, *, report: Path | None = None, out_dir: Path | None = None
    ) -> Placement:
        """Files named after the video the user gave, beside it or in ``out_dir``."""
        return cls(out_dir or video.parent, video.stem, video, report)

    @classmethod
    def beside_report(
        cls, report: Report, report_path: Path | None = None, *, out_dir: Path | None = None
    ) -> Placement:
        """Files named after the report's film (a bare file name), beside the report (the current
        folder when the report has no file) or in ``out_dir``; the film is found with
        ``locate_video``."""
        folder = out_dir or (report_path.parent if report_path else Path.cwd())
        film = locate_video(report, report_path) if report_path else Path(report.input.path)
        return cls(folder, Path(film_name(report, report_path)).stem, film, report_path)
