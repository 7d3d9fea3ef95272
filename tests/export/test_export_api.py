"""``await export_files(...)`` on the sample film and its real report: the files of the CLI,
named the same way, one ``OutputWritten`` event each, and refusals as library errors that name
no option."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from vcp_testing.analysed import analysed_film

from vcp.config.schema.actions import ActionsSettings
from vcp.core.outputs import OutputWritten
from vcp.errors import OutputError
from vcp.export import export_files


async def test_export_from_a_video_writes_beside_it_and_says_each_file(tmp_path: Path) -> None:
    video, _ = analysed_film(tmp_path)
    events: list[OutputWritten] = []
    written = await export_files(
        video, ["edl", "vtt"], actions=ActionsSettings(), on_event=events.append
    )
    assert written == [tmp_path / "movie.edl", tmp_path / "movie.vcp.vtt"]
    assert events == [OutputWritten(p, fmt) for p, fmt in zip(written, ["edl", "vtt"], strict=True)]
    edl = (tmp_path / "movie.edl").read_text().splitlines()
    assert len(edl) >= 1 and all(line.endswith(" 1") for line in edl)  # the sample's words: mutes


async def test_export_from_a_report_into_a_folder(tmp_path: Path) -> None:
    _, report = analysed_film(tmp_path / "films")
    out = tmp_path / "players"

    async def slow_handler(event: OutputWritten) -> None:
        await asyncio.sleep(0)

    written = await export_files(report, ["mcf"], out_dir=out, on_event=slow_handler)
    assert written == [out / "movie.mcf"]
    assert written[0].read_text().startswith("WEBVTT MovieContentFilter 1.0.0")


async def test_an_unknown_format_is_a_value_error_and_a_refusal_names_no_option(
    tmp_path: Path,
) -> None:
    video, _ = analysed_film(tmp_path)
    with pytest.raises(ValueError, match="unknown export format: sub"):
        await export_files(video, ["edl", "sub"])
    (tmp_path / "movie.edl").write_bytes(b"\x00binary, not a player file")
    with pytest.raises(OutputError) as caught:
        await export_files(video, ["edl"])
    assert caught.value.force_allows and "-o" not in (caught.value.hint or "")
    assert "--force" not in str(caught.value) + (caught.value.hint or "")
