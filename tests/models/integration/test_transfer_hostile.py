"""Transfers against servers that misbehave on purpose (issue #9): every run ends, verified or with
a clear error, after a bounded number of requests.

The mirror's fault knobs make most of the trouble (over-long, gzip-encoded, cut-short, trickling
bodies, long Retry-After, lying commit headers); a small aiohttp server of the test's own plays
what the mirror will not (redirects to ``file://``, a changed file behind the same ETag).
"""

from __future__ import annotations

import asyncio
import hashlib
import random
import re
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from vcp_testing.events import Recorder
from vcp_testing.fakes import FakeSleep
from vcp_testing.hub import hf_source, leftovers
from vcp_testing.mirror import file_requests

from vcp.config import ModelsSettings
from vcp.errors import DownloadError
from vcp.mirror import Faults, MirrorServer, add_repo
from vcp.models.events import Retrying
from vcp.models.manager import ModelManager

pytestmark = pytest.mark.timeout(60)  # each test fails in seconds; before the fixes, some looped

REPO = "acme/hostile"
FILE = "weights.bin"
DATA = random.Random(9).randbytes(200_000)
SOURCE = hf_source("hostile", REPO, [FILE])
NO_WAITS = {"retry_backoff_seconds": (0.0, 0.0, 0.0)}
CLOSED = re.compile(r"after (\d+) of (\d+) bytes")


@pytest.fixture(scope="module")
def mirror_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("hostile-mirror")
    add_repo(root, REPO, {FILE: DATA}, lfs=[FILE])
    return root


async def fetch(settings: ModelsSettings, events: Recorder, sleep: FakeSleep) -> Path:
    async with ModelManager(settings, on_event=events, sleep=sleep) as models:
        return (await models.ready("hostile")).file(FILE)


async def fails(settings: ModelsSettings, events: Recorder, sleep: FakeSleep) -> DownloadError:
    with pytest.raises(DownloadError) as caught:
        await fetch(settings, events, sleep)
    return caught.value


def assert_no_byte_count_beyond_the_size(events: Recorder, error: Exception | None) -> None:
    texts = [e.reason for e in events.of(Retrying)] + ([str(error)] if error else [])
    for got, size in (map(int, m.groups()) for t in texts for m in CLOSED.finditer(t)):
        assert got <= size


# -- endless re-download loops ---------------------------------------------------------------------


async def test_a_body_longer_than_the_listed_size_is_cut_at_the_size_and_verified(
    mirror: MirrorServer,
    faults: Faults,
    settings_for: Callable[..., ModelsSettings],
    events: Recorder,
    fake_sleep: FakeSleep,
    cache_dir: Path,
) -> None:
    faults.extra_bytes = 4096
    path = await fetch(settings_for(mirror, SOURCE, **NO_WAITS), events, fake_sleep)

    assert path.read_bytes() == DATA
    assert len(file_requests(mirror, "GET")) == 1
    assert events.of(Retrying) == []
    assert leftovers(cache_dir) == []


async def test_a_server_that_ignores_range_and_drops_gives_up_after_a_few_restarts(
    mirror: MirrorServer,
    faults: Faults,
    settings_for: Callable[..., ModelsSettings],
    events: Recorder,
    fake_sleep: FakeSleep,
) -> None:
    faults.drop_after_bytes, faults.ignore_range = 50_000, True
    error = await fails(settings_for(mirror, SOURCE, **NO_WAITS), events, fake_sleep)

    assert "started the file over" in str(error)
    assert error.hint and "Range" in error.hint and "by hand" in error.hint
    assert len(file_requests(mirror, "GET")) <= 6
    assert mirror.stats.bytes_for(FILE) <= 6 * 50_000
    assert_no_byte_count_beyond_the_size(events, error)


async def test_a_gzip_encoded_body_is_refused_not_written_as_the_file(
    mirror: MirrorServer,
    faults: Faults,
    settings_for: Callable[..., ModelsSettings],
    events: Recorder,
    fake_sleep: FakeSleep,
    cache_dir: Path,
) -> None:
    faults.gzip = True
    error = await fails(settings_for(mirror, SOURCE, **NO_WAITS), events, fake_sleep)

    assert "gzip-encoded" in str(error)
    assert error.hint and "compresses" in error.hint
    assert len(file_requests(mirror, "GET")) == 1  # refused at once, not retried
    assert not list(cache_dir.glob("**/blobs/*"))
    assert leftovers(cache_dir) == []


# -- trickling servers and long waits --------------------------------------------------------------


