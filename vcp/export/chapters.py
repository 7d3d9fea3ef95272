"""The chapter list for a film with flagged spans: a chapter starts where each span starts and
another where it ends, so a player's "next chapter" jumps over it.

Pure: ``plan_chapters`` turns cues into ``Chapter`` values; ``vcp.media.chapters`` writes them.
Overlapping spans become one chapter titled with the categories in it (``Nudity + profanity``; past
four, ``... + 3 more``); the parts between spans are chapters titled ``Film``.
"""

from __future__ import annotations

from collections.abc import Iterable

from vcp.actions.intervals import union_groups
from vcp.export.cues import PlayerCue
from vcp.media.chapters import Chapter

__all__ = ["CLEAR_TITLE", "plan_chapters"]

CLEAR_TITLE = "Film"
# A player shows a chapter's title in a menu line: a hostile report's thousand categories in one
# span would make a title of kilobytes.
MAX_TITLE_CATEGORIES = 4


def plan_chapters(cues: Iterable[PlayerCue], *, duration_ms: int) -> list[Chapter]:
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


def _spans(cues: Iterable[PlayerCue], duration_ms: int) -> list[tuple[int, int, str]]:
    """Overlapping cues joined, clamped to the film, each with its categories in order."""
    clamped = ((min(c.start_ms, duration_ms), min(c.end_ms, duration_ms), c.category) for c in cues)
    groups = union_groups(
        (c for c in clamped if c[1] > c[0]), key=lambda c: (c[0], c[1]), join_touching=False
    )
    return [(start, end, _title(c[2] for c in members)) for start, end, members in groups]


def _title(categories: Iterable[str]) -> str:
    """``Nudity + profanity``; past a few categories the rest are counted, not listed."""
    names = list(dict.fromkeys(categories))
    shown = names[:MAX_TITLE_CATEGORIES]
    more = len(names) - len(shown)
    return " + ".join(shown) + (f" + {more} more" if more else "")
