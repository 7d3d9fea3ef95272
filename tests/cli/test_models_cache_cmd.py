"""``vcp models du|rm|prune`` on a real cache filled from a loopback mirror.

A synthetic repo ``acme/tiny`` has two commits: the config is pinned to the first, the model
downloaded, then re-pinned to the second and downloaded again, which leaves the first snapshot
behind (with a blob only it uses), as a user's re-pin does. Locks are held by a real second
process (tests/helpers/lock_holder.py).
"""

from __future__ import annotations

import json
import os
import re
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from vcp_testing.cli import Result, Run
from vcp_testing.processes import holding_lock

from vcp.mirror import MirrorServer, add_repo

pytestmark = pytest.mark.usefixtures("restore_logging")

REPO = "acme/tiny"
FOLDER = "models--acme--tiny"
CONFIG = b'{"labels": ["a", "b"]}\n'  # the same in both commits: one blob, shared
OLD_WEIGHTS = bytes(range(256)) * 400  # 102_400 bytes, only in the first commit
NEW_WEIGHTS = bytes(reversed(range(256))) * 300  # 76_800 bytes


@pytest.fixture
def repo_root(tmp_path: Path) -> tuple[Path, str, str]:
    root = tmp_path / "mirror"
    old = add_repo(root, REPO, {"config.json": CONFIG, "weights.bin": OLD_WEIGHTS}, revisions=())
    new = add_repo(root, REPO, {"config.json": CONFIG, "weights.bin": NEW_WEIGHTS})
    return root, old, new


@pytest.fixture
async def mirror(
    repo_root: tuple[Path, str, str], monkeypatch: pytest.MonkeyPatch, cache_dir: Path
) -> AsyncIterator[MirrorServer]:
    async with MirrorServer(repo_root[0]) as server:
        monkeypatch.setenv("HF_ENDPOINT", server.url)
        monkeypatch.setenv("VCP_MODELS__CACHE_DIR", str(cache_dir))
        yield server


def write_config(path: Path, commit: str, *, extra: list[dict[str, Any]] | None = None) -> Path:
    sources = [
        {
            "name": "tiny",
            "hf": {"repo": REPO, "revision": commit, "files": ["config.json", "weights.bin"]},
        },
        *(extra or []),
    ]
    # merge_defaults: false: the test's own source only, not the default models beside it.
    config = {"merge_defaults": False, "models": {"sources": sources}}
    path.write_text(json.dumps(config), encoding="utf-8")
    return path


@pytest.fixture
async def repinned(
    mirror: MirrorServer, repo_root: tuple[Path, str, str], tmp_path: Path, vcp: Run
) -> Path:
    """The cache after downloading at the old commit, re-pinning to the new one, downloading."""
    _, old, new = repo_root
    config = write_config(tmp_path / "vcp.yaml", old)
    assert (await vcp("models", "download", "-c", config)).returncode == 0
    write_config(config, new)
    assert (await vcp("models", "download", "-c", config)).returncode == 0
    return config


def blob_of(cache: Path, commit: str, file: str) -> Path:
    return (cache / FOLDER / "snapshots" / commit / file).resolve()


def document(result: Result) -> Any:
    assert result.stdout.strip(), result.stderr
    return json.loads(result.stdout)


def disk_bytes(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file() and not p.is_symlink())


# -- du --------------------------------------------------------------------------------------------


async def test_du_shows_each_revision_its_size_and_who_uses_it(
    repinned: Path, repo_root: tuple[Path, str, str], cache_dir: Path, vcp: Run
) -> None:
    _, old, new = repo_root
    result = await vcp("models", "du", "-c", repinned)

    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert re.match(rf"^{REPO}\s+179\.2 kB\s+3\s+tiny$", lines[1]), result.stdout
    assert re.search(
        rf"^  {old[:12]}\s+102\.4 kB\s+2\s+- \(prune removes it\)$", result.stdout, re.M
    )
    assert re.search(rf"^  {new[:12]}\s+76\.8 kB\s+2\s+tiny$", result.stdout, re.M)
    assert re.search(r"^total\s+\d", result.stdout, re.M)
    assert lines[-1] == f"cache: {cache_dir}"


async def test_du_json_sizes_add_up_to_what_is_on_disk(
    repinned: Path, repo_root: tuple[Path, str, str], cache_dir: Path, vcp: Run
) -> None:
    _, old, new = repo_root
    partial = blob_of(cache_dir, new, "weights.bin").with_name("f00d.0badcafe.incomplete")
    partial.write_bytes(b"x" * 1000)

    du = document(await vcp("models", "du", "--json", "-c", repinned))

    [model] = du["models"]
    assert model["name"] == REPO and model["used_by"] == ["tiny"]
    assert model["size"] == len(CONFIG) + len(OLD_WEIGHTS) + len(NEW_WEIGHTS)
    revisions = {r["commit"]: r for r in model["revisions"]}
    assert revisions[old]["size"] == len(CONFIG) + len(OLD_WEIGHTS)
    assert revisions[old]["used_by"] == []
    assert revisions[new]["used_by"] == ["tiny"]
    assert model["partial_size"] == du["partial_size"] == 1000
    assert du["total"] == disk_bytes(cache_dir)
    assert du["total"] == model["size"] + 1000 + du["quarantine_size"] + du["other_size"]


