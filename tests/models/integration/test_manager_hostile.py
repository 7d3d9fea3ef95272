"""Servers that are not a faithful Hub: no JSON API, opaque ETags, hostile headers; and a disk
that fills up. vcp must refuse what it cannot verify and never write outside its cache."""

from __future__ import annotations

import errno
import hashlib
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest
from aiohttp import web

from vcp.config import ModelsSettings
from vcp.errors import DiskSpaceError, ModelError, UnsafePathError
from vcp.mirror import add_repo
from vcp.models.downloading import partial as partial_module
from vcp.models.events import FileReused
from vcp.models.manager import ModelManager

DATA = b"weights " * 4096
COMMIT = "a" * 40


def source(**extra: object) -> dict[str, object]:
    return {"name": "plain", "hf": {"repo": "acme/plain", "files": ["weights.bin"]}, **extra}


async def _serve(headers: dict[str, str]) -> AsyncIterator[str]:
    """A static file server with the Hub's resolve paths but no JSON API."""

    async def resolve(request: web.Request) -> web.StreamResponse:
        return web.Response(body=b"" if request.method == "HEAD" else DATA, headers=headers)

    app = web.Application()
    app.router.add_route("*", "/acme/plain/resolve/{rev}/{path:.*}", resolve)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        await runner.cleanup()


@pytest.fixture
async def opaque_server() -> AsyncIterator[str]:
    headers = {"ETag": '"5f3a-opaque"', "X-Repo-Commit": COMMIT, "Content-Length": str(len(DATA))}
    async for url in _serve(headers):
        yield url


@pytest.fixture
async def hostile_server() -> AsyncIterator[str]:
    etag = hashlib.sha256(DATA).hexdigest()
    headers = {"ETag": f'"{etag}"', "X-Repo-Commit": "../../../../escaped"}
    async for url in _serve(headers):
        yield url


async def test_a_file_the_server_does_not_identify_is_refused_unless_allowed(
    opaque_server: str, models_settings: Callable[..., ModelsSettings], cache_dir: Path
) -> None:
    async with ModelManager(models_settings(opaque_server, sources=[source()])) as models:
        with pytest.raises(ModelError) as caught:
            await models.ready("plain")
    assert "could not be verified" in str(caught.value)
    assert caught.value.hint and "allow_unverified" in caught.value.hint
    assert not list(cache_dir.glob("**/blobs/*"))  # nothing fetched, nothing under a final name

    allowed = models_settings(opaque_server, sources=[source(allow_unverified=True)])
    async with ModelManager(allowed) as models:
        local = await models.ready("plain")
    assert local.file("weights.bin").read_bytes() == DATA


async def test_a_commit_header_cannot_send_files_outside_the_cache(
    hostile_server: str, models_settings: Callable[..., ModelsSettings], tmp_path: Path
) -> None:
    async with ModelManager(models_settings(hostile_server, sources=[source()])) as models:
        with pytest.raises(ModelError):
            await models.ready("plain")
    assert not (tmp_path / "escaped").exists()
    assert not list(tmp_path.glob("**/escaped"))


def test_snapshot_paths_are_named_by_commit_ids_only(tmp_path: Path) -> None:
    from vcp.models.cache.store import ModelCache

    cache = ModelCache(tmp_path)
    with pytest.raises(UnsafePathError):
        cache.snapshot_path("models--a--b", "../../x", "f.bin")
    assert cache.snapshot_path("models--a--b", COMMIT, "f.bin").parent.name == COMMIT


async def test_offline_a_pinned_model_comes_from_the_users_hub_cache(
    models_settings: Callable[..., ModelsSettings],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    hub_cache = tmp_path / "hf-hub"
    commit = add_repo(hub_cache, "acme/pinned", {"weights.bin": DATA}, lfs=["weights.bin"])
    monkeypatch.setenv("HF_HUB_CACHE", str(hub_cache))
    pinned = {
        "name": "pinned",
        "hf": {"repo": "acme/pinned", "revision": commit, "files": ["weights.bin"]},
        "checksums": {"weights.bin": f"sha256:{hashlib.sha256(DATA).hexdigest()}"},
    }
    events: list[object] = []
    settings = models_settings("http://127.0.0.1:9", sources=[pinned])  # nothing listens there
    async with ModelManager(settings, offline=True, on_event=events.append) as models:
        local = await models.ready("pinned")
    assert local.file("weights.bin").read_bytes() == DATA
    assert local.revision == commit
    assert [type(e) for e in events if isinstance(e, FileReused)] == [FileReused]


async def test_a_full_disk_during_a_write_is_a_disk_space_error_and_the_cache_stays_valid(
    opaque_server: str,
    models_settings: Callable[..., ModelsSettings],
    cache_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def full(self: object, data: bytes) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(partial_module.Sink, "write", full)
    settings = models_settings(opaque_server, sources=[source(allow_unverified=True)])
    async with ModelManager(settings) as models:
        with pytest.raises(DiskSpaceError) as caught:
            await models.ready("plain")
    err = caught.value
    assert err.path == cache_dir and err.required > 0
    assert err.hint and "cache_dir" in err.hint
    assert not [p for p in cache_dir.glob("**/blobs/*") if ".incomplete" not in p.name]


def test_a_resumed_ranged_download_counts_only_the_bytes_it_has(tmp_path: Path) -> None:
    # A ranged download preallocates its partial file to the full size; the disk-space check
    # must count what its pieces hold, not the file's length.
    from types import SimpleNamespace

    from vcp.models.cache.store import ModelCache
    from vcp.models.downloading.partial import PartialState, Piece
    from vcp.models.planning.planner import Planner

    cache = ModelCache(tmp_path)
    final = tmp_path / "models--a--b" / "blobs" / ("c" * 64)
    partial = cache.new_partial(final)
    with open(partial, "wb") as fh:
        fh.truncate(80_000_000)  # sparse, as preallocated
    MB = 1_000_000
    pieces = [Piece(0, 40 * MB, 8 * MB), Piece(40 * MB, 80 * MB, 41 * MB)]  # 8 MB + 1 MB received
    PartialState(etag="c" * 64, size=80 * MB, pieces=pieces).save(partial)

    stub = SimpleNamespace(cache=cache)
    assert Planner._partial_bytes(stub, final) == 9 * MB  # type: ignore[arg-type]
