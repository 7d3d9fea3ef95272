"""Films whose timestamps do not start at zero, written with PyAV: a known event at a known time.

A player shows a film's time from its container's start time (``av.open(...).start_time``),
whatever its sign: MPEG-TS recordings start at seconds or hours, cut Matroska files at a
negative time. Each film here is dark video with one white frame at ``EVENT`` seconds and
silent audio with a 1 kHz burst from ``EVENT`` for ``BURST`` seconds, every packet's timestamps
moved by ``offset`` seconds while muxing.
"""

from __future__ import annotations

import io
from fractions import Fraction
from pathlib import Path
from typing import Any

import av
import numpy as np

FPS = 25
RATE = 16000
WIDTH, HEIGHT = 64, 48
EVENT = 5.0  # seconds into the film as a player shows it
BURST = 0.3


def write_offset_film(
    path: Path, offset: float, *, seconds: float = 8.0, audio: str | None = "pcm_s16le"
) -> Path:
    """Write the film; ``audio`` is the codec (None: no audio; PCM has no priming samples, so
    both streams, and the container, start exactly at ``offset``)."""
    # Matroska moves a negative start to zero unless told not to.
    options = {"avoid_negative_ts": "disabled"} if offset < 0 else {}
    with av.open(str(path), "w", options=options) as out:
        video = out.add_stream("libx264", rate=FPS)
        video.width, video.height, video.pix_fmt = WIDTH, HEIGHT, "yuv420p"
        video.options = {"bf": "0", "preset": "ultrafast"}
        packets = _video_packets(video, seconds)
        if audio is not None:
            sound = out.add_stream(audio, rate=RATE, layout="mono")
            packets += _audio_packets(sound, seconds)
        for packet in sorted(packets, key=lambda p: float(p.dts * p.time_base)):
            _shift(packet, offset)
            out.mux(packet)
    return path


def _video_packets(stream: Any, seconds: float) -> list[Any]:
    packets = []
    for i in range(round(seconds * FPS)):
        level = 255 if i == round(EVENT * FPS) else 40
        image = np.full((HEIGHT, WIDTH, 3), level, dtype=np.uint8)
        frame = av.VideoFrame.from_ndarray(image, format="rgb24")
        frame.pts = i
        packets += stream.encode(frame)
    return packets + stream.encode(None)


def burst_signal(seconds: float) -> np.ndarray:
    """Silence with a 1 kHz tone from EVENT to EVENT + BURST."""
    signal = np.zeros(round(seconds * RATE), dtype=np.float32)
    first, last = round(EVENT * RATE), round((EVENT + BURST) * RATE)
    signal[first:last] = 0.5 * np.sin(2 * np.pi * 1000 * np.arange(last - first) / RATE)
    return signal


def _audio_packets(stream: Any, seconds: float) -> list[Any]:
    signal = burst_signal(seconds)
    packets = []
    for start in range(0, len(signal), 1024):
        chunk = signal[start : start + 1024].reshape(1, -1)
        frame = av.AudioFrame.from_ndarray(chunk, format="flt", layout="mono")
        frame.sample_rate, frame.pts, frame.time_base = RATE, start, Fraction(1, RATE)
        packets += stream.encode(frame)
    return packets + stream.encode(None)


def _shift(packet: Any, offset: float) -> None:
    # On a fine time base first: the encoder's own (1/25 s for the video) cannot hold the offset.
    fine = Fraction(1, 48000)
    for name in ("pts", "dts"):
        stamp = getattr(packet, name)
        if stamp is not None:
            setattr(packet, name, round((stamp * packet.time_base + Fraction(offset)) / fine))
    packet.time_base = fine


def start_of(path: Path) -> float:
    """The container's start time in seconds, as a player reads it."""
    with av.open(str(path)) as container:
        return (container.start_time or 0) / 1_000_000


def jpeg_brightness(jpeg: bytes) -> float:
    """The mean grey level (0-255) of a JPEG still."""
    with av.open(io.BytesIO(jpeg), format="mjpeg") as still:
        frame = next(still.decode(video=0))
        return float(frame.to_ndarray(format="gray").mean())
