"""Hub sources end to end against the real mirror on loopback: what a user of the Hub sees.

Branches resolved through the JSON API and their file lists cached with a TTL (a fake clock moves
time on), glob file selection, fallbacks (a missing primary, a transfer that keeps failing), gated,
disabled and misspelled repos, offline mode, blobs reused from another Hub cache, deprecation, and
faster-whisper loading a snapshot vcp produced. Each test builds its own mirror root with
``add_repo`` in a temporary folder, so it may move a branch or flip a repo's flags; only the
faster-whisper test uses the seeded default models (whose blobs must never be touched).
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import random
import sys
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest
from vcp_testing.cli import Result, run_main
from vcp_testing.events import Recorder
from vcp_testing.fakes import FakeSleep
from vcp_testing.hashes import git_sha1, sha256
from vcp_testing.hub import blob, hf_source
from vcp_testing.mirror import api_requests, file_requests

from vcp.config import ModelsSettings
from vcp.errors import AuthRequired, ModelNotFound, ModelUnavailable
from vcp.mirror import (
    Faults,
    MirrorServer,
    add_plain_file,
    add_repo,
    update_repo_meta,
)
from vcp.mirror.seed import WHISPER_COMMIT
from vcp.models.events import (
    DownloadFailed,
    DownloadStarted,
    FallbackUsed,
    FileCached,
    FileReused,
    FileVerified,
    ModelFailed,
    ModelReady,
    Retrying,
    SourceDeprecated,
)
from vcp.models.local import FileState
from vcp.models.manager import ModelManager

REPO = "acme/tiny"
FILES = {
    "config.json": b'{"hidden": 8, "layers": 2}\n',  # regular git files: etag = git blob sha1
    "tokenizer.json": b'{"vocab": ["<s>", "a", "b"]}\n',
    "notes.txt": b"trained on nothing in particular\n",
    "weights.bin": random.Random(3).randbytes(200_000),  # LFS: etag = sha256
}
NEW_WEIGHTS = random.Random(4).randbytes(210_000)
RELEASE = "releases/tiny-weights.bin"  # the same weights as a plain download (/files/...)
GATED_REPO = "acme/gated"
DISABLED_REPO = "acme/retired"
TOKEN = "hf_mirrorTOKEN0123456789"


ETAGS = {
    name: sha256(data) if name.endswith(".bin") else git_sha1(data) for name, data in FILES.items()
}


TINY = hf_source("tiny", REPO, ["config.json", "weights.bin"])


def url_source(name: str, server: MirrorServer, path: str, data: bytes) -> dict[str, Any]:
    """A plain-URL source served by the mirror's /files/ route, pinned to ``data``'s sha256."""
    return {"name": name, "url": f"{server.url}/files/{path}", "checksum": sha256(data)}


# -- fixtures --------------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _no_home_cache(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    # vcp also looks for reusable blobs in ~/.cache/huggingface/hub: never the developer's own
    # (the root conftest does this too; the reuse tests below rely on exactly this HOME).
    monkeypatch.setenv("HOME", str(tmp_path / "home"))


@pytest.fixture
def root(tmp_path: Path) -> Path:
    """This test's mirror root: acme/tiny (branches main and dev, tag v1.0), a gated and a
    disabled repo, and the weights as a plain file."""
    root = tmp_path / "mirror"
    add_repo(root, REPO, FILES, revisions=("main", "dev"), tags=("v1.0",), lfs={"weights.bin"})
    add_repo(root, GATED_REPO, FILES, lfs={"weights.bin"})
    update_repo_meta(root, GATED_REPO, gated="manual")
    add_repo(root, DISABLED_REPO, FILES, lfs={"weights.bin"})
    update_repo_meta(root, DISABLED_REPO, disabled=True)
    add_plain_file(root, RELEASE, FILES["weights.bin"])
    return root


@pytest.fixture
async def mirror(root: Path, faults: Faults) -> AsyncIterator[MirrorServer]:
    """This test's own root (see ``root``); ``TOKEN`` opens its gated repo."""
    async with MirrorServer(root, faults=faults, token=TOKEN) as server:
        yield server


