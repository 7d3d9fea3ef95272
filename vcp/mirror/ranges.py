"""What to answer a ``Range`` request with: pure planning, no sockets (RFC 9110, one range only)."""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["ByteSpan", "plan_span"]

_RANGE_RE = re.compile(r"bytes=(\d*)-(\d*)")


@dataclass(frozen=True)
class ByteSpan:
    """The part of a file to answer with: status 200 (whole), 206 (a range) or 416 (none)."""

    status: int
    start: int
    length: int
    size: int

    def headers(self) -> dict[str, str]:
        """The ``Content-Range`` header this answer needs, if any."""
        if self.status == 206:
            end = self.start + self.length - 1
            return {"Content-Range": f"bytes {self.start}-{end}/{self.size}"}
        if self.status == 416:
            return {"Content-Range": f"bytes */{self.size}"}
        return {}


def plan_span(
    size: int, range_header: str | None, *, if_range: str | None = None, etag: str = ""
) -> ByteSpan:
    """Decide what to send for a ``Range`` (one ``bytes=`` range; others are ignored, per RFC 9110).

    An ``If-Range`` that does not match ``etag`` (quoted) asks for the whole, current file.
    """
    whole = ByteSpan(200, 0, size, size)
    match = _RANGE_RE.fullmatch(range_header.strip()) if range_header else None
    if match is None or not (match[1] or match[2]):
        return whole
    if if_range is not None and if_range.strip() != f'"{etag}"':
        return whole
    if not match[1]:  # bytes=-N: the last N bytes
        start = max(size - int(match[2]), 0)
        end = size - 1 if int(match[2]) else -1
    else:
        start = int(match[1])
        end = min(int(match[2]), size - 1) if match[2] else size - 1
        if match[2] and int(match[2]) < start:
            return whole
    if start >= size or end < start:
        return ByteSpan(416, 0, 0, size)
    return ByteSpan(206, start, end - start + 1, size)
