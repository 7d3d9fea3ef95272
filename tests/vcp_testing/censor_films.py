"""Small real films for the censor and rewrite tests, written with PyAV, their reports written by
hand, and what a viewer would measure in a result: loudness, tone, black frames, where flashes and
clicks are. ``Masters`` makes each kind of film once a session (tests/conftest.py's ``films``).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

import av
import numpy as np
from numpy.typing import NDArray

from vcp_testing.cli import Result

CLI = Callable[..., Result]  # the `cli` fixture: cli("censor", ...) -> Result
RATE = 48000
FPS = 25
WIDTH, HEIGHT = 320, 240
SUBTITLES = ((1.0, 2.0, "Hello"), (4.0, 5.0, "World"))
FONT = b"not really a font, but Matroska does not check" * 10
FLASHES = (0.5, 1.5, 2.5, 3.5, 4.5, 5.5)  # seconds: a white frame and a click in the audio


@dataclass(frozen=True)
class Film:
    """How a test film was made."""

    path: Path
    duration: float
    audio: bool
    subtitles: bool


# Each kind of film a test asks ``films(kind)`` for: its file name and make_film's options.
KINDS: dict[str, tuple[str, dict[str, Any]]] = {
    "mkv": ("film.mkv", {}),
    "mp4": ("film.mp4", {"subtitles": False}),
    "mute": ("silent.mkv", {"audio": False}),
    "sync": ("sync.mkv", {"sync": True}),
    "dub": ("dubbed.mkv", {"subtitles": False, "tracks": 2}),
    "vorbis": ("vorbis.mkv", {"subtitles": False, "audio_codec": "vorbis"}),
}


class Masters:
    """Each kind of test film (``KINDS``) under ``root``, written the first time a test asks."""

    def __init__(self, root: Path) -> None:
        self._root = root
        self._made: dict[str, Film] = {}

    def __getitem__(self, kind: str) -> Film:
        if kind not in self._made:
            name, options = KINDS[kind]
            folder = self._root / kind
            folder.mkdir()
            self._made[kind] = make_film(folder / name, **options)
        return self._made[kind]


def tones(count: int) -> NDArray[np.float32]:
    """Three low tones under a slow swell: survives AAC, and has one best alignment."""
    t = np.arange(count) / RATE
    mix = (
        0.2 * np.sin(2 * np.pi * 220 * t)
        + 0.15 * np.sin(2 * np.pi * 347 * t + 1)
        + 0.1 * np.sin(2 * np.pi * 523 * t + 2)
    )
    return (mix * (0.6 + 0.4 * np.sin(2 * np.pi * 0.7 * t))).astype(np.float32)


def clicks(count: int) -> NDArray[np.float32]:
    """Silence with a 10 ms burst at each flash."""
    out = np.zeros(count, dtype=np.float32)
    burst = (0.8 * np.sin(2 * np.pi * 1000 * np.arange(480) / RATE)).astype(np.float32)
    for at in FLASHES:
        i = round(at * RATE)
        out[i : i + len(burst)] = burst[: max(0, min(len(burst), count - i))]
    return out


def picture(index: int, *, flashes: bool) -> NDArray[np.uint8]:
    """A checkerboard whose grey level rises with time, or a grey frame that is white at flashes."""
    if flashes:
        white = any(round(at * FPS) == index for at in FLASHES)
        return np.full((HEIGHT, WIDTH, 3), 255 if white else 60, np.uint8)
    y, x = np.mgrid[0:HEIGHT, 0:WIDTH]
    board = ((x // 8 + y // 8) % 2).astype(np.uint8) * 80
    return np.repeat((board + 40 + index % 100)[:, :, None], 3, axis=2)


def make_film(
    path: Path,
    *,
    duration: float = 6.0,
    audio: bool = True,
    subtitles: bool = True,
    sync: bool = False,
    tracks: int = 1,
    audio_codec: str = "aac",
) -> Film:
    """Write an H.264 (+ AAC tones, or clicks with ``sync``) (+ SRT subtitles: .mkv only) film."""
    with av.open(str(path), "w") as out:
        video = out.add_stream("libx264", rate=FPS)
        video.width, video.height, video.pix_fmt = WIDTH, HEIGHT, "yuv420p"
        video.options = {"preset": "ultrafast", "threads": "1"}
        sounds = [
            out.add_stream(audio_codec, rate=RATE, layout="stereo") for _ in range(tracks * audio)
        ]
        for sound in sounds:
            sound.options = {"strict": "experimental"}  # FFmpeg's Vorbis encoder needs it
        text = _subtitle_stream(out, path.parent) if subtitles else None
        if text is not None:  # a font for the subtitles, as Matroska films carry them
            out.add_attachment(name="font.ttf", mimetype="font/ttf", data=FONT)
        _write_video(out, video, duration, sync)
        count = round(duration * RATE)
        for i, sound in enumerate(sounds):  # a second track is the first, half as loud
            signal = clicks(count) if sync else tones(count)
            _write_audio(out, sound, (signal / (i + 1)).astype(np.float32))
        if text is not None:
            _write_subtitles(out, text, path.parent)
    return Film(path, duration, audio, subtitles)


def _write_video(out: Any, stream: Any, duration: float, flashes: bool) -> None:
    for i in range(round(duration * FPS)):
        frame = av.VideoFrame.from_ndarray(picture(i, flashes=flashes), format="rgb24")
        frame.pts = i
        out.mux(stream.encode(frame))
    out.mux(stream.encode(None))


def _write_audio(out: Any, stream: Any, mono: NDArray[np.float32]) -> None:
    for k in range(0, len(mono), 1024):
        chunk = np.ascontiguousarray(np.stack([mono[k : k + 1024]] * 2))
        frame = av.AudioFrame.from_ndarray(chunk, format="fltp", layout="stereo")
        frame.sample_rate, frame.pts, frame.time_base = RATE, k, Fraction(1, RATE)
        out.mux(stream.encode(frame))
    out.mux(stream.encode(None))


def _srt(folder: Path) -> Path:
    def stamp(s: float) -> str:
        return f"00:00:{int(s):02d},{round(s % 1 * 1000):03d}"

    cues = [f"{i}\n{stamp(a)} --> {stamp(b)}\n{t}\n" for i, (a, b, t) in enumerate(SUBTITLES, 1)]
    path = folder / "cues.srt"
    path.write_text("\n".join(cues), encoding="utf-8")
    return path


def _subtitle_stream(out: Any, folder: Path) -> Any:
    with av.open(str(_srt(folder))) as srt:
        return out.add_stream_from_template(srt.streams.subtitles[0])


def _write_subtitles(out: Any, stream: Any, folder: Path) -> None:
    with av.open(str(_srt(folder))) as srt:
        for packet in srt.demux(srt.streams.subtitles[0]):
            if packet.size:
                packet.stream = stream
                out.mux(packet)


# -- reports, written by hand ---------------------------------------------------------------------


def seg(
    id: int,
    start: float,
    end: float,
    category: str = "profanity",
    kind: str = "audio",
    **extra: Any,
) -> dict[str, Any]:
    """One segment of a report, as JSON."""
    return {
        "id": id, "start": start, "end": end, "category": category, "kind": kind,
        "labels": [category], "confidence": 0.9, **extra,
    }  # fmt: skip


def write_report(
    film: Film, segments: Sequence[dict[str, Any]], *, path: Path | None = None, **input: Any
) -> Path:
    """Write a version-1 report for ``film`` (beside it by default); ``input`` overrides fields."""
    path = path or film.path.with_name(film.path.stem + ".vcp.json")
    data = {
        "format": "vcp-report",
        "version": 1,
        "input": {
            "path": str(film.path), "name": film.path.name, "size": film.path.stat().st_size,
            "duration": film.duration, **input,
        },
        "summary": {"segments": len(segments), "flagged_seconds": 0, "categories": {}},
        "segments": list(segments),
        "vcp": {"version": "0.1.0", "created": "2026-12-01T06:00:00Z"},
    }  # fmt: skip
    path.write_text(json.dumps(data, indent=2), encoding="utf-8")
    return path


# -- measuring a result ---------------------------------------------------------------------------


def audio_of(path: Path, track: int = 0) -> NDArray[np.float32]:
    """An audio stream's left channel at RATE, from the file's time 0."""
    with av.open(str(path)) as c:
        stream = c.streams.audio[track]
        resampler = av.AudioResampler(format="fltp", layout="stereo", rate=RATE)
        chunks = [g.to_ndarray()[0] for f in c.decode(stream) for g in resampler.resample(f)]
        chunks += [g.to_ndarray()[0] for g in resampler.resample(None)]
    return np.concatenate(chunks).astype(np.float32)


def window(samples: NDArray[np.float32], start: float, end: float) -> NDArray[np.float32]:
    """The samples between two times."""
    return samples[round(start * RATE) : round(end * RATE)]


def dbfs(samples: NDArray[np.float32]) -> float:
    """RMS level in dBFS (-inf for digital silence is reported as -200)."""
    rms = float(np.sqrt(np.mean(np.square(samples, dtype=np.float64))))
    return 20 * np.log10(rms) if rms > 1e-10 else -200.0


def correlation(a: NDArray[np.float32], b: NDArray[np.float32]) -> float:
    """Pearson correlation of two equally long signals."""
    n = min(len(a), len(b))
    return float(np.corrcoef(a[:n], b[:n])[0, 1])


def peak_hz(samples: NDArray[np.float32]) -> float:
    """The strongest frequency."""
    spectrum = np.abs(np.fft.rfft(samples * np.hanning(len(samples))))
    return float(np.fft.rfftfreq(len(samples), 1 / RATE)[int(np.argmax(spectrum))])


def frames_of(path: Path) -> list[tuple[float, float]]:
    """(time, mean brightness 0-255) of every video frame."""
    with av.open(str(path)) as c:
        return [
            (float(f.time), float(f.to_ndarray(format="gray").mean()))
            for f in c.decode(c.streams.video[0])
        ]


def clicks_at(samples: NDArray[np.float32]) -> list[float]:
    """Times where the audio jumps from quiet to loud (the clicks of a sync film)."""
    loud = np.abs(samples) > 0.2
    onsets = np.flatnonzero(loud[1:] & ~loud[:-1]) + 1
    found: list[float] = []
    for i in onsets:
        if not found or i / RATE - found[-1] > 0.2:
            found.append(i / RATE)
    return found


def durations(path: Path) -> dict[str, float]:
    """Each stream type's end time: the last frame's or sample's end, in seconds."""
    ends: dict[str, float] = {}
    with av.open(str(path)) as c:
        for kind in ("video", "audio"):
            streams = getattr(c.streams, kind)
            if streams:
                ends[kind] = max(_frame_end(f) for f in c.decode(streams[0]))
                c.seek(0)
    return ends


