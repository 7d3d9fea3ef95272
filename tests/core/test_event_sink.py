"""The event sink hands events to a sync handler on the spot and to an async one in order,
awaited by a task it owns; nothing is left unawaited, and a handler's error reaches the caller."""

from __future__ import annotations

import asyncio

import pytest

from vcp.core.event_sink import EventSink


async def test_a_sync_handler_is_called_at_once() -> None:
    seen: list[int] = []
    async with EventSink(seen.append) as emit:
        emit(1)
        assert seen == [1]  # before any await


async def test_an_async_handler_gets_every_event_in_order_by_exit() -> None:
    seen: list[int] = []

    async def slow_for_odd(event: int) -> None:
        await asyncio.sleep(0.01 if event % 2 else 0)
        seen.append(event)

    async with EventSink(slow_for_odd) as emit:
        for i in range(6):
            emit(i)
    assert seen == [0, 1, 2, 3, 4, 5]


async def test_an_async_handler_s_error_is_raised_by_the_next_emit_or_on_exit() -> None:
    async def broken(event: int) -> None:
        raise ValueError(f"bad {event}")

    with pytest.raises(ValueError, match="bad 1"):
        async with EventSink(broken) as emit:
            emit(1)
    with pytest.raises(ValueError, match="bad 1"):
        async with EventSink(broken) as emit:
            emit(1)
            await asyncio.sleep(0.01)
            emit(2)


async def test_a_cancelled_owner_leaves_no_coroutine_unawaited() -> None:
    # warnings are errors in the tests: an unawaited coroutine would fail this test
    started = asyncio.Event()

    async def forever(event: int) -> None:
        started.set()
        await asyncio.sleep(3600)

    async def run() -> None:
        async with EventSink(forever) as emit:
            for i in range(3):
                emit(i)
            await asyncio.sleep(3600)

    task = asyncio.create_task(run())
    await started.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task


async def test_an_async_handler_needs_the_sink_open() -> None:
    async def handler(event: int) -> None:
        pass

    with pytest.raises(RuntimeError, match="open"):
        EventSink(handler)(1)
