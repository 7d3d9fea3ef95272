"""Reading a Hub-layout root: revisions, file entries, etags, unsafe paths (no event loop)."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from vcp_testing.hashes import git_sha1

from vcp.mirror import HubLayout, add_repo
from vcp.mirror.layout import (
    bytes_etag,
    file_etag,
    is_lfs_by_default,
    is_safe_relpath,
    is_sha,
    repo_folder_name,
)

REPO = "acme/model"
FILES = {"config.json": b"{}\n", "w.safetensors": b"\x00" * 100, "a/b/c.txt": b"deep\n"}


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return tmp_path


@pytest.fixture
def commit(root: Path) -> str:
    return add_repo(root, REPO, FILES, revisions=("main", "refs/pr/1"))


@pytest.mark.parametrize(
    "path",
    ["config.json", "a/b/c.txt", "a.b/c-d_e.json"],
)
def test_plain_relative_paths_are_safe(path: str) -> None:
    assert is_safe_relpath(path)


@pytest.mark.parametrize(
    "path",
    ["", "../x", "a/../../x", "/etc/passwd", "a\\b", "a\0b", "a//b", "./a", "a/", "..", "a\nb"],
)
def test_paths_that_could_escape_are_unsafe(path: str) -> None:
    assert not is_safe_relpath(path)


def test_repo_folder_name() -> None:
    assert repo_folder_name("Systran/faster-whisper-tiny.en") == (
        "models--Systran--faster-whisper-tiny.en"
    )
    assert repo_folder_name("gpt2") == "models--gpt2"
    for bad in ("a/b/c", "../x", "a/..", "", "a/.hidden"):
        assert repo_folder_name(bad) is None


def test_commit_ids_are_exactly_40_lowercase_hex_digits() -> None:
    assert is_sha("0d3d19a32d3338f10357c0889762bd8d64bbdeba")
    for bad in ("0" * 39, "0" * 41, "A" * 40, "0" * 40 + "\n", "main"):
        assert not is_sha(bad), bad


def test_etags_of_bytes_and_files_agree(tmp_path: Path) -> None:
    data = b"some bytes\n"
    (tmp_path / "f").write_bytes(data)
    assert (
        bytes_etag(data, is_lfs=False) == git_sha1(data) == file_etag(tmp_path / "f", is_lfs=False)
    )
    sha256 = hashlib.sha256(data).hexdigest()
    assert bytes_etag(data, is_lfs=True) == sha256 == file_etag(tmp_path / "f", is_lfs=True)


def test_lfs_rule_of_thumb() -> None:
    assert is_lfs_by_default("model.bin", 10)
    assert is_lfs_by_default("x/model.SAFETENSORS", 10)
    assert is_lfs_by_default("big.json", 10 * 1024 * 1024)
    assert not is_lfs_by_default("config.json", 10 * 1024 * 1024 - 1)


def test_revision_resolves_branch_pr_ref_and_commit(root: Path, commit: str) -> None:
    layout = HubLayout(root)
    assert layout.resolve_revision(REPO, "main") == commit
    assert layout.resolve_revision(REPO, "refs/pr/1") == commit
    assert layout.resolve_revision(REPO, commit) == commit


def test_unknown_revision_repo_or_traversal_resolve_to_none(root: Path, commit: str) -> None:
    layout = HubLayout(root)
    assert layout.resolve_revision(REPO, "dev") is None
    assert layout.resolve_revision(REPO, "0" * 40) is None
    assert layout.resolve_revision("acme/other", "main") is None
    assert layout.resolve_revision(REPO, "../refs/main") is None


def test_symlinked_entries_take_the_blob_name_as_etag(root: Path, commit: str) -> None:
    layout = HubLayout(root)
    config = layout.file_entry(REPO, commit, "config.json")
    weights = layout.file_entry(REPO, commit, "w.safetensors")
    assert config is not None and weights is not None
    assert (config.etag, config.is_lfs, config.size) == (git_sha1(b"{}\n"), False, 3)
    assert weights.etag == hashlib.sha256(FILES["w.safetensors"]).hexdigest()
    assert weights.is_lfs
    assert config.blob_path.parent.name == "blobs"


def test_copied_entries_get_a_computed_etag(root: Path, commit: str) -> None:
    snapshot = root / "models--acme--model" / "snapshots" / commit
    for name in ("config.json", "w.safetensors"):
        link = snapshot / name
        data = link.read_bytes()
        link.unlink()
        link.write_bytes(data)  # a plain copy, as on file systems without symlinks
    layout = HubLayout(root)
    config = layout.file_entry(REPO, commit, "config.json")
    weights = layout.file_entry(REPO, commit, "w.safetensors")
    assert config is not None and config.etag == git_sha1(b"{}\n") and not config.is_lfs
    assert weights is not None and weights.is_lfs
    assert weights.etag == hashlib.sha256(FILES["w.safetensors"]).hexdigest()
    assert layout.file_entry(REPO, commit, "config.json") == config  # from the cache


def test_missing_and_unsafe_files_are_none(root: Path, commit: str) -> None:
    layout = HubLayout(root)
    for path in ("nope.txt", "a/b", "../refs/main", "/etc/passwd", "a\\b\\c.txt", "a/b/c.txt\0"):
        assert layout.file_entry(REPO, commit, path) is None, path
    assert layout.file_entry(REPO, "main", "config.json") is None  # needs a commit


def test_symlink_out_of_the_repo_is_refused(root: Path, commit: str, tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("no")
    (root / "models--acme--model" / "snapshots" / commit / "leak.txt").symlink_to(secret)
    assert HubLayout(root).file_entry(REPO, commit, "leak.txt") is None


def test_list_files_walks_nested_folders(root: Path, commit: str) -> None:
    entries = HubLayout(root).list_files(REPO, commit)
    assert [e.path for e in entries] == ["a/b/c.txt", "config.json", "w.safetensors"]
    assert sum(e.size for e in entries) == sum(len(d) for d in FILES.values())


def test_blob_lookup_by_etag(root: Path, commit: str) -> None:
    layout = HubLayout(root)
    etag = git_sha1(b"{}\n")
    assert layout.blob(REPO, etag) == root / "models--acme--model" / "blobs" / etag
    assert layout.blob(REPO, "../refs/main") is None
    assert layout.blob(REPO, "f" * 40) is None


def test_a_root_without_the_repo(tmp_path: Path) -> None:
    layout = HubLayout(tmp_path / "empty")
    assert layout.repo_dir(REPO) is None
    assert layout.list_files(REPO, "0" * 40) == []
