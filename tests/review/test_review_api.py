"""``await build_review(...)`` on the sample film and its real report, and on a folder: the
page(s) of the CLI, one ``OutputWritten`` event per page, and a cancellation between a folder's
pages."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from vcp_testing.analysed import analysed_film

from vcp.core.outputs import OutputWritten
from vcp.errors import ReportError
from vcp.review import INDEX_NAME, build_review, is_review_page


async def test_review_of_a_video_writes_its_page_beside_the_report(tmp_path: Path) -> None:
    video, _ = analysed_film(tmp_path)
    events: list[OutputWritten] = []
    page = await build_review(video, on_event=events.append)
    assert page == tmp_path / "movie.vcp.html" and is_review_page(page)
    assert events == [OutputWritten(page, "page")]
    text = page.read_text()
    assert "<title>vcp review: movie.mp4</title>" in text and 'class="word"' in text


async def test_review_of_a_folder_writes_each_page_then_the_index(tmp_path: Path) -> None:
    analysed_film(tmp_path, "first.mp4")
    analysed_film(tmp_path / "more", "second.mp4")
    events: list[OutputWritten] = []

    async def handler(event: OutputWritten) -> None:
        await asyncio.sleep(0)
        events.append(event)

    index = await build_review(tmp_path, stills=False, on_event=handler)
    assert index == tmp_path / INDEX_NAME
    assert [e.kind for e in events] == ["page", "page", "index"] and events[-1].path == index


async def test_cancelling_a_folder_review_stops_before_the_next_page(tmp_path: Path) -> None:
    analysed_film(tmp_path, "first.mp4")
    analysed_film(tmp_path / "more", "second.mp4")

    def cancel_after_the_first(event: OutputWritten) -> None:
        task.cancel()

    task = asyncio.create_task(
        build_review(tmp_path, stills=False, on_event=cancel_after_the_first)
    )
    with pytest.raises(asyncio.CancelledError):
        await task
    assert (tmp_path / "first.vcp.html").is_file()  # complete, under its name
    assert not (tmp_path / "more" / "second.vcp.html").exists()
    assert not (tmp_path / INDEX_NAME).exists()
    assert not [p for p in tmp_path.rglob(".*") if p.is_file()]  # no temporary file


async def test_a_folder_without_reports_is_a_report_error(tmp_path: Path) -> None:
    with pytest.raises(ReportError, match="no reports"):
        await build_review(tmp_path)
