"""What the cache holds for a model, without the network: per-file state, status, paths.

Synchronous (it may hash files): the manager and the planner call it from a worker thread.
"""

from __future__ import annotations

import dataclasses
import logging
from dataclasses import dataclass
from pathlib import Path

from vcp.config.schema import ModelSource, ModelsSettings, is_pattern
from vcp.core.checksums import Checksum, checksum_from_etag
from vcp.core.hub_names import is_commit
from vcp.models.cache.locks import holder_of, lock_now
from vcp.models.cache.store import ModelCache
from vcp.models.hub.metadata import MetadataCache
from vcp.models.local import FileState, FileStatus, ModelStatus
from vcp.models.planning.specs import FileSpec, file_specs, listed_specs

logger = logging.getLogger(__name__)


_SEVERITY = [FileState.CACHED, FileState.PARTIAL, FileState.MISSING, FileState.CORRUPT]


@dataclass(frozen=True)
class Found:
    """Where a spec's file is (or would be) in the cache and whether it is valid."""

    state: FileState
    final: Path | None  # the content path: a blob, or a URL source's file
    link: Path | None  # the snapshot path (Hub)
    expected: Checksum | None


@dataclass(frozen=True)
class SetAside:
    """A corrupt file that verification moved to the quarantine (or could not: it was locked)."""

    model: str
    file: str
    path: Path  # where the corrupt content was
    moved_to: Path | None  # in .vcp/quarantine/; None when another process held its lock
    holder: str | None = None  # who held it, when known


def set_aside(cache: ModelCache, spec: FileSpec, found: Found) -> SetAside:
    """Quarantine ``found``'s corrupt file and drop its record, so the next download fetches it.

    Under the file's lock, taken without waiting: a process holding it is fetching the file right
    now and replaces it anyway, so a busy lock leaves the file where it is.
    """
    assert found.final is not None
    lock = cache.lock_path(spec.folder, found.final.name)
    with lock_now(lock) as held:
        if not held:
            who = holder_of(lock)
            named = who.describe() if who is not None else None
            return SetAside(spec.model, spec.name, found.final, None, named)
        moved = cache.quarantine(found.final)
        if found.link is not None and found.link.is_symlink():
            found.link.unlink()
    return SetAside(spec.model, spec.name, found.final, moved)


def commit_for(cache: ModelCache, spec: FileSpec) -> str | None:
    """The commit a Hub spec's revision means locally: itself if a commit id, else its ref."""
    if not spec.hub or spec.revision is None:
        return None
    if is_commit(spec.revision):
        return spec.revision
    return cache.read_ref(spec.folder, spec.revision)


def inspect(
    cache: ModelCache, spec: FileSpec, *, full: bool = False, repair: bool = False
) -> Found:
    """Find ``spec`` in the cache. ``repair`` moves a corrupt file aside (then it is missing)."""
    if not spec.hub:
        plain = cache.folder(spec.folder) / spec.name
        return _judge(cache, spec, plain, None, spec.pinned, full=full, repair=repair)
    commit = commit_for(cache, spec)
    link = cache.snapshot_path(spec.folder, commit, spec.name) if commit else None
    final: Path | None = None
    expected = spec.pinned
    if link is not None and (link.is_symlink() or link.exists()):
        final = link.resolve() if link.is_symlink() else link
        expected = expected or checksum_from_etag(final.name)
    elif spec.known_blob:
        final = cache.blob_path(spec.folder, spec.known_blob)
        expected = expected or checksum_from_etag(spec.known_blob)
    return _judge(cache, spec, final, link, expected, full=full, repair=repair)


def _judge(
    cache: ModelCache,
    spec: FileSpec,
    final: Path | None,
    link: Path | None,
    expected: Checksum | None,
    *,
    full: bool,
    repair: bool,
) -> Found:
    if final is None or not final.exists():
        partial = final is not None and bool(cache.partials(final))
        return Found(FileState.PARTIAL if partial else FileState.MISSING, final, link, expected)
    if expected is None:  # allow_unverified: trust only what vcp recorded when it fetched it
        record = cache.recorded(final)
        ok = record is not None and cache.check(final, Checksum.parse(record.checksum), full=full)
    else:
        ok = cache.check(final, expected, full=full)
    if ok:
        return Found(FileState.CACHED, final, link, expected)
    if repair:
        cache.quarantine(final)
        if link is not None and link.is_symlink():
            link.unlink()
        return Found(FileState.MISSING, final, link, expected)
    return Found(FileState.CORRUPT, final, link, expected)


