"""HTTP byte ranges: headers, segment splitting, resume planning and judging a server's reply.

Pure code, no I/O. Offsets in vcp are half-open ``[start, stop)`` like Python slices; only the wire
format (``Range``, ``Content-Range``) uses inclusive ends, and only this module converts.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # annotations only: this module stays pure
    from vcp.config.schema import DownloadSettings
    from vcp.models.planning.specs import RemoteFile

__all__ = [
    "ALIGNMENT",
    "ContentRange",
    "RangeReply",
    "ResumeAction",
    "DownloadPart",
    "classify_range_reply",
    "parse_content_range",
    "plan_resume",
    "range_header",
    "split_segments",
]

#: DownloadPart boundaries fall on multiples of this when the size allows (whole filesystem blocks).
ALIGNMENT = 64 * 1024

_CONTENT_RANGE = re.compile(r"bytes[ \t]+(?:(\d+)-(\d+)|(\*))/(\d+|\*)", re.IGNORECASE)


@dataclass(frozen=True)
class ContentRange:
    """A parsed ``Content-Range``: inclusive ``start``-``end`` of ``total`` (None where ``*``)."""

    start: int | None
    end: int | None
    total: int | None


def parse_content_range(value: str) -> ContentRange:
    """Parse ``bytes 0-99/1000``, ``bytes */1000`` or ``bytes 0-99/*``; ValueError otherwise."""
    match = _CONTENT_RANGE.fullmatch(value.strip())
    if match is None:
        raise ValueError(f"malformed Content-Range {value!r}")
    first, last, unsatisfied, total_text = match.groups()
    total = None if total_text == "*" else int(total_text)
    if unsatisfied:
        if total is None:
            raise ValueError(f"Content-Range {value!r} gives neither a range nor a length")
        return ContentRange(None, None, total)
    start, end = int(first), int(last)
    if end < start or (total is not None and end >= total):
        raise ValueError(f"Content-Range {value!r} is not a valid range")
    return ContentRange(start, end, total)


def range_header(start: int, stop: int | None = None) -> str:
    """``Range`` header for the half-open span ``[start, stop)``, open-ended if ``stop`` is None."""
    if start < 0:
        raise ValueError(f"range start must be >= 0, got {start}")
    if stop is None:
        return f"bytes={start}-"
    if stop <= start:
        raise ValueError(f"empty range [{start}, {stop})")
    return f"bytes={start}-{stop - 1}"


@dataclass(frozen=True)
class DownloadPart:
    """Part ``index`` of a segmented download: the half-open byte span ``[start, stop)``."""

    index: int
    start: int
    stop: int

    @property
    def size(self) -> int:
        """Number of bytes in the segment."""
        return self.stop - self.start


def split_segments(size: int, *, connections: int, min_segment: int) -> list[DownloadPart]:
    """Cut ``[0, size)`` into at most ``connections`` contiguous segments of >= ``min_segment``.

    A file smaller than ``2 * min_segment`` is one segment; an empty file has none (fetch it with a
    plain GET: a Range on an empty resource can only answer 416). Boundaries fall on ``ALIGNMENT``
    when every segment can still hold ``min_segment``; otherwise sizes differ by at most one byte.
    """
    if size < 0 or connections < 1 or min_segment < 1:
        raise ValueError(
            f"need size >= 0, connections >= 1, min_segment >= 1; "
            f"got {size}, {connections}, {min_segment}"
        )
    if size == 0:
        return []
    parts = max(1, min(connections, size // min_segment))
    sizes = _aligned_sizes(size, parts, min_segment) or _even_sizes(size, parts)
    segments: list[DownloadPart] = []
    start = 0
    for index, part in enumerate(sizes):
        segments.append(DownloadPart(index, start, start + part))
        start += part
    return segments


def _aligned_sizes(size: int, parts: int, min_segment: int) -> list[int] | None:
    units, tail = divmod(size, ALIGNMENT)
    base, extra = divmod(units, parts)
    if base * ALIGNMENT < min_segment or base == 0:
        return None  # aligning would starve a segment: prefer the requested parallelism
    sizes = [(base + (i < extra)) * ALIGNMENT for i in range(parts)]
    sizes[-1] += tail  # the unaligned tail is the end of the file, so the last part takes it
    return sizes


def _even_sizes(size: int, parts: int) -> list[int]:
    base, extra = divmod(size, parts)
    return [base + (i < extra) for i in range(parts)]


class ResumeAction(enum.Enum):
    """What to do with a partial file found on disk."""

    START = "start"  # nothing on disk: fetch from byte 0
    CONTINUE = "continue"  # ask for the rest with a Range from the returned offset
    COMPLETE = "complete"  # all bytes present: only verify
    RESTART = "restart"  # more bytes than expected, so the partial is not this file: discard it


def plan_resume(partial_size: int, expected_size: int | None) -> tuple[ResumeAction, int]:
    """Decide how to continue a partial file of ``partial_size`` bytes; returns (action, offset)."""
    if partial_size < 0:
        raise ValueError(f"partial size must be >= 0, got {partial_size}")
    if partial_size == 0:
        return ResumeAction.START, 0
    if expected_size is None or partial_size < expected_size:
        return ResumeAction.CONTINUE, partial_size
    if partial_size == expected_size:
        return ResumeAction.COMPLETE, partial_size
    return ResumeAction.RESTART, 0


class RangeReply(enum.Enum):
    """How a server answered a request that carried a ``Range`` header."""

    PARTIAL = "partial"  # 206 at the offset asked for: append the body
    FULL = "full"  # 200: Range was ignored and the body is the whole file: start the file over
    UNSATISFIABLE = "unsatisfiable"  # 416: offset at or past the end (file done, or it changed)
    MISMATCH = "mismatch"  # 206 for other bytes or another length: the partial cannot be trusted


def classify_range_reply(
    status: int, content_range: str | None, *, requested_start: int, expected_size: int | None
) -> RangeReply:
    """Judge the reply to ``Range: bytes=requested_start-``.

    Only 200, 206 and 416 are range replies; other statuses raise ValueError, so callers deal with
    errors and redirects first. On 416, ``parse_content_range`` gives the server's current length.
    """
    if status == 200:
        return RangeReply.FULL
    if status == 416:
        return RangeReply.UNSATISFIABLE
    if status != 206:
        raise ValueError(f"HTTP {status} is not a reply to a range request")
    try:
        got = parse_content_range(content_range or "")
    except ValueError:
        return RangeReply.MISMATCH  # a 206 we cannot place is as bad as one for the wrong bytes
    if got.start != requested_start:
        return RangeReply.MISMATCH
    if expected_size is not None and got.total is not None and got.total != expected_size:
        return RangeReply.MISMATCH  # the remote file changed length since the partial was written
    return RangeReply.PARTIAL


def worth_segments(remote: RemoteFile, settings: DownloadSettings) -> bool:
    """Whether ``remote`` is fetched over several ranged connections: the server takes ranges
    and names the version (an ETag for ``If-Range``), and the file is large enough."""
    size = remote.size
    return bool(
        size is not None
        and remote.accepts_ranges
        and remote.etag
        and settings.max_connections_per_file > 1
        and size >= settings.segment_threshold_bytes
        and size >= 2 * settings.segment_min_bytes
    )
