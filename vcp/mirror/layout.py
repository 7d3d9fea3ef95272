"""Read a Hugging Face Hub cache layout: repos, revisions and the files of a snapshot.

    ROOT/models--{org}--{name}/blobs/{etag}
    ROOT/models--{org}--{name}/snapshots/{commit}/{path}   -> ../../blobs/{etag}
    ROOT/models--{org}--{name}/refs/{revision}             text: the commit sha

    ROOT/.mirror/repos.json                                what the layout cannot say (RepoMeta)

A snapshot entry is normally a relative symlink into ``blobs/`` and its etag is the blob's name.
Where the entry is a plain copy (no symlinks on that file system) the etag is computed from the
bytes, the way the Hub would: sha256 for LFS files, the git blob sha1 for regular ones.
Anything else under the root (``.locks/``, vcp's ``.vcp/``, ``files/``) is not a repo.
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields
from pathlib import Path, PurePosixPath
from typing import Any, Literal

__all__ = [
    "META_FILE",
    "FileEntry",
    "Gated",
    "HubLayout",
    "RepoMeta",
    "git_blob_sha1",
    "is_lfs_by_default",
    "is_safe_relpath",
    "read_repo_metas",
    "repo_folder_name",
    "repo_id_of_folder",
    "sha256_file",
]

LFS_MIN_SIZE = 10 * 1024 * 1024
LFS_SUFFIXES = frozenset({".bin", ".onnx", ".safetensors", ".pt", ".gguf", ".msgpack", ".h5"})
_HASH_CHUNK = 1024 * 1024
_COMMIT_RE = re.compile(r"[0-9a-f]{40}")
_SHA1_RE = re.compile(r"[0-9a-f]{40}")
_SHA256_RE = re.compile(r"[0-9a-f]{64}")
_REPO_PART_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
_REPO_PREFIX = "models--"
META_FILE = PurePosixPath(".mirror/repos.json")

Gated = Literal[False, "auto", "manual"]


@dataclass(frozen=True)
class FileEntry:
    """One file of a snapshot: where its bytes live and how the Hub identifies it."""

    path: str
    blob_path: Path
    size: int
    etag: str
    is_lfs: bool


@dataclass(frozen=True)
class RepoMeta:
    """What the mirror knows of a repo beyond the cache layout (``ROOT/.mirror/repos.json``).

    ``git_tags`` names the refs that are tags (the other refs are branches, ``refs/pr/N`` pull
    requests). ``gated`` and ``private`` repos need the mirror's token (gated: only to download
    files); a ``disabled`` repo refuses everything. The rest is what the Hub's API reports
    (``model_tags`` is its ``tags`` list: library, task, language, license).
    """

    git_tags: tuple[str, ...] = ()
    gated: Gated = False
    private: bool = False
    disabled: bool = False
    model_tags: tuple[str, ...] = ()
    pipeline_tag: str | None = None
    library_name: str | None = None
    downloads: int = 0
    likes: int = 0

    def __post_init__(self) -> None:
        if self.gated not in (False, "auto", "manual"):
            raise ValueError(f'gated is false, "auto" or "manual", got {self.gated!r}')
        for name in ("git_tags", "model_tags"):
            value = getattr(self, name)
            if isinstance(value, str):
                raise TypeError(f"{name} is a list of names, got the string {value!r}")
            object.__setattr__(self, name, tuple(value))  # frozen: lists become tuples

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> RepoMeta:
        """Read one repo's entry; unknown keys are ignored."""
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in known})

    def to_json(self) -> dict[str, Any]:
        """The entry to store: only what differs from the defaults."""
        default = asdict(RepoMeta())
        return {
            k: list(v) if isinstance(v, tuple) else v
            for k, v in asdict(self).items()
            if v != default[k]
        }


def read_repo_metas(root: Path) -> dict[str, RepoMeta]:
    """Every repo's ``RepoMeta`` from ``ROOT/.mirror/repos.json`` (empty when there is none)."""
    try:
        text = (Path(root) / META_FILE).read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    return {repo_id: RepoMeta.from_json(entry) for repo_id, entry in json.loads(text).items()}


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
    return _REPO_PREFIX + "--".join(parts)


def repo_id_of_folder(folder: str) -> str | None:
    """``models--org--name`` -> ``org/name``; None for any other folder (``.locks``, ``files``)."""
    if not folder.startswith(_REPO_PREFIX):
        return None
    repo_id = folder.removeprefix(_REPO_PREFIX).replace("--", "/", 1)
    return repo_id if repo_folder_name(repo_id) == folder else None


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
        return read_repo_metas(self.root).get(repo_id, RepoMeta())

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
        if repo is None or not _COMMIT_RE.fullmatch(commit):
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
