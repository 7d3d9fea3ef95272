"""The Hub side of a download under hostile servers and real users (issue #9): metadata answers
that never end or never stop growing, a file list that lied, a Hub that cannot be reached, a
fully pinned model already in the user's Hugging Face cache, ``hf.files`` left out, and ``-v``
showing each request.
"""

from __future__ import annotations

import asyncio
import logging
import random
import re
import socket
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from vcp_testing.events import Recorder
from vcp_testing.fakes import FakeSleep
from vcp_testing.hashes import sha256
from vcp_testing.hub import hf_source
from vcp_testing.mirror import api_requests

from vcp.config import ModelsSettings
from vcp.core.checksums import Checksum
from vcp.errors import DownloadError, IntegrityError
from vcp.mirror import MirrorServer, add_repo
from vcp.models.events import FileReused
from vcp.models.hub.api import HubFile, RepoSnapshot
from vcp.models.hub.metadata import MetadataCache
from vcp.models.manager import ModelManager

REPO = "acme/small"
FILES = {
    "config.json": b'{"layers": 2}\n',
    "weights.bin": random.Random(9).randbytes(128 * 1024),
}
WEIGHTS_SHA = sha256(FILES["weights.bin"])
LIMITS = {"metadata_timeout_seconds": 0.5, "metadata_max_bytes": 64 * 1024}


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    root = tmp_path_factory.mktemp("trust-mirror")
    commit = add_repo(root, REPO, FILES, lfs=["weights.bin"])
    return root, commit


@pytest.fixture
def mirror_root(seeded: tuple[Path, str]) -> Path:
    return seeded[0]


@pytest.fixture
def commit(seeded: tuple[Path, str]) -> str:
    return seeded[1]


