"""The analysis runner: each detector starts on a video the moment its model is ready.

``Analyzer`` is an async context manager holding one run's loaded detectors (a detector loads
once, lazily, when its model is verified, and is shared by every input); it releases their ONNX
and whisper sessions on exit. ``analyze_many`` (``vcp.analysis.batch``) runs several films at
once. For one input, every enabled detector is a task of one
task group: it awaits ``models.ready(its model)``, loads (in a worker thread), then reads the media
itself, stepped one ``next()`` at a time in a worker thread so the event loop keeps downloading
and drawing progress and a cancellation lands between two steps. A detector whose model arrives
later reads the file from the start: no sample is skipped and nothing is buffered for it. A
detector whose config names no model (subtitles) loads at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import enum
import functools
import logging
import time
from collections.abc import AsyncIterator, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Literal

from anyio import to_thread

from vcp.analysis.detectors import (
    DecodeProblem,
    Detection,
    Detector,
    Progress,
    Step,
    detector_class,
)
from vcp.analysis.detectors.observed import CuesRead, FrameSeen, WindowHeard
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
from vcp.analysis.freshness import Current, Rederivable, Stale, Status, report_status
from vcp.analysis.rederive import models_of, rederive
from vcp.analysis.reporting import FilmRun, build_report, detector_record, film_length
from vcp.core.event_sink import EventSink, Handler
from vcp.core.taskgroups import first_error
from vcp.core.threads import run_abandonable, stop_requested
from vcp.errors import DetectorError, MediaError, ModelError, VcpError
from vcp.report import (
    DetectorEntry,
    DetectorInference,
    FilmFingerprint,
    Report,
    write_report,
)

if TYPE_CHECKING:
    from vcp.analysis.batch import FilmResult
    from vcp.config.schema import DetectorSettings
    from vcp.config.settings import Settings
    from vcp.models.events import DownloadEvent
    from vcp.models.local import LocalModel
    from vcp.models.manager import ModelManager

__all__ = ["Analyzer", "analyze"]

log = logging.getLogger(__name__)
_MAX_MEDIA_WARNINGS = 20  # per detector and input; a badly damaged film would repeat itself
# A detector that read its stream to within this of the declared end read all of it (streams
# end a frame or a codec's padding apart from the container's duration).
_COVERAGE_SLACK_SECONDS = 1.0
_COVERAGE_SLACK_SHARE = 0.01
_QUIET_WAIT_SECONDS = 0.5  # a model ready within this needs no "waiting for" line


class _State(enum.Enum):
    UNOPENED = "not open yet"
    OPEN = "open"
    CLOSED = "closed"


@dataclass
class _Loaded:
    """A detector's outcome for the run: loaded, or skipped (optional and its model failed)."""

    detector: Detector | None
    model: LocalModel | None
    reason: str | None = None


@dataclass
class _Scan:
    """What one detector's scan of one input came to: hits, decode notices, how far it read."""

    detector: str
    found: int = 0
    notices: int = 0
    reached: float = 0.0  # the furthest Progress: the scan's last one is how far it decoded


