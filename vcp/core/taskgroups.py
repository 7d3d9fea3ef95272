"""Task groups for callers: what a failed one raises (one error, not an ExceptionGroup, so
callers catch by type), and the results of work running in a task, yielded as they come."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

from vcp.errors import VcpError

__all__ = ["first_error", "results_of"]

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class _Raised:
    error: BaseException


async def results_of(
    produce: Callable[[Callable[[T], None]], Awaitable[None]], count: int
) -> AsyncIterator[T]:
    """Run ``produce(put)`` in a task this iterator owns and yield the ``count`` items it puts,
    as they come. The caller's code between two items never runs inside the producer's task
    group, so its failures cannot be mistaken for the work's; an exception the producer raises
    is raised here. Closing the iterator cancels the producer and waits for it: at once inside
    ``async with contextlib.aclosing(...)``, else when Python finalizes the iterator after a
    ``break`` (moments later, in the event loop)."""
    queue: asyncio.Queue[T | _Raised] = asyncio.Queue()

    async def run() -> None:
        try:
            await produce(queue.put_nowait)
        except BaseException as exc:  # handed to the caller's iteration, raised there
            queue.put_nowait(_Raised(exc))
            if not isinstance(exc, Exception):  # a cancellation stays one for the task too
                raise

    producer = asyncio.create_task(run())
    try:
        for _ in range(count):
            item = await queue.get()
            if isinstance(item, _Raised):
                raise item.error
            yield item
    finally:
        producer.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await producer


def first_error(group: BaseExceptionGroup[BaseException]) -> BaseException:
    """The error to raise for a failed task group: its first leaf that is one of vcp's own
    errors, else the first that is not a cancellation, else the first.

    vcp's errors come first because a sibling cancelled by the failure (or a foreign exception
    from a cancelled worker) is a consequence, and the VcpError carries the user's hint."""
    leaves = _leaves(group)
    own = [e for e in leaves if isinstance(e, VcpError)]
    real = [e for e in leaves if not isinstance(e, asyncio.CancelledError)]
    return (own or real or leaves)[0]


def _leaves(exc: BaseException) -> list[BaseException]:
    if isinstance(exc, BaseExceptionGroup):
        return [leaf for inner in exc.exceptions for leaf in _leaves(inner)]
    return [exc]
