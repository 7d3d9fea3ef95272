"""The ModelManager: makes models ready, fetching what is missing, several files at once.

```python
async with ModelManager(settings.models, on_event=print) as models:
    whisper = await models.ready("whisper-tiny-en")  # resolves once its own files are verified
    local = await models.ensure(["nudenet-320n", "whisper-tiny-en"])
```

Per model: look in the cache (no network); ask the server about what is missing (``HEAD``, in
parallel); check the disk has room for everything pending; then fetch each file under a
cross-process lock, up to ``max_concurrent_files`` at once; link the snapshot; resolve the model's
future. All work runs in one task group owned by the manager: leaving the ``async with`` cancels
what is still in flight, and partial files stay for the next run to resume.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Coroutine, Iterable
from pathlib import Path
from typing import Any, Literal

from anyio import to_thread

from vcp.config.schema import ModelSource, ModelsSettings
from vcp.core.checksums import Checksum
from vcp.core.event_sink import EventSink, Handler
from vcp.errors import (
    DownloadError,
    IntegrityError,
    ModelUnavailable,
    VcpError,
)
from vcp.models.cache import inspection
from vcp.models.cache.hf_reuse import reuse_blob
from vcp.models.cache.locks import LockHolder, file_lock
from vcp.models.cache.store import ModelCache
from vcp.models.concurrency import run_all
from vcp.models.context import open_context
from vcp.models.downloading.diskspace import check_disk_space
from vcp.models.downloading.transfer import FileDownload
from vcp.models.events import (
    DownloadEvent,
    DownloadFailed,
    FallbackUsed,
    FileCached,
    FileReused,
    FileVerified,
    LockWaiting,
    ModelFailed,
    ModelReady,
    SourceDeprecated,
)
from vcp.models.failures import as_model_error
from vcp.models.hub.registry import build_registry
from vcp.models.hub.tokens import find_token
from vcp.models.local import LocalModel, ModelStatus
from vcp.models.planning.finish import finish
from vcp.models.planning.planner import Planner
from vcp.models.planning.specs import FileSpec
from vcp.models.planning.state import PendingFile, Plan

logger = logging.getLogger(__name__)

Sleep = Callable[[float], Awaitable[None]]


class ModelManager:
    """Downloads, verifies and caches the models a configuration declares.

    An async context manager; it cannot be reused after it is closed. ``on_event`` receives the
    progress events of ``vcp.models.events`` on the event loop's thread.
    """

    def __init__(
        self,
        settings: ModelsSettings,
        *,
        on_event: Handler[DownloadEvent] | None = None,
        token: str | None = None,
        offline: bool | None = None,
        sleep: Sleep = asyncio.sleep,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.settings = settings
        self.cache = ModelCache(settings.resolved_cache_dir)
        self.offline = settings.hub.offline if offline is None else offline
        self._sinks: list[EventSink[DownloadEvent]] = [EventSink(on_event)] if on_event else []
        self._token = token if token is not None else find_token(settings.hub.token_env)
        self._sleep = sleep
        self._clock = clock
        self._phase: Literal["new", "open", "closed"] = "new"
        self._futures: dict[str, asyncio.Future[LocalModel]] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self._reserved = 0

    # -- lifecycle -------------------------------------------------------------------------------

    async def __aenter__(self) -> ModelManager:
        if self._phase != "new":
            raise RuntimeError("a ModelManager cannot be reused once it has been opened")
        download = self.settings.download
        self._slots = asyncio.Semaphore(download.max_concurrent_files)
        self._context = open_context(
            self.settings, token=self._token, emit=self._emit, sleep=self._sleep, clock=self._clock
        )
        self._ctx = await self._context.__aenter__()
        self._registry = build_registry(self._ctx, self.settings, offline=self.offline)
        self._planner = Planner(
            self.settings, self.cache, self._ctx, registry=self._registry, offline=self.offline
        )
        self._group = asyncio.TaskGroup()
        await self._group.__aenter__()
        for sink in self._sinks:
            sink.open()
        self._phase = "open"
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        self._phase = "closed"
        for task in self._tasks:
            task.cancel()
        try:
            await self._group.__aexit__(None, None, None)
        finally:
            await self._context.__aexit__(None, None, None)
            for future in self._futures.values():
                if not future.done():
                    future.cancel()
            await self._close_sinks(exc_info[1])

    def subscribe(self, handler: Handler[DownloadEvent]) -> Callable[[], None]:
        """Add an event handler (sync, or async: awaited in order); returns a function that
        removes it."""
        sink: EventSink[DownloadEvent] = EventSink(handler)
        if self._phase == "open":
            sink.open()
        self._sinks.append(sink)
        return lambda: self._sinks.remove(sink)

    async def _close_sinks(self, exc: object) -> None:
        """Deliver what async handlers still have queued (nothing more on a cancellation)."""
        error = exc if isinstance(exc, BaseException) else None
        for sink in list(self._sinks):
            try:
                await sink.__aexit__(type(error) if error else None, error, None)
            except Exception:  # a broken subscriber must not break the downloads
                logger.exception("event handler failed")

    # -- public API ------------------------------------------------------------------------------

    def ready(self, name: str) -> asyncio.Future[LocalModel]:
        """The one future of model ``name`` (the same object for every caller).

        Starts fetching the model if nothing has asked for it yet. The future resolves to a
        LocalModel as soon as this model's files are verified, while others may still download,
        and raises this model's error if it cannot be made ready.
        """
        self._check_open()
        if name not in self._futures:
            self._start([self._source(name)])
        return self._futures[name]

    async def ensure(self, names: Iterable[str] | None = None) -> dict[str, LocalModel]:
        """Make ``names`` (default: every non-optional source) ready, fetching in parallel.

        Raises the first failed model's error (in the order of ``names``) once all have settled;
        each failure is also announced with a ModelFailed event.
        """
        self._check_open()
        wanted = list(names) if names is not None else self.default_names()
        new = [self._source(n) for n in dict.fromkeys(wanted) if n not in self._futures]
        if new:
            self._start(new)
        futures = [self._futures[n] for n in wanted]
        if not futures:
            return {}
        await asyncio.wait(futures)
        for future in futures:
            if future.exception() is not None:
                raise future.exception()  # type: ignore[misc]
        return {n: self._futures[n].result() for n in wanted}

    def default_names(self) -> list[str]:
        """The sources fetched when none are named: all but the optional ones."""
        return [s.name for s in self.settings.sources if not s.optional]

    async def status(self, name: str, *, full: bool = False) -> ModelStatus:
        """Cached / missing / partial / corrupt, from the disk alone (``full`` re-hashes).

        When the model's own source is not cached but a fallback is, that fallback's status is
        returned with ``source`` naming it.
        """
        source = self._source(name)
        return await to_thread.run_sync(
            lambda: inspection.source_status(self.settings, self.cache, source, full=full)
        )

    def _fallbacks(self, source: ModelSource) -> list[ModelSource]:
        return [self.settings.source(name) for name in source.fallbacks]

    # -- orchestration ---------------------------------------------------------------------------

    def _check_open(self) -> None:
        if self._phase != "open":
            raise RuntimeError("use the ModelManager inside `async with` (it is not open)")

    def _source(self, name: str) -> ModelSource:
        try:
            return self.settings.source(name)
        except KeyError:
            known = ", ".join(s.name for s in self.settings.sources) or "none"
            raise ModelUnavailable(
                f"no model source named {name!r}",
                hint=f"known sources: {known} (models.sources in the config)",
            ) from None

    def _start(self, sources: list[ModelSource]) -> None:
        loop = asyncio.get_running_loop()
        for source in sources:
            if source.deprecated is not None:
                replacement, reason = source.deprecated.replacement, source.deprecated.reason
                logger.warning(
                    "model source %s is deprecated (%s); use %s instead "
                    "(`vcp models pin --upgrade` rewrites the config)",
                    source.name,
                    reason or "no reason given",
                    replacement,
                )
                self._emit(SourceDeprecated(source.name, replacement, reason))
            future: asyncio.Future[LocalModel] = loop.create_future()
            # Mark exceptions as retrieved: a caller that never awaits a failed model should not
            # get "exception was never retrieved" noise; the failure was announced as an event.
            future.add_done_callback(lambda f: f.cancelled() or f.exception())
            self._futures[source.name] = future
        self._spawn(self._prepare(sources))

    def _spawn(self, coro: Coroutine[Any, Any, None]) -> None:
        task = self._group.create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _prepare(self, sources: list[ModelSource]) -> None:
        """Plan every model, check the disk for all of them at once, then start fetching."""
        plans = await asyncio.gather(
            *(self._planner.plan_with_fallbacks(s.name, [s, *self._fallbacks(s)]) for s in sources),
            return_exceptions=True,
        )
        ready: list[Plan] = []
        for source, plan in zip(sources, plans, strict=True):
            if isinstance(plan, BaseException):
                self._fail(source.name, plan)
            else:
                ready.append(plan)
        try:
            await to_thread.run_sync(self._check_disk, sum(p.pending_bytes for p in ready))
        except Exception as exc:
            for plan in ready:
                self._fail(plan.name, exc)
            return
        for plan in ready:
            plan.reserved = plan.pending_bytes
            self._reserved += plan.reserved
            self._spawn(self._fetch_model(plan))

    def _fail(self, name: str, exc: BaseException) -> None:
        if isinstance(exc, asyncio.CancelledError):
            raise exc
        if not isinstance(exc, Exception):
            raise exc
        error = as_model_error(name, exc, self.cache.root)
        self._emit(ModelFailed(name, error))
        future = self._futures[name]
        if not future.done():
            future.set_exception(error)

    # -- fetching ----------------------------------------------------------------------------------

    async def _fetch_model(self, plan: Plan) -> None:
        name = plan.name
        try:
            model = await self._fetch_plan(plan)
        except asyncio.CancelledError:
            raise
        except (DownloadError, ModelUnavailable) as exc:
            if not plan.spare:
                self._fail(name, exc)
                return
            logger.warning("%s: %s; trying %s", name, exc, plan.spare[0].name)
            try:  # the source failed mid-transfer: the remaining fallbacks get their turn
                retry = await self._planner.plan_with_fallbacks(name, plan.spare)
                self._emit(FallbackUsed(name, retry.source.name, str(exc)))
                await to_thread.run_sync(self._check_disk, retry.pending_bytes)
                model = await self._fetch_plan(retry)
            except asyncio.CancelledError:
                raise
            except Exception as again:
                self._fail(name, again)
                return
        except Exception as exc:
            self._fail(name, exc)
            return
        finally:
            self._reserved -= plan.reserved
        self._emit(ModelReady(name, model.path, model.revision, model.source))
        future = self._futures[name]
        if not future.done():
            future.set_result(model)

    async def _fetch_plan(self, plan: Plan) -> LocalModel:
        for work in plan.work:
            if work.cached and work.found.final is not None:
                size = work.found.final.stat().st_size
                self._emit(FileCached(plan.name, work.spec.name, work.found.final, size))
        # Planned online, every file that is not cached is a PendingFile (offline plans that are
        # not complete stop in the planner).
        assert len(plan.pending) == sum(not w.cached for w in plan.work)
        await run_all(self._fetch_file(plan, w) for w in plan.pending)
        return await to_thread.run_sync(finish, self.cache, plan)

    def _check_disk(self, pending: int) -> None:
        if pending:
            check_disk_space(
                self.cache.root,
                pending_bytes=pending + self._reserved,
                factor=self.settings.download.disk_space_factor,
            )

    async def _fetch_file(self, plan: Plan, work: PendingFile) -> None:
        spec, final = work.spec, work.final
        lock = self.cache.lock_path(spec.folder, final.name)
        try:
            # The lock first: waiting for another process must not hold one of our transfer slots.
            async with (
                file_lock(
                    lock,
                    timeout=self.settings.download.lock_timeout_seconds,
                    on_wait=lambda holder: self._emit(
                        LockWaiting(spec.model, spec.name, lock, _who(holder))
                    ),
                    model=spec.model,
                    file=spec.name,
                ),
                self._slots,
            ):
                # Another process may have fetched it while we waited for the lock.
                if await to_thread.run_sync(self._valid, final, work.expected):
                    self._emit(FileCached(spec.model, spec.name, final, final.stat().st_size))
                    return
                if spec.hub and work.expected is not None:
                    origin = await to_thread.run_sync(
                        reuse_blob, self.cache, spec, final, work.expected
                    )
                    if origin is not None:
                        size = final.stat().st_size
                        self._emit(FileReused(spec.model, spec.name, final, size, origin))
                        return
                checksum = await FileDownload(
                    spec=spec,
                    remote=work.remote,
                    final=final,
                    expected=work.expected,
                    cache=self.cache,
                    ctx=self._ctx,
                    manual_path=_manual_path(self.cache, spec, plan.commit, final),
                ).run()
        except VcpError as exc:
            if isinstance(exc, IntegrityError) and spec.hub:
                await self._forget_listing(plan)
            self._emit(DownloadFailed(spec.model, spec.name, exc))
            raise
        self._emit(FileVerified(spec.model, spec.name, final, final.stat().st_size, str(checksum)))

    async def _forget_listing(self, plan: Plan) -> None:
        """The bytes did not hash to what the file list said: the list may be the liar (a commit's
        is cached for ever), so the next run asks the server again, as the error's hint says."""
        hf = plan.source.hf
        if hf is not None:
            revisions = [hf.revision] + ([plan.commit] if plan.commit else [])
            await self._registry.forget(hf.repo, revisions)

    def _valid(self, final: Path, expected: Checksum | None) -> bool:
        if expected is None:  # unverified source: what vcp recorded, if the file is unchanged
            record = self.cache.recorded(final)
            return record is not None and self.cache.check(final, Checksum.parse(record.checksum))
        return self.cache.check(final, expected)

    def _emit(self, event: DownloadEvent) -> None:
        for sink in list(self._sinks):
            try:
                sink(event)
            except Exception:  # a broken subscriber must not break the downloads
                logger.exception("event handler failed on %r", event)


def _manual_path(cache: ModelCache, spec: FileSpec, commit: str | None, final: Path) -> Path:
    # A file put at the snapshot path by hand is verified by hash and adopted on the next run.
    if spec.hub and commit:
        return cache.snapshot_path(spec.folder, commit, spec.name)
    return final


def _who(holder: LockHolder | None) -> str | None:
    return holder.describe() if holder else None
