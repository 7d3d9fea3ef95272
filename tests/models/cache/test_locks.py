"""vcp.models.cache.locks: one process (or task) at a time per file, without blocking the loop."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import socket
import subprocess
import sys
import time
from asyncio.subprocess import PIPE, Process
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import filelock
import pytest

from vcp.errors import LockTimeout
from vcp.models.cache import locks
from vcp.models.cache.locks import LockHolder, file_lock

HELPER = Path(__file__).parents[2] / "helpers" / "lock_holder.py"

StartHolder = Callable[[Path], Awaitable[Process]]


def owner_record(path: Path) -> Path:
    return path.with_name(path.name + ".owner")


def dead_pid() -> int:
    with subprocess.Popen([sys.executable, "-c", "pass"]) as proc:
        proc.wait()
    return proc.pid


@pytest.fixture(params=["flock", "soft"])
def backend(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Run a test with flock, and with the soft lock filelock uses where flock is missing."""
    if request.param == "soft":
        monkeypatch.setattr(locks, "FileLock", filelock.SoftFileLock)
    return str(request.param)


@pytest.fixture
def pinned_locks(monkeypatch: pytest.MonkeyPatch) -> list[filelock.BaseFileLock]:
    """Keep every lock object alive, as a traceback or a reference cycle may.

    filelock releases a lock when its object is collected, which would hide a missing release.
    """
    made: list[filelock.BaseFileLock] = []

    def make(path: Path, **options: Any) -> filelock.BaseFileLock:
        made.append(filelock.FileLock(path, **options))
        return made[-1]

    monkeypatch.setattr(locks, "FileLock", make)
    return made


@pytest.fixture
async def start_holder(backend: str) -> AsyncIterator[StartHolder]:
    """Start lock_holder.py on a path; returns once the subprocess printed "locked"."""
    procs: list[Process] = []

    async def start(path: Path) -> Process:
        soft = ["--soft"] if backend == "soft" else []
        proc = await asyncio.create_subprocess_exec(
            sys.executable, str(HELPER), str(path), *soft, stdin=PIPE, stdout=PIPE
        )
        procs.append(proc)
        assert proc.stdout is not None
        assert await asyncio.wait_for(proc.stdout.readline(), 10) == b"locked\n"
        return proc

    yield start
    for proc in procs:
        if proc.returncode is None:
            proc.kill()
        await proc.wait()


async def let_go(proc: Process) -> None:
    """Ask the holder to release the lock and exit normally."""
    assert proc.stdin is not None
    proc.stdin.write(b"\n")
    proc.stdin.close()
    assert await asyncio.wait_for(proc.wait(), 10) == 0


# -- LockHolder: pure ----------------------------------------------------------------------------


def test_holder_describes_itself() -> None:
    holder = LockHolder(pid=1234, host="abc", since=time.time() - 12, command="vcp fetch")
    assert holder.describe() == "vcp process 1234 on host abc, for 12 s"


def test_holder_is_alive_unless_provably_gone() -> None:
    host = socket.gethostname()
    assert LockHolder(os.getpid(), host, time.time(), "").is_alive()
    assert not LockHolder(dead_pid(), host, time.time(), "").is_alive()
    assert LockHolder(dead_pid(), "some-other-host", time.time(), "").is_alive()


# -- within one process ---------------------------------------------------------------------------


async def test_holder_record_exists_while_held_and_goes_on_release(tmp_path: Path) -> None:
    path = tmp_path / ".locks" / "models--org--name" / "abc.lock"
    async with file_lock(path, timeout=1):
        record = json.loads(owner_record(path).read_text())
        assert record["pid"] == os.getpid()
        assert record["host"] == socket.gethostname()
        assert record["command"] == " ".join(sys.argv)
    assert not owner_record(path).exists()
    assert list(path.parent.iterdir()) in ([path], [])  # no temporary records left over


async def test_two_tasks_exclude_each_other(tmp_path: Path, backend: str) -> None:
    path = tmp_path / "abc.lock"
    log: list[str] = []
    waits: list[LockHolder | None] = []
    first_in = asyncio.Event()

    async def first() -> None:
        async with file_lock(path, timeout=1):
            log.append("first in")
            first_in.set()
            await asyncio.sleep(0.3)
            log.append("first out")

    async def second() -> None:
        await first_in.wait()
        async with file_lock(path, timeout=2, poll_interval=0.02, on_wait=waits.append):
            log.append("second in")

    async with asyncio.TaskGroup() as tg:
        tg.create_task(first())
        tg.create_task(second())
    assert log == ["first in", "first out", "second in"]
    assert len(waits) == 1
    assert waits[0] is not None
    assert waits[0].pid == os.getpid()