async def test_a_trickling_server_fails_the_attempt_below_the_minimum_speed(
    mirror: MirrorServer,
    faults: Faults,
    settings_for: Callable[..., ModelsSettings],
    events: Recorder,
    fake_sleep: FakeSleep,
) -> None:
    faults.bytes_per_second = 2048  # the whole file would take 100 s
    settings = settings_for(
        mirror,
        SOURCE,
        retry_backoff_seconds=(0.0,),
        min_speed_bytes_per_second=64 * 1024,
        min_speed_window_seconds=0.2,
    )
    error = await fails(settings, events, fake_sleep)

    assert "too slow" in str(error) and "min_speed_bytes_per_second" in str(error)
    assert "64 KiB/s" in str(error)
    assert len(events.of(Retrying)) == 1  # a slow attempt uses up a retry, bytes or not
    assert len(file_requests(mirror, "GET")) == 2


async def test_a_retry_after_beyond_the_per_file_limit_fails_at_once_saying_until_when(
    mirror: MirrorServer,
    faults: Faults,
    settings_for: Callable[..., ModelsSettings],
    events: Recorder,
    fake_sleep: FakeSleep,
) -> None:
    faults.fail_first, faults.fail_status, faults.retry_after = 10, 503, 3600
    settings = settings_for(mirror, SOURCE, max_retry_wait_seconds=60)
    error = await fails(settings, events, fake_sleep)

    assert fake_sleep.delays == []  # no hour-long sleep
    assert "3600 s" in str(error) and "until" in str(error)
    assert "max_retry_wait_seconds" in str(error)
    assert len(file_requests(mirror, "GET")) == 1


async def test_retry_waits_add_up_to_the_per_file_limit_and_each_says_when(
    mirror: MirrorServer,
    faults: Faults,
    settings_for: Callable[..., ModelsSettings],
    events: Recorder,
    fake_sleep: FakeSleep,
) -> None:
    faults.fail_first, faults.fail_status, faults.retry_after = 10, 503, 20
    settings = settings_for(mirror, SOURCE, max_retry_wait_seconds=50)
    error = await fails(settings, events, fake_sleep)

    assert fake_sleep.delays == [20, 20]  # a third wait would make 60 s
    retrying = events.of(Retrying)
    assert [r.delay for r in retrying] == [20, 20]
    assert all(r.at is not None for r in retrying)
    assert "until" in str(error)


# -- redirects, commits and validators: a server of the test's own ---------------------------------


@dataclass
class Lying:
    """What the test's server answers: a body, its validators, and a few misdeeds."""

    data: bytes
    etag: str = '"v1"'
    last_modified: str = "Mon, 30 Nov 2026 10:00:00 GMT"
    commit: str | None = None
    redirect: str | None = None
    drop_after: int | None = None  # close after that many body bytes, then answer 503
    requests: list[tuple[str, str | None]] = field(default_factory=list)


async def _answer(server: Lying, request: web.Request) -> web.StreamResponse:
    if request.path.startswith("/api/"):
        return web.Response(status=404)  # no Hub API: a plain file server
    server.requests.append((request.method, request.headers.get("Range")))
    if server.redirect:
        return web.Response(status=302, headers={"Location": server.redirect})
    if server.drop_after is not None and server.drop_after < 0:
        return web.Response(status=503)
    start = int(request.headers.get("Range", "bytes=0-")[6:].rstrip("-"))  # honoured always
    headers = {"ETag": server.etag, "Last-Modified": server.last_modified, "Accept-Ranges": "bytes"}
    if server.commit:
        headers["X-Repo-Commit"] = server.commit
    if start:
        headers["Content-Range"] = f"bytes {start}-{len(server.data) - 1}/{len(server.data)}"
    response = web.StreamResponse(status=206 if start else 200, headers=headers)
    response.content_length = len(server.data) - start
    await response.prepare(request)
    if request.method == "GET":
        body = server.data[start:]
        if server.drop_after is not None:
            await response.write(body[: server.drop_after])
            server.drop_after = -1  # every later request: 503
            # Let the client read what was sent before the connection goes: a close that
            # arrives with the data makes aiohttp drop the data (it raises first).
            await asyncio.sleep(0.2)
            assert request.transport is not None
            request.transport.close()
            return response
        await response.write(body)
    return response


@pytest.fixture
async def lying() -> AsyncIterator[tuple[Lying, str]]:
    server = Lying(data=DATA)
    app = web.Application()

    async def handle(request: web.Request) -> web.StreamResponse:
        return await _answer(server, request)

    app.router.add_route("*", "/{path:.*}", handle)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        yield server, f"http://127.0.0.1:{port}"
    finally:
        await runner.cleanup()


