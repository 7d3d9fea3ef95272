"""The ModelManager against the real mirror on loopback: what a user downloading models sees.

Real sockets, real files, real hashes; only ``sleep`` is faked where retries would wait for
seconds. Synthetic repos (seeded random bytes) stand in where a test needs a file of a given
shape; the two default models are fetched for real where the test is about them.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import os
import random
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError
from vcp_testing.diskspace import nearly_full_disk
from vcp_testing.events import Recorder
from vcp_testing.fakes import FakeSleep
from vcp_testing.hashes import HashedBytes, git_sha1, sha256
from vcp_testing.hub import blob, hf_source, leftovers
from vcp_testing.mirror import file_requests

from vcp.cli.exit_codes import exit_code
from vcp.config import ModelsSettings
from vcp.config.schema import HfRepo, ModelSource
from vcp.core.checksums import Checksum
from vcp.errors import (
    DiskSpaceError,
    IntegrityError,
    ModelError,
    ModelNotFound,
    ModelUnavailable,
    UnsafePathError,
)
from vcp.mirror import Faults, MirrorServer, add_plain_file, add_repo
from vcp.mirror.seed import NUDENET_REPO, WHISPER_COMMIT, WHISPER_REPO
from vcp.models.cache.store import ModelCache
from vcp.models.downloading.transfer import PartialState
from vcp.models.events import (
    DownloadFailed,
    DownloadStarted,
    FileCached,
    FileVerified,
    ModelFailed,
    ModelReady,
    Retrying,
)
from vcp.models.manager import ModelManager
from vcp.models.planning.specs import file_specs

MiB = 1 << 20

# -- the spec: /work/shared/reference/default-models.md ------------------------------------------

WHISPER = "whisper-tiny-en"
NUDENET = "nudenet-320n"
# file -> (bytes, sha256, git blob sha1 or None for LFS files)
WHISPER_FILES = {
    "config.json": (
        2317,
        "14b1b421a90349bc551b881461426b561a874049cb9e4c4864f2ca384f6a7cc5",
        "4065bb3bed375b176d5465be117d2d202e210434",
    ),
    "model.bin": (
        75_537_502,
        "1a5afae06a4db91c975c9a9d78be5cc110ee4ea022ad57d55492e4550e936b2a",
        None,
    ),
    "tokenizer.json": (
        2_128_466,
        "929c5252409436dce1b38a75d1abbcb5e132d170d8e324e4e04ed915fa2d22df",
        "15d7bdf9ba25718ca2504eec6a8f02bc55af0a6a",
    ),
    "vocabulary.txt": (
        422_309,
        "ff77588746d3a2595d32ab5b69ffd7b95ce2441ac57533cb66fc3eb575a115cf",
        "ee695b8d3e3c10d488304e04468efec4ca27554a",
    ),
}
NUDENET_FILES = {
    "320n.onnx": (
        12_150_158,
        "c15d8273adad2d0a92f014cc69ab2d6c311a06777a55545f2c4eb46f51911f0f",
        None,
    ),
}
DEFAULT_FILES = {WHISPER: WHISPER_FILES, NUDENET: NUDENET_FILES}

# -- synthetic repos -------------------------------------------------------------------------------

BIG_REPO = "acme/big"
BIG_FILE = "big.bin"
BIG_DATA = random.Random(20240601).randbytes(24 * MiB)
SMALL_REPO = "acme/small"
SMALL_FILES = {
    "config.json": b'{"layers": 2, "hidden": 16}\n',  # a regular git file: etag = git blob sha1
    "weights.bin": random.Random(7).randbytes(256 * 1024),  # LFS: etag = sha256
}
MID_REPO = "acme/mid"
MID_FILE = "mid.bin"
MID_DATA = random.Random(5).randbytes(4 * MiB)
PLAIN_PATH = "releases/tool.onnx"
PLAIN_DATA = random.Random(11).randbytes(300_000)
TOKEN = "hf_SECRETtoken1234567890"

# Settings that split the 24 MiB file into four ranged segments of 6 MiB.
SEGMENTED = {
    "segment_threshold_bytes": 4 * MiB,
    "segment_min_bytes": 1 * MiB,
    "max_connections_per_file": 4,
}
ONE_STREAM = {"max_connections_per_file": 1}


BIG_SHA = sha256(BIG_DATA)
WEIGHTS_SHA = sha256(SMALL_FILES["weights.bin"])


BIG = hf_source("big", BIG_REPO, [BIG_FILE])
SMALL = hf_source("small", SMALL_REPO, list(SMALL_FILES))
MID = hf_source("mid", MID_REPO, [MID_FILE])


# -- fixtures --------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def mirror_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A mirror root with the synthetic repos and a plain file (never modified by tests)."""
    root = tmp_path_factory.mktemp("synthetic-mirror")
    add_repo(root, BIG_REPO, {BIG_FILE: BIG_DATA}, lfs=[BIG_FILE])
    add_repo(root, SMALL_REPO, SMALL_FILES, lfs=["weights.bin"])
    add_repo(root, MID_REPO, {MID_FILE: MID_DATA}, lfs=[MID_FILE])
    add_plain_file(root, PLAIN_PATH, PLAIN_DATA)
    return root


