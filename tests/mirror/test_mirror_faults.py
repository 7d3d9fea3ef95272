"""Every fault knob changes what a client observes, and only for the files it targets."""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import time
from collections.abc import AsyncIterator

import aiohttp
import pytest

from vcp.mirror import Faults, MirrorServer, RequestRecord, Stats

CONFIG = "/Systran/faster-whisper-tiny.en/resolve/main/config.json"
TOKENIZER = "/Systran/faster-whisper-tiny.en/resolve/main/tokenizer.json"
WEIGHTS = "/acme/tiny/resolve/main/weights.bin"
PLAIN = "/files/releases/v1/plain.bin"


async def test_drop_after_bytes_truncates_the_body(
    mirror: MirrorServer, faults: Faults, http: aiohttp.ClientSession
) -> None:
    faults.drop_after_bytes = 1000
    async with http.get(mirror.url + CONFIG) as resp:
        assert resp.status == 200 and resp.content_length == 2317
        with pytest.raises(aiohttp.ClientPayloadError):
            await resp.read()
    assert mirror.stats.requests[-1].bytes_sent == 1000
    assert faults.dropped == 1


async def test_drop_times_limits_how_many_answers_are_cut(
    mirror: MirrorServer, faults: Faults, http: aiohttp.ClientSession
) -> None:
    faults.drop_after_bytes, faults.drop_times = 10, 1
    async with http.get(mirror.url + CONFIG) as resp:
        with pytest.raises(aiohttp.ClientPayloadError):
            await resp.read()
    async with http.get(mirror.url + CONFIG) as resp:
        assert len(await resp.read()) == 2317


async def test_drop_applies_to_the_range_asked_for(
    mirror: MirrorServer, faults: Faults, http: aiohttp.ClientSession
) -> None:
    faults.drop_after_bytes = 500
    async with http.get(mirror.url + CONFIG, headers={"Range": "bytes=2000-"}) as resp:
        assert len(await resp.read()) == 317  # shorter than the cut: not dropped
    async with http.get(mirror.url + CONFIG, headers={"Range": "bytes=1000-"}) as resp:
        with pytest.raises(aiohttp.ClientPayloadError):
            await resp.read()


@pytest.mark.parametrize("method", ["HEAD", "GET"])
async def test_fail_first_answers_503_then_recovers(
    mirror: MirrorServer, faults: Faults, http: aiohttp.ClientSession, method: str
) -> None:
    faults.fail_first = 2
    statuses = []
    for _ in range(3):
        async with http.request(method, mirror.url + CONFIG) as resp:
            statuses.append(resp.status)
            assert "Retry-After" not in resp.headers
    assert statuses == [503, 503, 200]


async def test_rate_limited_answers_say_when_to_retry(
    mirror: MirrorServer, faults: Faults, http: aiohttp.ClientSession
) -> None:
    faults.fail_first, faults.fail_status, faults.retry_after = 1, 429, 2
    async with http.get(mirror.url + CONFIG) as resp:
        assert resp.status == 429
        assert resp.headers["Retry-After"] == "2"
        assert resp.headers["RateLimit"] == '"resolvers";r=0;t=2'
    faults.reset_counters()
    faults.fail_status, faults.retry_after = 503, 0.25
    async with http.get(mirror.url + CONFIG) as resp:
        assert resp.status == 503 and resp.headers["Retry-After"] == "0.25"
        assert "RateLimit" not in resp.headers


async def test_flipped_byte_changes_the_hash(
    mirror: MirrorServer, faults: Faults, http: aiohttp.ClientSession
) -> None:
    async with http.get(mirror.url + TOKENIZER) as resp:
        good = await resp.read()
    faults.flip_byte_at = 1_000_000
    async with http.get(mirror.url + TOKENIZER) as resp:
        bad = await resp.read()
    async with http.get(mirror.url + TOKENIZER, headers={"Range": "bytes=999990-"}) as resp:
        bad_tail = await resp.read()
    assert len(bad) == len(good) and hashlib.sha256(bad).digest() != hashlib.sha256(good).digest()
    assert [i for i, (a, b) in enumerate(zip(good, bad, strict=True)) if a != b] == [1_000_000]
    assert bad_tail == bad[999_990:]


async def test_ignore_range_answers_200_with_everything(
    mirror: MirrorServer, faults: Faults, http: aiohttp.ClientSession
) -> None:
    faults.ignore_range = True
    async with http.get(mirror.url + CONFIG, headers={"Range": "bytes=100-"}) as resp:
        assert resp.status == 200 and "Content-Range" not in resp.headers
        assert len(await resp.read()) == 2317


async def test_rate_cap_paces_the_body(
    mirror: MirrorServer, faults: Faults, http: aiohttp.ClientSession, plain_body: bytes
) -> None:
    faults.bytes_per_second = 100_000
    started = time.monotonic()
    async with http.get(mirror.url + PLAIN) as resp:
        first_chunk_at = None
        received = b""
        async for chunk in resp.content.iter_any():
            first_chunk_at = first_chunk_at or time.monotonic() - started
            received += chunk
    elapsed = time.monotonic() - started
    assert received == plain_body
    assert first_chunk_at is not None and first_chunk_at < 1.0  # paced, not held back
    assert elapsed >= 1.5  # 200 kB at 100 kB/s: about 2 s


async def test_latency_delays_each_answer(
    mirror: MirrorServer, faults: Faults, http: aiohttp.ClientSession
) -> None:
    faults.latency = 0.4
    started = time.monotonic()
    async with http.head(mirror.url + CONFIG) as resp:
        assert resp.status == 200
    assert time.monotonic() - started >= 0.35