def url_source(base: str, **extra: Any) -> dict[str, Any]:
    return {"name": "hostile", "url": f"{base}/{FILE}", "filename": FILE, **extra}


async def test_a_redirect_to_a_file_url_is_refused_at_once(
    lying: tuple[Lying, str],
    models_settings: Callable[..., ModelsSettings],
    events: Recorder,
    fake_sleep: FakeSleep,
) -> None:
    server, base = lying
    server.redirect = "file:///etc/passwd"
    sha = hashlib.sha256(DATA).hexdigest()
    settings = models_settings(base, sources=[url_source(base, checksum=f"sha256:{sha}")])
    error = await fails(settings, events, fake_sleep)

    assert "non-HTTP" in str(error) and "file:///etc/passwd" in str(error)
    assert len(server.requests) == 1 and events.of(Retrying) == []


async def test_a_commit_header_naming_no_commit_is_refused_before_any_body(
    lying: tuple[Lying, str],
    models_settings: Callable[..., ModelsSettings],
    events: Recorder,
    fake_sleep: FakeSleep,
    cache_dir: Path,
) -> None:
    server, base = lying  # no Hub API: vcp asks about the file with HEAD
    server.commit, server.etag = "../../../escaped", f'"{hashlib.sha256(DATA).hexdigest()}"'
    settings = models_settings(base, sources=[hf_source("hostile", "acme/hostile", [FILE])])
    error = await fails(settings, events, fake_sleep)

    assert "no valid commit" in str(error) and "escaped" in str(error)
    assert [method for method, _ in server.requests if method == "GET"] == []
    assert not list(cache_dir.glob("**/blobs/*"))


async def test_a_commit_header_on_the_file_answer_is_checked_before_its_body(
    mirror: MirrorServer,
    faults: Faults,
    settings_for: Callable[..., ModelsSettings],
    events: Recorder,
    fake_sleep: FakeSleep,
    cache_dir: Path,
) -> None:
    faults.commit_header = "not-a-commit"  # the Hub API names the right one; the GET lies
    error = await fails(settings_for(mirror, SOURCE, **NO_WAITS), events, fake_sleep)

    assert "no valid commit" in str(error)
    assert len(file_requests(mirror, "GET")) == 1
    assert not list(cache_dir.glob("**/blobs/*")) and leftovers(cache_dir) == []


@pytest.mark.parametrize(
    ("etag", "last_modified"),
    [
        ('W/"same"', "Mon, 30 Nov 2026 10:00:00 GMT"),  # a weak ETag promises no bytes
        ('"same"', "Tue, 01 Dec 2026 07:00:00 GMT"),  # a strong one, but Last-Modified moved
    ],
    ids=["weak-etag", "last-modified-changed"],
)
async def test_without_a_pinned_hash_a_changed_file_is_not_spliced_onto_old_bytes(
    lying: tuple[Lying, str],
    models_settings: Callable[..., ModelsSettings],
    events: Recorder,
    fake_sleep: FakeSleep,
    etag: str,
    last_modified: str,
) -> None:
    server, base = lying
    server.etag, server.drop_after = etag, 80_000
    settings = models_settings(
        base, sources=[url_source(base, allow_unverified=True)], retry_backoff_seconds=()
    )
    await fails(settings, events, fake_sleep)  # 80 000 bytes kept, then only 503s

    new = random.Random(10).randbytes(len(DATA))  # changed on the server, same ETag
    server.data, server.last_modified, server.drop_after = new, last_modified, None
    async with ModelManager(settings, on_event=events, sleep=fake_sleep) as models:
        path = (await models.ready("hostile")).file(FILE)

    assert path.read_bytes() == new


async def test_with_a_strong_unchanged_validator_an_unpinned_file_still_resumes(
    lying: tuple[Lying, str],
    models_settings: Callable[..., ModelsSettings],
    events: Recorder,
    fake_sleep: FakeSleep,
) -> None:
    server, base = lying
    server.drop_after = 80_000
    settings = models_settings(
        base, sources=[url_source(base, allow_unverified=True)], retry_backoff_seconds=()
    )
    await fails(settings, events, fake_sleep)
    server.drop_after, server.requests = None, []
    async with ModelManager(settings, on_event=events, sleep=fake_sleep) as models:
        path = (await models.ready("hostile")).file(FILE)

    assert path.read_bytes() == DATA
    assert ("GET", "bytes=80000-") in server.requests
