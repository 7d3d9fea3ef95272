"""Interval merging on the way from a report to every output: the sweeps agree with brute-force
references on random inputs (ties, touching and nested intervals included), and their work grows
with n log n, not n squared (counted in reads of the inputs' times, never timed)."""

from __future__ import annotations

import itertools
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

import pytest

from vcp.actions.intervals import Merged, Span, merge_spans, subtract, union, union_groups
from vcp.export.chapters import plan_chapters
from vcp.export.cues import PlayerCue
from vcp.export.edl import Edit, EdlAction, flatten

SEEDS = range(40)
AUDIO_RANK = ("bleep", "mute")
VIDEO_RANK = ("blur", "blank", "skip")


def _intervals(rng: random.Random, n: int, *, span: int = 40) -> list[tuple[int, int]]:
    """Small integers, so ties, touching ends and empty intervals are common."""
    out = []
    for _ in range(n):
        start = rng.randrange(span)
        out.append((start, start + rng.choice([0, 1, 1, 2, 3, 5, 8, 13])))
    return out


# -- union and subtract against a picture of the timeline ------------------------------------------


def _components(items: list[tuple[int, int]], *, touching: bool) -> list[tuple[int, int]]:
    """Connected groups of intervals by pairwise tests (O(n^2) union-find), as extents."""
    parent = list(range(len(items)))

    def find(i: int) -> int:
        while parent[i] != i:
            i = parent[i]
        return i

    for i, j in itertools.combinations(range(len(items)), 2):
        (a, b), (c, d) = items[i], items[j]
        if (a < d and c < b) or (touching and (a <= d and c <= b)) or (a == c and b == d):
            parent[find(i)] = find(j)
    groups: dict[int, list[tuple[int, int]]] = {}
    for i, item in enumerate(items):
        groups.setdefault(find(i), []).append(item)
    return sorted((min(s for s, _ in g), max(e for _, e in g)) for g in groups.values())


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("touching", [True, False])
def test_union_matches_pairwise_grouping(seed: int, touching: bool) -> None:
    rng = random.Random(seed)
    items = [i for i in _intervals(rng, rng.randrange(0, 60)) if i[1] > i[0]]
    assert union(items, join_touching=touching) == _components(items, touching=touching)


def test_union_groups_keep_their_members_in_start_order() -> None:
    groups = union_groups(["c:5-9", "a:0-4", "b:2-6", "d:20-21"], key=_parse)
    assert groups == [(0, 9, ["a:0-4", "b:2-6", "c:5-9"]), (20, 21, ["d:20-21"])]


def _parse(text: str) -> tuple[int, int]:
    start, end = text.split(":")[1].split("-")
    return int(start), int(end)


def _cells(intervals: Iterable[tuple[int, int]]) -> set[int]:
    return {t for start, end in intervals for t in range(start, end)}


def _runs(cells: set[int]) -> list[tuple[int, int]]:
    runs: list[tuple[int, int]] = []
    for t in sorted(cells):
        if runs and runs[-1][1] == t:
            runs[-1] = (runs[-1][0], t + 1)
        else:
            runs.append((t, t + 1))
    return runs


@pytest.mark.parametrize("seed", SEEDS)
def test_subtract_matches_the_cells_left_uncovered(seed: int) -> None:
    rng = random.Random(seed)
    intervals = union(_intervals(rng, rng.randrange(0, 40)))
    holes = union(_intervals(rng, rng.randrange(0, 40)))
    got = subtract(intervals, holes)
    # Pieces of one interval cut by holes never touch, so the cells' runs are the pieces.
    assert _cells(got) == _cells(intervals) - _cells(holes)
    assert got == _runs(_cells(got)) or _touching_pieces(got)
    assert all(start < end for start, end in got)


def _touching_pieces(pieces: list[tuple[int, int]]) -> bool:
    # Two neighbouring intervals of the input may each leave a piece ending where the next starts.
    return all(a[1] <= b[0] for a, b in itertools.pairwise(pieces))


# -- EDL flatten against the old quadratic implementation and a millisecond picture ---------------


