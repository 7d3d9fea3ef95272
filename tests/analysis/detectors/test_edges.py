"""Word edges from the audio: whisper's late word times widened to the word's sound."""

from __future__ import annotations

import numpy as np
import pytest

from vcp.analysis.detectors.edges import EdgeSettings, frame_levels, widen

RATE = 16000


def tone(seconds: float, *, start: float, end: float, level: float = 0.3) -> np.ndarray:
    """Silence with a 300 Hz tone (a "word") from ``start`` to ``end``."""
    t = np.arange(int(seconds * RATE)) / RATE
    out = np.zeros_like(t, dtype=np.float32)
    inside = (t >= start) & (t < end)
    out[inside] = level * np.sin(2 * np.pi * 300 * t[inside])
    return out


def test_a_late_start_moves_back_to_where_the_word_begins() -> None:
    levels = frame_levels(tone(3.0, start=1.0, end=1.5), RATE)
    start, end = widen(levels, 1.15, 1.45)
    assert start == pytest.approx(1.0, abs=0.011)
    assert end == pytest.approx(1.5, abs=0.011)


def test_it_moves_no_further_than_the_settings_allow() -> None:
    levels = frame_levels(tone(3.0, start=0.5, end=2.5), RATE)  # a long loud stretch
    start, end = widen(levels, 1.5, 1.7, settings=EdgeSettings(back=0.3, forward=0.1))
    assert start == pytest.approx(1.2, abs=0.011)
    assert end == pytest.approx(1.8, abs=0.011)


def test_an_early_start_in_the_pause_is_never_moved_later() -> None:
    levels = frame_levels(tone(3.0, start=1.0, end=1.5), RATE)
    assert widen(levels, 0.8, 1.5) == (0.8, 1.5)


def test_silence_widens_nothing() -> None:
    levels = frame_levels(np.zeros(3 * RATE, np.float32), RATE)
    assert widen(levels, 1.0, 1.2) == (1.0, 1.2)


def test_a_quiet_gap_between_words_stops_the_walk() -> None:
    audio = tone(3.0, start=0.6, end=0.9) + tone(3.0, start=1.0, end=1.4)  # 0.1 s pause
    start, _ = widen(frame_levels(audio, RATE), 1.1, 1.4, settings=EdgeSettings(back=0.5))
    assert start == pytest.approx(1.0, abs=0.011)
