"""The mirror's aiohttp application: Hub-style file resolves and JSON API, a fake CDN, plain files.

Routes (HEAD is answered wherever GET is):
    GET  /{org}/{name}/resolve/{revision}/{path}   a repo file, with the Hub's headers
    GET  /cdn/{org}/{name}/{etag}                   a blob, where LFS resolves redirect to
    GET  /files/{path}                              a plain file, like any web server
    /api/models...                                  the Hub's JSON API (``vcp.mirror.hub_api``)
    GET  /_mirror/stats, DELETE /_mirror/stats      what was served (JSON), and a reset; only
                                                    with ``stats_routes`` (tests, benchmarks)

Blocking file work (stat, hashing, reading bodies) runs in ``asyncio.to_thread`` workers.
"""

from __future__ import annotations

import asyncio
import email.utils
import gzip
import logging
import os
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from aiohttp import hdrs, web

from vcp.mirror.faults import Faults, RequestRecord, Stats, Throttle
from vcp.mirror.hub_api.routes import DEFAULT_PAGE_SIZE, Access, HubApi, HubError, bearer
from vcp.mirror.layout import FileEntry, HubLayout, is_safe_relpath
from vcp.mirror.ranges import ByteSpan, plan_span

__all__ = ["create_app"]

logger = logging.getLogger(__name__)

CHUNK_SIZE = 256 * 1024
STATS_ROUTE = "/_mirror/stats"
_Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def create_app(
    root: Path,
    *,
    faults: Faults | None = None,
    stats: Stats | None = None,
    cdn_base: str | None = None,
    token: str | None = None,
    page_size: int = DEFAULT_PAGE_SIZE,
    stats_routes: bool = False,
) -> web.Application:
    """The mirror of the Hub-layout ``root``. With ``cdn_base``, LFS files redirect there.

    ``token`` is the one the mirror accepts (private and gated repos need it); ``page_size``
    is how many entries a tree or search page holds before a ``Link`` to the next one.
    ``stats_routes`` mounts ``/_mirror/stats`` (unauthenticated, with a DELETE): for tests and
    benchmarks, not for a mirror shared on a network. ``stats`` records requests either way.
    """
    faults = faults if faults is not None else Faults()
    access = Access(HubLayout(Path(root)), token)
    mirror = _Mirror(access, faults, stats if stats is not None else Stats(), cdn_base)
    api = HubApi(access, page_size=page_size)
    app = web.Application(middlewares=[mirror.record])
    if stats_routes:
        app.router.add_get(STATS_ROUTE, mirror.get_stats)
        app.router.add_delete(STATS_ROUTE, mirror.reset_stats)
    app.router.add_get("/files/{path:.*}", mirror.plain_file)
    app.router.add_get("/cdn/{org}/{name}/{etag}", mirror.cdn_blob)
    app.router.add_get("/{org}/{name}/resolve/{revision}/{path:.*}", mirror.resolve)
    app.router.add_get("/api/models", api.search)
    app.router.add_get("/api/models/{org}/{name}", api.repo_info)
    app.router.add_get("/api/models/{org}/{name}/revision/{revision}", api.repo_info)
    app.router.add_get("/api/models/{org}/{name}/tree/{revision}", api.tree)
    app.router.add_get("/api/models/{org}/{name}/tree/{revision}/{path:.+}", api.tree)
    app.router.add_post("/api/models/{org}/{name}/paths-info/{revision}", api.paths_info)
    app.router.add_get("/api/models/{org}/{name}/refs", api.refs)
    return app