# -- the default models ----------------------------------------------------------------------------


async def test_ensure_fetches_both_default_models_with_the_reference_hashes(
    default_mirror: MirrorServer,
    default_models_root: Path,
    models_settings: Callable[..., ModelsSettings],
    cache_dir: Path,
    events: Recorder,
) -> None:
    async with ModelManager(models_settings(default_mirror.url), on_event=events) as models:
        ready = await models.ensure()

    assert set(ready) == {WHISPER, NUDENET}
    nudenet_folder = cache_dir / "models--deepghs--nudenet_onnx"
    nudenet_commit = (nudenet_folder / "refs" / "main").read_text().strip()
    served = (default_models_root / "models--deepghs--nudenet_onnx" / "refs" / "main").read_text()
    assert nudenet_commit == served.strip()  # the branch source's ref records what was served
    commits = {WHISPER: WHISPER_COMMIT, NUDENET: nudenet_commit}
    repos = {WHISPER: WHISPER_REPO, NUDENET: NUDENET_REPO}
    for model, files in DEFAULT_FILES.items():
        local = ready[model]
        snapshot = cache_dir / ("models--" + repos[model].replace("/", "--")) / "snapshots"
        assert local.revision == commits[model]
        assert local.path == snapshot / commits[model]
        assert local.path.is_dir()
        assert set(local.files) == set(files)
        for name, (size, sha, git) in files.items():
            path = local.path / name
            data = path.read_bytes()
            assert (len(data), sha256(data)) == (size, sha), name
            if git is not None:
                assert git_sha1(data) == git, name
            etag = git or sha
            # a relative symlink into the repo's blobs, named by the Hub's etag
            assert path.is_symlink() and not os.path.isabs(os.readlink(path))
            assert path.resolve() == blob(cache_dir, repos[model], etag).resolve()
            assert local.files[name].path == path
            assert local.files[name].size == size
            checksum = f"git-sha1:{git}" if git else f"sha256:{sha}"
            assert str(local.files[name].checksum) == checksum
    verified = {(e.model, e.file) for e in events.of(FileVerified)}
    assert verified == {(m, f) for m, files in DEFAULT_FILES.items() for f in files}
    assert len(events.of(FileVerified)) == 5
    assert sorted(e.model for e in events.of(ModelReady)) == sorted([NUDENET, WHISPER])
    assert not leftovers(cache_dir)


async def test_second_run_with_everything_cached_sends_no_request_and_hashes_nothing(
    default_mirror: MirrorServer,
    models_settings: Callable[..., ModelsSettings],
    events: Recorder,
    hashed: HashedBytes,
) -> None:
    settings = models_settings(default_mirror.url)
    async with ModelManager(settings) as models:
        first = await models.ensure()
    default_mirror.stats.reset()
    hashed.total = 0
    async with ModelManager(settings, on_event=events) as models:
        second = await models.ensure()

    # whisper is pinned to a commit; nudenet's branch was resolved minutes ago, well within
    # models.hub.metadata_ttl_hours: nothing needs asking
    assert default_mirror.stats.count() == 0
    assert second == first
    assert hashed.total == 0, "a cached file was hashed again"
    cached = {(e.model, e.file) for e in events.of(FileCached)}
    assert cached == {(m, f) for m, files in DEFAULT_FILES.items() for f in files}
    assert not events.of(DownloadStarted) and not events.of(FileVerified)
    assert {e.model for e in events.of(ModelReady)} == {WHISPER, NUDENET}


