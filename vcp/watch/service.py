"""The watch service: analyse a library's films as they appear or change, until cancelled.

A thin asyncio shell over the pure ``Films`` state machine. ``run()`` starts watchfiles' watcher
first, so nothing added during the start is missed, then scans the library (a film whose report
is current is done; one that failed before keeps its retry time), then runs three kinds of task
in one task group: the watcher (file events -> ``Films.seen``/``gone``), the ticker (settling
films looked at again when their settle period ends; failed films queued when their retry time
comes) and ``jobs`` workers (each takes the next queued film and analyses it with the caller's
``Analyzer``). Cancelling ``run()`` (Ctrl-C, SIGTERM) abandons the films being analysed: the
analyzer writes a report only whole, so none is left half written, and the state file already
holds every film finished.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from anyio import to_thread
from watchfiles import Change, awatch

from vcp.core.event_sink import EventSink, Handler
from vcp.core.taskgroups import first_error
from vcp.errors import ModelError, UsageError
from vcp.watch.current import settings_key
from vcp.watch.events import FilmQueued, WatchEvent
from vcp.watch.films import Films, FilmState, RetryPolicy
from vcp.watch.library import is_film, list_films, stats_of
from vcp.watch.state import STATE_NAME, WatchState, load_state, save_state
from vcp.watch.status import StatusDocument, status_document
from vcp.watch.work import FilmWork

if TYPE_CHECKING:
    from vcp.analysis.pipeline import Analyzer

__all__ = ["DEFAULT_SETTLE_SECONDS", "WatchOptions", "WatchService"]

log = logging.getLogger(__name__)

DEFAULT_SETTLE_SECONDS = 30.0
# How long the watcher's thread waits for changes before it looks whether it is cancelled: the
# longest a stop waits for it.
_WATCH_TIMEOUT_MS = 500
_MIN_NAP = 0.01


@dataclass(frozen=True, slots=True)
class WatchOptions:
    """``sidecars``: player files written beside each film (``vcp.export.FORMATS``); ``jobs``:
    films analysed at once; ``settle_seconds``: how long a film's size and time must stay the
    same before it is analysed; ``retry``: when a failed film is tried again; ``state_file``:
    where the service remembers its films (default ``LIBRARY/.vcp-watch.json``)."""

    sidecars: tuple[str, ...] = ()
    jobs: int = 1
    settle_seconds: float = DEFAULT_SETTLE_SECONDS
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    state_file: Path | None = None


class WatchService:
    """``await WatchService(library, analyzer).run()`` watches and analyses until cancelled.

    ``analyzer`` is an open ``Analyzer`` (the caller owns it and its ModelManager); a ModelError
    stops the service and is raised (no film can be analysed without its models); any other
    error fails one film, which is tried again later. ``on_event`` (sync or async) hears the
    ``vcp.watch.events``; ``status()`` is the document the status page shows.
    """

    def __init__(
        self,
        library: Path,
        analyzer: Analyzer,
        *,
        options: WatchOptions | None = None,
        on_event: Handler[WatchEvent] | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.library = Path(library).absolute()
        self.options = options or WatchOptions()
        self.state_file = self.options.state_file or self.library / STATE_NAME
        self._analyzer = analyzer
        self._clock = clock
        self._films = Films(settle_seconds=self.options.settle_seconds, retry=self.options.retry)
        self._on_event = on_event
        self._wake = asyncio.Event()  # the ticker: a film started settling
        self._work = asyncio.Event()  # the workers: a film was queued
        self._state = WatchState()
        self._saving = asyncio.Lock()
        self._started = False

    def status(self) -> StatusDocument:
        """What every film is doing (``vcp.watch.status``)."""
        return status_document(self._films, library=self.library)

    async def run(self) -> None:
        """Scan the library, then watch and analyse until cancelled (once per service)."""
        if self._started:
            raise RuntimeError("this WatchService has run: make a new one")
        self._started = True
        if not self.library.is_dir():
            raise UsageError(
                "not a folder", where=str(self.library), hint="name the folder of your films"
            )
        self._state = await to_thread.run_sync(load_state, self.state_file)
        async with EventSink(self._on_event) as emit:
            work = FilmWork(
                self._analyzer, self.library, self._films,
                sidecars=self.options.sidecars, key=settings_key(self._analyzer.settings),
                state=self._state, save=self._save, emit=emit, clock=self._clock,
            )  # fmt: skip
            try:
                async with asyncio.TaskGroup() as group:
                    group.create_task(self._watch(), name="vcp watch: watcher")
                    await asyncio.sleep(0)  # the watcher is listening from its first step on
                    await self._scan(work)
                    group.create_task(self._tick(emit), name="vcp watch: ticker")
                    for n in range(self.options.jobs):
                        group.create_task(self._worker(work), name=f"vcp watch: worker {n}")
            except BaseExceptionGroup as group:
                raise first_error(group) from None

    # -- the library -----------------------------------------------------------------------------

    async def _scan(self, work: FilmWork) -> None:
        """Every film already there: done if its report is current, else settling (or failed,
        as it was, when it failed in an earlier run and has not changed)."""
        paths = await to_thread.run_sync(list_films, self.library)
        for path in paths:
            stat, current = await to_thread.run_sync(work.judge, path)
            if stat is None:
                continue
            failure = self._state.failures.get(work.key_of(path))
            if current:
                self._films.current(path, stat, self._clock())
            elif failure is not None and failure.stat == stat:
                self._films.failed_before(
                    path, stat, failures=failure.failures, reason=failure.reason,
                    retry_at=failure.retry_at,
                )  # fmt: skip
            else:
                self._films.seen(path, stat, self._clock())
        known = {work.key_of(p) for p in paths}
        self._state.analysed = {k: v for k, v in self._state.analysed.items() if k in known}
        self._state.failures = {k: v for k, v in self._state.failures.items() if k in known}
        await self._save()
        log.info("%s: %d films, %d done", self.library, len(paths), self._count(FilmState.DONE))
        self._wake.set()

    async def _watch(self) -> None:
        debounce = int(1000 * min(1.6, max(0.05, self.options.settle_seconds / 4)))
        changes = awatch(
            self.library, debounce=debounce, rust_timeout=_WATCH_TIMEOUT_MS,
            ignore_permission_denied=True,
        )  # fmt: skip
        async for batch in changes:
            films = {Path(p) for change, p in batch if is_film(Path(p), self.library)}
            for change, name in batch:
                path = Path(name)
                if path not in films:
                    films |= await self._folder_changed(change, path)
            await self._seen(films)

    async def _folder_changed(self, change: Change, path: Path) -> set[Path]:
        """A folder moved in (its films), or one moved away or deleted (the films it held)."""
        if change == Change.deleted:
            return {f.path for f in self._films if f.path.is_relative_to(path)}
        if change == Change.added and await to_thread.run_sync(path.is_dir):
            return set(await to_thread.run_sync(list_films, path))
        return set()

    async def _seen(self, paths: Iterable[Path]) -> None:
        stats = await to_thread.run_sync(stats_of, sorted(paths))
        now = self._clock()
        for path, stat in stats.items():
            if stat is None:
                if self._films.gone(path):
                    log.info("%s: deleted", path)
                    self._forget(path)
            elif self._films.seen(path, stat, now):
                log.debug("%s: settling (%d bytes)", path, stat.size)
        self._wake.set()

    def _forget(self, path: Path) -> None:
        key = path.relative_to(self.library).as_posix()
        self._state.analysed.pop(key, None)
        self._state.failures.pop(key, None)

    # -- the ticker and the workers --------------------------------------------------------------

    async def _tick(self, emit: Callable[[WatchEvent], None]) -> None:
        while True:
            settling = self._films.settling()
            stats = await to_thread.run_sync(stats_of, settling) if settling else {}
            now = self._clock()
            queued = self._films.tick(stats, now)
            for path in queued:
                emit(FilmQueued(path))
            if queued:
                self._work.set()
            self._wake.clear()
            wake = self._films.next_wake(now)
            nap = None if wake is None else max(_MIN_NAP, wake - now)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), nap)

    async def _worker(self, work: FilmWork) -> None:
        while True:
            film = self._films.take(self._clock())
            if film is None:
                self._work.clear()
                await self._work.wait()
                continue
            try:
                await work.run(film)
            except ModelError:
                raise
            except Exception as exc:  # one film's bug never stops the service
                log.error("%s: unexpected error", film.path, exc_info=True)
                await work.failed(film, f"{type(exc).__name__}: {exc}")

    # -- helpers ---------------------------------------------------------------------------------

    async def _save(self) -> None:
        async with self._saving:  # one writer at a time: each save has the newest state
            await to_thread.run_sync(functools.partial(save_state, self.state_file, self._state))

    def _count(self, state: FilmState) -> int:
        return sum(1 for f in self._films if f.state is state)
