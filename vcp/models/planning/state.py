"""What is known about each file of a model while it is made ready, and the plan of the model.

A file is either ``KnownFile`` (what the cache says, with no network: cached, or still to be
found out) or ``PendingFile`` (to fetch: where it goes, what it must hash to and what the server
said, all required). The planner turns the one into the other; nothing is filled in later.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from vcp.config.schema import ModelSource
from vcp.core.checksums import Checksum
from vcp.models.cache.inspection import Found
from vcp.models.local import FileState
from vcp.models.planning.specs import FileSpec, RemoteFile


@dataclass(frozen=True)
class KnownFile:
    """A file as the cache knows it: verified there, or missing, partial or corrupt."""

    spec: FileSpec
    found: Found

    @property
    def cached(self) -> bool:
        return self.found.state is FileState.CACHED

    @property
    def pending_bytes(self) -> int:
        return 0  # nothing to fetch is known yet


@dataclass(frozen=True)
class PendingFile:
    """A file to fetch. ``expected`` is None only for a source that allows unverified files."""

    spec: FileSpec
    found: Found
    remote: RemoteFile
    final: Path  # the verified file's place in the cache
    expected: Checksum | None
    partial_bytes: int  # already on disk from an earlier run

    cached = False

    @property
    def pending_bytes(self) -> int:
        if self.remote.size is None:
            return 0
        return max(0, self.remote.size - self.partial_bytes)


Work = KnownFile | PendingFile


@dataclass
class Plan:
    """A model being made ready: its files, its commit, and the fallbacks not tried yet."""

    name: str  # the model asked for
    source: ModelSource  # the source providing it (a fallback's, after one was needed)
    work: list[Work]
    commit: str | None = None
    reserved: int = field(default=0)
    spare: list[ModelSource] = field(default_factory=list)  # fallbacks not tried yet

    @property
    def complete(self) -> bool:
        return all(w.cached for w in self.work)

    @property
    def pending(self) -> list[PendingFile]:
        """The files to fetch (every file that is not cached, once the plan is made online)."""
        return [w for w in self.work if isinstance(w, PendingFile)]

    @property
    def pending_bytes(self) -> int:
        return sum(w.pending_bytes for w in self.work)
