"""Helpers of the end-to-end analysis tests: configs for a mirror, a ready model cache, truth."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

from vcp.config import load_settings
from vcp.mirror import MirrorServer
from vcp.models.manager import ModelManager

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
SAMPLE = FIXTURES / "sample.mp4"
TRUTH = json.loads((FIXTURES / "sample.truth.json").read_text())


def config_data(endpoint: str, cache: Path, *, faces: bool = True) -> dict[str, Any]:
    """The built-in configuration pointed at ``endpoint`` and ``cache``; with ``faces``, NudeNet's
    FACE_FEMALE label is reported as the category ``faces`` (the sample's portrait has one)."""
    data = load_settings().model_dump(mode="json", exclude_none=True)
    data["models"]["cache_dir"] = str(cache)
    data["models"]["hub"]["endpoint"] = endpoint
    data["models"]["download"]["retry_backoff_seconds"] = [0.1]
    if faces:
        nudity = next(d for d in data["detectors"] if d["type"] == "nudenet")
        nudity["categories"]["faces"] = ["FACE_FEMALE"]
    return data


def write_config(path: Path, data: dict[str, Any]) -> Path:
    """``data`` as a YAML config file at ``path``."""
    with path.open("w") as out:
        YAML().dump(data, out)
    return path


def fill_cache(models_root: Path, cache: Path) -> None:
    """Download the default models from a mirror of ``models_root`` into ``cache`` (blocking)."""

    async def run() -> None:
        async with MirrorServer(models_root) as mirror:
            settings = load_settings().models.model_copy(
                update={
                    "cache_dir": cache,
                    "hub": load_settings().models.hub.model_copy(update={"endpoint": mirror.url}),
                }
            )
            async with ModelManager(settings) as models:
                await models.ensure()

    asyncio.run(run())


def segments_of(report: dict[str, Any], category: str) -> list[tuple[float, float]]:
    """(start, end) of every segment of ``category`` in a report's JSON."""
    return [(s["start"], s["end"]) for s in report["segments"] if s["category"] == category]


def covers(spans: list[tuple[float, float]], start: float, end: float, slack: float) -> bool:
    """True if one span contains ``[start, end]`` give or take ``slack`` seconds."""
    return any(a - slack <= start and end <= b + slack for a, b in spans)


def make_media(path: Path, *, seconds: float = 2.0, video: bool = True, audio: bool = True) -> Path:
    """A small real file written with PyAV: grey 160x120 frames at 10 fps, a 440 Hz tone."""
    import av
    import numpy as np

    with av.open(str(path), "w") as out:
        vstream = out.add_stream("libx264", rate=10) if video else None
        astream = out.add_stream("aac", rate=16000, layout="mono") if audio else None
        if vstream is not None:
            vstream.width, vstream.height, vstream.pix_fmt = 160, 120, "yuv420p"
            for i in range(int(seconds * 10)):
                image = np.full((120, 160, 3), 40 + i % 50, dtype=np.uint8)
                frame = av.VideoFrame.from_ndarray(image, format="rgb24")
                frame.pts = i
                out.mux(vstream.encode(frame))
            out.mux(vstream.encode())
        if astream is not None:
            t = np.arange(int(seconds * 16000)) / 16000
            tone = (0.2 * np.sin(2 * np.pi * 440 * t)).astype(np.float32)
            for start in range(0, len(tone), 1024):
                chunk = tone[start : start + 1024].reshape(1, -1)
                frame = av.AudioFrame.from_ndarray(chunk, format="flt", layout="mono")
                frame.sample_rate, frame.pts = 16000, start
                out.mux(astream.encode(frame))
            out.mux(astream.encode())
    return path
