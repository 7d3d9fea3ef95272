"""vcp.models.planning.state: a plan's files, cached or pending, and what is left to fetch."""

from __future__ import annotations

from pathlib import Path

from vcp.config.schema import ModelSource
from vcp.core.checksums import Checksum
from vcp.models.cache.inspection import Found
from vcp.models.local import FileState
from vcp.models.planning.specs import FileSpec, RemoteFile
from vcp.models.planning.state import KnownFile, PendingFile, Plan

SHA = Checksum.parse("sha256:" + "a" * 64)
SOURCE = ModelSource.model_validate({"name": "m", "hf": {"repo": "a/b", "files": ["x", "y"]}})


def spec(name: str) -> FileSpec:
    url = f"http://127.0.0.1:9/a/b/resolve/main/{name}"
    return FileSpec("m", name, url, "models--a--b", SHA, None, hub=True)


def test_a_plan_is_complete_when_every_file_is_cached() -> None:
    cached = KnownFile(spec("x"), Found(FileState.CACHED, Path("/c/x"), None, SHA))
    plan = Plan("m", SOURCE, [cached])
    assert plan.complete and plan.pending == [] and plan.pending_bytes == 0


def test_pending_files_count_what_is_left_after_a_partial_download() -> None:
    cached = KnownFile(spec("x"), Found(FileState.CACHED, Path("/c/x"), None, SHA))
    remote = RemoteFile("http://127.0.0.1:9/blob", 1000, "a" * 64, None, accepts_ranges=True)
    partial = Found(FileState.PARTIAL, None, None, SHA)
    pending = PendingFile(spec("y"), partial, remote, Path("/c/y"), SHA, partial_bytes=400)
    plan = Plan("m", SOURCE, [cached, pending])
    assert not plan.complete and plan.pending == [pending]
    assert plan.pending_bytes == 600 and not pending.cached


def test_an_unknown_size_reserves_nothing_and_a_missing_file_is_not_yet_pending() -> None:
    remote = RemoteFile("http://127.0.0.1:9/blob", None, None, None, accepts_ranges=False)
    missing = Found(FileState.MISSING, None, None, SHA)
    pending = PendingFile(spec("y"), missing, remote, Path("/c/y"), None, partial_bytes=0)
    assert pending.pending_bytes == 0
    known = KnownFile(spec("y"), missing)
    assert not known.cached and Plan("m", SOURCE, [known]).pending == []
