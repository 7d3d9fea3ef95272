"""From a report and the ``actions`` settings to a list of typed edits: the plan every output uses.

``plan_edits`` drops the segments a user allowed, pads the rest as configured, clamps them to the
film, and merges overlaps per channel (audio, video). An audio action covers each word of a
segment (``actions.mute: words``): segments join words closer than the merge gap for display, and
muting the whole segment would silence the innocent speech between them. ``censor`` applies the
plan to the media, ``export`` writes it as player sidecars, ``review`` shows it. Pure: no media,
no files.
"""

from __future__ import annotations

import bisect
import itertools
import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Literal, TypeVar

from vcp.actions.intervals import Merged, Span, merge_spans
from vcp.config.schema.actions import ActionsSettings, MuteScope, ResolvedActions
from vcp.report import Report, Segment

__all__ = [
    "AudioEdit",
    "audio_spans",
    "AudioEditAction",
    "Box",
    "EditPlan",
    "TimedBox",
    "VideoEdit",
    "VideoEditAction",
    "plan_edits",
]

AudioEditAction = Literal["mute", "bleep"]
VideoEditAction = Literal["skip", "blank", "blur"]
Box = tuple[int, int, int, int]  # x, y, width, height in source-video pixels, as in the report

_E = TypeVar("_E", "AudioEdit", "VideoEdit")
_AUDIO_RANK: tuple[AudioEditAction, ...] = ("bleep", "mute")  # later wins an overlap
_VIDEO_RANK: tuple[VideoEditAction, ...] = ("blur", "blank", "skip")


@dataclass(frozen=True, slots=True)
class TimedBox:
    """A detector's box and the time it was seen (a frame hit has ``start == end``)."""

    start: float
    end: float
    box: Box


@dataclass(frozen=True, slots=True)
class AudioEdit:
    """Silence (``mute``) or a tone (``bleep``) over ``[start, end)`` s of every audio track."""

    start: float
    end: float
    action: AudioEditAction
    categories: tuple[str, ...]
    segment_ids: tuple[int, ...]

    @property
    def duration(self) -> float:
        """Seconds covered."""
        return self.end - self.start


@dataclass(frozen=True, slots=True)
class VideoEdit:
    """``[start, end)`` seconds of picture removed (``skip``), black (``blank``) or blurred.

    A ``blur`` carries the boxes to hide, each with its time; ``boxes_at`` picks those for a frame.
    """

    start: float
    end: float
    action: VideoEditAction
    categories: tuple[str, ...]
    segment_ids: tuple[int, ...]
    boxes: tuple[TimedBox, ...] = ()

    @property
    def duration(self) -> float:
        """Seconds covered."""
        return self.end - self.start

    def boxes_at(self, seconds: float) -> tuple[Box, ...]:
        """The boxes to hide in a frame at ``seconds``: those seen then, else the nearest in time.

        Detectors sample frames (one a second by default), so between two samples the closest
        sample's boxes stand in. Empty when the edit has no boxes (the whole frame is blurred).
        """
        if not self.boxes:
            return ()
        gap = min(_distance(b, seconds) for b in self.boxes)
        return tuple(dict.fromkeys(b.box for b in self.boxes if _distance(b, seconds) == gap))


def _distance(box: TimedBox, seconds: float) -> float:
    return max(box.start - seconds, seconds - box.end, 0.0)


@dataclass(frozen=True, slots=True)
class EditPlan:
    """Every edit of one film, sorted by time, with the film's timeline after skips.

    ``duration`` is the source's (None when unknown: the last kept range is then open-ended).
    """

    audio: tuple[AudioEdit, ...]
    video: tuple[VideoEdit, ...]
    duration: float | None
    # Lookups run for every decoded frame of a film, so they bisect precomputed lists.
    _index: _Index = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_index", _Index.of(self.audio, self.video))

    @property
    def skips(self) -> tuple[VideoEdit, ...]:
        """The ``skip`` edits: time removed from every stream."""
        return self._index.skips

    @property
    def has_video_changes(self) -> bool:
        """True when the picture changes (so ``censor`` must re-encode the video)."""
        return bool(self.video)

    @property
    def skipped_seconds(self) -> float:
        """Total time removed by skips."""
        return sum(e.duration for e in self.skips)

    def kept_ranges(self) -> tuple[tuple[float, float], ...]:
        """The source time ranges that stay, in order: the complement of the skips."""
        end = self.duration if self.duration is not None else math.inf
        kept: list[tuple[float, float]] = []
        cursor = 0.0
        for skip in self.skips:
            if skip.start > cursor:
                kept.append((cursor, skip.start))
            cursor = max(cursor, skip.end)
        if end > cursor:
            kept.append((cursor, end))
        return tuple(kept)

    def output_time(self, seconds: float) -> float | None:
        """Where source time ``seconds`` lands in the output, or None if a skip removes it."""
        index = self._index
        i = bisect.bisect_right(index.skip_starts, seconds) - 1
        if i < 0:
            return seconds
        if seconds < index.skips[i].end:
            return None
        return seconds - index.removed_through[i]

    def output_duration(self) -> float | None:
        """The output's length: the source's minus the skipped time."""
        return None if self.duration is None else self.duration - self.skipped_seconds

    def audio_at(self, seconds: float) -> AudioEdit | None:
        """The audio edit covering source time ``seconds``, if any."""
        return _covering(self.audio, self._index.audio_starts, seconds)

    def video_at(self, seconds: float) -> VideoEdit | None:
        """The video edit covering source time ``seconds``, if any."""
        return _covering(self.video, self._index.video_starts, seconds)


