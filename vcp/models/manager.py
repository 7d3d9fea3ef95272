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
import dataclasses
import logging
import os
import time
from collections.abc import Awaitable, Callable, Coroutine, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from vcp.config.schema import ModelSource, ModelsSettings, is_pattern
from vcp.errors import (
    DownloadError,
    IntegrityError,
    ModelError,
    ModelNotFound,
    ModelUnavailable,
    VcpError,
)
from vcp.models import local
from vcp.models.attempts import with_retries
from vcp.models.cache import ModelCache, repo_folder
from vcp.models.checksums import Checksum
from vcp.models.concurrency import run_all
from vcp.models.diskspace import check_disk_space
from vcp.models.events import (
    DownloadFailed,
    Event,
    EventHandler,
    FallbackUsed,
    FileCached,
    FileReused,
    FileVerified,
    LockWaiting,
    ModelFailed,
    ModelReady,
    SourceDeprecated,
)
from vcp.models.hf_cache import reuse_blob
from vcp.models.http import Auth, Http, new_session, origin
from vcp.models.hub_api import HubFile, RepoSnapshot
from vcp.models.local import FileState, Found, LocalFile, LocalModel, ModelStatus
from vcp.models.locks import LockHolder, file_lock
from vcp.models.registry import HuggingFaceRegistry, MetadataCache
from vcp.models.retry import RetryPolicy
from vcp.models.sources import (
    BLOB_ALGORITHMS,
    FileSpec,
    RemoteFile,
    file_specs,
    listed_specs,
)
from vcp.models.tokens import find_token
from vcp.models.transfer import FileDownload

logger = logging.getLogger(__name__)

Sleep = Callable[[float], Awaitable[None]]


@dataclass
class _Work:
    """One file of a model being made ready."""

    spec: FileSpec
    found: Found
    remote: RemoteFile | None = None
    final: Path | None = None
    expected: Checksum | None = None
    partial_bytes: int = 0

    @property
    def cached(self) -> bool:
        return self.found.state is FileState.CACHED

    @property
    def pending_bytes(self) -> int:
        if self.cached or self.remote is None or self.remote.size is None:
            return 0
        return max(0, self.remote.size - self.partial_bytes)


@dataclass
class _Plan:
    name: str  # the model asked for
    source: ModelSource  # the source providing it (a fallback's, after one was needed)
    work: list[_Work]
    commit: str | None = None
    reserved: int = field(default=0)
    spare: list[ModelSource] = field(default_factory=list)  # fallbacks not tried yet

    @property
    def complete(self) -> bool:
        return all(w.cached for w in self.work)

    @property
    def pending_bytes(self) -> int:
        return sum(w.pending_bytes for w in self.work)


