"""The Analyzer as an embedding application holds it: opened once, closed with its models
released, several films at once within a bound, one result per film, async handlers.

Real models from a ready cache, real films (the sample, and short ones written with PyAV).
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
from vcp_testing.analysis import SAMPLE, make_media

from vcp import (
    AnalysisFinished,
    AnalysisStarted,
    Analyzer,
    Event,
    FilmResult,
    MediaError,
    ModelManager,
    Settings,
    analyze,
)
from vcp.media.probe import probe

pytestmark = pytest.mark.slow


async def test_an_analyzer_releases_its_models_on_exit_and_is_not_reused(
    config: Path, tmp_path: Path
) -> None:
    settings = Settings.load(config)
    async with ModelManager(settings.models) as models:
        analyzer = Analyzer(settings, models)
        with pytest.raises(RuntimeError, match="async with"):
            await analyzer.analyze(SAMPLE)
        async with analyzer:
            report = await analyzer.analyze(SAMPLE, report_path=tmp_path / "r.json")
            loaded = dict(analyzer.detectors)
        assert set(loaded) == {"nudity", "profanity", "subtitles"}
        assert analyzer.detectors == {}
        media = probe(SAMPLE)
        for name in ("nudity", "profanity"):  # their onnxruntime / whisper sessions are gone
            with pytest.raises(RuntimeError, match="closed"):
                list(loaded[name].scan(media))
        with pytest.raises(RuntimeError, match="closed"):
            await analyzer.analyze(SAMPLE)
        with pytest.raises(RuntimeError, match="opens once"):
            await analyzer.__aenter__()
    assert report.segments
    # Settings.load remembered the file: the report records it
    assert json.loads((tmp_path / "r.json").read_text())["vcp"]["config"] == str(config)


async def test_analyze_many_bounds_the_films_at_once_and_yields_each_film(
    config: Path, tmp_path: Path
) -> None:
    films = [make_media(tmp_path / f"clip{i}.mp4", seconds=2.0) for i in range(3)]
    broken = tmp_path / "broken.mp4"
    broken.write_bytes(b"not a film at all" * 100)
    running: set[Path] = set()
    most = 0

    def on_event(event: Event) -> None:
        nonlocal most
        if isinstance(event, AnalysisStarted):
            running.add(event.input)
            most = max(most, len(running))
        elif isinstance(event, AnalysisFinished):
            running.discard(event.input)

    settings = Settings.load(config)
    reports = {film: tmp_path / f"{film.stem}.json" for film in films}
    results: list[FilmResult] = []
    async with (
        ModelManager(settings.models) as models,
        Analyzer(settings, models, on_event=on_event) as analyzer,
    ):
        async for result in analyzer.analyze_many([*films, broken], jobs=2, report_paths=reports):
            results.append(result)
    assert most == 2
    assert {r.path for r in results} == {*films, broken}
    failed = [r for r in results if not r.ok]
    assert [r.path for r in failed] == [broken]
    assert isinstance(failed[0].error, MediaError) and failed[0].report is None
    for result in results:
        if result.ok:
            assert result.report_path == reports[result.path] and result.report_path.is_file()


async def test_an_async_handler_gets_every_event_in_order(config: Path) -> None:
    seen: list[Event] = []

    async def on_event(event: Event) -> None:
        await asyncio.sleep(0)  # a handler that awaits (a web socket, a queue)
        seen.append(event)

    report = await analyze(SAMPLE, Settings.load(config), on_event=on_event)
    analysis = [e for e in seen if isinstance(e, AnalysisStarted | AnalysisFinished)]
    assert [type(e) for e in analysis] == [AnalysisStarted, AnalysisFinished]
    assert analysis[-1].segments == report.summary.segments
