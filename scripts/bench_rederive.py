"""Benchmark re-deriving a 2-hour film's report from its stored inference (no model loaded).

    python scripts/bench_rederive.py                  # a 2-hour film, 3 repeats
    python scripts/bench_rederive.py --hours 3 --boxes 6

A synthetic report of a film of ``--hours`` hours is written beside a copy of the sample (its
fingerprint stands for the film's): NudeNet boxes on a frame a second (``--boxes`` a frame on
average, every label), whisper's words at 150 a minute in 180 s windows overlapping by 5 s (with
their loudness, 10 ms a byte) and a subtitle cue every 4.8 s, a few listed words among them.
Then, with word lists and thresholds changed, ``Analyzer.analyze_film`` re-derives it the way
``vcp analyze`` does: reads the report, checks the film's fingerprint and settings, derives the
segments, writes the report. Prints the report's size and a markdown row for
docs/benchmarks.md ("Re-deriving a report"): wall seconds, median of the repeats.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import platform
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from vcp import Analyzer, ModelManager, Settings
from vcp.analysis.freshness import derivation_digest, inference_settings, model_key
from vcp.core.fingerprint import fingerprint
from vcp.core.labels import NUDENET_LABELS
from vcp.report import (
    DetectorInference,
    FilmFingerprint,
    Inference,
    InputInfo,
    Report,
    Summary,
    ToolInfo,
    write_report,
)
from vcp.report.inference import FrameBoxes, SpeechWindows, SubtitleCues

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "tests" / "fixtures" / "sample.mp4"
_WORDS = ["the", "and", "you", "what", "is", "this", "that", "was", "it", "to", "of", "we", "go"]
_LISTED = ("fuck", "shit", "damn", "hell", "bitch")


def _frames(seconds: float, boxes: float, rng: random.Random) -> FrameBoxes:
    time_, label, score, box = [], [], [], []
    for t in range(int(seconds)):
        for _ in range(rng.randint(0, round(2 * boxes))):
            time_.append(float(t))
            label.append(rng.randrange(len(NUDENET_LABELS)))
            score.append(round(rng.uniform(0.05, 1.0), 4))
            box += [rng.randrange(1280), rng.randrange(720), rng.randrange(300), rng.randrange(300)]
    return FrameBoxes(floor=0.05, labels=NUDENET_LABELS, time=tuple(time_), label=tuple(label),
                      score=tuple(score), box=tuple(box))  # fmt: skip


def _speech(seconds: float, rng: random.Random) -> SpeechWindows:
    starts = [float(s) for s in range(0, int(seconds), 175)]
    ends = [min(s + 180.0, seconds) for s in starts]
    levels = [
        base64.b64encode(bytes(rng.randrange(120, 250) for _ in range(int((e - s) * 100))))
        for s, e in zip(starts, ends, strict=True)
    ]
    window, text, start, end, probability = [], [], [], [], []
    t = 0.0
    while t < seconds - 1:
        t += rng.uniform(0.2, 0.6)  # 150 words a minute
        word = rng.choice(_LISTED) if rng.random() < 0.01 else rng.choice(_WORDS)
        window.append(min(int(t // 175), len(starts) - 1))
        text += [word]
        start.append(round(t, 3))
        end.append(round(t + 0.2, 3))
        probability.append(round(rng.uniform(0.1, 1.0), 4))
    return SpeechWindows(
        start=tuple(starts), end=tuple(ends),
        full=tuple(e - s >= 180 for s, e in zip(starts, ends, strict=True)),
        levels=tuple(lv.decode() for lv in levels), window=tuple(window), text=tuple(text),
        word_start=tuple(start), word_end=tuple(end), probability=tuple(probability),
    )  # fmt: skip


def _cues(seconds: float, rng: random.Random) -> SubtitleCues:
    starts = [float(s) for s in range(0, int(seconds) - 5, 5)]
    texts = [" ".join(rng.choice(_WORDS + list(_LISTED[:1])) for _ in range(8)) for _ in starts]
    return SubtitleCues(sources=("movie.srt",), source=(0,) * len(starts), start=tuple(starts),
                        end=tuple(s + 4.0 for s in starts), text=tuple(texts))  # fmt: skip


def synthetic_report(settings: Settings, film: Path, *, hours: float, boxes: float) -> Report:
    """A report whose stored inference is current for ``film`` and ``settings``."""
    rng = random.Random(7)
    seconds = hours * 3600
    data = {
        "nudenet": {"frames": _frames(seconds, boxes, rng)},
        "speech-profanity": {"speech": _speech(seconds, rng)},
        "subtitles": {"cues": _cues(seconds, rng)},
    }
    records = tuple(
        DetectorInference(name=d.name, type=d.type, status="ran", analysed_seconds=seconds,
                          model=model_key(d, settings), settings=inference_settings(d, settings),
                          **data[d.type])  # type: ignore[arg-type]
        for d in settings.detectors if d.enabled
    )  # fmt: skip
    print_ = fingerprint(film)
    return Report(
        input=InputInfo(path=str(film), name=film.name, size=print_.size, duration=seconds),
        summary=Summary.of(()),
        vcp=ToolInfo(version="bench", created="2026-01-01T00:00:00+00:00"),
        inference=Inference(
            fingerprint=FilmFingerprint(size=print_.size, mtime_ns=0, sample=print_.sample),
            detectors=records,
            derivation=derivation_digest(settings),
        ),
    )


def _changed(settings: Settings, round_: int) -> Settings:
    """``settings`` with new word lists and thresholds (a new derivation each round)."""
    detectors = []
    for d in settings.detectors:
        update: dict[str, object] = {"threshold": 0.3 + 0.01 * round_}
        if d.type != "nudenet":
            update["allow"] = ("shit",)
        detectors.append(d.model_copy(update=update))
    return settings.model_copy(update={"detectors": tuple(detectors)})


async def _rederive(settings: Settings, film: Path, report: Path) -> tuple[float, str]:
    started = time.perf_counter()
    async with ModelManager(settings.models) as models, Analyzer(settings, models) as analyzer:
        _, outcome = await analyzer.analyze_film(film, report_path=report)
        assert analyzer.detectors == {}, "a model was loaded"
    return time.perf_counter() - started, outcome


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--hours", type=float, default=2.0)
    parser.add_argument("--boxes", type=float, default=4.0, help="boxes a frame on average")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    settings = Settings.load()
    with tempfile.TemporaryDirectory() as tmp:
        film = Path(shutil.copy(SAMPLE, Path(tmp) / "movie.mp4"))
        path = Path(tmp) / "movie.vcp.json"
        report = synthetic_report(settings, film, hours=args.hours, boxes=args.boxes)
        write_report(report, path)
        size = path.stat().st_size
        times = []
        for i in range(args.repeat):
            seconds, outcome = asyncio.run(_rederive(_changed(settings, i + 1), film, path))
            assert outcome == "rederived", outcome
            times.append(seconds)
    frames = report.inference.detectors[0].frames if report.inference else None
    speech = report.inference.detectors[1].speech if report.inference else None
    print(
        f"# {platform.python_version()} on {platform.machine()}, {args.hours} h film",
        file=sys.stderr,
    )
    print(f"# boxes {len(frames.time) if frames else 0}, words {len(speech.text) if speech else 0}")
    print("| film | report MB | re-derive s (median) | runs s |")
    print("|---|---:|---:|---|")
    runs = "-".join(f"{t:.2f}" for t in (min(times), max(times)))
    print(f"| {args.hours:g} h | {size / 1e6:.1f} | {statistics.median(times):.2f} | {runs} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
