"""``results_of``: work running in a task, its results yielded as they come, its failure raised
to the caller, and the task cancelled when the caller stops early."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable

import pytest

from vcp.core.taskgroups import results_of


async def test_results_come_in_the_order_they_are_put() -> None:
    async def produce(put: Callable[[int], None]) -> None:
        for n in (3, 1, 2):
            await asyncio.sleep(0)
            put(n)

    assert [n async for n in results_of(produce, 3)] == [3, 1, 2]


async def test_the_producers_error_reaches_the_caller_after_what_came_before() -> None:
    async def produce(put: Callable[[int], None]) -> None:
        put(1)
        raise ValueError("broken film")

    seen: list[int] = []
    with pytest.raises(ValueError, match="broken film"):
        async for n in results_of(produce, 2):
            seen.append(n)
    assert seen == [1]


async def test_leaving_early_cancels_the_producer() -> None:
    cancelled = asyncio.Event()

    async def produce(put: Callable[[int], None]) -> None:
        put(1)
        try:
            await asyncio.sleep(60)
        except asyncio.CancelledError:
            cancelled.set()
            raise

    async with contextlib.aclosing(results_of(produce, 2)) as results:
        async for _ in results:
            break
    assert cancelled.is_set()  # closed: the producer was cancelled and awaited

    cancelled.clear()
    async for _ in results_of(produce, 2):
        break
    for _ in range(10):  # without aclosing, Python closes the iterator soon after
        await asyncio.sleep(0)
    assert cancelled.is_set()
