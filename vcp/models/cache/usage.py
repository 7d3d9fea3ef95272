"""What the cache holds and what it costs on disk (``vcp models du``), without the network.

A scan of the cache directory: per model folder its revisions (snapshots, with the refs that name
them and the blobs they link to), its content files, the partial downloads beside them; then the
quarantine and everything else (verification records, metadata, locks). A blob shared by two
revisions counts in each revision's size but once in the folder's and the total, as in
``hf cache scan``. Which revisions the configuration uses comes from ``config_uses``.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from vcp.config.schema import ModelsSettings
from vcp.core.hub_names import is_commit, repo_folder, url_folder
from vcp.models.cache.inspection import local_specs
from vcp.models.cache.store import INCOMPLETE_SUFFIX, ModelCache

__all__ = ["CacheUsage", "ConfigUses", "DiskEntry", "Folder", "Revision", "config_uses", "scan"]

STATE_SUFFIX = INCOMPLETE_SUFFIX + ".json"  # a partial download's resume state


@dataclass(frozen=True)
class DiskEntry:
    """One file on disk (a partial download counts its state file in ``size``)."""

    path: Path
    size: int
    mtime: float


@dataclass(frozen=True)
class Revision:
    """One snapshot: a commit, the refs naming it, the blobs its files link to."""

    commit: str
    refs: tuple[str, ...]
    blobs: frozenset[str]  # names in the folder's blobs/
    copies: tuple[DiskEntry, ...]  # snapshot files that are copies, not links (no symlinks)
    files: int
    size: int


@dataclass(frozen=True)
class Folder:
    """A model's cache folder: a Hub repo (``models--org--name``) or a URL source (``url--x``)."""

    name: str
    label: str  # org/name, or the URL source's name
    hub: bool
    revisions: tuple[Revision, ...]
    content: Mapping[str, DiskEntry]  # Hub: blob name -> blob; URL: file name -> file
    partials: tuple[DiskEntry, ...]

    @property
    def size(self) -> int:
        """Bytes of complete content, each blob once (partials apart)."""
        copies = sum(c.size for r in self.revisions for c in r.copies)
        return sum(e.size for e in self.content.values()) + copies

    @property
    def partial_size(self) -> int:
        return sum(p.size for p in self.partials)


@dataclass(frozen=True)
class CacheUsage:
    """Everything under one cache root, by kind; ``total`` is the sum of the parts."""

    root: Path
    folders: tuple[Folder, ...]
    quarantine: tuple[DiskEntry, ...]
    other: int  # verification records, metadata, locks

    @property
    def partials(self) -> tuple[DiskEntry, ...]:
        return tuple(p for f in self.folders for p in f.partials)

    @property
    def total(self) -> int:
        models = sum(f.size + f.partial_size for f in self.folders)
        return models + sum(q.size for q in self.quarantine) + self.other

    def folder(self, name: str) -> Folder | None:
        return next((f for f in self.folders if f.name == name), None)


@dataclass(frozen=True)
class ConfigUses:
    """What the configuration points at in the cache: commits and blobs per folder, by source."""

    commits: Mapping[str, Mapping[str, tuple[str, ...]]] = field(default_factory=dict)
    blobs: Mapping[str, frozenset[str]] = field(default_factory=dict)
    sources: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # folder -> sources

    def users(self, folder: str, commit: str | None = None) -> tuple[str, ...]:
        """The sources using ``folder`` (at ``commit``, for a Hub revision)."""
        if commit is None:
            return self.sources.get(folder, ())
        return self.commits.get(folder, {}).get(commit, ())


def config_uses(
    settings: ModelsSettings, cache: ModelCache, *, only: frozenset[str] | None = None
) -> ConfigUses:
    """The folders, commits and blobs the configured sources (or just ``only``) point at.

    A branch or tag counts through its ref; a blob through the source's pinned checksums or
    cached file list, so a file being downloaded right now (no snapshot link yet) is known too.
    """
    commits: dict[str, dict[str, list[str]]] = {}
    blobs: dict[str, set[str]] = {}
    sources: dict[str, list[str]] = {}
    for source in settings.sources:
        if only is not None and source.name not in only:
            continue
        folder = repo_folder(source.hf.repo) if source.hf else url_folder(source.name)
        sources.setdefault(folder, []).append(source.name)
        if source.hf is not None:
            revision = source.hf.revision
            commit = revision if is_commit(revision) else cache.read_ref(folder, revision)
            if commit is not None:
                commits.setdefault(folder, {}).setdefault(commit, []).append(source.name)
        for spec in local_specs(settings, cache, source):
            if spec.known_blob:
                blobs.setdefault(folder, set()).add(spec.known_blob)
    return ConfigUses(
        {f: {c: tuple(n) for c, n in by.items()} for f, by in commits.items()},
        {f: frozenset(b) for f, b in blobs.items()},
        {f: tuple(n) for f, n in sources.items()},
    )