def _reference_flatten(edits: list[Edit]) -> list[Edit]:
    """vcp 0.1's flatten: sort-and-join per action, then every mute against every skip."""

    def merge(items: Iterable[Edit]) -> list[Edit]:
        merged: list[Edit] = []
        for e in sorted(items, key=lambda e: (e.start_ms, e.end_ms)):
            if merged and e.start_ms <= merged[-1].end_ms:
                last = merged[-1]
                merged[-1] = Edit(last.start_ms, max(last.end_ms, e.end_ms), last.action)
            else:
                merged.append(e)
        return merged

    skips = merge(e for e in edits if e.action is EdlAction.SKIP)
    out: list[Edit] = []
    for mute in merge(e for e in edits if e.action is EdlAction.MUTE):
        start = mute.start_ms
        for hole in skips:
            if hole.end_ms <= start or hole.start_ms >= mute.end_ms:
                continue
            if hole.start_ms > start:
                out.append(Edit(start, hole.start_ms, mute.action))
            start = max(start, hole.end_ms)
        if start < mute.end_ms:
            out.append(Edit(start, mute.end_ms, mute.action))
    return sorted(skips + out, key=lambda e: e.start_ms)


@pytest.mark.parametrize("seed", SEEDS)
def test_edl_flatten_matches_the_reference(seed: int) -> None:
    rng = random.Random(seed)
    edits = [
        Edit(start, end, rng.choice([EdlAction.SKIP, EdlAction.MUTE]))
        for start, end in _intervals(rng, rng.randrange(0, 60))
    ]
    got = flatten(edits)
    assert got == _reference_flatten(edits)
    skipped = _cells((e.start_ms, e.end_ms) for e in edits if e.action is EdlAction.SKIP)
    muted = _cells((e.start_ms, e.end_ms) for e in edits if e.action is EdlAction.MUTE)
    assert _cells((e.start_ms, e.end_ms) for e in got if e.action is EdlAction.SKIP) == skipped
    assert _cells((e.start_ms, e.end_ms) for e in got if e.action is EdlAction.MUTE) == (
        muted - skipped
    )


# -- merge_spans against the old slice-by-slice implementation -------------------------------------


def _reference_merge_spans(spans: Iterable[Span], rank: Sequence[str]) -> list[Merged]:
    """vcp 0.1's merge: every elementary slice with the list of spans covering it."""
    live = sorted((s for s in spans if s.end > s.start), key=lambda s: (s.start, s.end))
    bounds = sorted({t for s in live for t in (s.start, s.end)})
    out: list[Merged] = []
    for start, end in itertools.pairwise(bounds):
        covering = [s for s in live if s.start <= start < s.end]
        if not covering:
            continue
        winner = max(covering, key=lambda s: rank.index(s.action)).action
        piece = Merged(
            start,
            end,
            winner,
            tuple(dict.fromkeys(s.category for s in covering)),
            tuple(sorted({s.segment_id for s in covering})),
            tuple(dict.fromkeys(p for s in covering if s.action == winner for p in s.payload)),
        )
        if out and out[-1].action == winner and start - out[-1].end <= 1e-6:
            last = out.pop()
            piece = Merged(
                last.start,
                max(last.end, end),
                winner,
                tuple(dict.fromkeys((*last.categories, *piece.categories))),
                tuple(sorted({*last.segment_ids, *piece.segment_ids})),
                tuple(dict.fromkeys((*last.payload, *piece.payload))),
            )
        out.append(piece)
    return out


def _spans(rng: random.Random, n: int, rank: Sequence[str]) -> list[Span]:
    spans = []
    for i, (start, end) in enumerate(_intervals(rng, n)):
        jitter = rng.choice([0.0, 0.0, 0.0, 5e-7, 0.5])  # touching within float noise, or not
        spans.append(
            Span(
                start + jitter,
                end,
                rng.choice(rank),
                rng.choice(["profanity", "slurs", "nudity", "gore"]),
                i + 1,
                payload=tuple(rng.sample(range(6), rng.randrange(3))),
            )
        )
    return spans


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("rank", [AUDIO_RANK, VIDEO_RANK, ("skip",)], ids=["audio", "video", "one"])
def test_merge_spans_matches_the_reference(seed: int, rank: Sequence[str]) -> None:
    rng = random.Random(seed)
    spans = _spans(rng, rng.randrange(0, 50), rank)
    assert merge_spans(spans, rank) == _reference_merge_spans(spans, rank)


