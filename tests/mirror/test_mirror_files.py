"""Plain files under /files/ (non-Hub URL sources) and the stats endpoint."""

from __future__ import annotations

import re
from pathlib import Path

import aiohttp
from yarl import URL

from vcp.mirror import MirrorServer, Stats

PLAIN = "/files/releases/v1/plain.bin"


async def test_plain_file_has_a_web_server_etag(
    mirror: MirrorServer, http: aiohttp.ClientSession, plain_body: bytes
) -> None:
    async with http.get(mirror.url + PLAIN) as resp:
        assert resp.status == 200
        assert await resp.read() == plain_body
        assert re.fullmatch(r'"30d40-[0-9a-f]+"', resp.headers["ETag"])  # size-mtime, no hash
        assert "Last-Modified" in resp.headers
        assert resp.headers["Accept-Ranges"] == "bytes"
        assert "X-Repo-Commit" not in resp.headers and "X-Linked-Etag" not in resp.headers


async def test_plain_file_ranges_and_if_range(
    mirror: MirrorServer, http: aiohttp.ClientSession, plain_body: bytes
) -> None:
    async with http.head(mirror.url + PLAIN) as resp:
        etag = resp.headers["ETag"]
    headers = {"Range": "bytes=199000-", "If-Range": etag}
    async with http.get(mirror.url + PLAIN, headers=headers) as resp:
        assert resp.status == 206 and await resp.read() == plain_body[199_000:]
    headers["If-Range"] = '"1-1"'
    async with http.get(mirror.url + PLAIN, headers=headers) as resp:
        assert resp.status == 200
    async with http.get(mirror.url + PLAIN, headers={"Range": "bytes=300000-"}) as resp:
        assert resp.status == 416 and resp.headers["Content-Range"] == "bytes */200000"


async def test_missing_or_escaping_plain_paths_are_404(
    mirror: MirrorServer, http: aiohttp.ClientSession
) -> None:
    for raw in ("/files/nope.bin", "/files/releases", "/files/%2E%2E/models--acme--tiny/refs/main"):
        async with http.get(URL(mirror.url + raw, encoded=True)) as resp:
            assert resp.status == 404, raw


async def test_stats_endpoint_reports_and_resets(
    mirror: MirrorServer, http: aiohttp.ClientSession
) -> None:
    async with http.get(mirror.url + PLAIN, headers={"Range": "bytes=0-9"}) as resp:
        await resp.read()
    async with http.head(mirror.url + PLAIN) as resp:
        pass
    async with http.get(mirror.url + "/_mirror/stats") as resp:
        stats = Stats.from_dict(await resp.json())
    assert stats.bytes_served == 10
    assert stats.count() == 2 and stats.count("HEAD") == 1 and stats.count("GET", "plain.bin") == 1
    assert stats.requests[0].range == "bytes=0-9" and stats.requests[0].status == 206
    async with http.delete(mirror.url + "/_mirror/stats") as resp:
        assert resp.status == 204
    assert mirror.stats.count() == 0


async def test_stats_routes_are_only_mounted_on_request(
    seeded_root: Path, http: aiohttp.ClientSession
) -> None:
    async with MirrorServer(seeded_root, stats_routes=False) as mirror:
        async with http.get(mirror.url + PLAIN) as resp:
            await resp.read()
        for method in ("GET", "DELETE"):
            async with http.request(method, mirror.url + "/_mirror/stats") as resp:
                assert resp.status == 404, method
        assert mirror.stats.count("GET", "plain.bin") == 1  # still recorded in the process
