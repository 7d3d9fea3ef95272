"""``vcp watch`` as a service manager runs it: a process that SIGTERM stops cleanly."""

from __future__ import annotations

import asyncio
import json
import signal
import sys
from pathlib import Path

import aiohttp
import pytest
from vcp_testing.watch import copy_sample

pytestmark = pytest.mark.slow


async def read_until(stream: asyncio.StreamReader, marker: str, seen: list[str]) -> str:
    """The first line holding ``marker`` (every line read is kept in ``seen``)."""
    async with asyncio.timeout(40):
        while line := (await stream.readline()).decode():
            seen.append(line)
            if marker in line:
                return line
    raise AssertionError(f"no {marker!r} in:\n{''.join(seen)}")


async def test_sigterm_abandons_the_film_being_analysed_and_exits_143(
    config: Path, library: Path
) -> None:
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "vcp", "watch", str(library), "-c", str(config),
        "--status", "127.0.0.1:0", "--settle", "0.2",
        stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    assert proc.stderr is not None
    seen: list[str] = []
    try:
        url = (await read_until(proc.stderr, "status: ", seen)).split("status: ")[1].strip()
        async with aiohttp.ClientSession() as http, http.get(url + "status") as answer:
            assert (await answer.json())["counts"]["running"] == 0
        assert url.startswith("http://127.0.0.1:")

        film = copy_sample(library / "movie.mp4")
        await read_until(proc.stderr, "analysing: ", seen)
        proc.send_signal(signal.SIGTERM)
        async with asyncio.timeout(30):
            rest = (await proc.stderr.read()).decode()
            code = await proc.wait()
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
    assert code == 143, "".join(seen) + rest
    assert "stopped:" in rest and "Traceback" not in rest
    left = sorted(p.name for p in library.iterdir())
    # The film and the state; a report only if the analysis ended before the signal, and whole.
    assert set(left) - {"movie.vcp.json"} == {film.name, ".vcp-watch.json"}
    if "movie.vcp.json" in left:
        assert json.loads((library / "movie.vcp.json").read_text())["input"]["name"] == "movie.mp4"
