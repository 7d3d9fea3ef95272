"""The Hub's JSON API over a Hub-layout root: repo info, tree, paths-info, refs, search.

Routes (wired in app.py; a revision is URL-quoted with no safe characters: ``refs%2Fpr%2F1``):
    GET  /api/models?search=&author=&filter=&sort=&limit=      search the repos of the root
    GET  /api/models/{org}/{name}[/revision/{revision}]       repo info; ?blobs=true adds hashes
    GET  /api/models/{org}/{name}/tree/{revision}[/{path}]    a folder (?recursive=true), paged
    POST /api/models/{org}/{name}/paths-info/{revision}       the entries of ``paths=`` (form)
    GET  /api/models/{org}/{name}/refs                        branches and tags (?include_prs=1)

The JSON builders are pure functions of ``FileEntry`` lists and ``RepoMeta``. ``Access`` decides,
as the Hub does, who may see a repo and download its files; ``HubApi`` holds the handlers. No
answer carries a ``xetHash`` or ``X-Xet-*`` header: official clients would switch protocols.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import hashlib
import json
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeVar

from aiohttp import hdrs, web

from vcp.mirror.layout import FileEntry, HubLayout, RepoMeta, read_repo_metas

__all__ = [
    "DEFAULT_PAGE_SIZE",
    "Access",
    "HubApi",
    "HubError",
    "SearchQuery",
    "Snapshot",
    "bearer",
    "blob_id",
    "folder_oids",
    "lfs_pointer",
    "list_folder",
    "model_info",
    "page",
    "paths_info",
    "refs_json",
    "search_entry",
    "tree_entries",
]

T = TypeVar("T")

DEFAULT_PAGE_SIZE = 1000  # the Hub's page size for tree listings
DEFAULT_REVISION = "main"
DISABLED_MESSAGE = "Access to this resource is disabled."  # huggingface_hub matches this text
_LFS_SPEC = "https://git-lfs.github.com/spec/v1"
_SORT_KEYS = frozenset({"downloads", "likes", "createdAt", "lastModified", "trendingScore", "id"})


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


# -- pure JSON builders --------------------------------------------------------------------------


def lfs_pointer(sha256: str, size: int) -> bytes:
    """The git LFS pointer file that stands in the git tree for an LFS file."""
    return f"version {_LFS_SPEC}\noid sha256:{sha256}\nsize {size}\n".encode()


def _git_object_id(kind: bytes, data: bytes) -> str:
    return hashlib.sha1(b"%s %d\0" % (kind, len(data)) + data).hexdigest()


def blob_id(entry: FileEntry) -> str:
    """The file's git blob id: its etag for a regular file, the pointer's id for an LFS file."""
    if entry.is_lfs:
        return _git_object_id(b"blob", lfs_pointer(entry.etag, entry.size))
    return entry.etag


def _file_json(entry: FileEntry) -> dict[str, Any]:
    data: dict[str, Any] = {
        "type": "file",
        "oid": blob_id(entry),
        "size": entry.size,
        "path": entry.path,
    }
    if entry.is_lfs:
        data["lfs"] = _lfs_json(entry, hash_key="oid")  # the tree calls the sha256 "oid"
    return data


def _lfs_json(entry: FileEntry, *, hash_key: str) -> dict[str, Any]:
    pointer_size = len(lfs_pointer(entry.etag, entry.size))
    return {hash_key: entry.etag, "size": entry.size, "pointerSize": pointer_size}


def folder_oids(files: Iterable[FileEntry]) -> dict[str, str]:
    """The git tree id of every folder ("" is the root), from its files' blob ids."""
    children: dict[str, dict[str, tuple[str, str]]] = defaultdict(dict)  # name -> (mode, oid)
    for entry in files:
        folder, _, name = entry.path.rpartition("/")
        children[folder][name] = ("100644", blob_id(entry))
        while folder:
            parent, _, name = folder.rpartition("/")
            children[parent][name] = ("40000", "")  # its id is known once its folder is done
            folder = parent
    oids: dict[str, str] = {}
    for folder in sorted(children, key=lambda f: f.count("/") + bool(f), reverse=True):
        items = children[folder]
        body = b""
        # git orders a folder's entries by name, a subfolder's name as if it ended with "/"
        for name in sorted(items, key=lambda n: n + "/" if items[n][0] == "40000" else n):
            mode, oid = items[name]
            oid = oid or oids[f"{folder}/{name}" if folder else name]
            body += f"{mode} {name}".encode() + b"\0" + bytes.fromhex(oid)
        oids[folder] = _git_object_id(b"tree", body)
    return oids


