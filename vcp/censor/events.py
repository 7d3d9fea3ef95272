"""What ``censor`` reports while it runs: frozen events for the CLI (or an embedder) to draw."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from vcp.censor.streams import StreamJob

__all__ = [
    "CensorEvent",
    "CensorFinished",
    "CensorNotice",
    "CensorProgress",
    "CensorStarted",
]


@dataclass(frozen=True, slots=True)
class CensorStarted:
    """Reading began: the streams' jobs and the edits about to be applied."""

    source: Path
    output: Path
    duration: float  # seconds of source to read
    output_duration: float  # seconds the output will last (the source's minus the skips)
    streams: tuple[StreamJob, ...]
    audio_edits: int
    video_edits: int


@dataclass(frozen=True, slots=True)
class CensorNotice:
    """Something the user should know about the result (a fallback codec, a stream with nothing
    to do, a report of another film used because the caller forced it)."""

    message: str


@dataclass(frozen=True, slots=True)
class CensorProgress:
    """The source has been read up to ``seconds`` of ``total``."""

    seconds: float
    total: float


@dataclass(frozen=True, slots=True)
class CensorFinished:
    """The output is complete under its final name."""

    output: Path
    duration: float
    elapsed: float  # wall-clock seconds


CensorEvent = CensorStarted | CensorNotice | CensorProgress | CensorFinished
