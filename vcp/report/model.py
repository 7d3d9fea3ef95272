"""The report: what ``vcp analyze`` found in one video, as frozen pydantic models.

The JSON is the interface between the analysis and everything that uses its results (``export``,
``censor``, ``review``), so this package imports nothing of the analysis. Users edit reports (set
``allow: true`` on a segment), so loading validates every field and names the bad one.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, computed_field, model_validator

from vcp.core.streams import MediaKind
from vcp.report.inference import Inference
from vcp.report.timecode import format_time

__all__ = [
    "FORMAT_NAME",
    "READABLE_VERSIONS",
    "REPORT_VERSION",
    "CategorySummary",
    "DetectorEntry",
    "InputInfo",
    "ModelEntry",
    "Report",
    "Segment",
    "SegmentDetection",
    "Summary",
    "ToolInfo",
]

FORMAT_NAME: Literal["vcp-report"] = "vcp-report"
REPORT_VERSION = 2
# Version 1 reports (no stored inference) still load: their film is simply analysed again.
READABLE_VERSIONS = (1, REPORT_VERSION)


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class SegmentDetection(_Frozen):
    """One hit behind a segment: a label in a frame (``box``) or a word in the audio (``word``)."""

    detector: str
    label: str
    score: float | None = Field(None, ge=0, le=1)  # None when output.include_confidence is off
    start: float = Field(ge=0)
    end: float = Field(ge=0)
    box: tuple[int, int, int, int] | None = None
    word: str | None = None
    masked: str | None = None
    # The detector heard (or saw) it but below its threshold: kept and acted on, flagged for a look.
    uncertain: bool = False
    source: str | None = None  # where a word was read, not heard: "subtitle stream 2", "a.srt"


class Segment(_Frozen):
    """A stretch of the film with one category, made of hits closer than the merge gap.

    ``uncertain`` is stored, not derived, so the JSON says it to every reader; the analysis sets
    it when every detection in the segment is uncertain. Reports written before the field load
    with it false.
    """

    id: int = Field(ge=1)
    start: float = Field(ge=0)
    end: float = Field(ge=0)
    category: str
    kind: MediaKind
    labels: tuple[str, ...]
    confidence: float | None = Field(None, ge=0, le=1)  # None when include_confidence is off
    allow: bool = False
    detections: tuple[SegmentDetection, ...] = ()
    thumbnail: str | None = None
    uncertain: bool = False  # every detection in it is uncertain: worth a look before trusting it

    @computed_field  # type: ignore[prop-decorator]
    @property
    def start_time(self) -> str:
        """``start`` as ``HH:MM:SS.mmm``."""
        return format_time(self.start)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def end_time(self) -> str:
        """``end`` as ``HH:MM:SS.mmm``."""
        return format_time(self.end)

    @property
    def duration(self) -> float:
        """Seconds covered."""
        return self.end - self.start

    @model_validator(mode="before")
    @classmethod
    def _drop_derived(cls, data: Any) -> Any:
        # start_time/end_time are written for people; the seconds are the truth when read back.
        if isinstance(data, dict):
            return {k: v for k, v in data.items() if k not in ("start_time", "end_time")}
        return data

    @model_validator(mode="after")
    def _ordered(self) -> Segment:
        if self.end < self.start:
            raise ValueError(f"segment {self.id} ends ({self.end}) before it starts ({self.start})")
        return self


class CategorySummary(_Frozen):
    """Segments and flagged seconds of one category."""

    segments: int
    seconds: float


class Summary(_Frozen):
    """Totals over all segments, and per category."""

    segments: int
    flagged_seconds: float
    categories: dict[str, CategorySummary]

    @classmethod
    def of(cls, segments: tuple[Segment, ...] | list[Segment]) -> Summary:
        """The summary of ``segments`` (overlaps between categories count in each)."""
        per: dict[str, list[float]] = {}
        for segment in segments:
            per.setdefault(segment.category, []).append(segment.duration)
        categories = {
            name: CategorySummary(segments=len(d), seconds=round(sum(d), 3))
            for name, d in sorted(per.items())
        }
        return cls(
            segments=len(segments),
            flagged_seconds=round(_union_length(segments), 3),
            categories=categories,
        )


def _union_length(segments: tuple[Segment, ...] | list[Segment]) -> float:
    total, end = 0.0, float("-inf")
    for segment in sorted(segments, key=lambda s: s.start):
        start = max(segment.start, end)
        if segment.end > start:
            total += segment.end - start
        end = max(end, segment.end)
    return total


class InputInfo(_Frozen):
    """The analysed file: where it was, its size and duration, and its streams."""

    path: str
    name: str
    size: int = Field(ge=0)
    duration: float = Field(ge=0)
    streams: tuple[dict[str, Any], ...] = ()


class ModelEntry(_Frozen):
    """A model a detector used: where it came from and the hashes of its files."""

    name: str
    source: Literal["hf", "url"]
    repo: str | None = None
    url: str | None = None
    revision: str | None = None
    files: dict[str, str] = Field(default_factory=dict)


class DetectorEntry(_Frozen):
    """A configured detector, whether it ran, and how much of the film it read:
    ``analysed_seconds`` equals the input's duration when it read its stream to the end, is
    less when the rest could not be decoded (a cut or damaged file), and is None when it did
    not run or the report predates the field."""

    name: str
    type: str
    model: str | None = None  # None: the detector needs no model (subtitles)
    status: Literal["ran", "skipped", "failed"]
    reason: str | None = None
    analysed_seconds: float | None = Field(None, ge=0)


class ToolInfo(_Frozen):
    """Which vcp wrote the report, with which configuration, when."""

    version: str
    config: str | None = None
    created: str


class Report(_Frozen):
    """A whole report (``format: vcp-report``, ``version: 2``); ``inference`` is what the
    detectors produced before any rule (``vcp.report.inference``), None in a version 1 report."""

    format: Literal["vcp-report"] = "vcp-report"
    version: int = REPORT_VERSION
    input: InputInfo
    summary: Summary
    segments: tuple[Segment, ...] = ()
    models: tuple[ModelEntry, ...] = ()
    detectors: tuple[DetectorEntry, ...] = ()
    vcp: ToolInfo
    warnings: tuple[str, ...] = ()
    inference: Inference | None = None

    def without_scores(self) -> Report:
        """The report with every confidence and score left out (``output.include_confidence``)."""
        segments = tuple(
            s.model_copy(
                update={
                    "confidence": None,
                    "detections": tuple(d.model_copy(update={"score": None}) for d in s.detections),
                }
            )
            for s in self.segments
        )
        return self.model_copy(update={"segments": segments})

    def active_segments(self) -> tuple[Segment, ...]:
        """The segments outputs act on: every one the user has not allowed."""
        return tuple(s for s in self.segments if not s.allow)
