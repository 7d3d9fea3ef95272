"""The lines the censor progress renderer prints (``vcp.cli.progress.censor``): log lines, or a
bar with the notices above it."""

from __future__ import annotations

import io
from pathlib import Path

from vcp_testing.edit_plans import MUTE, STREAMS, encoders

from vcp.actions import EditPlan
from vcp.censor import (
    CensorFinished,
    CensorNotice,
    CensorProgress,
    CensorStarted,
    plan_streams,
)
from vcp.cli.progress.censor import CensorRenderer


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