# -- prune -----------------------------------------------------------------------------------------


async def test_prune_dry_run_says_what_would_go_and_removes_nothing(
    repinned: Path, repo_root: tuple[Path, str, str], cache_dir: Path, vcp: Run
) -> None:
    _, old, _ = repo_root
    before = disk_bytes(cache_dir)

    result = await vcp("models", "prune", "--dry-run", "-c", repinned)

    assert result.returncode == 0, result.stderr
    assert f"would remove  {REPO}@{old[:12]}  102.4 kB" in result.stdout
    assert "would free 102.4 kB; nothing was removed (--dry-run)" in result.stdout
    assert disk_bytes(cache_dir) == before
    assert (cache_dir / FOLDER / "snapshots" / old).is_dir()


async def test_prune_removes_the_old_revision_old_partials_and_the_quarantine(
    repinned: Path,
    repo_root: tuple[Path, str, str],
    cache_dir: Path,
    vcp: Run,
    mirror: MirrorServer,
) -> None:
    _, old, new = repo_root
    old_blob = blob_of(cache_dir, old, "weights.bin")
    blobs = old_blob.parent
    stale = blobs / f"{'a' * 64}.1234abcd.incomplete"
    stale.write_bytes(b"s" * 500)
    stale.with_name(stale.name + ".json").write_text("{}", encoding="utf-8")
    week_ago = time.time() - 8 * 24 * 3600
    os.utime(stale, (week_ago, week_ago))
    fresh = blobs / f"{'b' * 64}.5678abcd.incomplete"
    fresh.write_bytes(b"f" * 300)
    quarantine = cache_dir / ".vcp" / "quarantine"
    quarantine.mkdir(parents=True)
    (quarantine / "weights.bin.20260101T000000.abcdef").write_bytes(b"q" * 700)

    result = await vcp("models", "prune", "-c", repinned)

    assert result.returncode == 0, result.stderr
    assert f"removed  {REPO}@{old[:12]}  102.4 kB" in result.stdout
    assert "freed 103.6 kB" in result.stdout  # 102_400 + 500 + 2 (its state) + 700
    assert not (cache_dir / FOLDER / "snapshots" / old).exists()
    assert not old_blob.exists() and not stale.exists()
    assert fresh.exists(), "a partial download younger than a week stays (it resumes)"
    assert not any(quarantine.glob("*"))
    assert not (cache_dir / ".vcp" / "verified" / f"{FOLDER}--blobs--{old_blob.name}.json").exists()

    # The model the config uses is intact and still trusted: no byte from the network.
    mirror.stats.reset()
    assert (await vcp("models", "verify", "--full", "-c", repinned)).returncode == 0
    again = await vcp("models", "download", "-c", repinned)
    assert again.returncode == 0, again.stderr
    assert mirror.stats.bytes_served == 0
    assert blob_of(cache_dir, new, "config.json").read_bytes() == CONFIG


async def test_prune_never_removes_what_the_config_uses(
    mirror: MirrorServer, repo_root: tuple[Path, str, str], tmp_path: Path, vcp: Run
) -> None:
    config = write_config(tmp_path / "vcp.yaml", repo_root[2])
    assert (await vcp("models", "download", "-c", config)).returncode == 0

    result = await vcp("models", "prune", "-c", config)

    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["freed 0 B"]
    assert (await vcp("models", "verify", "--full", "-c", config)).returncode == 0


async def test_prune_removes_a_model_no_source_uses_any_more(
    repinned: Path, cache_dir: Path, tmp_path: Path, vcp: Run
) -> None:
    other = tmp_path / "other.yaml"
    other.write_text(json.dumps({"models": {"sources": []}}), encoding="utf-8")

    result = await vcp("models", "prune", "-c", other)

    assert result.returncode == 0, result.stderr
    assert "(no source in the config uses it)" in result.stdout
    assert not (cache_dir / FOLDER).exists(), "an emptied model folder goes too"
    assert any((cache_dir / ".locks").rglob("*.lock")), "lock files are never removed"


async def test_prune_skips_files_another_process_holds_the_lock_of(
    repinned: Path, repo_root: tuple[Path, str, str], cache_dir: Path, vcp: Run
) -> None:
    _, old, _ = repo_root
    old_blob = blob_of(cache_dir, old, "weights.bin")
    lock = cache_dir / ".locks" / FOLDER / f"{old_blob.name}.lock"

    async with holding_lock(lock) as holder:
        dry = await vcp("models", "prune", "--dry-run", "-c", repinned)
        result = await vcp("models", "prune", "-c", repinned)

    for run in (dry, result):
        assert run.returncode == 3
        assert f"in use  {REPO}@{old[:12]}  (lock held by vcp process {holder.pid}" in run.stdout
        assert "error: 1 item kept: another process holds its lock" in run.stderr
    assert old_blob.exists() and (cache_dir / FOLDER / "snapshots" / old).is_dir()

    # Once the other process is done, the same command removes it.
    assert (await vcp("models", "prune", "-c", repinned)).returncode == 0
    assert not old_blob.exists()


