"""Pin precedence: what the ModelManager expects of a Hub file when the config pins a checksum.

Tier 2: a ModelManager over aioresponses (no sockets). The Hub's repo info names every file's
identity (sha256 for LFS files, git blob sha1 for the others); the config may pin a checksum too.
A pin that agrees is used; a pin in another algorithm is checked on the bytes while the blob keeps
the Hub's name; a pin that disagrees in the same algorithm stops before any file is requested.
"""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from vcp_testing.hashes import git_sha1, sha256
from vcp_testing.mocks import MockedHub as CompatHub

from vcp.config import ModelsSettings
from vcp.errors import IntegrityError
from vcp.models.events import DownloadEvent, FileVerified, ModelReady
from vcp.models.manager import ModelManager

EP = "https://hub.test"
REPO = "org/tiny"
COMMIT = "0d3d19a32d3338f10357c0889762bd8d64bbdeba"
INFO = f"{EP}/api/models/{REPO}/revision/main?blobs=true"
NAME = "tiny"

CONFIG = b'{"model_type": "whisper", "vocab_size": 51864}\n'
WEIGHTS = bytes(range(256)) * 64


def md5(data: bytes) -> str:
    return hashlib.md5(data).hexdigest()


@dataclass(frozen=True)
class RepoFile:
    name: str
    data: bytes
    lfs: bool

    @property
    def hub_id(self) -> str:
        """The Hub's identity of the file, ``algorithm:hex`` (what the blob is named after)."""
        return f"sha256:{sha256(self.data)}" if self.lfs else f"git-sha1:{git_sha1(self.data)}"

    @property
    def blob(self) -> str:
        return self.hub_id.split(":")[1]

    @property
    def url(self) -> str:
        return f"{EP}/{REPO}/resolve/{COMMIT}/{self.name}"

    def sibling(self) -> dict[str, Any]:
        size = len(self.data)
        if self.lfs:
            lfs = {"sha256": sha256(self.data), "size": size, "pointerSize": 134}
            return {"rfilename": self.name, "blobId": "b" * 40, "size": size, "lfs": lfs}
        return {"rfilename": self.name, "blobId": git_sha1(self.data), "size": size}


CONFIG_FILE = RepoFile("config.json", CONFIG, lfs=False)
WEIGHTS_FILE = RepoFile("model.bin", WEIGHTS, lfs=True)


class MockedHub(CompatHub):
    """The mocked Hub, with a shortcut to serve a repo's info and files."""

    def serve(self, *files: RepoFile, body: dict[str, bytes] | None = None) -> None:
        """Repo info listing ``files`` at COMMIT, and each file's bytes (``body`` overrides)."""
        self.get(
            INFO, payload={"id": REPO, "sha": COMMIT, "siblings": [f.sibling() for f in files]}
        )
        for f in files:
            self.get(f.url, body=(body or {}).get(f.name, f.data))

    def urls(self) -> list[str]:
        return [str(url) for (_, url), calls in self.requests.items() for _ in calls]


@dataclass
class Run:
    hub: MockedHub
    settings: Callable[..., ModelsSettings]
    cache_dir: Path
    events: list[DownloadEvent] = field(default_factory=list)

    def source(self, *files: str, checksums: dict[str, str] | None = None, **more: Any) -> Any:
        hf = {"repo": REPO, "revision": "main", "files": list(files)}
        return {"name": NAME, "hf": hf, "checksums": checksums or {}, **more}

    def manager(self, *sources: Any) -> ModelManager:
        settings = self.settings(EP, sources=list(sources), retry_backoff_seconds=[0, 0, 0])
        return ModelManager(settings, on_event=self.events.append, token="", sleep=_no_sleep)

    async def ensure(self, *sources: Any) -> Any:
        async with self.manager(*sources) as models:
            return (await models.ensure([NAME]))[NAME]

    def blobs(self) -> list[str]:
        folder = self.cache_dir / "models--org--tiny" / "blobs"
        return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


async def _no_sleep(seconds: float) -> None:
    pass


@pytest.fixture
def hub() -> Iterator[MockedHub]:
    mocked = MockedHub()
    with mocked:
        yield mocked


@pytest.fixture
async def run(
    hub: MockedHub, models_settings: Callable[..., ModelsSettings], cache_dir: Path
) -> AsyncIterator[Run]:
    yield Run(hub, models_settings, cache_dir)


# -- a pin that agrees -----------------------------------------------------------------------------


@pytest.mark.parametrize("repo_file", [CONFIG_FILE, WEIGHTS_FILE], ids=["git-sha1", "sha256"])
async def test_a_pin_that_agrees_with_the_hub_is_used(run: Run, repo_file: RepoFile) -> None:
    run.hub.serve(repo_file)

    model = await run.ensure(
        run.source(repo_file.name, checksums={repo_file.name: repo_file.hub_id})
    )

    local = model.files[repo_file.name]
    assert str(local.checksum) == repo_file.hub_id
    assert local.path.read_bytes() == repo_file.data
    assert local.path.resolve().name == repo_file.blob
    assert model.revision == COMMIT
    assert run.hub.urls() == [INFO, repo_file.url]
    [verified] = [e for e in run.events if isinstance(e, FileVerified)]
    assert verified.checksum == repo_file.hub_id


