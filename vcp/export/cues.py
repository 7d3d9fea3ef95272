"""The flagged spans every sidecar format writes, taken from a report.

Pure: no files, no media. A ``PlayerCue`` is one segment the user has not allowed, with the times
rounded to the millisecond once, here, so every format agrees with every other to the millisecond
(``vcp.report.timecode`` writes them).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from vcp.actions.intervals import union
from vcp.core.streams import MediaKind
from vcp.report.timecode import millis

if TYPE_CHECKING:
    from vcp.report import Report, Segment

__all__ = ["PlayerCue", "cues_from_report", "millis"]


@dataclass(frozen=True, slots=True)
class PlayerCue:
    """One flagged span: ``start``/``end`` in whole milliseconds, what it is, and what was said."""

    segment_id: int
    start_ms: int
    end_ms: int
    category: str
    kind: MediaKind
    labels: tuple[str, ...] = ()
    words: tuple[str, ...] = ()  # masked forms (``f**k``) of the words heard, in order
    uncertain: bool = False  # every hit behind it was under its detector's threshold
    # Words heard: each word's own span (overlaps joined), so a player that mutes by these cues
    # mutes the words and not the speech between them. Empty for pictures.
    words_ms: tuple[tuple[int, int], ...] = ()


def cues_from_report(report: Report) -> list[PlayerCue]:
    """The report's segments that are not allowed, in time order, as cues."""
    cues = [_cue(s) for s in report.segments if not s.allow]
    return sorted(cues, key=lambda c: (c.start_ms, c.end_ms, c.segment_id))


def _cue(segment: Segment) -> PlayerCue:
    start = millis(segment.start)
    return PlayerCue(
        segment_id=segment.id,
        start_ms=start,
        end_ms=max(millis(segment.end), start + 1),  # a one-frame hit still spans a millisecond
        category=segment.category,
        kind=segment.kind,
        labels=tuple(segment.labels),
        words=_masked_words(segment.detections),
        uncertain=segment.uncertain,
        words_ms=_word_spans(segment) if segment.kind == "audio" else (),
    )


def _word_spans(segment: Segment) -> tuple[tuple[int, int], ...]:
    from vcp.actions.plan import audio_spans  # the same words the censor's plan mutes

    spans = ((millis(a), max(millis(b), millis(a) + 1)) for a, b in audio_spans(segment))
    return tuple(union(spans))


def _masked_words(detections: Iterable[object]) -> tuple[str, ...]:
    words = (getattr(d, "masked", None) or getattr(d, "word", None) for d in detections)
    return tuple(w for w in words if w)
