"""Progress events the model manager emits.

They are frozen value objects handed to subscribers (``on_event=`` callbacks). The library never
draws anything; the CLI turns these into tqdm bars or log lines (``vcp.cli.progress``), and an
embedding application can do whatever it likes with them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

__all__ = [
    "BytesReceived",
    "DownloadFailed",
    "DownloadStarted",
    "DownloadEvent",
    "FallbackUsed",
    "FileReused",
    "SourceDeprecated",
    "FileCached",
    "FileVerified",
    "LockWaiting",
    "ModelFailed",
    "ModelReady",
    "Retrying",
]


@dataclass(frozen=True, slots=True)
class DownloadStarted:
    """Bytes of ``file`` are about to flow; ``resumed_from`` > 0 when a partial is continued."""

    model: str
    file: str
    total: int | None
    resumed_from: int = 0
    connections: int = 1


@dataclass(frozen=True, slots=True)
class BytesReceived:
    """``n`` more bytes of ``file`` arrived; ``received`` counts all bytes present so far."""

    model: str
    file: str
    n: int
    received: int
    total: int | None


@dataclass(frozen=True, slots=True)
class Retrying:
    """An attempt failed with a retryable cause; the next one starts after ``delay`` seconds,
    at ``at`` (UTC)."""

    model: str
    file: str
    attempt: int
    delay: float
    reason: str
    at: datetime | None = None


@dataclass(frozen=True, slots=True)
class LockWaiting:
    """Another vcp process is fetching the same file; this one waits for it to finish."""

    model: str
    file: str
    lock_path: Path
    holder: str | None


@dataclass(frozen=True, slots=True)
class FileCached:
    """``file`` was already present and valid in the cache; nothing was transferred."""

    model: str
    file: str
    path: Path
    size: int


@dataclass(frozen=True, slots=True)
class FileVerified:
    """``file`` was transferred, its size and hash checked, and moved to its final name."""

    model: str
    file: str
    path: Path
    size: int
    checksum: str  # "algorithm:hexdigest"


@dataclass(frozen=True, slots=True)
class DownloadFailed:
    """``file`` could not be fetched; ``error`` is the VcpError that the model's future raises."""

    model: str
    file: str
    error: Exception


@dataclass(frozen=True, slots=True)
class FileReused:
    """``file`` was found in another Hub cache (``origin``), verified, and linked or copied in."""

    model: str
    file: str
    path: Path
    size: int
    origin: Path


@dataclass(frozen=True, slots=True)
class FallbackUsed:
    """``model``'s source is unavailable (``reason``); ``fallback`` provides it instead."""

    model: str
    fallback: str
    reason: str


@dataclass(frozen=True, slots=True)
class SourceDeprecated:
    """``model`` is marked deprecated in the config; ``replacement`` should be used instead."""

    model: str
    replacement: str
    reason: str | None


@dataclass(frozen=True, slots=True)
class ModelReady:
    """Every file of ``model`` is verified in the cache; detectors may load it now."""

    model: str
    path: Path
    revision: str | None
    source: str | None = None  # the source that provided it, when a fallback did


@dataclass(frozen=True, slots=True)
class ModelFailed:
    """``model`` cannot be made ready; ``error`` is what ``ready(model)`` raises."""

    model: str
    error: Exception


DownloadEvent = (
    DownloadStarted
    | BytesReceived
    | Retrying
    | LockWaiting
    | FileCached
    | FileReused
    | FileVerified
    | FallbackUsed
    | SourceDeprecated
    | DownloadFailed
    | ModelReady
    | ModelFailed
)
