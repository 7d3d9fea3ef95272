"""Fixtures for the mirror's tests: a Hub-layout root seeded once, servers on loopback port 0.

The root also holds a gated, a private and a disabled repo (``acme/gated`` etc.), and the folders
vcp's own cache keeps beside the repos (``.locks/``, ``.vcp/``), which must not count as repos.
The servers take their fault knobs from the ``faults`` fixture of tests/conftest.py.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from vcp.mirror import (
    Faults,
    MirrorServer,
    add_plain_file,
    add_repo,
    seed_default_models,
    update_repo_meta,
)
from vcp.mirror.seed import NUDENET_REPO as NUDENET
from vcp.mirror.seed import WHISPER_REPO as WHISPER

# From the model reference (default-models.md): size and the etag the Hub serves.
_KNOWN_FILES = {
    (WHISPER, "config.json"): (2317, "4065bb3bed375b176d5465be117d2d202e210434"),
    (WHISPER, "model.bin"): (
        75537502,
        "1a5afae06a4db91c975c9a9d78be5cc110ee4ea022ad57d55492e4550e936b2a",
    ),
    (WHISPER, "tokenizer.json"): (2128466, "15d7bdf9ba25718ca2504eec6a8f02bc55af0a6a"),
    (WHISPER, "vocabulary.txt"): (422309, "ee695b8d3e3c10d488304e04468efec4ca27554a"),
    (NUDENET, "320n.onnx"): (
        12150158,
        "c15d8273adad2d0a92f014cc69ab2d6c311a06777a55545f2c4eb46f51911f0f",
    ),
}

SMALL_REPO = "acme/tiny"
_SMALL_FILES = {
    "config.json": b'{"hidden": 4}\n',
    "weights.bin": bytes(range(256)) * 64,  # 16 KiB, LFS by suffix
    "sub/dir/notes.txt": b"nested file\n",
}
_PLAIN_BODY = bytes(i % 251 for i in range(200_000))
MIRROR_TOKEN = "hf_mirror_test_token"
_FLAGGED: dict[str, dict[str, Any]] = {
    "acme/gated": {"gated": "manual", "downloads": 30, "likes": 7},
    "acme/private": {"private": True, "downloads": 40},
    "acme/disabled": {"disabled": True, "downloads": 50},
}
_FLAGGED_FILES = {"config.json": b'{"flagged": true}\n', "model.onnx": b"\x01" * 4096}


@pytest.fixture(scope="session")
def seeded_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A root with the two default models (hard links to the package files) and a small repo."""
    root = tmp_path_factory.mktemp("mirror-root")
    seed_default_models(root)
    add_repo(root, SMALL_REPO, _SMALL_FILES, revisions=("main", "refs/pr/1"), tags=("v1.0",))
    update_repo_meta(root, SMALL_REPO, model_tags=("tiny", "onnx"), downloads=20, likes=9)
    for repo_id, flags in _FLAGGED.items():
        add_repo(root, repo_id, _FLAGGED_FILES)
        update_repo_meta(root, repo_id, **flags)
    add_plain_file(root, "releases/v1/plain.bin", _PLAIN_BODY)
    # what vcp's cache keeps beside the repos
    (root / ".locks" / "models--acme--tiny").mkdir(parents=True)
    (root / ".locks" / "models--acme--tiny" / "0123.lock").touch()
    (root / ".vcp" / "verified" / "models--acme--tiny").mkdir(parents=True)
    return root


@pytest.fixture(scope="session")
def known_files() -> dict[tuple[str, str], tuple[int, str]]:
    """(repo id, path) -> (size, etag) of the default models' files, as the Hub serves them."""
    return dict(_KNOWN_FILES)


@pytest.fixture(scope="session")
def small_files() -> dict[str, bytes]:
    """The files of the small repo ``acme/tiny`` (branch main, tag v1.0, refs/pr/1)."""
    return dict(_SMALL_FILES)


@pytest.fixture(scope="session")
def flagged_files() -> dict[str, bytes]:
    """The files each flagged repo holds."""
    return dict(_FLAGGED_FILES)


@pytest.fixture(scope="session")
def mirror_token() -> str:
    """The token ``token_mirror`` accepts."""
    return MIRROR_TOKEN


@pytest.fixture(scope="session")
def plain_body() -> bytes:
    """The 200 kB served at /files/releases/v1/plain.bin."""
    return _PLAIN_BODY


@pytest.fixture
async def mirror(seeded_root: Path, faults: Faults) -> AsyncIterator[MirrorServer]:
    """The mirror without a CDN: every file is answered directly."""
    async with MirrorServer(seeded_root, faults=faults) as server:
        yield server


@pytest.fixture
async def cdn_mirror(seeded_root: Path, faults: Faults) -> AsyncIterator[MirrorServer]:
    """The mirror with a CDN on another port and host name: LFS files redirect there."""
    async with MirrorServer(seeded_root, faults=faults, cdn=True) as server:
        yield server


@pytest.fixture
async def token_mirror(seeded_root: Path, faults: Faults) -> AsyncIterator[MirrorServer]:
    """The mirror with a token: it opens the private and the gated repo."""
    async with MirrorServer(seeded_root, faults=faults, token=MIRROR_TOKEN) as server:
        yield server


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    """A client session; identity encoding, as the Hub client asks for."""
    timeout = aiohttp.ClientTimeout(total=60)
    headers = {"Accept-Encoding": "identity"}
    async with aiohttp.ClientSession(timeout=timeout, headers=headers) as session:
        yield session