async def test_a_plain_filelock_holder_excludes_us(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    # huggingface_hub locks the same path with filelock and writes no record; a record left by a
    # dead vcp must then be reported as stale, not named as the holder, and nothing is broken.
    path = tmp_path / "abc.lock"
    gone = dead_pid()
    owner_record(path).write_text(
        json.dumps({"pid": gone, "host": socket.gethostname(), "since": 0.0, "command": "vcp"})
    )
    monkeypatch.setattr(locks, "STALE_GRACE", 0.1)
    with filelock.FileLock(path), pytest.raises(LockTimeout) as caught:
        async with file_lock(path, timeout=0.4, poll_interval=0.02):
            pytest.fail("entered a lock that another program holds")
    assert caught.value.holder is None
    assert f"process {gone}" in caplog.text
    assert "another program holds it" in caplog.text


async def test_waiting_does_not_block_the_event_loop(tmp_path: Path) -> None:
    path = tmp_path / "abc.lock"
    ticks = 0

    async def ticker() -> None:
        nonlocal ticks
        while True:
            ticks += 1
            await asyncio.sleep(0.01)

    async with file_lock(path, timeout=1), asyncio.TaskGroup() as tg:
        ticking = tg.create_task(ticker())
        with pytest.raises(LockTimeout):
            async with file_lock(path, timeout=0.5, poll_interval=0.1):
                pass
        ticking.cancel()
    assert ticks >= 20  # about 50 at 10 ms; a blocking wait would freeze it at 1


@pytest.mark.usefixtures("pinned_locks")
async def test_cancelled_while_waiting_leaves_nothing_locked(tmp_path: Path) -> None:
    path = tmp_path / "abc.lock"
    entered = False

    async def waiter() -> None:
        nonlocal entered
        async with file_lock(path, timeout=5, poll_interval=0.02):
            entered = True

    async with file_lock(path, timeout=1):
        task = asyncio.create_task(waiter())
        await asyncio.sleep(0.1)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
    assert not entered
    async with file_lock(path, timeout=0):  # free at the first attempt
        pass
    assert not owner_record(path).exists()


@pytest.mark.usefixtures("pinned_locks")
async def test_cancelled_while_holding_releases(tmp_path: Path) -> None:
    path = tmp_path / "abc.lock"
    holding = asyncio.Event()

    async def holder() -> None:
        async with file_lock(path, timeout=1):
            holding.set()
            await asyncio.sleep(60)

    task = asyncio.create_task(holder())
    await holding.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert not owner_record(path).exists()
    async with file_lock(path, timeout=0):
        pass


@pytest.mark.usefixtures("pinned_locks")
async def test_error_in_the_body_releases(tmp_path: Path) -> None:
    path = tmp_path / "abc.lock"
    with pytest.raises(OSError, match="disk on fire"):
        async with file_lock(path, timeout=1):
            raise OSError("disk on fire")
    assert not owner_record(path).exists()
    async with file_lock(path, timeout=0):
        pass


async def test_record_of_a_dead_holder_is_reported_and_replaced(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "abc.lock"
    gone = dead_pid()
    owner_record(path).write_text(
        json.dumps({"pid": gone, "host": socket.gethostname(), "since": 0.0, "command": "vcp"})
    )
    with caplog.at_level(logging.WARNING, logger="vcp.models.cache.locks"):
        async with file_lock(path, timeout=1):
            assert json.loads(owner_record(path).read_text())["pid"] == os.getpid()
    assert f"left by vcp process {gone}" in caplog.text


# -- across processes -----------------------------------------------------------------------------


async def test_waits_for_another_process_until_it_exits(
    tmp_path: Path, start_holder: StartHolder
) -> None:
    path = tmp_path / "abc.lock"
    proc = await start_holder(path)
    waits: list[LockHolder | None] = []
    entered = asyncio.Event()

    async def fetch() -> None:
        async with file_lock(path, timeout=10, poll_interval=0.02, on_wait=waits.append):
            entered.set()

    async with asyncio.TaskGroup() as tg:
        tg.create_task(fetch())
        await asyncio.sleep(0.3)
        assert not entered.is_set()
        assert [w.pid if w else None for w in waits] == [proc.pid]
        await let_go(proc)
    assert entered.is_set()
    assert len(waits) == 1


async def test_killed_holder_does_not_hang_us(
    tmp_path: Path, start_holder: StartHolder, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "abc.lock"
    proc = await start_holder(path)
    proc.kill()
    await proc.wait()
    started = time.monotonic()
    with caplog.at_level(logging.WARNING, logger="vcp.models.cache.locks"):
        async with file_lock(path, timeout=5, poll_interval=0.02):
            assert json.loads(owner_record(path).read_text())["pid"] == os.getpid()
    assert time.monotonic() - started < 1
    assert f"left by vcp process {proc.pid}" in caplog.text


async def test_timeout_names_the_holder(tmp_path: Path, start_holder: StartHolder) -> None:
    path = tmp_path / "abc.lock"
    proc = await start_holder(path)
    with pytest.raises(LockTimeout) as caught:
        async with file_lock(path, timeout=0.3, poll_interval=0.05, model="m", file="f.bin"):
            pytest.fail("entered a lock another process holds")
    error = caught.value
    assert f"vcp process {proc.pid} on host" in str(error)
    assert (error.lock_path, error.model, error.file) == (path, "m", "f.bin")
    assert error.waited >= 0.3
    await let_go(proc)
