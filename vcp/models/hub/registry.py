"""HuggingFaceRegistry: what a repo holds at a revision, from the Hub's API, cached on disk.

A revision (branch, tag or commit) resolves to a commit and a file list with sizes and hashes.
Answers are kept in ``$cache/.vcp/metadata/``: entries for a commit never expire; branch and tag
entries are refreshed lazily on first use after ``metadata_ttl_hours``; when the Hub cannot be
reached a stale entry is used with a warning; offline, only the cache is read.
"""

from __future__ import annotations

import difflib
import logging
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any
from urllib.parse import urlencode, urljoin

from anyio import to_thread

from vcp.config.schema import ModelsSettings
from vcp.errors import DownloadError, ModelNotFound, ModelUnavailable, UnsafePathError
from vcp.models.context import Context, open_context
from vcp.models.http.policy import RetryPolicy
from vcp.models.http.retrying import Emit, with_retries
from vcp.models.hub.answers import (
    Answer,
    AnswerLimits,
    bad_answer,
    give_up_when_unreachable,
    read_answer,
)
from vcp.models.hub.api import (
    HubFile,
    RepoSnapshot,
    info_url,
    parse_siblings,
    parse_tree,
    tree_url,
)
from vcp.models.hub.metadata import Clock, MetadataCache
from vcp.models.hub.tokens import find_token
from vcp.models.planning.specs import FileSpec

logger = logging.getLogger(__name__)

MAX_TREE_PAGES = 10_000  # 1,000 entries a page: ten million files