def tree_entries(files: Iterable[FileEntry]) -> list[dict[str, Any]]:
    """Every file and folder of a snapshot as the tree endpoint lists them, sorted by path."""
    files = list(files)
    folders = [
        {"type": "directory", "oid": oid, "size": 0, "path": path}
        for path, oid in folder_oids(files).items()
        if path
    ]
    return sorted([*folders, *map(_file_json, files)], key=lambda e: e["path"])


def list_folder(
    entries: Sequence[dict[str, Any]], folder: str, *, recursive: bool
) -> list[dict[str, Any]] | None:
    """The entries under ``folder`` ("" for the root): one level, or all with ``recursive``.

    None when ``folder`` is not a folder of the snapshot.
    """
    if folder and not any(e["path"] == folder and e["type"] == "directory" for e in entries):
        return None
    prefix = f"{folder}/" if folder else ""
    inside = [e for e in entries if e["path"].startswith(prefix)]
    if recursive:
        return inside
    return [e for e in inside if "/" not in e["path"][len(prefix) :]]


def paths_info(entries: Sequence[dict[str, Any]], paths: Iterable[str]) -> list[dict[str, Any]]:
    """The entries of ``paths`` in the order asked, missing ones left out (as the Hub does)."""
    by_path = {e["path"]: e for e in entries}
    wanted = dict.fromkeys(p.strip("/") for p in paths)
    return [by_path[p] for p in wanted if p in by_path]


def refs_json(
    refs: Mapping[str, str], git_tags: Iterable[str], *, include_prs: bool = False
) -> dict[str, Any]:
    """``{"branches", "tags", "converts"}`` (and ``"pullRequests"``) from ref name -> commit."""
    tags = set(git_tags)
    out: dict[str, list[dict[str, str]]] = {"branches": [], "tags": [], "converts": []}
    prs: list[dict[str, str]] = []
    for name, commit in sorted(refs.items()):
        if name.startswith("refs/pr/"):
            prs.append({"name": name, "ref": name, "targetCommit": commit})
        elif name in tags:
            out["tags"].append({"name": name, "ref": f"refs/tags/{name}", "targetCommit": commit})
        else:
            out["branches"].append(
                {"name": name, "ref": f"refs/heads/{name}", "targetCommit": commit}
            )
    return {**out, "pullRequests": prs} if include_prs else dict(out)


@dataclass(frozen=True)
class Snapshot:
    """One commit of a repo, as the API describes it (times in seconds since the epoch)."""

    repo_id: str
    commit: str
    files: tuple[FileEntry, ...]
    modified: float
    created: float


