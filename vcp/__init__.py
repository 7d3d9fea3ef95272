"""vcp: find the parts of a video a viewer may not want to see or hear, with local ML models.

The public surface for embedding applications::

    from vcp import Analyzer, ModelManager, Settings

    settings = Settings.load("vcp.yaml")
    async with (
        ModelManager(settings.models, on_event=print) as models,
        Analyzer(settings, models, on_event=print) as analyzer,
    ):
        report = await analyzer.analyze(Path("movie.mp4"))

``vcp.events`` holds every event class, the union ``Event`` and ``EventHandler`` (a handler may
be ``async``); docs/embedding.md has a whole application.

Every name below is imported on first use (PEP 562), so ``import vcp`` and ``vcp --version`` stay
cheap: nothing loads pydantic, aiohttp or a media library until a command needs it.
"""

import typing as _typing

from vcp.core.lazy import lazy_exports as _lazy_exports

if _typing.TYPE_CHECKING:
    from vcp.analysis.batch import FilmResult
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
    from vcp.analysis.pipeline import Analyzer, analyze
    from vcp.censor.events import (
        CensorEvent,
        CensorFinished,
        CensorNotice,
        CensorProgress,
        CensorStarted,
    )
    from vcp.censor.run import CensorResult, censor_film
    from vcp.cluster.events import (
        ClusterEvent,
        ClusterProgress,
        ClusterReady,
        NodeClosed,
        NodeFilmFinished,
        NodeFilmRequeued,
        NodeFilmStarted,
    )
    from vcp.config import ModelsSettings, Settings, load_settings
    from vcp.core.outputs import OutputWritten
    from vcp.errors import (
        AuthRequired,
        ConfigError,
        DetectorError,
        DiskSpaceError,
        DownloadError,
        EmptyOutput,
        IntegrityError,
        LockTimeout,
        MediaError,
        ModelError,
        ModelNotFound,
        ModelUnavailable,
        OutputError,
        ReportError,
        ReportMismatch,
        UnsafePathError,
        UsageError,
        VcpError,
    )
    from vcp.events import Event, EventHandler, EventSink
    from vcp.export.run import export_files
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
    from vcp.models.local import FileState, LocalFile, LocalModel, ModelStatus
    from vcp.models.manager import ModelManager
    from vcp.report import Report, load_report
    from vcp.review.run import build_review
    from vcp.watch.events import FilmDone, FilmFailed, FilmQueued, FilmStarted, WatchEvent
    from vcp.watch.service import WatchOptions, WatchService

from vcp.core.version import __version__

# public name -> the module that defines it
_EXPORTS: dict[str, str] = {
    **dict.fromkeys(["ModelsSettings", "Settings", "load_settings"], "vcp.config"),
    **dict.fromkeys(
        [
            "AuthRequired",
            "ConfigError",
            "DetectorError",
            "DiskSpaceError",
            "DownloadError",
            "EmptyOutput",
            "IntegrityError",
            "LockTimeout",
            "MediaError",
            "ModelError",
            "ModelNotFound",
            "ModelUnavailable",
            "OutputError",
            "ReportError",
            "ReportMismatch",
            "UnsafePathError",
            "UsageError",
            "VcpError",
        ],
        "vcp.errors",
    ),
    **dict.fromkeys(
        [
            "BytesReceived",
            "DownloadFailed",
            "DownloadEvent",
            "DownloadStarted",
            "FallbackUsed",
            "FileCached",
            "FileReused",
            "FileVerified",
            "LockWaiting",
            "ModelFailed",
            "ModelReady",
            "Retrying",
            "SourceDeprecated",
        ],
        "vcp.models.events",
    ),
    **dict.fromkeys(["FileState", "LocalFile", "LocalModel", "ModelStatus"], "vcp.models.local"),
    "ModelManager": "vcp.models.manager",
    **dict.fromkeys(
        [
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
        ],
        "vcp.analysis.events",
    ),
    **dict.fromkeys(["Event", "EventHandler", "EventSink"], "vcp.events"),
    **dict.fromkeys(["Analyzer", "analyze"], "vcp.analysis.pipeline"),
    "FilmResult": "vcp.analysis.batch",
    **dict.fromkeys(
        ["CensorEvent", "CensorFinished", "CensorNotice", "CensorProgress", "CensorStarted"],
        "vcp.censor.events",
    ),
    **dict.fromkeys(["Report", "load_report"], "vcp.report"),
    **dict.fromkeys(["CensorResult", "censor_film"], "vcp.censor.run"),
    "export_files": "vcp.export.run",
    "build_review": "vcp.review.run",
    "OutputWritten": "vcp.core.outputs",
    **dict.fromkeys(
        [
            "ClusterEvent",
            "ClusterProgress",
            "ClusterReady",
            "NodeClosed",
            "NodeFilmFinished",
            "NodeFilmRequeued",
            "NodeFilmStarted",
        ],
        "vcp.cluster.events",
    ),
    **dict.fromkeys(
        ["FilmDone", "FilmFailed", "FilmQueued", "FilmStarted", "WatchEvent"], "vcp.watch.events"
    ),
    **dict.fromkeys(["WatchOptions", "WatchService"], "vcp.watch.service"),
}

__all__ = [
    "AnalysisEvent",
    "AnalysisFinished",
    "AnalysisProgress",
    "AnalysisStarted",
    "Analyzer",
    "CensorEvent",
    "CensorFinished",
    "CensorNotice",
    "CensorProgress",
    "CensorStarted",
    "DownloadEvent",
    "EventSink",
    "FilmResult",
    "DetectionFound",
    "DetectorFinished",
    "DetectorReady",
    "DetectorSkipped",
    "DetectorWaiting",
    "MediaWarning",
    "Report",
    "ReportError",
    "ReportReused",
    "ReportWritten",
    "OutputError",
    "UsageError",
    "analyze",
    "load_report",
    "censor_film",
    "CensorResult",
    "export_files",
    "build_review",
    "OutputWritten",
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
    "WatchOptions",
    "WatchService",
    "EmptyOutput",
    "ReportMismatch",
    "AuthRequired",
    "BytesReceived",
    "ConfigError",
    "DetectorError",
    "DiskSpaceError",
    "DownloadError",
    "DownloadFailed",
    "DownloadStarted",
    "Event",
    "EventHandler",
    "FallbackUsed",
    "FileCached",
    "FileReused",
    "FileState",
    "FileVerified",
    "IntegrityError",
    "LocalFile",
    "LocalModel",
    "LockTimeout",
    "LockWaiting",
    "MediaError",
    "ModelError",
    "ModelFailed",
    "ModelManager",
    "ModelNotFound",
    "ModelReady",
    "ModelStatus",
    "ModelUnavailable",
    "ModelsSettings",
    "Retrying",
    "Settings",
    "SourceDeprecated",
    "UnsafePathError",
    "VcpError",
    "__version__",
    "load_settings",
]


__getattr__, __dir__ = _lazy_exports("vcp", _EXPORTS, globals())
