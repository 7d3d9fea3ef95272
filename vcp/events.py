"""Every event vcp emits, in one place: downloads, the analysis, censoring.

Each family is defined beside the code that emits it (``vcp.models.events``,
``vcp.analysis.events``, ``vcp.censor.events``); this module gathers them for an embedding
application, with the one union ``Event`` to match on and the one handler type ``EventHandler``.
A handler may be a plain function or a coroutine function (``vcp.core.event_sink``)::

    async def on_event(event: Event) -> None:
        match event:
            case AnalysisProgress(detector=name, seconds=s, total=t): ...
            case BytesReceived(): ...

    async with Analyzer(settings, models, on_event=on_event) as analyzer: ...
"""

from __future__ import annotations

from vcp.analysis.events import (
    AnalysisEvent,
    AnalysisFinished,
    AnalysisProgress,
    AnalysisStarted,
    DetectionFound,
    DetectorFinished,
    DetectorReady,
    DetectorSkipped,
    DetectorWaiting,
    MediaWarning,
    ReportReused,
    ReportWritten,
)
from vcp.censor.events import (
    CensorEvent,
    CensorFinished,
    CensorNotice,
    CensorProgress,
    CensorStarted,
)
from vcp.cluster.events import (
    ClusterEvent,
    ClusterProgress,
    ClusterReady,
    NodeClosed,
    NodeFilmFinished,
    NodeFilmRequeued,
    NodeFilmStarted,
)
from vcp.core.event_sink import EventSink, Handler
from vcp.core.outputs import OutputWritten
from vcp.models.events import (
    BytesReceived,
    DownloadEvent,
    DownloadFailed,
    DownloadStarted,
    FallbackUsed,
    FileCached,
    FileReused,
    FileVerified,
    LockWaiting,
    ModelFailed,
    ModelReady,
    Retrying,
    SourceDeprecated,
)
from vcp.watch.events import FilmDone, FilmFailed, FilmQueued, FilmStarted, WatchEvent

__all__ = [
    "AnalysisEvent",
    "AnalysisFinished",
    "AnalysisProgress",
    "AnalysisStarted",
    "BytesReceived",
    "CensorEvent",
    "CensorFinished",
    "CensorNotice",
    "CensorProgress",
    "CensorStarted",
    "DetectionFound",
    "DetectorFinished",
    "DetectorReady",
    "DetectorSkipped",
    "DetectorWaiting",
    "DownloadEvent",
    "DownloadFailed",
    "DownloadStarted",
    "Event",
    "EventHandler",
    "EventSink",
    "ClusterEvent",
    "ClusterProgress",
    "ClusterReady",
    "NodeClosed",
    "NodeFilmFinished",
    "NodeFilmRequeued",
    "NodeFilmStarted",
    "FilmDone",
    "FilmFailed",
    "FilmQueued",
    "FilmStarted",
    "WatchEvent",
    "OutputWritten",
    "FallbackUsed",
    "FileCached",
    "FileReused",
    "FileVerified",
    "Handler",
    "LockWaiting",
    "MediaWarning",
    "ModelFailed",
    "ModelReady",
    "ReportReused",
    "ReportWritten",
    "Retrying",
    "SourceDeprecated",
]

Event = DownloadEvent | AnalysisEvent | CensorEvent | OutputWritten | WatchEvent | ClusterEvent
"""Any event vcp emits (``OutputWritten``: a file that ``export`` or ``review`` wrote)."""

EventHandler = Handler[Event]
"""What ``on_event=`` takes: ``(event) -> None``, or ``async (event) -> None`` (awaited in
order)."""
