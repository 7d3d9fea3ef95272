"""``run_stoppable``: the work's result and errors come back; a cancellation asks the work to stop
and waits for it to finish its clean-up before the caller sees the cancellation."""

from __future__ import annotations

import asyncio
import threading
import time

import pytest

from vcp.core.threads import raise_if_stop_requested, run_stoppable, stop_requested


async def test_the_result_and_an_error_come_back() -> None:
    assert await run_stoppable(lambda: 21 * 2) == 42

    def fail() -> None:
        raise ValueError("bad packet")

    with pytest.raises(ValueError, match="bad packet"):
        await run_stoppable(fail)


async def test_a_cancellation_stops_the_work_and_waits_for_its_clean_up() -> None:
    started, steps, cleaned = threading.Event(), [], []

    def work() -> None:
        try:
            while True:
                started.set()
                raise_if_stop_requested()
                steps.append(1)
                time.sleep(0.01)
        finally:
            time.sleep(0.05)  # a slow clean-up (removing a large temporary file)
            cleaned.append(True)

    task = asyncio.create_task(run_stoppable(work))
    await asyncio.to_thread(started.wait, 5)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert cleaned == [True]  # done before the cancellation reached the caller
    assert not stop_requested()  # only the work's thread was asked to stop


async def test_work_cancelled_before_it_started_never_runs() -> None:
    ran: list[bool] = []
    task = asyncio.create_task(run_stoppable(lambda: ran.append(True)))
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    await asyncio.sleep(0.05)
    assert ran == []
