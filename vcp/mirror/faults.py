"""Fault knobs and request statistics for the mirror.

A test or benchmark builds a ``Faults``, hands it to the server and may change it while the server
runs (the handlers read it on every request). ``Stats`` records what the server answered
(the last ``DEFAULT_MAX_RECORDS`` requests, with exact totals).
"""

from __future__ import annotations

import asyncio
import fnmatch
from collections import deque
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Any

__all__ = ["DEFAULT_MAX_RECORDS", "Faults", "RequestRecord", "Stats", "Throttle"]

DEFAULT_MAX_RECORDS = 100_000  # at most ~50 MB of records; far more than any test makes


@dataclass
class Faults:
    """What the mirror should do wrong. Every knob off by default; ``only`` narrows them to files.

    ``drop_after_bytes``: close the connection after that many body bytes of a file response
    (``drop_times`` of them, or every one when None). ``fail_first``: the first K file requests
    answer ``fail_status`` (with ``Retry-After``, and for 429 a ``RateLimit`` header, when
    ``retry_after`` is set; fractional seconds are allowed so tests stay fast).
    ``flip_byte_at``: that file offset is sent inverted. ``ignore_range``: answer 200 with the
    whole body. ``bytes_per_second``: pace each response. ``latency``: seconds before answering.
    ``extra_bytes``: append that many bytes to each body (Content-Length counts them), so it runs
    past the file's listed size. ``gzip``: send each body gzip-compressed with
    ``Content-Encoding: gzip``, whatever the client's ``Accept-Encoding`` says.
    ``commit_header``: send this ``X-Repo-Commit`` on file answers instead of the real commit.
    """

    drop_after_bytes: int | None = None
    drop_times: int | None = None
    fail_first: int = 0
    fail_status: int = 503
    retry_after: float | None = None
    flip_byte_at: int | None = None
    ignore_range: bool = False
    bytes_per_second: int | None = None
    latency: float = 0.0
    only: str | None = None
    extra_bytes: int = 0
    gzip: bool = False
    commit_header: str | None = None
    dropped: int = 0
    failed: int = 0

    def applies_to(self, path: str) -> bool:
        """True if the faults apply to the file ``path`` (a repo path or a /files/ path)."""
        return self.only is None or fnmatch.fnmatchcase(path, self.only)

    def claim_failure(self, path: str) -> bool:
        """True (and counted) if this request of ``path`` must fail."""
        if self.failed >= self.fail_first or not self.applies_to(path):
            return False
        self.failed += 1
        return True

    def failure_headers(self) -> dict[str, str]:
        """Headers of a failed answer: when to retry, like the Hub's rate limiter."""
        if self.retry_after is None:
            return {}
        seconds = _seconds(self.retry_after)
        headers = {"Retry-After": seconds}
        if self.fail_status == 429:
            headers["RateLimit"] = f'"resolvers";r=0;t={seconds}'
        return headers

    def claim_drop(self, path: str, body_length: int) -> int | None:
        """How many body bytes to send before closing the connection; None: send them all."""
        cut = self.drop_after_bytes
        if cut is None or cut >= body_length or not self.applies_to(path):
            return None
        if self.drop_times is not None and self.dropped >= self.drop_times:
            return None
        self.dropped += 1
        return max(cut, 0)

    def corrupt(self, path: str, chunk: bytes, offset: int) -> bytes:
        """``chunk`` (starting at file ``offset``) with the ``flip_byte_at`` byte inverted."""
        at = self.flip_byte_at
        if at is None or not offset <= at < offset + len(chunk) or not self.applies_to(path):
            return chunk
        i = at - offset
        return chunk[:i] + bytes([chunk[i] ^ 0xFF]) + chunk[i + 1 :]

    def overlong(self, path: str) -> int:
        """Bytes to send after the body of ``path`` (0: none)."""
        return max(self.extra_bytes, 0) if self.applies_to(path) else 0

    def gzipped(self, path: str) -> bool:
        """True if the body of ``path`` is to be sent gzip-encoded."""
        return self.gzip and self.applies_to(path)

    def reset_counters(self) -> None:
        """Start counting "first K failures" and drops again."""
        self.dropped = 0
        self.failed = 0


