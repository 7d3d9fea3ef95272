"""Interval arithmetic on a film's timeline: unions, differences, and merging padded segments on one
channel where the strongest action wins.

Pure: plain numbers and tuples in, plain numbers and tuples out. Every function sorts once and
sweeps once, O(n log n) in the number of intervals (plus, for ``merge_spans``, the size of its
answer), because a report is user input: 100,000 overlapping segments must not take minutes.
``plan`` turns report segments into ``Span`` objects and the results into typed edits; ``export``
uses ``union`` and ``subtract`` for player files.
"""

from __future__ import annotations

import bisect
import itertools
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TypeVar

__all__ = ["TOUCH_SECONDS", "Merged", "Span", "merge_spans", "subtract", "union", "union_groups"]

T = TypeVar("T")
N = TypeVar("N", int, float)
TOUCH_SECONDS = 1e-6  # spans closer than this are one edit (float noise from padding arithmetic)


def union_groups(
    items: Iterable[T], *, key: Callable[[T], tuple[N, N]], join_touching: bool = True
) -> list[tuple[N, N, list[T]]]:
    """The union of the items' intervals as disjoint, sorted ``(start, end, members)``.

    ``key`` gives an item's ``(start, end)``. Overlapping intervals form one group; so do
    touching ones (one ends where the next starts) unless ``join_touching`` is false. Members
    keep the order of their starts (then ends).
    """
    keyed = sorted(((key(item), item) for item in items), key=lambda pair: pair[0])
    groups: list[tuple[N, N, list[T]]] = []
    for (start, end), item in keyed:
        if groups and (start < groups[-1][1] or (join_touching and start == groups[-1][1])):
            first, last, members = groups[-1]
            members.append(item)
            if end > last:
                groups[-1] = (first, end, members)
        else:
            groups.append((start, end, [item]))
    return groups


def union(intervals: Iterable[tuple[N, N]], *, join_touching: bool = True) -> list[tuple[N, N]]:
    """The union of ``(start, end)`` intervals, disjoint and sorted (see ``union_groups``)."""
    groups = union_groups(intervals, key=lambda i: i, join_touching=join_touching)
    return [(start, end) for start, end, _ in groups]


def subtract(intervals: Sequence[tuple[N, N]], holes: Sequence[tuple[N, N]]) -> list[tuple[N, N]]:
    """The parts of ``intervals`` outside every hole, sorted.

    Both lists sorted and disjoint (``union`` makes them so); one pass over each.
    """
    out: list[tuple[N, N]] = []
    h = 0
    for start, end in intervals:
        while h < len(holes) and holes[h][1] <= start:
            h += 1  # holes wholly before this interval are before every later one too
        k = h
        while k < len(holes) and holes[k][0] < end:
            if holes[k][0] > start:
                out.append((start, holes[k][0]))
            start = max(start, holes[k][1])
            k += 1
        if start < end:
            out.append((start, end))
    return out


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
    stretches = _stretches(live, rank)
    members = _members(live, stretches)
    return [
        _merged(start, end, action=action, covering=covering)
        for (start, end, action), covering in zip(stretches, members, strict=True)
    ]


def _stretches(live: list[Span], rank: Sequence[str]) -> list[tuple[float, float, str]]:
    """Sweep the boundaries once, counting the spans of each action that cover each stretch."""
    strength = {action: i for i, action in enumerate(rank)}
    by_end = sorted(live, key=lambda s: s.end)
    counts = [0] * len(rank)
    strongest_first = range(len(rank) - 1, -1, -1)
    out: list[tuple[float, float, str]] = []
    opened = closed = 0
    total = len(live)
    for start, end in itertools.pairwise(sorted({t for s in live for t in (s.start, s.end)})):
        while opened < total and live[opened].start <= start:
            counts[strength[live[opened].action]] += 1
            opened += 1
        while closed < total and by_end[closed].end <= start:
            counts[strength[by_end[closed].action]] -= 1
            closed += 1
        action = next((rank[i] for i in strongest_first if counts[i]), None)
        if action is None:
            continue
        if out and out[-1][2] == action and start - out[-1][1] <= TOUCH_SECONDS:
            out[-1] = (out[-1][0], end, action)
        else:
            out.append((start, end, action))
    return out


def _members(live: list[Span], stretches: list[tuple[float, float, str]]) -> list[list[Span]]:
    """The spans overlapping each stretch, in ``live`` order (stretches are sorted, disjoint)."""
    ends = [end for _, end, _ in stretches]
    members: list[list[Span]] = [[] for _ in stretches]
    for span in live:
        k = bisect.bisect_right(ends, span.start)
        while k < len(stretches) and stretches[k][0] < span.end:
            members[k].append(span)
            k += 1
    return members


def _merged(start: float, end: float, *, action: str, covering: list[Span]) -> Merged:
    return Merged(
        start=start,
        end=end,
        action=action,
        categories=_unique(s.category for s in covering),
        segment_ids=tuple(sorted({s.segment_id for s in covering})),
        payload=_unique(p for s in covering if s.action == action for p in s.payload),
    )


def _unique(items: Iterable[T]) -> tuple[T, ...]:
    return tuple(dict.fromkeys(items))
