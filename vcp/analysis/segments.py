"""Detections to report segments: pure merging, no I/O.

Hits of one category closer than the merge gap join into one segment; categories merge
separately, so a film can hold a ``profanity`` segment inside a ``nudity`` one. A frame hit is a
point in time; it stands for the sampled stretch, so it covers ``[t, t + frame_span]``.
Certainty does not split or join segments: a segment is ``uncertain`` when every hit in it is.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from vcp.analysis.detectors.base import Detection
from vcp.core.streams import MediaKind
from vcp.report import Segment, SegmentDetection

__all__ = ["build_segments"]


@dataclass
class _Open:
    category: str
    kind: MediaKind
    start: float
    end: float
    hits: list[Detection] = field(default_factory=list)


def build_segments(
    detections: Iterable[Detection],
    *,
    kinds: Mapping[str, MediaKind],
    gap: float,
    frame_span: float,
    duration: float | None = None,
) -> tuple[Segment, ...]:
    """Merge ``detections`` into segments, numbered from 1 in time order.

    ``kinds`` maps a detector name to the stream it reads; ``gap`` is the merge gap in seconds;
    ``frame_span`` is how long one video sample stands for (the frame interval).
    """
    by_category: dict[tuple[str, MediaKind], list[Detection]] = {}
    for hit in detections:
        by_category.setdefault((hit.category, kinds[hit.detector]), []).append(hit)
    merged: list[_Open] = []
    for (category, kind), hits in by_category.items():
        merged.extend(_merge(category, kind, hits, gap=gap, frame_span=frame_span, end=duration))
    merged.sort(key=lambda s: (s.start, s.end, s.category))
    return tuple(_segment(i, s) for i, s in enumerate(merged, start=1))


def _merge(
    category: str,
    kind: MediaKind,
    hits: list[Detection],
    *,
    gap: float,
    frame_span: float,
    end: float | None,
) -> list[_Open]:
    out: list[_Open] = []
    for hit in sorted(hits, key=lambda h: (h.start, h.end)):
        start, stop = _span(hit, kind, frame_span=frame_span, end=end)
        if out and start - out[-1].end <= gap:
            out[-1].end = max(out[-1].end, stop)
            out[-1].hits.append(hit)
        else:
            out.append(_Open(category, kind, start, stop, [hit]))
    return out


def _span(
    hit: Detection, kind: MediaKind, *, frame_span: float, end: float | None
) -> tuple[float, float]:
    stop = hit.end + frame_span if kind == "video" and hit.end <= hit.start else hit.end
    if end is not None and end > hit.start:
        stop = min(stop, end)
    return hit.start, max(stop, hit.start)


def _segment(number: int, s: _Open) -> Segment:
    return Segment(
        id=number,
        start=round(s.start, 3),
        end=round(s.end, 3),
        category=s.category,
        kind=s.kind,
        labels=tuple(sorted({h.label for h in s.hits})),
        confidence=round(max(h.score for h in s.hits), 4),
        detections=tuple(_detection(h) for h in s.hits),
        uncertain=all(h.uncertain for h in s.hits),
    )


def _detection(hit: Detection) -> SegmentDetection:
    return SegmentDetection(
        detector=hit.detector,
        label=hit.label,
        score=round(min(max(hit.score, 0.0), 1.0), 4),
        start=round(hit.start, 3),
        end=round(hit.end, 3),
        box=hit.box,
        word=hit.word,
        masked=hit.masked,
        uncertain=hit.uncertain,
        source=hit.source,
    )