class HuggingFaceRegistry:
    """Resolves revisions and lists files through the Hub API (or a mirror of it)."""

    def __init__(
        self,
        ctx: Context,
        *,
        endpoint: str,
        cache: MetadataCache,
        ttl_hours: float,
        offline: bool,
    ) -> None:
        self.http = ctx.http
        self.download = ctx.download
        self.policy = ctx.policy
        self.emit = ctx.emit
        self.sleep = ctx.sleep
        self.endpoint = endpoint.rstrip("/")
        self.cache = cache
        self.ttl_hours = ttl_hours
        self.offline = offline

    def cached(self, repo: str, revision: str) -> RepoSnapshot | None:
        """A fresh cached snapshot, or None (never touches the network)."""
        snapshot = self.cache.load(repo, revision)
        if snapshot and self.cache.is_fresh(snapshot, self.ttl_hours):
            return snapshot
        return None

    async def snapshot(
        self, repo: str, revision: str, *, model: str, refresh: bool = False
    ) -> RepoSnapshot:
        """``repo`` at ``revision``: from the cache while fresh, else from the Hub.

        ``refresh`` asks the Hub even when the cached entry is fresh (``vcp models pin`` must see
        the Hub as it is now, also for commits); offline, the cache still answers alone.
        """
        stored = await to_thread.run_sync(self.cache.load, repo, revision)
        fresh_enough = not refresh and stored and self.cache.is_fresh(stored, self.ttl_hours)
        if stored and (self.offline or fresh_enough):
            return stored
        if self.offline:
            raise ModelUnavailable(
                f"no cached file list for {repo}@{revision} and offline mode is on",
                model=model,
                hint=f"run `vcp models download {model}` once with network access",
            )
        try:
            fresh = await self._fetch(repo, revision, model=model)
        except DownloadError as exc:
            if stored is None or isinstance(exc, ModelNotFound) or exc.status in (401, 403):
                raise
            logger.warning(
                "cannot refresh the file list of %s@%s (%s); using the one from %s",
                repo,
                revision,
                exc,
                time.strftime("%Y-%m-%d %H:%M", time.localtime(stored.fetched_at)),
            )
            return stored
        await to_thread.run_sync(self.cache.save, fresh)
        return fresh

    async def _fetch(self, repo: str, revision: str, *, model: str) -> RepoSnapshot:
        spec = self._context(info_url(self.endpoint, repo, revision), model, revision)
        data = await self._get_json(spec)
        try:
            commit, files = parse_siblings(data)
        except UnsafePathError as exc:  # name the model the hostile listing was for
            raise UnsafePathError(exc.name, exc.reason, model=model) from None
        except ValueError as exc:
            raise bad_answer(spec, exc) from exc
        if files is None:  # no sizes in repo info: list the tree instead
            files = await self._tree(repo, commit, model=model)
        return RepoSnapshot(repo, revision, commit, tuple(files), self.cache.clock())

    async def _tree(self, repo: str, commit: str, *, model: str) -> list[HubFile]:
        url: str | None = tree_url(self.endpoint, repo, commit)
        files: list[HubFile] = []
        seen: set[str] = set()
        while url:
            if url in seen or len(seen) >= MAX_TREE_PAGES:  # a server that pages in circles
                raise bad_answer(self._context(url, model, commit), ValueError("endless paging"))
            seen.add(url)
            spec = self._context(url, model, commit)
            page, link = await self._get_json(spec, with_link=True)
            try:
                files.extend(parse_tree(page))
            except UnsafePathError as exc:
                raise UnsafePathError(exc.name, exc.reason, model=model) from None
            except (ValueError, KeyError, TypeError) as exc:
                raise bad_answer(spec, exc) from exc
            url = urljoin(url, link) if link else None
        return files

    async def suggestions(self, repo: str, *, model: str, limit: int = 5) -> list[str]:
        """Similar repo ids, for "did you mean" hints (best effort, a few quick searches).

        The Hub's search matches substrings, so a typo inside a name finds nothing by itself:
        candidates also come from the name's first letters and from the organisation's repos,
        and are ranked by similarity to what was asked for.
        """
        org, _, name = repo.rpartition("/")
        queries = [{"search": name}, {"search": name[: max(3, len(name) // 2)]}]
        if org:
            queries.append({"author": org})
        candidates: dict[str, None] = {}
        for query in queries:
            candidates.update(dict.fromkeys(await self._search(query, model=model)))
        candidates.pop(repo, None)
        ranked = difflib.get_close_matches(repo, list(candidates), n=limit, cutoff=0.5)
        substring = [c for c in candidates if name.lower() in c.lower() and c not in ranked]
        return (ranked + substring)[:limit]

    async def _search(self, query: dict[str, str], *, model: str) -> list[str]:
        url = f"{self.endpoint}/api/models?{urlencode({**query, 'limit': '50'})}"
        try:
            found = await self._get_json(self._context(url, model, None), retry=False)
        except DownloadError:
            return []
        if not isinstance(found, list):
            return []
        ids = (m.get("id") for m in found if isinstance(m, dict))
        return [i for i in ids if isinstance(i, str)]

    async def refs(self, repo: str, *, model: str) -> tuple[list[str], list[str]]:
        """Branch and tag names of ``repo`` (best effort: empty when they cannot be read)."""
        url = f"{self.endpoint}/api/models/{repo}/refs"
        try:
            data = await self._get_json(self._context(url, model, None), retry=False)
        except DownloadError:
            return [], []
        if not isinstance(data, dict):
            return [], []
        return _names(data.get("branches")), _names(data.get("tags"))

    async def explain(self, exc: DownloadError, *, repo: str, revision: str) -> DownloadError:
        """``exc`` with the Hub's help: similar repo names, the repo's branches and tags."""
        model = exc.model or ""
        if exc.code == "RepoNotFound":
            similar = await self.suggestions(repo, model=model)
            maybe = f"did you mean {', '.join(similar)}? " if similar else ""
            return _renamed(
                exc,
                f"repository {repo} not found (or private)",
                f"{maybe}check hf.repo for typos; set HF_TOKEN if it is private",
            )
        if exc.code == "RevisionNotFound":
            refs = await self.refs(repo, model=model)
            return ModelNotFound.missing_revision(exc, repo=repo, revision=revision, refs=refs)
        if exc.code == "GatedRepo":
            return _renamed(
                exc,
                f"{repo} is gated: access needs a token with accepted terms",
                f"accept the terms at {self.endpoint}/{repo}, then set HF_TOKEN "
                "(or the variable named by models.hub.token_env)",
            )
        return exc

    # -- helpers -----------------------------------------------------------------------------------

    def _context(self, url: str, model: str, revision: str | None) -> FileSpec:
        # Errors name the model and the API URL; no file is involved (an empty name).
        return FileSpec(model, "", url, "", None, None, hub=True, revision=revision)

    async def _get_json(
        self, spec: FileSpec, *, with_link: bool = False, retry: bool = True
    ) -> Any:
        limits = AnswerLimits(
            self.download.metadata_timeout_seconds, self.download.metadata_max_bytes
        )

        async def get() -> Answer:
            return await read_answer(self.http, spec, limits)

        # Hints (search, refs) are best effort: they must not delay an error by minutes of retries.
        policy = self.policy if retry else RetryPolicy(backoff=())
        answer = await with_retries(
            give_up_when_unreachable(get, spec),
            spec=spec,
            policy=policy,
            emit=self.emit,
            sleep=self.sleep,
        )
        return (answer.data, answer.next) if with_link else answer.data

    async def forget(self, repo: str, revisions: list[str]) -> None:
        """Drop the cached file lists of ``revisions`` (one named a hash the bytes did not have)."""
        await to_thread.run_sync(self.cache.forget, repo, revisions)
        logger.info("dropped the cached file list of %s at %s", repo, ", ".join(revisions))


@asynccontextmanager
async def open_registry(
    settings: ModelsSettings,
    *,
    offline: bool | None = None,
    token: str | None = None,
    emit: Emit | None = None,
    clock: Clock = time.time,
) -> AsyncIterator[HuggingFaceRegistry]:
    """A registry on its own HTTP session, wired as the ModelManager wires its own (the same
    ``open_context``): the token of ``models.hub.token_env`` (or HF_TOKEN ...) sent only to the
    endpoint, the download settings' timeouts and retries, the metadata cache under the model
    cache. The session closes on exit.
    """
    token = token if token is not None else find_token(settings.hub.token_env)
    async with open_context(settings, token=token, emit=emit or _ignore, clock=clock) as ctx:
        yield build_registry(ctx, settings, offline=offline)


def build_registry(
    ctx: Context, settings: ModelsSettings, *, offline: bool | None
) -> HuggingFaceRegistry:
    """The registry for ``settings``: its endpoint, TTL and metadata cache."""
    return HuggingFaceRegistry(
        ctx,
        endpoint=settings.hub.endpoint,
        cache=MetadataCache(settings.resolved_cache_dir, clock=ctx.clock),
        ttl_hours=settings.hub.metadata_ttl_hours,
        offline=settings.hub.offline if offline is None else offline,
    )


def _ignore(_event: object) -> None:
    pass


def _names(refs: Any) -> list[str]:
    # Best effort: a refs answer of an unexpected shape gives no names rather than a crash.
    if not isinstance(refs, list):
        return []
    names = (ref.get("name") for ref in refs if isinstance(ref, dict))
    return [name for name in names if isinstance(name, str)]


def _renamed(exc: DownloadError, message: str, hint: str) -> DownloadError:
    new = type(exc)(
        message, url=exc.url, status=exc.status, model=exc.model, hint=hint, code=exc.code
    )
    new.__cause__ = exc
    return new
