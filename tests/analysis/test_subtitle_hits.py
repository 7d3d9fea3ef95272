"""Subtitle hits placed on the spoken word when speech heard it (``vcp.analysis.subtitle_hits``)."""

from __future__ import annotations

from vcp.analysis.detectors.base import Detection
from vcp.analysis.subtitle_hits import place_subtitle_hits


def _hit(detector: str, start: float, end: float, label: str = "fuck*") -> Detection:
    return Detection(detector, "profanity", label, 0.9, start, end, word="fuck")


def test_a_subtitle_hit_speech_heard_moves_onto_the_spoken_word() -> None:
    spoken = _hit("profanity", 11.2, 11.5)
    read = _hit("subtitles", 10.0, 13.0)
    out = place_subtitle_hits([spoken, read], subtitles={"subtitles"}, speech={"profanity"})
    assert out[0] == spoken
    assert (out[1].start, out[1].end, out[1].detector) == (11.2, 11.5, "subtitles")


def test_a_subtitle_hit_speech_missed_keeps_its_cue() -> None:
    read = _hit("subtitles", 10.0, 13.0)
    elsewhere = _hit("profanity", 40.0, 40.3)
    other = Detection("profanity", "blasphemy", "god damn", 0.9, 11.0, 11.4)
    out = place_subtitle_hits(
        [elsewhere, other, read], subtitles={"subtitles"}, speech={"profanity"}
    )
    assert out[2] == read


def test_one_spoken_word_confirms_one_subtitle_hit() -> None:
    spoken = _hit("profanity", 11.2, 11.5)
    twice = [_hit("subtitles", 10.0, 13.0), _hit("subtitles", 10.0, 13.0)]
    out = place_subtitle_hits([spoken, *twice], subtitles={"subtitles"}, speech={"profanity"})
    assert sorted((d.start, d.end) for d in out[1:]) == [(10.0, 13.0), (11.2, 11.5)]
