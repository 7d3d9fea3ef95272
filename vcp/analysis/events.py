"""Progress events of the analysis, alongside the model manager's download events.

Frozen value objects, emitted on the event loop's thread to the same ``on_event`` handlers as the
manager's; the CLI renders them (``vcp.cli.progress``), an embedding application may do anything.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from vcp.analysis.detectors.base import Detection

__all__ = [
    "AnalysisEvent",
    "AnalysisFinished",
    "AnalysisProgress",
    "AnalysisStarted",
    "DetectionFound",
    "DetectorFinished",
    "DetectorReady",
    "DetectorSkipped",
    "DetectorWaiting",
    "MediaWarning",
    "ReportReused",
    "ReportWritten",
]


@dataclass(frozen=True, slots=True)
class AnalysisStarted:
    """``input`` was probed: its duration, and the detectors that will read it."""

    input: Path
    duration: float
    detectors: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class DetectorWaiting:
    """``detector`` waits for its model to be ready (downloading, or another process has it)."""

    detector: str
    model: str


@dataclass(frozen=True, slots=True)
class DetectorReady:
    """``detector``'s model is verified and loaded; ``load_seconds`` is the load alone.
    ``model`` is None for a detector that needs no model (subtitles)."""

    detector: str
    model: str | None
    load_seconds: float


@dataclass(frozen=True, slots=True)
class DetectorSkipped:
    """``detector`` will not read ``input`` (None: any input); ``reason`` is recorded in reports."""

    input: Path | None
    detector: str
    reason: str


@dataclass(frozen=True, slots=True)
class AnalysisProgress:
    """``detector`` has read ``input`` up to ``seconds`` of ``total``."""

    input: Path
    detector: str
    seconds: float
    total: float


@dataclass(frozen=True, slots=True)
class DetectionFound:
    """A hit, the moment the detector yields it."""

    input: Path
    detection: Detection


@dataclass(frozen=True, slots=True)
class MediaWarning:
    """Part of ``input`` could not be decoded at ``seconds`` and the detector went on after it;
    or the detector could read ``input`` only up to ``seconds`` (a cut file), and ``message``
    says that the rest was not analysed."""

    input: Path
    detector: str
    seconds: float
    message: str


@dataclass(frozen=True, slots=True)
class DetectorFinished:
    """``detector`` is done with ``input`` (as far as it could be decoded: a MediaWarning said
    so before when that was short of the end)."""

    input: Path
    detector: str
    detections: int


@dataclass(frozen=True, slots=True)
class ReportWritten:
    """The report of ``input`` is at ``path``."""

    input: Path
    path: Path
    segments: int


@dataclass(frozen=True, slots=True)
class ReportReused:
    """``input``'s report at ``path`` was used again (``docs/incremental.md``): ``current`` (left
    as it was), ``rederived`` (segments derived again from its stored inference, no model
    loaded) or ``partial`` (the detectors in ``reused`` kept their stored inference, the
    others ran)."""

    input: Path
    path: Path
    outcome: Literal["current", "rederived", "partial"]
    reused: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class AnalysisFinished:
    """``input`` is done: its segments per category and flagged seconds (the report's summary)."""

    input: Path
    segments: int
    flagged_seconds: float


AnalysisEvent = (
    AnalysisStarted
    | DetectorWaiting
    | DetectorReady
    | DetectorSkipped
    | AnalysisProgress
    | DetectionFound
    | MediaWarning
    | DetectorFinished
    | ReportWritten
    | ReportReused
    | AnalysisFinished
)