class Analyzer:
    """Analyse videos with one configuration's enabled detectors, sharing the loaded models.

    ``async with Analyzer(settings, models, on_event=...) as analyzer:`` then ``await
    analyzer.analyze(path)`` or ``async for result in analyzer.analyze_many(paths, jobs=2)``.
    ``models`` is an open ModelManager (the caller owns it). ``on_event`` (sync or async, see
    ``vcp.events``) receives the analysis events on the event loop's thread. Each detector loads
    once, when its model is ready; leaving the ``async with`` releases every loaded model, and
    the analyzer cannot be used again.
    """

    def __init__(
        self,
        settings: Settings,
        models: ModelManager,
        *,
        on_event: Handler[AnalysisEvent] | None = None,
        force: bool = False,
    ) -> None:
        from vcp.config.loader import require_detectors

        require_detectors(settings)  # an empty report would read as a clean film
        self.settings = settings
        self.force = force
        self.models = models
        self._sink: EventSink[AnalysisEvent] = EventSink(on_event)
        self._state = _State.UNOPENED
        self._detectors = tuple(d for d in settings.detectors if d.enabled)
        self._locks = {d.name: asyncio.Lock() for d in self._detectors}
        self._loaded: dict[str, _Loaded] = {}

    async def __aenter__(self) -> Analyzer:
        if self._state is not _State.UNOPENED:
            raise RuntimeError(f"this Analyzer is {self._state.value}: an Analyzer opens once")
        await self._sink.__aenter__()
        self._state = _State.OPEN
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._state = _State.CLOSED
        try:
            await self._sink.__aexit__(exc_type, exc, tb)
        finally:
            self._release()

    @property
    def model_names(self) -> tuple[str, ...]:
        """The models the enabled detectors need, in config order."""
        return tuple(dict.fromkeys(d.model for d in self._detectors if d.model is not None))

    @property
    def detectors(self) -> Mapping[str, Detector]:
        """The detectors loaded so far, by name (none once the analyzer is closed)."""
        return {n: found.detector for n, found in self._loaded.items() if found.detector}

    async def analyze(self, path: Path, *, report_path: Path | None = None) -> Report:
        """Analyse one video; write its report to ``report_path`` (atomically) when given.

        An existing report at ``report_path`` is used again unless the analyzer was opened with
        ``force=True`` (``vcp.analysis.freshness``): left as it is when current, its segments
        derived again without a model when only word lists, thresholds and the like changed,
        and only the detectors whose inference is stale run."""
        report, _ = await self.analyze_film(path, report_path=report_path)
        return report

    async def models_needed(self, report_paths: Mapping[Path, Path]) -> tuple[str, ...]:
        """The models that analysing these films (film -> report path) will load: none for a
        film whose report is current or only needs its segments derived again, the models of
        its stale detectors otherwise (all of them without a usable report)."""
        self._require_open()
        stale: set[str] = set()
        for film, report_path in report_paths.items():
            status = await self._status(Path(film), report_path)
            if isinstance(status, Stale):
                every = {d.name for d in self._detectors}
                stale |= set(status.rerun) if status.report is not None else every
        return tuple(dict.fromkeys(d.model for d in self._detectors if d.name in stale and d.model))

    async def analyze_film(
        self, path: Path, *, report_path: Path | None = None
    ) -> tuple[Report, Literal["analysed", "rederived", "current"]]:
        """``analyze``, also saying what it took: ``analysed`` (some detector ran),
        ``rederived`` (no model: segments derived again) or ``current`` (nothing to do)."""
        self._require_open()
        path = Path(path)
        status = await self._status(path, report_path)
        if isinstance(status, Current | Rederivable) and report_path is not None:
            return await self._reuse(status, path, report_path)
        report = await self._infer(path, report_path, status)
        return report, "analysed"

    async def _status(self, path: Path, report_path: Path | None) -> Status:
        if report_path is None or self.force:
            return Stale("a full analysis was asked for")
        check = functools.partial(report_status, report_path, path, self.settings)
        return await to_thread.run_sync(check)

    async def _reuse(
        self, status: Current | Rederivable, path: Path, report_path: Path
    ) -> tuple[Report, Literal["rederived", "current"]]:
        names = tuple(d.name for d in self._detectors)
        if isinstance(status, Current):
            self._emit(ReportReused(path, report_path, "current", names))
            return status.report, "current"
        report = await to_thread.run_sync(_rederived, status.report, self.settings, path)
        await self._write(report, path, report_path)
        self._emit(ReportReused(path, report_path, "rederived", names))
        return report, "rederived"

    async def _infer(self, path: Path, report_path: Path | None, status: Status) -> Report:
        from vcp.media.probe import probe

        media = await to_thread.run_sync(probe, path)
        film = await to_thread.run_sync(_fingerprint, path)
        reuse = _reusable(status, self._detectors)
        run = FilmRun(media, film, records=dict(reuse))
        todo = [d for d in self._detectors if d.name not in reuse]
        self._emit(AnalysisStarted(path, media.duration, tuple(d.name for d in todo)))
        if reuse and report_path is not None:
            self._emit(ReportReused(path, report_path, "partial", tuple(reuse)))
        for model in dict.fromkeys(d.model for d in todo if d.model is not None):
            self.models.ready(model)  # every download starts now, not when its turn comes
        try:
            async with asyncio.TaskGroup() as group:
                for config in todo:
                    group.create_task(self._run_detector(config, run, path))
        except BaseExceptionGroup as group:
            raise first_error(group) from None
        old = status.report if isinstance(status, Stale) and reuse else None
        ran = [d.name for d in todo]
        report = await self._finish(run, path, report_path, ran=ran, old=old)
        self._emit(AnalysisFinished(path, report.summary.segments, report.summary.flagged_seconds))
        return report

    def analyze_many(
        self,
        paths: Iterable[Path],
        *,
        jobs: int = 1,
        report_paths: Mapping[Path, Path] | None = None,
    ) -> AsyncIterator[FilmResult]:
        """Analyse ``paths``, up to ``jobs`` at once, and yield a ``FilmResult`` for each film as
        it finishes: its report, or the VcpError that failed it (the others go on). A ModelError
        stops every film and is raised: every film needs the model. ``report_paths`` maps a film
        to the file its report is written to."""
        from vcp.analysis.batch import analyze_films

        self._require_open()
        return analyze_films(self, paths, jobs=jobs, report_paths=report_paths or {})

    def _require_open(self) -> None:
        if self._state is _State.UNOPENED:
            raise RuntimeError("open the Analyzer first: `async with Analyzer(...) as analyzer`")
        if self._state is _State.CLOSED:
            raise RuntimeError("this Analyzer is closed: its models were released; open a new one")

    def _emit(self, event: AnalysisEvent) -> None:
        self._sink(event)

    def _release(self) -> None:
        """Close every loaded detector (their sessions go with them) and forget them."""
        loaded, self._loaded = self._loaded, {}
        for found in loaded.values():
            if found.detector is not None:
                found.detector.close()

    async def _finish(
        self,
        run: FilmRun,
        path: Path,
        report_path: Path | None,
        *,
        ran: Sequence[str],
        old: Report | None,
    ) -> Report:
        loaded = [self._loaded[n] for n in ran if n in self._loaded]
        reused = [n for n in run.records if n not in ran]
        build = functools.partial(
            build_report,
            run,
            settings=self.settings,
            models=[found.model for found in loaded if found.model is not None],
            reused=models_of(old, self.settings, keep=reused) if old is not None else (),
            duration=await film_length(run),
        )
        report = await to_thread.run_sync(build)
        if report_path is not None:
            await self._write(report, path, report_path)
        return report

    async def _write(self, report: Report, path: Path, report_path: Path) -> None:
        write = functools.partial(
            write_report, report, report_path, pretty=self.settings.output.pretty
        )
        await to_thread.run_sync(write)
        self._emit(ReportWritten(path, report_path, len(report.segments)))

    # -- one detector on one input ---------------------------------------------------------------

    async def _run_detector(self, config: DetectorSettings, run: FilmRun, path: Path) -> None:
        loaded = await self._load(config)
        entry = functools.partial(
            DetectorEntry, name=config.name, type=config.type, model=config.model
        )
        if loaded.detector is None:  # no record: the next run tries its model again
            run.entries[config.name] = entry(status="skipped", reason=loaded.reason)
            run.warn(config.name, f"skipped: {loaded.reason}")
            return
        stream = loaded.detector.stream
        if getattr(run.media, stream) is None:
            reason = f"{path.name} has no {stream} stream"
            run.warn(config.name, f"skipped: {reason}")
            self._record(config, run, entry(status="skipped", reason=reason))
            self._emit(DetectorSkipped(path, config.name, reason))
            return
        run.observed[config.name] = []
        scan = await self._scan(loaded.detector, run, path)
        analysed = self._coverage(run, scan, path=path, stream=stream)
        self._record(config, run, entry(status="ran", analysed_seconds=analysed))
        self._emit(DetectorFinished(path, config.name, scan.found))

    def _record(self, config: DetectorSettings, run: FilmRun, entry: DetectorEntry) -> None:
        run.records[config.name] = detector_record(config, run, settings=self.settings, entry=entry)

    def _coverage(self, run: FilmRun, scan: _Scan, *, path: Path, stream: str) -> float:
        """The report's ``analysed_seconds``: the film's duration when the detector read its
        stream to the end, else how far it got, with a warning that the rest was not analysed.
        The end is the stream's own when the file declares it (a video may stop before its
        sound), else the film's."""
        media = run.media
        info = getattr(media, stream)
        expected = min(info.duration or media.duration, media.duration)
        slack = max(_COVERAGE_SLACK_SECONDS, _COVERAGE_SLACK_SHARE * expected)
        if scan.reached >= expected - slack:
            return round(media.duration, 3)
        message = (
            f"only {scan.reached:.1f} s of {media.duration:.1f} s could be decoded; "
            "the rest was not analysed"
        )
        self._emit(MediaWarning(path, scan.detector, scan.reached, message))
        run.warn(scan.detector, message)
        return round(scan.reached, 3)

    async def _load(self, config: DetectorSettings) -> _Loaded:
        async with self._locks[config.name]:
            if config.name not in self._loaded:
                self._loaded[config.name] = await self._fetch_and_load(config)
            return self._loaded[config.name]

    async def _fetch_and_load(self, config: DetectorSettings) -> _Loaded:
        model = None
        if config.model is not None:
            try:
                model = await self._wait_for(config.name, config.model)
            except ModelError as exc:
                if not config.optional:
                    raise
                reason = f"its model {config.model!r} is not available: {exc.message}"
                self._emit(DetectorSkipped(None, config.name, reason))
                return _Loaded(None, None, reason)
        started = time.monotonic()
        factory = detector_class(config.type)
        load = functools.partial(
            factory.load, config, model.path if model else None,
            processing=self.settings.processing,
        )  # fmt: skip
        try:
            detector = await run_abandonable(load, name=f"load {config.name}")
        except VcpError:
            raise
        except Exception as exc:
            raise DetectorError(
                f"detector {config.name!r} could not load its model: {exc}",
                where=str(model.path if model else config.name),
                hint="run `vcp models verify --full` to check the model files",
            ) from exc
        self._emit(DetectorReady(config.name, config.model, time.monotonic() - started))
        return _Loaded(detector, model)

    async def _wait_for(self, detector: str, model: str) -> LocalModel:
        """``model``, ready; says it waits only when the model is not ready at once (a cached
        model is verified in a moment, a download or another process's lock takes longer)."""
        future = self.models.ready(model)
        done, _ = await asyncio.wait([future], timeout=_QUIET_WAIT_SECONDS)
        if not done:
            self._emit(DetectorWaiting(detector, model))
        # shield: a cancelled detector must not cancel the future other detectors share.
        return await asyncio.shield(future)

    async def _scan(self, detector: Detector, run: FilmRun, path: Path) -> _Scan:
        steps = detector.scan(run.media)
        scan = _Scan(detector.name)
        try:
            while (batch := await _next_batch(steps, detector.name)) is not None:
                for step in batch:
                    self._step(step, scan, run=run, path=path)
        finally:
            close = getattr(steps, "close", None)
            with contextlib.suppress(ValueError):  # still running in an abandoned thread
                if close is not None:
                    close()
        return scan

    def _step(self, step: Step, scan: _Scan, *, run: FilmRun, path: Path) -> None:
        name = scan.detector
        if isinstance(step, Detection):
            scan.found += 1
            self._emit(DetectionFound(path, step))
        elif isinstance(step, FrameSeen | WindowHeard | CuesRead):
            run.observed[name].append(step)
        elif isinstance(step, Progress):
            total = run.media.duration
            scan.reached = max(scan.reached, min(step.seconds, total))
            self._emit(AnalysisProgress(path, name, min(step.seconds, total), total))
        elif isinstance(step, DecodeProblem):
            scan.notices += 1
            self._notice(run, path, name, step, scan.notices)

    def _notice(self, run: FilmRun, path: Path, name: str, step: DecodeProblem, n: int) -> None:
        self._emit(MediaWarning(path, name, step.seconds, step.message))
        if n <= _MAX_MEDIA_WARNINGS:
            run.warn(name, f"at {step.seconds:.3f} s: {step.message}")
        elif n == _MAX_MEDIA_WARNINGS + 1:
            run.warn(name, "more decode problems after this were not listed")