async def test_two_models_download_at_the_same_time_and_the_small_one_is_ready_first(
    default_mirror: MirrorServer,
    models_settings: Callable[..., ModelsSettings],
    events: Recorder,
) -> None:
    # ~40 MB/s per connection: whisper's 75 MB model.bin over two connections takes about a
    # second, nudenet's 12 MB file about a third of that.
    default_mirror.faults.bytes_per_second = 40_000_000
    settings = models_settings(default_mirror.url, max_connections_per_file=2)
    async with ModelManager(settings, on_event=events) as models:
        whisper = models.ready(WHISPER)
        nudenet = models.ready(NUDENET)
        local = await nudenet
        assert local.name == NUDENET
        assert not whisper.done()
        assert "model.bin" not in {e.file for e in events.of(FileVerified)}
        await whisper

    big = (
        events.when(DownloadStarted, model=WHISPER, file="model.bin"),
        events.when(FileVerified, model=WHISPER, file="model.bin"),
    )
    small = (
        events.when(DownloadStarted, model=NUDENET, file="320n.onnx"),
        events.when(FileVerified, model=NUDENET, file="320n.onnx"),
    )
    assert max(big[0], small[0]) < min(big[1], small[1])  # the intervals overlap
    assert events.when(ModelReady, model=NUDENET) < big[1]


# -- segmented and resumed transfers ---------------------------------------------------------------


async def test_large_file_is_fetched_in_ranged_segments(
    mirror: MirrorServer,
    settings_for: Callable[..., ModelsSettings],
    cache_dir: Path,
    events: Recorder,
) -> None:
    async with ModelManager(settings_for(mirror, BIG, **SEGMENTED), on_event=events) as models:
        local = await models.ready("big")

    assert local.file(BIG_FILE).read_bytes() == BIG_DATA
    assert str(local.files[BIG_FILE].checksum) == f"sha256:{BIG_SHA}"
    ranged = [r for r in file_requests(mirror, "GET") if r.status == 206]
    # The file is cut into pieces that the four connections take in order: the ranges asked for
    # are disjoint and together cover the file exactly.
    spans = sorted(
        (int(a), int(b) + 1)
        for a, b in (r.range.removeprefix("bytes=").split("-") for r in ranged if r.range)
    )
    assert len(spans) > 4
    assert spans[0][0] == 0 and spans[-1][1] == len(BIG_DATA)
    assert all(prev[1] == nxt[0] for prev, nxt in itertools.pairwise(spans))
    assert mirror.stats.count("GET", BIG_FILE) == len(ranged)  # no whole-file request besides
    assert mirror.stats.bytes_for(BIG_FILE) == len(BIG_DATA)  # each byte sent once
    (started,) = events.of(DownloadStarted)
    assert started.connections == 4
    assert not leftovers(cache_dir)


def _gets(server: MirrorServer, path_suffix: str) -> list[tuple[int, int | None, int]]:
    """(range start, range end, bytes sent) of each GET of a file, in order."""
    found = []
    for r in server.stats.requests:
        if r.method == "GET" and r.path.endswith(path_suffix):
            first, _, last = (r.range or "bytes=0-").removeprefix("bytes=").partition("-")
            found.append((int(first), int(last) if last else None, r.bytes_sent))
    return found


async def test_dropped_connection_continues_where_the_data_stopped(
    mirror: MirrorServer,
    faults: Faults,
    settings_for: Callable[..., ModelsSettings],
    events: Recorder,
    fake_sleep: FakeSleep,
) -> None:
    faults.drop_after_bytes, faults.drop_times = 5_000_000, 2
    settings = settings_for(mirror, BIG, **ONE_STREAM)
    async with ModelManager(settings, on_event=events, sleep=fake_sleep) as models:
        local = await models.ready("big")

    assert local.file(BIG_FILE).read_bytes() == BIG_DATA
    gets = _gets(mirror, BIG_FILE)
    assert len(gets) == 3 and gets[0][0] == 0
    assert [sent for _, _, sent in gets[:2]] == [5_000_000, 5_000_000]
    # Each new request asks for the bytes after those kept from the one before: progress is
    # kept (the start moves on) and nothing past what was sent is assumed.
    for (before, _, sent), (start, _, _) in itertools.pairwise(gets):
        assert before < start <= before + sent
    assert [e.resumed_from for e in events.of(DownloadStarted)] == [g[0] for g in gets]
    # drops after progress are not failed attempts: no retry announced, no wait taken
    assert not events.of(Retrying) and not fake_sleep.delays