class Clock:
    """The wall clock, moved forward on demand (the manager's ``clock=``)."""

    def __init__(self) -> None:
        self.offset = 0.0

    def __call__(self) -> float:
        return time.time() + self.offset

    def advance(self, hours: float) -> None:
        self.offset += hours * 3600


# -- branch revisions and the metadata cache -------------------------------------------------------


async def test_a_branch_is_resolved_to_its_commit_and_its_file_list_is_cached(
    mirror: MirrorServer,
    root: Path,
    settings_for: Callable[..., ModelsSettings],
    cache_dir: Path,
) -> None:
    commit = (root / "models--acme--tiny" / "refs" / "main").read_text()
    settings = settings_for(mirror, TINY)
    async with ModelManager(settings) as models:
        local = await models.ready("tiny")

    assert local.revision == commit
    assert local.path == cache_dir / "models--acme--tiny" / "snapshots" / commit
    assert {n: p.read_bytes() for n, p in ((n, local.file(n)) for n in local.files)} == {
        "config.json": FILES["config.json"],
        "weights.bin": FILES["weights.bin"],
    }
    assert (cache_dir / "models--acme--tiny" / "refs" / "main").read_text().strip() == commit
    # one question about the branch; the files themselves are asked for by commit, so a branch
    # moving during the download could not mix two versions
    assert [(r.method, r.path) for r in api_requests(mirror)] == [
        ("GET", f"/api/models/{REPO}/revision/main")
    ]
    assert {r.path for r in file_requests(mirror)} == {
        f"/{REPO}/resolve/{commit}/config.json",
        f"/{REPO}/resolve/{commit}/weights.bin",
    }
    listing = json.loads(
        (cache_dir / ".vcp" / "metadata" / "models--acme--tiny" / "main.json").read_text()
    )
    assert listing["commit"] == commit
    assert sorted(f["path"] for f in listing["files"]) == sorted(FILES)
    mirror.stats.reset()

    async with ModelManager(settings) as models:  # a second run, well within the TTL
        again = await models.ready("tiny")

    assert again == local
    assert mirror.stats.count() == 0


async def test_after_the_ttl_one_metadata_request_refreshes_the_list_and_no_file_moves(
    mirror: MirrorServer,
    settings_for: Callable[..., ModelsSettings],
    events: Recorder,
) -> None:
    settings = settings_for(mirror, TINY)
    clock = Clock()
    async with ModelManager(settings, clock=clock) as models:
        first = await models.ready("tiny")
    mirror.stats.reset()
    clock.advance(settings.hub.metadata_ttl_hours + 1)

    async with ModelManager(settings, clock=clock, on_event=events) as models:
        second = await models.ready("tiny")

    assert second == first
    assert [(r.method, r.path) for r in mirror.stats.requests] == [
        ("GET", f"/api/models/{REPO}/revision/main")
    ]
    assert sorted(e.file for e in events.of(FileCached)) == ["config.json", "weights.bin"]
    assert not events.of(DownloadStarted)
    mirror.stats.reset()
    clock.advance(1)  # the refresh started a new TTL

    async with ModelManager(settings, clock=clock) as models:
        assert await models.ready("tiny") == first
    assert mirror.stats.count() == 0


async def test_a_branch_that_moved_is_followed_once_the_ttl_has_passed(
    mirror: MirrorServer,
    root: Path,
    settings_for: Callable[..., ModelsSettings],
    cache_dir: Path,
) -> None:
    settings = settings_for(mirror, TINY)
    clock = Clock()
    async with ModelManager(settings, clock=clock) as models:
        old = await models.ready("tiny")
    new_commit = add_repo(root, REPO, {**FILES, "weights.bin": NEW_WEIGHTS}, lfs={"weights.bin"})
    assert new_commit != old.revision
    mirror.stats.reset()

    async with ModelManager(settings, clock=clock) as models:  # within the TTL: the cached list
        assert await models.ready("tiny") == old
    assert mirror.stats.count() == 0

    clock.advance(settings.hub.metadata_ttl_hours + 1)
    async with ModelManager(settings, clock=clock) as models:
        new = await models.ready("tiny")

    assert new.revision == new_commit
    assert new.path == cache_dir / "models--acme--tiny" / "snapshots" / new_commit
    assert new.file("weights.bin").read_bytes() == NEW_WEIGHTS
    assert new.file("config.json").read_bytes() == FILES["config.json"]
    assert (cache_dir / "models--acme--tiny" / "refs" / "main").read_text().strip() == new_commit
    # only what changed was fetched: config.json has the same blob in both commits
    assert [(r.method, r.path) for r in file_requests(mirror)] == [
        ("GET", f"/{REPO}/resolve/{new_commit}/weights.bin")
    ]
    assert old.file("weights.bin").read_bytes() == FILES["weights.bin"]  # the old snapshot stays


