"""Blocking analysis work (model loading, decoding, inference) in daemon threads.

anyio's and asyncio's worker threads are not daemons: when Ctrl-C cancels a run, the interpreter
would wait at exit for the step still running (a whisper segment takes seconds), so the process
would not stop "within a second". A step here runs in a daemon thread of its own; cancelling the
await returns at once, the thread finishes its step unobserved, and exit does not wait for it.
Only work whose result may be dropped belongs here: writing a report stays in ordinary threads.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Callable
from typing import Any, TypeVar

__all__ = ["run_abandonable"]

T = TypeVar("T")


async def run_abandonable(func: Callable[..., T], *args: Any, name: str = "vcp-analysis") -> T:
    """``func(*args)`` in a new daemon thread; a cancellation abandons it instead of waiting."""
    loop = asyncio.get_running_loop()
    future: asyncio.Future[T] = loop.create_future()

    def settle(result: Any, error: BaseException | None) -> None:
        if future.done():  # cancelled: the result is dropped
            return
        if error is not None:
            future.set_exception(error)
        else:
            future.set_result(result)

    def target() -> None:
        result, error = None, None
        try:
            result = func(*args)
        except BaseException as exc:  # handed to the awaiting task, which re-raises it
            error = exc
        # A closed loop means nobody waits for this result any more.
        with contextlib.suppress(RuntimeError):
            loop.call_soon_threadsafe(settle, result, error)

    threading.Thread(target=target, name=name, daemon=True).start()
    return await future