async def test_dropped_segments_continue_where_their_data_stopped(
    mirror: MirrorServer,
    faults: Faults,
    settings_for: Callable[..., ModelsSettings],
    events: Recorder,
    fake_sleep: FakeSleep,
) -> None:
    faults.drop_after_bytes, faults.drop_times = 500_000, 2  # inside the first two pieces
    settings = settings_for(mirror, BIG, **SEGMENTED)
    async with ModelManager(settings, on_event=events, sleep=fake_sleep) as models:
        local = await models.ready("big")

    assert local.file(BIG_FILE).read_bytes() == BIG_DATA
    gets = _gets(mirror, BIG_FILE)
    dropped = [g for g in gets if g[2] == 500_000 and g[1] is not None and g[1] - g[0] >= MiB - 1]
    assert len(dropped) == 2
    # each dropped piece is asked again for its own rest, from where its data stopped
    for start, end, sent in dropped:
        (resumed,) = [g for g in gets if g[1] == end and g[0] != start]
        assert start < resumed[0] <= start + sent
    assert not events.of(Retrying) and not fake_sleep.delays


async def test_a_link_that_drops_every_few_hundred_kilobytes_still_completes(
    mirror: MirrorServer,
    faults: Faults,
    settings_for: Callable[..., ModelsSettings],
    events: Recorder,
    fake_sleep: FakeSleep,
) -> None:
    # Every answer is cut after 600 kB, less than the downloader's 1 MiB write chunk; the body
    # trickles in 256 KiB pieces so the client reads most of each answer before the cut.
    faults.drop_after_bytes, faults.bytes_per_second = 600_000, 16_000_000
    async with ModelManager(
        settings_for(mirror, MID, **ONE_STREAM), on_event=events, sleep=fake_sleep
    ) as models:
        local = await models.ready("mid")

    assert local.file(MID_FILE).read_bytes() == MID_DATA
    gets = _gets(mirror, MID_FILE)
    assert len(gets) > 4  # more drops than the 3 retries allow for attempts without progress
    assert all(before < start for (before, _, _), (start, _, _) in itertools.pairwise(gets))
    assert not events.of(Retrying) and not fake_sleep.delays


async def test_partial_file_from_an_earlier_run_is_continued(
    mirror: MirrorServer,
    settings_for: Callable[..., ModelsSettings],
    cache_dir: Path,
    events: Recorder,
) -> None:
    _leave_partial(cache_dir, 5_000_000)
    async with ModelManager(settings_for(mirror, BIG, **ONE_STREAM), on_event=events) as models:
        local = await models.ready("big")

    assert local.file(BIG_FILE).read_bytes() == BIG_DATA
    (get,) = file_requests(mirror, "GET")
    assert (get.range, get.status) == ("bytes=5000000-", 206)
    assert mirror.stats.bytes_for(BIG_FILE) == len(BIG_DATA) - 5_000_000
    assert events.of(DownloadStarted)[0].resumed_from == 5_000_000
    assert not leftovers(cache_dir)


def _leave_partial(cache_dir: Path, length: int) -> Path:
    """What an interrupted earlier run leaves: the first bytes and the resume state."""
    final = blob(cache_dir, BIG_REPO, BIG_SHA)
    partial = ModelCache(cache_dir).new_partial(final)
    partial.write_bytes(BIG_DATA[:length])
    PartialState(etag=BIG_SHA, size=len(BIG_DATA)).save(partial)
    return partial


async def test_server_ignoring_range_still_gives_a_correct_segmented_file(
    mirror: MirrorServer,
    faults: Faults,
    settings_for: Callable[..., ModelsSettings],
    cache_dir: Path,
) -> None:
    faults.ignore_range = True
    async with ModelManager(settings_for(mirror, BIG, **SEGMENTED)) as models:
        local = await models.ready("big")

    assert local.file(BIG_FILE).read_bytes() == BIG_DATA
    gets = file_requests(mirror, "GET")
    assert any(r.range and r.status == 200 for r in gets)  # asked for a range, got everything
    assert not leftovers(cache_dir)


