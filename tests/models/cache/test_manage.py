"""Planning ``prune`` on a cache laid out by hand: what the configuration names is never planned.

The cache here is built file by file (no server): a blob the config's pinned checksum names is
protected even before any snapshot links it, as while another process is downloading it.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from vcp.config import ModelsSettings
from vcp.models.cache.manage import carry_out, plan_prune
from vcp.models.cache.store import ModelCache
from vcp.models.cache.usage import scan

FOLDER = "models--acme--tiny"
OLD = "1" * 40
NEW = "2" * 40
WEIGHTS = b"w" * 5000


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def settings(cache: Path, commit: str) -> ModelsSettings:
    return ModelsSettings.model_validate(
        {
            "cache_dir": cache,
            "sources": [
                {
                    "name": "tiny",
                    "hf": {"repo": "acme/tiny", "revision": commit, "files": ["weights.bin"]},
                    "checksums": {"weights.bin": f"sha256:{sha(WEIGHTS)}"},
                }
            ],
        }
    )


def link(cache: Path, commit: str, name: str, blob: str) -> None:
    entry = cache / FOLDER / "snapshots" / commit / name
    entry.parent.mkdir(parents=True, exist_ok=True)
    entry.symlink_to(f"../../blobs/{blob}")


def test_prune_keeps_a_blob_the_config_pins_before_any_snapshot_links_it(tmp_path: Path) -> None:
    root = tmp_path / "cache"
    blobs = root / FOLDER / "blobs"
    blobs.mkdir(parents=True)
    (blobs / sha(WEIGHTS)).write_bytes(WEIGHTS)
    gone = b"old weights" * 100
    (blobs / sha(gone)).write_bytes(gone)
    # The old revision linked both; the config is now pinned to NEW, whose snapshot does not
    # exist yet (its download is under way in another process).
    link(root, OLD, "weights.bin", sha(WEIGHTS))
    link(root, OLD, "extra.bin", sha(gone))
    cache = ModelCache(root)

    plan = plan_prune(scan(root), settings(root, NEW), cache)

    assert [d.what for d in plan.doomed] == [f"acme/tiny@{OLD[:12]}"]
    assert plan.size == len(gone)
    outcome = carry_out(plan, cache, dry_run=False)
    assert outcome.freed == len(gone) and outcome.skipped == ()
    assert (blobs / sha(WEIGHTS)).read_bytes() == WEIGHTS
    assert not (blobs / sha(gone)).exists()
    assert not (root / FOLDER / "snapshots" / OLD).exists()


def test_prune_keeps_the_revision_the_config_points_at(tmp_path: Path) -> None:
    root = tmp_path / "cache"
    (root / FOLDER / "blobs").mkdir(parents=True)
    (root / FOLDER / "blobs" / sha(WEIGHTS)).write_bytes(WEIGHTS)
    link(root, NEW, "weights.bin", sha(WEIGHTS))

    plan = plan_prune(scan(root), settings(root, NEW), ModelCache(root))

    assert plan.doomed == ()
