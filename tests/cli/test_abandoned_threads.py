"""The CLI's exit waits, bounded, for the inference steps an interruption abandoned.

A step that does not stop in time (stuck in native code, where exiting under it makes the C++
runtime abort) must not hold the process: it ends with the command's own exit code, its output
flushed.
"""

from __future__ import annotations

import subprocess
import sys
import time

_STUCK = """
import asyncio, sys, threading
import vcp.cli.main as cli
from vcp.core.threads import run_abandonable

cli.THREAD_STOP_SECONDS = 0.3

async def abandon():
    task = asyncio.create_task(run_abandonable(threading.Event().wait))  # never stops
    await asyncio.sleep(0.05)
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)

asyncio.run(abandon())
sys.stdout.write("interrupted, said before the exit")
cli._end_abandoned_threads(143)
sys.stdout.write("never printed")
"""


def test_a_step_that_does_not_stop_ends_the_process_with_the_command_s_code() -> None:
    began = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-c", _STUCK], capture_output=True, text=True, timeout=30
    )
    assert done.returncode == 143, done.stderr
    assert done.stdout == "interrupted, said before the exit"
    assert time.monotonic() - began < 10
