"""Which report belongs to which film, both ways, and the one check that they do.

A video names its report (``vcp.report.naming``: ``movie.mp4`` -> ``movie.vcp.json`` beside it or
in a folder of reports). A report names its video in ``input.path`` (and a report moved along
with its film finds it by ``input.name`` in its own folder): the film is read from there, but the
report's text never decides where a file is written. Export, censor and review pair reports and
films through this module only; ``check_pairing`` is the one place a report of another film is
refused.
"""

from __future__ import annotations

from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

from vcp.errors import ReportError, ReportMismatch
from vcp.report.naming import REPORT_SUFFIX, find_report, report_path

if TYPE_CHECKING:
    from vcp.report.model import Report

__all__ = [
    "DURATION_TOLERANCE_SECONDS",
    "check_pairing",
    "default_report_path",
    "film_name",
    "locate_video",
    "report_for",
    "report_mismatch",
]

DURATION_TOLERANCE_SECONDS = 0.5  # containers round durations differently; a film differs more


def default_report_path(video: Path) -> Path:
    """Where a video's report goes by default: ``movie.mp4`` -> ``movie.vcp.json`` beside it
    (``movie.mp4.vcp.json`` when another video beside it is called ``movie`` too; see
    ``vcp.report.naming``)."""
    return report_path(video)


def report_for(path: Path, *, reports_dir: Path | None = None) -> Path:
    """The report named by ``path``: the path itself if it is JSON, else the video's report,
    beside it or in ``reports_dir``; ReportError when the video has none."""
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


def report_mismatch(report: Report, video: Path, *, duration: float) -> str | None:
    """Why ``report`` does not look like the report of ``video`` (which lasts ``duration``
    seconds), or None when it does: another file name, or another length."""
    reasons = []
    if report.input.name != video.name:
        reasons.append(f"it was written for {report.input.name!r}, not {video.name!r}")
    gap = abs(report.input.duration - duration)
    if report.input.duration > 0 and gap > DURATION_TOLERANCE_SECONDS:
        reasons.append(
            f"it says the film lasts {report.input.duration:.3f} s, the file lasts {duration:.3f} s"
        )
    return "; ".join(reasons) or None


def check_pairing(
    report: Report,
    video: Path,
    *,
    duration: float,
    report_path: Path | None = None,
    force: bool = False,
) -> str | None:
    """ReportMismatch when ``report`` is another film's (see ``report_mismatch``), unless
    ``force``: then the reason is returned, for a notice; None when the report is the film's."""
    reason = report_mismatch(report, video, duration=duration)
    if reason and not force:
        raise ReportMismatch(video, reason, report_path=report_path)
    return reason