async def test_without_a_pin_the_hubs_hash_is_the_expected_one(run: Run) -> None:
    # Same size, different bytes: only the Hub's hash can tell.
    tampered = bytes([CONFIG[0] ^ 1]) + CONFIG[1:]
    run.hub.serve(CONFIG_FILE, body={"config.json": tampered})

    with pytest.raises(IntegrityError) as caught:
        await run.ensure(run.source("config.json"))

    assert caught.value.expected == CONFIG_FILE.hub_id
    assert caught.value.got == f"git-sha1:{git_sha1(tampered)}"
    assert run.blobs() == []  # nothing unverified under a final name


# -- a pin in another algorithm ------------------------------------------------------------------


@pytest.mark.parametrize("repo_file", [CONFIG_FILE, WEIGHTS_FILE], ids=["regular", "lfs"])
async def test_a_pin_in_another_algorithm_is_checked_and_the_blob_keeps_the_hubs_name(
    run: Run, repo_file: RepoFile
) -> None:
    pin = f"md5:{md5(repo_file.data)}"
    run.hub.serve(repo_file)

    model = await run.ensure(run.source(repo_file.name, checksums={repo_file.name: pin}))

    local = model.files[repo_file.name]
    assert str(local.checksum) == pin  # what the user pinned is what was verified
    # ...while the cache stays in the Hub's layout, readable by huggingface_hub and friends.
    assert run.blobs() == [repo_file.blob]
    assert local.path == run.cache_dir / "models--org--tiny" / "snapshots" / COMMIT / repo_file.name
    assert local.path.resolve().name == repo_file.blob
    [ready] = [e for e in run.events if isinstance(e, ModelReady)]
    assert ready.revision == COMMIT


async def test_a_wrong_pin_in_another_algorithm_fails_on_the_downloaded_bytes(run: Run) -> None:
    pin = f"md5:{md5(b'the file the user meant')}"
    run.hub.serve(CONFIG_FILE)

    with pytest.raises(IntegrityError) as caught:
        await run.ensure(run.source("config.json", checksums={"config.json": pin}))

    assert caught.value.expected == pin
    assert caught.value.got == f"md5:{md5(CONFIG)}"
    assert caught.value.hint is not None and "checksums" in caught.value.hint
    assert run.blobs() == []


# -- a pin that disagrees ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("repo_file", "pin"),
    [
        (CONFIG_FILE, f"git-sha1:{git_sha1(b'an older config')}"),
        (WEIGHTS_FILE, f"sha256:{sha256(b'older weights')}"),
    ],
    ids=["git-sha1", "sha256"],
)
async def test_a_disagreeing_pin_stops_before_any_file_request(
    run: Run, repo_file: RepoFile, pin: str
) -> None:
    run.hub.serve(repo_file)

    with pytest.raises(IntegrityError) as caught:
        await run.ensure(run.source(repo_file.name, checksums={repo_file.name: pin}))

    error = caught.value
    assert (error.model, error.file) == (NAME, repo_file.name)
    # Both values, and where the Hub's came from...
    assert pin in str(error)
    assert repo_file.hub_id in str(error) and COMMIT[:12] in str(error)
    # ...and how to update the pin if the change is intended.
    assert error.hint is not None
    assert f"checksums['{repo_file.name}']" in error.hint
    assert "vcp models pin" in error.hint
    assert run.hub.urls() == [INFO]
    assert run.blobs() == []


async def test_a_disagreeing_pin_on_a_file_chosen_by_a_pattern_stops_too(run: Run) -> None:
    pin = f"git-sha1:{git_sha1(b'an older config')}"
    run.hub.serve(CONFIG_FILE, WEIGHTS_FILE)

    with pytest.raises(IntegrityError, match=r"pinned checksum mismatch") as caught:
        await run.ensure(run.source("*.json", "*.bin", checksums={"config.json": pin}))

    assert caught.value.expected == pin
    assert run.hub.urls() == [INFO]


async def test_a_disagreeing_pin_is_not_papered_over_by_a_fallback(run: Run) -> None:
    # A changed file is not an unavailable source: the user must decide which one to trust.
    run.hub.serve(CONFIG_FILE)
    release = {
        "name": "tiny-release",
        "url": "https://cdn.test/config.json",
        "checksum": sha256(CONFIG),
        "optional": True,
    }
    pin = f"git-sha1:{git_sha1(b'an older config')}"

    with pytest.raises(IntegrityError):
        await run.ensure(
            run.source("config.json", checksums={"config.json": pin}, fallbacks=["tiny-release"]),
            release,
        )

    assert run.hub.urls() == [INFO]
