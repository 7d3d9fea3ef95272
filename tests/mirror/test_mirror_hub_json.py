"""The Hub's JSON answers as pure functions of layout data (no event loop, no files)."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from vcp_testing.hashes import git_sha1

from vcp.mirror.hub_api.documents import (
    SearchQuery,
    blob_id,
    folder_oids,
    lfs_pointer,
    list_folder,
    page,
    paths_info,
    refs_json,
    tree_entries,
)
from vcp.mirror.layout import FileEntry
from vcp.mirror.repo_meta import RepoMeta

MODEL_SHA256 = "1a5afae06a4db91c975c9a9d78be5cc110ee4ea022ad57d55492e4550e936b2a"
MODEL_SIZE = 75537502


def entry(path: str, data: bytes, *, lfs: bool = False) -> FileEntry:
    etag = hashlib.sha256(data).hexdigest() if lfs else git_sha1(data)
    return FileEntry(path, Path("/unused"), len(data), etag, is_lfs=lfs)


def test_an_lfs_file_is_identified_by_its_pointer_file() -> None:
    pointer = lfs_pointer(MODEL_SHA256, MODEL_SIZE)
    assert pointer == (
        b"version https://git-lfs.github.com/spec/v1\n"
        b"oid sha256:" + MODEL_SHA256.encode() + b"\nsize 75537502\n"
    )
    model = FileEntry("model.bin", Path("/unused"), MODEL_SIZE, MODEL_SHA256, is_lfs=True)
    assert blob_id(model) == git_sha1(pointer)
    [listed] = tree_entries([model])
    assert listed == {
        "type": "file",
        "oid": git_sha1(pointer),
        "size": MODEL_SIZE,
        "path": "model.bin",
        "lfs": {"oid": MODEL_SHA256, "size": MODEL_SIZE, "pointerSize": len(pointer)},
    }


def test_a_regular_file_is_identified_by_its_etag() -> None:
    config = entry("config.json", b"{}\n")
    assert blob_id(config) == config.etag == git_sha1(b"{}\n")
    assert "lfs" not in tree_entries([config])[0]


def test_folder_ids_are_git_tree_ids_in_git_order() -> None:
    files = [entry("a.b", b"x"), entry("a/c", b"y")]
    by_path = {e["path"]: e for e in tree_entries(files)}
    tree_a = b"100644 c\0" + bytes.fromhex(git_sha1(b"y"))
    assert by_path["a"] == {
        "type": "directory",
        "oid": hashlib.sha1(b"tree %d\0" % len(tree_a) + tree_a).hexdigest(),
        "size": 0,
        "path": "a",
    }
    # git sorts a folder as if named "a/", so after "a.b"
    root = b"100644 a.b\0" + bytes.fromhex(git_sha1(b"x"))
    root += b"40000 a\0" + bytes.fromhex(by_path["a"]["oid"])
    assert folder_oids(files)[""] == hashlib.sha1(b"tree %d\0" % len(root) + root).hexdigest()
    assert "" not in by_path  # the root itself is not listed


def test_list_folder_gives_one_level_or_everything_below() -> None:
    entries = tree_entries([entry("top.txt", b"1"), entry("d/x.txt", b"2"), entry("d/e/y", b"3")])
    assert [e["path"] for e in entries] == ["d", "d/e", "d/e/y", "d/x.txt", "top.txt"]
    assert [e["path"] for e in list_folder(entries, "", recursive=False) or []] == ["d", "top.txt"]
    assert [e["path"] for e in list_folder(entries, "d", recursive=False) or []] == [
        "d/e",
        "d/x.txt",
    ]
    assert len(list_folder(entries, "d", recursive=True) or []) == 3
    assert list_folder(entries, "top.txt", recursive=False) is None
    assert list_folder(entries, "nope", recursive=True) is None


def test_paths_info_keeps_the_order_asked_and_leaves_out_missing_paths() -> None:
    entries = tree_entries([entry("a.txt", b"1"), entry("d/x.txt", b"2")])
    found = paths_info(entries, ["d", "missing", "a.txt", "d/"])
    assert [(e["path"], e["type"]) for e in found] == [("d", "directory"), ("a.txt", "file")]


def test_refs_are_split_into_branches_tags_and_pull_requests() -> None:
    refs = {"main": "1" * 40, "v1.0": "2" * 40, "refs/pr/1": "3" * 40, "dev": "4" * 40}
    answer = refs_json(refs, ["v1.0"])
    assert answer == {
        "branches": [
            {"name": "dev", "ref": "refs/heads/dev", "targetCommit": "4" * 40},
            {"name": "main", "ref": "refs/heads/main", "targetCommit": "1" * 40},
        ],
        "tags": [{"name": "v1.0", "ref": "refs/tags/v1.0", "targetCommit": "2" * 40}],
        "converts": [],
    }
    with_prs = refs_json(refs, ["v1.0"], include_prs=True)
    assert with_prs["pullRequests"] == [
        {"name": "refs/pr/1", "ref": "refs/pr/1", "targetCommit": "3" * 40}
    ]


def test_pages_chain_through_opaque_cursors() -> None:
    items = list(range(5))
    first, cursor = page(items, None, 2)
    assert first == [0, 1] and cursor is not None
    second, cursor = page(items, cursor, 2)
    third, last = page(items, cursor, 2)
    assert (second, third, last) == ([2, 3], [4], None)
    assert page(items, None, 5) == (items, None)
    for bad in ("not*base64", "LTE="):  # garbage, and "-1"
        with pytest.raises(ValueError, match="Invalid cursor"):
            page(items, bad, 2)


def test_search_matches_words_author_and_tags_and_sorts() -> None:
    query = SearchQuery.parse({"search": "WHISPER tiny", "author": "systran"}, [])
    meta = RepoMeta(model_tags=("audio",), library_name="ctranslate2")
    assert query.matches("Systran/faster-whisper-tiny.en", meta)
    assert not query.matches("Systran/faster-whisper-base", meta)
    assert not query.matches("other/faster-whisper-tiny.en", meta)
    assert SearchQuery.parse({}, ["ctranslate2", "audio"]).matches("a/b", meta)
    assert not SearchQuery.parse({}, ["onnx"]).matches("a/b", meta)
    entries = [
        {"id": "b", "downloads": 1},
        {"id": "a", "downloads": 1},
        {"id": "c", "downloads": 9},
    ]
    ranked = SearchQuery.parse({"sort": "downloads", "limit": "2"}, []).order(entries)
    assert [e["id"] for e in ranked] == ["c", "a"]
    with pytest.raises(ValueError, match="Invalid sort"):
        SearchQuery.parse({"sort": "stars"}, [])
