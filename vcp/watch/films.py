"""The films of a watched library and what happens to each: pure, no files, no event loop.

A film moves through these states::

    seen -> SETTLING --(size and time unchanged for the settle period)--> QUEUED -> RUNNING
                ^                                                                   |
                |  changed (a new copy, a re-encode)            DONE <----- ok -----+
                +------------------ any state ------------------ FAILED <-- error --+
                                                                   |
                                          retry_at reached -> QUEUED (1 min, 5 min, 30 min,
                                          then given up until the film changes)

A film deleted is forgotten (one being analysed, once its run ends). A film changed while it is
analysed settles again once the run ends: the report just written describes the old file.
The shell (``vcp.watch.service``) stats files and feeds the answers in, with the time.
"""

from __future__ import annotations

import dataclasses
import enum
import itertools
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

__all__ = ["FileStat", "Film", "FilmState", "Films", "RetryPolicy"]

DEFAULT_RETRY_DELAYS = (60.0, 300.0, 1800.0)


class FilmState(enum.Enum):
    SETTLING = "settling"
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


@dataclass(frozen=True, slots=True)
class FileStat:
    """What tells a growing file from a settled one: its size and modification time."""

    size: int
    mtime_ns: int


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How long a failed film waits before its next attempt: ``delays[n-1]`` after the n-th
    failure; after more failures than delays it is given up until it changes."""

    delays: tuple[float, ...] = DEFAULT_RETRY_DELAYS

    def retry_at(self, failures: int, now: float) -> float | None:
        if failures <= len(self.delays):
            return now + self.delays[failures - 1]
        return None


@dataclass
class Film:
    """One film of the library. ``since``: when it entered its state (for a settling film, when
    its size or time last changed). ``failures``, ``reason`` and ``retry_at`` describe the last
    failures; ``changed``/``removed`` note what happened to a running film."""

    path: Path
    stat: FileStat
    state: FilmState
    since: float
    failures: int = 0
    reason: str | None = None
    retry_at: float | None = None
    changed: bool = False
    removed: bool = False
    order: int = 0  # queue position: first queued, first analysed


class Films:
    """The state machine of every film the service knows (see the module docstring)."""

    def __init__(self, *, settle_seconds: float, retry: RetryPolicy | None = None) -> None:
        self.settle_seconds = settle_seconds
        self.retry = retry or RetryPolicy()
        self._films: dict[Path, Film] = {}
        self._counter = itertools.count()

    def __iter__(self) -> Iterator[Film]:
        """Copies of every film, so a reader cannot change the state."""
        return iter([dataclasses.replace(f) for f in self._films.values()])

    def __len__(self) -> int:
        return len(self._films)

    def get(self, path: Path) -> Film | None:
        film = self._films.get(path)
        return None if film is None else dataclasses.replace(film)

    # -- what the file system says -------------------------------------------------------------

    def seen(self, path: Path, stat: FileStat, now: float) -> bool:
        """A film appeared or was written to; True if it (re)starts settling."""
        film = self._films.get(path)
        if film is None:
            self._films[path] = Film(path, stat, FilmState.SETTLING, now)
            return True
        if film.stat == stat:
            return False
        if film.state is FilmState.RUNNING:
            film.changed = True
            return False
        self._films[path] = Film(path, stat, FilmState.SETTLING, now)
        return True

    def gone(self, path: Path) -> bool:
        """A film was deleted; True if it was known."""
        film = self._films.get(path)
        if film is None:
            return False
        if film.state is FilmState.RUNNING:
            film.removed = True
        else:
            del self._films[path]
        return True

    def current(self, path: Path, stat: FileStat, now: float) -> None:
        """A film whose report is current (found so by a scan): done, nothing to do."""
        self._films[path] = Film(path, stat, FilmState.DONE, now)

    def failed_before(
        self, path: Path, stat: FileStat, *, failures: int, reason: str, retry_at: float | None
    ) -> None:
        """A film that failed in an earlier run of the service and has not changed since."""
        self._films[path] = Film(
            path, stat, FilmState.FAILED, 0.0, failures=failures, reason=reason, retry_at=retry_at
        )

    def settling(self) -> list[Path]:
        """The films whose size and time must be looked at again."""
        return [f.path for f in self._films.values() if f.state is FilmState.SETTLING]

    def tick(self, stats: Mapping[Path, FileStat | None], now: float) -> list[Path]:
        """Settling films with their new ``stats`` (None: gone), and failed films whose retry time
        came; returns the films queued by this tick, in order."""
        queued = []
        for film in list(self._films.values()):
            if film.state is FilmState.SETTLING and film.path in stats:
                stat = stats[film.path]
                if stat is None:
                    del self._films[film.path]
                elif stat != film.stat:
                    film.stat, film.since = stat, now
                elif now - film.since >= self.settle_seconds:
                    queued.append(self._queue(film, now))
            elif film.state is FilmState.FAILED and _due(film.retry_at, now):
                queued.append(self._queue(film, now))
        return queued

    def next_wake(self, now: float) -> float | None:
        """When ``tick`` may next have something to do: None if nothing is settling or waiting."""
        times = [
            f.since + self.settle_seconds if f.state is FilmState.SETTLING else f.retry_at
            for f in self._films.values()
            if f.state is FilmState.SETTLING
            or (f.state is FilmState.FAILED and f.retry_at is not None)
        ]
        return min((t for t in times if t is not None), default=None)

    # -- the work ------------------------------------------------------------------------------

    def take(self, now: float) -> Film | None:
        """The next queued film, now running (a copy), or None."""
        queued = [f for f in self._films.values() if f.state is FilmState.QUEUED]
        if not queued:
            return None
        film = min(queued, key=lambda f: f.order)
        film.state, film.since, film.changed = FilmState.RUNNING, now, False
        return dataclasses.replace(film)

    def finished(self, path: Path, now: float) -> FilmState | None:
        """A running film's report is written (or was current); its new state, None if it was
        deleted meanwhile."""
        film = self._after_run(path, now)
        if film is None or film.state is FilmState.SETTLING:
            return None if film is None else film.state
        film.state, film.since = FilmState.DONE, now
        film.failures, film.reason, film.retry_at = 0, None, None
        return film.state

    def failed(self, path: Path, reason: str, now: float) -> Film | None:
        """A running film failed; the film (a copy) with its retry time, None if it was deleted
        meanwhile. A film changed meanwhile settles again instead."""
        film = self._after_run(path, now)
        if film is None or film.state is FilmState.SETTLING:
            return None if film is None else dataclasses.replace(film)
        film.failures += 1
        film.state, film.since, film.reason = FilmState.FAILED, now, reason
        film.retry_at = self.retry.retry_at(film.failures, now)
        return dataclasses.replace(film)

    def _after_run(self, path: Path, now: float) -> Film | None:
        film = self._films[path]
        if film.state is not FilmState.RUNNING:
            raise ValueError(f"{path} is {film.state.value}, not running")
        if film.removed:
            del self._films[path]
            return None
        if film.changed:
            film.state, film.since, film.changed = FilmState.SETTLING, now, False
        return film

    def _queue(self, film: Film, now: float) -> Path:
        film.state, film.since, film.order = FilmState.QUEUED, now, next(self._counter)
        return film.path


def _due(when: float | None, now: float) -> bool:
    return when is not None and when <= now