def status(
    cache: ModelCache,
    name: str,
    specs: list[FileSpec],
    *,
    full: bool,
    aside: list[SetAside] | None = None,
) -> ModelStatus:
    """The state of model ``name`` from its files' states.

    With ``aside``, each corrupt file is quarantined (``set_aside``) and listed there; it is still
    reported as corrupt, since that is what was found.
    """
    files = []
    for spec in specs:
        found = inspect(cache, spec, full=full)
        if aside is not None and found.state is FileState.CORRUPT and found.final is not None:
            aside.append(set_aside(cache, spec, found))
        cached = found.state is FileState.CACHED and found.final is not None
        size = found.final.stat().st_size if cached and found.final else None
        checksum = found.expected
        if cached and checksum is None and found.final is not None:
            rec = cache.recorded(found.final)
            checksum = Checksum.parse(rec.checksum) if rec else None
        files.append(FileStatus(spec.name, found.state, found.link or found.final, size, checksum))
    worst = max((f.state for f in files), key=_SEVERITY.index, default=FileState.MISSING)
    commit = commit_for(cache, specs[0]) if specs else None
    return ModelStatus(name, worst, tuple(files), commit, model_path(cache, specs, commit))


def model_path(cache: ModelCache, specs: list[FileSpec], commit: str | None) -> Path | None:
    """A model's directory (Hub snapshot) or file (URL source)."""
    if not specs:
        return None
    spec = specs[0]
    if not spec.hub:
        return cache.folder(spec.folder) / spec.name
    return cache.folder(spec.folder) / "snapshots" / commit if commit else None


def local_specs(settings: ModelsSettings, cache: ModelCache, source: ModelSource) -> list[FileSpec]:
    """The source's files as far as the disk knows (patterns need a cached file list)."""
    endpoint = settings.hub.endpoint
    literal = source.hf is None or not any(is_pattern(f) for f in source.hf.files)
    # A cached file list (of any age) names each file's blob, which finds a partial download
    # of a file whose checksum is not pinned.
    listing = None
    if source.hf is not None:
        listing = MetadataCache(cache.root).load(source.hf.repo, source.hf.revision)
    if listing is None:
        return file_specs(source, endpoint=endpoint) if literal else []
    assert source.hf is not None
    files, unmatched = listing.select(source.hf.files)
    if unmatched and literal:
        return file_specs(source, endpoint=endpoint)
    return listed_specs(source, files, endpoint=endpoint, commit=listing.commit)


def source_status(
    settings: ModelsSettings,
    cache: ModelCache,
    source: ModelSource,
    *,
    full: bool,
    aside: list[SetAside] | None = None,
) -> ModelStatus:
    """``source``'s status, or that of the first fallback that is fully cached (named in it)."""
    specs = local_specs(settings, cache, source)
    own = status(cache, source.name, specs, full=full, aside=aside)
    if own.state is FileState.CACHED:
        return own
    for name in source.fallbacks:
        fallback = settings.source(name)
        specs = local_specs(settings, cache, fallback)
        other = status(cache, name, specs, full=full, aside=aside)
        if other.state is FileState.CACHED:
            return dataclasses.replace(other, name=source.name, source=name)
    return own


def statuses(settings: ModelsSettings, names: list[str], *, full: bool) -> list[ModelStatus]:
    """The status of each named source, from the disk alone (for ``vcp models list|verify``)."""
    cache = ModelCache(settings.resolved_cache_dir)
    return [source_status(settings, cache, settings.source(n), full=full) for n in names]


@dataclass(frozen=True)
class Verification:
    """What ``vcp models verify`` found, and the corrupt files it moved out of the way."""

    statuses: list[ModelStatus]
    set_aside: list[SetAside]

    @property
    def bad(self) -> int:
        """Files that are not cached and valid."""
        return sum(f.state is not FileState.CACHED for st in self.statuses for f in st.files)


def verify(settings: ModelsSettings, names: list[str], *, full: bool) -> Verification:
    """Check the named models on disk; quarantine what is corrupt so a download fetches it again.

    Without this a corrupt file with an intact record (bit rot keeps size, mtime and inode) would
    be trusted by every later download: the quarantine also drops the record.
    """
    cache = ModelCache(settings.resolved_cache_dir)
    aside: list[SetAside] = []
    found = [
        source_status(settings, cache, settings.source(n), full=full, aside=aside) for n in names
    ]
    return Verification(found, aside)
