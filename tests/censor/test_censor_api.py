"""``await censor_film(...)`` on the sample film and its real report: the work runs beside the event
loop, the events reach a sync or an async handler in order, and a cancellation mid-way stops the
work and leaves neither the output nor a temporary file."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from vcp_testing.analysed import analysed_film

from vcp.censor import (
    CensorEvent,
    CensorFinished,
    CensorNotice,
    CensorProgress,
    CensorStarted,
    censor_film,
)
from vcp.config.schema.actions import ActionsSettings
from vcp.errors import ReportMismatch


def _names(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


async def test_censor_writes_the_copy_while_the_loop_keeps_running(tmp_path: Path) -> None:
    video, _ = analysed_film(tmp_path)
    out = tmp_path / "clean.mp4"
    events: list[CensorEvent] = []
    ticks = 0

    async def handler(event: CensorEvent) -> None:  # an async handler is awaited
        await asyncio.sleep(0)
        events.append(event)

    async def ticker() -> None:
        nonlocal ticks
        while True:
            await asyncio.sleep(0.005)
            ticks += 1

    beat = asyncio.create_task(ticker())
    try:
        result = await censor_film(video, out, actions=ActionsSettings(), on_event=handler)
    finally:
        beat.cancel()
    assert result.output == out and out.is_file() and result.plan.audio
    assert isinstance(events[0], CensorStarted) and isinstance(events[-1], CensorFinished)
    progress = [e.seconds for e in events if isinstance(e, CensorProgress)]
    assert progress == sorted(progress) and progress[-1] > 10  # the 14 s film, read in order
    assert ticks > 0  # the event loop ran while the film was transcoded
    assert _names(tmp_path) == ["clean.mp4", "movie.mp4", "movie.vcp.json"]


async def test_cancelling_censor_midway_leaves_no_output_and_no_temporary_file(
    tmp_path: Path,
) -> None:
    video, _ = analysed_film(tmp_path)
    out = tmp_path / "clean.mp4"
    seen: list[float] = []

    def cancel_at_three_seconds(event: CensorEvent) -> None:
        if isinstance(event, CensorProgress):
            seen.append(event.seconds)
            if event.seconds >= 3:
                task.cancel()

    task = asyncio.create_task(
        censor_film(video, out, actions=ActionsSettings(), on_event=cancel_at_three_seconds)
    )
    with pytest.raises(asyncio.CancelledError):
        await task
    assert seen[-1] >= 3 and all(s < 3 for s in seen[:-1])  # no step after the cancelling one
    assert _names(tmp_path) == ["movie.mp4", "movie.vcp.json"]  # no clean.mp4, no .partial


async def test_another_films_report_is_refused_then_used_when_forced(tmp_path: Path) -> None:
    video, report = analysed_film(tmp_path)
    other = tmp_path / "other.mp4"
    video.rename(other)
    with pytest.raises(ReportMismatch) as caught:
        await censor_film(other, tmp_path / "clean.mp4", actions=ActionsSettings(), report=report)
    assert caught.value.where == str(report) and "'movie.mp4'" in caught.value.reason
    notices: list[str] = []
    await censor_film(
        other,
        tmp_path / "clean.mp4",
        actions=ActionsSettings(),
        report=report,
        force=True,
        on_event=lambda e: notices.append(e.message) if isinstance(e, CensorNotice) else None,
    )
    assert any("does not match the film" in n for n in notices)
