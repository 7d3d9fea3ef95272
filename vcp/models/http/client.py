"""The HTTP boundary: one aiohttp session, manual redirects, and error translation.

Everything aiohttp can raise is translated here, so no other module catches aiohttp types:
failures worth another try become ``Transient`` (internal), the others become the ``ModelError``
family with a hint. Redirects are followed by hand so that the Hub token is sent only to the
configured endpoint's origin and never to a CDN host a redirect points at.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import re
import socket
from collections.abc import AsyncGenerator, AsyncIterator, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urljoin, urlsplit

import aiohttp

from vcp.config.schema import DownloadSettings
from vcp.core.hub_names import is_commit
from vcp.errors import AuthRequired, DownloadError, ModelNotFound, redact_url
from vcp.models.http.policy import is_retryable_status, server_wait
from vcp.models.http.speed import MinSpeed, SpeedWindow
from vcp.models.planning.specs import FileSpec, RemoteFile

REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
USER_AGENT = "vcp/0.1 (+aiohttp)"
SERVER_TEXT_MAX_CHARS = 300  # a server's own words in a message: enough for any real explanation
HTTP_SCHEMES = frozenset({"http", "https"})
ERROR_BODY_MAX_BYTES = 64 * 1024  # an error answer's JSON body is read up to this size...
ERROR_BODY_SECONDS = 5.0  # ...and for this long, then ignored
# C0 and C1 controls and the bidi overrides that can rewrite what a terminal shows
_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


class Transient(Exception):
    """A failure that another attempt may fix: connection loss, timeout, 408, 429, 5xx."""

    def __init__(
        self,
        reason: str,
        *,
        wait: float | None = None,
        status: int | None = None,
        unreachable: bool = False,
        counts: bool = False,
    ):
        super().__init__(reason)
        self.reason = reason
        self.wait = wait  # the server's own "retry after", in seconds
        self.status = status
        self.unreachable = unreachable  # no connection at all (DNS failure, refused)
        # Uses up a retry even when the attempt moved bytes (a transfer below the minimum speed
        # moves some, and must not go on for ever).
        self.counts = counts


def server_text(text: str | None, *, secrets: Iterable[str | None] = ()) -> str:
    """A server's own words (``X-Error-Message``, a reason phrase, an error body) fit for a
    message: ``secrets`` (the token) it echoes back become ``***``, control characters are
    escaped so they cannot move the cursor or recolour the terminal, and the text is cut at
    ``SERVER_TEXT_MAX_CHARS``."""
    text = text or ""
    for secret in secrets:
        if secret:
            text = text.replace(secret, "***")
    text = _UNPRINTABLE.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)
    if len(text) > SERVER_TEXT_MAX_CHARS:
        text = text[: SERVER_TEXT_MAX_CHARS - 1] + "…"
    return text


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
                said = await _error_body(reply.response)
                _raise_for_status(reply.response, spec, secrets=self._secrets, said=said)
                yield reply
            finally:
                reply.response.release()
        except (aiohttp.ClientSSLError, aiohttp.InvalidURL) as exc:  # retrying cannot fix these
            raise _permanent(exc, url, spec) from exc
        except aiohttp.ClientConnectorError as exc:
            raise Transient(_cannot_connect(exc), unreachable=True) from exc
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise Transient(server_text(_describe(exc), secrets=self._secrets)) from exc

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
                raise _not_http(url, spec)
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
            etag=_unquote_etag(etag),
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


def _not_http(url: str, spec: FileSpec) -> DownloadError:
    # aiohttp would raise a ClientError that looks retryable; no attempt can make it fetchable.
    return DownloadError(
        f"the server redirected to a non-HTTP URL ({server_text(redact_url(url))})",
        url=spec.url,
        model=spec.model,
        file=spec.name or None,
        hint="vcp follows redirects to http:// and https:// only; check the source's url / "
        "models.hub.endpoint, or ask the server's operator",
    )


def _unquote_etag(etag: str | None) -> str | None:
    if not etag:
        return None
    return etag.removeprefix("W/").strip('"') or None


async def _error_body(response: aiohttp.ClientResponse) -> str | None:
    """The ``error`` of a JSON error answer (``{"error": "..."}``, as the Hub sends), read
    within a small size and time budget; None for any other answer."""
    if response.status < 400 or response.status == 416 or "json" not in response.content_type:
        return None
    body = b""
    with contextlib.suppress(aiohttp.ClientError, TimeoutError):
        async with asyncio.timeout(ERROR_BODY_SECONDS):
            while len(body) < ERROR_BODY_MAX_BYTES and (
                piece := await response.content.read(ERROR_BODY_MAX_BYTES - len(body))
            ):
                body += piece
    try:
        error = json.loads(body).get("error")
    except (ValueError, AttributeError):
        return None
    return error if isinstance(error, str) else None


def _raise_for_status(
    response: aiohttp.ClientResponse,
    spec: FileSpec,
    *,
    secrets: Iterable[str] = (),
    said: str | None = None,
) -> None:
    status = response.status
    if status < 400 or status == 416:
        return
    code = server_text(response.headers.get("X-Error-Code", ""), secrets=secrets)
    said = response.headers.get("X-Error-Message", "") or said or response.reason or ""
    detail = server_text(said, secrets=secrets)
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
        f"{what}: {server_text(str(exc))}",
        url=url,
        model=spec.model,
        file=spec.name or None,
        hint=hint,
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
