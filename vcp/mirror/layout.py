"""Read a Hugging Face Hub cache layout: repos, revisions and the files of a snapshot.

    ROOT/models--{org}--{name}/blobs/{etag}
    ROOT/models--{org}--{name}/snapshots/{commit}/{path}   -> ../../blobs/{etag}
    ROOT/models--{org}--{name}/refs/{revision}             text: the commit sha

A snapshot entry is normally a relative symlink into ``blobs/`` and its etag is the blob's name.
Where the entry is a plain copy (no symlinks on that file system) the etag is computed from the
bytes, the way the Hub would: sha256 for LFS files, the git blob sha1 for regular ones.
"""

from __future__ import annotations

import hashlib
import re
import threading
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

__all__ = [
    "FileEntry",
    "HubLayout",
    "git_blob_sha1",
    "is_lfs_by_default",
    "is_safe_relpath",
    "repo_folder_name",
    "sha256_file",
]

LFS_MIN_SIZE = 10 * 1024 * 1024
LFS_SUFFIXES = frozenset({".bin", ".onnx", ".safetensors", ".pt", ".gguf", ".msgpack", ".h5"})
_HASH_CHUNK = 1024 * 1024
_COMMIT_RE = re.compile(r"[0-9a-f]{40}")
_SHA1_RE = re.compile(r"[0-9a-f]{40}")
_SHA256_RE = re.compile(r"[0-9a-f]{64}")
_REPO_PART_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")


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
    if not path or "\\" in path or "\0" in path or path.startswith("/"):
        return False
    return all(part not in ("", ".", "..") for part in path.split("/"))


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
    return "models--" + "--".join(parts)


def git_blob_sha1(path: Path) -> str:
    """The git blob id of a file: ``sha1(b"blob <size>\\0" + data)``, read in chunks."""
    digest = hashlib.sha1(b"blob %d\0" % path.stat().st_size)
    return _feed(digest, path)


def sha256_file(path: Path) -> str:
    """The sha256 of a file, read in chunks."""
    return _feed(hashlib.sha256(), path)


def _feed(digest: hashlib._Hash, path: Path) -> str:
    with path.open("rb") as f:
        while chunk := f.read(_HASH_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


class HubLayout:
    """Read-only view of a Hub-layout root. Computed etags are cached in memory (thread-safe)."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self._etags: dict[tuple[Path, int, int, bool], str] = {}
        self._lock = threading.Lock()

    def repo_dir(self, repo_id: str) -> Path | None:
        """The folder of ``repo_id`` if it exists under the root."""
        folder = repo_folder_name(repo_id)
        if folder is None:
            return None
        path = self.root / folder
        return path if path.is_dir() else None

    def resolve_revision(self, repo_id: str, revision: str) -> str | None:
        """The commit ``revision`` (a commit sha, branch, tag or ``refs/pr/N``) points to."""
        repo = self.repo_dir(repo_id)
        if repo is None or not is_safe_relpath(revision):
            return None
        if _COMMIT_RE.fullmatch(revision) and (repo / "snapshots" / revision).is_dir():
            return revision
        ref = repo / "refs" / revision
        if not ref.is_file():
            return None
        commit = ref.read_text(encoding="utf-8").strip()
        if _COMMIT_RE.fullmatch(commit) and (repo / "snapshots" / commit).is_dir():
            return commit
        return None

    def file_entry(self, repo_id: str, commit: str, path: str) -> FileEntry | None:
        """The file ``path`` of snapshot ``commit``; None if missing or the path is unsafe.

        May hash the file (when the snapshot holds a copy): call it off the event loop.
        """
        repo = self.repo_dir(repo_id)
        if repo is None or not _COMMIT_RE.fullmatch(commit) or not is_safe_relpath(path):
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
        if repo is None or not _COMMIT_RE.fullmatch(commit):
            return []
        snapshot = repo / "snapshots" / commit
        paths = sorted(p.relative_to(snapshot).as_posix() for p in snapshot.rglob("*"))
        entries = (self.file_entry(repo_id, commit, p) for p in paths)
        return [e for e in entries if e is not None]

    def blob(self, repo_id: str, etag: str) -> Path | None:
        """The blob named ``etag`` in the repo's ``blobs/`` folder (what a CDN would serve)."""
        repo = self.repo_dir(repo_id)
        if repo is None or not (_SHA1_RE.fullmatch(etag) or _SHA256_RE.fullmatch(etag)):
            return None
        path = repo / "blobs" / etag
        return path if path.is_file() else None

    def _describe(self, path: str, entry: Path, blob: Path) -> FileEntry:
        size = blob.stat().st_size
        name = blob.name
        if entry.is_symlink() and blob.parent.name == "blobs":
            if _SHA256_RE.fullmatch(name):
                return FileEntry(path, blob, size, name, is_lfs=True)
            if _SHA1_RE.fullmatch(name):
                return FileEntry(path, blob, size, name, is_lfs=False)
        is_lfs = is_lfs_by_default(path, size)
        return FileEntry(path, blob, size, self._computed_etag(blob, is_lfs=is_lfs), is_lfs)

    def _computed_etag(self, blob: Path, *, is_lfs: bool) -> str:
        stat = blob.stat()
        key = (blob, stat.st_size, stat.st_mtime_ns, is_lfs)
        with self._lock:
            cached = self._etags.get(key)
        if cached is None:
            cached = sha256_file(blob) if is_lfs else git_blob_sha1(blob)
            with self._lock:
                self._etags[key] = cached
        return cached
