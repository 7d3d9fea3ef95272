"""Subtitle hits and speech hits of the same film, combined: pure, no I/O.

A subtitle hit spans its whole cue (seconds of innocent speech around the word); a speech hit
spans the word. When speech heard a subtitle hit's word too (a speech hit of the same category
inside the cue, give or take ``slack``), the subtitle hit is moved onto the spoken word's times
and kept beside it: the segment then shows both sources, and the mute covers the word, not the
cue. When speech did not hear it, the subtitle hit keeps the cue's times, so the word is still
muted (recall from both sources), with its ``source`` saying where it was read. One speech hit
confirms one subtitle hit: a cue that says the word twice needs two.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Collection, Iterable

from vcp.analysis.detectors.base import Detection

__all__ = ["CUE_SLACK_SECONDS", "place_subtitle_hits"]

# Subtitle cues are timed by hand and often shown a little before the line is spoken or left up
# after it: a spoken word this far outside its cue is still that cue's word.
CUE_SLACK_SECONDS = 1.0


def place_subtitle_hits(
    detections: Iterable[Detection],
    *,
    subtitles: Collection[str],
    speech: Collection[str],
    slack: float = CUE_SLACK_SECONDS,
) -> list[Detection]:
    """``detections`` with each subtitle hit (from a detector named in ``subtitles``) placed on
    the times of the speech hit (a detector named in ``speech``) that heard the same word, when
    there is one. Other detections are returned unchanged, in their order."""
    out = list(detections)
    spoken = sorted(
        (i for i, d in enumerate(out) if d.detector in speech), key=lambda i: out[i].start
    )
    used: set[int] = set()
    read = [i for i, d in enumerate(out) if d.detector in subtitles]
    for i in sorted(read, key=lambda i: (out[i].start, out[i].end)):
        match = _spoken_match(out[i], [j for j in spoken if j not in used], out, slack=slack)
        if match is not None:
            used.add(match)
            heard = out[match]
            out[i] = dataclasses.replace(out[i], start=heard.start, end=heard.end)
    return out


def _spoken_match(
    cue: Detection, candidates: list[int], out: list[Detection], *, slack: float
) -> int | None:
    """The speech hit that heard ``cue``'s word: same category, inside the cue (with ``slack``),
    the same list entry first, then the nearest to the cue's start."""
    near = [
        j
        for j in candidates
        if out[j].category == cue.category
        and out[j].start < cue.end + slack
        and out[j].end > cue.start - slack
    ]
    if not near:
        return None
    return min(near, key=lambda j: (out[j].label != cue.label, abs(out[j].start - cue.start)))
