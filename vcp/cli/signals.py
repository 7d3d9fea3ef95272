"""SIGTERM handled like Ctrl-C, so ``systemd stop`` and ``docker stop`` end vcp cleanly.

Python turns SIGINT into KeyboardInterrupt, and ``asyncio.run`` turns it into a cancellation of the
main task first, so partial downloads are checkpointed and locks released on the way out. SIGTERM
by default kills the process on the spot (and a container's PID 1 ignores it altogether). Here it
takes the very same path: the handler calls whatever handles SIGINT at that moment, asyncio's
while an event loop runs, Python's KeyboardInterrupt otherwise. The CLI then exits with 143
(128 + SIGTERM, what a shell reports for a process SIGTERM ended) instead of Ctrl-C's 130.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from types import FrameType

__all__ = ["Interrupts", "sigterm_as_interrupt"]


@dataclass
class Interrupts:
    """Whether SIGTERM arrived while ``sigterm_as_interrupt`` was active."""

    terminated: bool = False


@contextmanager
def sigterm_as_interrupt() -> Iterator[Interrupts]:
    """Within the block, SIGTERM interrupts like Ctrl-C (main thread only: signal handlers
    cannot be installed from another thread, where the block changes nothing)."""
    interrupts = Interrupts()
    if threading.current_thread() is not threading.main_thread():
        yield interrupts
        return

    def on_sigterm(signum: int, frame: FrameType | None) -> None:
        interrupts.terminated = True
        current = signal.getsignal(signal.SIGINT)
        if callable(current):  # asyncio's handler (cancels the main task) or Python's default
            current(signal.SIGINT, frame)
        else:  # SIGINT ignored (a background job): interrupt all the same
            raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, on_sigterm)
    try:
        yield interrupts
    finally:
        signal.signal(signal.SIGTERM, previous)
