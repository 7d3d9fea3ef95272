"""Edge cases of the manager that a user meets rarely but must not be surprised by."""

from __future__ import annotations

import hashlib
import os
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest

from vcp.cli.exit_codes import exit_code
from vcp.config import ModelsSettings
from vcp.errors import ModelError
from vcp.mirror import MirrorServer, add_plain_file, add_repo
from vcp.models.local import FileState
from vcp.models.manager import ModelManager

DATA = bytes(range(256)) * 400  # 100 KiB


@pytest.fixture
async def mirror(tmp_path: Path) -> AsyncIterator[MirrorServer]:
    root = tmp_path / "mirror"
    add_repo(root, "acme/edge", {"weights.bin": DATA}, lfs=["weights.bin"])
    add_plain_file(root, "plain/weights.bin", DATA)
    async with MirrorServer(root) as server:
        yield server


def hub_source() -> dict[str, object]:
    return {"name": "edge", "hf": {"repo": "acme/edge", "files": ["weights.bin"]}}


def url_source(mirror: MirrorServer) -> dict[str, object]:
    return {
        "name": "plain",
        "url": f"{mirror.url}/files/plain/weights.bin",
        "allow_unverified": True,
    }


async def test_ensuring_nothing_returns_nothing_without_a_request(
    mirror: MirrorServer, models_settings: Callable[..., ModelsSettings]
) -> None:
    settings = models_settings(mirror.url, sources=[])
    async with ModelManager(settings) as models:
        assert await models.ensure() == {}
        assert await models.ensure([]) == {}
    assert mirror.stats.count() == 0


async def test_a_changed_unverified_file_is_not_trusted(
    mirror: MirrorServer, models_settings: Callable[..., ModelsSettings]
) -> None:
    # With no checksum configured, vcp's own record of what it downloaded is the only proof.
    settings = models_settings(mirror.url, sources=[url_source(mirror)])
    async with ModelManager(settings) as models:
        local = await models.ready("plain")
    path = local.file("weights.bin")
    assert (
        hashlib.sha256(path.read_bytes()).hexdigest()
        == local.files["weights.bin"].checksum.hexdigest
    )

    tampered = path.with_name("tampered")
    tampered.write_bytes(b"x" * len(DATA))
    os.replace(tampered, path)  # same size, new inode and mtime: the record no longer matches

    manager = ModelManager(settings)
    assert (await manager.status("plain")).state is FileState.CORRUPT
    mirror.stats.reset()
    async with ModelManager(settings) as models:
        again = await models.ready("plain")
    assert again.file("weights.bin").read_bytes() == DATA
    assert mirror.stats.bytes_for("weights.bin") == len(DATA)  # fetched again


async def test_a_cache_that_cannot_be_created_is_reported_as_such(
    mirror: MirrorServer, models_settings: Callable[..., ModelsSettings], tmp_path: Path
) -> None:
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("a file where the cache should go")
    settings = models_settings(mirror.url, sources=[hub_source()]).model_copy(
        update={"cache_dir": blocker / "cache"}
    )
    async with ModelManager(settings) as models:
        with pytest.raises(ModelError) as caught:
            await models.ready("edge")

    err = caught.value
    assert "bug" not in f"{err} {err.hint}"
    assert err.hint is not None and "models.cache_dir" in err.hint and "writable" in err.hint
    assert exit_code(err) == 3
    assert blocker.read_text() == "a file where the cache should go"  # nothing lost
