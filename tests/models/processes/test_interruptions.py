"""Interrupted downloads as a user meets them: kill -9, Ctrl-C, and two vcp processes at once.

The mirror runs in the test's event loop and counts the bytes it serves; vcp runs as a real
subprocess (``python -m vcp models download``), so the mirror keeps serving while the test waits.
The tests wait for observable facts (a partial file's size, a checkpoint on disk, the mirror's byte
count), never for a fixed time; the mirror's throttle only keeps the transfer slow enough to be
interrupted half-way.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import sys
from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from vcp_testing.cli import Result
from vcp_testing.hashes import sha256
from vcp_testing.processes import interruptible

from vcp.mirror import Faults, MirrorServer, add_repo

pytestmark = pytest.mark.slow

MiB = 1 << 20
# Small segments, so that a file of a few MiB is fetched over several ranged connections.
SEGMENTED = {
    "segment_threshold_bytes": MiB,
    "segment_min_bytes": MiB,
    "max_connections_per_file": 4,
}
WAIT_LIMIT = 60.0  # seconds: a hang guard only; every wait ends on an observable fact
BIG = "acme/big/big.bin"  # the one file of the repos ``big_repo`` makes


# -- a synthetic repo on the mirror, and a config naming it ----------------------------------------


@dataclass
class Repo:
    """Files served by the mirror under ``root``, a config for them, and the cache vcp fills."""

    root: Path
    config: Path
    cache: Path
    files: dict[str, bytes] = field(default_factory=dict)  # "org/name/path" -> bytes

    def blob(self, key: str) -> Path:
        """Where vcp keeps a verified file: blobs/<sha256> (all files here are LFS)."""
        repo_id, _, _ = key.rpartition("/")
        folder = "models--" + repo_id.replace("/", "--")
        return self.cache / folder / "blobs" / sha256(self.files[key])

    def size(self, key: str) -> int:
        return len(self.files[key])


def make_repo(
    tmp_path: Path,
    models: Mapping[str, Mapping[str, bytes]],
    **download: Any,
) -> Repo:
    """One source per repo id in ``models``, every file LFS and pinned by sha256."""
    repo = Repo(root=tmp_path / "mirror", config=tmp_path / "vcp.yaml", cache=tmp_path / "cache")
    sources = []
    for repo_id, files in models.items():
        add_repo(repo.root, repo_id, dict(files), lfs=list(files))
        sources.append(
            {
                "name": repo_id.split("/")[1],
                "hf": {"repo": repo_id, "revision": "main", "files": list(files)},
                "checksums": {name: f"sha256:{sha256(data)}" for name, data in files.items()},
            }
        )
        repo.files.update({f"{repo_id}/{name}": data for name, data in files.items()})
    # JSON is YAML, and spares the test a YAML writer.
    # merge_defaults: false: only these sources, not the default models beside them.
    config = {
        "merge_defaults": False,
        "models": {"download": download, "sources": sources},
        "detectors": [],
    }
    repo.config.write_text(json.dumps(config), encoding="utf-8")
    return repo


def random_bytes(n: int) -> bytes:
    return os.urandom(n)  # incompressible, and different every run: no stale cache can match


def big_repo(tmp_path: Path, size: int, **download: Any) -> Repo:
    """``acme/big`` with the one file ``big.bin`` (``BIG``) of ``size`` random bytes."""
    return make_repo(tmp_path, {"acme/big": {"big.bin": random_bytes(size)}}, **download)


# -- cache inspection ------------------------------------------------------------------------------


def partials(cache: Path) -> list[Path]:
    return sorted(cache.glob("models--*/blobs/*.incomplete"))


def partial_size(cache: Path) -> int:
    total = 0
    for partial in partials(cache):
        with contextlib.suppress(FileNotFoundError):  # completed since the listing
            total += partial.stat().st_size
    return total


def saved_progress(cache: Path) -> int | None:
    """Bytes a segmented partial's checkpoint records as done; None before the first checkpoint."""
    for state_file in cache.glob("models--*/blobs/*.incomplete.json"):
        try:
            segments = json.loads(state_file.read_text(encoding="utf-8"))["segments"]
        except (OSError, ValueError):  # not there yet
            continue
        if segments:
            return sum(done - start for start, _, done in segments)
    return None


def final_blobs(cache: Path) -> list[Path]:
    """Files under a final blob name (no partials, no their state files)."""
    return sorted(
        p for p in cache.glob("models--*/blobs/*") if p.is_file() and ".incomplete" not in p.name
    )


# -- running vcp -----------------------------------------------------------------------------------


