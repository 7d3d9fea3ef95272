"""plan_edits: which segments become edits, padded, clamped, merged and sorted per channel."""

from __future__ import annotations

import math
import random

import pytest
from plan_reports import report_of, segment

from vcp.actions import AudioEdit, EditPlan, TimedBox, VideoEdit, plan_edits
from vcp.config.schema.actions import ActionsSettings, CategoryActions

# Symmetric padding keeps the arithmetic below easy to read; the shipped default is checked below.
DEFAULTS = ActionsSettings(padding={"audio": 0.15})


def spans(edits: tuple[AudioEdit, ...] | tuple[VideoEdit, ...]) -> list[tuple[float, float, str]]:
    return [(round(e.start, 6), round(e.end, 6), e.action) for e in edits]


def test_profanity_is_muted_with_word_padding() -> None:
    plan = plan_edits(report_of(segment(1, 2.0, 2.5)), DEFAULTS)
    assert spans(plan.audio) == [(1.85, 2.65, "mute")]
    assert plan.audio[0].categories == ("profanity",)
    assert plan.audio[0].segment_ids == (1,)
    assert plan.video == ()


def test_the_shipped_default_pads_more_before_a_word_than_after_it() -> None:
    plan = plan_edits(report_of(segment(1, 2.0, 2.5)), ActionsSettings())
    assert spans(plan.audio) == [(1.6, 2.6, "mute")]  # whisper's word times are late


def test_nudity_is_skipped_without_padding() -> None:
    plan = plan_edits(report_of(segment(1, 3.0, 5.0, "Nudity", "video")), DEFAULTS)
    assert spans(plan.video) == [(3.0, 5.0, "skip")]
    assert plan.audio == ()


def test_allowed_segments_are_left_alone() -> None:
    report = report_of(
        segment(1, 1.0, 1.5, allow=True), segment(2, 4.0, 6.0, "nudity", "video", allow=True)
    )
    plan = plan_edits(report, DEFAULTS)
    assert plan.audio == () and plan.video == ()
    assert plan.kept_ranges() == ((0.0, 10.0),)


def test_padding_is_clamped_to_the_film() -> None:
    report = report_of(segment(1, 0.05, 0.3), segment(2, 9.9, 10.0), duration=10.0)
    assert spans(plan_edits(report, DEFAULTS).audio) == [(0.0, 0.45, "mute"), (9.75, 10.0, "mute")]


def test_a_segment_past_the_end_of_the_film_is_dropped() -> None:
    report = report_of(segment(1, 12.0, 13.0), duration=10.0)
    assert plan_edits(report, DEFAULTS).audio == ()


def test_an_explicit_duration_overrides_the_reports() -> None:
    plan = plan_edits(report_of(segment(1, 7.0, 9.0)), DEFAULTS, duration=8.0)
    assert spans(plan.audio) == [(6.85, 8.0, "mute")]
    assert plan.duration == 8.0


def test_overlapping_and_touching_segments_merge() -> None:
    report = report_of(
        segment(3, 5.0, 5.2, "slurs"),  # out of order on purpose
        segment(1, 1.0, 1.4),
        segment(2, 1.6, 2.0, "blasphemy"),  # padded, it overlaps segment 1
    )
    plan = plan_edits(report, DEFAULTS)
    assert spans(plan.audio) == [(0.85, 2.15, "mute"), (4.85, 5.35, "mute")]
    assert plan.audio[0].segment_ids == (1, 2)
    assert plan.audio[0].categories == ("profanity", "blasphemy")


def test_mute_wins_over_bleep_where_they_overlap() -> None:
    actions = ActionsSettings(
        categories={
            "profanity": CategoryActions(audio="bleep"),
            "slurs": CategoryActions(audio="mute"),
        },
        padding={"audio": 0.0},
    )
    report = report_of(segment(1, 1.0, 3.0), segment(2, 2.0, 2.5, "slurs"))
    plan = plan_edits(report, actions)
    assert spans(plan.audio) == [(1.0, 2.0, "bleep"), (2.0, 2.5, "mute"), (2.5, 3.0, "bleep")]


def test_skip_beats_blank_beats_blur() -> None:
    actions = ActionsSettings(
        padding={"audio": 0.15},
        categories={
            "gore": CategoryActions(video="blur"),
            "violence": CategoryActions(video="blank"),
            "nudity": CategoryActions(video="skip"),
        },
    )
    report = report_of(
        segment(1, 0.0, 6.0, "gore", "video"),
        segment(2, 1.0, 5.0, "violence", "video"),
        segment(3, 2.0, 3.0, "nudity", "video"),
    )
    plan = plan_edits(report, actions)
    assert spans(plan.video) == [
        (0.0, 1.0, "blur"),
        (1.0, 2.0, "blank"),
        (2.0, 3.0, "skip"),
        (3.0, 5.0, "blank"),
        (5.0, 6.0, "blur"),
    ]
    assert plan.video[2].segment_ids == (1, 2, 3)


