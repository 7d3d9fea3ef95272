"""What the mirror sends for a Range / If-Range request (pure planning, no sockets)."""

from __future__ import annotations

import pytest

from vcp.mirror.ranges import ByteSpan, plan_span

SIZE = 1000


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (None, ByteSpan(200, 0, SIZE, SIZE)),
        ("bytes=0-", ByteSpan(206, 0, SIZE, SIZE)),
        ("bytes=100-", ByteSpan(206, 100, 900, SIZE)),
        ("bytes=100-199", ByteSpan(206, 100, 100, SIZE)),
        ("bytes=900-5000", ByteSpan(206, 900, 100, SIZE)),
        ("bytes=-10", ByteSpan(206, 990, 10, SIZE)),
        ("bytes=-5000", ByteSpan(206, 0, SIZE, SIZE)),
        ("bytes=999-999", ByteSpan(206, 999, 1, SIZE)),
    ],
)
def test_satisfiable_ranges(header: str | None, expected: ByteSpan) -> None:
    assert plan_span(SIZE, header) == expected


@pytest.mark.parametrize("header", ["bytes=1000-", "bytes=5000-6000", "bytes=-0"])
def test_unsatisfiable_ranges_are_416_with_the_size(header: str) -> None:
    span = plan_span(SIZE, header)
    assert span.status == 416
    assert span.headers() == {"Content-Range": "bytes */1000"}


@pytest.mark.parametrize("header", ["bytes=5-1", "items=0-1", "bytes=0-1,5-6", "bytes=-", "junk"])
def test_malformed_or_multiple_ranges_are_ignored(header: str) -> None:
    assert plan_span(SIZE, header).status == 200


def test_content_range_of_a_partial_answer() -> None:
    assert plan_span(SIZE, "bytes=10-19").headers() == {"Content-Range": "bytes 10-19/1000"}


def test_if_range_must_match_the_quoted_etag() -> None:
    assert plan_span(SIZE, "bytes=10-", if_range='"abc"', etag="abc").status == 206
    assert plan_span(SIZE, "bytes=10-", if_range='"old"', etag="abc").status == 200
    assert plan_span(SIZE, "bytes=10-", if_range='W/"abc"', etag="abc").status == 200


def test_any_range_of_an_empty_file_is_unsatisfiable() -> None:
    assert plan_span(0, None) == ByteSpan(200, 0, 0, 0)
    assert plan_span(0, "bytes=0-").status == 416
