"""The resolve endpoint against a real server on loopback: headers, bytes, ranges, errors, CDN."""

from __future__ import annotations

import hashlib
from pathlib import Path

import aiohttp
import pytest
from yarl import URL

from vcp.mirror import MirrorServer
from vcp.mirror.seed import NUDENET_REPO, WHISPER_COMMIT, WHISPER_REPO

MODEL_BIN = f"/{WHISPER_REPO}/resolve/main/model.bin"
CONFIG = f"/{WHISPER_REPO}/resolve/main/config.json"
MODEL_SHA256 = "1a5afae06a4db91c975c9a9d78be5cc110ee4ea022ad57d55492e4550e936b2a"
CONFIG_SHA1 = "4065bb3bed375b176d5465be117d2d202e210434"


async def test_head_of_a_regular_file_has_the_hub_headers(
    mirror: MirrorServer, http: aiohttp.ClientSession
) -> None:
    async with http.head(mirror.url + CONFIG) as resp:
        assert resp.status == 200
        assert resp.headers["X-Repo-Commit"] == WHISPER_COMMIT
        assert resp.headers["ETag"] == f'"{CONFIG_SHA1}"'
        assert resp.headers["X-Linked-Etag"] == f'"{CONFIG_SHA1}"'
        assert resp.headers["X-Linked-Size"] == "2317"
        assert resp.headers["Content-Length"] == "2317"
        assert resp.headers["Accept-Ranges"] == "bytes"
        assert not any(h.lower().startswith("x-xet") for h in resp.headers)


async def test_head_of_an_lfs_file_names_it_by_sha256(
    mirror: MirrorServer, http: aiohttp.ClientSession
) -> None:
    async with http.head(mirror.url + MODEL_BIN) as resp:
        assert resp.status == 200
        assert resp.headers["X-Linked-Etag"] == f'"{MODEL_SHA256}"'
        assert resp.headers["X-Linked-Size"] == resp.headers["Content-Length"] == "75537502"
        assert resp.headers["X-Repo-Commit"] == WHISPER_COMMIT


@pytest.mark.parametrize(
    ("repo_id", "path"),
    [
        (WHISPER_REPO, "config.json"),
        (WHISPER_REPO, "model.bin"),
        (WHISPER_REPO, "tokenizer.json"),
        (WHISPER_REPO, "vocabulary.txt"),
        (NUDENET_REPO, "320n.onnx"),
    ],
)
async def test_get_serves_the_package_bytes(
    mirror: MirrorServer,
    http: aiohttp.ClientSession,
    known_files: dict[tuple[str, str], tuple[int, str]],
    repo_id: str,
    path: str,
) -> None:
    size, etag = known_files[(repo_id, path)]
    async with http.get(f"{mirror.url}/{repo_id}/resolve/main/{path}") as resp:
        assert resp.status == 200
        data = await resp.read()
        assert resp.headers["X-Linked-Etag"] == f'"{etag}"'
    assert len(data) == size
    if len(etag) == 64:
        assert hashlib.sha256(data).hexdigest() == etag
    else:
        assert hashlib.sha1(b"blob %d\0" % size + data).hexdigest() == etag
    assert mirror.stats.bytes_for(f"/{path}") == size


async def test_revision_may_be_a_commit_a_tag_or_a_quoted_pr_ref(
    mirror: MirrorServer, http: aiohttp.ClientSession, small_files: dict[str, bytes]
) -> None:
    for revision in ("main", "v1.0", "refs%2Fpr%2F1"):
        url = URL(f"{mirror.url}/acme/tiny/resolve/{revision}/sub/dir/notes.txt", encoded=True)
        async with http.get(url) as resp:
            assert resp.status == 200, revision
            assert await resp.read() == small_files["sub/dir/notes.txt"]
            commit = resp.headers["X-Repo-Commit"]
    async with http.get(f"{mirror.url}/acme/tiny/resolve/{commit}/config.json") as resp:
        assert resp.status == 200


async def test_range_answers_206_with_content_range(
    mirror: MirrorServer, http: aiohttp.ClientSession, seeded_root: Path
) -> None:
    blob = seeded_root / "models--Systran--faster-whisper-tiny.en" / "blobs" / MODEL_SHA256
    with blob.open("rb") as f:
        f.seek(75537502 - 1000)
        tail = f.read()
    async with http.get(mirror.url + MODEL_BIN, headers={"Range": "bytes=75536502-"}) as resp:
        assert resp.status == 206
        assert resp.headers["Content-Range"] == "bytes 75536502-75537501/75537502"
        assert await resp.read() == tail
    async with http.get(mirror.url + MODEL_BIN, headers={"Range": "bytes=75536502-75536511"}) as r:
        assert r.status == 206 and await r.read() == tail[:10]