def iso_time(seconds: float) -> str:
    """The Hub's timestamp format: ``2024-01-01T00:00:00.000Z``."""
    return datetime.fromtimestamp(seconds, tz=UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def _card(repo_id: str, meta: RepoMeta, *, created: float) -> dict[str, Any]:
    return {
        "id": repo_id,
        "modelId": repo_id,
        "author": repo_id.partition("/")[0],
        "private": meta.private,
        "downloads": meta.downloads,
        "likes": meta.likes,
        "tags": list(meta.model_tags),
        "pipeline_tag": meta.pipeline_tag,
        "library_name": meta.library_name,
        "createdAt": iso_time(created),
    }


def model_info(snapshot: Snapshot, meta: RepoMeta, *, blobs: bool) -> dict[str, Any]:
    """The repo info answer; ``blobs`` adds each file's size, blob id and LFS hash."""
    siblings = []
    for entry in snapshot.files:
        sibling: dict[str, Any] = {"rfilename": entry.path}
        if blobs:
            sibling.update(blobId=blob_id(entry), size=entry.size)
            if entry.is_lfs:
                sibling["lfs"] = _lfs_json(entry, hash_key="sha256")
        siblings.append(sibling)
    return {
        **_card(snapshot.repo_id, meta, created=snapshot.created),
        "sha": snapshot.commit,
        "lastModified": iso_time(snapshot.modified),
        "gated": meta.gated,
        "disabled": meta.disabled,
        "siblings": siblings,
    }


@dataclass(frozen=True)
class SearchQuery:
    """``GET /api/models`` parameters: words of the id, author, tags (``filter``), sort, limit."""

    search: str = ""
    author: str | None = None
    tags: tuple[str, ...] = ()
    sort: str | None = None
    limit: int | None = None

    @classmethod
    def parse(cls, query: Mapping[str, str], tags: Sequence[str]) -> SearchQuery:
        """From the query string; ValueError for a bad ``sort`` or ``limit``."""
        sort = query.get("sort") or None
        if sort is not None and sort not in _SORT_KEYS:
            raise ValueError(f"Invalid sort: {sort}")
        limit = int(query["limit"]) if query.get("limit") else None
        if limit is not None and limit < 1:
            raise ValueError(f"Invalid limit: {limit}")
        return cls(query.get("search", ""), query.get("author") or None, tuple(tags), sort, limit)

    def matches(self, repo_id: str, meta: RepoMeta) -> bool:
        """Every word is in the id (case-insensitive), the author and the tags fit."""
        lowered = repo_id.lower()
        if not all(word in lowered for word in self.search.lower().split()):
            return False
        if self.author is not None and repo_id.partition("/")[0].lower() != self.author.lower():
            return False
        return set(self.tags) <= set(meta.model_tags) | {meta.library_name, meta.pipeline_tag}

    def order(self, entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """By id, or by ``sort`` in descending order (ties by id); cut at ``limit``."""
        ranked = sorted(entries, key=lambda e: e["id"])
        if (key := self.sort) not in (None, "id"):
            ranked.sort(key=lambda e: e.get(key, 0), reverse=True)  # stable: ties stay by id
        return ranked[: self.limit] if self.limit is not None else ranked


def search_entry(
    repo_id: str, meta: RepoMeta, *, created: float, modified: float
) -> dict[str, Any]:
    """One search result."""
    return {**_card(repo_id, meta, created=created), "lastModified": iso_time(modified)}


def page(items: Sequence[T], cursor: str | None, size: int) -> tuple[list[T], str | None]:
    """The page that starts at ``cursor`` (None: the first) and the next page's cursor, if any.

    Cursors are opaque to clients (they follow the ``Link`` header); ValueError for a bad one.
    """
    start = 0
    if cursor:
        try:
            start = int(base64.urlsafe_b64decode(cursor.encode()).decode())
        except (binascii.Error, UnicodeDecodeError, ValueError) as exc:
            raise ValueError(f"Invalid cursor: {cursor}") from exc
        if start < 0:
            raise ValueError(f"Invalid cursor: {cursor}")
    end = start + size
    if end >= len(items):
        return list(items[start:]), None
    return list(items[start:end]), base64.urlsafe_b64encode(str(end).encode()).decode()


# -- access and handlers ---------------------------------------------------------------------------


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
        metas = read_repo_metas(self.layout.root)
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
    if request.content_type == "application/json":
        data = await request.json()
        paths = data.get("paths", []) if isinstance(data, dict) else []
    else:
        paths = (await request.post()).getall("paths", [])
    return [p for p in ([paths] if isinstance(paths, str) else paths) if isinstance(p, str)]
