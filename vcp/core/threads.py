"""Blocking work (model loading, decoding, inference, transcoding) in worker threads, stopped
between steps when its caller is cancelled.

Two ways to wait for a step, one way to stop it. Work that steps through a film checks
``stop_requested()`` between steps (a packet, a chunk, a segment) and returns or raises when it
turns true, which it does once the caller has been cancelled.

- ``run_stoppable`` (censor, export, review): an anyio worker thread; a cancellation asks the work
  to stop and *waits* for it, so whatever it cleans up on the way out (a temporary file beside the
  output) is gone when the caller sees the ``CancelledError``.
- ``run_abandonable`` (the analysis): a daemon thread of its own; a cancellation returns at once
  and the thread is abandoned, its result dropped. anyio's and asyncio's worker threads are not
  daemons: when Ctrl-C cancels a run, the interpreter would wait at exit for the step still
  running (a whisper segment takes seconds), so the process would not stop "within a second".
  An abandoned thread must still end before the interpreter does. It runs inside CTranslate2 or
  onnxruntime, and when the process exits under it, their C++ runtime aborts (``terminate called
  without an active exception``, exit 134 instead of 130). So it is asked to stop too, and
  ``wait_abandoned`` lets the program wait, bounded, for the threads still running before it
  exits. Only work whose result may be dropped belongs there: writing a file does not.

``in_loop`` lets work in a worker thread hand events to a handler that runs in the event loop
(a sync or an async callable), one at a time, in order.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar

import anyio
import anyio.from_thread
import anyio.to_thread

from vcp.core.event_sink import Handler

__all__ = [
    "StopRequested",
    "in_loop",
    "raise_if_stop_requested",
    "run_abandonable",
    "run_stoppable",
    "run_with_events",
    "stop_requested",
    "wait_abandoned",
]

T = TypeVar("T")
E = TypeVar("E")


class StopRequested(BaseException):
    """Raised by ``raise_if_stop_requested`` in work whose caller was cancelled: a BaseException,
    so that no ``except Exception`` on the way out swallows it."""


_current = threading.local()  # .stop: the threading.Event of the work running in this thread


def stop_requested() -> bool:
    """True in a thread of ``run_stoppable`` or ``run_abandonable`` whose caller has given up on
    it: the work should return (or raise) at its next step."""
    stop: threading.Event | None = getattr(_current, "stop", None)
    return stop is not None and stop.is_set()


def raise_if_stop_requested() -> None:
    """StopRequested if ``stop_requested()``: for work that unwinds (and cleans up) by raising."""
    if stop_requested():
        raise StopRequested


def _run_with(stop: threading.Event, func: Callable[[], T]) -> T:
    _current.stop = stop
    try:
        return func()
    finally:
        _current.stop = None


# -- waited for: stopped, then awaited -----------------------------------------------------------


async def run_stoppable(func: Callable[[], T]) -> T:
    """``func()`` in an anyio worker thread. A cancellation asks it to stop (``stop_requested()``
    turns true in it), waits for it to end, and re-raises: the work's clean-up is done by then.
    A ``StopRequested`` the work raises for that reason never reaches the caller."""
    stop, ended = threading.Event(), threading.Event()
    lock = threading.Lock()
    state = ["queued"]  # -> "running" -> "ended"; or -> "dropped" when cancelled before it ran

    def call() -> T:
        with lock:
            if state[0] == "dropped":
                raise StopRequested
            state[0] = "running"
        try:
            return _run_with(stop, func)
        finally:
            state[0] = "ended"
            ended.set()

    try:
        return await anyio.to_thread.run_sync(call, abandon_on_cancel=True)
    except anyio.get_cancelled_exc_class():
        stop.set()
        with lock:
            started = state[0] != "queued"
            state[0] = state[0] if started else "dropped"
        if started:
            with anyio.CancelScope(shield=True):
                await anyio.to_thread.run_sync(ended.wait)
        raise


def in_loop(handler: Handler[E] | None) -> Callable[[E], None]:
    """A function for a worker thread of ``run_stoppable`` that hands each event to ``handler``
    in the event loop and returns when it has been handled (an async handler is awaited).

    Call it in the task that awaits ``run_stoppable``. Work that emits events stops at its next
    one once that task is cancelled, and at once when the handler itself cancelled it (a handler
    that cancels on an event gets no further step).
    """
    if handler is None:
        return lambda event: raise_if_stop_requested()
    owner = asyncio.current_task()

    async def deliver(event: E) -> None:
        result = handler(event)
        if inspect.isawaitable(result):
            await result
        if owner is not None and owner.cancelling():
            raise StopRequested

    def emit(event: E) -> None:
        raise_if_stop_requested()
        anyio.from_thread.run(deliver, event)

    return emit


async def run_with_events(
    work: Callable[[Callable[[E], None]], T], on_event: Handler[E] | None
) -> T:
    """``work(emit)`` in a worker thread of ``run_stoppable``; ``emit`` hands each event to
    ``on_event`` in the event loop (``in_loop``). Call it in the task that awaits the result."""
    emit = in_loop(on_event)
    return await run_stoppable(lambda: work(emit))


# -- abandoned: a daemon thread the caller stops waiting for -------------------------------------


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
            result = _run_with(worker.stop, lambda: func(*args))
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
