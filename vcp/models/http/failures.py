"""How HTTP failures become vcp's errors: ``Transient`` for what another attempt may fix, the
``ModelError`` family (with hints) for the rest, and a server's own words made safe to print.

Split from the client so the boundary's two halves read apart: ``client`` talks to aiohttp,
this module decides what an answer or an exception means for the user.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import socket
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from vcp.core.lazy import lazy_module
from vcp.core.terminal import terminal_safe
from vcp.errors import AuthRequired, DownloadError, ModelNotFound, redact_url
from vcp.models.http.policy import is_retryable_status, server_wait
from vcp.models.planning.specs import FileSpec

if TYPE_CHECKING:
    import aiohttp
else:  # loaded at first use, as in client
    aiohttp = lazy_module("aiohttp")

SERVER_TEXT_MAX_CHARS = 300  # a server's own words in a message: enough for any real explanation
ERROR_BODY_MAX_BYTES = 64 * 1024  # an error answer's JSON body is read up to this size...
ERROR_BODY_SECONDS = 5.0  # ...and for this long, then ignored


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
    text = terminal_safe(text)
    if len(text) > SERVER_TEXT_MAX_CHARS:
        text = text[: SERVER_TEXT_MAX_CHARS - 1] + "…"
    return text


def not_http(url: str, spec: FileSpec) -> DownloadError:
    # aiohttp would raise a ClientError that looks retryable; no attempt can make it fetchable.
    return DownloadError(
        f"the server redirected to a non-HTTP URL ({server_text(redact_url(url))})",
        url=spec.url,
        model=spec.model,
        file=spec.name or None,
        hint="vcp follows redirects to http:// and https:// only; check the source's url / "
        "models.hub.endpoint, or ask the server's operator",
    )


def unquote_etag(etag: str | None) -> str | None:
    if not etag:
        return None
    return etag.removeprefix("W/").strip('"') or None


async def error_body(response: aiohttp.ClientResponse) -> str | None:
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


def raise_for_status(
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


def permanent(exc: aiohttp.ClientError, url: str, spec: FileSpec) -> DownloadError:
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


def cannot_connect(exc: aiohttp.ClientConnectorError) -> str:
    # Not aiohttp's text ("Cannot connect to host h:443 ssl:default [...]"): the host, the port
    # and the operating system's reason are what a user can act on.
    cause = exc.os_error
    if isinstance(exc, aiohttp.ClientConnectorDNSError) or isinstance(cause, socket.gaierror):
        return f"cannot resolve host {exc.host}: {(cause.strerror or 'no such host').lower()}"
    why = os.strerror(cause.errno) if cause.errno else (cause.strerror or "failed")
    return f"cannot connect to {exc.host}:{exc.port}: {why.lower()}"


def describe(exc: BaseException) -> str:
    if isinstance(exc, TimeoutError | asyncio.TimeoutError):
        return "timed out"
    text = str(exc) or type(exc).__name__
    return f"{type(exc).__name__}: {text}" if type(exc).__name__ not in text else text
