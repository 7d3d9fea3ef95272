"""Scoring detections against the corpus's truth. Pure: lists and numbers in, numbers out.

A detection *finds* a target when their spans come within ``MATCH_SLACK`` seconds of each other
(the anchor's "found within 0.5 s"); a detection that finds no target is a false detection. Timing
errors are the first finding detection's start minus the target's start (onset; positive: late)
and the last one's end minus the target's end (offset). Silencing is judged on the target's voiced
10 ms frames: the share of them that the censored audio silences, and how much innocent speech
(speech frames of no target) is silenced per found word.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

MATCH_SLACK = 0.5


@dataclass
class Score:
    """One system on one condition."""

    targets: int = 0
    found: int = 0
    right_category: int = 0
    false: list[dict[str, Any]] = field(default_factory=list)
    onsets: list[float] = field(default_factory=list)
    offsets: list[float] = field(default_factory=list)
    missed: list[dict[str, Any]] = field(default_factory=list)
    found_targets: list[dict[str, Any]] = field(default_factory=list)
    clean_speech_seconds: float = 0.0  # speech that holds no target

    def add(self, other: Score) -> Score:
        """The sum of two scores (for a total over conditions)."""
        return Score(
            self.targets + other.targets,
            self.found + other.found,
            self.right_category + other.right_category,
            self.false + other.false,
            self.onsets + other.onsets,
            self.offsets + other.offsets,
            self.missed + other.missed,
            self.found_targets + other.found_targets,
            self.clean_speech_seconds + other.clean_speech_seconds,
        )

    @property
    def recall(self) -> float:
        return self.found / self.targets if self.targets else 1.0

    @property
    def false_per_hour(self) -> float:
        hours = self.clean_speech_seconds / 3600
        return len(self.false) / hours if hours else 0.0


def score(truth: dict[str, Any], detections: Sequence[dict[str, Any]]) -> Score:
    """How ``detections`` (dicts with start, end, category) fare against one condition's truth."""
    targets = truth["targets"]
    used: set[int] = set()
    result = Score(targets=len(targets), clean_speech_seconds=clean_speech_seconds(truth))
    for target in targets:
        hits = [
            i
            for i, d in enumerate(detections)
            if d["start"] < target["end"] + MATCH_SLACK and target["start"] < d["end"] + MATCH_SLACK
        ]
        used.update(hits)
        if not hits:
            result.missed.append(target)
            continue
        result.found += 1
        result.found_targets.append(target)
        found = [detections[i] for i in hits]
        if any(d["category"] == target["category"] for d in found):
            result.right_category += 1
        result.onsets.append(min(d["start"] for d in found) - target["start"])
        result.offsets.append(max(d["end"] for d in found) - target["end"])
    result.false = [d for i, d in enumerate(detections) if i not in used]
    return result


def clean_speech_seconds(truth: dict[str, Any]) -> float:
    """Seconds of speech lines, less the targets in them: what a false detection is counted over."""
    lines = sum(line["end"] - line["start"] for line in truth["lines"])
    return lines - sum(t["end"] - t["start"] for t in truth["targets"])


def percentile(values: Sequence[float], q: float) -> float:
    """The ``q``-th percentile (0-100) of ``values``; NaN when there are none."""
    return float(np.percentile(values, q)) if values else float("nan")


def median(values: Sequence[float]) -> float:
    return statistics.median(values) if values else float("nan")


# -- silencing ---------------------------------------------------------------------------------


def frames_of(
    intervals: Iterable[tuple[float, float]], *, count: int, frame: float
) -> NDArray[Any]:
    """A mask of ``count`` frames: True where a frame lies wholly inside one of ``intervals``."""
    mask = np.zeros(count, dtype=bool)
    for start, end in intervals:
        first, last = int(np.ceil(start / frame - 1e-9)), int(np.floor(end / frame + 1e-9))
        mask[max(first, 0) : max(min(last, count), 0)] = True
    return mask


@dataclass
class Silencing:
    """How well muting covers the found words."""

    voiced: int = 0  # voiced frames of found targets
    silenced: int = 0  # ... of which silenced
    words: int = 0
    whole: int = 0  # found words with every voiced frame silenced
    innocent_frames: int = 0  # speech frames of no target, silenced
    frame: float = 0.01

    def add(self, other: Silencing) -> Silencing:
        return Silencing(
            self.voiced + other.voiced,
            self.silenced + other.silenced,
            self.words + other.words,
            self.whole + other.whole,
            self.innocent_frames + other.innocent_frames,
            self.frame,
        )

    @property
    def share(self) -> float:
        return self.silenced / self.voiced if self.voiced else 1.0

    @property
    def whole_share(self) -> float:
        return self.whole / self.words if self.words else 1.0

    @property
    def innocent_per_word(self) -> float:
        return self.innocent_frames * self.frame / self.words if self.words else 0.0


def silencing(
    truth: dict[str, Any], found: Sequence[dict[str, Any]], silent: NDArray[Any]
) -> Silencing:
    """Judge ``silent`` (a frame mask of the censored audio) on the ``found`` targets."""
    frame = truth.get("frame", 0.01)
    out = Silencing(frame=frame)
    for target in found:
        voiced = [f for f in target["voiced"] if f < len(silent)]
        hushed = sum(bool(silent[f]) for f in voiced)
        out.voiced += len(voiced)
        out.silenced += hushed
        out.words += 1
        out.whole += hushed == len(voiced)
    speech = np.zeros(len(silent), dtype=bool)
    speech[[f for f in truth["speech_frames"] if f < len(silent)]] = True
    inside = frames_of(
        ((t["start"] - frame, t["end"] + frame) for t in truth["targets"]),
        count=len(silent),
        frame=frame,
    )
    out.innocent_frames = int(np.sum(silent & speech & ~inside))
    return out
