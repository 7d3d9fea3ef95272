"""The Hub's JSON API over a Hub-layout root: repo info, tree, paths-info, refs, search.

Routes (wired in app.py; a revision is URL-quoted with no safe characters: ``refs%2Fpr%2F1``):
    GET  /api/models?search=&author=&filter=&sort=&limit=      search the repos of the root
    GET  /api/models/{org}/{name}[/revision/{revision}]       repo info; ?blobs=true adds hashes
    GET  /api/models/{org}/{name}/tree/{revision}[/{path}]    a folder (?recursive=true), paged
    POST /api/models/{org}/{name}/paths-info/{revision}       the entries of ``paths=`` (form)
    GET  /api/models/{org}/{name}/refs                        branches and tags (?include_prs=1)

The answers are built by the pure functions of ``vcp.mirror.hub_api.documents``. ``Access``
decides, as the Hub does, who may see a repo and download its files; ``HubApi`` holds the
handlers. No answer carries a ``xetHash`` or ``X-Xet-*`` header: official clients would switch
protocols.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Sequence
from typing import Any

from aiohttp import hdrs, web
from aiohttp.http_exceptions import HttpProcessingError

from vcp.mirror.hub_api.documents import (
    SearchQuery,
    Snapshot,
    list_folder,
    model_info,
    page,
    paths_info,
    refs_json,
    search_entry,
    tree_entries,
)
from vcp.mirror.layout import HubLayout
from vcp.mirror.repo_meta import RepoMeta

__all__ = ["DEFAULT_PAGE_SIZE", "Access", "HubApi", "HubError", "bearer"]

DEFAULT_PAGE_SIZE = 1000  # the Hub's page size for tree listings
DEFAULT_REVISION = "main"
DISABLED_MESSAGE = "Access to this resource is disabled."  # huggingface_hub matches this text


class HubError(web.HTTPError):
    """An error answered the way the Hub does: ``X-Error-Code`` / ``X-Error-Message`` headers
    and a JSON ``{"error": message}`` body (plus ``X-Repo-Commit`` for a missing file)."""

    def __init__(
        self, status: int, code: str | None, message: str, *, commit: str | None = None
    ) -> None:
        self.status_code = status  # read by HTTPException.__init__
        headers = {"X-Error-Message": _header_safe(message)}
        if code:
            headers["X-Error-Code"] = code
        if commit:
            headers["X-Repo-Commit"] = commit
        body = json.dumps({"error": message})
        super().__init__(headers=headers, text=body, content_type="application/json")
        self.code = code


def _header_safe(text: str) -> str:
    return "".join(c if c.isprintable() and c.isascii() else "?" for c in text)


def bearer(request: web.Request) -> str | None:
    """The token of an ``Authorization: Bearer <token>`` header (None without one)."""
    value = request.headers.get(hdrs.AUTHORIZATION, "")
    scheme, _, token = value.partition(" ")
    token = token.strip() if scheme.lower() == "bearer" else value.strip()
    return token or None


class Access:
    """Who may see a repo and download its files, as the Hub decides. Blocking (reads files).

    ``token`` is the one token the mirror accepts: it opens private and gated repos. Any other
    token counts as a valid account without access (403 for gated files, 404 for missing repos).
    """

    def __init__(self, layout: HubLayout, token: str | None) -> None:
        self.layout = layout
        self.token = token

    def approved(self, sent: str | None) -> bool:
        """True if ``sent`` is the mirror's token."""
        return self.token is not None and sent == self.token

    def repo(self, repo_id: str, sent: str | None) -> RepoMeta:
        """The repo's meta, or HubError: RepoNotFound (missing, or private) or DisabledRepo."""
        meta = self.layout.repo_meta(repo_id)
        if meta is None or (meta.private and not self.approved(sent)):
            raise HubError(404 if sent else 401, "RepoNotFound", "Repository not found")
        if meta.disabled:
            raise HubError(403, "DisabledRepo", DISABLED_MESSAGE)
        return meta

    def download(self, repo_id: str, meta: RepoMeta, sent: str | None) -> None:
        """HubError GatedRepo unless the repo's files may be downloaded with ``sent``."""
        if not meta.gated or self.approved(sent):
            return
        if sent is None:
            message = (
                f"Access to model {repo_id} is restricted. You must have access to it and be "
                "authenticated to access it. Please log in."
            )
            raise HubError(401, "GatedRepo", message)
        message = (
            f"Access to model {repo_id} is restricted and you are not in the authorized list. "
            "Ask the mirror's operator for its token."
        )
        raise HubError(403, "GatedRepo", message)

    def revision(self, repo_id: str, revision: str) -> str:
        """The commit ``revision`` points to, or HubError RevisionNotFound."""
        commit = self.layout.resolve_revision(repo_id, revision)
        if commit is None:
            raise HubError(404, "RevisionNotFound", f"Invalid rev id: {revision}")
        return commit