class Vcp:
    """Starts ``python -m vcp`` subprocesses with an explicit environment; kills leftovers."""

    def __init__(self) -> None:
        self.procs: list[asyncio.subprocess.Process] = []

    async def start(
        self, mirror: MirrorServer, repo: Repo, *args: str
    ) -> asyncio.subprocess.Process:
        # os.environ is already stripped of VCP_*/HF_* and has HF_HOME in tmp (tests/conftest.py).
        env = {**os.environ, "HF_ENDPOINT": mirror.url, "VCP_MODELS__CACHE_DIR": str(repo.cache)}
        proc = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "vcp",
            "models",
            "download",
            "-c",
            str(repo.config),
            "--progress",
            "log",
            *args,
            env=env,
            preexec_fn=interruptible,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        self.procs.append(proc)
        return proc

    async def run(self, mirror: MirrorServer, repo: Repo, *args: str) -> Result:
        return await finish(await self.start(mirror, repo, *args))

    async def aclose(self) -> None:
        for proc in self.procs:
            if proc.returncode is None:
                proc.kill()
            await proc.communicate()


async def finish(proc: asyncio.subprocess.Process) -> Result:
    out, err = await asyncio.wait_for(proc.communicate(), WAIT_LIMIT)
    assert proc.returncode is not None
    return Result(proc.returncode, out.decode(), err.decode())


@pytest.fixture
async def vcp() -> AsyncIterator[Vcp]:
    runner = Vcp()
    try:
        yield runner
    finally:
        await runner.aclose()


