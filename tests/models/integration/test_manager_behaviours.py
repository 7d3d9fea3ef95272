"""ModelManager behaviours a user relies on that other suites leave untested.

How many files move at once, what ``status()`` and ``vcp models list`` say about an interrupted
download, a partial that already holds the whole file, snapshots on a file system without
symlinks, hashing while the bytes stream in, serving vcp's own cache to a team, and event
subscribers. Real mirror on loopback, real files; synthetic repos built in a temporary root.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import logging
import random
import re
import secrets
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML
from vcp_testing.cli import Result, run_main, table
from vcp_testing.events import Recorder
from vcp_testing.hashes import HashedBytes, git_sha1, sha256
from vcp_testing.hub import blob, hf_source, leftovers
from vcp_testing.mirror import file_requests

from vcp.config import ModelsSettings
from vcp.config.loader import default_config_text
from vcp.mirror import Faults, MirrorServer, add_repo
from vcp.models.cache import store as cache_module
from vcp.models.events import (
    BytesReceived,
    DownloadEvent,
    DownloadStarted,
    FileCached,
    FileVerified,
    ModelReady,
)
from vcp.models.local import FileState
from vcp.models.manager import ModelManager

KiB = 1 << 10
MiB = 1 << 20

# -- synthetic repos -------------------------------------------------------------------------------

SMALL_REPO = "acme/small"
CONFIG = b'{"layers": 2, "hidden": 16}\n'  # a regular git file: etag = git blob sha1
WEIGHTS = random.Random(3).randbytes(128 * KiB)  # LFS: etag = sha256
SMALL_FILES = {"config.json": CONFIG, "weights.bin": WEIGHTS}
TRIO_REPO = "acme/trio"
TRIO_FILES = {f"{part}.bin": random.Random(part).randbytes(64 * KiB) for part in "abc"}
SLOW_REPO = "acme/slow"
SLOW_FILE = "slow.bin"
SLOW_DATA = random.Random(9).randbytes(3 * MiB)  # over one 1 MiB read, so progress shows early

ONE_STREAM = {"max_connections_per_file": 1}
# Cuts the 3 MiB file into twelve ranged pieces of 256 KiB, taken by four connections.
RANGED = {
    "segment_threshold_bytes": 1 * MiB,
    "segment_min_bytes": 256 * KiB,
    "max_connections_per_file": 4,
}


WEIGHTS_SHA = sha256(WEIGHTS)
SMALL_PINS = {"config.json": f"git-sha1:{git_sha1(CONFIG)}", "weights.bin": f"sha256:{WEIGHTS_SHA}"}


SMALL = hf_source("small", SMALL_REPO, list(SMALL_FILES))
SMALL_PINNED = hf_source("small", SMALL_REPO, list(SMALL_FILES), checksums=SMALL_PINS)
WEIGHTS_ONLY = hf_source("weights", SMALL_REPO, ["weights.bin"])
TRIO = hf_source("trio", TRIO_REPO, list(TRIO_FILES))
SLOW = hf_source("slow", SLOW_REPO, [SLOW_FILE])
SLOW_PINNED = hf_source("slow", SLOW_REPO, [SLOW_FILE], checksums={SLOW_FILE: sha256(SLOW_DATA)})


def quarantined(cache: Path) -> list[Path]:
    folder = cache / ".vcp" / "quarantine"
    return sorted(folder.iterdir()) if folder.exists() else []


# -- fixtures --------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def mirror_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A mirror root with the synthetic repos (never modified by tests)."""
    root = tmp_path_factory.mktemp("behaviours-mirror")
    add_repo(root, SMALL_REPO, SMALL_FILES, lfs=["weights.bin"])
    add_repo(root, TRIO_REPO, TRIO_FILES, lfs=list(TRIO_FILES))
    add_repo(root, SLOW_REPO, {SLOW_FILE: SLOW_DATA}, lfs=[SLOW_FILE])
    return root