class HubApi:
    """The JSON API's handlers; file-system work runs in worker threads."""

    def __init__(self, access: Access, *, page_size: int = DEFAULT_PAGE_SIZE) -> None:
        if page_size < 1:
            raise ValueError(f"page_size must be at least 1, got {page_size}")
        self.access = access
        self.layout = access.layout
        self.page_size = page_size

    async def repo_info(self, request: web.Request) -> web.Response:
        """Repo info at ``revision`` (default main)."""
        repo_id, sent = _repo_id(request), bearer(request)
        revision = request.match_info.get("revision", DEFAULT_REVISION)
        blobs = _is_true(request.query.get("blobs"))
        snapshot, meta = await asyncio.to_thread(self._open, repo_id, revision, sent)
        return web.json_response(model_info(snapshot, meta, blobs=blobs))

    async def tree(self, request: web.Request) -> web.Response:
        """A folder's entries, ``Link``-paginated."""
        repo_id, sent = _repo_id(request), bearer(request)
        revision, folder = request.match_info["revision"], request.match_info.get("path", "")
        recursive = _is_true(request.query.get("recursive"))
        snapshot, entries = await asyncio.to_thread(self._entries, repo_id, revision, sent)
        listing = list_folder(entries, folder.strip("/"), recursive=recursive)
        if listing is None:
            message = f"Entry not found: {folder}"
            raise HubError(404, "EntryNotFound", message, commit=snapshot.commit)
        return self._paged(request, listing)

    async def paths_info(self, request: web.Request) -> web.Response:
        """The entries of the paths named in the form (or JSON) body."""
        repo_id, sent = _repo_id(request), bearer(request)
        paths = await _posted_paths(request)
        revision = request.match_info["revision"]
        _, entries = await asyncio.to_thread(self._entries, repo_id, revision, sent)
        return web.json_response(paths_info(entries, paths))

    async def refs(self, request: web.Request) -> web.Response:
        """Branches, tags, and with ``include_prs`` pull requests."""
        repo_id, sent = _repo_id(request), bearer(request)
        meta = await asyncio.to_thread(self.access.repo, repo_id, sent)
        refs = await asyncio.to_thread(self.layout.refs, repo_id)
        include_prs = _is_true(request.query.get("include_prs"))
        return web.json_response(refs_json(refs, meta.git_tags, include_prs=include_prs))

    async def search(self, request: web.Request) -> web.Response:
        """The repos whose id matches; private ones only with the token, disabled ones never."""
        try:
            query = SearchQuery.parse(request.query, request.query.getall("filter", []))
        except ValueError as exc:
            raise HubError(400, None, str(exc)) from exc
        found = await asyncio.to_thread(self._search, query, bearer(request))
        if query.limit is not None:
            return web.json_response(found)
        return self._paged(request, found)

    def _open(self, repo_id: str, revision: str, sent: str | None) -> tuple[Snapshot, RepoMeta]:
        meta = self.access.repo(repo_id, sent)
        commit = self.access.revision(repo_id, revision)
        files = tuple(self.layout.list_files(repo_id, commit))
        modified = self.layout.snapshot_mtime(repo_id, commit) or 0.0
        created, _ = self.layout.snapshot_times(repo_id) or (modified, modified)
        return Snapshot(repo_id, commit, files, modified, created), meta

    def _entries(
        self, repo_id: str, revision: str, sent: str | None
    ) -> tuple[Snapshot, list[dict[str, Any]]]:
        snapshot, _ = self._open(repo_id, revision, sent)
        return snapshot, tree_entries(snapshot.files)

    def _search(self, query: SearchQuery, sent: str | None) -> list[dict[str, Any]]:
        metas = self.layout.repo_metas()
        found = []
        for repo_id in self.layout.repo_ids():
            meta = metas.get(repo_id, RepoMeta())
            hidden = meta.disabled or (meta.private and not self.access.approved(sent))
            if "/" not in repo_id or hidden or not query.matches(repo_id, meta):
                continue
            created, modified = self.layout.snapshot_times(repo_id) or (0.0, 0.0)
            found.append(search_entry(repo_id, meta, created=created, modified=modified))
        return query.order(found)

    def _paged(self, request: web.Request, items: Sequence[Any]) -> web.Response:
        try:
            items, cursor = page(items, request.query.get("cursor"), self.page_size)
        except ValueError as exc:
            raise HubError(400, None, str(exc)) from exc
        headers = {}
        if cursor is not None:
            headers[hdrs.LINK] = f'<{request.url.update_query(cursor=cursor)}>; rel="next"'
        return web.json_response(items, headers=headers)


def _repo_id(request: web.Request) -> str:
    return f"{request.match_info['org']}/{request.match_info['name']}"


def _is_true(value: str | None) -> bool:
    return value is not None and value.lower() in ("1", "true", "yes")


async def _posted_paths(request: web.Request) -> list[str]:
    """The ``paths`` of a form or JSON body; HubError 400 for a body that cannot be read."""
    try:
        if request.content_type == "application/json":
            data = await request.json()
            if not isinstance(data, dict):
                raise ValueError("the JSON body must be an object")
            paths = data.get("paths", [])
        else:
            paths = (await request.post()).getall("paths", [])
    # bad JSON or UTF-8, an unknown charset (LookupError), broken multipart framing or headers
    except (ValueError, LookupError, HttpProcessingError) as exc:
        detail = exc.message if isinstance(exc, HttpProcessingError) else str(exc)
        raise HubError(400, None, f"Invalid request body: {detail}") from exc
    if isinstance(paths, str):
        return [paths]
    if not isinstance(paths, list):
        raise HubError(400, None, '"paths" must be a list of strings')
    return [p for p in paths if isinstance(p, str)]
