"""Word edges from the audio: whisper's word times moved out to where the word's sound is.

Whisper times words from its attention, in 20 ms steps, and mostly late: on the quality corpus
(docs/quality.md) a found word starts a median 150 ms before whisper's start (up to 0.8 s), and
ends up to 0.2 s after whisper's end. Muting whisper's span leaves the word's onset audible.

``widen`` walks out from whisper's span over 10 ms frames of the audio while they stay loud
(within ``drop_db`` of the word's loudest frame, and above ``floor_db``): the start back by at
most ``back`` seconds, the end forward by at most ``forward``. It stops at the first quiet
frame: the pause or stop consonant before the word. It never moves a time inward: a word whisper
timed early stays as it was (recall first). Pure: numpy arrays in, seconds out.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

__all__ = ["EdgeSettings", "frame_levels", "widen"]

FRAME_SECONDS = 0.01


@dataclass(frozen=True, slots=True)
class EdgeSettings:
    """How far and how loud: chosen on the quality benchmark (docs/quality.md)."""

    drop_db: float = 15.0
    back: float = 0.3
    forward: float = 0.1
    floor_db: float = -60.0  # quieter than this is silence, however quiet the word


def frame_levels(samples: NDArray[np.float32], rate: int) -> NDArray[np.float64]:
    """Power (dB) of each ``FRAME_SECONDS`` frame of ``samples``."""
    size = max(1, round(FRAME_SECONDS * rate))
    n = len(samples) // size
    frames = samples[: n * size].astype(np.float64).reshape(n, size)
    return np.asarray(10 * np.log10(np.mean(frames**2, axis=1) + 1e-12), dtype=np.float64)


def widen(
    levels: NDArray[np.float64],
    start: float,
    end: float,
    *,
    settings: EdgeSettings = EdgeSettings(),
) -> tuple[float, float]:
    """``(start, end)`` (seconds from the first frame of ``levels``) widened to the word's sound."""
    if len(levels) == 0:
        return start, end
    first = min(max(int(start / FRAME_SECONDS), 0), len(levels) - 1)
    last = min(max(int(np.ceil(end / FRAME_SECONDS)), first + 1), len(levels))
    quiet = max(float(levels[first:last].max()) - settings.drop_db, settings.floor_db)
    i = first
    stop = max(0, int((start - settings.back) / FRAME_SECONDS))
    while i > stop and levels[i - 1] > quiet:
        i -= 1
    j = last
    limit = min(len(levels), int((end + settings.forward) / FRAME_SECONDS))
    while j < limit and levels[j] > quiet:
        j += 1
    return min(start, i * FRAME_SECONDS), max(end, j * FRAME_SECONDS)