# -- rm --------------------------------------------------------------------------------------------


async def test_rm_removes_one_model_and_keeps_the_others(
    repinned: Path, repo_root: tuple[Path, str, str], cache_dir: Path, tmp_path: Path, vcp: Run
) -> None:
    url_dir = cache_dir / "url--notes"
    url_dir.mkdir()
    (url_dir / "notes.txt").write_bytes(b"n" * 50)
    config = write_config(
        repinned,
        repo_root[2],
        extra=[{"name": "notes", "url": "http://127.0.0.1:9/notes.txt", "allow_unverified": True}],
    )

    dry = await vcp("models", "rm", "--dry-run", "-c", config, "tiny")
    assert dry.returncode == 0, dry.stderr
    assert "would free 179.2 kB; nothing was removed (--dry-run)" in dry.stdout
    assert (cache_dir / FOLDER).is_dir()

    result = await vcp("models", "rm", "-c", config, "tiny")

    assert result.returncode == 0, result.stderr
    assert "freed 179.2 kB" in result.stdout
    assert not (cache_dir / FOLDER).exists()
    assert (url_dir / "notes.txt").exists(), "another model stays"
    listed = document(await vcp("models", "list", "--json", "-c", config))
    assert {m["name"]: m["state"] for m in listed["models"]}["tiny"] == "missing"


async def test_rm_json_and_a_repo_id_no_source_names(
    repinned: Path, cache_dir: Path, tmp_path: Path, vcp: Run
) -> None:
    empty = tmp_path / "empty.yaml"
    empty.write_text(json.dumps({"models": {"sources": []}}), encoding="utf-8")

    result = await vcp("models", "rm", "--json", "-c", empty, REPO)

    assert result.returncode == 0, result.stderr
    doc = document(result)
    assert doc["dry_run"] is False and doc["skipped"] == []
    assert doc["freed"] == len(CONFIG) + len(OLD_WEIGHTS) + len(NEW_WEIGHTS)
    assert all(item["why"] == "rm" for item in doc["removed"])
    assert not (cache_dir / FOLDER).exists()


async def test_rm_of_an_unknown_name_fails_and_removes_nothing(
    repinned: Path, cache_dir: Path, vcp: Run
) -> None:
    before = disk_bytes(cache_dir)
    result = await vcp("models", "rm", "-c", repinned, "tiny", "no-such-model")

    assert result.returncode == 3
    assert "error: no model source or cached model named 'no-such-model'" in result.stderr
    assert "vcp models du" in result.stderr
    assert disk_bytes(cache_dir) == before


# -- verify --repair -------------------------------------------------------------------------------


async def test_verify_full_repair_json_says_what_was_quarantined_and_fetched(
    mirror: MirrorServer, repo_root: tuple[Path, str, str], tmp_path: Path, vcp: Run
) -> None:
    new = repo_root[2]
    config = write_config(tmp_path / "vcp.yaml", new)
    assert (await vcp("models", "download", "-c", config)).returncode == 0
    blob = blob_of(tmp_path / "cache", new, "weights.bin")
    stat = blob.stat()
    with blob.open("r+b") as fh:  # bit rot: same size, inode and mtime
        fh.write(bytes([NEW_WEIGHTS[0] ^ 0xFF]))
    os.utime(blob, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    mirror.stats.reset()

    result = await vcp("models", "verify", "--full", "--repair", "--json", "-c", config)

    assert result.returncode == 0, result.stderr
    doc = document(result)
    assert doc["ok"] is True and doc["repaired"]["ok"] is True
    assert doc["models"][0]["state"] == "corrupt"  # what verification found
    [moved] = doc["quarantined"]
    assert (moved["file"], moved["path"]) == ("weights.bin", str(blob))
    assert mirror.stats.bytes_for("/weights.bin") == len(NEW_WEIGHTS)
    assert blob.read_bytes() == NEW_WEIGHTS


async def test_rm_keeps_a_revision_whose_blob_another_process_is_fetching(
    repinned: Path, repo_root: tuple[Path, str, str], cache_dir: Path, vcp: Run
) -> None:
    _, old, new = repo_root
    busy = blob_of(cache_dir, new, "weights.bin")

    async with holding_lock(cache_dir / ".locks" / FOLDER / f"{busy.name}.lock") as holder:
        result = await vcp("models", "rm", "-c", repinned, "tiny")

    assert result.returncode == 3
    assert f"in use  {REPO}@{new[:12]}  (lock held by vcp process {holder.pid}" in result.stdout
    assert f"removed  {REPO}@{old[:12]}" in result.stdout
    assert busy.read_bytes() == NEW_WEIGHTS
    assert (cache_dir / FOLDER / "snapshots" / new / "weights.bin").exists()
    assert not (cache_dir / FOLDER / "snapshots" / old).exists()
