"""A still per visual segment for the review page: the report's own, else one taken from the film.

A report is user-editable input, so only ``data:image/jpeg`` and ``data:image/png`` base64 URLs are
taken from it; anything else is ignored and replaced by a still from the video when it is there.
"""

from __future__ import annotations

import base64
import logging
import re
from pathlib import Path
from typing import TYPE_CHECKING

from vcp.errors import MediaError
from vcp.review.html import MAX_ROWS

if TYPE_CHECKING:
    from vcp.report import Report, Segment

__all__ = ["collect_stills"]

log = logging.getLogger(__name__)

_DATA_URL = re.compile(r"data:image/(?:jpeg|png);base64,[A-Za-z0-9+/]+={0,2}")


def collect_stills(report: Report, video: Path | None) -> dict[int, str]:
    """Segment id -> image data URL for each visual segment that has or can get one.

    ``video`` is where missing stills are taken from; None takes only the report's own. Only the
    segments the page lists (the first ``MAX_ROWS``) get one.
    """
    visual = [s for s in report.segments[:MAX_ROWS] if s.kind == "video"]
    stills = {s.id: s.thumbnail for s in visual if s.thumbnail and _DATA_URL.fullmatch(s.thumbnail)}
    missing = [s for s in visual if s.id not in stills]
    if missing and video is not None:
        if video.is_file():  # a film that cannot be read gives no stills
            stills.update(_grab(video, missing, report.input.duration))
        else:
            log.warning("%s is not there: %d segments get no still", video, len(missing))
    return stills


def _middle(segment: Segment, duration: float) -> float:
    """The middle of ``segment``, inside the film (a report may claim times past its end)."""
    middle = (segment.start + segment.end) / 2
    return min(middle, duration) if duration > 0 else middle


def _grab(video: Path, segments: list[Segment], duration: float) -> dict[int, str]:
    from vcp.media.thumbnails import grab_thumbnails

    try:
        jpegs = grab_thumbnails(video, [_middle(s, duration) for s in segments])
    except MediaError as exc:  # the page is still worth having without pictures
        log.warning("no stills: %s", exc)
        return {}
    return {
        s.id: "data:image/jpeg;base64," + base64.b64encode(jpeg).decode("ascii")
        for s, jpeg in zip(segments, jpegs, strict=True)
        if jpeg
    }
