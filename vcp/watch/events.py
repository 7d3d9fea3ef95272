"""What the watch service tells its subscriber: frozen events, one per step of a film.

Times are seconds since the epoch (``time.time()``), so a retry time means the same after a
restart. The CLI renders them as log lines; an embedding application matches on the class.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

__all__ = ["FilmDone", "FilmFailed", "FilmQueued", "FilmStarted", "WatchEvent"]


@dataclass(frozen=True, slots=True)
class FilmQueued:
    """A film stopped growing (or its retry time came) and waits for its turn."""

    path: Path


@dataclass(frozen=True, slots=True)
class FilmStarted:
    """A film's analysis began."""

    path: Path


@dataclass(frozen=True, slots=True)
class FilmDone:
    """A film's report (and any player files) are written."""

    path: Path
    report: Path
    segments: int
    sidecars: tuple[Path, ...] = ()


@dataclass(frozen=True, slots=True)
class FilmFailed:
    """A film could not be analysed: why, how many times in a row, and when it is tried again
    (None: not until it changes)."""

    path: Path
    reason: str
    failures: int
    retry_at: float | None


WatchEvent = FilmQueued | FilmStarted | FilmDone | FilmFailed
