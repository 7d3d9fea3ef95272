"""Byte ranges: wire formats, segment splitting, resume planning and judging range replies."""

from __future__ import annotations

import itertools

import pytest

from vcp.models.downloading.ranges import (
    ALIGNMENT,
    ContentRange,
    DownloadPart,
    RangeReply,
    ResumeAction,
    classify_range_reply,
    parse_content_range,
    plan_resume,
    range_header,
    split_segments,
)

MiB = 1 << 20

# -- Content-Range -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("bytes 0-99/1000", ContentRange(0, 99, 1000)),
        ("bytes 900-999/1000", ContentRange(900, 999, 1000)),
        ("bytes */1000", ContentRange(None, None, 1000)),
        ("bytes 0-99/*", ContentRange(0, 99, None)),
        ("bytes 0-0/1", ContentRange(0, 0, 1)),
        ("  Bytes 5-9/10 ", ContentRange(5, 9, 10)),
        (f"bytes {2**40}-{2**41 - 1}/{2**41}", ContentRange(2**40, 2**41 - 1, 2**41)),
    ],
)
def test_parse_content_range(value: str, expected: ContentRange) -> None:
    assert parse_content_range(value) == expected


@pytest.mark.parametrize(
    "value",
    [
        "",
        "bytes",
        "bytes */*",
        "bytes 0-99",
        "bytes=0-99/1000",
        "items 0-99/1000",
        "bytes 99-0/1000",  # end before start
        "bytes 0-1000/1000",  # end past the length
        "bytes -1-99/1000",
        "bytes 0-99/1000/2",
        "bytes a-b/c",
    ],
)
def test_parse_content_range_rejects_junk(value: str) -> None:
    with pytest.raises(ValueError, match="Content-Range"):
        parse_content_range(value)


# -- Range header --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "stop", "expected"),
    [
        (0, None, "bytes=0-"),
        (1234, None, "bytes=1234-"),
        (0, 100, "bytes=0-99"),  # half-open in, inclusive on the wire
        (100, 101, "bytes=100-100"),
        (2**40, 2**41, f"bytes={2**40}-{2**41 - 1}"),
    ],
)
def test_range_header(start: int, stop: int | None, expected: str) -> None:
    assert range_header(start, stop) == expected


@pytest.mark.parametrize(("start", "stop"), [(-1, None), (5, 5), (10, 3)])
def test_range_header_rejects_empty_or_negative(start: int, stop: int | None) -> None:
    with pytest.raises(ValueError, match="range"):
        range_header(start, stop)


def test_range_header_of_a_segment_matches_content_range_of_its_reply() -> None:
    segment = DownloadPart(1, 100, 200)
    header = range_header(segment.start, segment.stop)
    first, last = (int(n) for n in header.removeprefix("bytes=").split("-"))
    assert parse_content_range(f"bytes {first}-{last}/1000") == ContentRange(100, 199, 1000)
    assert last - first + 1 == segment.size


# -- segments ------------------------------------------------------------------------------------


def _assert_cover(segments: list[DownloadPart], size: int) -> None:
    assert [s.index for s in segments] == list(range(len(segments)))
    assert segments[0].start == 0
    assert segments[-1].stop == size
    for before, after in itertools.pairwise(segments):
        assert before.stop == after.start
    assert sum(s.size for s in segments) == size


@pytest.mark.parametrize(
    ("size", "connections", "min_segment", "parts"),
    [
        (1, 8, MiB, 1),
        (MiB - 1, 8, MiB, 1),  # smaller than one minimum segment
        (2 * MiB - 1, 8, MiB, 1),  # smaller than two minimum segments
        (2 * MiB, 8, MiB, 2),
        (8 * MiB, 8, MiB, 8),  # exactly connections * min_segment
        (8 * MiB - 1, 8, MiB, 7),
        (100 * MiB, 8, MiB, 8),
        (100 * MiB, 1, MiB, 1),
        (100 * MiB, 1000, MiB, 100),  # more connections than the size allows
        (75_537_502, 4, 8 * MiB, 4),  # the faster-whisper model.bin from the protocol notes
        (10**13, 16, 8 * MiB, 16),  # 10 TB
        (10, 4, 1, 4),  # tiny minimum: unaligned but still split
        (7, 3, 2, 3),
    ],
)
def test_split_segments_covers_the_file(
    size: int, connections: int, min_segment: int, parts: int
) -> None:
    segments = split_segments(size, connections=connections, min_segment=min_segment)
    assert len(segments) == parts
    _assert_cover(segments, size)
    if parts > 1:
        assert min(s.size for s in segments) >= min_segment
        sizes = [s.size for s in segments]
        assert max(sizes) - min(sizes) <= ALIGNMENT


