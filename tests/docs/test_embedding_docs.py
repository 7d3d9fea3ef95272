"""docs/embedding.md's web service runs as written: started on a loopback port against a mirror
of the default models, it streams the sample film's analysis as server-sent events and ends with
a report that has segments."""

from __future__ import annotations

import json
import re
import types
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web
from vcp_testing.analysis import SAMPLE, config_data, write_config

from vcp import Settings
from vcp.mirror import MirrorServer

pytestmark = pytest.mark.slow

DOC = Path(__file__).resolve().parents[2] / "docs" / "embedding.md"
_APP_BLOCK = re.compile(r"<!-- docs-check: app -->\s*```python\n(.*?)```", re.DOTALL)


def app_module() -> types.ModuleType:
    """The app block of docs/embedding.md as a module (not run as ``__main__``)."""
    found = _APP_BLOCK.search(DOC.read_text(encoding="utf-8"))
    assert found, "docs/embedding.md has no `docs-check: app` block"
    module = types.ModuleType("embedding_app")
    exec(compile(found.group(1), f"{DOC}:app", "exec"), module.__dict__)
    return module


async def read_events(response: aiohttp.ClientResponse) -> list[tuple[str, object]]:
    """(event name, decoded data) of every server-sent event, in order."""
    events: list[tuple[str, object]] = []
    name = ""
    async for raw in response.content:
        line = raw.decode().rstrip("\n")
        if line.startswith("event: "):
            name = line.removeprefix("event: ")
        elif line.startswith("data: "):
            events.append((name, json.loads(line.removeprefix("data: "))))
    return events


async def test_the_web_service_streams_events_then_the_report(
    default_mirror: MirrorServer, tmp_path: Path
) -> None:
    config = write_config(tmp_path / "vcp.yaml", config_data(default_mirror.url, tmp_path / "c"))
    app = app_module().make_app(Settings.load(config))
    runner = web.AppRunner(app)
    await runner.setup()
    try:
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = runner.addresses[0][1]
        url = f"http://127.0.0.1:{port}/analyze"
        async with aiohttp.ClientSession() as client:
            async with client.post(url, params={"path": str(SAMPLE)}) as response:
                assert response.status == 200
                assert response.headers["Content-Type"].startswith("text/event-stream")
                events = await read_events(response)
            async with client.get(url, params={"path": str(tmp_path / "none.mp4")}) as missing:
                assert missing.status == 404
    finally:
        await runner.cleanup()
    names = [name for name, _ in events]
    assert names[0] == "AnalysisStarted"
    assert {"DetectorReady", "AnalysisProgress", "DetectionFound"} <= set(names)
    assert names[-2:] == ["AnalysisFinished", "report"]  # every event before the report
    report = events[-1][1]
    assert isinstance(report, dict) and report["segments"]
    assert report["vcp"]["config"] == str(config)
