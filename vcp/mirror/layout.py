"""Read a Hugging Face Hub cache layout: repos, revisions and the files of a snapshot.

    ROOT/models--{org}--{name}/blobs/{etag}
    ROOT/models--{org}--{name}/snapshots/{commit}/{path}   -> ../../blobs/{etag}
    ROOT/models--{org}--{name}/refs/{revision}             text: the commit sha

    ROOT/.mirror/repos.json                                what it cannot say (repo_meta.py)

A snapshot entry is normally a relative symlink into ``blobs/`` and its etag is the blob's name.
Where the entry is a plain copy (no symlinks on that file system) the etag is computed from the
bytes, the way the Hub would: sha256 for LFS files, the git blob sha1 for regular ones.
Anything else under the root (``.locks/``, vcp's ``.vcp/``, ``files/``) is not a repo.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from vcp.core.checksums import Hasher, hash_file
from vcp.core.hub_names import is_commit, repo_folder
from vcp.core.relpaths import safe_relpath
from vcp.errors import UnsafePathError
from vcp.mirror.repo_meta import RepoMeta, RepoMetaFile

__all__ = [
    "FileEntry",
    "HubLayout",
    "bytes_etag",
    "file_etag",
    "is_lfs_by_default",
    "is_safe_relpath",
    "is_sha",
    "repo_folder_name",
    "repo_id_of_folder",
]

LFS_MIN_SIZE = 10 * 1024 * 1024
LFS_SUFFIXES = frozenset({".bin", ".onnx", ".safetensors", ".pt", ".gguf", ".msgpack", ".h5"})
_SHA256_RE = re.compile(r"[0-9a-f]{64}")
_REPO_PART_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
_REPO_PREFIX = "models--"  # what vcp.models.cache.repo_folder puts before the id


@dataclass(frozen=True)
class FileEntry:
    """One file of a snapshot: where its bytes live and how the Hub identifies it."""

    path: str
    blob_path: Path
    size: int
    etag: str
    is_lfs: bool


def is_safe_relpath(path: str) -> bool:
    """True if ``path`` is a plain relative POSIX path that cannot climb out of its folder."""
    try:
        safe_relpath(path)
    except UnsafePathError:
        return False
    return True


def is_sha(text: str) -> bool:
    """True for a commit id or a git blob sha1 (40 hex digits) exactly, nothing around it."""
    # is_commit's pattern ends in "$", which also accepts a trailing newline: hence the length.
    return len(text) == 40 and is_commit(text)


def is_lfs_by_default(path: str, size: int) -> bool:
    """The Hub's usual rule of thumb: big files and weight formats are stored with git LFS."""
    return size >= LFS_MIN_SIZE or PurePosixPath(path).suffix.lower() in LFS_SUFFIXES


def repo_folder_name(repo_id: str) -> str | None:
    """``org/name`` -> ``models--org--name``; None if the id is not a valid repo id."""
    parts = repo_id.split("/")
    if not 1 <= len(parts) <= 2:
        return None
    if not all(_REPO_PART_RE.fullmatch(p) and ".." not in p for p in parts):
        return None
    return repo_folder(repo_id)


def repo_id_of_folder(folder: str) -> str | None:
    """``models--org--name`` -> ``org/name``; None for any other folder (``.locks``, ``files``)."""
    if not folder.startswith(_REPO_PREFIX):
        return None
    repo_id = folder.removeprefix(_REPO_PREFIX).replace("--", "/", 1)
    return repo_id if repo_folder_name(repo_id) == folder else None


def _etag_algorithm(is_lfs: bool) -> str:
    return "sha256" if is_lfs else "git-sha1"


def file_etag(path: Path, *, is_lfs: bool) -> str:
    """The Hub's etag of a file: its sha256 if LFS, else its git blob sha1. Blocking."""
    return hash_file(path, _etag_algorithm(is_lfs)).hexdigest


def bytes_etag(data: bytes, *, is_lfs: bool) -> str:
    """``file_etag`` of bytes already in memory."""
    hasher = Hasher(_etag_algorithm(is_lfs), len(data))
    hasher.update(data)
    return hasher.hexdigest()


