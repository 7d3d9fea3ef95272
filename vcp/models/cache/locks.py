"""Cross-process file locks that never block the event loop.

Several vcp processes, and huggingface_hub, may share one cache. Before a file is fetched, the
fetcher holds ``.locks/models--{org}--{name}/{etag}.lock`` (the path huggingface_hub locks too),
so one file is never downloaded twice nor its partial file written by two processes at once.

The lock is ``filelock.FileLock``: ``fcntl.flock`` on Unix, so the kernel drops the lock of a
process that dies, and huggingface_hub's locks on the same path exclude ours. Where the filesystem
has no flock, filelock falls back to a soft lock (the file's existence is the lock, and the file
records the holder's pid and host). Next to the lock, the holder keeps a ``<lock>.owner`` JSON
record saying who it is, so a waiter can tell the user whom it waits for.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import socket
import sys
import time
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager, suppress
from dataclasses import asdict, dataclass
from pathlib import Path

from filelock import BaseFileLock, FileLock, Timeout

from vcp.core.atomic import replace_atomically
from vcp.errors import LockTimeout

__all__ = ["LockHolder", "file_lock", "holder_of", "lock_now"]

logger = logging.getLogger(__name__)

#: How long a lock may stay busy under a holder record naming a dead process before we say so.
STALE_GRACE = 2.0
_LOCK_MODE = 0o664


@dataclass(frozen=True)
class LockHolder:
    """Who holds a lock, as its ``<lock>.owner`` record tells."""

    pid: int
    host: str
    since: float  # time.time() when the lock was taken
    command: str

    @classmethod
    def current(cls) -> LockHolder:
        """This process, from now on."""
        return cls(os.getpid(), socket.gethostname(), time.time(), " ".join(sys.argv))

    def describe(self) -> str:
        """Name the holder for a user, e.g. ``vcp process 1234 on host abc, for 12 s``."""
        held = max(0.0, time.time() - self.since)
        return f"vcp process {self.pid} on host {self.host}, for {held:.0f} s"

    def is_alive(self) -> bool:
        """False only when the holder provably exited: same host and no such pid."""
        if self.host != socket.gethostname() or self.pid <= 0:
            return True  # another host's processes cannot be probed from here
        try:
            os.kill(self.pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True  # exists, owned by another user
        return True


@asynccontextmanager
async def file_lock(
    path: Path,
    *,
    # Bounds the wait only, not the body, and must end in LockTimeout naming the holder, so an
    # asyncio.timeout() around the whole `async with` would not do.
    timeout: float,  # noqa: ASYNC109
    poll_interval: float = 0.1,
    on_wait: Callable[[LockHolder | None], None] | None = None,
    model: str | None = None,
    file: str | None = None,
) -> AsyncIterator[None]:
    """Hold the cross-process lock at ``path`` for the body of an ``async with``.

    While another process (or another task of this one) holds it, poll every ``poll_interval``
    seconds without blocking the event loop; ``on_wait`` is called once, with the holder's record
    if there is one, when waiting starts. After ``timeout`` seconds raise :class:`LockTimeout`,
    naming ``model`` and ``file``. Cancelled while waiting, nothing stays locked; cancelled or
    failing while holding, the lock is released.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    # A fresh instance per call: one FileLock instance is reentrant (it counts acquisitions), while
    # two instances open two descriptors whose flocks exclude each other even inside one process,
    # so two tasks of this process locking the same file wait for each other as processes do.
    # Group-writable, as huggingface_hub makes them, so users sharing a cache can wait on one file.
    lock = FileLock(path, mode=_LOCK_MODE)
    loop = asyncio.get_running_loop()
    started = loop.time()
    stale_reported = False
    while not _try_acquire(lock):
        holder = _read_holder(path)
        # A record naming a dead process is not the holder (see _report_stale): name nobody then.
        live = holder if holder is not None and holder.is_alive() else None
        waited = loop.time() - started
        if waited >= timeout:
            named = live.describe() if live is not None else None
            raise LockTimeout(lock_path=path, waited=waited, holder=named, model=model, file=file)
        if on_wait is not None:
            on_wait(live)
            on_wait = None  # once per wait
        if not stale_reported and waited >= STALE_GRACE:
            stale_reported = _report_stale(path, holder)
        await asyncio.sleep(min(poll_interval, timeout - waited))
    me = LockHolder.current()
    try:
        _note_takeover(path)
        _write_holder(path, me)
        yield
    finally:
        # The record goes first: once the lock is free, the next holder writes its own.
        _remove_holder(path, me)
        lock.release()