def _rederived(report: Report, settings: Settings, path: Path) -> Report:
    film = report.input.model_copy(update={"path": str(path.resolve()), "name": path.name})
    return rederive(report, settings, film=film)


def _fingerprint(path: Path) -> FilmFingerprint:
    from vcp.core.fingerprint import fingerprint

    try:
        found = fingerprint(path)
    except OSError as exc:
        raise MediaError(
            f"cannot read the film: {exc.strerror or exc}", where=str(path), hint="check the path"
        ) from exc
    return FilmFingerprint(size=found.size, mtime_ns=found.mtime_ns, sample=found.sample)


def _reusable(
    status: Status, detectors: Sequence[DetectorSettings]
) -> dict[str, DetectorInference]:
    """The stored inference of each enabled detector that a stale report still has current."""
    if not isinstance(status, Stale) or status.report is None or status.report.inference is None:
        return {}
    stored = {r.name: r for r in status.report.inference.detectors}
    return {
        d.name: stored[d.name] for d in detectors if d.name in stored and d.name not in status.rerun
    }


async def _next_batch(steps: Iterator[Step], name: str) -> list[Step] | None:
    """The next steps up to and including a Progress (None at the end), read in a worker thread.

    A cancellation (Ctrl-C) returns at once; the step running in the thread finishes on its own
    and its result is dropped.
    """
    try:
        return await run_abandonable(_take, steps, name=f"scan {name}")
    except VcpError:
        raise
    except Exception as exc:
        raise DetectorError(
            f"detector {name!r} failed: {type(exc).__name__}: {exc}",
            hint="run with -vv for details; `vcp models verify --full` checks the model files",
        ) from exc


