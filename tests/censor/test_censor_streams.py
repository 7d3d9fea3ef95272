"""Which streams a censored copy copies and which it re-encodes, and at what bitrate
(``vcp.censor``'s stream plan; the edits themselves: tests/media/rewrite; the report check is
``vcp.report.pairing``'s: tests/report)."""

from __future__ import annotations

from vcp_testing.edit_plans import BLANK, MUTE, SKIP, STREAMS, encoders

from vcp.actions import EditPlan
from vcp.censor import plan_streams
from vcp.media.probe import StreamInfo


def jobs(plan: EditPlan, streams: tuple[StreamInfo, ...] = STREAMS) -> list[tuple[str, str]]:
    return [(j.action, j.codec) for j in plan_streams(streams, plan, encoder_for=encoders).jobs]


def test_audio_edits_re_encode_only_the_audio() -> None:
    plan = plan_streams(STREAMS, EditPlan((MUTE,), (), 10.0), encoder_for=encoders)
    assert [(j.action, j.codec) for j in plan.jobs] == [
        ("copy", "h264"), ("encode", "aac"), ("encode", "aac"), ("copy", "subrip"),
    ]  # fmt: skip
    assert plan.jobs[1].bit_rate == 128000  # the source's bitrate is kept...
    assert plan.jobs[2].bit_rate is None  # ...or the encoder's default when it is unknown
    assert plan.jobs[2].note is not None and "no encoder for 'dts'" in plan.jobs[2].note
    assert plan.notices == ()


def test_a_low_source_bitrate_is_raised_to_a_floor_per_channel() -> None:
    thin = (StreamInfo(0, "audio", "aac", sample_rate=22050, channels=1, bit_rate=45000),)
    (job,) = plan_streams(thin, EditPlan((MUTE,), (), 10.0), encoder_for=encoders).jobs
    assert job.bit_rate == 64000


def test_a_skip_re_encodes_video_and_audio_and_copies_subtitles() -> None:
    assert jobs(EditPlan((), (SKIP,), 10.0)) == [
        ("encode", "libx264"), ("encode", "aac"), ("encode", "aac"), ("copy", "subrip"),
    ]  # fmt: skip


def test_blank_alone_leaves_the_audio_copied() -> None:
    assert jobs(EditPlan((), (BLANK,), 10.0))[:2] == [("encode", "libx264"), ("copy", "aac")]


def test_nothing_to_do_is_a_copy_with_a_notice() -> None:
    plan = plan_streams(STREAMS, EditPlan((), (), 10.0), encoder_for=encoders)
    assert plan.copies_everything
    assert "copy of every stream" in plan.notices[0]


def test_audio_edits_on_a_film_without_audio_are_a_notice() -> None:
    plan = plan_streams((STREAMS[0],), EditPlan((MUTE,), (), 10.0), encoder_for=encoders)
    assert plan.copies_everything
    assert any("no audio stream" in n for n in plan.notices)
