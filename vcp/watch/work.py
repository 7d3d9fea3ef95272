"""One film's turn in the watch service: analyse it (or find its report current), record it,
write its player files; or record why it failed and when it is tried again."""

from __future__ import annotations

import functools
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from anyio import to_thread

from vcp.core.fingerprint import Fingerprint, fingerprint
from vcp.core.outputs import OutputGuard
from vcp.errors import MediaError, ModelError, VcpError
from vcp.export.sidecars import sidecar_path, write_sidecars
from vcp.report import default_report_path, load_report
from vcp.report.files import is_report_file
from vcp.watch.current import report_is_current
from vcp.watch.events import FilmDone, FilmFailed, FilmStarted, WatchEvent
from vcp.watch.films import FileStat, Film, Films, FilmState
from vcp.watch.library import stat_of
from vcp.watch.state import Analysed, Failure, WatchState

if TYPE_CHECKING:
    from vcp.analysis.pipeline import Analyzer
    from vcp.report import Report

__all__ = ["FilmWork"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class FilmWork:
    """What every film's turn shares, built once by the service: the analyzer, the library, the
    films' state machine and the state file's content (with ``save``), the player files wanted,
    the settings' key, the event sink and the clock."""

    analyzer: Analyzer
    library: Path
    films: Films
    state: WatchState
    sidecars: tuple[str, ...]
    key: str
    save: Callable[[], Awaitable[None]]
    emit: Callable[[WatchEvent], None]
    clock: Callable[[], float]

    def key_of(self, path: Path) -> str:
        """The film's key in the state file: its path relative to the library."""
        return path.relative_to(self.library).as_posix()

    def judge(self, path: Path) -> tuple[FileStat | None, bool]:
        """The film's size and time, and whether nothing is left to do for it (its report is
        current and every player file is there). Blocking."""
        stat = stat_of(path)
        if stat is None:
            return None, False
        report = default_report_path(path)
        return stat, self._current(path, report) and not self._missing_sidecars(path)

    async def run(self, film: Film) -> None:
        """The film's turn: analysed, or only its missing player files written when its report
        is current; a VcpError (but a ModelError, raised) fails the film."""
        path = film.path
        try:
            report = await to_thread.run_sync(default_report_path, path)
            if await to_thread.run_sync(self._current, path, report):
                await self._complete(path, report)
            else:
                await self._analyse(path, report)
        except ModelError:
            raise
        except VcpError as exc:
            await self.failed(film, exc.message)

    async def failed(self, film: Film, reason: str) -> None:
        """Record that ``film`` failed (it is retried later, or given up until it changes)."""
        after = self.films.failed(film.path, reason, self.clock())
        key = self.key_of(film.path)
        if after is None:  # deleted meanwhile
            self.state.failures.pop(key, None)
        elif after.state is FilmState.FAILED:
            log.warning("%s: %s", film.path, reason)
            self.state.failures[key] = Failure(after.stat, after.failures, reason, after.retry_at)
            self.emit(FilmFailed(film.path, reason, after.failures, after.retry_at))
        await self.save()

    async def _analyse(self, path: Path, report: Path) -> None:
        await to_thread.run_sync(_check_output, path, report)
        before = await to_thread.run_sync(_fingerprint, path)
        self.emit(FilmStarted(path))
        result = await self.analyzer.analyze(path, report_path=report)
        key = self.key_of(path)
        self.state.analysed[key] = Analysed(before, self.key)
        self.state.failures.pop(key, None)
        await self.save()  # the report is there: a restart must not analyse the film again
        written = await self._write_sidecars(result, path, self.sidecars)
        self.films.finished(path, self.clock())
        self.emit(FilmDone(path, report, len(result.segments), tuple(written)))

    async def _complete(self, path: Path, report: Path) -> None:
        """The report is current: write the player files that are missing, if any."""
        missing = await to_thread.run_sync(self._missing_sidecars, path)
        if missing:
            loaded = await to_thread.run_sync(load_report, report)
            written = await self._write_sidecars(loaded, path, missing)
            self.emit(FilmDone(path, report, len(loaded.segments), tuple(written)))
        self.films.finished(path, self.clock())
        self.state.failures.pop(self.key_of(path), None)

    async def _write_sidecars(
        self, report: Report, video: Path, formats: Sequence[str]
    ) -> list[Path]:
        if not formats:
            return []
        masker = None
        if "srt" in formats:
            from vcp.analysis.detectors.subtitles import subtitle_masker

            masker = subtitle_masker(self.analyzer.settings)
        write = functools.partial(
            write_sidecars, report, formats, actions=self.analyzer.settings.actions,
            video=video, subtitle_masker=masker,
        )  # fmt: skip
        return await to_thread.run_sync(write)

    def _current(self, path: Path, report: Path) -> bool:
        return report_is_current(path, report, settings=self.analyzer.settings)

    def _missing_sidecars(self, path: Path) -> tuple[str, ...]:
        return tuple(f for f in self.sidecars if not sidecar_path(path, f).exists())


def _check_output(film: Path, report: Path) -> None:
    """The report may replace an older vcp report, never another file (nor the film)."""
    guard = OutputGuard(
        {film: "the film being analysed"}, refreshes=is_report_file, refreshed="a vcp report"
    )
    guard.check(report)


def _fingerprint(path: Path) -> Fingerprint:
    try:
        return fingerprint(path)
    except OSError as exc:
        raise MediaError(f"cannot read the film: {exc.strerror or exc}", where=str(path)) from exc