async def test_when_the_hub_is_unreachable_after_the_ttl_the_stale_list_is_used_with_a_warning(
    root: Path,
    settings_for: Callable[..., ModelsSettings],
    fake_sleep: FakeSleep,
    caplog: pytest.LogCaptureFixture,
) -> None:
    clock = Clock()
    async with (
        MirrorServer(root) as server,
        ModelManager(settings_for(server, TINY), clock=clock) as models,
    ):
        first = await models.ready("tiny")
    # the same endpoint, now with nobody listening (as when the network is down)
    settings = settings_for(server, TINY)
    clock.advance(settings.hub.metadata_ttl_hours + 1)

    with caplog.at_level(logging.WARNING):
        async with ModelManager(settings, clock=clock, sleep=fake_sleep) as models:
            again = await models.ready("tiny")

    assert again == first
    assert fake_sleep.delays  # the Hub was given its retries first
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert any(REPO in w and "main" in w for w in warnings)


# -- file selection --------------------------------------------------------------------------------


async def test_glob_patterns_select_the_matching_files_of_the_listing(
    mirror: MirrorServer,
    settings_for: Callable[..., ModelsSettings],
) -> None:
    source = hf_source("jsons", REPO, ["*.json"])
    settings = settings_for(mirror, source)
    async with ModelManager(settings) as models:
        local = await models.ready("jsons")

    assert set(local.files) == {"config.json", "tokenizer.json"}
    for name in local.files:
        assert local.file(name).read_bytes() == FILES[name]
    fetched = {r.path.rsplit("/", 1)[1] for r in file_requests(mirror)}
    assert fetched == {"config.json", "tokenizer.json"}
    status = await ModelManager(settings).status("jsons")  # from the cached listing, offline
    assert status.state is FileState.CACHED
    assert {f.name for f in status.files} == {"config.json", "tokenizer.json"}


async def test_a_pattern_matching_nothing_fails_listing_the_repos_files(
    mirror: MirrorServer,
    settings_for: Callable[..., ModelsSettings],
) -> None:
    source = hf_source("weights", REPO, ["config.json", "*.safetensors"])
    async with ModelManager(settings_for(mirror, source)) as models:
        with pytest.raises(ModelNotFound) as caught:
            await models.ready("weights")

    err = caught.value
    assert "'*.safetensors'" in str(err) and "'weights'" in str(err) and REPO in str(err)
    assert err.hint is not None and "hf.files" in err.hint
    for name in FILES:
        assert name in err.hint
    assert file_requests(mirror) == []


# -- fallbacks -------------------------------------------------------------------------------------


def _missing_primary(server: MirrorServer) -> list[dict[str, Any]]:
    return [
        hf_source("detector", "acme/gone", ["model.onnx"], fallbacks=["alt"]),
        url_source("alt", server, RELEASE, FILES["weights.bin"]),
    ]