@contextmanager
def lock_now(path: Path) -> Iterator[bool]:
    """Try once, without waiting, to hold the lock at ``path`` for the body of a ``with``.

    Yields True while held, False when another process (or another instance in this one) holds
    it. For synchronous cache housekeeping (quarantine, ``rm``, ``prune``): a file whose lock is
    busy is being fetched or checked right now and must be left alone.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    lock = FileLock(path, mode=_LOCK_MODE)
    if not _try_acquire(lock):
        yield False
        return
    me = LockHolder.current()
    try:
        _write_holder(path, me)
        yield True
    finally:
        _remove_holder(path, me)
        lock.release()


def holder_of(path: Path) -> LockHolder | None:
    """Who holds the lock at ``path``, by its ``.owner`` record (None: unknown or not vcp)."""
    holder = _read_holder(path)
    return holder if holder is not None and holder.is_alive() else None


def _try_acquire(lock: BaseFileLock) -> bool:
    # blocking=False is one attempt, never filelock's own time.sleep loop. For a soft lock it also
    # runs filelock's stale check: a marker whose recorded pid is gone from this host is taken over.
    # vcp does not break soft locks itself: its .owner record is written after the lock is taken,
    # so it can be missing, or left over from a dead vcp while another program holds the lock;
    # judging the marker's own record is filelock's job, and it swaps the marker atomically.
    try:
        lock.acquire(blocking=False)
    except Timeout:
        return False
    return True


def _report_stale(path: Path, holder: LockHolder | None) -> bool:
    if holder is None or holder.is_alive():
        return False
    # A flock dies with its process, and filelock breaks a dead process's soft lock, so a lock still
    # busy under a dead recorded holder is held by a program that writes no record (such as
    # huggingface_hub), or by a vcp that has not written its record yet. Either way: keep waiting.
    logger.warning(
        "lock %s is still busy but its recorded holder (%s) has exited; another program holds it",
        path,
        holder.describe(),
    )
    return True


def _note_takeover(path: Path) -> None:
    # A record left behind means the previous holder died holding the lock (the kernel or filelock
    # freed it): worth a warning, since it may have left a partial file for the caller to judge.
    previous = _read_holder(path)
    if previous is not None and not previous.is_alive():
        logger.warning("took over lock %s left by %s, which has exited", path, previous.describe())


def _owner_path(path: Path) -> Path:
    return path.with_name(path.name + ".owner")


def _read_holder(path: Path) -> LockHolder | None:
    try:
        record = json.loads(_owner_path(path).read_text(encoding="utf-8"))
        return LockHolder(
            pid=int(record["pid"]),
            host=str(record["host"]),
            since=float(record["since"]),
            command=str(record["command"]),
        )
    except (OSError, ValueError, KeyError, TypeError):
        return None  # no record (yet), or not one vcp wrote


def _write_holder(path: Path, holder: LockHolder) -> None:
    # The record is advice for waiters, so failing to write it must not fail the download.
    # tmp + os.replace: a reader sees the old record or the new one, never half of one.
    target = _owner_path(path)
    text = json.dumps(asdict(holder))
    try:
        replace_atomically(target, lambda tmp: tmp.write_text(text, encoding="utf-8"))
    except OSError as exc:
        logger.warning("cannot record the holder of lock %s: %s", path, exc)


def _remove_holder(path: Path, holder: LockHolder) -> None:
    if _read_holder(path) == holder:  # only our own record: never a successor's
        with suppress(OSError):
            _owner_path(path).unlink()