async def test_server_ignoring_range_on_resume_restarts_the_file_cleanly(
    mirror: MirrorServer,
    faults: Faults,
    settings_for: Callable[..., ModelsSettings],
    cache_dir: Path,
) -> None:
    partial = _leave_partial(cache_dir, 5_000_000)
    # A partial whose bytes would be wrong if the 200 answer were appended to them.
    partial.write_bytes(b"\0" * 5_000_000)
    faults.ignore_range = True
    async with ModelManager(settings_for(mirror, BIG, **ONE_STREAM)) as models:
        local = await models.ready("big")

    assert local.file(BIG_FILE).read_bytes() == BIG_DATA
    (get,) = file_requests(mirror, "GET")
    assert (get.range, get.status) == ("bytes=5000000-", 200)
    assert not leftovers(cache_dir)


# -- a broken cache, broken bytes ------------------------------------------------------------------


async def test_corrupted_cache_entry_is_moved_aside_and_fetched_again(
    mirror: MirrorServer,
    settings_for: Callable[..., ModelsSettings],
    cache_dir: Path,
    events: Recorder,
) -> None:
    settings = settings_for(mirror, SMALL)
    async with ModelManager(settings) as models:
        await models.ready("small")
    weights = blob(cache_dir, SMALL_REPO, WEIGHTS_SHA)
    bad = bytes(len(SMALL_FILES["weights.bin"]))  # same size, wrong bytes
    tmp = weights.with_name("corrupt.tmp")
    tmp.write_bytes(bad)
    os.replace(tmp, weights)
    mirror.stats.reset()

    async with ModelManager(settings, on_event=events) as models:
        local = await models.ready("small")

    assert local.file("weights.bin").read_bytes() == SMALL_FILES["weights.bin"]
    assert mirror.stats.count("GET", "/weights.bin") == 1
    assert mirror.stats.count("GET", "/config.json") == 0  # the intact file stays
    assert [e.file for e in events.of(FileVerified)] == ["weights.bin"]
    assert [e.file for e in events.of(FileCached)] == ["config.json"]
    quarantined = list((cache_dir / ".vcp" / "quarantine").iterdir())
    assert [p.read_bytes() for p in quarantined] == [bad]


@pytest.mark.parametrize(
    ("source", "file", "etag", "download"),
    [
        (SMALL, "weights.bin", WEIGHTS_SHA, ONE_STREAM),
        (BIG, BIG_FILE, BIG_SHA, SEGMENTED),
    ],
    ids=["one-stream", "segmented"],
)
async def test_corrupt_bytes_from_the_server_fail_and_leave_no_file(
    mirror: MirrorServer,
    faults: Faults,
    settings_for: Callable[..., ModelsSettings],
    cache_dir: Path,
    events: Recorder,
    source: dict[str, Any],
    file: str,
    etag: str,
    download: dict[str, int],
) -> None:
    faults.flip_byte_at, faults.only = 1000, file
    repo = source["hf"]["repo"]
    async with ModelManager(settings_for(mirror, source, **download), on_event=events) as models:
        with pytest.raises(IntegrityError) as caught:
            await models.ready(source["name"])

    err = caught.value
    assert (err.model, err.file) == (source["name"], file)
    assert err.expected == f"sha256:{etag}"
    assert err.got.startswith("sha256:") and err.got != err.expected
    for part in (source["name"], file, err.expected, err.got):
        assert part in str(err)
    assert err.hint and "checksum" in err.hint
    assert exit_code(err) == 3
    assert not blob(cache_dir, repo, etag).exists()
    # the bad bytes are gone (a sibling file cut short may keep its partial for a resume)
    assert [p for p in leftovers(cache_dir) if p.name.startswith(etag)] == []
    assert [e.file for e in events.of(DownloadFailed)] == [file]
    assert [e.error for e in events.of(ModelFailed)] == [err]


async def test_pinned_checksum_that_disagrees_with_the_server_fails_before_any_body(
    mirror: MirrorServer,
    settings_for: Callable[..., ModelsSettings],
    cache_dir: Path,
) -> None:
    pinned = "sha256:" + "ab" * 32
    source = hf_source("pinned", SMALL_REPO, ["weights.bin"], checksums={"weights.bin": pinned})
    async with ModelManager(settings_for(mirror, source)) as models:
        with pytest.raises(IntegrityError) as caught:
            await models.ready("pinned")

    err = caught.value
    assert (err.model, err.file, err.expected) == ("pinned", "weights.bin", pinned)
    assert WEIGHTS_SHA in err.got
    assert "checksums" in (err.hint or "") or "pin" in (err.hint or "")
    assert file_requests(mirror, "GET") == []
    assert mirror.stats.bytes_served == 0
    assert not leftovers(cache_dir)


