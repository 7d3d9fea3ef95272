"""Refusals before any work: an output that would overwrite the input or another file, a folder
that cannot take it, a report written for another video."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from vcp.core.outputs import OutputGuard
from vcp.errors import ReportError
from vcp.report import Report

if TYPE_CHECKING:
    from vcp.media.probe import MediaInfo

__all__ = ["DURATION_TOLERANCE_SECONDS", "check_output", "report_mismatch"]

DURATION_TOLERANCE_SECONDS = 0.5  # containers round durations differently; a film differs more


def check_output(source: Path, output: Path, *, force: bool, report: Path | None = None) -> None:
    """OutputError unless ``output`` may be written: never ``source`` or ``report`` under any
    name (not even with ``force``), an existing file only with ``force``, a writable folder."""
    reads = {source: "the film being read"}
    if report is not None:
        reads[report] = "the report being read"
    OutputGuard(reads, force=force).check(output)


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
