"""Draw the analysis for a terminal: per-detector bars (or log lines) beside the download bars,
and the short summary each analysed video gets on stdout."""

from __future__ import annotations

import sys
import time
from collections import Counter
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, Literal, Self, TextIO

from tqdm import tqdm

from vcp.analysis.events import (
    AnalysisFinished,
    AnalysisProgress,
    AnalysisStarted,
    DetectorFinished,
    DetectorReady,
    DetectorSkipped,
    DetectorWaiting,
    MediaWarning,
    ReportReused,
    ReportWritten,
)
from vcp.cli.progress.modes import ProgressRenderer
from vcp.core.terminal import terminal_safe
from vcp.report import Report, format_time

__all__ = ["AnalysisView", "summary_lines", "tally_line"]

_BAR_FORMAT = "{desc}: {percentage:3.0f}%|{bar}| {n:.0f}/{total:.0f} s [{elapsed}<{remaining}]"

_ANALYSIS_EVENTS = (
    AnalysisStarted,
    AnalysisProgress,
    DetectorWaiting,
    DetectorReady,
    DetectorSkipped,
    DetectorFinished,
    MediaWarning,
    ReportWritten,
    ReportReused,
    AnalysisFinished,
)


class AnalysisView:
    """One event handler for a whole ``analyze`` run: download events go to ``downloads`` (the
    models' renderer), analysis events become a bar per video and detector, or log lines."""

    def __init__(
        self,
        downloads: ProgressRenderer,
        mode: Literal["bars", "log", "none"],
        *,
        stream: TextIO | None = None,
        quiet: bool = False,
        clock: Callable[[], float] = time.monotonic,
        log_interval: float = 5.0,
    ) -> None:
        self._downloads, self._mode, self._quiet = downloads, mode, quiet
        self._stream = stream or sys.stderr
        self._clock, self._interval = clock, log_interval
        self._bars: dict[tuple[Path, str], tqdm] = {}
        self._logged: dict[tuple[Path, str], float] = {}

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        """Close every bar (the download renderer is closed by its owner)."""
        for bar in self._bars.values():
            bar.close()
        self._bars.clear()

    def __call__(self, event: Any) -> None:
        if not isinstance(event, _ANALYSIS_EVENTS):
            self._downloads(event)
        elif self._mode != "none":
            self._analysis(event)
        elif not self._quiet and isinstance(event, DetectorSkipped | MediaWarning):
            self._write(_notice(event) or "")  # warnings even without progress, unless --quiet

    def _analysis(self, event: Any) -> None:
        match event:
            case AnalysisProgress():
                self._progress(event)
            case DetectorFinished(input=path, detector=name):
                bar = self._bars.pop((path, name), None)
                if bar is not None:
                    bar.update(bar.total - bar.n)
                    bar.close()
                elif self._mode == "log":
                    self._write(f"{path.name}: {name} done, {event.detections} hit(s)")
            case _:
                if line := _notice(event):
                    self._write(line)

    def _progress(self, event: AnalysisProgress) -> None:
        key = (event.input, event.detector)
        if self._mode == "bars":
            bar = self._bars.get(key) or self._open(key, event.total)
            bar.update(max(0.0, event.seconds - bar.n))
            return
        now = self._clock()
        if now - self._logged.setdefault(key, now) >= self._interval:
            self._logged[key] = now
            share = event.seconds / event.total if event.total else 1.0
            at = format_time(event.seconds)
            self._write(f"{event.input.name}: {event.detector} at {at} ({share:.0%})")

    def _open(self, key: tuple[Path, str], total: float) -> tqdm:
        bar = tqdm(
            desc=terminal_safe(f"{key[0].name} {key[1]}"), total=round(total, 1), unit="s",
            file=self._stream, dynamic_ncols=True, mininterval=0.2, leave=False,
            bar_format=_BAR_FORMAT,
        )  # fmt: skip
        self._bars[key] = bar
        return bar

    def _write(self, line: str) -> None:
        line = terminal_safe(line)  # one line, naming files: no control character is meant
        if self._mode == "bars":
            tqdm.write(line, file=self._stream)
        else:
            self._stream.write(line + "\n")
            self._stream.flush()


