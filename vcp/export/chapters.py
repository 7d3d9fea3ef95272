"""The chapter list for a film with flagged spans: a chapter starts where each span starts and
another where it ends, so a player's "next chapter" jumps over it.

Pure: ``plan_chapters`` turns cues into ``Chapter`` values; ``vcp.media.chapters`` writes them.
Overlapping spans become one chapter titled with every category in it (``Nudity + profanity``);
the parts between spans are chapters titled ``Film``.
"""

from __future__ import annotations

from collections.abc import Iterable

from vcp.export.cues import Cue
from vcp.media.chapters import Chapter

__all__ = ["CLEAR_TITLE", "plan_chapters"]

CLEAR_TITLE = "Film"


def plan_chapters(cues: Iterable[Cue], *, duration_ms: int) -> list[Chapter]:
    """Chapters covering ``0..duration_ms`` without gaps: flagged spans and the film between."""
    chapters: list[Chapter] = []
    at = 0
    for start, end, title in _spans(cues, duration_ms):
        if start > at:
            chapters.append(Chapter(at, start, CLEAR_TITLE))
        chapters.append(Chapter(start, end, title))
        at = end
    if at < duration_ms or not chapters:
        chapters.append(Chapter(at, max(duration_ms, at + 1), CLEAR_TITLE))
    return chapters


def _spans(cues: Iterable[Cue], duration_ms: int) -> list[tuple[int, int, str]]:
    """Overlapping cues joined, clamped to the film, each with its categories in order."""
    joined: list[tuple[int, int, list[str]]] = []
    for cue in sorted(cues, key=lambda c: (c.start_ms, c.end_ms)):
        start, end = min(cue.start_ms, duration_ms), min(cue.end_ms, duration_ms)
        if end <= start:
            continue
        if joined and start < joined[-1][1]:
            last = joined[-1]
            joined[-1] = (last[0], max(last[1], end), _add(last[2], cue.category))
        else:
            joined.append((start, end, [cue.category]))
    return [(s, e, " + ".join(cats)) for s, e, cats in joined]


def _add(categories: list[str], category: str) -> list[str]:
    return categories if category in categories else [*categories, category]
