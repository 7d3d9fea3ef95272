"""Blocking analysis work (model loading, decoding, inference) in daemon threads.

anyio's and asyncio's worker threads are not daemons: when Ctrl-C cancels a run, the interpreter
would wait at exit for the step still running (a whisper segment takes seconds), so the process
would not stop "within a second". A step here runs in a daemon thread of its own; cancelling the
await returns at once and the thread is abandoned: its result is dropped.

An abandoned thread must still end before the interpreter does. It runs inside CTranslate2 or
onnxruntime, and when the process exits under it, their C++ runtime aborts (``terminate called
without an active exception``, exit 134 instead of 130). So a cancellation also asks the thread to
stop at its next step (work that steps through a film checks ``stop_requested()`` between steps),
and ``wait_abandoned`` lets the program wait, bounded, for the threads still running before it
exits. Only work whose result may be dropped belongs here: writing a report stays in ordinary
threads.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar

__all__ = ["run_abandonable", "stop_requested", "wait_abandoned"]

T = TypeVar("T")


class _Worker(threading.Thread):
    """A daemon thread that runs one step and can be asked to stop at its next step."""

    def __init__(self, target: Callable[[], None], name: str) -> None:
        super().__init__(target=target, name=name, daemon=True)
        self.stop = threading.Event()


_running: set[_Worker] = set()  # started and not yet finished
_running_lock = threading.Lock()


async def run_abandonable(func: Callable[..., T], *args: Any, name: str = "vcp-analysis") -> T:
    """``func(*args)`` in a new daemon thread; a cancellation abandons it instead of waiting,
    and asks it to stop (``stop_requested()`` turns true in that thread)."""
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
        finally:
            with _running_lock:
                _running.discard(worker)
        # A closed loop means nobody waits for this result any more.
        with contextlib.suppress(RuntimeError):
            loop.call_soon_threadsafe(settle, result, error)

    worker = _Worker(target, name)
    with _running_lock:
        _running.add(worker)
    worker.start()
    try:
        return await future
    except asyncio.CancelledError:
        worker.stop.set()
        raise


def stop_requested() -> bool:
    """True in a thread of ``run_abandonable`` whose caller has given up on it: the work should
    return at its next step (what it returns is dropped)."""
    thread = threading.current_thread()
    return isinstance(thread, _Worker) and thread.stop.is_set()


def wait_abandoned(timeout: float) -> bool:
    """Ask every thread still running to stop and wait up to ``timeout`` seconds in all for them
    to end; True if none is left. Call it before the process exits."""
    deadline = time.monotonic() + timeout
    with _running_lock:
        workers = list(_running)
    for worker in workers:
        worker.stop.set()
    for worker in workers:
        worker.join(max(0.0, deadline - time.monotonic()))
    return not any(worker.is_alive() for worker in workers)