async def test_unsatisfiable_range_is_416(
    mirror: MirrorServer, http: aiohttp.ClientSession
) -> None:
    async with http.get(mirror.url + CONFIG, headers={"Range": "bytes=2317-"}) as resp:
        assert resp.status == 416
        assert resp.headers["Content-Range"] == "bytes */2317"


async def test_if_range_with_another_etag_sends_the_whole_file(
    mirror: MirrorServer, http: aiohttp.ClientSession
) -> None:
    stale = {"Range": "bytes=100-", "If-Range": '"0000"'}
    async with http.get(mirror.url + CONFIG, headers=stale) as resp:
        assert resp.status == 200 and len(await resp.read()) == 2317
    fresh = {"Range": "bytes=100-", "If-Range": f'"{CONFIG_SHA1}"'}
    async with http.get(mirror.url + CONFIG, headers=fresh) as resp:
        assert resp.status == 206 and len(await resp.read()) == 2217


@pytest.mark.parametrize(
    ("path", "status", "code", "message"),
    [
        ("/acme/missing/resolve/main/x.json", 401, "RepoNotFound", None),
        ("/acme/tiny/resolve/nope/config.json", 404, "RevisionNotFound", "Invalid rev id: nope"),
        ("/acme/tiny/resolve/main/absent.json", 404, "EntryNotFound", None),
    ],
)
async def test_errors_carry_the_hub_error_headers(
    mirror: MirrorServer,
    http: aiohttp.ClientSession,
    path: str,
    status: int,
    code: str,
    message: str | None,
) -> None:
    for method in ("HEAD", "GET"):
        async with http.request(method, mirror.url + path) as resp:
            assert resp.status == status
            assert resp.headers["X-Error-Code"] == code
            if message:
                assert resp.headers["X-Error-Message"] == message
            assert ("X-Repo-Commit" in resp.headers) == (code == "EntryNotFound")


@pytest.mark.parametrize(
    "raw_path",
    [
        "/acme/tiny/resolve/main/%2E%2E/%2E%2E/refs/main",
        "/acme/tiny/resolve/main/sub/%2E%2E/%2E%2E/%2E%2E/%2E%2E/etc/passwd",
        "/acme/tiny/resolve/main/%2Fetc%2Fpasswd",
        "/acme/tiny/resolve/%2E%2E%2F%2E%2E%2Fx/config.json",
        "/acme/%2E%2E/resolve/main/config.json",
    ],
)
async def test_path_traversal_is_refused(
    mirror: MirrorServer, http: aiohttp.ClientSession, raw_path: str
) -> None:
    async with http.get(URL(mirror.url + raw_path, encoded=True)) as resp:
        assert resp.status in (401, 404)
        assert b"root:" not in await resp.read()


async def test_lfs_files_redirect_to_the_cdn_without_the_token(
    cdn_mirror: MirrorServer, http: aiohttp.ClientSession, seeded_root: Path
) -> None:
    assert cdn_mirror.cdn_url is not None and "localhost" in cdn_mirror.cdn_url
    url = cdn_mirror.url + MODEL_BIN
    async with http.head(url, allow_redirects=False) as resp:
        assert resp.status == 302
        assert resp.headers["Location"] == (
            f"{cdn_mirror.cdn_url}/cdn/{WHISPER_REPO}/{MODEL_SHA256}"
        )
        assert resp.headers["X-Linked-Etag"] == resp.headers["ETag"] == f'"{MODEL_SHA256}"'
        assert resp.headers["X-Linked-Size"] == "75537502"
        assert resp.headers["X-Repo-Commit"] == WHISPER_COMMIT
    headers = {"Authorization": "Bearer hf_secret", "Range": "bytes=0-99"}
    async with http.get(url, headers=headers) as resp:
        assert resp.status == 206
        assert resp.url.host == "localhost"
        body = await resp.read()
    blob = seeded_root / "models--Systran--faster-whisper-tiny.en" / "blobs" / MODEL_SHA256
    assert body == blob.read_bytes()[:100]
    resolve, cdn = cdn_mirror.stats.requests[-2:]
    assert (resolve.status, resolve.had_authorization) == (302, True)
    assert (cdn.status, cdn.had_authorization, cdn.bytes_sent) == (206, False, 100)
    assert cdn.path.startswith("/cdn/")


async def test_regular_files_are_not_redirected(
    cdn_mirror: MirrorServer, http: aiohttp.ClientSession
) -> None:
    async with http.get(cdn_mirror.url + CONFIG, allow_redirects=False) as resp:
        assert resp.status == 200 and len(await resp.read()) == 2317


async def test_unknown_cdn_blob_is_404(
    cdn_mirror: MirrorServer, http: aiohttp.ClientSession
) -> None:
    async with http.get(f"{cdn_mirror.cdn_url}/cdn/{WHISPER_REPO}/{'0' * 64}") as resp:
        assert resp.status == 404