async def test_a_missing_primary_falls_back_and_the_fallback_is_reported(
    mirror: MirrorServer,
    settings_for: Callable[..., ModelsSettings],
    cache_dir: Path,
    events: Recorder,
    caplog: pytest.LogCaptureFixture,
) -> None:
    settings = settings_for(mirror, *_missing_primary(mirror))
    with caplog.at_level(logging.WARNING):
        async with ModelManager(settings, on_event=events) as models:
            local = await models.ready("detector")

    assert (local.name, local.source) == ("detector", "alt")
    assert local.path == cache_dir / "url--alt" / "tiny-weights.bin"
    assert local.path.read_bytes() == FILES["weights.bin"]
    (used,) = events.of(FallbackUsed)
    assert (used.model, used.fallback) == ("detector", "alt")
    assert "acme/gone" in used.reason and "not found" in used.reason
    (ready,) = events.of(ModelReady)
    assert (ready.model, ready.source) == ("detector", "alt")
    assert any(
        r.levelno == logging.WARNING and "detector" in r.getMessage() and "alt" in r.getMessage()
        for r in caplog.records
    )
    status = await ModelManager(settings).status("detector")
    assert (status.name, status.state, status.source) == ("detector", FileState.CACHED, "alt")
    assert status.path == local.path


async def test_models_list_says_which_fallback_provides_the_model(
    mirror: MirrorServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    restore_logging: None,
) -> None:
    config = tmp_path / "vcp.yaml"
    config.write_text(json.dumps({"models": {"sources": _missing_primary(mirror)}}))  # JSON is YAML
    monkeypatch.setenv("HF_ENDPOINT", mirror.url)
    monkeypatch.setenv("VCP_MODELS__CACHE_DIR", str(tmp_path / "cache"))
    capsys.readouterr()

    async def vcp(*argv: str) -> Result:
        return await run_main(capsys, *argv, "-c", config)

    download = await vcp("models", "download", "detector", "--progress", "log")
    assert download.returncode == 0, download.stderr
    assert "using fallback alt" in download.stderr
    assert "ready  detector" in download.stdout

    listing = await vcp("models", "list")
    assert listing.returncode == 0, listing.stderr
    (line,) = [x for x in listing.stdout.splitlines() if x.startswith("detector ")]
    assert "cached (via alt)" in line and "tiny-weights.bin" in line


async def test_when_no_source_works_the_error_lists_every_one_tried(
    mirror: MirrorServer,
    settings_for: Callable[..., ModelsSettings],
    events: Recorder,
    fake_sleep: FakeSleep,
) -> None:
    sources = [
        # a typo of acme/tiny's organisation: the Hub's search suggests the real one
        hf_source("detector", "acmee/tiny", ["model.onnx"], fallbacks=["second", "third"]),
        hf_source("second", REPO, ["weights.bin"], revision="v9"),
        url_source("third", mirror, "releases/gone.onnx", b"never served"),
    ]
    async with ModelManager(
        settings_for(mirror, *sources), on_event=events, sleep=fake_sleep
    ) as models:
        with pytest.raises(ModelUnavailable) as caught:
            await models.ready("detector")

    err = caught.value
    text = str(err)
    assert "'detector'" in text and "tried 3" in text
    assert "detector: " in text and "acmee/tiny" in text  # each source with its reason
    assert "second: " in text and "'v9'" in text
    assert "third: " in text and "not found" in text
    assert err.hint is not None and "did you mean acme/tiny" in err.hint
    assert "main" in err.hint and "v1.0" in err.hint  # the branches and tags of the revision miss
    assert not events.of(FallbackUsed)
    assert [e.error for e in events.of(ModelFailed)] == [err]
    assert not fake_sleep.delays  # answers that cannot change are not retried