@pytest.mark.parametrize(
    ("size", "connections", "min_segment"),
    [(100 * MiB, 8, MiB), (75_537_502, 4, 8 * MiB), (10**13, 16, 8 * MiB), (8 * MiB, 8, MiB)],
)
def test_split_segments_aligns_boundaries_when_size_allows(
    size: int, connections: int, min_segment: int
) -> None:
    segments = split_segments(size, connections=connections, min_segment=min_segment)
    assert all(s.start % ALIGNMENT == 0 for s in segments)


def test_split_segments_invariants_hold_across_a_grid() -> None:
    for min_segment in (1, 1000, ALIGNMENT, 3 * ALIGNMENT + 7):
        for connections in (1, 2, 3, 5, 8):
            for size in range(1, 40 * ALIGNMENT, 9_973):
                segments = split_segments(size, connections=connections, min_segment=min_segment)
                _assert_cover(segments, size)
                assert len(segments) <= connections
                sizes = [s.size for s in segments]
                if len(segments) > 1:
                    assert min(sizes) >= min_segment
                    assert max(sizes) - min(sizes) <= ALIGNMENT
                else:
                    assert size < 2 * min_segment or connections == 1


def test_split_segments_prefers_parallelism_over_alignment() -> None:
    # 200 000 bytes with a 100 000-byte minimum: aligned halves would leave one under the minimum.
    segments = split_segments(200_000, connections=4, min_segment=100_000)
    assert [(s.start, s.stop) for s in segments] == [(0, 100_000), (100_000, 200_000)]


def test_split_segments_unaligned_sizes_differ_by_at_most_one_byte() -> None:
    segments = split_segments(10, connections=3, min_segment=1)
    assert [s.size for s in segments] == [4, 3, 3]


def test_split_segments_empty_file_has_no_segments() -> None:
    assert split_segments(0, connections=8, min_segment=MiB) == []


@pytest.mark.parametrize(
    ("size", "connections", "min_segment"), [(-1, 1, 1), (10, 0, 1), (10, 1, 0)]
)
def test_split_segments_rejects_nonsense(size: int, connections: int, min_segment: int) -> None:
    with pytest.raises(ValueError, match="need size >= 0"):
        split_segments(size, connections=connections, min_segment=min_segment)


def test_segment_size() -> None:
    assert DownloadPart(0, 10, 25).size == 15


# -- resume --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("partial", "expected_size", "plan"),
    [
        (0, 1000, (ResumeAction.START, 0)),
        (0, None, (ResumeAction.START, 0)),
        (0, 0, (ResumeAction.START, 0)),
        (1, 1000, (ResumeAction.CONTINUE, 1)),
        (999, 1000, (ResumeAction.CONTINUE, 999)),
        (1000, 1000, (ResumeAction.COMPLETE, 1000)),
        (1001, 1000, (ResumeAction.RESTART, 0)),
        (500, None, (ResumeAction.CONTINUE, 500)),
    ],
)
def test_plan_resume(
    partial: int, expected_size: int | None, plan: tuple[ResumeAction, int]
) -> None:
    assert plan_resume(partial, expected_size) == plan


def test_plan_resume_rejects_negative_partial() -> None:
    with pytest.raises(ValueError, match="partial size"):
        plan_resume(-1, 10)


# -- range replies -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "content_range", "start", "expected_size", "reply"),
    [
        (206, "bytes 500-999/1000", 500, 1000, RangeReply.PARTIAL),
        (206, "bytes 500-999/1000", 500, None, RangeReply.PARTIAL),
        (206, "bytes 500-999/*", 500, 1000, RangeReply.PARTIAL),  # length withheld: trust start
        (206, "bytes 500-599/1000", 500, 1000, RangeReply.PARTIAL),  # shorter body is fine
        (200, None, 500, 1000, RangeReply.FULL),  # Range ignored: start over, do not append
        (200, "bytes 0-999/1000", 0, 1000, RangeReply.FULL),
        (416, "bytes */1000", 1000, 1000, RangeReply.UNSATISFIABLE),
        (416, None, 5000, None, RangeReply.UNSATISFIABLE),
        (206, "bytes 0-999/1000", 500, 1000, RangeReply.MISMATCH),  # other bytes
        (206, "bytes 500-1999/2000", 500, 1000, RangeReply.MISMATCH),  # the file changed
        (206, None, 500, 1000, RangeReply.MISMATCH),  # no Content-Range to place the body
        (206, "garbage", 500, 1000, RangeReply.MISMATCH),
        (206, "bytes */1000", 500, 1000, RangeReply.MISMATCH),
    ],
)
def test_classify_range_reply(
    status: int,
    content_range: str | None,
    start: int,
    expected_size: int | None,
    reply: RangeReply,
) -> None:
    got = classify_range_reply(
        status, content_range, requested_start=start, expected_size=expected_size
    )
    assert got is reply


@pytest.mark.parametrize("status", [301, 404, 500])
def test_classify_range_reply_refuses_non_range_statuses(status: int) -> None:
    with pytest.raises(ValueError, match=f"HTTP {status}"):
        classify_range_reply(status, None, requested_start=0, expected_size=None)
