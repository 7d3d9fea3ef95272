"""The Hub's JSON answers as vcp reads them: repo info, tree pages, Link headers, file selection.

Tier 1: pure functions and a metadata cache on a temporary folder, no event loop. The shapes are
those of the shared hub-protocol reference, with the real hashes of Systran/faster-whisper-tiny.en.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from vcp.core.checksums import Checksum
from vcp.core.hub_names import is_commit
from vcp.errors import UnsafePathError
from vcp.models.hub.api import (
    HubFile,
    RepoSnapshot,
    info_url,
    next_link,
    parse_siblings,
    parse_tree,
    tree_url,
)
from vcp.models.hub.metadata import MetadataCache

REPO = "Systran/faster-whisper-tiny.en"
COMMIT = "0d3d19a32d3338f10357c0889762bd8d64bbdeba"
OTHER_COMMIT = "1" * 40
CONFIG_SHA1 = "4065bb3bed375b176d5465be117d2d202e210434"
MODEL_SHA256 = "1a5afae06a4db91c975c9a9d78be5cc110ee4ea022ad57d55492e4550e936b2a"
POINTER_SHA1 = "b" * 40  # the git blob of an LFS pointer file: never the file's identity
MODEL_SIZE = 75_537_502


def repo_info(*siblings: Any, sha: Any = COMMIT) -> dict[str, Any]:
    return {"id": REPO, "sha": sha, "private": False, "gated": False, "siblings": list(siblings)}


CONFIG_SIBLING = {"rfilename": "config.json", "blobId": CONFIG_SHA1, "size": 2317}
MODEL_SIBLING = {
    "rfilename": "model.bin",
    "blobId": POINTER_SHA1,
    "size": MODEL_SIZE,
    "lfs": {"sha256": MODEL_SHA256, "size": MODEL_SIZE, "pointerSize": 134},
}
CONFIG_ENTRY = {"type": "file", "oid": CONFIG_SHA1, "size": 2317, "path": "config.json"}
MODEL_ENTRY = {
    "type": "file",
    "oid": POINTER_SHA1,
    "size": MODEL_SIZE,
    "path": "model.bin",
    "lfs": {"oid": MODEL_SHA256, "size": MODEL_SIZE, "pointerSize": 134},
}


def hub_file(path: str, size: int, checksum: str, *, lfs: bool) -> HubFile:
    return HubFile(path, size, Checksum.parse(checksum), lfs)


def snapshot(*paths: str, revision: str = "main", fetched_at: float = 1000.0) -> RepoSnapshot:
    files = tuple(hub_file(p, 10, f"git-sha1:{'a' * 40}", lfs=False) for p in paths)
    return RepoSnapshot(REPO, revision, COMMIT, files, fetched_at)


# -- commits and URLs ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("revision", "expected"),
    [
        (COMMIT, True),
        ("main", False),
        ("v1.0", False),
        (COMMIT[:12], False),  # a short id can become ambiguous: it is not a pin
        (COMMIT.upper(), False),
        (COMMIT + "0", False),
        ("refs/pr/1", False),
    ],
)
def test_only_a_full_commit_id_counts_as_a_commit(revision: str, expected: bool) -> None:
    assert is_commit(revision) is expected


def test_api_urls_quote_the_revision_with_no_safe_characters() -> None:
    assert info_url("https://hub.test", "org/m", "refs/pr/1") == (
        "https://hub.test/api/models/org/m/revision/refs%2Fpr%2F1?blobs=true"
    )
    assert tree_url("https://hub.test", "org/m", "refs/pr/1") == (
        "https://hub.test/api/models/org/m/tree/refs%2Fpr%2F1?recursive=true&expand=false"
    )


# -- repo info (siblings) ------------------------------------------------------------------------


def test_siblings_with_blobs_give_sha256_for_lfs_files_and_git_sha1_for_the_others() -> None:
    commit, files = parse_siblings(repo_info(CONFIG_SIBLING, MODEL_SIBLING))

    assert commit == COMMIT
    assert files == [
        hub_file("config.json", 2317, f"git-sha1:{CONFIG_SHA1}", lfs=False),
        hub_file("model.bin", MODEL_SIZE, f"sha256:{MODEL_SHA256}", lfs=True),
    ]
    # The blob is named after the content hash, never after the LFS pointer's git id.
    assert [f.etag for f in files] == [CONFIG_SHA1, MODEL_SHA256]


def test_an_lfs_file_takes_its_size_from_the_lfs_object() -> None:
    sibling = {**MODEL_SIBLING, "size": 134}  # a server reporting the pointer's size
    _, files = parse_siblings(repo_info(sibling))
    assert files is not None
    assert files[0].size == MODEL_SIZE


def test_uppercase_hashes_are_normalised() -> None:
    sibling = {**CONFIG_SIBLING, "blobId": CONFIG_SHA1.upper()}
    _, files = parse_siblings(repo_info(sibling))
    assert files is not None
    assert files[0].etag == CONFIG_SHA1


def test_repo_info_without_blobs_has_no_files_so_the_tree_is_listed_instead() -> None:
    commit, files = parse_siblings(
        repo_info({"rfilename": "config.json"}, {"rfilename": "model.bin"})
    )
    assert commit == COMMIT
    assert files is None


def test_one_sibling_without_hashes_makes_the_whole_list_come_from_the_tree() -> None:
    # Rather than silently dropping the file with no hash from the listing.
    _, files = parse_siblings(repo_info(CONFIG_SIBLING, {"rfilename": "model.bin"}))
    assert files is None


def test_an_empty_repo_lists_no_files() -> None:
    assert parse_siblings(repo_info()) == (COMMIT, [])


@pytest.mark.parametrize(
    ("answer", "words"),
    [
        (repo_info(CONFIG_SIBLING, sha=None), "commit"),
        (repo_info(CONFIG_SIBLING, sha="main"), "commit"),
        (repo_info(CONFIG_SIBLING, sha=COMMIT[:7]), "commit"),
        ({"error": "Repository not found"}, "commit"),
        ([CONFIG_SIBLING], "repo info"),
        ("<html>Cloudflare</html>", "repo info"),
        (None, "repo info"),
        ({**repo_info(), "siblings": "config.json"}, "siblings"),
        (repo_info("config.json"), "config.json"),
        (repo_info({"blobId": CONFIG_SHA1, "size": 2317}), "path"),
        (repo_info({**CONFIG_SIBLING, "size": "big"}), "config.json"),
        (repo_info({**CONFIG_SIBLING, "size": -1}), "config.json"),
        (repo_info({**CONFIG_SIBLING, "blobId": "zz" * 20}), "config.json"),
        (repo_info({**CONFIG_SIBLING, "blobId": CONFIG_SHA1[:20]}), "config.json"),
        (repo_info({"rfilename": "m.bin", "lfs": {"sha256": MODEL_SHA256}}), "m.bin"),
    ],
)
def test_junk_repo_info_is_refused_with_a_message_naming_the_problem(
    answer: Any, words: str
) -> None:
    with pytest.raises(ValueError, match=words):
        parse_siblings(answer)


# -- tree listing --------------------------------------------------------------------------------


def test_tree_entries_use_lfs_oid_and_skip_directories() -> None:
    page = [
        {"type": "directory", "oid": "c" * 40, "size": 0, "path": "onnx"},
        CONFIG_ENTRY,
        MODEL_ENTRY,
        {**CONFIG_ENTRY, "path": "onnx/config.json"},
    ]
    assert parse_tree(page) == [
        hub_file("config.json", 2317, f"git-sha1:{CONFIG_SHA1}", lfs=False),
        hub_file("model.bin", MODEL_SIZE, f"sha256:{MODEL_SHA256}", lfs=True),
        hub_file("onnx/config.json", 2317, f"git-sha1:{CONFIG_SHA1}", lfs=False),
    ]


def test_an_empty_tree_page_lists_no_files() -> None:
    assert parse_tree([]) == []


@pytest.mark.parametrize(
    ("page", "words"),
    [
        ({"error": "Invalid rev id"}, "tree"),
        ("not a list", "tree"),
        (None, "tree"),
        (["config.json"], "config.json"),
        ([{"type": "file", "oid": CONFIG_SHA1, "size": 2317}], "path"),
        ([{"type": "file", "path": "config.json", "size": 2317}], "config.json"),
        ([{"type": "file", "path": "config.json", "oid": CONFIG_SHA1}], "config.json"),
        ([{**CONFIG_ENTRY, "oid": "not-hex"}], "config.json"),
        ([{**MODEL_ENTRY, "lfs": {"oid": MODEL_SHA256[:10]}}], "model.bin"),
    ],
)
def test_junk_tree_pages_are_refused_with_a_message_naming_the_problem(
    page: Any, words: str
) -> None:
    with pytest.raises(ValueError, match=words):
        parse_tree(page)


# -- path safety of listed names ---------------------------------------------------------------


UNSAFE_NAMES = ["../x", "a/../../x", "/abs", "/etc/passwd", "a\\b", "..\\x", "C:/x", "a//b", ""]


@pytest.mark.parametrize("name", UNSAFE_NAMES)
def test_repo_info_naming_a_file_outside_the_repo_is_refused(name: str) -> None:
    with pytest.raises(UnsafePathError) as caught:
        parse_siblings(repo_info(CONFIG_SIBLING, {**CONFIG_SIBLING, "rfilename": name}))
    assert caught.value.name == name
    assert repr(name) in str(caught.value)


@pytest.mark.parametrize("name", UNSAFE_NAMES)
def test_a_tree_naming_a_file_outside_the_repo_is_refused(name: str) -> None:
    with pytest.raises(UnsafePathError) as caught:
        parse_tree([CONFIG_ENTRY, {**MODEL_ENTRY, "path": name}])
    assert caught.value.name == name


def test_an_unsafe_directory_entry_is_harmless_because_directories_are_skipped() -> None:
    assert parse_tree([{"type": "directory", "oid": "c" * 40, "path": "../x"}]) == []


# -- Link pagination -----------------------------------------------------------------------------


NEXT = "https://hub.test/api/models/org/m/tree/main?recursive=true&cursor=ZXlK,Mg%3D%3D"


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (f'<{NEXT}>; rel="next"', NEXT),
        (f"<{NEXT}>; rel=next", NEXT),
        (f'<{NEXT}>;rel="next"', NEXT),
        (f'<https://hub.test/prev>; rel="prev", <{NEXT}>; rel="next"', NEXT),
        (f'<{NEXT}>; rel="next", <https://hub.test/last>; rel="last"', NEXT),
        (f'<{NEXT}>; type="application/json"; rel="next"', NEXT),  # params in any order
        (f'<{NEXT}>; rel="NEXT"', NEXT),  # relation types are case-insensitive
        (f'<{NEXT}>; rel="prev next"', NEXT),  # several relations in one link
    ],
)
def test_the_next_page_is_found_in_a_link_header(header: str, expected: str) -> None:
    assert next_link(header) == expected


@pytest.mark.parametrize(
    "header",
    [
        None,
        "",
        '<https://hub.test/prev>; rel="prev"',
        '<https://hub.test/first>; rel="first", <https://hub.test/last>; rel="last"',
        '<https://hub.test/x>; rel="nextish"',
        "garbage",
    ],
)
def test_no_next_link_means_the_last_page(header: str | None) -> None:
    assert next_link(header) is None


# -- selecting files -----------------------------------------------------------------------------


def test_select_literal_names() -> None:
    snap = snapshot("config.json", "model.bin", "tokenizer.json")
    files, unmatched = snap.select(["model.bin", "config.json"])
    assert [f.path for f in files] == ["config.json", "model.bin"]
    assert unmatched == []


def test_select_globs() -> None:
    snap = snapshot("config.json", "model.safetensors", "tokenizer.json", "README.md")
    files, unmatched = snap.select(["*.json", "*.safetensors"])
    assert [f.path for f in files] == ["config.json", "model.safetensors", "tokenizer.json"]
    assert unmatched == []


def test_overlapping_patterns_select_each_file_once() -> None:
    snap = snapshot("config.json", "tokenizer.json", "model.bin")
    files, unmatched = snap.select(["*.json", "config.json", "c*", "*"])
    assert [f.path for f in files] == ["config.json", "model.bin", "tokenizer.json"]
    assert unmatched == []


def test_patterns_matching_nothing_are_reported_so_the_user_sees_the_typo() -> None:
    snap = snapshot("config.json", "model.bin")
    files, unmatched = snap.select(["config.json", "modle.bin", "*.onnx"])
    assert [f.path for f in files] == ["config.json"]
    assert unmatched == ["modle.bin", "*.onnx"]


def test_matching_is_case_sensitive_on_every_platform() -> None:
    files, unmatched = snapshot("config.json").select(["*.JSON", "Config.json"])
    assert files == []
    assert unmatched == ["*.JSON", "Config.json"]


def test_a_star_reaches_into_folders_as_huggingface_hub_allow_patterns_do() -> None:
    files, _ = snapshot("config.json", "onnx/model.onnx", "onnx/config.json").select(["*.onnx"])
    assert [f.path for f in files] == ["onnx/model.onnx"]


def test_file_finds_a_listed_path() -> None:
    snap = snapshot("config.json", "model.bin")
    assert snap.file("model.bin") == snap.files[1]
    assert snap.file("missing.bin") is None


# -- JSON round trip -----------------------------------------------------------------------------


def test_a_snapshot_survives_a_json_round_trip() -> None:
    _, files = parse_siblings(repo_info(CONFIG_SIBLING, MODEL_SIBLING))
    assert files is not None
    original = RepoSnapshot(REPO, "main", COMMIT, tuple(files), 1_700_000_000.25)

    text = json.dumps(original.to_json())
    again = RepoSnapshot.from_json(json.loads(text))

    assert again == original
    assert again.file("model.bin") == hub_file(
        "model.bin", MODEL_SIZE, f"sha256:{MODEL_SHA256}", lfs=True
    )


# -- the metadata cache, with a fake clock -------------------------------------------------------


class FakeClock:
    def __init__(self, now: float = 1_700_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


TTL_HOURS = 24.0


def test_a_saved_snapshot_loads_back(tmp_path: Path) -> None:
    cache = MetadataCache(tmp_path, clock=FakeClock())
    snap = snapshot("config.json")
    cache.save(snap)
    assert cache.load(REPO, "main") == snap
    assert cache.load(REPO, "v2") is None
    assert cache.load("other/repo", "main") is None


def test_branch_metadata_is_fresh_just_before_the_ttl_and_stale_just_after(tmp_path: Path) -> None:
    clock = FakeClock()
    cache = MetadataCache(tmp_path, clock=clock)
    snap = snapshot("config.json", fetched_at=clock.now)
    ttl = TTL_HOURS * 3600

    clock.now = snap.fetched_at + ttl - 1
    assert cache.is_fresh(snap, TTL_HOURS)
    clock.now = snap.fetched_at + ttl
    assert not cache.is_fresh(snap, TTL_HOURS)
    clock.now = snap.fetched_at + ttl + 1
    assert not cache.is_fresh(snap, TTL_HOURS)


def test_a_zero_ttl_makes_branch_metadata_always_stale(tmp_path: Path) -> None:
    clock = FakeClock()
    cache = MetadataCache(tmp_path, clock=clock)
    assert not cache.is_fresh(snapshot("config.json", fetched_at=clock.now), 0)


def test_commit_metadata_never_expires(tmp_path: Path) -> None:
    clock = FakeClock()
    cache = MetadataCache(tmp_path, clock=clock)
    snap = snapshot("config.json", revision=COMMIT, fetched_at=clock.now)
    clock.now += 10 * 365 * 24 * 3600
    assert cache.is_fresh(snap, TTL_HOURS)
    assert cache.is_fresh(snap, 0)


def test_saving_a_branch_snapshot_also_stores_it_under_its_commit(tmp_path: Path) -> None:
    clock = FakeClock()
    cache = MetadataCache(tmp_path, clock=clock)
    cache.save(snapshot("config.json", "model.bin", fetched_at=clock.now))

    by_commit = cache.load(REPO, COMMIT)
    assert by_commit is not None
    assert by_commit.commit == COMMIT
    assert [f.path for f in by_commit.files] == ["config.json", "model.bin"]
    # A source pinned to that commit must never need the network again, however old the entry.
    clock.now += 365 * 24 * 3600
    assert cache.is_fresh(by_commit, TTL_HOURS)


def test_a_newer_branch_snapshot_replaces_the_old_one(tmp_path: Path) -> None:
    cache = MetadataCache(tmp_path, clock=FakeClock())
    cache.save(snapshot("old.bin"))
    newer = RepoSnapshot(REPO, "main", OTHER_COMMIT, snapshot("new.bin").files, 2000.0)
    cache.save(newer)

    assert cache.load(REPO, "main") == newer
    old_commit = cache.load(REPO, COMMIT)  # what the old commit held stays known
    assert old_commit is not None
    assert [f.path for f in old_commit.files] == ["old.bin"]


def test_revisions_with_slashes_get_their_own_entries(tmp_path: Path) -> None:
    cache = MetadataCache(tmp_path, clock=FakeClock())
    pr = RepoSnapshot(REPO, "refs/pr/1", COMMIT, snapshot("a.bin").files, 1000.0)
    cache.save(pr)
    assert cache.load(REPO, "refs/pr/1") == pr
    assert cache.load(REPO, "refs") is None
    assert not (tmp_path / ".vcp" / "metadata" / "refs").exists()


@pytest.mark.parametrize("content", ["", "{", "[]", '{"repo": "x"}', '{"files": 3}'])
def test_a_damaged_cache_entry_reads_as_missing(tmp_path: Path, content: str) -> None:
    cache = MetadataCache(tmp_path, clock=FakeClock())
    cache.save(snapshot("config.json"))
    for entry in (tmp_path / ".vcp" / "metadata").rglob("*.json"):
        entry.write_text(content, encoding="utf-8")
    assert cache.load(REPO, "main") is None
    assert cache.load(REPO, COMMIT) is None
