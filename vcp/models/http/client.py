"""The HTTP boundary: one aiohttp session, manual redirects, and error translation.

Everything aiohttp can raise is translated here, so no other module catches aiohttp types:
failures worth another try become ``Transient`` (internal), the others become the ``ModelError``
family with a hint. Redirects are followed by hand so that the Hub token is sent only to the
configured endpoint's origin and never to a CDN host a redirect points at.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncGenerator, AsyncIterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin, urlsplit

from vcp.config.schema import DownloadSettings
from vcp.core.hub_names import is_commit
from vcp.core.lazy import lazy_module
from vcp.errors import DownloadError
from vcp.models.http import failures
from vcp.models.http.failures import Transient, server_text
from vcp.models.http.speed import MinSpeed, SpeedWindow
from vcp.models.planning.specs import FileSpec, RemoteFile

if TYPE_CHECKING:
    import aiohttp
else:  # loaded at the first request: a run whose files are all cached never needs it
    aiohttp = lazy_module("aiohttp")

REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
USER_AGENT = "vcp/0.1 (+aiohttp)"
HTTP_SCHEMES = frozenset({"http", "https"})


def origin(url: str) -> tuple[str, str, int | None]:
    parts = urlsplit(url)
    default = {"http": 80, "https": 443}.get(parts.scheme)
    return parts.scheme, (parts.hostname or "").lower(), parts.port or default


@dataclass(frozen=True)
class Auth:
    """A bearer token and the one origin it may be sent to."""

    token: str
    origin: tuple[str, str, int | None]

    def headers_for(self, url: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"} if origin(url) == self.origin else {}

    def __repr__(self) -> str:  # never show the secret
        return f"Auth(token=***, origin={self.origin!r})"


def new_session(settings: DownloadSettings) -> aiohttp.ClientSession:
    """One pooled session per manager: enough connections for every file's segments."""
    limit = settings.max_concurrent_files * settings.max_connections_per_file
    connector = aiohttp.TCPConnector(limit=limit, limit_per_host=limit, ttl_dns_cache=300)
    timeout = aiohttp.ClientTimeout(
        total=None,
        connect=settings.connect_timeout_seconds,
        sock_read=settings.read_timeout_seconds,
    )
    # identity: the hash must cover the bytes as stored, not a re-encoding of them.
    headers = {"User-Agent": USER_AGENT, "Accept-Encoding": "identity"}
    return aiohttp.ClientSession(
        connector=connector, timeout=timeout, headers=headers, auto_decompress=False
    )


class SessionOnDemand:
    """The session ``new_session`` makes, made at the first request and closed if it was.

    A run whose files are all in the cache sends no request, so it neither builds a session nor
    imports aiohttp (about 0.13 s of its start-up, issue 9).
    """

    def __init__(self, settings: DownloadSettings) -> None:
        self._settings = settings
        self._session: aiohttp.ClientSession | None = None

    def request(self, method: str, url: str, **kwargs: Any) -> Any:
        if self._session is None:
            self._session = new_session(self._settings)
        return self._session.request(method, url, **kwargs)

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()


class Http:
    """Requests with redirects, auth scoping and error translation."""

    def __init__(
        self,
        session: aiohttp.ClientSession | SessionOnDemand,
        *,
        auth: Auth | None,
        max_redirects: int,
    ) -> None:
        self.session = session
        self.auth = auth
        self.max_redirects = max_redirects

    @contextlib.asynccontextmanager
    async def request(
        self, method: str, url: str, spec: FileSpec, *, headers: Mapping[str, str] | None = None
    ) -> AsyncIterator[Reply]:
        """The final reply (2xx or 416) of ``method url``, redirects followed.

        Errors raised while the caller reads the body inside the ``async with`` are translated too.
        """
        try:
            reply = await self._follow(method, url, spec, headers or {})
            try:
                said = await failures.error_body(reply.response)
                failures.raise_for_status(reply.response, spec, secrets=self._secrets, said=said)
                yield reply
            finally:
                reply.response.release()
        except (aiohttp.ClientSSLError, aiohttp.InvalidURL) as exc:  # retrying cannot fix these
            raise failures.permanent(exc, url, spec) from exc
        except aiohttp.ClientConnectorError as exc:
            raise Transient(failures.cannot_connect(exc), unreachable=True) from exc
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise Transient(server_text(failures.describe(exc), secrets=self._secrets)) from exc

    @property
    def _secrets(self) -> tuple[str, ...]:
        return (self.auth.token,) if self.auth else ()

    async def _follow(
        self, method: str, url: str, spec: FileSpec, headers: Mapping[str, str]
    ) -> Reply:
        first: Mapping[str, str] | None = None
        for _ in range(self.max_redirects + 1):
            sent = {**headers, **(self.auth.headers_for(url) if self.auth else {})}
            response = await self.session.request(method, url, headers=sent, allow_redirects=False)
            if first is None:
                first = response.headers.copy()
            location = response.headers.get("Location")
            if response.status not in REDIRECT_STATUSES or not location:
                return Reply(response, first)
            response.release()
            url = urljoin(url, location)
            if urlsplit(url).scheme.lower() not in HTTP_SCHEMES:
                raise failures.not_http(url, spec)
        raise DownloadError(
            f"more than {self.max_redirects} redirects",
            url=url,
            model=spec.model,
            file=spec.name,
            hint="the server (or a proxy) is redirecting in a loop; check models.hub.endpoint",
        )

    async def probe(self, spec: FileSpec) -> RemoteFile:
        """``HEAD`` the file: size, ETag, commit, range support and final URL."""
        async with self.request("HEAD", spec.url, spec) as reply:
            reply.check_body(spec)
            return reply.remote()