@pytest.fixture
def closed_port() -> int:
    """A loopback port nothing listens on: connecting is refused at once."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# -- 1. metadata answers: an overall deadline and a size cap ------------------------------------


class Hostile:
    """A server whose repo info drips forever or never stops growing; counts bytes it sent."""

    def __init__(self) -> None:
        self.sent = 0

    async def drip(self, request: web.Request) -> web.StreamResponse:
        reply = web.StreamResponse(headers={"Content-Type": "application/json"})
        await reply.prepare(request)
        await self._send(reply, b'{"sha": "' + b"a" * 40 + b'", "siblings": [')
        while True:  # one entry every 50 ms, for ever: no read is ever silent for long
            await self._send(reply, b'{"rfilename": "x"},')
            await asyncio.sleep(0.05)

    async def endless(self, request: web.Request) -> web.StreamResponse:
        reply = web.StreamResponse(headers={"Content-Type": "application/json"})
        await reply.prepare(request)
        await self._send(reply, b'{"sha": "' + b"a" * 40 + b'", "siblings": [')
        for _ in range(2048):  # 2 GiB of whitespace, in 1 MiB writes, unless the client stops
            await self._send(reply, b" " * (1 << 20))
        return reply

    async def declared(self, request: web.Request) -> web.StreamResponse:
        reply = web.StreamResponse(headers={"Content-Type": "application/json"})
        reply.content_length = 2 << 30  # announces 2 GiB
        await reply.prepare(request)
        for _ in range(2048):
            await self._send(reply, b" " * (1 << 20))
        return reply

    async def _send(self, reply: web.StreamResponse, data: bytes) -> None:
        await reply.write(data)
        self.sent += len(data)


@pytest.fixture
async def hostile() -> AsyncIterator[tuple[str, Hostile]]:
    server = Hostile()
    app = web.Application()
    app.router.add_get("/api/models/acme/drip/revision/{rev}", server.drip)
    app.router.add_get("/api/models/acme/endless/revision/{rev}", server.endless)
    app.router.add_get("/api/models/acme/declared/revision/{rev}", server.declared)
    runner = web.AppRunner(app, handler_cancellation=True)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        yield f"http://127.0.0.1:{port}", server
    finally:
        await runner.cleanup()


async def test_a_file_list_dripped_for_ever_ends_at_the_deadline_with_a_clear_error(
    hostile: tuple[str, Hostile], models_settings: Callable[..., ModelsSettings]
) -> None:
    url, _ = hostile
    settings = models_settings(url, sources=[hf_source("drip", "acme/drip", ["x"])], **LIMITS)
    async with ModelManager(settings, sleep=FakeSleep()) as models:
        with pytest.raises(DownloadError) as caught:
            await models.ready("drip")

    err = caught.value
    assert "did not arrive in full within 0.5 s" in str(err)
    assert err.where == f"{url}/api/models/acme/drip/revision/main?blobs=true"
    assert err.hint and "metadata_timeout_seconds" in err.hint


@pytest.mark.parametrize("repo", ["acme/endless", "acme/declared"])
async def test_a_huge_metadata_answer_is_refused_without_reading_it_all(
    hostile: tuple[str, Hostile], models_settings: Callable[..., ModelsSettings], repo: str
) -> None:
    url, server = hostile
    settings = models_settings(url, sources=[hf_source("big", repo, ["x"])], **LIMITS)
    async with ModelManager(settings, sleep=FakeSleep()) as models:
        with pytest.raises(DownloadError) as caught:
            await models.ready("big")

    err = caught.value
    assert "answer is too large" in str(err) and "65536 bytes" in str(err)
    assert err.where and err.where.startswith(f"{url}/api/models/{repo}/")
    assert err.hint and "metadata_max_bytes" in err.hint
    assert server.sent < 64 << 20  # stopped early: far from the 2 GiB the server had to send


# -- 2. a file list that lied is not trusted again ----------------------------------------------


async def test_a_poisoned_file_list_is_dropped_so_the_next_run_asks_the_server(
    mirror: MirrorServer,
    settings_for: Callable[..., ModelsSettings],
    cache_dir: Path,
    commit: str,
) -> None:
    # An earlier server listed a wrong hash for this commit; commit listings never expire.
    lie = Checksum("sha256", "0" * 64)
    listed = (HubFile("weights.bin", len(FILES["weights.bin"]), lie, True),)
    MetadataCache(cache_dir).save(RepoSnapshot(REPO, commit, commit, listed, 0.0))
    settings = settings_for(mirror, hf_source("small", REPO, ["weights.bin"], revision=commit))

    async with ModelManager(settings) as models:
        with pytest.raises(IntegrityError) as caught:
            await models.ready("small")
    assert caught.value.hint and "run again" in caught.value.hint
    assert api_requests(mirror) == []  # the lie came from the cache

    async with ModelManager(settings) as models:  # "run again", against the honest mirror
        local = await models.ready("small")
    assert local.file("weights.bin").read_bytes() == FILES["weights.bin"]
    assert len(api_requests(mirror)) == 1


async def test_a_pin_that_disagrees_with_a_cached_file_list_asks_the_server_first(
    mirror: MirrorServer,
    settings_for: Callable[..., ModelsSettings],
    cache_dir: Path,
    commit: str,
) -> None:
    lie = Checksum("sha256", "0" * 64)
    listed = (HubFile("weights.bin", len(FILES["weights.bin"]), lie, True),)
    MetadataCache(cache_dir).save(RepoSnapshot(REPO, commit, commit, listed, 0.0))
    pins = {"weights.bin": f"sha256:{WEIGHTS_SHA}"}  # the user's pin is the truth
    source = hf_source("small", REPO, ["weights.bin"], revision=commit, checksums=pins)

    async with ModelManager(settings_for(mirror, source)) as models:
        local = await models.ready("small")

    assert local.file("weights.bin").read_bytes() == FILES["weights.bin"]
    assert len(api_requests(mirror)) == 1


# -- 6. a hint names the setting the way messages do ----------------------------------------------


async def test_an_integrity_hint_names_the_pin_as_config_errors_do(
    mirror: MirrorServer,
    settings_for: Callable[..., ModelsSettings],
    faults: Any,
) -> None:
    faults.flip_byte_at, faults.only = 100, "weights.bin"
    other = hf_source("other", REPO, ["config.json"])
    settings = settings_for(mirror, other, hf_source("small", REPO, ["weights.bin"]))
    async with ModelManager(settings) as models:
        with pytest.raises(IntegrityError) as caught:
            await models.ready("small")

    hint = caught.value.hint or ""
    assert "models.sources[1].checksums['weights.bin']" in hint
    assert "→" not in hint


# -- 3. pinned and cold: the user's Hugging Face cache needs no network -------------------------


async def test_a_fully_pinned_model_in_the_hf_cache_needs_no_network(
    closed_port: int,
    models_settings: Callable[..., ModelsSettings],
    tmp_path: Path,
    commit: str,
) -> None:
    blobs = tmp_path / "hf-home" / "hub" / "models--acme--small" / "blobs"
    blobs.mkdir(parents=True)
    (blobs / WEIGHTS_SHA).write_bytes(FILES["weights.bin"])
    pins = {"weights.bin": f"sha256:{WEIGHTS_SHA}"}
    source = hf_source("small", REPO, ["weights.bin"], revision=commit, checksums=pins)
    settings = models_settings(f"http://127.0.0.1:{closed_port}", sources=[source])
    events, sleep = Recorder(), FakeSleep()

    async with ModelManager(settings, on_event=events, sleep=sleep) as models:
        local = await models.ready("small")

    assert local.file("weights.bin").read_bytes() == FILES["weights.bin"]
    assert local.revision == commit
    assert [e.file for e in events.of(FileReused)] == ["weights.bin"]
    assert sleep.delays == []  # no retry: nothing was asked of the (unreachable) Hub


# -- 4. an unreachable host fails in seconds, in plain words ------------------------------------


async def test_a_refused_connection_fails_after_one_quick_retry_in_plain_words(
    closed_port: int, models_settings: Callable[..., ModelsSettings]
) -> None:
    settings = models_settings(
        f"http://127.0.0.1:{closed_port}", sources=[hf_source("small", REPO, ["weights.bin"])]
    )
    sleep = FakeSleep()
    async with ModelManager(settings, sleep=sleep) as models:
        with pytest.raises(DownloadError) as caught:
            await models.ready("small")

    err = caught.value
    assert f"cannot connect to 127.0.0.1:{closed_port}: connection refused" in str(err)
    assert "ssl:default" not in str(err) and "Error" not in str(err)
    assert err.hint and "HF_ENDPOINT" in err.hint and "--offline" in err.hint
    assert len(sleep.delays) <= 1 and sum(sleep.delays) < 5  # not 2 + 4 + 8 s of backoff


async def test_an_unknown_host_fails_after_one_quick_retry_naming_it(
    models_settings: Callable[..., ModelsSettings],
) -> None:
    settings = models_settings(
        "http://hub.invalid", sources=[hf_source("small", REPO, ["weights.bin"])]
    )
    sleep = FakeSleep()
    async with ModelManager(settings, sleep=sleep) as models:
        with pytest.raises(DownloadError) as caught:
            await models.ready("small")

    assert "cannot resolve host hub.invalid" in str(caught.value)
    assert "Error" not in str(caught.value)
    assert len(sleep.delays) <= 1


async def test_an_unreachable_url_source_fails_after_one_quick_retry(
    closed_port: int, models_settings: Callable[..., ModelsSettings]
) -> None:
    url = f"http://127.0.0.1:{closed_port}/releases/tool.onnx"
    source = {"name": "plain", "url": url, "checksum": f"sha256:{WEIGHTS_SHA}"}
    sleep = FakeSleep()
    async with ModelManager(models_settings(url, sources=[source]), sleep=sleep) as models:
        with pytest.raises(DownloadError) as caught:
            await models.ready("plain")

    assert f"cannot connect to 127.0.0.1:{closed_port}: connection refused" in str(caught.value)
    assert caught.value.hint and "the source's url" in caught.value.hint
    assert len(sleep.delays) <= 1


# -- 5. hf.files left out: every file of the revision -------------------------------------------


async def test_a_source_without_files_gets_every_file_of_the_revision(
    mirror: MirrorServer, settings_for: Callable[..., ModelsSettings]
) -> None:
    source = {
        "name": "whole",
        "hf": {"repo": REPO},
        "checksums": {"weights.bin": f"sha256:{WEIGHTS_SHA}"},
    }
    async with ModelManager(settings_for(mirror, source)) as models:
        local = await models.ready("whole")

    assert sorted(local.files) == sorted(FILES)
    for name, data in FILES.items():
        assert local.file(name).read_bytes() == data


# -- 7. -v shows each HTTP request --------------------------------------------------------------


async def test_each_http_request_is_logged_at_info_with_status_and_time(
    mirror: MirrorServer,
    settings_for: Callable[..., ModelsSettings],
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="vcp.models.http")
    async with ModelManager(settings_for(mirror, hf_source("small", REPO, ["weights.bin"]))) as m:
        await m.ready("small")

    lines = [r.getMessage() for r in caplog.records if r.name == "vcp.models.http"]
    info = re.escape(f"GET {mirror.url}/api/models/{REPO}/revision/main?blobs=true -> 200")
    assert any(re.fullmatch(info + r", \d+ ms", line) for line in lines), lines
    assert any(
        re.match(rf"GET {re.escape(mirror.url)}/{REPO}/resolve/\w+/weights.bin", line)
        for line in lines
    ), lines
