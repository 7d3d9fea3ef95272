"""When to retry a request and how long to wait first.

Pure code: the policy computes delays and the model manager does the sleeping, inside its own
cancellation scope. Servers' hints (``Retry-After``, ``RateLimit``) win over our own backoff,
because the Hub counts requests per IP over 5-minute windows and retrying early only burns quota.
"""

from __future__ import annotations

import email.utils
import math
import random
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

__all__ = [
    "RetryPolicy",
    "is_retryable_status",
    "parse_ratelimit_reset",
    "parse_retry_after",
    "server_wait",
]

_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")


def is_retryable_status(status: int) -> bool:
    """True for statuses a later attempt may fix: 408, 429 and every 5xx."""
    return status in (408, 429) or 500 <= status <= 599


def parse_retry_after(value: str | None, *, now: datetime) -> float | None:
    """Seconds to wait from a ``Retry-After`` value (delta-seconds or an HTTP-date).

    A negative delay or a date in the past gives 0.0; a missing or unreadable value gives None.
    """
    if value is None or not (text := value.strip()):
        return None
    if _NUMBER.fullmatch(text):
        return max(0.0, float(text))
    try:
        when = email.utils.parsedate_to_datetime(text)
    except ValueError:
        return None
    return max(0.0, (_aware(when) - _aware(now)).total_seconds())


def _aware(moment: datetime) -> datetime:
    # HTTP dates are GMT; a naive datetime (e.g. "-0000" zone, or a naive ``now``) is taken as UTC.
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def parse_ratelimit_reset(value: str | None) -> float | None:
    """Seconds until the quota resets, from a ``RateLimit`` header; None if absent or unreadable.

    Reads the IETF form the Hub sends, ``"api";r=0;t=55`` (one item per policy, comma-separated),
    and the older draft's ``limit=100, remaining=0, reset=30``. A policy with requests remaining
    asks for no wait (0.0); with several policies the longest wait wins.
    """
    if not value:
        return None
    items = [_params(item) for item in value.split(",")]
    if any("t" in item for item in items):
        waits = [_reset_wait(item, "r", "t") for item in items if "t" in item]
    else:  # older draft: the whole header is one policy spread over comma-separated pairs
        merged = {key: val for item in items for key, val in item.items()}
        waits = [_reset_wait(merged, "remaining", "reset")] if "reset" in merged else []
    found = [wait for wait in waits if wait is not None]
    return max(found) if found else None


def _params(item: str) -> dict[str, str]:
    pairs = (part.partition("=") for part in item.split(";"))
    return {key.strip().lower(): val.strip() for key, sep, val in pairs if sep}


def _reset_wait(params: Mapping[str, str], remaining_key: str, reset_key: str) -> float | None:
    reset = _non_negative(params.get(reset_key))
    remaining = _non_negative(params.get(remaining_key))
    if reset is None:
        return None
    return 0.0 if remaining is not None and remaining > 0 else reset


def _non_negative(text: str | None) -> float | None:
    if text is None or not _NUMBER.fullmatch(text) or text.startswith("-"):
        return None
    return float(text)


def server_wait(headers: Mapping[str, str], *, now: datetime) -> float | None:
    """The longer of the server's ``Retry-After`` and ``RateLimit`` hints, or None if neither."""
    lowered = {name.lower(): val for name, val in headers.items()}
    hints = [
        parse_retry_after(lowered.get("retry-after"), now=now),
        parse_ratelimit_reset(lowered.get("ratelimit")),
    ]
    found = [hint for hint in hints if hint is not None]
    return max(found) if found else None


@dataclass(frozen=True)
class RetryPolicy:
    """Backoff schedule: retry ``n`` (1-based) waits ``backoff[n - 1]`` seconds, +/- ``jitter``.

    Jitter is a fraction of the step, so parallel downloads that failed together do not retry in
    lockstep. A server's hint raises the wait; ``max_wait`` caps every wait, and
    ``max_total_wait`` all the waits of one file (a server asking for more is given up on).
    """

    backoff: tuple[float, ...] = (2.0, 4.0, 8.0)
    jitter: float = 0.1
    max_wait: float = 300.0
    max_total_wait: float = 300.0

    def __post_init__(self) -> None:
        if any(not math.isfinite(step) or step < 0 for step in self.backoff):
            raise ValueError(f"backoff steps must be finite and >= 0, got {self.backoff}")
        if not 0 <= self.jitter < 1:
            raise ValueError(f"jitter must be in [0, 1), got {self.jitter}")
        if not self.max_wait >= 0:
            raise ValueError(f"max_wait must be >= 0, got {self.max_wait}")
        if not self.max_total_wait >= 0:
            raise ValueError(f"max_total_wait must be >= 0, got {self.max_total_wait}")

    @property
    def retries(self) -> int:
        """How many retries follow the first attempt."""
        return len(self.backoff)

    def should_retry(self, retry: int) -> bool:
        """Whether retry number ``retry`` (1-based) is allowed."""
        return 1 <= retry <= self.retries

    def delay(
        self,
        retry: int,
        *,
        server_hint: float | None = None,
        rand: Callable[[], float] = random.random,
    ) -> float:
        """Seconds to wait before retry number ``retry``; ``rand`` returns a float in [0, 1)."""
        if not self.should_retry(retry):
            raise ValueError(f"retry {retry} is outside 1..{self.retries}")
        step = self.backoff[retry - 1]
        wait = step * (1 + self.jitter * (2 * rand() - 1))  # rand() == 0.5 gives the step exactly
        if server_hint is not None:
            wait = max(wait, server_hint)
        return min(wait, self.max_wait)