def _seconds(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


class Throttle:
    """Paces one response under ``Faults.bytes_per_second``, re-reading the rate every chunk."""

    def __init__(self, faults: Faults, name: str, *, max_chunk: int) -> None:
        self.faults = faults
        self.applies = faults.applies_to(name)
        self.started = asyncio.get_running_loop().time()
        rate = self.rate
        # small chunks at low rates, so the pace is smooth rather than bursts and long pauses
        self.chunk = max_chunk if rate is None else max(1024, min(max_chunk, rate // 10))

    @property
    def rate(self) -> int | None:
        """The cap in bytes per second, None when unlimited or not for this file."""
        rate = self.faults.bytes_per_second
        return rate if self.applies and rate and rate > 0 else None

    async def wait(self, sent: int) -> None:
        """Sleep until ``sent`` bytes are within the allowed rate since the response started."""
        rate = self.rate
        if rate is not None:
            due = self.started + sent / rate
            await asyncio.sleep(max(0.0, due - asyncio.get_running_loop().time()))


@dataclass(slots=True)
class RequestRecord:
    """One answered request; ``bytes_sent`` grows while its body streams."""

    method: str
    path: str
    range: str | None
    status: int
    bytes_sent: int
    had_authorization: bool


class Stats:
    """The requests a mirror answered, oldest first: the last ``max_records`` of them.

    A long-running mirror forgets the oldest records, so memory stays bounded; ``bytes_served``
    and ``total`` stay exact over every request since the last ``reset``. ``count`` and
    ``bytes_for`` look at the records kept (all of them below ``max_records`` requests).
    """

    def __init__(
        self, records: Iterable[RequestRecord] = (), *, max_records: int = DEFAULT_MAX_RECORDS
    ) -> None:
        if max_records < 1:
            raise ValueError(f"max_records must be at least 1, got {max_records}")
        self._records: deque[RequestRecord] = deque(maxlen=max_records)
        self._total = 0
        self._bytes = 0
        for record in records:
            self.record(record)

    @property
    def max_records(self) -> int:
        """How many records are kept."""
        return self._records.maxlen or 0

    @property
    def requests(self) -> list[RequestRecord]:
        """The records kept, oldest first (a copy; the records themselves are live)."""
        return list(self._records)

    @property
    def total(self) -> int:
        """Requests answered since the last reset, forgotten ones included."""
        return self._total

    @property
    def bytes_served(self) -> int:
        """Body bytes sent over all requests since the last reset, forgotten ones included."""
        return self._bytes

    def record(self, request: RequestRecord) -> None:
        """Add one answered request (its ``bytes_sent`` so far count as served)."""
        self._records.append(request)
        self._total += 1
        self._bytes += request.bytes_sent

    def add_bytes(self, request: RequestRecord, count: int) -> None:
        """``count`` more body bytes were sent for ``request`` (a recorded one)."""
        request.bytes_sent += count
        self._bytes += count

    def bytes_for(self, path_suffix: str) -> int:
        """Body bytes sent for the kept requests whose path ends with ``path_suffix``."""
        return sum(r.bytes_sent for r in self._records if r.path.endswith(path_suffix))

    def count(self, method: str | None = None, path_suffix: str | None = None) -> int:
        """How many requests matched ``method`` and ``path_suffix`` (None matches any).

        Without filters this is ``total``; with them, it counts the kept records.
        """
        if method is None and path_suffix is None:
            return self._total
        return sum(
            1
            for r in self._records
            if (method is None or r.method == method)
            and (path_suffix is None or r.path.endswith(path_suffix))
        )

    def reset(self) -> None:
        """Forget every recorded request and zero the counters."""
        self._records.clear()
        self._total = 0
        self._bytes = 0

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready form (what ``GET /_mirror/stats`` answers)."""
        return {
            "bytes_served": self.bytes_served,
            "total": self.total,
            "max_records": self.max_records,
            "requests": [asdict(r) for r in self._records],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Stats:
        """Rebuild the stats a mirror in another process reported."""
        records = [RequestRecord(**r) for r in data.get("requests", [])]
        stats = cls(records, max_records=data.get("max_records") or DEFAULT_MAX_RECORDS)
        stats._total = data.get("total", stats._total)
        stats._bytes = data.get("bytes_served", stats._bytes)
        return stats