def _take(steps: Iterator[Step]) -> list[Step] | None:
    batch: list[Step] = []
    for step in steps:
        batch.append(step)
        # A cancelled scan stops here, between two steps: nobody reads this batch any more.
        if isinstance(step, Progress) or stop_requested():
            return batch
    return batch or None


async def analyze(
    path: Path,
    settings: Settings,
    *,
    models: ModelManager | None = None,
    on_event: Handler[AnalysisEvent | DownloadEvent] | None = None,
    report_path: Path | None = None,
) -> Report:
    """Analyse one video with ``settings`` and return its report (written to ``report_path``
    when given).

    With ``models=None`` a ModelManager for ``settings.models`` is opened for the call (missing
    models are downloaded); pass your own to share downloads, and use an ``Analyzer`` to share
    the loaded detectors across films.
    """
    from vcp.config.loader import require_detectors

    require_detectors(settings)  # before a ModelManager is opened for nothing
    async with contextlib.AsyncExitStack() as stack:
        emit = await stack.enter_async_context(EventSink(on_event))
        if models is None:
            from vcp.models.manager import ModelManager

            models = await stack.enter_async_context(ModelManager(settings.models, on_event=emit))
        analyzer = await stack.enter_async_context(Analyzer(settings, models, on_event=emit))
        return await analyzer.analyze(Path(path), report_path=report_path)
    raise AssertionError("unreachable")  # for mypy: an exit stack may swallow exceptions
