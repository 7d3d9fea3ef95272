"""The composition root: what every network-facing part of model management shares.

Built once, by ``open_context``, for a ModelManager or a ``vcp models pin`` run, and handed to the
registry, the planner and each file's transfer instead of five separate arguments each.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING

from vcp.config.schema import DownloadSettings, ModelsSettings
from vcp.models.http.client import Auth, Http, new_session, origin
from vcp.models.http.policy import RetryPolicy
from vcp.models.http.retrying import Emit, Sleep, policy_for
from vcp.models.hub.metadata import Clock

if TYPE_CHECKING:  # only models/http/ uses aiohttp itself
    import aiohttp


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
    session = new_session(settings.download)
    try:
        http = hub_http(session, settings, token=token)
        policy = policy_for(settings.download)
        yield Context(http, settings.download, emit, policy, sleep=sleep, clock=clock)
    finally:
        await session.close()


def hub_http(
    session: aiohttp.ClientSession, settings: ModelsSettings, *, token: str | None
) -> Http:
    """Requests on ``session`` with the token scoped to the configured endpoint's origin."""
    auth = Auth(token, origin(settings.hub.endpoint)) if token else None
    return Http(session, auth=auth, max_redirects=settings.download.max_redirects)
