"""Reports built from a few segment descriptions, for the planning tests (a plain module: every
test folder has its own conftest.py, so a shared name would be ambiguous)."""

from __future__ import annotations

from typing import Any

from vcp.report import Report


def segment(
    id: int,
    start: float,
    end: float,
    category: str = "profanity",
    kind: str = "audio",
    *,
    allow: bool = False,
    boxes: tuple[tuple[float, tuple[int, int, int, int]], ...] = (),
    words: tuple[tuple[float, float], ...] = (),
    uncertain: bool = False,
) -> dict[str, Any]:
    """One segment as it appears in a report's JSON; ``boxes`` are (time, box) frame hits,
    ``words`` (start, end) word hits."""
    detections: list[dict[str, Any]] = [
        {"detector": "nudity", "label": "X", "score": 0.9, "start": t, "end": t, "box": list(b)}
        for t, b in boxes
    ]
    detections += [
        {"detector": "profanity", "label": "X", "score": 0.9, "start": a, "end": b, "word": "fuck"}
        for a, b in words
    ]
    return {
        "id": id,
        "start": start,
        "end": end,
        "category": category,
        "kind": kind,
        "labels": ["X"],
        "confidence": 0.9,
        "allow": allow,
        "detections": detections,
        "uncertain": uncertain,
    }


def report_of(*segments: dict[str, Any], duration: float = 10.0) -> Report:
    """A valid version-1 report holding ``segments`` (see ``segment``)."""
    return Report.model_validate(
        {
            "input": {"path": "/films/a.mp4", "name": "a.mp4", "size": 1, "duration": duration},
            "summary": {"segments": len(segments), "flagged_seconds": 0, "categories": {}},
            "segments": list(segments),
            "vcp": {"version": "0.1.0", "created": "2026-12-01T00:00:00Z"},
        }
    )
