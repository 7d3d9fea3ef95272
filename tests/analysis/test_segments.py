"""Merging detections into report segments: gaps, categories, frame spans, numbering."""

from __future__ import annotations

from vcp.analysis.detectors import Detection
from vcp.analysis.segments import build_segments

KINDS = {"nudity": "video", "profanity": "audio"}


def _frame(t: float, score: float = 0.8, label: str = "FACE_FEMALE", cat: str = "nudity"):
    return Detection("nudity", cat, label, score, t, t, box=(1, 2, 3, 4))


def _word(start: float, end: float, word: str = "fuck", cat: str = "profanity"):
    return Detection("profanity", cat, word, 0.9, start, end, word=word, masked="f**k")


def _build(hits, gap: float = 2.0, duration: float | None = 100.0):
    return build_segments(hits, kinds=KINDS, gap=gap, frame_span=1.0, duration=duration)


def test_hits_closer_than_the_gap_merge_and_farther_ones_do_not() -> None:
    segments = _build([_word(1.0, 1.5), _word(3.0, 3.4), _word(10.0, 10.5)])
    assert [(s.start, s.end) for s in segments] == [(1.0, 3.4), (10.0, 10.5)]
    assert len(segments[0].detections) == 2


def test_a_gap_of_exactly_the_merge_gap_merges() -> None:
    assert len(_build([_word(1.0, 2.0), _word(4.0, 4.5)], gap=2.0)) == 1


def test_categories_merge_separately_and_overlap_freely() -> None:
    hits = [_word(5.0, 5.5), _word(5.6, 6.0, "god damn", "blasphemy"), _frame(5.0)]
    segments = _build(hits)
    assert sorted(s.category for s in segments) == ["blasphemy", "nudity", "profanity"]


def test_a_frame_hit_covers_its_sample_interval_clamped_to_the_film() -> None:
    first, last = _build([_frame(3.0), _frame(4.0), _frame(99.5)], gap=0.0)
    assert (first.start, first.end, first.kind) == (3.0, 5.0, "video")
    assert (last.start, last.end) == (99.5, 100.0)


def test_segments_are_numbered_in_time_order_with_labels_and_max_confidence() -> None:
    hits = [_word(20, 21), _frame(2.0, 0.6, "FACE_FEMALE"), _frame(2.5, 0.9, "BELLY_EXPOSED")]
    segments = _build(hits)
    assert [s.id for s in segments] == [1, 2]
    assert segments[0].labels == ("BELLY_EXPOSED", "FACE_FEMALE")
    assert segments[0].confidence == 0.9
    assert segments[1].kind == "audio" and segments[1].detections[0].masked == "f**k"
    assert all(s.allow is False for s in segments)


def test_unsorted_input_gives_the_same_segments() -> None:
    hits = [_word(9, 9.5), _word(1, 1.2), _word(2, 2.2)]
    assert _build(hits) == _build(sorted(hits, key=lambda h: h.start))


def test_no_detections_no_segments() -> None:
    assert _build([]) == ()


def _unsure(start: float, end: float) -> Detection:
    return Detection("profanity", "profanity", "fuck", 0.2, start, end, word="fuck", uncertain=True)


def test_a_segment_of_only_uncertain_hits_is_uncertain_and_says_which_hits() -> None:
    (segment,) = _build([_unsure(1.0, 1.4), _unsure(2.0, 2.3)])
    assert segment.uncertain is True
    assert [d.uncertain for d in segment.detections] == [True, True]
    assert segment.detections[0].score == 0.2  # the probability is kept as the score


def test_one_certain_hit_makes_its_segment_certain_and_merging_ignores_certainty() -> None:
    segments = _build([_unsure(1.0, 1.4), _word(2.0, 2.3), _unsure(20.0, 20.4)])
    assert [(s.start, s.end, s.uncertain) for s in segments] == [
        (1.0, 2.3, False),
        (20.0, 20.4, True),
    ]
    assert [d.uncertain for d in segments[0].detections] == [True, False]