# -- what the server says --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "code", "names", "hint"),
    [
        (hf_source("m", SMALL_REPO, ["nope.bin"]), "EntryNotFound", "nope.bin", "files"),
        (hf_source("m", "acme/nope", ["x.bin"]), "RepoNotFound", "acme/nope", "repo"),
        (
            hf_source("m", SMALL_REPO, ["config.json"], revision="v9"),
            "RevisionNotFound",
            "v9",
            "branches",
        ),
    ],
    ids=["file", "repo", "revision"],
)
async def test_missing_file_repo_or_revision_fails_at_once_with_a_hint(
    mirror: MirrorServer,
    settings_for: Callable[..., ModelsSettings],
    events: Recorder,
    fake_sleep: FakeSleep,
    source: dict[str, Any],
    code: str,
    names: str,
    hint: str,
) -> None:
    async with ModelManager(
        settings_for(mirror, source), on_event=events, sleep=fake_sleep
    ) as models:
        with pytest.raises(ModelNotFound) as caught:
            await models.ready("m")

    err = caught.value
    assert err.code == code
    assert "not found" in str(err) and "'m'" in str(err)
    assert names in f"{err} {err.hint} {err.url}"  # says what is missing, and where
    assert err.hint and hint in err.hint  # and what to check
    assert exit_code(err) == 3
    # no retry for an answer that cannot change: every URL was asked once at most
    asked = [(r.method, r.path) for r in mirror.stats.requests if r.path != "/api/models"]
    assert len(asked) == len(set(asked))
    searches = [r for r in mirror.stats.requests if r.path == "/api/models"]
    assert len(searches) <= 3  # the "did you mean" look-ups: a few quick searches, no retries
    assert not events.of(Retrying) and not fake_sleep.delays


async def test_server_errors_are_retried_with_backoff_until_it_recovers(
    mirror: MirrorServer,
    faults: Faults,
    settings_for: Callable[..., ModelsSettings],
    events: Recorder,
    fake_sleep: FakeSleep,
) -> None:
    faults.fail_first, faults.fail_status = 2, 503
    async with ModelManager(
        settings_for(mirror, SMALL), on_event=events, sleep=fake_sleep
    ) as models:
        local = await models.ready("small")

    assert local.file("weights.bin").read_bytes() == SMALL_FILES["weights.bin"]
    assert [r.status for r in mirror.stats.requests].count(503) == 2
    retries = events.of(Retrying)
    assert [e.attempt for e in retries] == [1, 2] or sorted(e.attempt for e in retries) == [1, 1]
    assert all("503" in e.reason for e in retries)
    assert fake_sleep.delays == [e.delay for e in retries]
    for retry in retries:
        step = (2.0, 4.0, 8.0)[retry.attempt - 1]
        assert step * 0.9 <= retry.delay <= step * 1.1


async def test_rate_limit_answer_is_honoured_before_retrying(
    mirror: MirrorServer,
    faults: Faults,
    settings_for: Callable[..., ModelsSettings],
    events: Recorder,
    fake_sleep: FakeSleep,
) -> None:
    faults.fail_first, faults.fail_status, faults.retry_after = 1, 429, 30
    source = hf_source("small", SMALL_REPO, ["weights.bin"])
    async with ModelManager(
        settings_for(mirror, source), on_event=events, sleep=fake_sleep
    ) as models:
        local = await models.ready("small")

    assert local.file("weights.bin").read_bytes() == SMALL_FILES["weights.bin"]
    assert len(fake_sleep.delays) == 1 and fake_sleep.delays[0] >= 30
    (retry,) = events.of(Retrying)
    assert retry.delay >= 30 and "429" in retry.reason


# -- refusing early --------------------------------------------------------------------------------


