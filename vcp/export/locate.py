"""Where a report's files go: beside the video the user gave, else beside the report, or into the
folder the user named; never where the report's text says (``vcp.report.pairing`` finds the film
a report names, to read it).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from vcp.report.pairing import film_name, locate_video

if TYPE_CHECKING:
    from vcp.report import Report

__all__ = ["Placement"]


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
