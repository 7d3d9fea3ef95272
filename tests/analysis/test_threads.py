"""Abandonable steps: results and errors come back; a cancellation does not wait for the step."""

from __future__ import annotations

import asyncio
import threading

import pytest

from vcp.analysis.threads import run_abandonable


async def test_the_result_and_the_thread_are_the_step_s() -> None:
    def step(x: int) -> tuple[int, bool]:
        return x * 2, threading.current_thread().daemon

    assert await run_abandonable(step, 21) == (42, True)


async def test_an_error_in_the_step_is_raised_to_the_caller() -> None:
    def step() -> None:
        raise ValueError("bad frame")

    with pytest.raises(ValueError, match="bad frame"):
        await run_abandonable(step)


async def test_cancelling_returns_while_the_step_still_runs() -> None:
    release, finished = threading.Event(), threading.Event()

    def step() -> str:
        release.wait(10)
        finished.set()
        return "late"

    task = asyncio.create_task(run_abandonable(step))
    await asyncio.sleep(0.05)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert not finished.is_set()  # the caller did not wait for the step
    release.set()
    await asyncio.to_thread(finished.wait, 10)  # and the late result is dropped quietly
