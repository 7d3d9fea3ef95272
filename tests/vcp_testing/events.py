"""Recording what the ModelManager reports: an ``on_event`` handler (or subscriber) for tests."""

from __future__ import annotations

import asyncio
import time
from typing import Any, TypeVar

from vcp.models.events import BytesReceived, DownloadEvent

T = TypeVar("T")


class Recorder:
    """An ``on_event`` handler keeping every event, in order, with the monotonic time it arrived.

    ``events`` is every event so far, ``of(kind)`` those of one kind, ``when(kind, **fields)``
    the arrival time of the first matching one; ``got_bytes`` is set at the first BytesReceived,
    so a test can interrupt a download once it is under way.
    """

    def __init__(self) -> None:
        self.timed: list[tuple[float, DownloadEvent]] = []
        self.got_bytes = asyncio.Event()

    def __call__(self, event: DownloadEvent) -> None:
        self.timed.append((time.monotonic(), event))
        if isinstance(event, BytesReceived):
            self.got_bytes.set()

    @property
    def events(self) -> list[DownloadEvent]:
        """Every event received, in order."""
        return [event for _, event in self.timed]

    def of(self, kind: type[T]) -> list[T]:
        return [e for _, e in self.timed if isinstance(e, kind)]

    def when(self, kind: type[Any], **match: Any) -> float:
        """When the first ``kind`` event with these field values arrived."""
        for at, event in self.timed:
            if isinstance(event, kind) and all(getattr(event, k) == v for k, v in match.items()):
                return at
        raise AssertionError(f"no {kind.__name__} event with {match}")