@pytest.fixture
def vcp(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    mirror: MirrorServer,
    cache_dir: Path,
    tmp_path: Path,
    restore_logging: None,
) -> Callable[..., Any]:
    """``await vcp(source, "models", "list")``: the CLI with ``source`` added to the default config.

    It runs in a worker thread (``main`` calls ``asyncio.run``) while the mirror serves from the
    test's event loop; the endpoint and cache come from HF_ENDPOINT and VCP_MODELS__CACHE_DIR.
    """
    monkeypatch.setenv("HF_ENDPOINT", mirror.url)
    monkeypatch.setenv("VCP_MODELS__CACHE_DIR", str(cache_dir))

    async def run(source: dict[str, Any], *argv: str) -> Result:
        config = YAML(typ="safe").load(default_config_text())
        config["models"]["sources"].append(source)
        path = tmp_path / "vcp.yaml"
        path.write_text(json.dumps(config), encoding="utf-8")  # JSON is YAML
        capsys.readouterr()
        return await run_main(capsys, *argv, "-c", path)

    return run


# -- how many files move at once -------------------------------------------------------------------


def most_at_once(events: Recorder) -> int:
    """The most transfers in flight at one time, from DownloadStarted / FileVerified order."""
    active: set[str] = set()
    most = 0
    for event in events.events:
        if isinstance(event, DownloadStarted):
            active.add(event.file)
            most = max(most, len(active))
        elif isinstance(event, FileVerified):
            active.discard(event.file)
    return most


@pytest.mark.parametrize(("limit", "expected"), [(1, 1), (3, 3)])
async def test_max_concurrent_files_bounds_the_transfers_in_flight(
    mirror: MirrorServer,
    faults: Faults,
    settings_for: Callable[..., ModelsSettings],
    events: Recorder,
    limit: int,
    expected: int,
) -> None:
    faults.bytes_per_second = 256 * KiB  # each 64 KiB file takes about a quarter of a second
    settings = settings_for(mirror, TRIO, max_concurrent_files=limit)
    async with ModelManager(settings, on_event=events) as models:
        local = await models.ready("trio")

    assert {name: local.file(name).read_bytes() for name in TRIO_FILES} == TRIO_FILES
    assert most_at_once(events) == expected
    assert len(events.of(DownloadStarted)) == len(events.of(FileVerified)) == 3
    if limit == 1:
        # one file after another: each file's events form one unbroken run
        per_file = [e.file for e in events.events if isinstance(e, DownloadStarted | BytesReceived)]
        runs = [name for name, _ in itertools.groupby(per_file)]
        assert sorted(runs) == sorted(TRIO_FILES)
    assert [r.status for r in file_requests(mirror)] == [200, 200, 200]


# -- an interrupted download -----------------------------------------------------------------------


async def _interrupt(models: ModelManager, name: str, events: Recorder) -> None:
    """Start fetching ``name``, then leave the manager as soon as the first bytes are in."""
    async with asyncio.timeout(10):
        async with models:
            models.ready(name)
            await events.got_bytes.wait()


async def test_an_interrupted_download_is_reported_as_partial(
    mirror: MirrorServer,
    faults: Faults,
    settings_for: Callable[..., ModelsSettings],
    cache_dir: Path,
    events: Recorder,
    vcp: Callable[..., Any],
) -> None:
    faults.bytes_per_second = 4 * MiB  # the 3 MiB file would take 3/4 s; we leave after 1 MiB
    models = ModelManager(settings_for(mirror, SLOW_PINNED, **ONE_STREAM), on_event=events)
    await _interrupt(models, "slow", events)

    status = await models.status("slow")
    assert status.state is FileState.PARTIAL
    ((name, state, size),) = [(f.name, f.state, f.size) for f in status.files]
    assert (name, state, size) == (SLOW_FILE, FileState.PARTIAL, None)
    assert status.size == 0  # a partial counts for nothing yet
    assert len([p for p in leftovers(cache_dir) if p.name.endswith(".incomplete")]) == 1

    listed = await vcp(SLOW_PINNED, "models", "list")
    assert listed.returncode == 0
    assert table(listed.stdout)["slow"][:2] == ["partial", "-"]
    checked = await vcp(SLOW_PINNED, "models", "verify", "slow")
    assert checked.returncode == 3
    assert re.search(rf"^\s+partial\s+{SLOW_FILE}\b", checked.stdout, re.MULTILINE)
    assert "vcp models download" in checked.stderr  # the hint: run it again to resume


async def test_an_interrupted_download_of_an_unpinned_source_is_reported_as_partial(
    mirror: MirrorServer,
    faults: Faults,
    settings_for: Callable[..., ModelsSettings],
    events: Recorder,
) -> None:
    faults.bytes_per_second = 4 * MiB
    models = ModelManager(settings_for(mirror, SLOW, **ONE_STREAM), on_event=events)
    await _interrupt(models, "slow", events)

    assert (await models.status("slow")).state is FileState.PARTIAL


