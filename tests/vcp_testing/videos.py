"""Small real videos written with PyAV for the media and detector tests, and ways to damage them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import av
import numpy as np

WIDTH, HEIGHT, FPS = 160, 120, 25


def write_video(
    path: Path,
    *,
    seconds: float = 4.0,
    size: tuple[int, int] = (WIDTH, HEIGHT),
    fps: int = FPS,
    keyframe_every: int = 25,
    bframes: int = 0,
    audio: bool = True,
    noise: bool = False,
    options: dict[str, str] | None = None,
) -> Path:
    """An H.264 video of ``seconds`` at ``fps`` with a keyframe every ``keyframe_every`` frames
    (and none elsewhere) and up to ``bframes`` B-frames in a row; each frame a different shade
    and a moving red bar (``noise``: random pixels, which compress badly and fill the file with
    picture data); with ``audio`` a tone. ``options`` go to the muxer (``{"movflags":
    "faststart"}`` puts an MP4's index first)."""
    with av.open(str(path), "w", options=options or {}) as out:
        video = _video_stream(out, size, fps, keyframe_every, bframes)
        tone = out.add_stream("aac", rate=16000, layout="mono") if audio else None
        for i in range(round(seconds * fps)):
            image = _noise(i, size) if noise else _picture(i, size)
            frame = av.VideoFrame.from_ndarray(image, format="rgb24")
            frame.pts = i
            out.mux(video.encode(frame))
        out.mux(video.encode())
        if tone is not None:
            _write_tone(out, tone, seconds)
    return path


def _video_stream(
    out: Any, size: tuple[int, int], fps: int, keyframe_every: int, bframes: int
) -> Any:
    stream = out.add_stream("libx264", rate=fps)
    stream.width, stream.height = size
    stream.pix_fmt = "yuv420p"
    stream.codec_context.gop_size = keyframe_every
    # Keyframes exactly every N frames: no scene-cut keyframes.
    stream.options = {"keyint_min": str(keyframe_every), "sc_threshold": "0", "bf": str(bframes)}
    return stream


def _picture(i: int, size: tuple[int, int]) -> np.ndarray:
    width, height = size
    image = np.full((height, width, 3), (i * 7) % 200 + 30, dtype=np.uint8)
    image[:, (i * 3) % width] = (255, 0, 0)
    return image


def _noise(i: int, size: tuple[int, int]) -> np.ndarray:
    width, height = size
    return np.random.default_rng(i).integers(0, 256, (height, width, 3), dtype=np.uint8)


def _write_tone(out: Any, stream: Any, seconds: float) -> None:
    t = np.arange(int(seconds * 16000)) / 16000
    tone = (0.2 * np.sin(2 * np.pi * 440 * t)).astype(np.float32)
    for start in range(0, len(tone), 1024):
        frame = av.AudioFrame.from_ndarray(
            tone[start : start + 1024].reshape(1, -1), format="flt", layout="mono"
        )
        frame.sample_rate, frame.pts = 16000, start
        out.mux(stream.encode(frame))
    out.mux(stream.encode())


def truncate(path: Path, target: Path, *, keep: float = 0.5) -> Path:
    """The first ``keep`` of ``path``'s bytes, written to ``target`` (an interrupted copy)."""
    data = path.read_bytes()
    target.write_bytes(data[: int(len(data) * keep)])
    return target


def scramble(path: Path, target: Path, *, at: float = 0.5, length: int = 20_000) -> Path:
    """``path`` with ``length`` random bytes written over it at ``at`` of its length (a bad
    sector in the middle of the picture data), written to ``target``."""
    data = bytearray(path.read_bytes())
    start = int(len(data) * at)
    junk = np.random.default_rng(1).integers(0, 256, length, dtype=np.uint8).tobytes()
    data[start : start + length] = junk[: len(data) - start]
    target.write_bytes(bytes(data))
    return target
