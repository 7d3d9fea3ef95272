"""The composition root: what every network-facing part of model management shares.

Built once, by ``open_context``, for a ModelManager or a ``vcp models pin`` run, and handed to the
registry, the planner and each file's transfer instead of five separate arguments each.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING

from vcp.config.schema import DownloadSettings, ModelsSettings
from vcp.errors import DownloadError, redact_url
from vcp.models.http.client import Auth, Http, Reply, SessionOnDemand, origin
from vcp.models.http.failures import Transient
from vcp.models.http.policy import RetryPolicy
from vcp.models.http.retrying import Emit, Sleep, policy_for
from vcp.models.hub.metadata import Clock

if TYPE_CHECKING:  # only models/http/ uses aiohttp itself
    import aiohttp

    from vcp.models.planning.specs import FileSpec

http_logger = logging.getLogger("vcp.models.http")


class LoggedHttp(Http):
    """``Http`` that logs every request at INFO (``-v``): method, redacted URL, status, time.

    A subclass rather than an aiohttp trace hook: the status a user needs is the final one, after
    the redirects ``Http`` follows itself, and URLs must be redacted like every message's.
    """

    @asynccontextmanager
    async def request(
        self, method: str, url: str, spec: FileSpec, *, headers: Mapping[str, str] | None = None
    ) -> AsyncIterator[Reply]:
        started = time.monotonic()
        logged = False
        try:
            async with super().request(method, url, spec, headers=headers) as reply:
                final = str(reply.response.url)
                moved = f" from {redact_url(final)}" if final != url else ""
                _log_request(method, url, f"{reply.status}{moved}", started)
                logged = True
                yield reply
        except (DownloadError, Transient) as exc:
            if not logged:  # a failure while the body was read was logged with its status
                _log_request(method, url, _outcome(exc), started)
            raise


def _outcome(exc: DownloadError | Transient) -> str:
    if isinstance(exc, Transient):
        return f"{exc.status} ({exc.reason})" if exc.status else f"failed ({exc.reason})"
    return str(exc.status) if exc.status else f"failed ({exc.detail})"


def _log_request(method: str, url: str, outcome: str, started: float) -> None:
    elapsed = (time.monotonic() - started) * 1000
    http_logger.info("%s %s -> %s, %.0f ms", method, redact_url(url), outcome, elapsed)


@dataclass(frozen=True)
class Context:
    """HTTP requests, the download settings, where events go, how to wait and tell the time."""

    http: Http
    download: DownloadSettings
    emit: Emit
    policy: RetryPolicy
    sleep: Sleep = asyncio.sleep
    clock: Clock = time.time


@asynccontextmanager
async def open_context(
    settings: ModelsSettings,
    *,
    token: str | None,
    emit: Emit,
    sleep: Sleep = asyncio.sleep,
    clock: Clock = time.time,
) -> AsyncIterator[Context]:
    """One HTTP session for ``settings`` (closed on exit), the token scoped to the endpoint."""
    session = SessionOnDemand(settings.download)  # an all-cached run never opens one
    try:
        http = hub_http(session, settings, token=token)
        policy = policy_for(settings.download)
        yield Context(http, settings.download, emit, policy, sleep=sleep, clock=clock)
    finally:
        await session.close()


def hub_http(
    session: aiohttp.ClientSession | SessionOnDemand,
    settings: ModelsSettings,
    *,
    token: str | None,
) -> Http:
    """Requests on ``session`` with the token scoped to the configured endpoint's origin."""
    auth = Auth(token, origin(settings.hub.endpoint)) if token else None
    return LoggedHttp(session, auth=auth, max_redirects=settings.download.max_redirects)