@dataclass
class Reply:
    """A final response plus the first hop's headers (the Hub puts X-Linked-* on its redirect)."""

    response: aiohttp.ClientResponse
    first_headers: Mapping[str, str]

    @property
    def status(self) -> int:
        return self.response.status

    @property
    def headers(self) -> Mapping[str, str]:
        return self.response.headers

    def remote(self) -> RemoteFile:
        """What this reply says about the file; the Hub's X-Linked-* win over a CDN's headers."""
        first, final = self.first_headers, self.response.headers
        size = first.get("X-Linked-Size") or final.get("Content-Length")
        etag = first.get("X-Linked-Etag") or first.get("ETag") or final.get("ETag")
        return RemoteFile(
            url=str(self.response.url),
            size=int(size) if size and size.isdigit() else None,
            etag=failures.unquote_etag(etag),
            commit=first.get("X-Repo-Commit") or final.get("X-Repo-Commit"),
            accepts_ranges=final.get("Accept-Ranges", "").lower() == "bytes",
        )

    async def chunks(
        self, size: int, *, min_speed: MinSpeed | None = None
    ) -> AsyncGenerator[memoryview, None]:
        """The body in pieces of about ``size`` bytes (small network reads are gathered).

        One buffer is reused: each piece is valid until the next one is asked for, which saves a
        copy per byte (the caller writes and hashes a piece before asking for more). With
        ``min_speed``, a body slower than that fails with a ``Transient`` that uses up a retry.
        """
        buffer = memoryview(bytearray(size))
        filled = 0
        loop = asyncio.get_running_loop()
        window = min_speed.window(now=loop.time()) if min_speed else None
        try:
            while piece := await self._read(size, window):
                if filled + len(piece) > size:
                    yield buffer[:filled]
                    filled = 0
                buffer[filled : filled + len(piece)] = piece
                filled += len(piece)
                if filled == size:
                    yield buffer[:filled]
                    filled = 0
        except (aiohttp.ClientError, TimeoutError, Transient):
            # Hand over what arrived before the connection broke: a resume then continues from
            # the last byte received, not the last full chunk (a link that drops every few
            # hundred KiB would otherwise never make progress).
            if filled:
                yield buffer[:filled]
            raise
        if filled:
            yield buffer[:filled]

    async def _read(self, size: int, window: SpeedWindow | None) -> bytes:
        """One network read (up to ``size`` bytes, b"" at the end), within ``window``'s time.

        The deadline scopes the read alone, never the caller's writes between reads.
        """
        deadline = window.deadline if window else None
        if window is None or deadline is None:
            return await self.response.content.read(size)
        try:
            async with asyncio.timeout_at(deadline) as scope:
                piece = await self.response.content.read(size)
        except TimeoutError:
            if scope.expired():
                raise Transient(window.describe(), counts=True) from None
            raise
        window.feed(len(piece), now=asyncio.get_running_loop().time())
        return piece

    def check_body(self, spec: FileSpec) -> None:
        """Refuse a file's reply whose body is not the file's bytes as stored, before reading it.

        vcp asks for ``identity``, because the hash covers the stored bytes: a gzip body written
        as the file could never verify, and each attempt would start it over. A commit header
        names the snapshot folder, so one that is no commit id is refused here too.
        """
        encoding = self.headers.get("Content-Encoding", "identity").strip().lower()
        if encoding not in ("", "identity"):
            raise DownloadError(
                f"the server sent the file {server_text(encoding)}-encoded although vcp asked "
                "for it unencoded (Accept-Encoding: identity)",
                url=spec.url,
                status=self.status,
                model=spec.model,
                file=spec.name,
                hint="the server or a proxy in between compresses downloads: turn that off for "
                "this URL, or use another endpoint or source",
            )
        commit = self.first_headers.get("X-Repo-Commit") or self.headers.get("X-Repo-Commit")
        if spec.hub and commit is not None and not is_commit(commit):
            raise DownloadError(
                f"the server names no valid commit (X-Repo-Commit: {server_text(commit)!r})",
                url=spec.url,
                status=self.status,
                model=spec.model,
                file=spec.name,
                hint="is models.hub.endpoint a Hugging Face Hub (or a faithful mirror)? "
                "A commit id is 40 hexadecimal digits",
            )
