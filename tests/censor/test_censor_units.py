"""The pure parts of censor: which streams are copied, the sample and pixel edits, and the lines
the progress renderer prints (the report check is ``vcp.report.pairing``'s: tests/report)."""

from __future__ import annotations

import io
from pathlib import Path

import av
import numpy as np
import pytest
from censor_films import Film

from vcp.actions import AudioEdit, EditPlan, VideoEdit
from vcp.censor import (
    CensorFinished,
    CensorNotice,
    CensorProgress,
    CensorStarted,
    plan_streams,
)
from vcp.cli.exit_codes import exit_code
from vcp.cli.progress.censor import CensorRenderer
from vcp.media.probe import StreamInfo
from vcp.media.rewrite.edits import apply_audio_edits, blur_boxes, kept_samples, pad_box

STREAMS = (
    StreamInfo(0, "video", "h264", width=320, height=240),
    StreamInfo(1, "audio", "aac", sample_rate=48000, channels=2, bit_rate=128000),
    StreamInfo(2, "audio", "dts", sample_rate=48000, channels=6),
    StreamInfo(3, "subtitle", "subrip"),
)
MUTE = AudioEdit(1.0, 2.0, "mute", ("profanity",), (1,))
SKIP = VideoEdit(3.0, 4.0, "skip", ("nudity",), (2,))
BLANK = VideoEdit(5.0, 6.0, "blank", ("gore",), (3,))


def encoders(stream: StreamInfo) -> str | None:
    return {"aac": "aac", "h264": "libx264"}.get(stream.codec)


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


def test_pyav_encoders_are_found_and_tried_at_the_streams_rate() -> None:
    from vcp.media.rewrite.writer import encoder_for

    assert encoder_for(StreamInfo(1, "audio", "aac", sample_rate=48000, channels=2)) == "aac"
    assert encoder_for(StreamInfo(1, "audio", "mp3", sample_rate=44100, channels=2)) == "libmp3lame"
    assert encoder_for(StreamInfo(1, "audio", "ac3", sample_rate=48000, channels=6)) == "ac3"
    assert encoder_for(StreamInfo(1, "audio", "ac3", sample_rate=22050, channels=2)) is None
    assert encoder_for(StreamInfo(1, "audio", "dts", sample_rate=48000, channels=6)) is None
    assert encoder_for(StreamInfo(1, "audio", "vorbis", sample_rate=48000, channels=2)) is None


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


def test_mute_and_bleep_are_sample_accurate() -> None:
    rate = 1000
    samples = np.ones((2, 3000), dtype=np.float32)
    bleep = AudioEdit(2.0, 2.5, "bleep", ("x",), (2,))
    out = apply_audio_edits(
        samples, start=0.5, rate=rate, edits=[MUTE, bleep], bleep_hz=250, bleep_dbfs=-6
    )
    assert (
        np.all(out[:, 500:1500] == 0) and np.all(out[:, :500] == 1) and np.all(out[:, 2000:] == 1)
    )
    tone = out[0, 1500:2000]
    assert np.max(np.abs(tone)) == pytest.approx(10 ** (-6 / 20), rel=1e-3)
    assert tone[0] == pytest.approx(0, abs=1e-6)  # the phase starts at the edit
    assert np.all(samples == 1)  # the input is not modified


def test_kept_samples_drop_the_skipped_stretch() -> None:
    mask = kept_samples(1000, start=2.5, rate=1000, skips=[SKIP])
    assert mask is not None
    assert mask[:500].all() and not mask[500:].any()
    assert kept_samples(1000, start=0.0, rate=1000, skips=[SKIP]) is None


def test_blur_replaces_detail_inside_the_padded_box_only() -> None:
    rng = np.random.default_rng(1)
    image = rng.integers(0, 255, (100, 200, 3), dtype=np.uint8)
    out = blur_boxes(image, [(50, 20, 40, 40)], padding=0.25, cells=2)
    assert pad_box((50, 20, 40, 40), padding=0.25, height=100, width=200) == (40, 10, 100, 70)
    inside = out[10:70, 40:100]
    assert len(np.unique(inside.reshape(-1, 3), axis=0)) <= 4  # two cells across, two down
    assert np.array_equal(out[:, :40], image[:, :40]) and np.array_equal(
        out[:, 100:], image[:, 100:]
    )
    whole = blur_boxes(image, [], padding=0, cells=1)
    assert len(np.unique(whole.reshape(-1, 3), axis=0)) == 1