def _frame_end(frame: Any) -> float:
    start: Any = frame.time  # decoded frames of these films always carry a time
    if isinstance(frame, av.AudioFrame):
        return float(start) + frame.samples / frame.sample_rate
    return float(start) + 1 / FPS


def subtitles_of(path: Path) -> list[tuple[float, float, str]]:
    """(start, end, text) of every subtitle packet."""
    with av.open(str(path)) as c:
        return [_cue(p) for p in c.demux(c.streams.subtitles[0]) if p.size]


def _cue(packet: Any) -> tuple[float, float, str]:
    start, length = packet.pts * packet.time_base, packet.duration * packet.time_base
    return round(float(start), 3), round(float(start + length), 3), bytes(packet).decode()


def attachments_of(path: Path) -> list[tuple[str, bytes]]:
    """(name, bytes) of every attachment (fonts for the subtitles)."""
    with av.open(str(path)) as c:
        found: list[Any] = [s for s in c.streams if s.type == "attachment"]
        return [(str(s.name), bytes(s.data)) for s in found]


def video_packets(path: Path) -> list[bytes]:
    """The video stream's packets, as bytes (equal lists: the stream was copied)."""
    with av.open(str(path)) as c:
        return [bytes(p) for p in c.demux(c.streams.video[0]) if p.size]
