"""Abandonable steps: results and errors come back; a cancellation does not wait for the step but
asks it to stop, and the program can wait (bounded) for abandoned steps before it exits."""

from __future__ import annotations

import asyncio
import threading
import time

import pytest

from vcp.core.threads import run_abandonable, stop_requested, wait_abandoned


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


async def test_cancelling_asks_the_step_to_stop_and_the_program_can_wait_for_it() -> None:
    started, stopped = threading.Event(), threading.Event()

    def step() -> None:  # a scan: many short steps, checking between them
        started.set()
        while not stop_requested():
            time.sleep(0.01)
        stopped.set()

    task = asyncio.create_task(run_abandonable(step))
    await asyncio.to_thread(started.wait, 10)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert await asyncio.to_thread(wait_abandoned, 10)
    assert stopped.is_set()


async def test_waiting_for_a_step_that_does_not_stop_gives_up_after_the_timeout() -> None:
    release = threading.Event()
    task = asyncio.create_task(run_abandonable(release.wait, 10))
    await asyncio.sleep(0.05)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    began = time.monotonic()
    assert not await asyncio.to_thread(wait_abandoned, 0.2)
    assert time.monotonic() - began < 2
    release.set()
    assert await asyncio.to_thread(wait_abandoned, 10)


def test_stop_is_not_requested_outside_an_abandoned_step() -> None:
    assert not stop_requested()
