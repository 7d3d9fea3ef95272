"""Kodi / MPlayer edit decision lists: one ``start end action`` line per edit.

Times are seconds with three decimals; action ``0`` skips the span (Kodi calls it a cut) and ``1``
mutes it. Kodi rejects a whole file whose edits overlap, so ``flatten`` makes the list disjoint:
overlapping edits of one action join, and a mute loses the part a skip already covers.
Players look for the list beside the film, named after it: ``Film (2020).mkv`` ->
``Film (2020).edl``. Kodi reads it by itself, MPlayer with ``-edl``; mpv does not read this
format (its own ``.edl`` is a different one): it skips and mutes by the file only through vcp's
script (``vcp export --mpv-script`` prints its path; ``vcp.export.mpv``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import IntEnum

from vcp.actions.intervals import subtract, union
from vcp.export.cues import PlayerCue

__all__ = ["Edit", "EdlAction", "default_edits", "flatten", "format_edl"]


class EdlAction(IntEnum):
    """The EDL action codes vcp writes."""

    SKIP = 0
    MUTE = 1


@dataclass(frozen=True, slots=True)
class Edit:
    """One line of the list, times in whole milliseconds."""

    start_ms: int
    end_ms: int
    action: EdlAction


# What a player can do for each vcp action: skip or mute. A player cannot blank or blur a picture,
# so those skip; ``none`` writes nothing.
ACTION_CODES: dict[str, EdlAction] = {
    "skip": EdlAction.SKIP,
    "blank": EdlAction.SKIP,
    "blur": EdlAction.SKIP,
    "mute": EdlAction.MUTE,
    "bleep": EdlAction.MUTE,
}


def default_edits(cues: Iterable[PlayerCue]) -> list[Edit]:
    """Edits without an actions plan: speech muted, pictures skipped, no padding."""
    return [
        Edit(c.start_ms, c.end_ms, EdlAction.MUTE if c.kind == "audio" else EdlAction.SKIP)
        for c in cues
    ]


def flatten(edits: Iterable[Edit]) -> list[Edit]:
    """Disjoint edits in time order: skips merged, mutes merged and cut around the skips.

    O(n log n): a report may hold 100,000 overlapping segments.
    """
    edits = list(edits)
    skips = union((e.start_ms, e.end_ms) for e in edits if e.action is EdlAction.SKIP)
    mutes = union((e.start_ms, e.end_ms) for e in edits if e.action is EdlAction.MUTE)
    lines = [Edit(s, e, EdlAction.SKIP) for s, e in skips]
    lines += [Edit(s, e, EdlAction.MUTE) for s, e in subtract(mutes, skips)]
    return sorted(lines, key=lambda e: e.start_ms)


def format_edl(edits: Iterable[Edit]) -> str:
    """The EDL text for ``edits`` (flattened first)."""
    return "".join(
        f"{_seconds(e.start_ms)} {_seconds(e.end_ms)} {int(e.action)}\n" for e in flatten(edits)
    )


def _seconds(ms: int) -> str:
    return f"{ms // 1000}.{ms % 1000:03d}"
