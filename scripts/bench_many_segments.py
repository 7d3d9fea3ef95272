"""Benchmark reports with very many segments: every export format, censor's plan, the review page.

    python scripts/bench_many_segments.py                   # 1k, 10k, 100k segments
    python scripts/bench_many_segments.py --counts 2000 4000 8000

A hostile or broken report may hold 100,000 segments that overlap inside the 14 s sample film.
For each count, a report of that many random segments inside the sample (words and pictures, some
allowed, a dozen categories) is written beside a copy of the sample, then each step that turns a
report into an output is timed alone, in this process: loading the report, the EDL (with the
default actions, so planned, padded and flattened), the MCF and WebVTT files, the chapters plan
(not the film copy, which does not depend on the segments), censor's edit plan with the default
actions and with mixed actions (blur, blank, skip, mute, bleep: the sweep has to pick winners),
and the review page (rendered from the loaded report, stills left out). Prints a markdown table
for docs/benchmarks.md ("Reports with many segments"): wall seconds of each step, median of the
repeats. The target: under 2 s each for 100,000 segments.
"""

from __future__ import annotations

import argparse
import platform
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from vcp.actions import plan_edits
from vcp.config.schema.actions import ActionsSettings, CategoryActions
from vcp.export.chapters import plan_chapters
from vcp.export.cues import cues_from_report, millis
from vcp.export.edl import ACTION_CODES, Edit, format_edl
from vcp.export.mcf import format_mcf
from vcp.export.vtt import format_vtt
from vcp.report import (
    InputInfo,
    Report,
    Segment,
    SegmentDetection,
    Summary,
    ToolInfo,
    load_report,
    write_report,
)
from vcp.review.page import render_page

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "tests" / "fixtures" / "sample.mp4"
DURATION = 14.0
_CATEGORIES = ("profanity", "slurs", "blasphemy", "nudity", "gore", "violence", "insults")
MIXED = ActionsSettings(
    categories={
        "profanity": CategoryActions(audio="bleep"),
        "slurs": CategoryActions(audio="mute"),
        "nudity": CategoryActions(video="skip"),
        "gore": CategoryActions(video="blur"),
        "violence": CategoryActions(video="blank"),
    }
)


def many_segments(count: int, *, seed: int = 13, duration: float = DURATION) -> list[Segment]:
    """``count`` random, heavily overlapping segments inside ``duration`` seconds."""
    rng = random.Random(seed)
    out = []
    for i in range(count):
        start = rng.uniform(0, duration - 0.1)
        end = min(duration, start + rng.uniform(0.05, 2.0))
        kind = "video" if i % 3 == 0 else "audio"
        category = rng.choice(_CATEGORIES)
        out.append(_segment(i + 1, start, end, category=category, kind=kind, allow=i % 10 == 0))
    return out


def _segment(
    sid: int, start: float, end: float, *, category: str, kind: str, allow: bool
) -> Segment:
    if kind == "video":
        hit = SegmentDetection(
            detector="nudity", label="X", score=0.8, start=start, end=start, box=(10, 10, 50, 50)
        )
    else:
        hit = SegmentDetection(
            detector="profanity", label=category, score=0.9, start=start, end=end, word="w"
        )
    return Segment(
        id=sid,
        start=start,
        end=end,
        category=category,
        kind="video" if kind == "video" else "audio",
        labels=(hit.label,),
        confidence=0.9,
        allow=allow,
        detections=(hit,),
    )


def report_of(segments: list[Segment], video: Path) -> Report:
    """A version-1 report for ``video`` holding ``segments``."""
    return Report(
        input=InputInfo(path=str(video), name=video.name, size=1, duration=DURATION),
        summary=Summary.of(segments),
        segments=tuple(segments),
        vcp=ToolInfo(version="bench", created="2026-12-01T00:00:00Z"),
    )


def _steps(path: Path) -> dict[str, Callable[[], Any]]:
    report = load_report(path)
    defaults = ActionsSettings()

    def edl() -> str:  # what `vcp export --format edl` does with the default actions
        plan = plan_edits(report, defaults)
        edits = [*plan.audio, *plan.video]
        return format_edl(
            Edit(millis(e.start), millis(e.end), ACTION_CODES[e.action]) for e in edits
        )

    return {
        "load report": lambda: load_report(path),
        "edl": edl,
        "mcf": lambda: format_mcf(cues_from_report(report), duration=DURATION),
        "vtt": lambda: format_vtt(cues_from_report(report)),
        "chapters plan": lambda: plan_chapters(
            cues_from_report(report), duration_ms=millis(DURATION)
        ),
        "censor plan": lambda: plan_edits(report, defaults, duration=DURATION),
        "censor plan, mixed actions": lambda: plan_edits(report, MIXED, duration=DURATION),
        "review page": lambda: render_page(report, report_name=path.name, stills={}),
    }


def _time(step: Callable[[], Any], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        began = time.perf_counter()
        step()
        times.append(time.perf_counter() - began)
    return statistics.median(times)


def measure(counts: list[int], repeat: int) -> dict[int, dict[str, float]]:
    """Seconds per step, per segment count."""
    results: dict[int, dict[str, float]] = {}
    with tempfile.TemporaryDirectory(prefix="vcp-bench-many-") as tmp:
        video = Path(tmp) / "film.mp4"
        video.write_bytes(SAMPLE.read_bytes())
        for count in counts:
            path = Path(tmp) / f"film-{count}.vcp.json"
            write_report(report_of(many_segments(count), video), path, pretty=True)
            steps = _steps(path)
            results[count] = {name: _time(step, repeat) for name, step in steps.items()}
            print(f"{count} segments: done", file=sys.stderr)
    return results


def table(results: dict[int, dict[str, float]]) -> str:
    """The markdown table: one row per step, one column per segment count."""
    counts = list(results)
    steps = list(results[counts[0]])
    lines = [
        "| step | " + " | ".join(f"{c:,} segments" for c in counts) + " |",
        "|---|" + "---:|" * len(counts),
    ]
    for step in steps:
        cells = " | ".join(f"{results[c][step]:.2f} s" for c in counts)
        lines.append(f"| {step} | {cells} |")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--counts", type=int, nargs="+", default=[1000, 10_000, 100_000])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    results = measure(args.counts, args.repeat)
    print(f"Python {platform.python_version()}, {platform.machine()}, median of {args.repeat}\n")
    print(table(results))
    worst = max(t for r in results.values() for t in r.values())
    return 0 if max(results) < 100_000 or worst < 2.0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