# -- chapters against the old implementation -------------------------------------------------------


@pytest.mark.parametrize("seed", SEEDS)
def test_chapters_cover_the_film_and_join_only_overlapping_cues(seed: int) -> None:
    rng = random.Random(seed)
    duration = 45
    cues = [
        PlayerCue(i, start, max(end, start + 1), rng.choice(["a", "b", "c"]), "audio")
        for i, (start, end) in enumerate(_intervals(rng, rng.randrange(0, 40), span=50))
    ]
    chapters = plan_chapters(cues, duration_ms=duration)
    assert chapters[0].start_ms == 0 and chapters[-1].end_ms >= duration
    assert all(a.end_ms == b.start_ms for a, b in itertools.pairwise(chapters))
    flagged = [(c.start_ms, c.end_ms) for c in chapters if c.title != "Film"]
    clamped = [(min(c.start_ms, duration), min(c.end_ms, duration)) for c in cues]
    assert flagged == union([c for c in clamped if c[1] > c[0]], join_touching=False)
    for chapter in chapters:
        inside = {
            c.category
            for c in cues
            if min(c.start_ms, duration) < chapter.end_ms and c.end_ms > chapter.start_ms
        }
        assert set(chapter.title.split(" + ")) == (inside or {"Film"})


def test_a_chapter_of_many_categories_names_four_and_counts_the_rest() -> None:
    cues = [PlayerCue(i, 1000, 2000 + i, f"category {i}", "audio") for i in range(5000)]
    flagged = [c for c in plan_chapters(cues, duration_ms=10_000) if c.title != "Film"]
    assert [c.title for c in flagged] == [
        "category 0 + category 1 + category 2 + category 3 + 4996 more"
    ]


# -- the work grows with n log n -------------------------------------------------------------------


class _Reads:
    """Counts reads of ``start``/``end``-like fields of the instances of a subclass."""

    count: ClassVar[int] = 0
    fields: ClassVar[frozenset[str]] = frozenset()

    def __getattribute__(self, name: str) -> Any:
        if name in type(self).fields:
            _Reads.count += 1
        return object.__getattribute__(self, name)


@dataclass(frozen=True)
class _CountedSpan(_Reads, Span):
    fields: ClassVar[frozenset[str]] = frozenset({"start", "end"})


@dataclass(frozen=True)
class _CountedEdit(_Reads, Edit):
    fields: ClassVar[frozenset[str]] = frozenset({"start_ms", "end_ms"})


def _reads_per_item(make: Any, n: int) -> float:
    _Reads.count = 0
    make(n)
    return _Reads.count / n


def _overlapping_spans(n: int) -> list[Span]:
    rng = random.Random(n)
    out: list[Span] = []
    for i in range(n):
        start = rng.uniform(0, 14)
        out.append(_CountedSpan(start, start + rng.uniform(0.05, 2), "mute", "profanity", i + 1))
    return out


def _interleaved_edits(n: int) -> list[Edit]:
    """Skips and mutes taking turns, shuffled: every mute must be cut against the skips."""
    out: list[Edit] = [
        _CountedEdit(10 * i, 10 * i + 5, EdlAction.SKIP if i % 2 else EdlAction.MUTE)
        for i in range(n)
    ]
    random.Random(n).shuffle(out)
    return out


@pytest.mark.parametrize(
    ("merge", "make"),
    [
        (lambda items: merge_spans(items, AUDIO_RANK), _overlapping_spans),
        (flatten, _interleaved_edits),
    ],
    ids=["merge_spans", "edl_flatten"],
)
def test_merging_reads_each_time_a_bounded_number_of_times(merge: Any, make: Any) -> None:
    # 4000 spans inside 14 s overlapping hundreds deep, or 4000 edits where each mute meets every
    # skip: a quadratic sweep reads each item's times hundreds of times, a sort and a sweep a few
    # dozen (log n for the sorts).
    small, large = make(250), make(4000)
    per_small = _reads_per_item(lambda n: merge(small), len(small))
    per_large = _reads_per_item(lambda n: merge(large), len(large))
    assert per_large < 60
    assert per_large < 2 * per_small
