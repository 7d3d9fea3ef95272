"""The HTTP boundary: one aiohttp session, manual redirects, and error translation.

Everything aiohttp can raise is translated here, so no other module catches aiohttp types:
failures worth another try become ``Transient`` (internal), the others become the ``ModelError``
family with a hint. Redirects are followed by hand so that the Hub token is sent only to the
configured endpoint's origin and never to a CDN host a redirect points at.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
from collections.abc import AsyncGenerator, AsyncIterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urljoin, urlsplit

import aiohttp

from vcp.config.schema import DownloadSettings
from vcp.errors import AuthRequired, DownloadError, ModelNotFound
from vcp.models.http.policy import is_retryable_status, server_wait
from vcp.models.planning.specs import FileSpec, RemoteFile

REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
USER_AGENT = "vcp/0.1 (+aiohttp)"


class Transient(Exception):
    """A failure that another attempt may fix: connection loss, timeout, 408, 429, 5xx."""

    def __init__(
        self,
        reason: str,
        *,
        wait: float | None = None,
        status: int | None = None,
        unreachable: bool = False,
    ):
        super().__init__(reason)
        self.reason = reason
        self.wait = wait  # the server's own "retry after", in seconds
        self.status = status
        self.unreachable = unreachable  # no connection at all (DNS failure, refused)


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


class Http:
    """Requests with redirects, auth scoping and error translation."""

    def __init__(
        self, session: aiohttp.ClientSession, *, auth: Auth | None, max_redirects: int
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
                _raise_for_status(reply.response, spec)
                yield reply
            finally:
                reply.response.release()
        except (aiohttp.ClientSSLError, aiohttp.InvalidURL) as exc:  # retrying cannot fix these
            raise _permanent(exc, url, spec) from exc
        except aiohttp.ClientConnectorError as exc:
            raise Transient(_cannot_connect(exc), unreachable=True) from exc
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise Transient(_describe(exc)) from exc

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
            etag=_unquote_etag(etag),
            commit=first.get("X-Repo-Commit") or final.get("X-Repo-Commit"),
            accepts_ranges=final.get("Accept-Ranges", "").lower() == "bytes",
        )

    async def chunks(self, size: int) -> AsyncGenerator[memoryview, None]:
        """The body in pieces of about ``size`` bytes (small network reads are gathered).

        One buffer is reused: each piece is valid until the next one is asked for, which saves a
        copy per byte (the caller writes and hashes a piece before asking for more).
        """
        buffer = memoryview(bytearray(size))
        filled = 0
        try:
            async for piece in self.response.content.iter_chunked(size):
                if filled + len(piece) > size:
                    yield buffer[:filled]
                    filled = 0
                buffer[filled : filled + len(piece)] = piece
                filled += len(piece)
                if filled == size:
                    yield buffer[:filled]
                    filled = 0
        except (aiohttp.ClientError, TimeoutError):
            # Hand over what arrived before the connection broke: a resume then continues from
            # the last byte received, not the last full chunk (a link that drops every few
            # hundred KiB would otherwise never make progress).
            if filled:
                yield buffer[:filled]
            raise
        if filled:
            yield buffer[:filled]


def _unquote_etag(etag: str | None) -> str | None:
    if not etag:
        return None
    return etag.removeprefix("W/").strip('"') or None


def _raise_for_status(response: aiohttp.ClientResponse, spec: FileSpec) -> None:
    status = response.status
    if status < 400 or status == 416:
        return
    code = response.headers.get("X-Error-Code", "")
    detail = response.headers.get("X-Error-Message", "") or response.reason or ""
    url = str(response.url)
    if is_retryable_status(status):
        wait = server_wait(response.headers, now=datetime.now(UTC))
        raise Transient(f"HTTP {status} {detail}".strip(), wait=wait, status=status)

    def error(kind: type[DownloadError], message: str, hint: str) -> DownloadError:
        return kind(
            message,
            url=url,
            status=status,
            model=spec.model,
            file=spec.name,
            hint=hint,
            code=code or None,
        )

    if code == "DisabledRepo":
        raise error(
            ModelNotFound,
            f"the repository is disabled on the server: {detail}",
            "use another source (a fallback) for this model",
        )
    if status in (401, 403) and code != "RepoNotFound":
        raise error(
            AuthRequired,
            f"access denied (HTTP {status}{', ' + code if code else ''}): {detail}",
            _auth_hint(spec),
        )
    if status in (401, 404):
        raise error(ModelNotFound, _not_found_message(code, detail), _not_found_hint(spec, code))
    raise error(DownloadError, f"HTTP {status} {detail}".strip(), "check the URL in the config")


def _not_found_message(code: str, detail: str) -> str:
    what = {
        "RepoNotFound": "repository not found (or private)",
        "RevisionNotFound": "revision not found",
        "EntryNotFound": "file not found in this revision",
    }.get(code, "not found")
    return f"{what}: {detail}" if detail and detail.lower() != "not found" else what


def _not_found_hint(spec: FileSpec, code: str) -> str:
    if not spec.hub:
        return "check the source's url in the config"
    if code == "RepoNotFound":
        return "check the repo name in the config (and set HF_TOKEN if the repository is private)"
    if code == "RevisionNotFound":
        return f"check hf.revision ({spec.revision}) in the config: a branch, tag or commit id"
    return f"check the file name {spec.name!r} in hf.files and the revision {spec.revision!r}"


def _model_page(url: str) -> str:
    """The repo's page for a resolve or API URL: ``{endpoint}/{org}/{name}``."""
    if "/api/models/" in url:
        base, _, rest = url.partition("/api/models/")
        return f"{base}/{'/'.join(rest.split('/')[:2]).split('?')[0]}"
    return url.split("/resolve/")[0]


def _auth_hint(spec: FileSpec) -> str:
    page = _model_page(spec.url) if spec.hub else spec.url
    return (
        f"set a token in HF_TOKEN (or the variable named by models.hub.token_env) and accept "
        f"the model's terms at {page}"
    )


def _permanent(exc: aiohttp.ClientError, url: str, spec: FileSpec) -> DownloadError:
    if isinstance(exc, aiohttp.ClientSSLError):
        what, hint = "TLS failed", "check the system's CA certificates (or SSL_CERT_FILE)"
    else:
        what, hint = "invalid URL", "check the url / models.hub.endpoint in the config"
    return DownloadError(
        f"{what}: {exc}", url=url, model=spec.model, file=spec.name or None, hint=hint
    )


def _cannot_connect(exc: aiohttp.ClientConnectorError) -> str:
    # Not aiohttp's text ("Cannot connect to host h:443 ssl:default [...]"): the host, the port
    # and the operating system's reason are what a user can act on.
    cause = exc.os_error
    if isinstance(exc, aiohttp.ClientConnectorDNSError) or isinstance(cause, socket.gaierror):
        return f"cannot resolve host {exc.host}: {(cause.strerror or 'no such host').lower()}"
    why = os.strerror(cause.errno) if cause.errno else (cause.strerror or "failed")
    return f"cannot connect to {exc.host}:{exc.port}: {why.lower()}"


def _describe(exc: BaseException) -> str:
    if isinstance(exc, TimeoutError | asyncio.TimeoutError):
        return "timed out"
    text = str(exc) or type(exc).__name__
    return f"{type(exc).__name__}: {text}" if type(exc).__name__ not in text else text