class HubLayout:
    """Read-only view of a Hub-layout root. Computed etags are cached in memory (thread-safe)."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self._etags: dict[tuple[Path, int, int, bool], str] = {}
        self._lock = threading.Lock()
        self._metas = RepoMetaFile(self.root)

    def repo_dir(self, repo_id: str) -> Path | None:
        """The folder of ``repo_id`` if it exists under the root."""
        folder = repo_folder_name(repo_id)
        if folder is None:
            return None
        path = self.root / folder
        return path if path.is_dir() else None

    def repo_ids(self) -> list[str]:
        """Every repo under the root, sorted (folders that are not ``models--*`` are skipped)."""
        try:
            folders = [p.name for p in self.root.iterdir() if p.is_dir()]
        except FileNotFoundError:
            return []
        return sorted(i for i in map(repo_id_of_folder, folders) if i is not None)

    def repo_meta(self, repo_id: str) -> RepoMeta | None:
        """The repo's ``RepoMeta`` (defaults when it has no entry); None if the repo is missing."""
        if self.repo_dir(repo_id) is None:
            return None
        return self.repo_metas().get(repo_id, RepoMeta())

    def repo_metas(self) -> Mapping[str, RepoMeta]:
        """Every repo's ``RepoMeta`` from ``ROOT/.mirror/repos.json`` (empty if it is malformed)."""
        return self._metas.read()

    def refs(self, repo_id: str) -> dict[str, str]:
        """Every ref (``main``, ``v1.0``, ``refs/pr/1``) that points to a snapshot -> its commit."""
        repo = self.repo_dir(repo_id)
        if repo is None:
            return {}
        folder = repo / "refs"
        names = sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())
        found = {name: self.resolve_revision(repo_id, name) for name in names}
        return {name: commit for name, commit in found.items() if commit is not None}

    def snapshot_mtime(self, repo_id: str, commit: str) -> float | None:
        """When the snapshot of ``commit`` last changed (seconds since the epoch)."""
        repo = self.repo_dir(repo_id)
        if repo is None or not is_sha(commit):
            return None
        try:
            return (repo / "snapshots" / commit).stat().st_mtime
        except OSError:
            return None

    def snapshot_times(self, repo_id: str) -> tuple[float, float] | None:
        """When the repo's first and last snapshots were made (seconds since the epoch)."""
        repo = self.repo_dir(repo_id)
        if repo is None:
            return None
        try:
            times = [p.stat().st_mtime for p in (repo / "snapshots").iterdir() if p.is_dir()]
        except OSError:
            return None
        return (min(times), max(times)) if times else None

    def resolve_revision(self, repo_id: str, revision: str) -> str | None:
        """The commit ``revision`` (a commit sha, branch, tag or ``refs/pr/N``) points to."""
        repo = self.repo_dir(repo_id)
        if repo is None or not is_safe_relpath(revision):
            return None
        if is_sha(revision) and (repo / "snapshots" / revision).is_dir():
            return revision
        ref = repo / "refs" / revision
        if not ref.is_file():
            return None
        commit = ref.read_text(encoding="utf-8").strip()
        if is_sha(commit) and (repo / "snapshots" / commit).is_dir():
            return commit
        return None

    def file_entry(self, repo_id: str, commit: str, path: str) -> FileEntry | None:
        """The file ``path`` of snapshot ``commit``; None if missing or the path is unsafe.

        May hash the file (when the snapshot holds a copy): call it off the event loop.
        """
        repo = self.repo_dir(repo_id)
        if repo is None or not is_sha(commit) or not is_safe_relpath(path):
            return None
        entry = repo / "snapshots" / commit / path
        try:
            blob = entry.resolve(strict=True)
        except (OSError, RuntimeError):
            return None
        if not blob.is_file() or not blob.is_relative_to(repo.resolve()):
            return None
        return self._describe(path, entry, blob)

    def list_files(self, repo_id: str, commit: str) -> list[FileEntry]:
        """Every file of snapshot ``commit``, sorted by path."""
        repo = self.repo_dir(repo_id)
        if repo is None or not is_sha(commit):
            return []
        snapshot = repo / "snapshots" / commit
        paths = sorted(p.relative_to(snapshot).as_posix() for p in snapshot.rglob("*"))
        entries = (self.file_entry(repo_id, commit, p) for p in paths)
        return [e for e in entries if e is not None]

    def blob(self, repo_id: str, etag: str) -> Path | None:
        """The blob named ``etag`` in the repo's ``blobs/`` folder (what a CDN would serve)."""
        repo = self.repo_dir(repo_id)
        if repo is None or not (is_sha(etag) or _SHA256_RE.fullmatch(etag)):
            return None
        path = repo / "blobs" / etag
        return path if path.is_file() else None

    def _describe(self, path: str, entry: Path, blob: Path) -> FileEntry:
        size = blob.stat().st_size
        name = blob.name
        if entry.is_symlink() and blob.parent.name == "blobs":
            if _SHA256_RE.fullmatch(name):
                return FileEntry(path, blob, size, name, is_lfs=True)
            if is_sha(name):
                return FileEntry(path, blob, size, name, is_lfs=False)
        is_lfs = is_lfs_by_default(path, size)
        return FileEntry(path, blob, size, self._computed_etag(blob, is_lfs=is_lfs), is_lfs)

    def _computed_etag(self, blob: Path, *, is_lfs: bool) -> str:
        stat = blob.stat()
        key = (blob, stat.st_size, stat.st_mtime_ns, is_lfs)
        with self._lock:
            cached = self._etags.get(key)
        if cached is None:
            cached = file_etag(blob, is_lfs=is_lfs)
            with self._lock:
                self._etags[key] = cached
        return cached
