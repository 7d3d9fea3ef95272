"""The Hub's JSON answers, built from layout data: repo info, tree entries, refs, search, pages.

Pure functions of ``FileEntry`` lists and ``RepoMeta``: no aiohttp, no files, no event loop
(``vcp.mirror.hub_api.routes`` serves them). Identities are git's: a regular file's
``oid``/``blobId`` is its git blob sha1, an LFS file's is the blob sha1 of its pointer file, a
folder's is its git tree id.
"""

from __future__ import annotations

import base64
import binascii
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeVar

from vcp.core.checksums import Hasher
from vcp.mirror.layout import FileEntry, bytes_etag
from vcp.mirror.repo_meta import RepoMeta

__all__ = [
    "SearchQuery",
    "Snapshot",
    "blob_id",
    "folder_oids",
    "iso_time",
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

_LFS_SPEC = "https://git-lfs.github.com/spec/v1"
_SORT_KEYS = frozenset({"downloads", "likes", "createdAt", "lastModified", "trendingScore", "id"})


def lfs_pointer(sha256: str, size: int) -> bytes:
    """The git LFS pointer file that stands in the git tree for an LFS file."""
    return f"version {_LFS_SPEC}\noid sha256:{sha256}\nsize {size}\n".encode()


def _git_tree_id(body: bytes) -> str:
    # Hasher's "git-sha1" is git's blob id; a tree object is hashed the same way as "tree".
    hasher = Hasher("sha1")
    hasher.update(b"tree %d\0" % len(body))
    hasher.update(body)
    return hasher.hexdigest()


def blob_id(entry: FileEntry) -> str:
    """The file's git blob id: its etag for a regular file, the pointer's id for an LFS file."""
    if entry.is_lfs:
        return bytes_etag(lfs_pointer(entry.etag, entry.size), is_lfs=False)
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
        oids[folder] = _git_tree_id(body)
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
