"""Benchmark ``vcp censor`` on a generated film (not a test).

    python scripts/bench_censor.py                 # a 1-hour 720p film, 200 + 20 segments
    python scripts/bench_censor.py --minutes 10    # a shorter film, for a quick look

The film (H.264 720p at 24 fps with slowly changing flat frames, so it encodes fast, and AAC
stereo tones) is generated once and cached under .bench/censor/. Its report has 200 profanity
segments (0.3-0.9 s words) and 20 visual segments (2-6 s). Two runs, each in a fresh process
(``python -m vcp censor``), timed by wall clock:

1. audio actions only (the visual segments' category is set to ``none``): the video is copied and
   only the audio is decoded and re-encoded; the target is under 1/20 of the film's length;
2. the 20 visual segments ``blank``: the video is re-encoded with libx264 (the config's crf and
   preset), so this measures the re-encode speed.

Prints a markdown table for docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import resource
import subprocess
import sys
import time
from fractions import Fraction
from pathlib import Path

import av
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
CACHE = ROOT / ".bench" / "censor"
WIDTH, HEIGHT, FPS, RATE = 1280, 720, 24, 48000
WORDS, VISUALS = 200, 20
CHUNK_SECONDS = 60


def make_film(path: Path, seconds: int) -> None:
    """A one-minute film, encoded once, then stream-copied end to end ``seconds / 60`` times."""
    chunk = CACHE / "chunk-60s.mp4"
    if not chunk.exists():
        _encode_chunk(chunk, CHUNK_SECONDS)
    tmp = path.with_suffix(".partial.mp4")
    with av.open(str(chunk)) as src, av.open(str(tmp), "w") as out:
        streams = {s.index: out.add_stream_from_template(s) for s in src.streams}
        packets = [p for p in src.demux() if p.size]
        last: dict[int, int] = {}
        for k in range(max(1, seconds // CHUNK_SECONDS)):
            for packet in packets:
                _append(out, streams, packet, k, last)
    tmp.replace(path)


def _append(out, streams, packet, k: int, last: dict[int, int]) -> None:
    shift = round(k * CHUNK_SECONDS / packet.time_base)
    pts, dts = packet.pts + shift, packet.dts + shift
    if dts <= last.get(packet.stream.index, -(2**62)):
        return  # the next chunk's AAC priming packet overlaps the last one: leave it out
    last[packet.stream.index] = dts
    copy = av.Packet(bytes(packet))
    copy.pts, copy.dts, copy.duration = pts, dts, packet.duration
    copy.time_base, copy.is_keyframe = packet.time_base, packet.is_keyframe
    copy.stream = streams[packet.stream.index]
    out.mux(copy)


def _encode_chunk(path: Path, seconds: int) -> None:
    """Flat frames whose grey level changes every second, and two AAC tones."""
    tmp = path.with_suffix(".partial.mp4")
    with av.open(str(tmp), "w") as out:
        video = out.add_stream("libx264", rate=FPS)
        video.width, video.height, video.pix_fmt = WIDTH, HEIGHT, "yuv420p"
        video.options = {"preset": "ultrafast", "g": str(FPS * 4)}
        audio = out.add_stream("aac", rate=RATE, layout="stereo")
        audio.bit_rate = 128000
        greys = [_grey(level) for level in range(16, 236, 10)]
        t = np.arange(RATE) / RATE
        tone = (0.2 * np.sin(2 * np.pi * 220 * t) + 0.1 * np.sin(2 * np.pi * 347 * t)).astype(
            np.float32
        )
        for second in range(seconds):
            _second(out, video, audio, greys[second % len(greys)], tone, second)
        out.mux(video.encode(None))
        out.mux(audio.encode(None))
    tmp.replace(path)


def _grey(level: int) -> av.VideoFrame:
    image = np.full((HEIGHT, WIDTH, 3), level, np.uint8)
    image[HEIGHT // 3 : HEIGHT // 2, WIDTH // 3 : WIDTH // 2] = 255 - level  # something to code
    return av.VideoFrame.from_ndarray(image, format="rgb24").reformat(format="yuv420p")


def _second(out, video, audio, grey, tone, second: int) -> None:
    for i in range(FPS):
        grey.pts = second * FPS + i
        out.mux(video.encode(grey))
    for k in range(0, RATE, 1024):
        chunk = np.ascontiguousarray(np.stack([tone[k : k + 1024]] * 2))
        frame = av.AudioFrame.from_ndarray(chunk, format="fltp", layout="stereo")
        frame.sample_rate, frame.time_base = RATE, Fraction(1, RATE)
        frame.pts = second * RATE + k
        out.mux(audio.encode(frame))


def make_report(film: Path, seconds: int) -> Path:
    rng = random.Random(10)
    segments = []
    for i in range(WORDS):
        start = rng.uniform(0, seconds - 1)
        segments.append(_segment(i + 1, start, start + rng.uniform(0.3, 0.9), "profanity", "audio"))
    for i in range(VISUALS):
        start = rng.uniform(0, seconds - 7)
        segments.append(_segment(WORDS + i + 1, start, start + rng.uniform(2, 6), "gore", "video"))
    report = film.with_name(film.stem + ".vcp.json")
    report.write_text(
        json.dumps(
            {
                "format": "vcp-report",
                "version": 1,
                "input": {
                    "path": str(film),
                    "name": film.name,
                    "size": film.stat().st_size,
                    "duration": float(seconds),
                },
                "summary": {"segments": len(segments), "flagged_seconds": 0, "categories": {}},
                "segments": segments,
                "vcp": {"version": "bench", "created": "2026-12-01T00:00:00Z"},
            }
        )
    )
    return report


def _segment(id: int, start: float, end: float, category: str, kind: str) -> dict[str, object]:
    return {
        "id": id, "start": round(start, 3), "end": round(end, 3), "category": category,
        "kind": kind, "labels": [category], "confidence": 0.9,
    }  # fmt: skip


def run(film: Path, video_action: str) -> tuple[float, float, str]:
    """Wall and CPU seconds of one ``vcp censor`` process, and what it printed."""
    config = CACHE / f"{video_action}.yaml"
    config.write_text(f"actions:\n  categories:\n    gore: {{video: {video_action}}}\n")
    out = CACHE / f"out-{video_action}.mp4"
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    began = time.monotonic()
    result = subprocess.run(
        [sys.executable, "-m", "vcp", "censor", str(film), "-o", str(out), "--force",
         "-c", str(config), "--progress", "none"],
        check=True, capture_output=True, text=True, cwd=ROOT,
    )  # fmt: skip
    wall = time.monotonic() - began
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, result.stdout


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=int, default=60)
    args = parser.parse_args()
    seconds = args.minutes * 60
    CACHE.mkdir(parents=True, exist_ok=True)
    film = CACHE / f"film-{args.minutes}min-720p.mp4"
    if not film.exists():
        began = time.monotonic()
        make_film(film, seconds)
        print(f"generated {film} in {time.monotonic() - began:.0f} s", file=sys.stderr)
    make_report(film, seconds)
    rows = []
    for action, what in (("none", "audio actions only (video copied)"), ("blank", "+ 20 blanks")):
        load = os.getloadavg()[0]
        wall, cpu, stdout = run(film, action)
        print(stdout, file=sys.stderr)
        rows.append((what, wall, cpu, load))
    machine = f"{os.cpu_count()} cores, {platform.machine()}, Python {platform.python_version()}"
    print(f"\nFilm: {args.minutes} min, {WIDTH}x{HEIGHT} H.264 {FPS} fps + AAC stereo 128 kbit/s;")
    print(f"report: {WORDS} profanity + {VISUALS} visual segments. Machine: {machine}.\n")
    print("| run | wall time | x real time (wall) | CPU time | x real time per core (CPU) |")
    print("|---|---|---|---|---|")
    for what, wall, cpu, load in rows:
        print(
            f"| {what} (load {load:.1f}) | {wall:.1f} s | {seconds / wall:.1f}x | {cpu:.1f} s "
            f"| {seconds / cpu:.1f}x |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
