"""MetadataCache: the Hub's answers (repo snapshots) on disk, one JSON file per repo and revision.

Entries for a commit never expire; branch and tag entries are fresh for ``metadata_ttl_hours``.
"""

from __future__ import annotations

import dataclasses
import json
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from urllib.parse import quote

from vcp.core.atomic import atomic_write_text
from vcp.core.hub_names import is_commit, repo_folder
from vcp.models.hub.api import RepoSnapshot

Clock = Callable[[], float]


class MetadataCache:
    """Repo snapshots on disk, one JSON file per repo and revision."""

    def __init__(self, cache_root: Path, *, clock: Clock = time.time) -> None:
        self.root = cache_root / ".vcp" / "metadata"
        self.clock = clock

    def _path(self, repo: str, revision: str) -> Path:
        return self.root / repo_folder(repo) / (quote(revision, safe="") + ".json")

    def load(self, repo: str, revision: str) -> RepoSnapshot | None:
        try:
            data = json.loads(self._path(repo, revision).read_text(encoding="utf-8"))
            return RepoSnapshot.from_json(data)
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def save(self, snapshot: RepoSnapshot) -> None:
        atomic_write_text(
            self._path(snapshot.repo, snapshot.revision), json.dumps(snapshot.to_json())
        )
        if snapshot.revision != snapshot.commit:
            # Stored as the commit's own entry (revision = commit), which never expires: a copy
            # still saying "main" would expire and send commit-pinned sources to the network.
            pinned = dataclasses.replace(snapshot, revision=snapshot.commit)
            atomic_write_text(self._path(pinned.repo, pinned.commit), json.dumps(pinned.to_json()))

    def forget(self, repo: str, revisions: Iterable[str]) -> None:
        """Drop the entries of ``revisions``: a listing that named a wrong hash must not outlive
        the failure it caused (a commit's entry would otherwise be trusted for ever)."""
        for revision in dict.fromkeys(revisions):
            self._path(repo, revision).unlink(missing_ok=True)

    def is_fresh(self, snapshot: RepoSnapshot, ttl_hours: float) -> bool:
        if is_commit(snapshot.revision):
            return True
        return self.clock() - snapshot.fetched_at < ttl_hours * 3600
