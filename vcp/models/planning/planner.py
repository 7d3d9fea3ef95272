"""Planning: for each model, what the cache holds and what must be fetched, and from where.

The cache is asked first (no network). A Hub source then gets its file list from the registry
(sizes and hashes known, no per-file request); an endpoint without the Hub API, and a plain-URL
source, are asked about each missing file with ``HEAD``. A source that is unavailable gives way to
its fallbacks, in order.
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

from anyio import to_thread

from vcp.config.schema import ModelSource, ModelsSettings, is_pattern
from vcp.core.hub_names import is_commit, repo_folder
from vcp.errors import (
    DownloadError,
    ModelError,
    ModelNotFound,
    ModelUnavailable,
    PinMismatch,
)
from vcp.models.cache import inspection
from vcp.models.cache.hf_reuse import reuse_blob
from vcp.models.cache.inspection import Found
from vcp.models.cache.store import ModelCache
from vcp.models.concurrency import run_all
from vcp.models.context import Context
from vcp.models.downloading.partial import PartialState
from vcp.models.events import FallbackUsed, FileReused
from vcp.models.http.retrying import with_retries
from vcp.models.hub.answers import give_up_when_unreachable
from vcp.models.hub.api import RepoSnapshot
from vcp.models.hub.registry import HuggingFaceRegistry
from vcp.models.local import FileState
from vcp.models.planning.checks import (
    check_listed_pin,
    check_pin,
    check_size,
    none_worked,
    unverifiable,
)
from vcp.models.planning.specs import RemoteFile, file_specs, listed_specs
from vcp.models.planning.state import KnownFile, PendingFile, Plan, Work

logger = logging.getLogger(__name__)


class Planner:
    """Works out each model's plan; one per ModelManager, sharing its HTTP session."""

    def __init__(
        self,
        settings: ModelsSettings,
        cache: ModelCache,
        ctx: Context,
        *,
        registry: HuggingFaceRegistry,
        offline: bool,
    ) -> None:
        self.settings = settings
        self.cache = cache
        self.http = ctx.http
        self.emit = ctx.emit
        self.sleep = ctx.sleep
        self.policy = ctx.policy
        self.registry = registry
        self.offline = offline
        self.probe_slots = asyncio.Semaphore(settings.download.max_concurrent_files)

    async def plan_with_fallbacks(self, name: str, candidates: list[ModelSource]) -> Plan:
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
                self.emit(FallbackUsed(name, source.name, str(tried[0][1])))
            return plan
        raise none_worked(name, tried)

    async def _plan(self, source: ModelSource) -> Plan:
        plan = await self._plan_source(source)
        if self.offline and not plan.complete:
            raise ModelUnavailable(
                "not in the cache and offline mode is on",
                model=source.name,
                hint=f"run `vcp models download {source.name}` with network access, "
                "or unset HF_HUB_OFFLINE / models.hub.offline",
            )
        return plan

    async def _plan_source(self, source: ModelSource) -> Plan:
        if source.hf is None:
            return await self._plan_url(source)
        literal = not any(is_pattern(f) for f in source.hf.files)
        if literal:
            plan = await self._plan_local(source)
            if not plan.complete and plan.commit and (self.offline or source.hf.is_commit):
                # Pinned by commit (or offline): what the user's Hugging Face cache holds needs
                # no network, so look there before asking the Hub, which may be unreachable.
                await self._reuse_known(plan)
            if plan.complete and (source.hf.is_commit or self.offline or await self._fresh(source)):
                return plan  # everything is here: no network at all
        asked_at = self.registry.cache.clock()
        try:
            snapshot = await self.registry.snapshot(
                source.hf.repo, source.hf.revision, model=source.name
            )
        except ModelNotFound as exc:
            if exc.code or not literal:
                raise await self.registry.explain(
                    exc, repo=source.hf.repo, revision=source.hf.revision
                ) from None
            # No Hub API at this endpoint (a plain 404): ask about each file with HEAD instead.
            logger.info("%s: no Hub API at %s; probing files directly", source.name, exc.url)
            return await self._plan_probed(source)
        except DownloadError as exc:
            if exc.attempts:  # the Hub could not be reached at all
                raise self._unreachable(exc, source) from exc
            raise await self.registry.explain(
                exc, repo=source.hf.repo, revision=source.hf.revision
            ) from None
        return await self._plan_checked(source, snapshot, cached=snapshot.fetched_at < asked_at)

    async def _plan_checked(
        self, source: ModelSource, snapshot: RepoSnapshot, *, cached: bool
    ) -> Plan:
        """``_plan_listed``, asking the server again when a pin disagrees with a cached list."""
        assert source.hf is not None
        try:
            return await self._plan_listed(source, snapshot)
        except PinMismatch:
            if self.offline or not cached:
                raise
        # A commit's list stays cached for ever: it may be the liar (a server that listed a wrong
        # hash once), so the server is asked before the pin is blamed.
        logger.info("%s: a pin disagrees with the cached file list; asking again", source.name)
        snapshot = await self.registry.snapshot(
            source.hf.repo, source.hf.revision, model=source.name, refresh=True
        )
        return await self._plan_listed(source, snapshot)

    def _unreachable(self, exc: DownloadError, source: ModelSource) -> DownloadError:
        """The hint for a Hub that cannot be reached: where files could be put by hand."""
        assert source.hf is not None
        hint = (
            f"check the network and models.hub.endpoint / HF_ENDPOINT ({exc.url}), then run "
            "again; or use --offline (HF_HUB_OFFLINE=1) to work from the cache"
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
            f"cannot reach the Hub: {exc.detail}",
            url=exc.url,
            status=exc.status,
            attempts=exc.attempts,
            model=source.name,
            hint=hint,
        )

    async def _reuse_known(self, plan: Plan) -> None:
        """Files pinned by their Hub id may come from another Hub cache, with no request."""
        for i, work in enumerate(plan.work):
            spec, expected = work.spec, work.found.expected
            if work.cached or not spec.known_blob or expected is None:
                continue
            final = self.cache.blob_path(spec.folder, spec.known_blob)
            origin = await to_thread.run_sync(reuse_blob, self.cache, spec, final, expected)
            if origin is not None:
                found = Found(FileState.CACHED, final, work.found.link, expected)
                plan.work[i] = KnownFile(spec, found)
                size = final.stat().st_size
                self.emit(FileReused(spec.model, spec.name, final, size, origin))

    async def _fresh(self, source: ModelSource) -> bool:
        assert source.hf is not None
        # A large repo's file list is a big JSON file: parse it off the event loop.
        cached = await to_thread.run_sync(self.registry.cached, source.hf.repo, source.hf.revision)
        return cached is not None

    async def _plan_local(self, source: ModelSource) -> Plan:
        """What the cache holds for the source's literal files (no network)."""
        specs = file_specs(source, endpoint=self.settings.hub.endpoint, index=self._index(source))
        found = await to_thread.run_sync(
            lambda: [inspection.inspect(self.cache, s, repair=True) for s in specs]
        )
        work: list[Work] = [KnownFile(s, f) for s, f in zip(specs, found, strict=True)]
        plan = Plan(source.name, source, work)
        plan.commit = inspection.commit_for(self.cache, specs[0]) if specs else None
        return plan

    async def _plan_listed(self, source: ModelSource, snapshot: RepoSnapshot) -> Plan:
        """Plan from the Hub's file list: sizes and hashes known, no per-file probe needed."""
        assert source.hf is not None
        files, unmatched = snapshot.select(source.hf.files)
        if unmatched:
            raise ModelNotFound.missing_files(
                unmatched,
                repo=source.hf.repo,
                revision=source.hf.revision,
                commit=snapshot.commit,
                listing=[f.path for f in snapshot.files],
                model=source.name,
            )
        endpoint = self.settings.hub.endpoint
        specs = listed_specs(
            source, files, endpoint=endpoint, commit=snapshot.commit, index=self._index(source)
        )
        for spec, entry in zip(specs, files, strict=True):
            check_listed_pin(spec, entry, snapshot)
        found = await to_thread.run_sync(
            lambda: [inspection.inspect(self.cache, s, repair=True) for s in specs]
        )
        work: list[Work] = []
        for spec, here, entry in zip(specs, found, files, strict=True):
            if here.state is FileState.CACHED:
                work.append(KnownFile(spec, here))
                continue
            final = self.cache.blob_path(spec.folder, entry.etag)
            remote = RemoteFile(spec.url, entry.size, entry.etag, snapshot.commit, True)
            expected = spec.pinned or entry.checksum
            partial = await to_thread.run_sync(self._partial_bytes, final)
            work.append(PendingFile(spec, here, remote, final, expected, partial))
        return Plan(source.name, source, work, commit=snapshot.commit)

    async def _plan_probed(self, source: ModelSource) -> Plan:
        plan = await self._plan_local(source)
        await run_all(self._probe(plan, i) for i, w in enumerate(plan.work) if not w.cached)
        return plan

    async def _plan_url(self, source: ModelSource) -> Plan:
        specs = file_specs(source, endpoint=self.settings.hub.endpoint, index=self._index(source))
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
            await run_all(self._probe(plan, i) for i, w in enumerate(plan.work) if not w.cached)
        return plan

    def _index(self, source: ModelSource) -> int | None:
        """The source's place in models.sources, which messages and hints name it by."""
        names = [s.name for s in self.settings.sources]
        return names.index(source.name) if source.name in names else None

    def _partial_bytes(self, final: Path) -> int:
        """Bytes already downloaded: a ranged partial is preallocated, so ask its state."""
        partials = self.cache.partials(final)
        if not partials:
            return 0
        state = PartialState.load(partials[0])
        if state is not None and state.pieces:
            return state.received
        return partials[0].stat().st_size

    async def _probe(self, plan: Plan, index: int) -> None:
        """Ask the server about one missing file; it becomes a PendingFile of the plan."""
        known = plan.work[index]
        spec = known.spec
        async with self.probe_slots:
            remote = await with_retries(
                give_up_when_unreachable(lambda: self.http.probe(spec), spec),
                spec=spec,
                policy=self.policy,
                emit=self.emit,
                sleep=self.sleep,
            )
        if spec.hub:
            if not remote.etag:
                raise DownloadError(
                    "the server sent no ETag, so the file cannot be identified",
                    url=spec.url,
                    model=spec.model,
                    file=spec.name,
                    hint="is models.hub.endpoint a Hugging Face Hub (or a faithful mirror)?",
                )
            # A header names a folder in the cache: only a real commit id may.
            served = remote.commit if remote.commit and is_commit(remote.commit) else None
            plan.commit = plan.commit or served
            final = self.cache.blob_path(spec.folder, spec.known_blob or remote.etag)
            expected = spec.pinned or remote.checksum
            if expected is None and not spec.allow_unverified:
                raise unverifiable(spec)
            check_pin(spec, remote)
        else:
            assert known.found.final is not None  # a URL source's file has one place
            final, expected = known.found.final, spec.pinned
            check_size(spec, remote)
        partial = await to_thread.run_sync(self._partial_bytes, final)
        plan.work[index] = PendingFile(spec, known.found, remote, final, expected, partial)