@pytest.mark.parametrize(
    "fault",
    [{"fail_first": 1_000_000, "fail_status": 503}, {"drop_after_bytes": 0}],
    ids=["503", "dropped"],
)
async def test_a_transfer_that_keeps_failing_falls_back_after_its_retries(
    mirror: MirrorServer,
    faults: Faults,
    settings_for: Callable[..., ModelsSettings],
    cache_dir: Path,
    events: Recorder,
    fake_sleep: FakeSleep,
    fault: dict[str, int],
) -> None:
    faults.only = "weights.bin"  # the primary's file only; the fallback is releases/tiny-...
    for knob, value in fault.items():
        setattr(faults, knob, value)
    sources = [
        hf_source("weights", REPO, ["weights.bin"], fallbacks=["release"]),
        url_source("release", mirror, RELEASE, FILES["weights.bin"]),
    ]
    settings = settings_for(mirror, *sources, max_connections_per_file=1)
    async with ModelManager(settings, on_event=events, sleep=fake_sleep) as models:
        local = await models.ready("weights")

    assert (local.name, local.source) == ("weights", "release")
    assert local.path.read_bytes() == FILES["weights.bin"]
    attempts = len(settings.download.retry_backoff_seconds) + 1
    primary = [r for r in file_requests(mirror) if r.path.endswith("/weights.bin")]
    assert len(primary) == attempts  # every retry was spent on the primary first
    assert len(fake_sleep.delays) == attempts - 1
    assert [(e.model, e.file) for e in events.of(DownloadFailed)] == [("weights", "weights.bin")]
    (used,) = events.of(FallbackUsed)
    assert (used.model, used.fallback) == ("weights", "release")
    assert used.reason == str(events.of(DownloadFailed)[0].error)
    assert {e.file for e in events.of(Retrying)} == {"weights.bin"}
    assert not blob(cache_dir, REPO, ETAGS["weights.bin"]).exists()


# -- what the Hub refuses --------------------------------------------------------------------------


GATED = hf_source("gated", GATED_REPO, ["config.json", "weights.bin"])


@pytest.mark.parametrize("token", [None, "hf_someoneElse0000"], ids=["no-token", "wrong-token"])
async def test_a_gated_repo_without_access_asks_for_a_token_and_the_terms(
    mirror: MirrorServer,
    settings_for: Callable[..., ModelsSettings],
    cache_dir: Path,
    fake_sleep: FakeSleep,
    token: str | None,
) -> None:
    async with ModelManager(settings_for(mirror, GATED), token=token, sleep=fake_sleep) as models:
        with pytest.raises(AuthRequired) as caught:
            await models.ready("gated")

    err = caught.value
    assert err.code == "GatedRepo" and err.status == (403 if token else 401)
    assert err.model == "gated"
    assert err.hint is not None
    assert "HF_TOKEN" in err.hint and "terms" in err.hint
    assert f"{mirror.url}/{GATED_REPO}" in err.hint  # the model page where the terms are
    assert mirror.stats.bytes_for(".bin") == 0
    assert not fake_sleep.delays
    assert not (cache_dir / "models--acme--gated" / "snapshots").exists()


@pytest.mark.parametrize("how", ["argument", "HF_TOKEN"])
async def test_a_gated_repo_downloads_with_the_token_sent_to_the_mirror_only(
    root: Path,
    settings_for: Callable[..., ModelsSettings],
    monkeypatch: pytest.MonkeyPatch,
    how: str,
) -> None:
    if how == "HF_TOKEN":
        monkeypatch.setenv("HF_TOKEN", TOKEN)
    async with MirrorServer(root, cdn=True, token=TOKEN) as server:
        settings = settings_for(server, GATED)
        async with ModelManager(settings, token=TOKEN if how == "argument" else None) as models:
            local = await models.ready("gated")
        requests = list(server.stats.requests)

    assert local.file("weights.bin").read_bytes() == FILES["weights.bin"]
    assert local.file("config.json").read_bytes() == FILES["config.json"]
    cdn = [r for r in requests if r.path.startswith("/cdn/")]
    hub = [r for r in requests if not r.path.startswith("/cdn/")]
    assert cdn and not any(r.had_authorization for r in cdn)  # the LFS body: another host
    assert hub and all(r.had_authorization for r in hub)


async def test_a_disabled_repo_says_so(
    mirror: MirrorServer,
    settings_for: Callable[..., ModelsSettings],
    fake_sleep: FakeSleep,
) -> None:
    source = hf_source("retired", DISABLED_REPO, ["weights.bin"])
    async with ModelManager(settings_for(mirror, source), sleep=fake_sleep) as models:
        with pytest.raises(ModelNotFound) as caught:
            await models.ready("retired")

    err = caught.value
    assert err.code == "DisabledRepo" and err.status == 403
    assert "'retired'" in str(err) and "disabled" in str(err)
    assert err.hint is not None and "fallback" in err.hint
    assert file_requests(mirror) == [] and not fake_sleep.delays