def _covering(edits: tuple[_E, ...], starts: list[float], seconds: float) -> _E | None:
    i = bisect.bisect_right(starts, seconds) - 1
    return edits[i] if i >= 0 and seconds < edits[i].end else None


@dataclass(frozen=True, slots=True)
class _Index:
    """Sorted start times of the edits, and the time skipped up to the end of each skip."""

    skips: tuple[VideoEdit, ...]
    skip_starts: list[float]
    removed_through: list[float]
    audio_starts: list[float]
    video_starts: list[float]

    @classmethod
    def of(cls, audio: tuple[AudioEdit, ...], video: tuple[VideoEdit, ...]) -> _Index:
        skips = tuple(e for e in video if e.action == "skip")
        return cls(
            skips=skips,
            skip_starts=[e.start for e in skips],
            removed_through=list(itertools.accumulate(e.duration for e in skips)),
            audio_starts=[e.start for e in audio],
            video_starts=[e.start for e in video],
        )


def plan_edits(
    report: Report, actions: ActionsSettings, *, duration: float | None = None
) -> EditPlan:
    """The edits ``actions`` asks for on ``report``'s segments (``allow: true`` ones left alone).

    ``duration`` (seconds) clamps the padded segments; by default the report's input duration,
    unless that is 0 (unknown).
    """
    if duration is None and report.input.duration > 0:
        duration = report.input.duration
    audio: list[Span] = []
    video: list[Span] = []
    rules: dict[tuple[str, str], ResolvedActions] = {}  # a report has few categories, many segments
    for segment in _acted_on(report, actions):
        rule = (segment.category, segment.kind)
        if rule not in rules:
            rules[rule] = actions.resolve(segment.category, segment.kind)
        resolved = rules[rule]
        if resolved.audio != "none":
            for word_start, word_end in audio_spans(segment, actions.mute):
                start, end = _padded(word_start, word_end, resolved, duration)
                audio.append(Span(start, end, resolved.audio, segment.category, segment.id))
        if resolved.video != "none":
            start, end = _padded(segment.start, segment.end, resolved, duration)
            boxes = tuple(_boxes(segment)) if resolved.video == "blur" else ()
            video.append(Span(start, end, resolved.video, segment.category, segment.id, boxes))
    return EditPlan(
        audio=tuple(_audio_edit(m) for m in merge_spans(audio, _AUDIO_RANK)),
        video=tuple(_video_edit(m) for m in merge_spans(video, _VIDEO_RANK)),
        duration=duration,
    )


def _acted_on(report: Report, actions: ActionsSettings) -> tuple[Segment, ...]:
    segments = report.active_segments()
    if actions.uncertain == "ignore":
        return tuple(s for s in segments if not s.uncertain)
    return segments


_HULL_TOLERANCE = 0.0015  # report times are rounded to the millisecond


def audio_spans(segment: Segment, scope: MuteScope = "words") -> list[tuple[float, float]]:
    """What an audio action covers, unpadded: each detection's span, or the whole segment.

    Word times are used only when every detection has a span and together they reach from the
    segment's start to its end, as the analysis writes them (or past its end, where the analysis
    cut the segment at the end of the film): a segment a user widened by hand, to mute more, is
    taken as it stands, and so is a picture's segment (its frame hits are instants).
    """
    whole = [(segment.start, segment.end)]
    hits = segment.detections
    if scope == "segments" or not hits or any(h.end <= h.start for h in hits):
        return whole
    first, last = min(h.start for h in hits), max(h.end for h in hits)
    if first > segment.start + _HULL_TOLERANCE or last < segment.end - _HULL_TOLERANCE:
        return whole
    return [(h.start, h.end) for h in hits]


def _padded(
    start: float, end: float, resolved: ResolvedActions, duration: float | None
) -> tuple[float, float]:
    start = max(0.0, start - resolved.padding_before)
    end = end + resolved.padding_after
    if duration is not None:
        start, end = min(start, duration), min(end, duration)
    return start, end


def _boxes(segment: Segment) -> Iterator[TimedBox]:
    for hit in segment.detections:
        if hit.box is not None:
            yield TimedBox(hit.start, hit.end, hit.box)


def _audio_edit(m: Merged) -> AudioEdit:
    action: AudioEditAction = "mute" if m.action == "mute" else "bleep"
    return AudioEdit(m.start, m.end, action, m.categories, m.segment_ids)


def _video_edit(m: Merged) -> VideoEdit:
    action = _VIDEO_RANK[_VIDEO_RANK.index(m.action)]
    boxes = tuple(b for b in m.payload if isinstance(b, TimedBox))
    return VideoEdit(m.start, m.end, action, m.categories, m.segment_ids, boxes)