async def until(fact: Callable[[], bool], *, proc: asyncio.subprocess.Process, what: str) -> None:
    """Wait until ``fact()`` holds; fail at once if vcp exits first (it finished too early)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + WAIT_LIMIT
    while not fact():
        if proc.returncode is not None:
            result = await finish(proc)
            pytest.fail(f"vcp exited ({result.returncode}) before {what}:\n{result.stderr}")
        if loop.time() > deadline:
            pytest.fail(f"gave up waiting for {what}")
        await asyncio.sleep(0.01)


async def kill(proc: asyncio.subprocess.Process) -> None:
    """kill -9, and wait until the process is gone."""
    proc.kill()
    await proc.wait()


async def rerun_unthrottled(vcp: Vcp, mirror: MirrorServer, repo: Repo) -> Result:
    """Lift the throttle, forget what was served so far, and run the same download to its end."""
    mirror.faults.bytes_per_second = None
    mirror.stats.reset()
    return await vcp.run(mirror, repo)


def served(mirror: MirrorServer, name: str) -> int:
    """Body bytes of GET answers for files named ``name``."""
    return sum(
        r.bytes_sent for r in mirror.stats.requests if r.method == "GET" and r.path.endswith(name)
    )


# -- kill -9 ---------------------------------------------------------------------------------------


async def test_killed_download_resumes_with_only_the_missing_bytes(
    tmp_path: Path, vcp: Vcp
) -> None:
    size = 8 * MiB  # below the segment threshold: one stream, appended to the partial file
    repo = big_repo(tmp_path, size)
    async with MirrorServer(repo.root, faults=Faults(bytes_per_second=2_000_000)) as mirror:
        proc = await vcp.start(mirror, repo)
        await until(
            lambda: partial_size(repo.cache) >= 2 * MiB, proc=proc, what="a 2 MiB partial file"
        )
        await kill(proc)

        assert final_blobs(repo.cache) == [], "a killed download left a file under its final name"
        kept = partial_size(repo.cache)
        assert 2 * MiB <= kept < size

        result = await rerun_unthrottled(vcp, mirror, repo)

        assert result.returncode == 0, result.stderr
        assert sha256(repo.blob(BIG).read_bytes()) == sha256(repo.files[BIG])
        assert served(mirror, "big.bin") == size - kept, "the rerun fetched more than was missing"
        assert "resuming at" in result.stderr
        assert partials(repo.cache) == []


async def test_killed_segmented_download_resumes_from_its_checkpoint(
    tmp_path: Path, vcp: Vcp
) -> None:
    size = 8 * MiB  # four ranged segments of 2 MiB, written in place in a preallocated partial
    repo = big_repo(tmp_path, size, **SEGMENTED)
    faults = Faults(bytes_per_second=1_000_000)  # per connection: about 4 MB/s over four
    async with MirrorServer(repo.root, faults=faults) as mirror:
        proc = await vcp.start(mirror, repo)
        # The partial has its full size from the start; what a rerun can trust is the checkpoint
        # of each segment's progress that vcp keeps beside it.
        await until(
            lambda: (saved_progress(repo.cache) or 0) > 0,
            proc=proc,
            what="a checkpoint of the segments' progress",
        )
        await kill(proc)

        assert final_blobs(repo.cache) == [], "a killed download left a file under its final name"
        done = saved_progress(repo.cache)
        assert done is not None and 0 < done < size
        connections = mirror.stats.count("GET", "big.bin")
        assert connections == 4, f"expected 4 ranged connections, the mirror saw {connections}"

        result = await rerun_unthrottled(vcp, mirror, repo)

        assert result.returncode == 0, result.stderr
        assert sha256(repo.blob(BIG).read_bytes()) == sha256(repo.files[BIG])
        assert served(mirror, "big.bin") == size - done, "the rerun fetched more than was missing"
        assert partials(repo.cache) == []


# -- Ctrl-C ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("segmented", [False, True], ids=["one-stream", "segmented"])
async def test_ctrl_c_exits_130_and_keeps_the_partial_for_the_next_run(
    tmp_path: Path, vcp: Vcp, segmented: bool
) -> None:
    size = 8 * MiB
    repo = big_repo(tmp_path, size, **(SEGMENTED if segmented else {}))
    # Per connection: four connections share the 8 MiB when segmented, so each goes slower.
    rate = 1_000_000 if segmented else 2_000_000
    async with MirrorServer(repo.root, faults=Faults(bytes_per_second=rate)) as mirror:
        proc = await vcp.start(mirror, repo)
        if segmented:  # the partial is preallocated to full size: watch the mirror instead
            # Over 1.1 MiB per connection: past the 1 MiB each one gathers before writing.
            await until(
                lambda: served(mirror, "big.bin") >= 4.5 * MiB, proc=proc, what="4.5 MiB served"
            )
        else:
            await until(
                lambda: partial_size(repo.cache) >= MiB, proc=proc, what="a 1 MiB partial file"
            )
        proc.send_signal(signal.SIGINT)
        try:
            interrupted = await asyncio.wait_for(finish(proc), 10)
        except TimeoutError:
            pytest.fail("vcp was still running 10 s after Ctrl-C")

        assert interrupted.returncode == 130, interrupted.stderr
        assert "interrupted" in interrupted.stderr
        assert "run the same command again to resume" in interrupted.stderr
        assert str(repo.cache) in interrupted.stderr
        assert "Traceback" not in interrupted.stderr
        assert final_blobs(repo.cache) == [], "Ctrl-C left a file under its final name"
        assert len(partials(repo.cache)) == 1, "the partial download was not kept"

        result = await rerun_unthrottled(vcp, mirror, repo)

        assert result.returncode == 0, result.stderr
        assert sha256(repo.blob(BIG).read_bytes()) == sha256(repo.files[BIG])
        assert 0 < served(mirror, "big.bin") < size, "the rerun did not resume the partial"
        assert partials(repo.cache) == []


# -- two processes ---------------------------------------------------------------------------------


async def test_two_processes_started_together_transfer_each_file_once(
    tmp_path: Path, vcp: Vcp
) -> None:
    models = {
        "acme/one": {"weights.bin": random_bytes(3 * MiB), "extra.bin": random_bytes(MiB)},
        "acme/two": {"model.onnx": random_bytes(3 * MiB)},
    }
    repo = make_repo(tmp_path, models)
    async with MirrorServer(repo.root, faults=Faults(bytes_per_second=3_000_000)) as mirror:
        first = await vcp.start(mirror, repo)
        second = await vcp.start(mirror, repo)
        results = await asyncio.gather(finish(first), finish(second))

        for result in results:
            assert result.returncode == 0, result.stderr
            assert "ready  one" in result.stdout and "ready  two" in result.stdout
        for key, data in repo.files.items():
            name = key.rpartition("/")[2]
            assert sha256(repo.blob(key).read_bytes()) == sha256(data)
            assert served(mirror, name) == len(data), f"{name} was transferred more than once"
        file_bytes = sum(r.bytes_sent for r in mirror.stats.requests if "/resolve/" in r.path)
        assert file_bytes == sum(map(len, repo.files.values()))

        stderr = "".join(r.stderr for r in results)
        assert "waiting for another vcp process" in stderr or "already cached" in stderr, stderr
        assert partials(repo.cache) == []


# -- SIGTERM (systemd stop, docker stop) ---------------------------------------------------------


@pytest.mark.parametrize("segmented", [False, True], ids=["one-stream", "segmented"])
async def test_sigterm_stops_like_ctrl_c_with_exit_143_and_the_partial_kept(
    tmp_path: Path, vcp: Vcp, segmented: bool
) -> None:
    size = 8 * MiB
    repo = big_repo(tmp_path, size, **(SEGMENTED if segmented else {}))
    rate = 1_000_000 if segmented else 2_000_000
    async with MirrorServer(repo.root, faults=Faults(bytes_per_second=rate)) as mirror:
        proc = await vcp.start(mirror, repo)
        # Past the 1 MiB each segment's connection gathers before writing (as for Ctrl-C above).
        await until(
            lambda: served(mirror, "big.bin") >= 4.5 * MiB, proc=proc, what="4.5 MiB served"
        )
        proc.send_signal(signal.SIGTERM)
        try:
            stopped = await asyncio.wait_for(finish(proc), 10)
        except TimeoutError:
            pytest.fail("vcp was still running 10 s after SIGTERM")

        assert stopped.returncode == 143, stopped.stderr  # 128 + SIGTERM, not killed outright
        assert "interrupted: partial downloads are kept in" in stopped.stderr
        assert "Traceback" not in stopped.stderr
        assert final_blobs(repo.cache) == [], "SIGTERM left a file under its final name"
        assert len(partials(repo.cache)) == 1, "the partial download was not kept"

        result = await rerun_unthrottled(vcp, mirror, repo)

        assert result.returncode == 0, result.stderr
        assert "waiting for another vcp process" not in result.stderr, "a lock was left held"
        assert sha256(repo.blob(BIG).read_bytes()) == sha256(repo.files[BIG])
        assert 0 < served(mirror, "big.bin") < size, "the rerun did not resume the partial"