@pytest.mark.parametrize("typo", ["acme-labs/tiny", "acme/tinny", "acme/tny"])
async def test_a_misspelled_repo_gets_did_you_mean_suggestions(
    mirror: MirrorServer,
    settings_for: Callable[..., ModelsSettings],
    typo: str,
) -> None:
    # A wrong organisation, a doubled letter and a missing letter: the Hub's search matches
    # substrings only, so the last two are found through the name's start and the organisation.
    source = hf_source("tiny", typo, ["weights.bin"])
    async with ModelManager(settings_for(mirror, source)) as models:
        with pytest.raises(ModelNotFound) as caught:
            await models.ready("tiny")

    err = caught.value
    assert err.code == "RepoNotFound"
    assert typo in str(err) and "not found" in str(err)
    assert err.hint is not None and "did you mean acme/tiny" in err.hint
    # the suggestions come from the Hub's search, which never lists a disabled repo
    assert DISABLED_REPO not in err.hint
    assert file_requests(mirror) == []


async def test_a_missing_revision_lists_the_repos_branches_and_tags(
    mirror: MirrorServer,
    settings_for: Callable[..., ModelsSettings],
) -> None:
    source = hf_source("tiny", REPO, ["weights.bin"], revision="v2.0")
    async with ModelManager(settings_for(mirror, source)) as models:
        with pytest.raises(ModelNotFound) as caught:
            await models.ready("tiny")

    err = caught.value
    assert err.code == "RevisionNotFound"
    assert "'v2.0'" in str(err) and REPO in str(err)
    assert err.hint is not None
    assert "branches: dev, main" in err.hint or "branches: main, dev" in err.hint
    assert "tags: v1.0" in err.hint
    assert file_requests(mirror) == []


# -- offline ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("how", ["HF_HUB_OFFLINE", "argument"])
@pytest.mark.parametrize(
    "source", [TINY, hf_source("tiny", REPO, ["*.json"])], ids=["names", "pattern"]
)
async def test_offline_a_warm_cache_serves_a_branch_without_any_request_even_after_the_ttl(
    mirror: MirrorServer,
    settings_for: Callable[..., ModelsSettings],
    monkeypatch: pytest.MonkeyPatch,
    source: dict[str, Any],
    how: str,
) -> None:
    async with ModelManager(settings_for(mirror, source)) as models:
        online = await models.ready("tiny")
    mirror.stats.reset()
    if how == "HF_HUB_OFFLINE":
        monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    settings = settings_for(mirror, source)  # built after the environment changed
    assert settings.hub.offline is (how == "HF_HUB_OFFLINE")
    clock = Clock()
    clock.advance(10 * settings.hub.metadata_ttl_hours)

    offline = True if how == "argument" else None
    async with ModelManager(settings, offline=offline, clock=clock) as models:
        local = await models.ready("tiny")

    assert local == online
    assert mirror.stats.count() == 0


@pytest.mark.parametrize("how", ["HF_HUB_OFFLINE", "argument"])
@pytest.mark.parametrize("cache", ["cold", "file-list-only"])
async def test_offline_a_missing_model_fails_at_once_naming_it(
    mirror: MirrorServer,
    settings_for: Callable[..., ModelsSettings],
    cache_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
    events: Recorder,
    fake_sleep: FakeSleep,
    how: str,
    cache: str,
) -> None:
    if cache == "file-list-only":  # an earlier run listed the repo, but a file is gone since
        async with ModelManager(settings_for(mirror, TINY)) as models:
            await models.ready("tiny")
        blob(cache_dir, REPO, ETAGS["weights.bin"]).unlink()
        mirror.stats.reset()
    if how == "HF_HUB_OFFLINE":
        monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    settings = settings_for(mirror, TINY)
    offline = True if how == "argument" else None
    async with ModelManager(settings, offline=offline, on_event=events, sleep=fake_sleep) as models:
        with pytest.raises(ModelUnavailable) as caught:
            await models.ready("tiny")

    err = caught.value
    assert "'tiny'" in str(err) and "offline" in str(err)
    assert err.hint is not None and "vcp models download tiny" in err.hint
    assert mirror.stats.count() == 0
    assert not fake_sleep.delays and not events.of(Retrying)


