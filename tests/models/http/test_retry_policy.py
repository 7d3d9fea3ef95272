"""Retry decisions: which statuses, how long to wait, and the server's hints."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest

from vcp.models.http.policy import (
    RetryPolicy,
    is_retryable_status,
    parse_ratelimit_reset,
    parse_retry_after,
    server_wait,
)

NOW = datetime(2026, 3, 1, 12, 0, 0, tzinfo=UTC)


def _http_date(moment: datetime) -> str:
    return moment.strftime("%a, %d %b %Y %H:%M:%S GMT")


# -- statuses ------------------------------------------------------------------------------------


@pytest.mark.parametrize("status", [408, 429, 500, 502, 503, 504, 599])
def test_retryable_statuses(status: int) -> None:
    assert is_retryable_status(status)


@pytest.mark.parametrize("status", [200, 206, 301, 400, 401, 403, 404, 410, 416, 451, 600])
def test_statuses_retrying_cannot_fix(status: int) -> None:
    assert not is_retryable_status(status)


# -- Retry-After ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("120", 120.0),
        ("0", 0.0),
        (" 7 ", 7.0),
        ("1.5", 1.5),
        ("-5", 0.0),  # negative: go now
        (_http_date(NOW + timedelta(seconds=90)), 90.0),
        (_http_date(NOW - timedelta(hours=1)), 0.0),  # in the past: go now
        ("Sun, 01 Mar 2026 12:00:30 -0000", 30.0),  # "-0000" parses naive: still UTC
        ("Sun, 01 Mar 2026 13:00:30 +0100", 30.0),
        (None, None),
        ("", None),
        ("soon", None),
        ("Sun, 99 Mar 2026 12:00:30 GMT", None),
        ("1e3", None),
    ],
)
def test_parse_retry_after(value: str | None, expected: float | None) -> None:
    assert parse_retry_after(value, now=NOW) == expected


def test_parse_retry_after_naive_now_is_taken_as_utc() -> None:
    value = _http_date(NOW + timedelta(seconds=10))
    assert parse_retry_after(value, now=NOW.replace(tzinfo=None)) == 10.0


# -- RateLimit -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ('"api";r=0;t=55', 55.0),  # as the Hub sends it on a 429
        ('"resolvers";r=0;t=299', 299.0),
        ('"api"; r=0; t=55', 55.0),
        ('"api";r=12;t=55', 0.0),  # requests remain: the quota asks for no wait
        ('"api";t=40', 40.0),  # remaining unknown: trust the reset
        ('"a";r=5;t=10, "b";r=0;t=60', 60.0),  # several policies: the exhausted one counts
        ('"a";r=0;t=10, "b";r=0;t=60', 60.0),
        ("limit=100, remaining=0, reset=30", 30.0),  # older draft
        ("limit=100, remaining=3, reset=30", 0.0),
        ("reset=30", 30.0),
        (None, None),
        ("", None),
        ('"api";r=0', None),
        ('"api";r=0;t=soon', None),
        ('"api";r=0;t=-5', None),
        ("limit=100, remaining=0", None),
        ("garbage", None),
    ],
)
def test_parse_ratelimit_reset(value: str | None, expected: float | None) -> None:
    assert parse_ratelimit_reset(value) == expected


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"Retry-After": "20", "RateLimit": '"api";r=0;t=55'}, 55.0),
        ({"retry-after": "90", "ratelimit": '"api";r=0;t=55'}, 90.0),
        ({"RETRY-AFTER": _http_date(NOW + timedelta(seconds=12))}, 12.0),
        ({"RateLimit": '"api";r=0;t=55'}, 55.0),
        ({"Retry-After": "junk", "RateLimit": "junk"}, None),
        ({"Retry-After": "junk", "RateLimit": '"api";r=0;t=3'}, 3.0),
        ({"Content-Type": "text/plain"}, None),
        ({}, None),
    ],
)
def test_server_wait_takes_the_longer_hint(headers: dict[str, str], expected: float | None) -> None:
    assert server_wait(headers, now=NOW) == expected


# -- RetryPolicy ---------------------------------------------------------------------------------


def test_default_schedule_without_jitter_is_2_4_8() -> None:
    policy = RetryPolicy()
    assert policy.retries == 3
    assert [policy.delay(n, rand=lambda: 0.5) for n in (1, 2, 3)] == [2.0, 4.0, 8.0]


@pytest.mark.parametrize(
    ("rand", "expected"),
    [(lambda: 0.0, 3.6), (lambda: 0.5, 4.0), (lambda: 0.999999, 4.4), (lambda: 0.25, 3.8)],
)
def test_jitter_stays_within_its_fraction(rand: Callable[[], float], expected: float) -> None:
    assert RetryPolicy().delay(2, rand=rand) == pytest.approx(expected)


def test_jitter_bounds_with_the_real_random() -> None:
    policy = RetryPolicy(jitter=0.25)
    delays = [policy.delay(3) for _ in range(500)]
    assert all(6.0 <= d <= 10.0 for d in delays)
    assert len(set(delays)) > 1  # parallel retries do not march in lockstep


def test_server_hint_raises_the_wait() -> None:
    policy = RetryPolicy()
    assert policy.delay(1, server_hint=55.0, rand=lambda: 0.5) == 55.0


def test_server_hint_shorter_than_backoff_keeps_backoff() -> None:
    assert RetryPolicy().delay(3, server_hint=1.0, rand=lambda: 0.5) == 8.0


def test_waits_are_capped_at_max_wait() -> None:
    policy = RetryPolicy(backoff=(2.0, 600.0), max_wait=300.0)
    assert policy.delay(1, server_hint=3600.0, rand=lambda: 0.5) == 300.0
    assert policy.delay(2, rand=lambda: 0.999) == 300.0


def test_should_retry_counts_retries_after_the_first_attempt() -> None:
    policy = RetryPolicy(backoff=(1.0, 2.0))
    assert [policy.should_retry(n) for n in (0, 1, 2, 3)] == [False, True, True, False]


def test_no_retries_policy() -> None:
    policy = RetryPolicy(backoff=())
    assert policy.retries == 0
    assert not policy.should_retry(1)


@pytest.mark.parametrize("retry", [0, 4, -1])
def test_delay_outside_the_schedule_is_an_error(retry: int) -> None:
    with pytest.raises(ValueError, match=r"outside 1\.\.3"):
        RetryPolicy().delay(retry)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"backoff": (1.0, -1.0)},
        {"backoff": (float("inf"),)},
        {"jitter": 1.0},
        {"jitter": -0.1},
        {"max_wait": -1.0},
    ],
)
def test_policy_rejects_nonsense(kwargs: dict[str, object]) -> None:
    with pytest.raises(ValueError, match="must be"):
        RetryPolicy(**kwargs)  # type: ignore[arg-type]
