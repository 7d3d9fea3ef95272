"""What a detector's inference produced, before any list, threshold or category: the steps a
scan yields for the report's stored inference (``vcp.report.inference``). Pure.

Values are rounded here, where they are produced (times to the millisecond, scores to 4
decimals, loudness to 0.5 dB), and the detector derives its own hits from the rounded values:
so a report re-derived from the stored data (``vcp.analysis.rederive``) equals what a full
analysis with the same settings gives.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from vcp.analysis.detectors.geometry import ScoredBox
from vcp.analysis.detectors.words import Word
from vcp.report.inference import MAX_TEXT

__all__ = [
    "CuesRead",
    "FrameSeen",
    "Observed",
    "WindowHeard",
    "levels_of",
    "quantized_levels",
    "rounded_box",
    "rounded_word",
]

# Loudness bytes: b = 2 * dB + _LEVEL_ZERO, so 0..255 covers -125 dB .. +2.5 dB.
_LEVEL_ZERO = 250


@dataclass(frozen=True, slots=True)
class FrameSeen:
    """NudeNet's boxes on the frame at ``time`` (after NMS), whatever their label."""

    time: float
    boxes: tuple[ScoredBox, ...]


@dataclass(frozen=True, slots=True)
class WindowHeard:
    """One audio window: every word whisper heard in it and its loudness bytes (10 ms frames)."""

    start: float
    end: float
    full: bool
    words: tuple[Word, ...]
    levels: bytes


@dataclass(frozen=True, slots=True)
class CuesRead:
    """One subtitle source's cues: ``(start, end, visible text)``; ``source`` names it as hits
    do (``movie.en.srt``, ``subtitle stream 2``)."""

    source: str
    cues: tuple[tuple[float, float, str], ...]


Observed = FrameSeen | WindowHeard | CuesRead


def rounded_box(box: ScoredBox) -> ScoredBox:
    """``box`` with its score at 4 decimals."""
    return ScoredBox(box.label, round(box.score, 4), box.box)


def rounded_word(word: Word) -> Word:
    """``word`` with times to the millisecond and its probability at 4 decimals."""
    return Word(
        word.text[:MAX_TEXT], round(word.start, 3), round(word.end, 3), round(word.probability, 4)
    )


def quantized_levels(levels: NDArray[np.float64]) -> bytes:
    """Loudness in dB as one byte a frame (0.5 dB steps, clipped to -125..+2.5 dB)."""
    steps = np.clip(np.round(levels * 2) + _LEVEL_ZERO, 0, 255)
    return bytes(steps.astype(np.uint8))


def levels_of(data: bytes) -> NDArray[np.float64]:
    """The dB levels ``quantized_levels`` stored."""
    steps = np.frombuffer(data, dtype=np.uint8).astype(np.float64)
    return (steps - _LEVEL_ZERO) / 2