# -- reuse of another Hub cache --------------------------------------------------------------------


@pytest.mark.parametrize("where", ["HF_HUB_CACHE", "HF_HOME", "HOME"])
async def test_blobs_in_the_users_hub_cache_are_reused_without_a_transfer(
    mirror: MirrorServer,
    settings_for: Callable[..., ModelsSettings],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    cache_dir: Path,
    events: Recorder,
    where: str,
) -> None:
    hub_cache = {
        "HF_HUB_CACHE": tmp_path / "hf-hub-cache",
        "HF_HOME": tmp_path / "hf-home" / "hub",  # the autouse fixture's HF_HOME
        "HOME": tmp_path / "home" / ".cache" / "huggingface" / "hub",  # _no_home_cache's HOME
    }[where]
    if where == "HF_HUB_CACHE":
        monkeypatch.setenv("HF_HUB_CACHE", str(hub_cache))
    if where == "HOME":
        monkeypatch.delenv("HF_HOME")
    add_repo(hub_cache, REPO, FILES, lfs={"weights.bin"})  # as huggingface_hub would lay it out

    async with ModelManager(settings_for(mirror, TINY), on_event=events) as models:
        local = await models.ready("tiny")

    assert local.file("weights.bin").read_bytes() == FILES["weights.bin"]
    assert local.file("config.json").read_bytes() == FILES["config.json"]
    assert file_requests(mirror) == [] and mirror.stats.bytes_for(".bin") == 0
    reused = {e.file: e.origin for e in events.of(FileReused)}
    assert reused == {
        name: hub_cache / "models--acme--tiny" / "blobs" / ETAGS[name]
        for name in ("config.json", "weights.bin")
    }
    assert not events.of(DownloadStarted)
    for name in ("config.json", "weights.bin"):
        assert local.file(name).resolve() == blob(cache_dir, REPO, ETAGS[name]).resolve()


async def test_a_corrupt_blob_in_the_users_hub_cache_is_not_reused(
    mirror: MirrorServer,
    settings_for: Callable[..., ModelsSettings],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    events: Recorder,
    caplog: pytest.LogCaptureFixture,
) -> None:
    hub_cache = tmp_path / "hf-hub-cache"
    monkeypatch.setenv("HF_HUB_CACHE", str(hub_cache))
    add_repo(hub_cache, REPO, FILES, lfs={"weights.bin"})
    bad = blob(hub_cache, REPO, ETAGS["weights.bin"])
    tmp = bad.with_name("corrupt.tmp")
    tmp.write_bytes(bytes(len(FILES["weights.bin"])))  # right size, wrong bytes
    os.replace(tmp, bad)

    with caplog.at_level(logging.WARNING):
        async with ModelManager(settings_for(mirror, TINY), on_event=events) as models:
            local = await models.ready("tiny")

    assert local.file("weights.bin").read_bytes() == FILES["weights.bin"]
    assert [e.file for e in events.of(FileReused)] == ["config.json"]
    assert [e.file for e in events.of(FileVerified)] == ["weights.bin"]
    assert [r.path.rsplit("/", 1)[1] for r in file_requests(mirror)] == ["weights.bin"]
    assert mirror.stats.bytes_for("weights.bin") == len(FILES["weights.bin"])
    assert any(str(bad) in r.getMessage() for r in caplog.records)
    assert bad.read_bytes() == bytes(len(FILES["weights.bin"]))  # the other cache is left alone


_SNAPSHOT = r"""
import sys
import huggingface_hub as hf
print(hf.snapshot_download(sys.argv[1], revision="main", endpoint=sys.argv[2]))
"""


