"""Retrying in the async shell: sleeping per ``RetryPolicy`` and announcing each retry."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TypeVar

from vcp.config.schema import DownloadSettings
from vcp.errors import DownloadError
from vcp.models.events import DownloadEvent, Retrying
from vcp.models.http.failures import Transient
from vcp.models.http.policy import RetryPolicy
from vcp.models.planning.specs import FileSpec

logger = logging.getLogger(__name__)
T = TypeVar("T")
Emit = Callable[[DownloadEvent], None]
Sleep = Callable[[float], Awaitable[None]]


@dataclass
class Waited:
    """Seconds spent waiting between attempts, shared by every retry loop of one file (its
    ranged pieces each have a loop) so that ``RetryPolicy.max_total_wait`` bounds the file."""

    seconds: float = 0.0


async def wait_before_retry(
    exc: Transient,
    retries: int,
    *,
    spec: FileSpec,
    policy: RetryPolicy,
    emit: Emit,
    sleep: Sleep,
    place: Path | None,
    waited: Waited | None = None,
) -> None:
    """Sleep before retry number ``retries`` (announcing it), or raise when none are left."""
    waited = waited if waited is not None else Waited()
    if not policy.should_retry(retries):
        message = f"gave up after {retries} attempts: {exc.reason}"
        raise _gave_up(message, exc, retries, spec, place) from exc
    delay = policy.delay(retries, server_hint=exc.wait)
    asked = max(delay, exc.wait or 0.0)
    if waited.seconds + asked > policy.max_total_wait:
        message = _too_long(exc, asked, waited, policy)
        raise _gave_up(message, exc, retries, spec, place) from exc
    waited.seconds += delay
    at = datetime.now(UTC) + timedelta(seconds=delay)
    emit(Retrying(spec.model, spec.name, retries, delay, exc.reason, at=at))
    logger.info(
        "%s: %s; retry %d in %.1f s, at %s UTC",
        spec.label,
        exc.reason,
        retries,
        delay,
        at.strftime("%H:%M:%S"),
    )
    await sleep(delay)


def _too_long(exc: Transient, asked: float, waited: Waited, policy: RetryPolicy) -> str:
    who = "the server asks" if exc.wait and exc.wait >= asked else "vcp would have"
    until = (datetime.now(UTC) + timedelta(seconds=asked)).strftime("%H:%M:%S UTC")
    return (
        f"{exc.reason}; {who} to wait {asked:.0f} s more (until {until}), beyond the "
        f"{policy.max_total_wait:g} s of waiting allowed per file "
        f"(models.download.max_retry_wait_seconds; {waited.seconds:.0f} s waited so far)"
    )


def _gave_up(
    message: str, exc: Transient, retries: int, spec: FileSpec, place: Path | None
) -> DownloadError:
    by_hand = f"; or download the file by hand to {place}" if place else ""
    return DownloadError(
        message,
        url=spec.url,
        status=exc.status,
        attempts=retries,
        path=place,
        model=spec.model,
        file=spec.name or None,
        hint=_exhausted_hint(exc) + by_hand,
    )


def policy_for(settings: DownloadSettings) -> RetryPolicy:
    """The retry schedule the configuration asks for."""
    return RetryPolicy(
        backoff=tuple(settings.retry_backoff_seconds),
        max_total_wait=settings.max_retry_wait_seconds,
    )


def _exhausted_hint(exc: Transient) -> str:
    if exc.status == 429:
        wait = f" (about {exc.wait:.0f} s)" if exc.wait else ""
        return f"the server is rate limiting: wait for its limit to reset{wait}, then run again"
    if exc.wait:
        return f"the server asked for {exc.wait:.0f} s before the next attempt: run again then"
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
    waited: Waited | None = None,
) -> T:
    """Run ``op`` until it succeeds, retrying ``Transient`` failures per ``policy``: the one retry
    loop of vcp (probes, Hub API calls, streams and ranged pieces).

    ``progress`` counts what ``op`` achieved towards its result (for a transfer: bytes kept
    towards the verified file, not bytes received): a failure after progress continues at once
    and is not counted, so a slow but moving transfer never runs out of retries, unless the
    failure says it ``counts`` (too slow). ``place`` is where the user could put the file by
    hand, named when the retries are exhausted; ``waited`` shares the wait budget of one file.
    """
    retries = 0
    waited = waited if waited is not None else Waited()
    while True:
        before = progress() if progress else 0
        try:
            return await op()
        except Transient as exc:
            if progress and progress() > before and not exc.counts:
                logger.info("%s: %s; continuing where it stopped", spec.label, exc.reason)
                continue
            retries += 1
            await wait_before_retry(
                exc,
                retries,
                spec=spec,
                policy=policy,
                emit=emit,
                sleep=sleep,
                place=place,
                waited=waited,
            )
