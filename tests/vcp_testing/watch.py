"""Helpers of the watch service's tests: its events recorded, the service run in a task, films
copied in (slowly, as over a network)."""

from __future__ import annotations

import asyncio
import contextlib
import shutil
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from vcp.watch import WatchEvent, WatchOptions, WatchService
from vcp_testing.analysis import SAMPLE

T = TypeVar("T")
WAIT_SECONDS = 40.0


@dataclass
class Heard:
    """Every event the service emitted, with when (``time.monotonic``)."""

    events: list[tuple[float, WatchEvent]] = field(default_factory=list)
    _more: asyncio.Event = field(default_factory=asyncio.Event)

    def __call__(self, event: WatchEvent) -> None:
        self.events.append((time.monotonic(), event))
        self._more.set()

    def of(self, kind: type[T], path: Path | None = None) -> list[T]:
        return [
            e
            for _, e in self.events
            if isinstance(e, kind) and path in (None, e.path)  # type: ignore[attr-defined]
        ]

    def when(self, kind: type[Any], path: Path) -> float:
        return next(t for t, e in self.events if isinstance(e, kind) and e.path == path)

    async def wait(self, kind: type[T], path: Path, *, count: int = 1) -> T:
        """The ``count``-th event of ``kind`` for ``path``, once it came (40 s at most)."""
        async with asyncio.timeout(WAIT_SECONDS):
            while len(found := self.of(kind, path)) < count:
                self._more.clear()
                await self._more.wait()
        return found[count - 1]


@contextlib.asynccontextmanager
async def watching(
    library: Path, analyzer: Any, options: WatchOptions
) -> AsyncIterator[tuple[WatchService, Heard]]:
    """A service running in a task; stopped (cancelled, as Ctrl-C does) on exit."""
    heard = Heard()
    service = WatchService(library, analyzer, options=options, on_event=heard)
    task = asyncio.create_task(service.run())
    try:
        yield service, heard
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def copy_slowly(target: Path, *, chunks: int, pause: float) -> float:
    """Copy the sample film to ``target`` in ``chunks`` writes ``pause`` apart, as a slow copy
    over a network does; returns when (``time.monotonic``) the last byte was written."""
    data = SAMPLE.read_bytes()
    size = -(-len(data) // chunks)
    for i in range(chunks):
        await asyncio.to_thread(_append, target, data[i * size : (i + 1) * size])
        await asyncio.sleep(pause)
    return time.monotonic() - pause


def _append(target: Path, data: bytes) -> None:
    with target.open("ab") as out:
        out.write(data)


def copy_sample(target: Path) -> Path:
    shutil.copyfile(SAMPLE, target)
    return target
