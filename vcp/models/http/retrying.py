"""Retrying in the async shell: sleeping per ``RetryPolicy`` and announcing each retry."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TypeVar

from vcp.config.schema import DownloadSettings
from vcp.errors import DownloadError
from vcp.models.events import Event, Retrying
from vcp.models.http.client import Transient
from vcp.models.http.policy import RetryPolicy
from vcp.models.planning.specs import FileSpec

logger = logging.getLogger(__name__)
T = TypeVar("T")
Emit = Callable[[Event], None]
Sleep = Callable[[float], Awaitable[None]]


async def wait_before_retry(
    exc: Transient,
    retries: int,
    *,
    spec: FileSpec,
    policy: RetryPolicy,
    emit: Emit,
    sleep: Sleep,
    place: Path | None,
) -> None:
    """Sleep before retry number ``retries`` (announcing it), or raise when none are left."""
    if not policy.should_retry(retries):
        by_hand = f"; or download the file by hand to {place}" if place else ""
        raise DownloadError(
            f"gave up after {retries} attempts: {exc.reason}",
            url=spec.url,
            status=exc.status,
            attempts=retries,
            path=place,
            model=spec.model,
            file=spec.name or None,
            hint=_exhausted_hint(exc) + by_hand,
        ) from exc
    delay = policy.delay(retries, server_hint=exc.wait)
    emit(Retrying(spec.model, spec.name, retries, delay, exc.reason))
    logger.info("%s: %s; retry %d in %.1f s", spec.label, exc.reason, retries, delay)
    await sleep(delay)


def policy_for(settings: DownloadSettings) -> RetryPolicy:
    """The retry schedule the configuration asks for."""
    return RetryPolicy(backoff=tuple(settings.retry_backoff_seconds))


def _exhausted_hint(exc: Transient) -> str:
    if exc.status == 429:
        wait = f" (about {exc.wait:.0f} s)" if exc.wait else ""
        return f"the server is rate limiting: wait for its limit to reset{wait}, then run again"
    return "check the network and run again (partial downloads are kept and resume)"


async def with_retries(
    op: Callable[[], Awaitable[T]],
    *,
    spec: FileSpec,
    policy: RetryPolicy,
    emit: Emit,
    sleep: Sleep,
    place: Path | None = None,
    progress: Callable[[], int] | None = None,
) -> T:
    """Run ``op`` until it succeeds, retrying ``Transient`` failures per ``policy``: the one retry
    loop of vcp (probes, Hub API calls, streams and ranged pieces).

    ``progress`` counts what ``op`` achieved (bytes received): a failure after progress continues
    at once and is not counted, so a slow but moving transfer never runs out of retries. ``place``
    is where the user could put the file by hand, named when the retries are exhausted.
    """
    retries = 0
    while True:
        before = progress() if progress else 0
        try:
            return await op()
        except Transient as exc:
            if progress and progress() > before:
                logger.info("%s: %s; continuing where it stopped", spec.label, exc.reason)
                continue
            retries += 1
            await wait_before_retry(
                exc, retries, spec=spec, policy=policy, emit=emit, sleep=sleep, place=place
            )
