"""Reading one JSON answer of the Hub API, bounded in time and size.

A metadata answer (repo info, a tree page, refs, a search) is small: the Hub's largest are a few
MiB. A server that drips it forever, or sends gigabytes, must end in a clear error quickly and
with bounded memory, so the body is read as a stream under an overall deadline
(``models.download.metadata_timeout_seconds``) and a size cap (``metadata_max_bytes``); neither is
retried, since another attempt would meet the same server. A host that cannot be reached at all
(no such name, connection refused) gets one quick retry, not the whole backoff schedule: the
user is better served by a prompt "cannot connect" than by 14 s of waiting for the same answer.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from anyio import to_thread

from vcp.errors import DownloadError
from vcp.models.http.client import Http, Reply
from vcp.models.http.failures import Transient
from vcp.models.hub.api import next_link
from vcp.models.planning.specs import FileSpec

CHUNK_BYTES = 64 * 1024
PARSE_IN_THREAD_BYTES = 1 << 20  # parsing a larger answer would stall the downloads running
T = TypeVar("T")
UNREACHABLE_ATTEMPTS = 2  # a refused connection or unknown host: one quick retry, then the error


@dataclass(frozen=True)
class Answer:
    """A parsed JSON answer and its ``Link: rel="next"`` target (tree pages)."""

    data: Any
    next: str | None


@dataclass(frozen=True)
class AnswerLimits:
    """How long one metadata request may take in all, and how large its body may be."""

    deadline: float
    max_bytes: int


async def read_answer(http: Http, spec: FileSpec, limits: AnswerLimits) -> Answer:
    """``GET spec.url`` as JSON; raises DownloadError when too slow, too large or not JSON,
    and ``Transient`` for what another attempt may fix."""
    try:
        async with asyncio.timeout(limits.deadline):
            async with http.request("GET", spec.url, spec) as reply:
                body = await _capped_body(reply, spec, limits.max_bytes)
                link = next_link(reply.headers.get("Link"))
    except TimeoutError:  # the overall deadline (a silent socket is Transient, from Http)
        raise _too_slow(spec, limits.deadline) from None
    return Answer(await _parse(spec, body), link)


def give_up_when_unreachable(
    op: Callable[[], Awaitable[T]], spec: FileSpec
) -> Callable[[], Awaitable[T]]:
    """``op`` for ``with_retries``, failing for good on the second attempt that cannot connect
    (also used for the ``HEAD`` probes of plain URLs and of endpoints without the Hub API)."""
    failures = 0

    async def attempt() -> T:
        nonlocal failures
        try:
            return await op()
        except Transient as exc:
            failures = failures + 1 if exc.unreachable else 0
            if failures >= UNREACHABLE_ATTEMPTS:
                raise cannot_connect(spec, exc, attempts=failures) from exc
            raise

    return attempt


def cannot_connect(spec: FileSpec, exc: Transient, *, attempts: int) -> DownloadError:
    """The error for an endpoint that accepts no connection (the reason names host and port)."""
    where = "models.hub.endpoint / HF_ENDPOINT" if spec.hub else "the source's url"
    return DownloadError(
        exc.reason,
        url=spec.url,
        attempts=attempts,
        model=spec.model,
        file=spec.name or None,
        hint=f"check the network and {where}, then run again; "
        "or use --offline (HF_HUB_OFFLINE=1) to work from the cache",
    )


async def _capped_body(reply: Reply, spec: FileSpec, cap: int) -> bytes:
    declared = reply.headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > cap:
        raise _too_large(spec, cap, announced=int(declared))
    body = bytearray()
    async for piece in reply.chunks(CHUNK_BYTES):
        body += piece
        if len(body) > cap:
            raise _too_large(spec, cap, announced=None)
    return bytes(body)


async def _parse(spec: FileSpec, body: bytes) -> Any:
    try:
        if len(body) > PARSE_IN_THREAD_BYTES:
            return await to_thread.run_sync(json.loads, body)
        return json.loads(body)
    except ValueError as exc:  # JSONDecodeError and UnicodeDecodeError alike
        raise bad_answer(spec, exc) from exc


def bad_answer(spec: FileSpec, exc: Exception) -> DownloadError:
    """The error for an answer that is not what the Hub API sends."""
    return DownloadError(
        f"unexpected answer from the Hub API: {exc}",
        url=spec.url,
        model=spec.model,
        hint="is models.hub.endpoint a Hugging Face Hub or a faithful mirror of it?",
    )


def _too_slow(spec: FileSpec, deadline: float) -> DownloadError:
    return DownloadError(
        f"the Hub's answer did not arrive in full within {deadline:g} s",
        url=spec.url,
        model=spec.model,
        hint="the server is too slow or never finishes its answer: check models.hub.endpoint / "
        "HF_ENDPOINT and the network, then run again (on a very slow link, raise "
        "models.download.metadata_timeout_seconds)",
    )


def _too_large(spec: FileSpec, cap: int, *, announced: int | None) -> DownloadError:
    size = f"{announced} bytes" if announced is not None else "more than that"
    return DownloadError(
        f"the Hub's answer is too large: {size}, the limit is {cap} bytes",
        url=spec.url,
        model=spec.model,
        hint="no Hub answer is that large: is models.hub.endpoint (HF_ENDPOINT) a Hugging Face "
        "Hub or a faithful mirror of it? If it is, raise models.download.metadata_max_bytes",
    )