def _notice(event: Any) -> str | None:
    match event:
        case AnalysisStarted(input=path, duration=duration, detectors=names):
            return (
                f"analysing {path} ({format_time(duration)}) with {', '.join(names) or 'nothing'}"
            )
        case DetectorWaiting(detector=name, model=model):
            return f"{name}: waiting for model {model}"
        case DetectorReady(detector=name, model=model, load_seconds=seconds):
            if model is None:
                return f"{name}: ready"
            return f"{name}: {model} loaded in {seconds:.1f} s"
        case ReportReused(input=path, outcome="partial", reused=names):
            return f"{path.name}: reusing the stored inference of {', '.join(names)}"
        case ReportReused(input=path, outcome="rederived"):
            return f"{path.name}: segments derived again from the stored inference, no model"
        case DetectorSkipped(input=path, detector=name, reason=reason):
            return f"warning: {name} skipped{f' for {path.name}' if path else ''}: {reason}"
        case MediaWarning(input=path, detector=name, seconds=seconds, message=message):
            return f"warning: {path.name} at {format_time(seconds)} ({name}): {message}"
    return None


def tally_line(outcomes: Iterable[str]) -> str:
    """One line for a run of several films: ``12 current, 3 analysed, 1 failed`` (a count of
    films whose segments were re-derived without a model is added when there are any)."""
    counts = Counter(outcomes)
    parts = [f"{counts['current']} current", f"{counts['analysed']} analysed"]
    if counts["rederived"]:
        parts.insert(1, f"{counts['rederived']} re-derived")
    return ", ".join([*parts, f"{counts['failed']} failed"])


def summary_lines(report: Report, path: Path | None) -> list[str]:
    """What stdout gets for one analysed video: segments and flagged time per category (and how
    many of them are uncertain), each detector that could not read the whole film, where the
    report is."""
    summary = report.summary
    name = terminal_safe(report.input.name)
    head = (
        f"{name}: {summary.segments} segment{'s' * (summary.segments != 1)}, "
        f"{summary.flagged_seconds:.1f} s flagged of {format_time(report.input.duration)}"
    )
    lines = [head]
    unsure = _uncertain_per_category(report)
    for category, part in summary.categories.items():
        shown = terminal_safe(category)
        line = f"  {shown:<12} {part.segments:>4} segment(s) {part.seconds:>9.1f} s"
        lines.append(line + (f", {unsure[category]} uncertain" if unsure.get(category) else ""))
    if unsure:
        total = sum(unsure.values())
        lines.append(
            f"  {total} of {summary.segments} segment(s) uncertain (heard below the threshold, "
            "acted on all the same): check them with `vcp review`"
        )
    lines += _partial_lines(report)
    if report.warnings:
        count = len(report.warnings)
        lines.append(f"  {count} warning{'s' * (count != 1)} (printed above, kept in the report)")
    if path is not None:
        lines.append(f"  report: {terminal_safe(path)}")
    return lines


def _uncertain_per_category(report: Report) -> dict[str, int]:
    counts: dict[str, int] = {}
    for segment in report.segments:
        if segment.uncertain:
            counts[segment.category] = counts.get(segment.category, 0) + 1
    return counts


def _partial_lines(report: Report) -> list[str]:
    """A line per detector that analysed only part of the film: its result covers that part."""
    duration = report.input.duration
    return [
        f"  {d.name}: analysed only {format_time(d.analysed_seconds)} of "
        f"{format_time(duration)}: the rest could not be decoded"
        for d in report.detectors
        if d.analysed_seconds is not None and d.analysed_seconds < duration
    ]
