"""The Hub's JSON answers as plain data: parsing repo info and tree listings, selecting files.

Pure: no network, no disk. ``vcp.models.hub.registry`` fetches and caches; this module only reads.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from vcp.core.checksums import Checksum
from vcp.core.hub_names import is_commit
from vcp.core.relpaths import safe_relpath

_LINK = re.compile(r"<([^>]*)>([^<]*)")  # a target, then its parameters up to the next link
_REL = re.compile(r'(?:^|;)\s*rel\s*=\s*(?:"([^"]*)"|([^\s;,]+))', re.IGNORECASE)


@dataclass(frozen=True)
class HubFile:
    """A file of a repo at a commit: its size and identity (sha256 if LFS, else git blob sha1)."""

    path: str
    size: int
    checksum: Checksum
    lfs: bool

    @property
    def etag(self) -> str:
        """What the Hub's ETag says, and what the cache names the blob after."""
        return self.checksum.hexdigest


@dataclass(frozen=True)
class RepoSnapshot:
    """A repository at a revision, as the Hub lists it."""

    repo: str
    revision: str
    commit: str
    files: tuple[HubFile, ...]
    fetched_at: float

    def file(self, path: str) -> HubFile | None:
        for entry in self.files:
            if entry.path == path:
                return entry
        return None

    def select(self, patterns: Iterable[str]) -> tuple[list[HubFile], list[str]]:
        """The files matching ``patterns`` (names or globs), and the patterns that matched none."""
        chosen: dict[str, HubFile] = {}
        unmatched = []
        for pattern in patterns:
            hits = [f for f in self.files if fnmatch.fnmatchcase(f.path, pattern)]
            if not hits:
                unmatched.append(pattern)
            chosen.update((f.path, f) for f in hits)
        return sorted(chosen.values(), key=lambda f: f.path), unmatched

    def to_json(self) -> dict[str, Any]:
        return {
            "repo": self.repo,
            "revision": self.revision,
            "commit": self.commit,
            "fetched_at": self.fetched_at,
            "files": [
                {"path": f.path, "size": f.size, "checksum": str(f.checksum), "lfs": f.lfs}
                for f in self.files
            ],
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> RepoSnapshot:
        files = tuple(
            HubFile(f["path"], int(f["size"]), Checksum.parse(f["checksum"]), bool(f["lfs"]))
            for f in data["files"]
        )
        return cls(data["repo"], data["revision"], data["commit"], files, float(data["fetched_at"]))


def info_url(endpoint: str, repo: str, revision: str) -> str:
    """Repo info at a revision, with per-file sizes and hashes."""
    return f"{endpoint}/api/models/{repo}/revision/{quote(revision, safe='')}?blobs=true"


def tree_url(endpoint: str, repo: str, revision: str) -> str:
    """The recursive file listing (paginated with ``Link``) for repos too large for repo info."""
    return (
        f"{endpoint}/api/models/{repo}/tree/{quote(revision, safe='')}?recursive=true&expand=false"
    )


def parse_siblings(data: Any) -> tuple[str, list[HubFile] | None]:
    """Commit and files from repo info; files are None when sizes/hashes are missing.

    Raises ValueError naming what is wrong when the answer is not repo info (an error page, a
    proxy's JSON, a truncated listing), and UnsafePathError for a name outside the repo.
    """
    if not isinstance(data, Mapping):
        raise ValueError(f"repo info is not a JSON object: {_preview(data)}")
    commit = data.get("sha")
    if not isinstance(commit, str) or not is_commit(commit):
        raise ValueError(f"repo info has no commit id ('sha'): {_preview(commit)}")
    siblings = data.get("siblings") or []
    if not isinstance(siblings, list):
        raise ValueError(f"repo info's 'siblings' is not a list: {_preview(siblings)}")
    files: list[HubFile] = []
    for sibling in siblings:
        if not isinstance(sibling, Mapping):
            raise ValueError(f"a sibling is not a JSON object: {_preview(sibling)}")
        name = sibling.get("rfilename")
        lfs = sibling.get("lfs")
        if isinstance(lfs, Mapping) and lfs.get("sha256"):
            files.append(
                _entry(name, lfs.get("size", sibling.get("size")), "sha256", lfs["sha256"])
            )
        elif sibling.get("blobId") and sibling.get("size") is not None:
            files.append(_entry(name, sibling["size"], "git-sha1", sibling["blobId"], lfs=False))
        else:
            return commit, None  # repo info without blobs=true: fall back to the tree listing
    return commit, files


def parse_tree(entries: Any) -> list[HubFile]:
    """Files (not directories) of one page of a tree listing; the LFS key here is ``lfs.oid``."""
    if not isinstance(entries, list):
        raise ValueError(f"a tree page is not a JSON array: {_preview(entries)}")
    files = []
    for entry in entries:
        if not isinstance(entry, Mapping):
            raise ValueError(f"a tree entry is not a JSON object: {_preview(entry)}")
        if entry.get("type") != "file":
            continue
        lfs = entry.get("lfs")
        if isinstance(lfs, Mapping) and lfs.get("oid"):
            size = lfs.get("size", entry.get("size"))
            files.append(_entry(entry.get("path"), size, "sha256", lfs["oid"]))
        else:
            size, oid = entry.get("size"), entry.get("oid")
            files.append(_entry(entry.get("path"), size, "git-sha1", oid, lfs=False))
    return files


def _entry(path: Any, size: Any, algorithm: str, digest: Any, *, lfs: bool = True) -> HubFile:
    if not isinstance(path, str):
        raise ValueError(f"file entry without a path: {path!r}")
    safe_relpath(path)  # a listing must not name a file outside the repo
    if isinstance(size, bool) or not isinstance(size, int | str) or not str(size).isdigit():
        raise ValueError(f"{path!r}: the size is not a byte count: {size!r}")
    try:
        checksum = Checksum(algorithm, digest if isinstance(digest, str) else "")
    except ValueError as exc:
        raise ValueError(f"{path!r}: bad {algorithm} {digest!r}: {exc}") from None
    return HubFile(path, int(size), checksum, lfs)


def _preview(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def next_link(header: str | None) -> str | None:
    """The ``rel="next"`` URL of an RFC 8288 ``Link`` header.

    Parameters may come in any order and ``rel`` may hold several (case-insensitive) types: a
    missed next page would silently truncate the file list.
    """
    for target, params in _LINK.findall(header or ""):
        rel = _REL.search(params)
        if rel and "next" in (rel.group(1) or rel.group(2) or "").lower().split():
            return str(target)
    return None
