"""Benchmark ``vcp export`` (every sidecar format) and ``vcp review`` on a 1-hour 720p film.

    python scripts/bench_export.py               # film cached in .bench/export/, 3 repeats
    python scripts/bench_export.py --repeat 5

The film is generated once and cached: 10 s of 1280x720 H.264 at 24 fps (a moving gradient, one
key frame per 10 s, no B-frames) and 48 kHz stereo AAC, encoded with PyAV, then its packets are
repeated 360 times with shifted timestamps, which gives a valid 1-hour file in seconds instead of
encoding an hour. The synthetic report has 200 profanity segments (0.4 s words spread over the
hour) and 20 picture segments (2-8 s). Each format is timed alone, then all four together through
``write_sidecars`` (the chapters format is a stream copy of the whole film). Prints a markdown
table for docs/benchmarks.md: median wall and CPU seconds of the repeats (CPU time is the fairer
number on a busy machine), output sizes in MB (10**6 bytes).
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import av
import numpy as np

from vcp.config import load_settings
from vcp.export import write_sidecars
from vcp.report import (
    InputInfo,
    Report,
    Segment,
    SegmentDetection,
    Summary,
    ToolInfo,
    default_report_path,
    write_report,
)
from vcp.review import write_review

ROOT = Path(__file__).resolve().parents[1]
CACHE = ROOT / ".bench" / "export"
WIDTH, HEIGHT, FPS, RATE = 1280, 720, 24, 48000
CHUNK_SECONDS, REPEATS = 10, 360  # 1 hour
DURATION = float(CHUNK_SECONDS * REPEATS)


def _encode_chunk(path: Path) -> None:
    """Ten seconds of picture and sound, every GOP closed, so the packets can be repeated."""
    with av.open(str(path), "w") as out:
        video = out.add_stream(
            "libx264", rate=FPS, options={"preset": "ultrafast", "bframes": "0", "g": "240"}
        )
        video.width, video.height, video.pix_fmt = WIDTH, HEIGHT, "yuv420p"
        audio = out.add_stream("aac", rate=RATE, layout="stereo")
        ramp = np.linspace(0, 255, WIDTH, dtype=np.float32)
        for i in range(CHUNK_SECONDS * FPS):
            row = ((ramp + i * 4) % 256).astype(np.uint8)
            image = np.repeat(np.repeat(row[None, :, None], HEIGHT, 0), 3, 2)
            out.mux(video.encode(av.VideoFrame.from_ndarray(image, format="rgb24")))
        out.mux(video.encode(None))
        t = np.arange(CHUNK_SECONDS * RATE, dtype=np.float32) / RATE
        tone = (0.1 * np.sin(2 * np.pi * 440 * t)).astype(np.float32)
        for start in range(0, tone.size, 1024):
            block = np.stack([tone[start : start + 1024]] * 2)
            frame = av.AudioFrame.from_ndarray(block, format="fltp", layout="stereo")
            frame.sample_rate, frame.pts = RATE, start
            out.mux(audio.encode(frame))
        out.mux(audio.encode(None))


def make_film(path: Path) -> Path:
    """The cached 1-hour film (made on first use)."""
    if path.is_file():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    chunk = path.with_name("chunk.mp4")
    _encode_chunk(chunk)
    tmp = path.with_name(".film.part.mp4")
    with av.open(str(chunk)) as inp, av.open(str(tmp), "w") as out:
        streams = {s: out.add_stream_from_template(s) for s in inp.streams}
        # Audio starts with priming samples (negative timestamps): those are dropped, and each
        # stream repeats after its own span, so timestamps keep rising (the audio drifts by a few
        # milliseconds per chunk, which no timing here depends on).
        packets: list[Any] = [p for p in inp.demux() if p.size and p.pts is not None and p.pts >= 0]
        period = {
            s: max(p.dts + p.duration for p in packets if p.stream is s)
            - min(p.dts for p in packets if p.stream is s)
            for s in streams
        }
        for n in range(REPEATS):
            for packet in packets:
                shift = n * period[packet.stream]
                copy = av.Packet(bytes(packet))
                copy.pts, copy.dts = packet.pts + shift, packet.dts + shift
                copy.duration, copy.time_base = packet.duration, packet.time_base
                copy.is_keyframe = packet.is_keyframe
                copy.stream = streams[packet.stream]
                out.mux(copy)
    os.replace(tmp, path)
    chunk.unlink()
    return path


def _segments() -> list[Segment]:
    words = [
        Segment(
            id=1, start=t, end=t + 0.4, category="profanity", kind="audio",
            labels=("profanity",), confidence=0.9,
            detections=(
                SegmentDetection(
                    detector="profanity", label="profanity", score=0.9, start=t, end=t + 0.4,
                    word="word", masked="w**d",
                ),
            ),
        )
        for t in np.linspace(5, DURATION - 5, 200).tolist()
    ]  # fmt: skip
    pictures = [
        Segment(
            id=1, start=t, end=t + 2 + (i % 4) * 2, category="nudity", kind="video",
            labels=("FEMALE_BREAST_EXPOSED",), confidence=0.8,
        )
        for i, t in enumerate(np.linspace(60, DURATION - 120, 20).tolist())
    ]  # fmt: skip
    ordered = sorted(words + pictures, key=lambda s: s.start)
    return [s.model_copy(update={"id": i}) for i, s in enumerate(ordered, start=1)]


def make_report(film: Path) -> Path:
    """The synthetic report, beside the film."""
    segments = _segments()
    report = Report(
        input=InputInfo(
            path=str(film), name=film.name, size=film.stat().st_size, duration=DURATION
        ),
        summary=Summary.of(segments),
        segments=tuple(segments),
        vcp=ToolInfo(version="bench", created="2026-01-01T00:00:00Z"),
    )
    return write_report(report, default_report_path(film))


def _median(repeat: int, job: Callable[[], object]) -> tuple[float, float]:
    """Median wall and CPU seconds (user + system, this process and its threads) of ``job``."""
    walls, cpus = [], []
    for _ in range(repeat):
        cpu, wall = _cpu(), time.perf_counter()
        job()
        walls.append(time.perf_counter() - wall)
        cpus.append(_cpu() - cpu)
    return statistics.median(walls), statistics.median(cpus)


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    film = make_film(CACHE / "film.mp4")
    report_path = make_report(film)
    from vcp.report import load_report

    report = load_report(report_path)
    actions = load_settings().actions
    rows = []
    with tempfile.TemporaryDirectory(dir=CACHE) as tmp:
        out = Path(tmp)
        for formats in (["edl"], ["mcf"], ["vtt"], ["chapters"], ["edl", "mcf", "vtt", "chapters"]):

            def job(formats: list[str] = formats) -> list[Path]:
                return write_sidecars(report, formats, actions=actions, out_dir=out, force=True)

            times = _median(args.repeat, job)
            size = sum(p.stat().st_size for p in job())
            rows.append((f"export {','.join(formats)}", *times, size))
        page = out / "page.html"
        times = _median(args.repeat, lambda: write_review(report_path, page))
        rows.append(("review (20 stills taken from the film)", *times, page.stat().st_size))
    _print_table(film, rows, args.repeat)


def _print_table(film: Path, rows: list[tuple[str, float, float, int]], repeat: int) -> None:
    with av.open(str(film)) as container:
        packets = sum(1 for p in container.demux() if p.size)
    print(
        f"\n### Export and review: 1-hour 720p film, 200 word + 20 picture segments\n\n"
        f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"PyAV {av.__version__}; film {film.stat().st_size / 1e6:.0f} MB, {packets} packets "
        f"(H.264 24 fps + AAC 48 kHz); median of {repeat} runs.\n"
    )
    load = os.getloadavg()[0]
    print(f"Load average during the run: {load:.1f}.\n")
    print("| what | wall s | CPU s | output MB |\n|---|---:|---:|---:|")
    for name, wall, cpu, size in rows:
        print(f"| {name} | {wall:.3f} | {cpu:.3f} | {size / 1e6:.3f} |")


if __name__ == "__main__":
    main()
