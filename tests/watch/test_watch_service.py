"""The watch service with the real models, the real sample film and a real library folder."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
from vcp_testing.analysis import SAMPLE
from vcp_testing.watch import copy_sample, copy_slowly, watching

from vcp.analysis.pipeline import Analyzer
from vcp.config import Settings
from vcp.models.manager import ModelManager
from vcp.watch import (
    FilmDone,
    FilmFailed,
    FilmQueued,
    FilmStarted,
    RetryPolicy,
    StatusServer,
    WatchOptions,
)

SETTLE = 0.4


@pytest.fixture
async def analyzer(settings: Settings) -> AsyncIterator[Analyzer]:
    async with (
        ModelManager(settings.models, offline=True) as models,
        Analyzer(settings, models) as analyzer,
    ):
        yield analyzer


async def test_films_are_analysed_once_settled_and_a_broken_one_fails_aside(
    analyzer: Analyzer, library: Path
) -> None:
    movie, broken = library / "movie.mp4", library / "broken.mp4"
    options = WatchOptions(sidecars=("edl",), settle_seconds=SETTLE, retry=RetryPolicy((0.3,)))
    async with (
        watching(library, analyzer, options) as (service, heard),
        StatusServer(service.status) as server,
    ):
        await asyncio.sleep(0.2)  # the service is watching an empty library
        broken.write_bytes(b"this is not a film\n" * 4000)
        # Growing for 1.2 s, three times the settle period, but never idle for it.
        last_write = await copy_slowly(movie, chunks=8, pause=SETTLE / 3)

        done = await heard.wait(FilmDone, movie)
        assert heard.when(FilmStarted, movie) > last_write  # not analysed while it grew
        assert len(heard.of(FilmStarted, movie)) == 1
        report = json.loads(done.report.read_text())
        assert done.report == library / "movie.vcp.json"
        assert report["input"]["size"] == SAMPLE.stat().st_size  # the whole film
        assert (library / "movie.edl").is_file() and done.sidecars == (library / "movie.edl",)

        # Failed, retried after its delay, failed again and given up until it changes.
        first = await heard.wait(FilmFailed, broken)
        again = await heard.wait(FilmFailed, broken, count=2)
        assert first.failures == 1 and first.retry_at is not None
        assert again.failures == 2 and again.retry_at is None
        assert len(heard.of(FilmQueued, broken)) == 2

        async with aiohttp.ClientSession() as http:
            async with http.get(server.url + "status") as answer:
                status = await answer.json()
            async with http.get(server.url) as answer:
                page = await answer.text()
        assert server.url.startswith("http://127.0.0.1:")
        assert [f["path"] for f in status["done"]] == ["movie.mp4"]
        [failed] = status["failed"]
        assert failed["path"] == "broken.mp4" and failed["failures"] == 2
        assert failed["next_retry"] is None and failed["reason"]
        assert status["counts"] == {
            "settling": 0, "queued": 0, "running": 0, "done": 1, "failed": 1,
        }  # fmt: skip
        assert "movie.mp4" in page and "broken.mp4" in page and failed["reason"] in page

        broken.unlink()  # a deleted film is forgotten
        async with asyncio.timeout(10):
            # No event says a film was forgotten: look at the status until it is.
            while service.status()["counts"]["failed"]:  # type: ignore[index]  # noqa: ASYNC110
                await asyncio.sleep(0.05)


async def test_a_restart_analyses_only_what_it_has_not_done(
    analyzer: Analyzer, library: Path
) -> None:
    one, two = library / "one.mp4", library / "two.mp4"
    copy_sample(one)
    options = WatchOptions(settle_seconds=SETTLE)
    async with watching(library, analyzer, options) as (_, heard):
        await heard.wait(FilmDone, one)
    state = json.loads((library / ".vcp-watch.json").read_text())
    assert list(state["films"]) == ["one.mp4"]

    copy_sample(two)  # added while the service was stopped
    async with watching(library, analyzer, options) as (service, heard):
        await heard.wait(FilmDone, two)
        assert heard.of(FilmStarted) == [FilmStarted(two)]  # not one.mp4 again
        done = service.status()["done"]
        assert [f["path"] for f in done] == ["one.mp4", "two.mp4"]  # type: ignore[index]

    # A film changed while the service is stopped is analysed again, once.
    with one.open("ab") as out:
        out.write(b"\0" * 1024)
    async with watching(library, analyzer, options) as (_, heard):
        await heard.wait(FilmDone, one)
        await asyncio.sleep(SETTLE * 2)
        assert heard.of(FilmStarted) == [FilmStarted(one)]
    assert sorted(json.loads((library / ".vcp-watch.json").read_text())["films"]) == [
        "one.mp4",
        "two.mp4",
    ]


async def test_a_folder_moved_in_is_analysed_and_one_moved_out_forgotten(
    analyzer: Analyzer, library: Path, tmp_path: Path
) -> None:
    outside = tmp_path / "incoming" / "series"
    outside.mkdir(parents=True)
    copy_sample(outside / "episode.mp4")
    inside = library / "series"
    async with watching(library, analyzer, WatchOptions(settle_seconds=SETTLE)) as (service, heard):
        await asyncio.sleep(0.2)  # the service is watching an empty library
        outside.rename(inside)  # one event: a folder appeared
        await heard.wait(FilmDone, inside / "episode.mp4")
        inside.rename(outside)  # one event: a folder went away
        async with asyncio.timeout(10):
            # No event says a film went away: look at the status until it has.
            while service.status()["done"]:  # noqa: ASYNC110
                await asyncio.sleep(0.05)
