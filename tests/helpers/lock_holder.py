"""Hold a vcp file lock in another process, for tests/models/cache/test_locks.py.

Usage: python lock_holder.py LOCK_PATH [--soft]

Prints "locked" once it holds the lock, then holds it until a line (or EOF) arrives on stdin, or
until it is killed. ``--soft`` uses filelock's soft lock, as on filesystems without flock.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import filelock

from vcp.models.cache import locks


async def main(path: Path) -> None:
    async with locks.file_lock(path, timeout=10):
        print("locked", flush=True)
        await asyncio.to_thread(sys.stdin.readline)


if __name__ == "__main__":
    if "--soft" in sys.argv[2:]:
        locks.FileLock = filelock.SoftFileLock
    asyncio.run(main(Path(sys.argv[1])))
