"""Handing events to a subscriber that may be a plain function or a coroutine function.

Emitting stays synchronous everywhere in vcp (``emit(event)`` from the event loop's thread, in the
middle of a download or a scan), so a slow subscriber cannot reorder or hold up the work. A sync
handler is called on the spot. An async handler's coroutine is queued and awaited, one at a time
and in the order the events happened, by the sink's delivery task, which the sink owns: it is
started on ``async with``, drained on a normal exit, cancelled on a cancelled one. No task is
left without an owner.

``vcp.events`` re-exports ``EventSink`` and builds ``EventHandler = Handler[Event]`` on
``Handler``; the sink lives here, below every package that emits events.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import logging
from collections.abc import Awaitable, Callable
from types import TracebackType
from typing import Generic, TypeVar

__all__ = ["EventSink", "Handler"]

log = logging.getLogger(__name__)

E = TypeVar("E")
Handler = Callable[[E], Awaitable[None] | None]
"""A subscriber: ``def handler(event) -> None`` or ``async def handler(event) -> None``."""


class EventSink(Generic[E]):
    """Delivers events to one handler, sync or async, in order (see the module docstring).

    ``async with EventSink(handler) as emit:`` gives ``emit``, a plain callable that any sync
    emitter (a ModelManager's ``on_event``) may be given. An async handler's error is raised by
    the next ``emit`` and on exit, as a sync handler's would be by the emit itself.
    """

    def __init__(self, handler: Handler[E] | None) -> None:
        self._handler = handler
        self._pending: asyncio.Queue[Awaitable[None] | None] = asyncio.Queue()
        self._delivery: asyncio.Task[None] | None = None
        self._failed: BaseException | None = None

    async def __aenter__(self) -> EventSink[E]:
        self.open()
        return self

    def open(self) -> None:
        """Start the delivery task (``async with`` does it); for an owner that opens sinks while
        it runs, such as ``ModelManager.subscribe``, and closes them with ``__aexit__``."""
        if self._delivery is not None:
            raise RuntimeError("an EventSink is entered once")
        self._delivery = asyncio.create_task(self._deliver(), name="vcp events")

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        delivery, self._delivery = self._delivery, None
        if delivery is None:
            return
        if exc is not None and not isinstance(exc, Exception):
            delivery.cancel()  # cancelled (Ctrl-C): no waiting for a handler
        self._pending.put_nowait(None)  # else deliver what is queued, then stop
        try:
            await delivery  # a cancellation of ours cancels the delivery too
        except asyncio.CancelledError:
            if exc is None:
                raise
        finally:
            self._discard_pending()
        if self._failed is not None and exc is None:
            raise self._failed

    def __call__(self, event: E) -> None:
        """Hand ``event`` to the handler: now if it is sync, else in order by the delivery task."""
        if self._failed is not None:
            failed, self._failed = self._failed, None
            raise failed
        if self._handler is None:
            return
        result = self._handler(event)
        if result is None:
            return
        if self._delivery is None:  # nobody would await it: say so instead of losing it
            _close(result)
            raise RuntimeError("an async event handler needs its EventSink open (async with)")
        self._pending.put_nowait(result)

    async def _deliver(self) -> None:
        while (awaitable := await self._pending.get()) is not None:
            try:
                await awaitable
            except Exception as exc:  # kept for the emitter, like a sync handler's error
                log.debug("event handler failed", exc_info=True)
                self._failed = self._failed or exc

    def _discard_pending(self) -> None:
        while not self._pending.empty():
            item = self._pending.get_nowait()
            if item is not None:
                _close(item)


def _close(awaitable: Awaitable[None]) -> None:
    """Close a coroutine that will never run, so Python does not warn it was never awaited."""
    if inspect.iscoroutine(awaitable):
        with contextlib.suppress(RuntimeError):
            awaitable.close()
