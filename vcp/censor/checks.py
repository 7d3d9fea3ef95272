"""Refusals before any work: an output that would overwrite the input or another file, a folder
that cannot take it, a report written for another video."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from vcp.errors import ReportError, UsageError
from vcp.report import Report

if TYPE_CHECKING:
    from vcp.media.probe import MediaInfo

__all__ = ["DURATION_TOLERANCE_SECONDS", "check_output", "report_mismatch"]

DURATION_TOLERANCE_SECONDS = 0.5  # containers round durations differently; a film differs more


def check_output(source: Path, output: Path, *, force: bool) -> None:
    """UsageError unless ``output`` is a new file (or ``force``) in a writable folder, and is not
    ``source`` under another name."""
    if _same_file(source, output):
        raise UsageError(
            "the output is the input: vcp never modifies the film it reads",
            where=str(output),
            hint="pass another path with -o, e.g. film.censored.mp4",
        )
    if output.is_dir():
        raise UsageError(
            "the output is a folder", where=str(output), hint="pass a file name with -o"
        )
    if output.exists() and not force:
        raise UsageError(
            "the output file already exists",
            where=str(output),
            hint="pass --force to replace it, or choose another path with -o",
        )
    folder = output.parent
    if not folder.is_dir():
        raise UsageError(
            "the output folder does not exist",
            where=str(folder),
            hint="create it first, or choose another path with -o",
        )
    if not os.access(folder, os.W_OK | os.X_OK):
        raise UsageError(
            "the output folder is not writable",
            where=str(folder),
            hint="choose a folder you can write to, or fix its permissions",
        )


def _same_file(a: Path, b: Path) -> bool:
    if a.resolve() == b.resolve():
        return True
    try:
        return os.path.samefile(a, b)  # hard links, bind mounts
    except OSError:
        return False


def report_mismatch(report: Report, media: MediaInfo, video: Path) -> str | None:
    """Why ``report`` does not look like the report of ``video``, or None when it does."""
    reasons = []
    if report.input.name != video.name:
        reasons.append(f"it was written for {report.input.name!r}, not {video.name!r}")
    gap = abs(report.input.duration - media.duration)
    if report.input.duration > 0 and gap > DURATION_TOLERANCE_SECONDS:
        reasons.append(
            f"it says the film lasts {report.input.duration:.3f} s, the file lasts "
            f"{media.duration:.3f} s"
        )
    return "; ".join(reasons) or None


def check_report(
    report: Report, media: MediaInfo, video: Path, *, report_path: Path, force: bool
) -> str | None:
    """ReportError when ``report`` is another video's, unless ``force``: then the reason is
    returned, for a notice."""
    reason = report_mismatch(report, media, video)
    if reason and not force:
        raise ReportError(
            f"this report does not belong to {video.name}: {reason}",
            where=str(report_path),
            hint="pass the video's own report with --report (or re-run `vcp analyze` on it); "
            "--force uses this report anyway",
        )
    return reason