async def test_a_partial_that_already_holds_every_byte_is_verified_without_a_request(
    mirror: MirrorServer,
    settings_for: Callable[..., ModelsSettings],
    cache_dir: Path,
    events: Recorder,
    hashed: HashedBytes,
) -> None:
    # What a run cut off right after its last byte leaves: the whole file, still "incomplete".
    final = blob(cache_dir, SMALL_REPO, WEIGHTS_SHA)
    final.parent.mkdir(parents=True)
    partial = final.with_name(f"{final.name}.{secrets.token_hex(4)}.incomplete")
    partial.write_bytes(WEIGHTS)
    state = {"etag": WEIGHTS_SHA, "size": len(WEIGHTS), "segments": None}
    partial.with_name(partial.name + ".json").write_text(json.dumps(state), encoding="utf-8")

    async with ModelManager(settings_for(mirror, WEIGHTS_ONLY), on_event=events) as models:
        local = await models.ready("weights")

    assert local.file("weights.bin").read_bytes() == WEIGHTS
    assert file_requests(mirror) == []  # no GET, not even a Range for the (empty) rest
    assert mirror.stats.bytes_for("weights.bin") == 0
    assert [e.file for e in events.of(FileVerified)] == ["weights.bin"]
    assert not events.of(DownloadStarted) and not events.of(BytesReceived)
    assert hashed.total == len(WEIGHTS)  # read once, to verify
    assert final.read_bytes() == WEIGHTS
    assert not leftovers(cache_dir)


# -- a file system without symlinks ----------------------------------------------------------------


