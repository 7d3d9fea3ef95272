"""Starting vcp in child processes that Ctrl-C can reach."""

from __future__ import annotations

import asyncio
import signal
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

LOCK_HOLDER = Path(__file__).parents[1] / "helpers" / "lock_holder.py"


def interruptible() -> None:
    """``preexec_fn`` for a child that tests send SIGINT to.

    A shell starts background jobs with SIGINT ignored, and Python keeps an ignored SIGINT
    ignored: the child would never see the "Ctrl-C". Restoring the default lets Python install
    its KeyboardInterrupt handler, whatever the test runner inherited.
    """
    signal.signal(signal.SIGINT, signal.SIG_DFL)


@asynccontextmanager
async def holding_lock(path: Path) -> AsyncIterator[asyncio.subprocess.Process]:
    """Another process (tests/helpers/lock_holder.py) holds the vcp file lock at ``path``.

    Entered once the child says it holds the lock; on exit the child lets go and exits.
    """
    pipe = asyncio.subprocess.PIPE
    proc = await asyncio.create_subprocess_exec(
        sys.executable, str(LOCK_HOLDER), str(path), stdin=pipe, stdout=pipe
    )
    try:
        assert proc.stdout is not None and proc.stdin is not None
        assert await asyncio.wait_for(proc.stdout.readline(), 30) == b"locked\n"
        yield proc
        proc.stdin.write(b"\n")
        proc.stdin.close()
        await asyncio.wait_for(proc.wait(), 30)
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