async def test_not_enough_disk_space_fails_before_any_download(
    mirror: MirrorServer,
    settings_for: Callable[..., ModelsSettings],
    cache_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    nearly_full_disk(monkeypatch)
    settings = settings_for(mirror, SMALL, BIG, disk_space_factor=2.0)
    async with ModelManager(settings) as models:
        with pytest.raises(DiskSpaceError) as caught:
            await models.ensure(["small", "big"])

    err = caught.value
    pending = len(BIG_DATA) + sum(len(d) for d in SMALL_FILES.values())
    assert err.required >= pending * 2 > err.available == 1000
    assert err.path == cache_dir
    text = str(err)
    assert str(cache_dir) in text and "needed" in text and "free" in text
    assert err.hint and "cache_dir" in err.hint
    assert exit_code(err) == 3
    assert file_requests(mirror, "GET") == []
    assert not leftovers(cache_dir)


async def test_offline_with_an_empty_cache_fails_at_once_without_the_network(
    mirror: MirrorServer,
    settings_for: Callable[..., ModelsSettings],
) -> None:
    async with ModelManager(settings_for(mirror, SMALL), offline=True) as models:
        with pytest.raises(ModelUnavailable) as caught:
            await models.ready("small")

    assert "offline" in str(caught.value)
    assert caught.value.hint and "vcp models download small" in caught.value.hint
    assert mirror.stats.count() == 0


async def test_offline_with_a_warm_cache_is_ready_without_the_network(
    mirror: MirrorServer,
    settings_for: Callable[..., ModelsSettings],
) -> None:
    settings = settings_for(mirror, SMALL)
    async with ModelManager(settings) as models:
        online = await models.ready("small")
    mirror.stats.reset()

    async with ModelManager(settings, offline=True) as models:
        offline = await models.ready("small")

    assert offline == online
    assert mirror.stats.count() == 0


# -- lifecycle -------------------------------------------------------------------------------------


async def test_leaving_the_context_cancels_a_running_download_and_keeps_the_partial(
    mirror: MirrorServer,
    faults: Faults,
    settings_for: Callable[..., ModelsSettings],
    cache_dir: Path,
    events: Recorder,
) -> None:
    faults.bytes_per_second = 4 * MiB  # the whole file would take 6 s
    models = ModelManager(settings_for(mirror, BIG, **ONE_STREAM), on_event=events)
    async with asyncio.timeout(20):
        async with models:
            future = models.ready("big")
            assert models.ready("big") is future  # every caller gets the same future
            await events.got_bytes.wait()
        assert future.cancelled()

    assert mirror.stats.bytes_for(BIG_FILE) < len(BIG_DATA)
    assert not blob(cache_dir, BIG_REPO, BIG_SHA).exists()
    partials = [p for p in leftovers(cache_dir) if p.name.endswith(".incomplete")]
    assert len(partials) == 1 and partials[0].stat().st_size > 0
    assert BIG_DATA.startswith(partials[0].read_bytes())
    assert not (cache_dir / "models--acme--big" / "snapshots").exists()
    with pytest.raises(RuntimeError):
        models.ready("big")
    with pytest.raises(RuntimeError):
        await models.ensure(["big"])
    with pytest.raises(RuntimeError):
        async with models:
            pass


# -- token -----------------------------------------------------------------------------------------


async def test_token_goes_to_the_hub_only_and_never_into_logs_or_errors(
    mirror_root: Path,
    settings_for: Callable[..., ModelsSettings],
    events: Recorder,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    missing = hf_source("missing", SMALL_REPO, ["absent.bin"])
    async with MirrorServer(mirror_root, cdn=True) as server:
        settings = settings_for(server, SMALL, missing)
        async with ModelManager(settings, token=TOKEN, on_event=events) as models:
            await models.ready("small")
            with pytest.raises(ModelNotFound) as caught:
                await models.ready("missing")
        requests = list(server.stats.requests)

    cdn = [r for r in requests if r.path.startswith("/cdn/")]
    hub = [r for r in requests if not r.path.startswith("/cdn/")]
    assert cdn and all(not r.had_authorization for r in cdn)  # the LFS body came from the CDN
    assert any("/resolve/" in r.path for r in hub) and all(r.had_authorization for r in hub)
    err = caught.value
    shown = [str(err), repr(err), err.hint or "", caplog.text, *map(repr, events.of(object))]
    assert not [text for text in shown if TOKEN in text]


# -- plain URL sources -----------------------------------------------------------------------------


def _url_source(server: MirrorServer, **extra: Any) -> dict[str, Any]:
    return {"name": "tool", "url": f"{server.url}/files/{PLAIN_PATH}", **extra}


async def test_url_source_with_a_checksum_downloads_into_its_own_folder(
    mirror: MirrorServer,
    settings_for: Callable[..., ModelsSettings],
    cache_dir: Path,
) -> None:
    source = _url_source(mirror, checksum=sha256(PLAIN_DATA), algorithm="sha256")
    async with ModelManager(settings_for(mirror, source)) as models:
        local = await models.ready("tool")

    assert local.path == cache_dir / "url--tool" / "tool.onnx"
    assert local.path.read_bytes() == PLAIN_DATA
    assert local.files["tool.onnx"].checksum == Checksum("sha256", sha256(PLAIN_DATA))
    assert local.revision is None


async def test_url_source_without_a_checksum_is_refused_before_downloading(
    mirror: MirrorServer,
    settings_for: Callable[..., ModelsSettings],
    cache_dir: Path,
) -> None:
    async with ModelManager(settings_for(mirror, _url_source(mirror))) as models:
        with pytest.raises(ModelError) as caught:
            await models.ready("tool")

    assert "no checksum" in str(caught.value) and "tool" in str(caught.value)
    assert caught.value.hint and "allow_unverified" in caught.value.hint
    assert mirror.stats.count() == 0
    assert not (cache_dir / "url--tool").exists()


async def test_url_source_allowed_unverified_succeeds_with_a_warning_and_records_its_hash(
    mirror: MirrorServer,
    settings_for: Callable[..., ModelsSettings],
    cache_dir: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    settings = settings_for(mirror, _url_source(mirror, allow_unverified=True))
    with caplog.at_level(logging.WARNING):
        async with ModelManager(settings) as models:
            local = await models.ready("tool")

    expected = Checksum("sha256", sha256(PLAIN_DATA))
    assert local.path.read_bytes() == PLAIN_DATA
    assert local.files["tool.onnx"].checksum == expected
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert any("tool" in r.getMessage() and "checksum" in r.getMessage() for r in warnings)
    record = ModelCache(cache_dir).recorded(local.path)
    assert record is not None and record.checksum == str(expected)
    mirror.stats.reset()
    async with ModelManager(settings) as models:  # the recorded hash vouches for it next time
        again = await models.ready("tool")
    assert again.files["tool.onnx"].checksum == expected
    assert mirror.stats.count() == 0


# -- path safety -----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["../evil", "a/../../evil", "/etc/passwd", "a\\..\\b", "a\0b"])
def test_file_names_escaping_the_cache_are_rejected(
    models_settings: Callable[..., ModelsSettings], name: str
) -> None:
    with pytest.raises(ValidationError):
        models_settings("http://127.0.0.1:9", sources=[hf_source("evil", SMALL_REPO, [name])])
    # A source built without validation (an embedder, a future listing) is stopped as well.
    hf = HfRepo.model_construct(repo=SMALL_REPO, revision="main", files=(name,))
    source = ModelSource.model_construct(name="evil", hf=hf)
    with pytest.raises(UnsafePathError) as caught:
        file_specs(source, endpoint="http://127.0.0.1:9")
    assert caught.value.model == "evil" and caught.value.hint


async def test_a_damaged_partial_is_fetched_anew_in_the_same_run(
    mirror: MirrorServer,
    settings_for: Callable[..., ModelsSettings],
    cache_dir: Path,
    events: Recorder,
) -> None:
    # What a run cancelled mid-way behind a lying server leaves (seen in the soak): the right
    # resume state, a wrong byte. The hash catches it at the end; one fresh fetch repairs it.
    partial = _leave_partial(cache_dir, 5_000_000)
    damaged = bytearray(partial.read_bytes())
    damaged[1234] ^= 0xFF
    partial.write_bytes(bytes(damaged))
    async with ModelManager(settings_for(mirror, BIG, **ONE_STREAM), on_event=events) as models:
        local = await models.ready("big")

    assert local.file(BIG_FILE).read_bytes() == BIG_DATA
    ranges = [r.range for r in file_requests(mirror, "GET")]
    assert ranges == ["bytes=5000000-", None]  # the resume, then the whole file once more
    assert mirror.stats.bytes_for(BIG_FILE) == 2 * len(BIG_DATA) - 5_000_000
    assert not leftovers(cache_dir)