@pytest.mark.slow
async def test_what_huggingface_hub_downloaded_is_reused_by_vcp(
    mirror: MirrorServer,
    settings_for: Callable[..., ModelsSettings],
    tmp_path: Path,
    events: Recorder,
) -> None:
    hf_home = tmp_path / "hf-home"  # the autouse fixture's HF_HOME: vcp looks in HF_HOME/hub
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HF_", "HUGGING"))}
    env.update(
        HF_HOME=str(hf_home),
        HF_HUB_DISABLE_TELEMETRY="1",
        HF_HUB_DISABLE_UPDATE_CHECK="1",
        HF_HUB_DISABLE_PROGRESS_BARS="1",
        NO_PROXY="127.0.0.1,localhost",
        no_proxy="127.0.0.1,localhost",
    )
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-c", _SNAPSHOT, REPO, mirror.url, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, err = await asyncio.wait_for(proc.communicate(), timeout=60)
    assert proc.returncode == 0, err.decode()
    assert Path(out.decode().strip()).is_relative_to(hf_home / "hub")
    mirror.stats.reset()

    async with ModelManager(settings_for(mirror, TINY), on_event=events) as models:
        local = await models.ready("tiny")

    assert local.file("weights.bin").read_bytes() == FILES["weights.bin"]
    assert sorted(e.file for e in events.of(FileReused)) == ["config.json", "weights.bin"]
    assert file_requests(mirror) == []


_LOCAL_SNAPSHOT = r"""
import sys
import huggingface_hub as hf
print(hf.snapshot_download(sys.argv[1], revision="main", cache_dir=sys.argv[2],
                           local_files_only=True))
"""


@pytest.mark.slow
async def test_huggingface_hub_reads_the_cache_vcp_filled(
    mirror: MirrorServer,
    settings_for: Callable[..., ModelsSettings],
    tmp_path: Path,
    cache_dir: Path,
) -> None:
    async with ModelManager(settings_for(mirror, TINY)) as models:
        local = await models.ready("tiny")

    env = {k: v for k, v in os.environ.items() if not k.startswith(("HF_", "HUGGING"))}
    env.update(HF_HOME=str(tmp_path / "other-hf-home"), HF_HUB_OFFLINE="1")
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-c", _LOCAL_SNAPSHOT, REPO, str(cache_dir), env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, err = await asyncio.wait_for(proc.communicate(), timeout=60)
    assert proc.returncode == 0, err.decode()
    snapshot = Path(out.decode().strip())
    assert snapshot == local.path  # the same snapshot folder, found through refs/main
    for name in ("config.json", "weights.bin"):  # the files TINY selects
        assert (snapshot / name).read_bytes() == FILES[name]


# -- deprecation -----------------------------------------------------------------------------------


async def test_using_a_deprecated_source_warns_with_its_replacement(
    mirror: MirrorServer,
    settings_for: Callable[..., ModelsSettings],
    events: Recorder,
    caplog: pytest.LogCaptureFixture,
) -> None:
    old = hf_source(
        "old",
        REPO,
        ["config.json"],
        revision="v1.0",
        deprecated={"replacement": "tiny", "reason": "retrained on more data"},
    )
    settings = settings_for(mirror, old, TINY)
    with caplog.at_level(logging.WARNING):
        async with ModelManager(settings, on_event=events) as models:
            local = await models.ready("old")  # still works
            await models.ready("tiny")

    assert local.file("config.json").read_bytes() == FILES["config.json"]
    assert events.of(SourceDeprecated) == [
        SourceDeprecated("old", "tiny", "retrained on more data")
    ]
    (warning,) = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert "old" in warning and "tiny" in warning and "retrained on more data" in warning


# -- other Hub tools read vcp's cache --------------------------------------------------------------


async def test_faster_whisper_loads_the_snapshot_vcp_downloaded(
    default_mirror: MirrorServer,
    models_settings: Callable[..., ModelsSettings],
) -> None:
    faster_whisper = pytest.importorskip("faster_whisper")
    np = pytest.importorskip("numpy")
    async with ModelManager(models_settings(default_mirror.url)) as models:
        local = await models.ready("whisper-tiny-en")
    assert local.revision == WHISPER_COMMIT

    def transcribe() -> tuple[list[Any], Any]:
        model = faster_whisper.WhisperModel(str(local.path), device="cpu", compute_type="int8")
        segments, info = model.transcribe(np.zeros(16_000, dtype=np.float32), beam_size=1)
        return list(segments), info

    segments, info = await asyncio.to_thread(transcribe)
    assert info.duration == pytest.approx(1.0)
    assert all(isinstance(s.text, str) for s in segments)