def test_unlisted_categories_get_the_default_per_kind() -> None:
    report = report_of(segment(1, 1.0, 2.0, "insults"), segment(2, 4.0, 5.0, "gore", "video"))
    plan = plan_edits(report, DEFAULTS)
    assert spans(plan.audio) == [(0.85, 2.15, "mute")]
    assert spans(plan.video) == [(4.0, 5.0, "skip")]
    custom = ActionsSettings(padding={"audio": 0.15}, default={"audio": "bleep", "video": "none"})
    plan = plan_edits(report, custom)
    assert spans(plan.audio) == [(0.85, 2.15, "bleep")]
    assert plan.video == ()


def test_a_listed_category_does_only_what_it_says() -> None:
    actions = ActionsSettings(
        padding={"audio": 0.15},
        categories={"profanity": CategoryActions(audio="none", video="skip")},
    )
    plan = plan_edits(report_of(segment(1, 1.0, 2.0)), actions)
    assert plan.audio == ()
    assert spans(plan.video) == [(0.85, 2.15, "skip")]  # padding follows the segment's kind


def test_per_category_padding_overrides_the_kind_default() -> None:
    actions = ActionsSettings(
        padding={"audio": 0.15},
        categories={"nudity": CategoryActions(video="skip", padding_before=0.5, padding_after=1.0)},
    )
    plan = plan_edits(report_of(segment(1, 2.0, 3.0, "nudity", "video")), actions)
    assert spans(plan.video) == [(1.5, 4.0, "skip")]


def test_blur_carries_the_boxes_with_their_times() -> None:
    actions = ActionsSettings(
        padding={"audio": 0.15}, categories={"nudity": CategoryActions(video="blur")}
    )
    hits = ((2.0, (10, 20, 30, 40)), (3.0, (50, 60, 30, 40)))
    plan = plan_edits(report_of(segment(1, 2.0, 3.0, "nudity", "video", boxes=hits)), actions)
    (edit,) = plan.video
    assert edit.boxes == (
        TimedBox(2.0, 2.0, (10, 20, 30, 40)),
        TimedBox(3.0, 3.0, (50, 60, 30, 40)),
    )
    assert edit.boxes_at(2.0) == ((10, 20, 30, 40),)
    assert edit.boxes_at(2.4) == ((10, 20, 30, 40),)  # the nearest sample stands in
    assert edit.boxes_at(2.9) == ((50, 60, 30, 40),)
    assert edit.boxes_at(2.5) == ((10, 20, 30, 40), (50, 60, 30, 40))  # halfway: both


def test_blur_without_boxes_has_none_to_pick() -> None:
    actions = ActionsSettings(
        padding={"audio": 0.15}, categories={"nudity": CategoryActions(video="blur")}
    )
    plan = plan_edits(report_of(segment(1, 2.0, 3.0, "nudity", "video")), actions)
    assert plan.video[0].boxes_at(2.5) == ()


def test_kept_ranges_are_the_complement_of_the_skips() -> None:
    report = report_of(
        segment(1, 0.0, 1.0, "nudity", "video"),
        segment(2, 4.0, 5.0, "nudity", "video"),
        segment(3, 4.5, 6.0, "nudity", "video"),
        segment(4, 7.0, 8.0),  # muted, not skipped
    )
    plan = plan_edits(report, DEFAULTS)
    assert plan.kept_ranges() == ((1.0, 4.0), (6.0, 10.0))
    assert plan.skipped_seconds == pytest.approx(3.0)
    assert plan.output_duration() == pytest.approx(7.0)


def test_source_time_maps_to_output_time_after_skips() -> None:
    report = report_of(
        segment(1, 2.0, 3.0, "nudity", "video"), segment(2, 5.0, 7.0, "nudity", "video")
    )
    plan = plan_edits(report, DEFAULTS)
    assert plan.output_time(1.0) == 1.0
    assert plan.output_time(2.5) is None
    assert plan.output_time(3.0) == pytest.approx(2.0)
    assert plan.output_time(4.0) == pytest.approx(3.0)
    assert plan.output_time(6.0) is None
    assert plan.output_time(9.0) == pytest.approx(6.0)


def test_an_unknown_duration_leaves_the_last_range_open() -> None:
    plan = plan_edits(report_of(segment(1, 2.0, 3.0, "nudity", "video"), duration=0), DEFAULTS)
    assert plan.duration is None
    assert plan.kept_ranges() == ((0.0, 2.0), (3.0, math.inf))
    assert plan.output_duration() is None


def test_edit_lookup_by_time() -> None:
    report = report_of(segment(1, 1.0, 2.0), segment(2, 5.0, 6.0, "nudity", "video"))
    plan = plan_edits(report, DEFAULTS)
    assert plan.audio_at(1.5) == plan.audio[0]
    assert plan.audio_at(3.0) is None
    assert plan.video_at(5.0) == plan.video[0]
    assert plan.video_at(6.0) is None
    assert plan.has_video_changes


