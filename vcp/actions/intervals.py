"""Merging padded segment intervals on one channel: the strongest action wins where they overlap.

Pure: plain numbers and tuples in, plain numbers and tuples out. ``plan`` turns report segments
into ``Span`` objects and the results into typed edits.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TypeVar

__all__ = ["TOUCH_SECONDS", "Merged", "Span", "merge_spans"]

T = TypeVar("T")
TOUCH_SECONDS = 1e-6  # spans closer than this are one edit (float noise from padding arithmetic)


@dataclass(frozen=True, slots=True)
class Span:
    """One padded segment on one channel, with the action configured for it."""

    start: float
    end: float
    action: str
    category: str
    segment_id: int
    payload: tuple[object, ...] = ()  # e.g. the boxes a blur hides


@dataclass(frozen=True, slots=True)
class Merged:
    """A stretch covered by one action: every span that overlaps it contributed its ids."""

    start: float
    end: float
    action: str
    categories: tuple[str, ...]
    segment_ids: tuple[int, ...]
    payload: tuple[object, ...]


def merge_spans(spans: Iterable[Span], rank: Sequence[str]) -> list[Merged]:
    """Cover the union of ``spans`` with non-overlapping, sorted stretches of one action each.

    Where spans of different actions overlap, the one listed later in ``rank`` wins (``skip``
    beats ``blank`` beats ``blur``). Stretches of the same action that overlap or touch become one.
    Categories and segment ids are those of every span inside the stretch; the payload only comes
    from spans of the winning action.
    """
    live = sorted((s for s in spans if s.end > s.start), key=lambda s: (s.start, s.end))
    out: list[Merged] = []
    for start, end, covering in _slices(live):
        winner = max(covering, key=lambda s: rank.index(s.action)).action
        piece = _merged(start, end, action=winner, covering=covering)
        if out and out[-1].action == winner and start - out[-1].end <= TOUCH_SECONDS:
            piece = _join(out.pop(), piece)
        out.append(piece)
    return out


def _slices(spans: list[Span]) -> Iterable[tuple[float, float, list[Span]]]:
    """Elementary stretches between consecutive boundaries, with the spans covering each."""
    bounds = sorted({t for s in spans for t in (s.start, s.end)})
    active: list[Span] = []
    nxt = 0
    for start, end in itertools.pairwise(bounds):
        while nxt < len(spans) and spans[nxt].start <= start:
            active.append(spans[nxt])
            nxt += 1
        active = [s for s in active if s.end > start]
        if active:
            yield start, end, active


def _merged(start: float, end: float, *, action: str, covering: list[Span]) -> Merged:
    return Merged(
        start=start,
        end=end,
        action=action,
        categories=_unique(s.category for s in covering),
        segment_ids=tuple(sorted({s.segment_id for s in covering})),
        payload=_unique(p for s in covering if s.action == action for p in s.payload),
    )


def _join(a: Merged, b: Merged) -> Merged:
    return Merged(
        start=a.start,
        end=max(a.end, b.end),
        action=a.action,
        categories=_unique((*a.categories, *b.categories)),
        segment_ids=tuple(sorted({*a.segment_ids, *b.segment_ids})),
        payload=_unique((*a.payload, *b.payload)),
    )


def _unique(items: Iterable[T]) -> tuple[T, ...]:
    return tuple(dict.fromkeys(items))
