"""Ctrl-C during `vcp analyze`: a quick exit 130, and no report under its final name."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import time
from pathlib import Path

import pytest
from vcp_testing.analysis import config_data, fill_cache, write_config
from vcp_testing.processes import interruptible
from vcp_testing.videos import write_video

pytestmark = pytest.mark.slow
WAIT_LIMIT = 60.0  # a hang guard only: every wait below ends on something vcp prints


async def test_ctrl_c_mid_analysis_exits_130_and_leaves_no_report(
    default_models_root: Path, tmp_path: Path
) -> None:
    cache = tmp_path / "cache"
    await asyncio.to_thread(fill_cache, default_models_root, cache)
    config = write_config(tmp_path / "vcp.yaml", config_data("http://127.0.0.1:9", cache))
    film = write_video(tmp_path / "long.mp4", seconds=240, size=(640, 360), fps=10)
    report = tmp_path / "long.vcp.json"
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "vcp", "analyze", str(film), "-c", str(config),
        "--progress", "log", "-o", str(report),
        stderr=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
        env={**os.environ, "PYTHONUNBUFFERED": "1"}, preexec_fn=interruptible,
    )  # fmt: skip
    assert process.stderr is not None
    seen = b""
    async with asyncio.timeout(WAIT_LIMIT):
        while b"loaded in" not in seen:  # a detector is at work on the film
            line = await process.stderr.readline()
            assert line, seen.decode()
            seen += line
    sent = time.monotonic()
    process.send_signal(signal.SIGINT)
    async with asyncio.timeout(WAIT_LIMIT):
        _, rest = await process.communicate()
    took = time.monotonic() - sent
    assert process.returncode == 130, (seen + rest).decode()
    assert b"interrupted" in rest and b"Traceback" not in rest
    assert not report.exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".long.vcp.json")]
    print(f"exited {took:.2f} s after SIGINT")