class ModelManager:
    """Downloads, verifies and caches the models a configuration declares.

    An async context manager; it cannot be reused after it is closed. ``on_event`` receives the
    progress events of ``vcp.models.events`` on the event loop's thread.
    """

    def __init__(
        self,
        settings: ModelsSettings,
        *,
        on_event: EventHandler | None = None,
        token: str | None = None,
        offline: bool | None = None,
        sleep: Sleep = asyncio.sleep,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.settings = settings
        self.cache = ModelCache(settings.resolved_cache_dir)
        self.offline = settings.hub.offline if offline is None else offline
        self._handlers: list[EventHandler] = [on_event] if on_event else []
        self._token = token if token is not None else find_token(settings.hub.token_env)
        self._sleep = sleep
        self._clock = clock
        self._phase: Literal["new", "open", "closed"] = "new"
        self._futures: dict[str, asyncio.Future[LocalModel]] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self._reserved = 0
        self._policy = RetryPolicy(backoff=tuple(settings.download.retry_backoff_seconds))

    # -- lifecycle -------------------------------------------------------------------------------

    async def __aenter__(self) -> ModelManager:
        if self._phase != "new":
            raise RuntimeError("a ModelManager cannot be reused once it has been opened")
        download = self.settings.download
        self._slots = asyncio.Semaphore(download.max_concurrent_files)
        self._probe_slots = asyncio.Semaphore(download.max_concurrent_files)
        self._session = new_session(download)
        auth = Auth(self._token, origin(self.settings.hub.endpoint)) if self._token else None
        self._http = Http(self._session, auth=auth, max_redirects=download.max_redirects)
        self._registry = HuggingFaceRegistry(
            self._http,
            endpoint=self.settings.hub.endpoint,
            cache=MetadataCache(self.cache.root, clock=self._clock),
            ttl_hours=self.settings.hub.metadata_ttl_hours,
            offline=self.offline,
            policy=self._policy,
            emit=self._emit,
            sleep=self._sleep,
        )
        self._group = asyncio.TaskGroup()
        await self._group.__aenter__()
        self._phase = "open"
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        self._phase = "closed"
        for task in self._tasks:
            task.cancel()
        try:
            await self._group.__aexit__(None, None, None)
        finally:
            await self._session.close()
            for future in self._futures.values():
                if not future.done():
                    future.cancel()

    def subscribe(self, handler: EventHandler) -> Callable[[], None]:
        """Add an event handler; returns a function that removes it."""
        self._handlers.append(handler)
        return lambda: self._handlers.remove(handler)

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
        own = await asyncio.to_thread(self._status_of, source, full)
        if own.state is not FileState.CACHED:
            for fallback in self._fallbacks(source):
                other = await asyncio.to_thread(self._status_of, fallback, full)
                if other.state is FileState.CACHED:
                    return dataclasses.replace(other, name=name, source=fallback.name)
        return own

    def _status_of(self, source: ModelSource, full: bool) -> ModelStatus:
        return local.status(self.cache, source.name, self._local_specs(source), full=full)

    def _local_specs(self, source: ModelSource) -> list[FileSpec]:
        """The source's files as far as the disk knows (patterns need a cached file list)."""
        endpoint = self.settings.hub.endpoint
        if source.hf is None or not any(is_pattern(f) for f in source.hf.files):
            return file_specs(source, endpoint=endpoint)
        listing = MetadataCache(self.cache.root).load(source.hf.repo, source.hf.revision)
        if listing is None:
            return []
        files, _ = listing.select(source.hf.files)
        return listed_specs(source, files, endpoint=endpoint, commit=listing.commit)

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
            *(self._plan_with_fallbacks(s.name, [s, *self._fallbacks(s)]) for s in sources),
            return_exceptions=True,
        )
        ready: list[_Plan] = []
        for source, plan in zip(sources, plans, strict=True):
            if isinstance(plan, BaseException):
                self._fail(source.name, plan)
            else:
                ready.append(plan)
        try:
            await asyncio.to_thread(self._check_disk, sum(p.pending_bytes for p in ready))
        except ModelError as exc:
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
        error = exc if isinstance(exc, VcpError) else _unexpected(name, exc)
        self._emit(ModelFailed(name, error))
        future = self._futures[name]
        if not future.done():
            future.set_exception(error)

    # -- planning: the cache first, then the server for what is missing -------------------------

    def _fallbacks(self, source: ModelSource) -> list[ModelSource]:
        return [self.settings.source(name) for name in source.fallbacks]

    async def _plan_with_fallbacks(self, name: str, candidates: list[ModelSource]) -> _Plan:
        """Plan the first candidate that is available; remember the others for later failures."""
        tried: list[tuple[str, ModelError]] = []
        for i, source in enumerate(candidates):
            try:
                plan = await self._plan(source)
            except (DownloadError, ModelUnavailable) as exc:
                tried.append((source.name, exc))
                if i + 1 < len(candidates):
                    logger.warning("%s: %s; trying %s", name, exc, candidates[i + 1].name)
                continue
            plan.name, plan.spare = name, candidates[i + 1 :]
            if tried:
                self._emit(FallbackUsed(name, source.name, str(tried[0][1])))
            return plan
        raise _none_worked(name, tried)

    async def _plan(self, source: ModelSource) -> _Plan:
        plan = await self._plan_source(source)
        if self.offline and not plan.complete:
            raise ModelUnavailable(
                "not in the cache and offline mode is on",
                model=source.name,
                hint=f"run `vcp models download {source.name}` with network access, "
                "or unset HF_HUB_OFFLINE / models.hub.offline",
            )
        return plan

    async def _plan_source(self, source: ModelSource) -> _Plan:
        if source.hf is None:
            return await self._plan_url(source)
        literal = not any(is_pattern(f) for f in source.hf.files)
        if literal:
            plan = await self._plan_local(source)
            if plan.complete and (source.hf.is_commit or self.offline or self._fresh(source)):
                return plan  # everything is here: no network at all
        try:
            snapshot = await self._registry.snapshot(
                source.hf.repo, source.hf.revision, model=source.name
            )
        except ModelNotFound as exc:
            if exc.code or not literal:
                raise await self._registry.explain(
                    exc, repo=source.hf.repo, revision=source.hf.revision
                ) from None
            # No Hub API at this endpoint (a plain 404): ask about each file with HEAD instead.
            logger.info("%s: no Hub API at %s; probing files directly", source.name, exc.url)
            return await self._plan_probed(source)
        except DownloadError as exc:
            if exc.attempts:  # the Hub could not be reached at all
                raise self._unreachable(exc, source) from exc
            raise await self._registry.explain(
                exc, repo=source.hf.repo, revision=source.hf.revision
            ) from None
        return await self._plan_listed(source, snapshot)

    def _unreachable(self, exc: DownloadError, source: ModelSource) -> DownloadError:
        """The hint for a Hub that cannot be reached: where files could be put by hand."""
        assert source.hf is not None
        hint = (
            f"check the network and models.hub.endpoint / HF_ENDPOINT ({exc.url}), then run again"
        )
        files = [f for f in source.hf.files if not is_pattern(f)]
        if source.hf.is_commit and files:
            folder = self.cache.folder(repo_folder(source.hf.repo))
            where = folder / "snapshots" / source.hf.revision
            if len(files) == 1:
                hint += f"; or download the file by hand to {where / files[0]}"
            else:
                hint += f"; or download the files ({', '.join(files)}) by hand into {where}"
        return DownloadError(
            f"cannot reach the Hub: {exc.message.split(': ', 1)[-1]}",
            url=exc.url,
            status=exc.status,
            attempts=exc.attempts,
            model=source.name,
            hint=hint,
        )

    def _fresh(self, source: ModelSource) -> bool:
        assert source.hf is not None
        return self._registry.cached(source.hf.repo, source.hf.revision) is not None

    async def _plan_local(self, source: ModelSource) -> _Plan:
        """What the cache holds for the source's literal files (no network)."""
        specs = file_specs(source, endpoint=self.settings.hub.endpoint)
        found = await asyncio.to_thread(
            lambda: [local.inspect(self.cache, s, repair=True) for s in specs]
        )
        plan = _Plan(source.name, source, [_Work(s, f) for s, f in zip(specs, found, strict=True)])
        plan.commit = local.commit_for(self.cache, specs[0]) if specs else None
        return plan

    async def _plan_listed(self, source: ModelSource, snapshot: RepoSnapshot) -> _Plan:
        """Plan from the Hub's file list: sizes and hashes known, no per-file probe needed."""
        assert source.hf is not None
        files, unmatched = snapshot.select(source.hf.files)
        if unmatched:
            listing = ", ".join(f.path for f in snapshot.files[:12]) or "no files"
            raise ModelNotFound(
                f"{', '.join(map(repr, unmatched))} not found in {source.hf.repo} at "
                f"{source.hf.revision} ({snapshot.commit[:12]})",
                model=source.name,
                hint=f"check hf.files in the config; the repo has: {listing}",
                code="EntryNotFound",
            )
        endpoint = self.settings.hub.endpoint
        specs = listed_specs(source, files, endpoint=endpoint, commit=snapshot.commit)
        for spec, entry in zip(specs, files, strict=True):
            _check_listed_pin(spec, entry, snapshot)
        found = await asyncio.to_thread(
            lambda: [local.inspect(self.cache, s, repair=True) for s in specs]
        )
        plan = _Plan(source.name, source, [_Work(s, f) for s, f in zip(specs, found, strict=True)])
        plan.commit = snapshot.commit
        for work, entry in zip(plan.work, files, strict=True):
            if work.cached:
                continue
            work.remote = RemoteFile(work.spec.url, entry.size, entry.etag, snapshot.commit, True)
            work.final = self.cache.blob_path(work.spec.folder, entry.etag)
            work.expected = work.spec.pinned or entry.checksum
            work.partial_bytes = await asyncio.to_thread(self._partial_bytes, work.final)
        return plan

    async def _plan_probed(self, source: ModelSource) -> _Plan:
        plan = await self._plan_local(source)
        missing = [w for w in plan.work if not w.cached]
        await run_all(self._probe(plan, w) for w in missing)
        return plan

    async def _plan_url(self, source: ModelSource) -> _Plan:
        specs = file_specs(source, endpoint=self.settings.hub.endpoint)
        for spec in specs:
            if spec.pinned is None and not spec.allow_unverified:
                raise ModelError(
                    "no checksum is configured, so the download could not be verified",
                    model=spec.model,
                    file=spec.name,
                    hint="add `checksum:` (and `algorithm:`) to the source, or set "
                    "`allow_unverified: true` to accept it and record its computed sha256",
                )
        plan = await self._plan_local(source)
        if not self.offline:
            await run_all(self._probe(plan, w) for w in plan.work if not w.cached)
        return plan

    def _partial_bytes(self, final: Path) -> int:
        partials = self.cache.partials(final)
        return partials[0].stat().st_size if partials else 0

    async def _probe(self, plan: _Plan, work: _Work) -> None:
        async with self._probe_slots:
            remote = await with_retries(
                lambda: self._http.probe(work.spec),
                spec=work.spec,
                policy=self._policy,
                emit=self._emit,
                sleep=self._sleep,
            )
        spec = work.spec
        work.remote = remote
        if spec.hub:
            if not remote.etag:
                raise DownloadError(
                    "the server sent no ETag, so the file cannot be identified",
                    url=spec.url,
                    model=spec.model,
                    file=spec.name,
                    hint="is models.hub.endpoint a Hugging Face Hub (or a faithful mirror)?",
                )
            plan.commit = plan.commit or remote.commit
            work.final = self.cache.blob_path(spec.folder, spec.known_blob or remote.etag)
            work.expected = spec.pinned or remote.checksum
            _check_pin(spec, remote)
        else:
            work.final = work.found.final
            work.expected = spec.pinned
            _check_size(spec, remote)
        assert work.final is not None
        work.partial_bytes = await asyncio.to_thread(self._partial_bytes, work.final)

    # -- fetching ----------------------------------------------------------------------------------

    async def _fetch_model(self, plan: _Plan) -> None:
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
                retry = await self._plan_with_fallbacks(name, plan.spare)
                self._emit(FallbackUsed(name, retry.source.name, str(exc)))
                await asyncio.to_thread(self._check_disk, retry.pending_bytes)
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

    async def _fetch_plan(self, plan: _Plan) -> LocalModel:
        for work in plan.work:
            if work.cached and work.found.final is not None:
                size = work.found.final.stat().st_size
                self._emit(FileCached(plan.name, work.spec.name, work.found.final, size))
        await run_all(self._fetch_file(plan, w) for w in plan.work if not w.cached)
        return await asyncio.to_thread(self._finish, plan)

    def _check_disk(self, pending: int) -> None:
        if pending:
            check_disk_space(
                self.cache.root,
                pending_bytes=pending + self._reserved,
                factor=self.settings.download.disk_space_factor,
            )

    async def _fetch_file(self, plan: _Plan, work: _Work) -> None:
        spec, final = work.spec, work.final
        assert final is not None and work.remote is not None
        lock = self.cache.lock_path(spec.folder, final.name)
        try:
            async with (
                self._slots,
                file_lock(
                    lock,
                    timeout=self.settings.download.lock_timeout_seconds,
                    on_wait=lambda holder: self._emit(
                        LockWaiting(spec.model, spec.name, lock, _who(holder))
                    ),
                    model=spec.model,
                    file=spec.name,
                ),
            ):
                # Another process may have fetched it while we waited for the lock.
                if await asyncio.to_thread(self._valid, final, work.expected):
                    self._emit(FileCached(spec.model, spec.name, final, final.stat().st_size))
                    return
                if spec.hub and work.expected is not None:
                    origin = await asyncio.to_thread(
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
                    http=self._http,
                    settings=self.settings.download,
                    emit=self._emit,
                    sleep=self._sleep,
                    manual_path=_manual_path(self.cache, spec, plan.commit, final),
                ).run()
        except VcpError as exc:
            self._emit(DownloadFailed(spec.model, spec.name, exc))
            raise
        work.expected = work.expected or checksum
        self._emit(FileVerified(spec.model, spec.name, final, final.stat().st_size, str(checksum)))

    def _valid(self, final: Path, expected: Checksum | None) -> bool:
        if expected is None:
            return final.exists() and self.cache.recorded(final) is not None
        return self.cache.check(final, expected)

    def _adopt_manual(self, spec: FileSpec, path: Path, checksum: Checksum | None) -> Path:
        """A verified file someone put at the snapshot path: move it to its blob, link back."""
        name = spec.known_blob or (
            checksum.hexdigest if checksum and checksum.algorithm in BLOB_ALGORITHMS else None
        )
        if name is None:
            return path  # no blob name to give it: it stays a plain file, as in a copy-mode cache
        blob = self.cache.blob_path(spec.folder, name)
        blob.parent.mkdir(parents=True, exist_ok=True)
        os.replace(path, blob)
        self.cache.forget(path)
        if checksum is not None:
            self.cache.record(blob, checksum)
        logger.info("%s: adopted the file placed at %s", spec.label, path)
        return blob

    def _finish(self, plan: _Plan) -> LocalModel:
        """Link the snapshot, write the ref, describe the ready model (worker thread)."""
        files: dict[str, LocalFile] = {}
        source = plan.source
        for work in plan.work:
            spec = work.spec
            blob = work.final or work.found.final
            assert blob is not None
            path = blob
            if spec.hub:
                if plan.commit is None:
                    raise ModelError(
                        "the server did not say which commit it served",
                        model=spec.model,
                        hint="is the endpoint a Hub mirror?",
                    )
                path = self.cache.snapshot_path(spec.folder, plan.commit, spec.name)
                checksum = work.expected or work.found.expected
                if blob == path and not path.is_symlink():
                    blob = self._adopt_manual(spec, path, checksum)
                if blob != path:
                    self.cache.link_snapshot(blob, path)
            checksum = work.expected or work.found.expected
            if checksum is None:
                rec = self.cache.recorded(blob)
                checksum = Checksum.parse(rec.checksum) if rec else None
            assert checksum is not None
            files[spec.name] = LocalFile(path, blob.stat().st_size, checksum)
        if source.hf is not None and plan.commit and not source.hf.is_commit:
            self.cache.write_ref(plan.work[0].spec.folder, source.hf.revision, plan.commit)
        specs = [w.spec for w in plan.work]
        model_path = local.model_path(self.cache, specs, plan.commit)
        assert model_path is not None
        return LocalModel(plan.name, model_path, plan.commit, files, source.name)

    def _emit(self, event: Event) -> None:
        for handler in list(self._handlers):
            try:
                handler(event)
            except Exception:  # a broken subscriber must not break the downloads
                logger.exception("event handler %r failed on %r", handler, event)


