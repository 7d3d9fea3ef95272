"""Ctrl-C or SIGTERM during `vcp analyze`: a quick exit 130 / 143, no abort, no report.

The film speaks (the sample film's dialogue, looped) so whisper is inside CTranslate2 when the
signal lands; a process that exited under it used to die of SIGABRT (exit 134, "terminate called
without an active exception") right after printing that it was interrupted.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import time
from pathlib import Path

import av
import numpy as np
import pytest
from vcp_testing.analysis import SAMPLE, config_data, fill_cache, write_config
from vcp_testing.processes import interruptible

pytestmark = pytest.mark.slow
WAIT_LIMIT = 60.0  # a hang guard only: every wait below ends on something vcp prints
FILM_SECONDS = 240
PROMPT_SECONDS = 3.0  # from the signal to the "interrupted" line (it is at once; the VM is busy)
THREAD_STOP_SECONDS = 10.0  # vcp.cli.main's bound on the wait for the inference threads


def write_talking_film(path: Path, *, seconds: float) -> Path:
    """A small H.264 film (2 fps, 160x120) whose AAC track is the sample's speech, looped."""
    with av.open(str(SAMPLE)) as sample:
        stream = sample.streams.audio[0]
        rate = stream.rate
        voice = np.concatenate([f.to_ndarray().reshape(-1) for f in sample.decode(stream)])
    track = np.tile(voice, int(seconds * rate) // len(voice) + 1)[: int(seconds * rate)]
    with av.open(str(path), "w") as out:
        video = out.add_stream("libx264", rate=2)
        video.width, video.height, video.pix_fmt = 160, 120, "yuv420p"
        audio = out.add_stream("aac", rate=rate, layout="mono")
        for i in range(int(seconds * 2)):
            frame = av.VideoFrame.from_ndarray(
                np.full((120, 160, 3), (i * 7) % 200 + 30, np.uint8), format="rgb24"
            )
            frame.pts = i
            out.mux(video.encode(frame))
        out.mux(video.encode())
        for start in range(0, len(track), 1024):
            chunk = track[start : start + 1024].astype(np.float32).reshape(1, -1)
            sound = av.AudioFrame.from_ndarray(chunk, format="flt", layout="mono")
            sound.sample_rate, sound.pts = rate, start
            out.mux(audio.encode(sound))
        out.mux(audio.encode())
    return path


@pytest.fixture(scope="module")
def talking_film(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("talking")
    return write_talking_film(folder / "talk.mp4", seconds=FILM_SECONDS)


@pytest.mark.parametrize(("signum", "code"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
async def test_a_signal_mid_analysis_exits_cleanly_and_leaves_no_report(
    default_models_root: Path, tmp_path: Path, talking_film: Path, signum: int, code: int
) -> None:
    cache = tmp_path / "cache"
    await asyncio.to_thread(fill_cache, default_models_root, cache)
    config = write_config(tmp_path / "vcp.yaml", config_data("http://127.0.0.1:9", cache))
    report = tmp_path / "talk.vcp.json"
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "vcp", "analyze", str(talking_film), "-c", str(config),
        "--progress", "log", "-o", str(report),
        stderr=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
        env={**os.environ, "PYTHONUNBUFFERED": "1"}, preexec_fn=interruptible,
    )  # fmt: skip
    assert process.stderr is not None
    seen = b""
    async with asyncio.timeout(WAIT_LIMIT):
        while seen.count(b"loaded in") < 2:  # both detectors are at work on the film
            line = await process.stderr.readline()
            assert line, seen.decode()
            seen += line
    await asyncio.sleep(1.0)
    sent = time.monotonic()
    process.send_signal(signum)
    async with asyncio.timeout(WAIT_LIMIT):
        while b"interrupted" not in seen:
            line = await process.stderr.readline()
            assert line, seen.decode()
            seen += line
        told = time.monotonic() - sent
        _, rest = await process.communicate()
    took = time.monotonic() - sent
    output = (seen + rest).decode()
    assert process.returncode == code, output
    assert "Traceback" not in output and "terminate called" not in output, output
    assert told < PROMPT_SECONDS, f"the interruption was told {told:.1f} s after the signal"
    assert took < THREAD_STOP_SECONDS + PROMPT_SECONDS, f"exited {took:.1f} s after the signal"
    assert not report.exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".talk.vcp.json")]
    print(f"told {told:.2f} s and exited {took:.2f} s after the signal")