async def test_only_narrows_the_faults_to_matching_files(
    mirror: MirrorServer, faults: Faults, http: aiohttp.ClientSession
) -> None:
    faults.fail_first, faults.only = 1, "*.bin"
    async with http.get(mirror.url + CONFIG) as resp:
        assert resp.status == 200
    async with http.get(mirror.url + WEIGHTS) as resp:
        assert resp.status == 503
    assert faults.failed == 1


async def test_faults_apply_behind_the_cdn_redirect(
    cdn_mirror: MirrorServer, faults: Faults, http: aiohttp.ClientSession
) -> None:
    faults.drop_after_bytes = 4096
    async with http.get(cdn_mirror.url + WEIGHTS) as resp:
        assert resp.url.host == "localhost"
        with pytest.raises(aiohttp.ClientPayloadError):
            await resp.read()


def test_failure_counting_and_corruption_without_a_server() -> None:
    faults = Faults(fail_first=2, flip_byte_at=5)
    assert [faults.claim_failure("a") for _ in range(3)] == [True, True, False]
    assert faults.corrupt("a", b"\x00" * 4, offset=4) == b"\x00\xff\x00\x00"
    assert faults.corrupt("a", b"\x00" * 4, offset=6) == b"\x00" * 4
    faults.reset_counters()
    assert faults.claim_failure("a")


def served(path: str, size: int, *, method: str = "GET") -> RequestRecord:
    return RequestRecord(method, path, None, 200, size, had_authorization=False)


def test_stats_keep_the_last_records_and_exact_totals() -> None:
    stats = Stats(max_records=3)
    for i in range(5):
        stats.record(served(f"/files/{i}.bin", 10))
    late = stats.requests[-1]
    stats.add_bytes(late, 5)  # a body still streaming
    assert [r.path for r in stats.requests] == ["/files/2.bin", "/files/3.bin", "/files/4.bin"]
    assert (stats.total, stats.count(), stats.bytes_served) == (5, 5, 55)  # forgotten included
    assert stats.count("GET", ".bin") == 3 and stats.bytes_for("4.bin") == late.bytes_sent == 15
    copy = Stats.from_dict(stats.to_dict())
    assert (copy.total, copy.bytes_served, copy.max_records) == (5, 55, 3)
    assert copy.requests == stats.requests
    stats.reset()
    assert (stats.total, stats.bytes_served, stats.requests) == (0, 0, [])
    with pytest.raises(ValueError):
        Stats(max_records=0)


def test_stats_default_bound_is_far_above_a_test_run() -> None:
    stats = Stats([served("/a", 1), served("/b", 2, method="HEAD")])
    assert stats.max_records >= 100_000
    assert (stats.count(), stats.count("HEAD"), stats.bytes_served) == (2, 1, 3)


async def test_extra_bytes_make_the_body_longer_than_the_listed_size(
    mirror: MirrorServer, faults: Faults, http: aiohttp.ClientSession
) -> None:
    faults.extra_bytes = 100
    async with http.get(mirror.url + CONFIG) as resp:
        body = await resp.read()
        listed = int(resp.headers["X-Linked-Size"])
    assert listed == 2317 and len(body) == listed + 100
    assert resp.content_length == listed + 100
    assert mirror.stats.requests[-1].bytes_sent == listed + 100


async def test_gzip_sends_an_encoded_body_although_identity_was_asked_for(
    mirror: MirrorServer, faults: Faults, http: aiohttp.ClientSession
) -> None:
    async with http.get(mirror.url + CONFIG) as resp:
        plain = await resp.read()
    faults.gzip = True
    # auto_decompress off: what the bytes on the wire are, as a client that trusts identity sees
    async with (
        aiohttp.ClientSession(auto_decompress=False) as raw,
        raw.get(mirror.url + CONFIG, headers={"Accept-Encoding": "identity"}) as resp,
    ):
        wire = await resp.read()
        assert resp.headers["Content-Encoding"] == "gzip"
    assert wire != plain and gzip.decompress(wire) == plain
    async with raw_range(mirror, CONFIG, "bytes=2000-") as (status, body):
        assert status == 206 and gzip.decompress(body) == plain[2000:]


async def test_extra_bytes_and_gzip_follow_only(
    mirror: MirrorServer, faults: Faults, http: aiohttp.ClientSession
) -> None:
    faults.extra_bytes, faults.gzip, faults.only = 7, True, "*tokenizer.json"
    async with http.get(mirror.url + CONFIG) as resp:
        assert "Content-Encoding" not in resp.headers and len(await resp.read()) == 2317


@contextlib.asynccontextmanager
async def raw_range(
    mirror: MirrorServer, path: str, range_: str
) -> AsyncIterator[tuple[int, bytes]]:
    headers = {"Accept-Encoding": "identity", "Range": range_}
    async with (
        aiohttp.ClientSession(auto_decompress=False) as raw,
        raw.get(mirror.url + path, headers=headers) as resp,
    ):
        yield resp.status, await resp.read()


async def test_commit_header_replaces_the_commit_a_file_answer_names(
    mirror: MirrorServer, faults: Faults, http: aiohttp.ClientSession
) -> None:
    async with http.get(mirror.url + CONFIG) as resp:
        real = resp.headers["X-Repo-Commit"]
    faults.commit_header, faults.only = "../../not-a-commit", "*config.json"
    async with http.get(mirror.url + CONFIG) as resp:
        assert resp.headers["X-Repo-Commit"] == "../../not-a-commit"
        assert len(await resp.read()) == 2317
    async with http.get(mirror.url + TOKENIZER) as resp:
        assert resp.headers["X-Repo-Commit"] == real