def test_the_log_renderer_says_what_is_copied_and_how_far_it_is() -> None:
    stream = io.StringIO()
    clock = iter([0.0, 10.0, 10.0, 11.0])
    render = CensorRenderer("log", stream, clock=lambda: next(clock), log_interval=5)
    jobs = plan_streams(STREAMS[:2], EditPlan((MUTE,), (), 60.0), encoder_for=encoders).jobs
    with render:
        render(CensorStarted(Path("a.mkv"), Path("b.mkv"), 60.0, 60.0, jobs, 1, 0))
        render(CensorNotice("hello"))
        render(CensorProgress(30.0, 60.0))
        render(CensorProgress(31.0, 60.0))  # within the interval: quiet
        render(CensorFinished(Path("b.mkv"), 60.0, 2.0))
    assert stream.getvalue().splitlines() == [
        "censoring a.mkv: 1 audio edit(s), 0 video edit(s)",
        "  video 0: copied (h264)",
        "  audio 1: re-encoded (aac -> aac)",
        "! hello",
        "censoring: 30/60 s of the film read (50%)",
    ]


def test_the_bar_renderer_draws_a_bar_and_prints_notices_above_it() -> None:
    stream = io.StringIO()
    jobs = plan_streams(STREAMS[:2], EditPlan((MUTE,), (), 60.0), encoder_for=encoders).jobs
    with CensorRenderer("bars", stream) as render:
        render(CensorStarted(Path("a.mkv"), Path("b.mkv"), 60.0, 60.0, jobs, 1, 0))
        render(CensorProgress(30.0, 60.0))
        render(CensorNotice("hello"))
        render(CensorFinished(Path("b.mkv"), 60.0, 2.0))
    text = stream.getvalue()
    assert "a.mkv: " in text and "/60 s" in text
    assert "! hello\n" in text and "audio 1: re-encoded (aac -> aac)" in text


def test_transcoding_failures_say_where_and_what_to_do(tmp_path: Path) -> None:
    import errno

    from vcp.errors import MediaError, OutputError
    from vcp.media.containers import is_refused_write, open_input
    from vcp.media.rewrite.writer import unfit_container

    src, out = Path("in.mkv"), Path("out.mp4")
    # A full disk is not the film's fault: it passes the input's boundary for write_output to
    # name the output (the censor CLI test with a small file system shows the whole way).
    assert is_refused_write(av.error.OSError(errno.ENOSPC, "No space left on device"))
    assert not is_refused_write(av.error.InvalidDataError(1094995529, "Invalid data"))
    wrong = unfit_container(
        ValueError("'mp4' format does not support 'srt' codec"), source=src, output=out
    )
    assert isinstance(wrong, OutputError) and exit_code(wrong) == 2 and wrong.where == "out.mp4"
    assert "(.mkv)" in (wrong.hint or "") and "-o" not in (wrong.hint or "")
    junk = tmp_path / "in.mkv"
    junk.write_bytes(b"not a film" * 100)
    with pytest.raises(MediaError) as broken, open_input(junk):
        pass
    assert broken.value.where == str(junk) and exit_code(broken.value) == 4


def test_a_copy_that_receives_no_frame_is_refused_even_when_the_length_is_unknown(
    film: Film, tmp_path: Path
) -> None:
    # A plan of unknown length (a container that lies about its duration) passes the check made
    # before the work; the writer still notices that no frame or sample reached the output.
    from vcp.config.schema.actions import ActionsSettings
    from vcp.errors import OutputError
    from vcp.media.rewrite.writer import Recipe, transcode

    skip = VideoEdit(0.0, 1000.0, "skip", ("nudity",), (1,))
    recipe = Recipe(plan=EditPlan((), (skip,), None), actions=ActionsSettings(), encoders={})
    with pytest.raises(OutputError) as caught:
        transcode(film.path, tmp_path / "out.mkv", recipe, on_progress=lambda s: None)
    assert "nothing left to write" in caught.value.message