def _check_listed_pin(spec: FileSpec, entry: HubFile, snapshot: RepoSnapshot) -> None:
    pinned = spec.pinned
    if pinned and pinned.algorithm == entry.checksum.algorithm and pinned != entry.checksum:
        raise IntegrityError(
            what="pinned checksum",
            expected=str(pinned),
            got=f"{entry.checksum} (the Hub, at commit {snapshot.commit[:12]})",
            url=spec.url,
            model=spec.model,
            file=spec.name,
            hint="the file on the Hub differs from the pinned one: if the change is intended, "
            f"update checksums['{spec.name}'] in the config (`vcp models pin` does it), or pin "
            "hf.revision to the commit you trust",
        )


def _check_pin(spec: FileSpec, remote: RemoteFile) -> None:
    served = remote.checksum
    if (
        spec.pinned
        and served
        and served.algorithm == spec.pinned.algorithm
        and served != spec.pinned
    ):
        raise IntegrityError(
            what="pinned checksum",
            expected=str(spec.pinned),
            got=f"{served} (the server's ETag)",
            url=spec.url,
            model=spec.model,
            file=spec.name,
            hint="the file on the server differs from the pinned one: pin the revision to the "
            "commit you trust, or update checksums in the config if the change is intended",
        )


def _check_size(spec: FileSpec, remote: RemoteFile) -> None:
    if spec.size is not None and remote.size is not None and spec.size != remote.size:
        raise IntegrityError(
            what="size",
            expected=f"{spec.size} bytes (config)",
            got=f"{remote.size} bytes (server)",
            url=spec.url,
            model=spec.model,
            file=spec.name,
            hint="check the source's url and size in the config",
        )


def _manual_path(cache: ModelCache, spec: FileSpec, commit: str | None, final: Path) -> Path:
    # A file put at the snapshot path by hand is verified by hash and adopted on the next run.
    if spec.hub and commit:
        return cache.snapshot_path(spec.folder, commit, spec.name)
    return final


def _none_worked(name: str, tried: list[tuple[str, ModelError]]) -> ModelError:
    if len(tried) == 1:
        return tried[0][1]
    lines = "; ".join(f"{source}: {error}" for source, error in tried)
    hints = " / ".join(dict.fromkeys(e.hint for _, e in tried if e.hint))
    return ModelUnavailable(
        f"no source could provide it (tried {len(tried)}): {lines}",
        model=name,
        hint=hints or "check the sources and their fallbacks in the config",
    )


def _who(holder: LockHolder | None) -> str | None:
    return holder.describe() if holder else None


def _unexpected(name: str, exc: Exception) -> ModelError:
    logger.error("unexpected error while preparing %s", name, exc_info=exc)
    error = ModelError(
        f"unexpected error: {exc!r}",
        model=name,
        hint="this is a bug in vcp; please report it with the log (-vv)",
    )
    error.__cause__ = exc
    return error
