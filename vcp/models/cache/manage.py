"""Removing things from the cache: ``vcp models rm`` and ``vcp models prune``.

Planning is separate from doing: ``plan_rm`` and ``plan_prune`` read a ``CacheUsage`` scan and the
configuration's uses and list what would go (``Doomed``: what, why, paths, bytes); ``carry_out``
removes it, or with ``dry_run`` only says what it would remove. Either way each item is taken under
the cross-process locks of its content files, without waiting: a file another process holds the
lock of is being downloaded or checked, so its item is skipped and reported, never removed.

What is never removed: a revision a configured source points at and the blobs it or any other
configured source uses (unless ``rm`` names that source), and lock files (deleting a lock file
another process holds would let a third take it again).
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from vcp.config.schema import ModelsSettings
from vcp.core.hub_names import repo_folder, url_folder
from vcp.models.cache.locks import holder_of, lock_now
from vcp.models.cache.store import INCOMPLETE_SUFFIX, ModelCache
from vcp.models.cache.usage import CacheUsage, ConfigUses, DiskEntry, Folder, config_uses

__all__ = [
    "PARTIAL_MAX_AGE",
    "Doomed",
    "Outcome",
    "PrunePlan",
    "carry_out",
    "plan_prune",
    "plan_rm",
]

logger = logging.getLogger(__name__)

PARTIAL_MAX_AGE = 7 * 24 * 3600.0  # seconds: older partial downloads are pruned


@dataclass(frozen=True)
class Doomed:
    """One item to remove: a revision with the blobs only it uses, a file, a partial download."""

    what: str
    why: str
    paths: tuple[Path, ...]  # files and directories (a snapshot directory holds only links)
    size: int  # bytes that come back
    locks: tuple[Path, ...] = ()  # all must be free
    content: tuple[Path, ...] = ()  # content files among ``paths``: their records go too


@dataclass(frozen=True)
class PrunePlan:
    """What would go, and what is kept although it was asked about (with the reason)."""

    doomed: tuple[Doomed, ...]
    kept: tuple[str, ...] = ()

    @property
    def size(self) -> int:
        return sum(d.size for d in self.doomed)


@dataclass(frozen=True)
class Outcome:
    """What ``carry_out`` removed (or would), and what it skipped because a lock was busy."""

    removed: tuple[Doomed, ...]
    skipped: tuple[tuple[Doomed, str], ...]  # with who holds the lock
    kept: tuple[str, ...]
    dry_run: bool

    @property
    def freed(self) -> int:
        return sum(d.size for d in self.removed)


@dataclass
class _Folders:
    """Builds the items of one folder; ``claimed`` stops a blob being listed twice."""

    cache: ModelCache
    folder: Folder
    claimed: set[str] = field(default_factory=set)

    def revision(self, commit: str, *, keep_blobs: frozenset[str], why: str) -> Doomed:
        rev = next(r for r in self.folder.revisions if r.commit == commit)
        own = sorted(rev.blobs - keep_blobs - self.claimed)
        self.claimed.update(own)
        blobs = [self.folder.content[b] for b in own if b in self.folder.content]
        root = self.cache.folder(self.folder.name)
        refs = [root / "refs" / r for r in rev.refs]
        size = sum(b.size for b in blobs) + sum(c.size for c in rev.copies)
        return Doomed(
            f"{self.folder.label}@{commit[:12]}",
            why,
            (root / "snapshots" / commit, *refs, *(b.path for b in blobs)),
            size,
            tuple(self._lock(b.path) for b in blobs),
            tuple(b.path for b in blobs),
        )

    def content(self, names: Iterable[str], *, why: str) -> Iterator[Doomed]:
        for name in sorted(set(names) - self.claimed):
            entry = self.folder.content[name]
            what = f"{self.folder.label}: {'blob ' if self.folder.hub else ''}{name}"
            lock = (self._lock(entry.path),)
            yield Doomed(what, why, (entry.path,), entry.size, lock, (entry.path,))

    def partial(self, entry: DiskEntry, *, why: str) -> Doomed:
        state = entry.path.with_name(entry.path.name + ".json")
        final = entry.path.name.removesuffix(INCOMPLETE_SUFFIX).rsplit(".", 1)[0]
        lock = self.cache.lock_path(self.folder.name, final)
        what = f"{self.folder.label}: partial download of {final}"
        return Doomed(what, why, (entry.path, state), entry.size, (lock,))

    def _lock(self, path: Path) -> Path:
        return self.cache.lock_path(self.folder.name, path.name)


def _whole_folder(
    cache: ModelCache, folder: Folder, uses: ConfigUses, *, why: str
) -> tuple[list[Doomed], list[str]]:
    """Everything in ``folder`` that ``uses`` (other sources) does not need."""
    build = _Folders(cache, folder)
    keep = uses.commits.get(folder.name, {})
    kept_blobs = set(uses.blobs.get(folder.name, frozenset()))
    for rev in folder.revisions:
        if rev.commit in keep:
            kept_blobs |= rev.blobs
    protect = frozenset(kept_blobs)
    doomed = [
        build.revision(r.commit, keep_blobs=protect, why=why)
        for r in folder.revisions
        if r.commit not in keep
    ]
    doomed += build.content(set(folder.content) - protect, why=why)
    doomed += [build.partial(p, why=why) for p in folder.partials if _final(p) not in protect]
    kept = [
        f"{folder.label}@{commit[:12]}: used by {', '.join(names)}"
        for commit, names in keep.items()
        if any(r.commit == commit for r in folder.revisions)
    ]
    return doomed, kept


def _final(partial: DiskEntry) -> str:
    return partial.path.name.removesuffix(INCOMPLETE_SUFFIX).rsplit(".", 1)[0]


def plan_rm(
    usage: CacheUsage, settings: ModelsSettings, cache: ModelCache, names: Sequence[str]
) -> PrunePlan:
    """Remove the named models: config source names, repo ids (``org/name``) or cache folders.

    A folder that another configured source also uses keeps what that source needs.
    Raises KeyError naming what matches nothing in the configuration or the cache.
    """
    folders: dict[str, Folder] = {}
    unknown = []
    kept: list[str] = []
    configured = {s.name for s in settings.sources}
    for name in names:
        folder = usage.folder(_folder_name(settings, name)) or usage.folder(name)
        if folder is not None:
            folders[folder.name] = folder
        elif name in configured:
            kept.append(f"{name}: nothing in the cache")
        else:
            unknown.append(name)
    if unknown:
        raise KeyError(", ".join(map(repr, unknown)))
    others = frozenset(configured - set(names))
    uses = config_uses(settings, cache, only=others)
    doomed: list[Doomed] = []
    for folder in folders.values():
        items, notes = _whole_folder(cache, folder, uses, why="rm")
        doomed += items
        kept += notes
    return PrunePlan(tuple(doomed), tuple(kept))


def _folder_name(settings: ModelsSettings, name: str) -> str:
    """The cache folder a config source name or a repo id means."""
    for source in settings.sources:
        if source.name == name:
            return repo_folder(source.hf.repo) if source.hf else url_folder(source.name)
    return repo_folder(name) if "/" in name else name


def plan_prune(
    usage: CacheUsage,
    settings: ModelsSettings,
    cache: ModelCache,
    *,
    now: float | None = None,
    partial_max_age: float = PARTIAL_MAX_AGE,
) -> PrunePlan:
    """Revisions no configured source points at, old partial downloads, the quarantine."""
    now = time.time() if now is None else now
    uses = config_uses(settings, cache)
    doomed: list[Doomed] = []
    for folder in usage.folders:
        if not uses.users(folder.name):
            doomed += _whole_folder(cache, folder, uses, why="no source in the config uses it")[0]
            continue
        doomed += _unused_revisions(cache, folder, uses)
        build = _Folders(cache, folder)
        days = partial_max_age / 86400
        for entry in folder.partials:
            if now - entry.mtime > partial_max_age:
                doomed.append(build.partial(entry, why=f"older than {days:g} days"))
    for entry in usage.quarantine:
        doomed.append(
            Doomed(f"quarantine: {entry.path.name}", "quarantined", (entry.path,), entry.size)
        )
    return PrunePlan(tuple(doomed))


def _unused_revisions(cache: ModelCache, folder: Folder, uses: ConfigUses) -> list[Doomed]:
    used = uses.commits.get(folder.name, {})
    keep = set(uses.blobs.get(folder.name, frozenset()))
    for rev in folder.revisions:
        if rev.commit in used:
            keep |= rev.blobs
    build = _Folders(cache, folder)
    why = "no source in the config points at this revision"
    protect = frozenset(keep)
    return [
        build.revision(r.commit, keep_blobs=protect, why=why)
        for r in folder.revisions
        if r.commit not in used
    ]


def carry_out(plan: PrunePlan, cache: ModelCache, *, dry_run: bool) -> Outcome:
    """Remove each planned item under its locks (``dry_run``: only take the locks, to tell)."""
    removed: list[Doomed] = []
    skipped: list[tuple[Doomed, str]] = []
    for item in plan.doomed:
        with contextlib.ExitStack() as stack:
            busy = next(
                (lock for lock in item.locks if not stack.enter_context(lock_now(lock))), None
            )
            if busy is not None:
                holder = holder_of(busy)
                skipped.append((item, holder.describe() if holder else "another process"))
                continue
            if not dry_run:
                _remove(item, cache)
            removed.append(item)
    if not dry_run:
        _remove_empty_dirs(cache, {p for d in removed for p in d.paths})
    return Outcome(tuple(removed), tuple(skipped), plan.kept, dry_run)


def _remove(item: Doomed, cache: ModelCache) -> None:
    # Snapshot links and refs first: nothing may point at a blob that is already gone.
    for path in item.paths:
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        else:
            with contextlib.suppress(FileNotFoundError):
                path.unlink()
    for content in item.content:
        cache.forget(content)
    logger.info("removed %s (%s)", item.what, item.why)


def _remove_empty_dirs(cache: ModelCache, removed: set[Path]) -> None:
    """Empty folders left behind, up to the cache root (``rmdir``: never a non-empty one)."""
    parents = {p.parent for p in removed}
    for start in sorted(parents, key=lambda p: len(p.parts), reverse=True):
        folder = start
        while folder != cache.root and cache.root in folder.parents:
            try:
                os.rmdir(folder)
            except OSError:
                break
            folder = folder.parent