def no_symlinks(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise OSError(1, "Operation not permitted (no symlinks here)")

    monkeypatch.setattr(cache_module.os, "symlink", refuse)


async def test_without_symlinks_the_snapshot_holds_copies_that_stay_cached(
    mirror: MirrorServer,
    settings_for: Callable[..., ModelsSettings],
    cache_dir: Path,
    events: Recorder,
    monkeypatch: pytest.MonkeyPatch,
    vcp: Callable[..., Any],
) -> None:
    no_symlinks(monkeypatch)
    settings = settings_for(mirror, SMALL_PINNED)
    async with ModelManager(settings) as models:
        first = await models.ready("small")

    for name, data in SMALL_FILES.items():
        path = first.file(name)
        assert path.parent == first.path and not path.is_symlink() and path.is_file()
        assert path.read_bytes() == data
    assert blob(cache_dir, SMALL_REPO, WEIGHTS_SHA).read_bytes() == WEIGHTS
    status = await ModelManager(settings).status("small")
    assert status.state is FileState.CACHED
    assert [f.state for f in status.files] == [FileState.CACHED, FileState.CACHED]
    checked = await vcp(SMALL_PINNED, "models", "verify", "small")
    assert checked.returncode == 0
    assert re.search(r"^ok\s+small$", checked.stdout, re.MULTILINE)

    mirror.stats.reset()
    async with ModelManager(settings, on_event=events) as models:
        again = await models.ready("small")

    assert again == first
    assert mirror.stats.count() == 0
    assert sorted(e.file for e in events.of(FileCached)) == sorted(SMALL_FILES)
    assert not events.of(DownloadStarted)
    assert quarantined(cache_dir) == []


async def test_without_symlinks_an_unpinned_source_stays_cached(
    mirror: MirrorServer,
    settings_for: Callable[..., ModelsSettings],
    cache_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    no_symlinks(monkeypatch)
    settings = settings_for(mirror, SMALL)
    async with ModelManager(settings) as models:
        await models.ready("small")
    async with ModelManager(settings) as models:
        await models.ready("small")

    assert quarantined(cache_dir) == []
    assert (await ModelManager(settings).status("small")).state is FileState.CACHED


# -- hashing while streaming -----------------------------------------------------------------------


async def test_a_single_stream_download_is_hashed_as_it_arrives_not_read_again(
    mirror: MirrorServer,
    settings_for: Callable[..., ModelsSettings],
    hashed: HashedBytes,
) -> None:
    async with ModelManager(settings_for(mirror, SMALL)) as models:
        local = await models.ready("small")

    assert {name: local.file(name).read_bytes() for name in SMALL_FILES} == SMALL_FILES
    assert str(local.files["weights.bin"].checksum) == f"sha256:{WEIGHTS_SHA}"
    assert str(local.files["config.json"].checksum) == f"git-sha1:{git_sha1(CONFIG)}"
    # Each byte hashed once, as it arrived: no file was read back to verify it.
    assert hashed.total == sum(len(data) for data in SMALL_FILES.values())


async def test_a_ranged_download_hashes_its_pieces_in_order_and_never_the_whole_file(
    mirror: MirrorServer,
    settings_for: Callable[..., ModelsSettings],
    events: Recorder,
    hashed: HashedBytes,
) -> None:
    async with ModelManager(settings_for(mirror, SLOW, **RANGED), on_event=events) as models:
        local = await models.ready("slow")

    assert local.file(SLOW_FILE).read_bytes() == SLOW_DATA
    assert str(local.files[SLOW_FILE].checksum) == f"sha256:{sha256(SLOW_DATA)}"
    assert events.of(DownloadStarted)[0].connections == 4
    # sha256 depends on order: the right digest from exactly len(SLOW_DATA) hashed bytes means
    # the pieces were hashed once each, in file order, with no second read of the whole file.
    assert hashed.total == len(SLOW_DATA)


# -- sharing vcp's cache ---------------------------------------------------------------------------


async def test_a_mirror_serving_vcps_own_cache_gives_a_teammate_the_same_files(
    mirror: MirrorServer,
    settings_for: Callable[..., ModelsSettings],
    models_settings: Callable[..., ModelsSettings],
    cache_dir: Path,
    tmp_path: Path,
) -> None:
    async with ModelManager(settings_for(mirror, SMALL, TRIO)) as models:
        mine = await models.ensure(["small", "trio"])

    theirs = tmp_path / "teammate-cache"
    async with MirrorServer(cache_dir) as shared:  # `vcp mirror serve --root CACHE` in a test
        data = models_settings(shared.url, sources=[SMALL, TRIO]).model_dump()
        data["cache_dir"] = theirs
        async with ModelManager(ModelsSettings.model_validate(data)) as models:
            got = await models.ensure(["small", "trio"])
        served = file_requests(shared)

    for name in ("small", "trio"):
        assert got[name].revision == mine[name].revision
        assert got[name].path.parent.parent.name == mine[name].path.parent.parent.name
        assert got[name].path.is_relative_to(theirs)
        for file, local in got[name].files.items():
            assert local.path.read_bytes() == mine[name].file(file).read_bytes()
            assert local.checksum == mine[name].files[file].checksum
    assert len(served) == len(SMALL_FILES) + len(TRIO_FILES)
    assert all(r.status == 200 for r in served)


# -- subscribers -----------------------------------------------------------------------------------


async def test_a_subscriber_added_later_gets_events_until_it_is_removed(
    mirror: MirrorServer,
    settings_for: Callable[..., ModelsSettings],
) -> None:
    late, staying = Recorder(), Recorder()
    async with ModelManager(settings_for(mirror, SMALL, TRIO)) as models:
        remove = models.subscribe(late)
        models.subscribe(staying)
        await models.ready("small")
        remove()
        await models.ready("trio")

    assert sorted(e.file for e in late.of(FileVerified)) == sorted(SMALL_FILES)
    assert [e.model for e in late.of(ModelReady)] == ["small"]
    assert {e.model for e in late.events} == {"small"}
    assert [e.model for e in staying.of(ModelReady)] == ["small", "trio"]
    assert len(staying.of(FileVerified)) == len(SMALL_FILES) + len(TRIO_FILES)


async def test_a_subscriber_that_raises_does_not_break_the_download(
    mirror: MirrorServer,
    settings_for: Callable[..., ModelsSettings],
    events: Recorder,
    caplog: pytest.LogCaptureFixture,
) -> None:
    def broken(event: DownloadEvent) -> None:
        raise RuntimeError("subscriber bug")

    with caplog.at_level(logging.ERROR, logger="vcp.models.manager"):
        async with ModelManager(settings_for(mirror, SMALL), on_event=events) as models:
            models.subscribe(broken)
            local = await models.ready("small")

    assert {name: local.file(name).read_bytes() for name in SMALL_FILES} == SMALL_FILES
    assert [e.model for e in events.of(ModelReady)] == ["small"]  # the others still hear all
    failures = [r for r in caplog.records if r.name == "vcp.models.manager"]
    assert len(failures) == len(events.events)  # one logged error per event the handler missed
    for record in failures:
        assert record.levelno == logging.ERROR and "event handler" in record.getMessage()
        assert record.exc_info is not None and "subscriber bug" in str(record.exc_info[1])