def test_an_empty_report_plans_nothing() -> None:
    plan = plan_edits(report_of(), DEFAULTS)
    assert plan == EditPlan(audio=(), video=(), duration=10.0)
    assert not plan.has_video_changes


def test_time_mapping_agrees_with_counting_the_skips_one_by_one() -> None:
    rng = random.Random(7)
    segments = []
    for i in range(60):
        start = rng.uniform(0, 590)
        segments.append(segment(i + 1, start, start + rng.uniform(0.1, 8), "nudity", "video"))
    plan = plan_edits(report_of(*segments, duration=600.0), DEFAULTS)
    for _ in range(2000):
        t = rng.uniform(0, 600)
        inside = any(s.start <= t < s.end for s in plan.skips)
        removed = sum(s.duration for s in plan.skips if s.end <= t)
        expected = None if inside else t - removed
        got = plan.output_time(t)
        assert (got is None) == (expected is None)
        if got is not None and expected is not None:
            assert got == pytest.approx(expected)
    kept = sum(b - a for a, b in plan.kept_ranges())
    assert kept == pytest.approx(600.0 - plan.skipped_seconds)


def test_two_words_of_one_segment_are_muted_and_the_speech_between_them_is_not() -> None:
    words = ((2.0, 2.4), (3.9, 4.3))  # 1.5 s apart: one segment for display
    plan = plan_edits(report_of(segment(1, 2.0, 4.3, words=words)), DEFAULTS)
    assert spans(plan.audio) == [(1.85, 2.55, "mute"), (3.75, 4.45, "mute")]
    assert {e.segment_ids for e in plan.audio} == {(1,)}


def test_mute_segments_covers_the_whole_segment_as_before() -> None:
    words = ((2.0, 2.4), (3.9, 4.3))
    settings = ActionsSettings(padding={"audio": 0.15}, mute="segments")
    plan = plan_edits(report_of(segment(1, 2.0, 4.3, words=words)), settings)
    assert spans(plan.audio) == [(1.85, 4.45, "mute")]


def test_words_whose_padding_overlaps_are_one_edit() -> None:
    words = ((2.0, 2.4), (2.6, 3.0))
    plan = plan_edits(report_of(segment(1, 2.0, 3.0, words=words)), DEFAULTS)
    assert spans(plan.audio) == [(1.85, 3.15, "mute")]


def test_a_segment_whose_times_a_user_widened_is_muted_whole() -> None:
    words = ((2.0, 2.4), (3.9, 4.3))
    plan = plan_edits(report_of(segment(1, 1.0, 5.0, words=words)), DEFAULTS)
    assert spans(plan.audio) == [(0.85, 5.15, "mute")]


def test_a_picture_segment_with_an_audio_action_mutes_its_whole_span() -> None:
    settings = ActionsSettings(
        padding={"audio": 0.15}, categories={"nudity": CategoryActions(audio="mute")}
    )
    boxes = ((3.0, (1, 2, 3, 4)), (5.0, (1, 2, 3, 4)))
    report = report_of(segment(1, 3.0, 6.0, "nudity", "video", boxes=boxes))
    assert spans(plan_edits(report, settings).audio) == [(3.0, 6.0, "mute")]  # video padding: 0


def test_word_spans_keep_video_actions_on_the_whole_segment() -> None:
    both = CategoryActions(audio="mute", video="blank")
    settings = ActionsSettings(padding={"audio": 0.15}, categories={"profanity": both})
    words = ((2.0, 2.4), (3.9, 4.3))
    plan = plan_edits(report_of(segment(1, 2.0, 4.3, words=words)), settings)
    assert len(plan.audio) == 2
    assert spans(plan.video) == [(1.85, 4.45, "blank")]


def test_uncertain_segments_are_acted_on_unless_the_config_ignores_them() -> None:
    report = report_of(segment(1, 2.0, 2.4, uncertain=True), segment(2, 6.0, 6.4))
    assert [e.segment_ids for e in plan_edits(report, DEFAULTS).audio] == [(1,), (2,)]
    ignoring = plan_edits(report, ActionsSettings(padding={"audio": 0.15}, uncertain="ignore"))
    assert [e.segment_ids for e in ignoring.audio] == [(2,)]


def test_a_last_word_running_past_the_end_of_the_film_still_mutes_words_only() -> None:
    words = ((7.0, 7.4), (9.0, 10.6))  # the analysis cut the segment at the film's end
    plan = plan_edits(report_of(segment(1, 7.0, 10.0, words=words), duration=10.0), DEFAULTS)
    assert spans(plan.audio) == [(6.85, 7.55, "mute"), (8.85, 10.0, "mute")]