class _Mirror:
    def __init__(self, access: Access, faults: Faults, stats: Stats, cdn_base: str | None) -> None:
        self.access = access
        self.layout = access.layout
        self.files = access.layout.root / "files"
        self.faults = faults
        self.stats = stats
        self.cdn_base = cdn_base.rstrip("/") if cdn_base else None
        self._open: dict[int, RequestRecord] = {}  # id(request) -> its record, once answered

    @web.middleware
    async def record(self, request: web.Request, handler: _Handler) -> web.StreamResponse:
        """Record every answered request except the stats endpoint itself."""
        status = 500
        try:
            response = await handler(request)
            status = response.status
            return response
        except web.HTTPException as exc:
            status = exc.status
            raise
        finally:
            if id(request) not in self._open and not request.path.startswith("/_mirror/"):
                self._answer(request, status)
            self._open.pop(id(request), None)

    def _answer(self, request: web.Request, status: int) -> RequestRecord:
        """Record the request as its status line goes out, so that a client that has read the
        whole answer always finds it in the stats (the body's bytes are counted as written)."""
        record = _record_of(request, status)
        self.stats.record(record)
        self._open[id(request)] = record
        return record

    async def get_stats(self, request: web.Request) -> web.Response:
        return web.json_response(self.stats.to_dict())

    async def reset_stats(self, request: web.Request) -> web.Response:
        self.stats.reset()
        return web.Response(status=204)

    async def resolve(self, request: web.Request) -> web.StreamResponse:
        """A repo file, with X-Repo-Commit, ETag, X-Linked-Etag and X-Linked-Size."""
        org, name = request.match_info["org"], request.match_info["name"]
        path = request.match_info["path"]
        if (failed := await self._before(path)) is not None:
            return failed
        commit, entry = await asyncio.to_thread(
            self._find, f"{org}/{name}", request.match_info["revision"], path, bearer(request)
        )
        etag = f'"{entry.etag}"'
        headers = {
            "X-Repo-Commit": self._commit_header(path, commit),
            "ETag": etag,
            "X-Linked-Etag": etag,
            "X-Linked-Size": str(entry.size),
        }
        if self.cdn_base and entry.is_lfs:
            headers[hdrs.LOCATION] = f"{self.cdn_base}/cdn/{org}/{name}/{entry.etag}"
            return web.Response(status=302, headers=headers)
        body = _Body(entry.blob_path, entry.size, name=path, etag=entry.etag)
        return await self._send(request, body, headers)

    def _commit_header(self, path: str, commit: str) -> str:
        lie = self.faults.commit_header
        return lie if lie is not None and self.faults.applies_to(path) else commit

    def _find(
        self, repo_id: str, revision: str, path: str, sent: str | None
    ) -> tuple[str, FileEntry]:
        """The commit and file a resolve names; HubError as the Hub would answer (blocking)."""
        meta = self.access.repo(repo_id, sent)
        self.access.download(repo_id, meta, sent)
        commit = self.access.revision(repo_id, revision)
        entry = self.layout.file_entry(repo_id, commit, path)
        if entry is None:
            raise HubError(404, "EntryNotFound", f"Entry not found: {path}", commit=commit)
        return commit, entry

    async def cdn_blob(self, request: web.Request) -> web.StreamResponse:
        """A blob by etag, as the CDN behind an LFS redirect; ``Faults.only`` sees the etag."""
        etag = request.match_info["etag"]
        if (failed := await self._before(etag)) is not None:
            return failed
        repo_id = f"{request.match_info['org']}/{request.match_info['name']}"
        blob = await asyncio.to_thread(self.layout.blob, repo_id, etag)
        size = await asyncio.to_thread(_size_of, blob)
        if blob is None or size is None:
            return web.Response(status=404, text="Not Found")
        body = _Body(blob, size, name=etag, etag=etag)
        return await self._send(request, body, {"ETag": f'"{etag}"'})

    async def plain_file(self, request: web.Request) -> web.StreamResponse:
        """A file under ROOT/files/, with a size-and-mtime ETag as generic web servers send."""
        path = request.match_info["path"]
        if (failed := await self._before(path)) is not None:
            return failed
        found = await asyncio.to_thread(self._plain_stat, path)
        if found is None:
            return web.Response(status=404, text="Not Found")
        target, stat = found
        etag = f"{stat.st_size:x}-{stat.st_mtime_ns:x}"
        headers = {
            "ETag": f'"{etag}"',
            "Last-Modified": email.utils.formatdate(stat.st_mtime, usegmt=True),
        }
        return await self._send(request, _Body(target, stat.st_size, name=path, etag=etag), headers)

    def _plain_stat(self, path: str) -> tuple[Path, os.stat_result] | None:
        if not is_safe_relpath(path):
            return None
        try:
            target = (self.files / path).resolve(strict=True)
        except (OSError, RuntimeError):
            return None
        if not target.is_file() or not target.is_relative_to(self.files.resolve()):
            return None
        return target, target.stat()

    async def _before(self, name: str) -> web.Response | None:
        """Apply latency, then answer the "first K requests fail" fault if it is due."""
        faults = self.faults
        if faults.latency > 0 and faults.applies_to(name):
            await asyncio.sleep(faults.latency)
        if not faults.claim_failure(name):
            return None
        logger.debug("fault: answering %s with %d", name, faults.fail_status)
        headers = faults.failure_headers()
        return web.Response(status=faults.fail_status, text="injected failure", headers=headers)

    async def _send(
        self, request: web.Request, body: _Body, headers: dict[str, str]
    ) -> web.StreamResponse:
        range_header = request.headers.get(hdrs.RANGE)
        if self.faults.ignore_range and self.faults.applies_to(body.name):
            range_header = None
        if_range = request.headers.get(hdrs.IF_RANGE)
        span = plan_span(body.size, range_header, if_range=if_range, etag=body.etag)
        headers = {**headers, **span.headers(), hdrs.ACCEPT_RANGES: "bytes"}
        if span.status == 416:
            return web.Response(status=416, headers=headers)
        if self.faults.gzipped(body.name):
            return await self._send_gzipped(request, body, headers, span=span)
        extra = self.faults.overlong(body.name)
        response = web.StreamResponse(status=span.status, headers=headers)
        response.content_type = "application/octet-stream"
        response.content_length = span.length + extra
        record = self._answer(request, span.status)
        await response.prepare(request)
        if request.method != hdrs.METH_HEAD:
            await self._stream(request, response, body, span=span, record=record)
            if extra:  # the over-long body fault: more than the file, as Content-Length said
                self.stats.add_bytes(record, extra)
                await response.write(b"\x00" * extra)
        return response

    async def _send_gzipped(
        self, request: web.Request, body: _Body, headers: dict[str, str], *, span: ByteSpan
    ) -> web.Response:
        """The gzip fault: the span compressed in one piece (test files are small)."""
        data = await asyncio.to_thread(_read_span, body.path, span)
        data = self.faults.corrupt(body.name, data, span.start)
        packed = gzip.compress(data)
        headers = {**headers, hdrs.CONTENT_ENCODING: "gzip"}
        record = self._answer(request, span.status)
        if request.method != hdrs.METH_HEAD:  # aiohttp leaves a HEAD answer's body out itself
            self.stats.add_bytes(record, len(packed))
        response = web.Response(status=span.status, headers=headers, body=packed)
        response.content_type = "application/octet-stream"
        return response

    async def _stream(
        self,
        request: web.Request,
        response: web.StreamResponse,
        body: _Body,
        *,
        span: ByteSpan,
        record: RequestRecord,
    ) -> None:
        """Write the span in chunks, read off the event loop, with the fault knobs applied."""
        faults = self.faults
        cut = faults.claim_drop(body.name, span.length)
        limit = span.length if cut is None else cut
        pacer = Throttle(faults, body.name, max_chunk=CHUNK_SIZE)
        sent = 0
        try:
            with await asyncio.to_thread(_open_at, body.path, span.start) as f:
                while sent < limit and (
                    chunk := await asyncio.to_thread(f.read, min(pacer.chunk, limit - sent))
                ):
                    data = faults.corrupt(body.name, chunk, span.start + sent)
                    sent += len(chunk)
                    # count before the write: the client may have read it all before we would
                    self.stats.add_bytes(record, len(chunk))
                    await response.write(data)
                    await pacer.wait(sent)
        except ConnectionError:
            logger.debug("client went away after %d of %d bytes of %s", sent, limit, body.name)
            return
        if cut is not None:
            logger.debug("fault: dropping the connection after %d bytes of %s", sent, body.name)
            response.force_close()
            if request.transport is not None:
                request.transport.close()  # sends what was written, then closes


@dataclass(frozen=True)
class _Body:
    """A file to answer with; ``name`` is what ``Faults.only`` is matched against."""

    path: Path
    size: int
    name: str
    etag: str


def _read_span(path: Path, span: ByteSpan) -> bytes:
    with _open_at(path, span.start) as f:
        return f.read(span.length)


def _open_at(path: Path, offset: int) -> BinaryIO:
    f = path.open("rb")
    try:
        f.seek(offset)
    except BaseException:
        f.close()
        raise
    return f


def _size_of(path: Path | None) -> int | None:
    try:
        return path.stat().st_size if path is not None else None
    except OSError:
        return None


def _record_of(request: web.Request, status: int) -> RequestRecord:
    return RequestRecord(
        method=request.method,
        path=request.path,
        range=request.headers.get(hdrs.RANGE),
        status=status,
        bytes_sent=0,
        had_authorization=hdrs.AUTHORIZATION in request.headers,
    )