def scan(root: Path) -> CacheUsage:
    """What ``root`` holds, by model folder, with the quarantine and the rest."""
    folders = []
    other = 0
    if root.is_dir():
        for child in sorted(root.iterdir()):
            if child.is_dir() and child.name.startswith(("models--", "url--")):
                folders.append(_folder(child))
            elif child.name != ".vcp":
                other += _tree_size(child)
    quarantine = tuple(_entries(root / ".vcp" / "quarantine"))
    vcp_dir = root / ".vcp"
    other += _tree_size(vcp_dir) - sum(q.size for q in quarantine) if vcp_dir.is_dir() else 0
    return CacheUsage(root, tuple(folders), quarantine, other)


def _folder(path: Path) -> Folder:
    hub = path.name.startswith("models--")
    content: dict[str, DiskEntry] = {}
    partials: list[DiskEntry] = []
    store = path / "blobs" if hub else path
    for entry in _entries(store):
        name = entry.path.name
        if name.endswith(STATE_SUFFIX):
            continue
        if name.endswith(INCOMPLETE_SUFFIX):
            state = entry.path.with_name(name + ".json")
            partials.append(DiskEntry(entry.path, entry.size + _size(state), entry.mtime))
        elif not name.startswith("."):  # .name.xxxx.tmp: an atomic write in progress
            content[str(entry.path.relative_to(store))] = entry
    revisions = tuple(_revisions(path, content)) if hub else ()
    label = _label(path.name)
    return Folder(path.name, label, hub, revisions, content, tuple(partials))


def _label(folder: str) -> str:
    if folder.startswith("models--"):
        return folder.removeprefix("models--").replace("--", "/", 1)
    return folder.removeprefix("url--")


def _revisions(path: Path, blobs: Mapping[str, DiskEntry]) -> Iterator[Revision]:
    refs: dict[str, list[str]] = {}
    for ref in _entries(path / "refs"):
        commit = ref.path.read_text(encoding="utf-8", errors="replace").strip()
        refs.setdefault(commit, []).append(str(ref.path.relative_to(path / "refs")))
    snapshots = path / "snapshots"
    if not snapshots.is_dir():
        return
    for snap in sorted(snapshots.iterdir()):
        linked: set[str] = set()
        copies: list[DiskEntry] = []
        files = 0
        for dirpath, _dirs, names in os.walk(snap):
            for name in names:
                files += 1
                item = Path(dirpath) / name
                if item.is_symlink():
                    linked.add(Path(os.readlink(item)).name)
                elif item.is_file():
                    st = item.stat()
                    copies.append(DiskEntry(item, st.st_size, st.st_mtime))
        size = sum(blobs[b].size for b in linked if b in blobs) + sum(c.size for c in copies)
        commit_refs = tuple(sorted(refs.get(snap.name, ())))
        yield Revision(snap.name, commit_refs, frozenset(linked), tuple(copies), files, size)


def _entries(folder: Path) -> Iterator[DiskEntry]:
    """Regular files under ``folder`` (not following links), sorted."""
    if not folder.is_dir():
        return
    for dirpath, dirs, names in os.walk(folder):
        dirs.sort()
        for name in sorted(names):
            item = Path(dirpath) / name
            try:
                st = item.lstat()
            except OSError:
                continue  # removed while we looked
            if not item.is_symlink():
                yield DiskEntry(item, st.st_size, st.st_mtime)


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def _tree_size(path: Path) -> int:
    if path.is_file() or path.is_symlink():
        return _size(path) if not path.is_symlink() else 0
    return sum(e.size for e in _entries(path))
