"""HuggingFaceRegistry over a real ``Http`` and aiohttp session; the Hub is mocked by aioresponses.

Tier 2: status codes, X-Error-Code headers, retries and pagination, no sockets. Time is faked twice:
the metadata cache's clock decides what is stale, and ``sleep`` records the waits between retries.
"""

from __future__ import annotations

import logging
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aioresponses import aioresponses
from vcp_testing.mocks import MockedHub
from yarl import URL

from vcp.config.schema import DownloadSettings
from vcp.core.checksums import Checksum
from vcp.errors import (
    AuthRequired,
    DownloadError,
    ModelNotFound,
    ModelUnavailable,
    UnsafePathError,
)
from vcp.models.context import Context
from vcp.models.events import DownloadEvent, Retrying
from vcp.models.http.client import Auth, Http, new_session, origin
from vcp.models.http.policy import RetryPolicy
from vcp.models.hub.api import HubFile, RepoSnapshot
from vcp.models.hub.metadata import MetadataCache
from vcp.models.hub.registry import HuggingFaceRegistry

EP = "https://hub.test"
REPO = "org/model"
MODEL = "my-model"
COMMIT = "0d3d19a32d3338f10357c0889762bd8d64bbdeba"
NEW_COMMIT = "2" * 40
CONFIG_SHA1 = "4065bb3bed375b176d5465be117d2d202e210434"
WEIGHTS_SHA256 = "1a5afae06a4db91c975c9a9d78be5cc110ee4ea022ad57d55492e4550e936b2a"
INFO = f"{EP}/api/models/{REPO}/revision/main?blobs=true"
TREE = f"{EP}/api/models/{REPO}/tree/{COMMIT}?recursive=true&expand=false"
SEARCH = re.compile(re.escape(f"{EP}/api/models?") + r".*")  # the "did you mean" searches
REFS = f"{EP}/api/models/{REPO}/refs"
HOUR = 3600.0
TTL_HOURS = 24.0
BACKOFF = (2.0, 4.0, 8.0)


def info(commit: str = COMMIT, *files: tuple[str, int, str]) -> dict[str, Any]:
    """Repo info with blobs=true; a 64-hex digest marks an LFS file."""
    siblings = []
    for name, size, digest in files or (("config.json", 2317, CONFIG_SHA1),):
        if len(digest) == 64:
            lfs = {"sha256": digest, "size": size, "pointerSize": 134}
            siblings.append({"rfilename": name, "blobId": "b" * 40, "size": size, "lfs": lfs})
        else:
            siblings.append({"rfilename": name, "blobId": digest, "size": size})
    return {"id": REPO, "sha": commit, "siblings": siblings}


class FakeClock:
    def __init__(self) -> None:
        self.now = 1_700_000_000.0

    def __call__(self) -> float:
        return self.now


@dataclass
class Hub:
    """A mocked Hub and everything a registry needs to talk to it."""

    mocked: aioresponses
    session: aiohttp.ClientSession
    cache: MetadataCache
    clock: FakeClock
    sleeps: list[float] = field(default_factory=list)
    events: list[DownloadEvent] = field(default_factory=list)

    def registry(self, *, offline: bool = False, token: str | None = None) -> HuggingFaceRegistry:
        auth = Auth(token, origin(EP)) if token else None
        ctx = Context(
            Http(self.session, auth=auth, max_redirects=10),
            DownloadSettings(),
            self.events.append,
            RetryPolicy(backoff=BACKOFF, jitter=0.0),
            sleep=self.fake_sleep,
        )
        return HuggingFaceRegistry(
            ctx, endpoint=EP, cache=self.cache, ttl_hours=TTL_HOURS, offline=offline
        )

    async def fake_sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)

    def requests(self) -> list[str]:
        """``METHOD url`` of every request, grouped by URL in order of first use."""
        return [
            f"{method} {url}"
            for (method, url), calls in self.mocked.requests.items()
            for _ in calls
        ]

    def sent_headers(self, url: str) -> list[dict[str, str]]:
        calls = self.mocked.requests.get(("GET", _sorted_query(url)), [])
        return [dict(call.kwargs.get("headers") or {}) for call in calls]

    def store(self, *, age_hours: float, commit: str = COMMIT, revision: str = "main") -> None:
        """A cached file list for ``revision`` fetched ``age_hours`` ago."""
        files = (HubFile("config.json", 2317, Checksum("git-sha1", CONFIG_SHA1), False),)
        fetched_at = self.clock.now - age_hours * HOUR
        self.cache.save(RepoSnapshot(REPO, revision, commit, files, fetched_at))


def _sorted_query(url: str) -> URL:
    # aioresponses records URLs with their query parameters sorted.
    parsed = URL(url)
    return parsed.with_query(sorted(parsed.query.items()))


def get(url: str) -> str:
    return f"GET {_sorted_query(url)}"


@pytest.fixture
async def hub(tmp_path: Path) -> AsyncIterator[Hub]:
    clock = FakeClock()
    with MockedHub() as mocked:
        async with new_session(DownloadSettings()) as session:
            yield Hub(mocked, session, MetadataCache(tmp_path / "cache", clock=clock), clock)


def error_headers(code: str | None, message: str = "") -> dict[str, str]:
    headers = {"X-Error-Code": code} if code else {}
    if message:
        headers["X-Error-Message"] = message
    return headers


# -- lazy refresh --------------------------------------------------------------------------------


async def test_a_fresh_cached_file_list_makes_no_request(hub: Hub) -> None:
    hub.store(age_hours=TTL_HOURS - 0.01)

    snap = await hub.registry().snapshot(REPO, "main", model=MODEL)

    assert snap.commit == COMMIT
    assert hub.requests() == []


async def test_an_expired_file_list_is_refreshed_with_exactly_one_request(hub: Hub) -> None:
    hub.store(age_hours=TTL_HOURS + 0.01)
    hub.mocked.get(INFO, payload=info(NEW_COMMIT, ("model.bin", 10, WEIGHTS_SHA256)))
    registry = hub.registry()

    snap = await registry.snapshot(REPO, "main", model=MODEL)

    assert snap.commit == NEW_COMMIT
    assert [f.path for f in snap.files] == ["model.bin"]
    assert hub.requests() == [get(INFO)]
    stored = hub.cache.load(REPO, "main")
    assert stored is not None
    assert (stored.commit, stored.fetched_at) == (NEW_COMMIT, hub.clock.now)
    # The refreshed entry is fresh again: the next use asks nothing.
    assert await registry.snapshot(REPO, "main", model=MODEL) == snap
    assert len(hub.requests()) == 1


async def test_nothing_cached_fetches_and_caches_the_branch_and_its_commit(hub: Hub) -> None:
    hub.mocked.get(INFO, payload=info())
    registry = hub.registry()

    await registry.snapshot(REPO, "main", model=MODEL)
    hub.clock.now += 1000 * 24 * HOUR  # years later, a source pinned to that commit...
    snap = await registry.snapshot(REPO, COMMIT, model=MODEL)

    assert snap.commit == COMMIT
    assert hub.requests() == [get(INFO)]  # ...needs no network at all


async def test_a_commit_pinned_source_never_refreshes(hub: Hub) -> None:
    hub.store(age_hours=10_000, revision=COMMIT)
    snap = await hub.registry().snapshot(REPO, COMMIT, model=MODEL)
    assert snap.commit == COMMIT
    assert hub.requests() == []


async def test_the_token_is_sent_to_the_hub_api(hub: Hub) -> None:
    hub.mocked.get(INFO, payload=info())
    await hub.registry(token="hf_secret").snapshot(REPO, "main", model=MODEL)
    assert hub.sent_headers(INFO)[0]["Authorization"] == "Bearer hf_secret"


# -- stale on error ------------------------------------------------------------------------------


async def test_stale_file_list_is_used_with_a_warning_when_the_hub_keeps_failing(
    hub: Hub, caplog: pytest.LogCaptureFixture
) -> None:
    hub.store(age_hours=48)
    for _ in range(len(BACKOFF) + 1):
        hub.mocked.get(INFO, status=503)

    with caplog.at_level(logging.WARNING, logger="vcp.models.hub.registry"):
        snap = await hub.registry().snapshot(REPO, "main", model=MODEL)

    assert snap.commit == COMMIT
    assert len(hub.requests()) == len(BACKOFF) + 1
    assert hub.sleeps == list(BACKOFF)
    [warning] = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert f"{REPO}@main" in warning.getMessage()
    assert "503" in warning.getMessage()
    # The stale entry stays as it was: the next run tries the Hub again.
    stored = hub.cache.load(REPO, "main")
    assert stored is not None
    assert stored.fetched_at == hub.clock.now - 48 * HOUR


async def test_stale_file_list_is_used_when_the_hub_cannot_be_reached(
    hub: Hub, caplog: pytest.LogCaptureFixture
) -> None:
    hub.store(age_hours=48)
    hub.mocked.get(INFO, exception=aiohttp.ClientConnectionError("connection refused"), repeat=True)

    with caplog.at_level(logging.WARNING, logger="vcp.models.hub.registry"):
        snap = await hub.registry().snapshot(REPO, "main", model=MODEL)

    assert snap.commit == COMMIT
    assert "connection refused" in caplog.text


async def test_stale_file_list_is_used_when_the_answer_is_not_the_hub_api(hub: Hub) -> None:
    hub.store(age_hours=48)
    hub.mocked.get(INFO, body="<html>Please log in to the hotel wifi</html>")
    snap = await hub.registry().snapshot(REPO, "main", model=MODEL)
    assert snap.commit == COMMIT


@pytest.mark.parametrize(
    ("status", "code", "kind"),
    [
        (404, "RepoNotFound", ModelNotFound),
        (404, "RevisionNotFound", ModelNotFound),
        (403, "DisabledRepo", ModelNotFound),
        (401, "GatedRepo", AuthRequired),
        (403, "GatedRepo", AuthRequired),
    ],
)
async def test_a_definite_answer_is_not_hidden_behind_stale_metadata(
    hub: Hub, status: int, code: str, kind: type[DownloadError]
) -> None:
    # The Hub did answer: the repo or branch is gone or locked. Using old metadata would only
    # fail later, at the file downloads, with a less clear error.
    hub.store(age_hours=48)
    hub.mocked.get(INFO, status=status, headers=error_headers(code))
    with pytest.raises(kind):
        await hub.registry().snapshot(REPO, "main", model=MODEL)


async def test_failing_hub_with_nothing_cached_raises_the_download_error(hub: Hub) -> None:
    hub.mocked.get(INFO, status=502, repeat=True)
    with pytest.raises(DownloadError) as caught:
        await hub.registry().snapshot(REPO, "main", model=MODEL)
    assert caught.value.model == MODEL
    assert "gave up after 4 attempts: HTTP 502" in str(caught.value)
    assert len(hub.requests()) == len(BACKOFF) + 1


# -- offline -------------------------------------------------------------------------------------


async def test_offline_serves_a_cached_file_list_of_any_age_without_a_request(hub: Hub) -> None:
    hub.store(age_hours=1000 * 24)
    snap = await hub.registry(offline=True).snapshot(REPO, "main", model=MODEL)
    assert snap.commit == COMMIT
    assert hub.requests() == []


async def test_offline_with_nothing_cached_fails_at_once_naming_the_model(hub: Hub) -> None:
    with pytest.raises(ModelUnavailable) as caught:
        await hub.registry(offline=True).snapshot(REPO, "main", model=MODEL)

    error = caught.value
    assert error.model == MODEL
    assert MODEL in str(error) and f"{REPO}@main" in str(error)
    assert error.hint is not None and f"vcp models download {MODEL}" in error.hint
    assert hub.requests() == []
    assert hub.sleeps == []


# -- tree listing and pagination -----------------------------------------------------------------


async def test_repo_info_without_hashes_lists_the_tree_across_pages(hub: Hub) -> None:
    page2 = f"{TREE}&cursor=abc"
    hub.mocked.get(
        INFO, payload={"sha": COMMIT, "siblings": [{"rfilename": "a.json"}, {"rfilename": "b.bin"}]}
    )
    hub.mocked.get(
        TREE,
        payload=[
            {"type": "directory", "oid": "c" * 40, "path": "sub"},
            {"type": "file", "oid": CONFIG_SHA1, "size": 2317, "path": "a.json"},
        ],
        headers={"Link": f'<{page2}>; rel="next"'},
    )
    hub.mocked.get(
        page2,
        payload=[
            {
                "type": "file",
                "oid": "b" * 40,
                "size": 99,
                "path": "sub/b.bin",
                "lfs": {"oid": WEIGHTS_SHA256, "size": 99, "pointerSize": 134},
            }
        ],
    )

    snap = await hub.registry().snapshot(REPO, "main", model=MODEL)

    assert [(f.path, f.size, str(f.checksum)) for f in snap.files] == [
        ("a.json", 2317, f"git-sha1:{CONFIG_SHA1}"),
        ("sub/b.bin", 99, f"sha256:{WEIGHTS_SHA256}"),
    ]
    # The tree is read at the commit the branch resolved to, so a push between the two requests
    # cannot mix two versions of the repo.
    assert hub.requests() == [get(INFO), get(TREE), get(page2)]


async def test_a_link_to_another_host_gets_no_token(hub: Hub) -> None:
    elsewhere = "https://cdn.other.test/tree-page-2"
    hub.mocked.get(INFO, payload={"sha": COMMIT, "siblings": [{"rfilename": "a.json"}]})
    hub.mocked.get(TREE, payload=[], headers={"Link": f'<{elsewhere}>; rel="next"'})
    hub.mocked.get(elsewhere, payload=[])

    await hub.registry(token="hf_secret").snapshot(REPO, "main", model=MODEL)

    assert "Authorization" in hub.sent_headers(TREE)[0]
    assert "Authorization" not in hub.sent_headers(elsewhere)[0]


async def test_a_junk_tree_page_is_reported_as_an_unexpected_answer(hub: Hub) -> None:
    hub.mocked.get(INFO, payload={"sha": COMMIT, "siblings": [{"rfilename": "a.json"}]})
    hub.mocked.get(TREE, payload={"error": "something else answered"})

    with pytest.raises(DownloadError, match="unexpected answer from the Hub API") as caught:
        await hub.registry().snapshot(REPO, "main", model=MODEL)
    assert caught.value.hint is not None and "mirror" in caught.value.hint


async def test_a_listing_naming_a_file_outside_the_repo_is_refused_and_not_cached(
    hub: Hub,
) -> None:
    hub.mocked.get(INFO, payload=info(COMMIT, ("../../.bashrc", 10, CONFIG_SHA1)))

    with pytest.raises(UnsafePathError, match=r"\.\./\.\./\.bashrc"):
        await hub.registry().snapshot(REPO, "main", model=MODEL)
    assert hub.cache.load(REPO, "main") is None


# -- error mapping -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "code", "message", "kind", "words"),
    [
        (401, "RepoNotFound", "Repository not found", ModelNotFound, "repository not found"),
        (404, "RepoNotFound", "Repository not found", ModelNotFound, "repository not found"),
        (404, "RevisionNotFound", "Invalid rev id: main", ModelNotFound, "Invalid rev id: main"),
        (404, "EntryNotFound", "Entry not found", ModelNotFound, "file not found"),
        (401, "GatedRepo", "Access to model org/model is restricted", AuthRequired, "restricted"),
        (403, "GatedRepo", "You are not in the authorized list", AuthRequired, "403"),
        (403, "DisabledRepo", "Access to this resource is disabled", ModelNotFound, "disabled"),
    ],
)
async def test_hub_error_codes_become_errors_a_user_can_act_on(
    hub: Hub, status: int, code: str, message: str, kind: type[DownloadError], words: str
) -> None:
    hub.mocked.get(INFO, status=status, headers=error_headers(code, message))

    with pytest.raises(DownloadError) as caught:
        await hub.registry().snapshot(REPO, "main", model=MODEL)

    error = caught.value
    assert type(error) is kind
    assert (error.code, error.status, error.model) == (code, status, MODEL)
    assert words in str(error)
    assert error.hint
    assert hub.requests() == [get(INFO)]  # an answer, not an outage: no retries
    assert hub.sleeps == []


async def test_repo_not_found_without_a_token_suggests_setting_one(hub: Hub) -> None:
    # The Hub answers 401 RepoNotFound to anonymous requests for private repos too.
    hub.mocked.get(INFO, status=401, headers=error_headers("RepoNotFound"))
    with pytest.raises(ModelNotFound) as caught:
        await hub.registry().snapshot(REPO, "main", model=MODEL)
    assert "Authorization" not in hub.sent_headers(INFO)[0]
    assert caught.value.hint is not None and "HF_TOKEN" in caught.value.hint


@pytest.mark.parametrize("status", [401, 403])
async def test_a_gated_repo_explains_the_token_and_the_terms_page(hub: Hub, status: int) -> None:
    hub.mocked.get(INFO, status=status, headers=error_headers("GatedRepo"))
    registry = hub.registry()
    with pytest.raises(AuthRequired) as caught:
        await registry.snapshot(REPO, "main", model=MODEL)
    assert caught.value.hint is not None and "HF_TOKEN" in caught.value.hint

    explained = await registry.explain(caught.value, repo=REPO, revision="main")

    assert isinstance(explained, AuthRequired)
    assert f"{REPO} is gated" in str(explained)
    assert explained.hint is not None
    assert "HF_TOKEN" in explained.hint
    assert f"accept the terms at {EP}/{REPO}," in explained.hint  # the model page


@pytest.mark.parametrize(
    ("headers", "wait"),
    [
        ({"RateLimit": '"api";r=0;t=55'}, 55.0),
        ({"Retry-After": "30"}, 30.0),
        ({"Retry-After": "1", "RateLimit": '"api";r=0;t=120'}, 120.0),
        ({}, BACKOFF[0]),  # no hint: our own backoff
    ],
)
async def test_rate_limited_requests_wait_for_the_reset_then_succeed(
    hub: Hub, headers: dict[str, str], wait: float
) -> None:
    hub.mocked.get(INFO, status=429, headers=headers)
    hub.mocked.get(INFO, payload=info())

    snap = await hub.registry().snapshot(REPO, "main", model=MODEL)

    assert snap.commit == COMMIT
    assert hub.sleeps == [wait]
    [retrying] = [e for e in hub.events if isinstance(e, Retrying)]
    assert (retrying.model, retrying.delay) == (MODEL, wait)
    assert "429" in retrying.reason


async def test_rate_limited_until_retries_run_out(hub: Hub) -> None:
    hub.mocked.get(INFO, status=429, headers={"RateLimit": '"api";r=0;t=60'}, repeat=True)

    with pytest.raises(DownloadError) as caught:
        await hub.registry().snapshot(REPO, "main", model=MODEL)

    assert caught.value.status == 429
    assert "429" in str(caught.value)
    assert hub.sleeps == [60.0, 60.0, 60.0]
    assert len(hub.requests()) == len(BACKOFF) + 1


# -- explain: help from the Hub ------------------------------------------------------------------


async def _not_found(hub: Hub, code: str, registry: HuggingFaceRegistry) -> ModelNotFound:
    hub.mocked.get(INFO, status=404, headers=error_headers(code, "Not Found"))
    with pytest.raises(ModelNotFound) as caught:
        await registry.snapshot(REPO, "main", model=MODEL)
    return caught.value


async def test_a_missing_repo_suggests_similar_names_from_the_search_api(hub: Hub) -> None:
    registry = hub.registry()
    original = await _not_found(hub, "RepoNotFound", registry)
    hub.mocked.get(
        SEARCH,
        payload=[
            {"id": "org/model-v2", "downloads": 10},
            {"id": REPO},  # the missing name itself is no suggestion
            {"id": "other/model", "downloads": 3},
            {"modelId": "no-id/at-all"},
            "junk",
        ],
        repeat=True,
    )

    explained = await registry.explain(original, repo=REPO, revision="main")

    assert isinstance(explained, ModelNotFound)
    assert (explained.code, explained.status, explained.model) == ("RepoNotFound", 404, MODEL)
    assert f"repository {REPO} not found" in str(explained)
    assert explained.hint is not None
    assert "did you mean org/model-v2, other/model?" in explained.hint
    assert "typos" in explained.hint and "HF_TOKEN" in explained.hint
    assert explained.__cause__ is original


async def test_a_missing_revision_lists_the_repos_branches_and_tags(hub: Hub) -> None:
    registry = hub.registry()
    original = await _not_found(hub, "RevisionNotFound", registry)
    hub.mocked.get(
        REFS,
        payload={
            "branches": [
                {"name": "main", "ref": "refs/heads/main", "targetCommit": COMMIT},
                {"name": "dev", "ref": "refs/heads/dev", "targetCommit": NEW_COMMIT},
            ],
            "tags": [{"name": "v1.0", "ref": "refs/tags/v1.0", "targetCommit": COMMIT}],
            "converts": [],
        },
    )

    explained = await registry.explain(original, repo=REPO, revision="mian")

    assert isinstance(explained, ModelNotFound)
    assert "revision 'mian' not found in org/model" in str(explained)
    assert explained.hint is not None
    assert "branches: main, dev; tags: v1.0" in explained.hint
    assert "commit" in explained.hint


async def test_other_errors_are_explained_as_they_are(hub: Hub) -> None:
    registry = hub.registry()
    original = await _not_found(hub, "EntryNotFound", registry)
    assert await registry.explain(original, repo=REPO, revision="main") is original


@pytest.mark.parametrize(
    "answer",
    [
        {"status": 500, "repeat": True},
        {"status": 429, "headers": {"RateLimit": '"api";r=0;t=30'}, "repeat": True},
        {"exception": aiohttp.ClientConnectionError("reset"), "repeat": True},
        {"body": "<html>not json</html>"},
        {"payload": {"error": "not a list"}},
        {"payload": "a string"},
    ],
)
async def test_failing_search_still_explains_a_missing_repo(
    hub: Hub, answer: dict[str, Any]
) -> None:
    registry = hub.registry()
    original = await _not_found(hub, "RepoNotFound", registry)
    hub.mocked.get(SEARCH, **answer)

    explained = await registry.explain(original, repo=REPO, revision="main")

    assert f"repository {REPO} not found" in str(explained)
    assert explained.hint is not None
    assert "did you mean" not in explained.hint
    assert "typos" in explained.hint


@pytest.mark.parametrize(
    "answer",
    [
        {"status": 500, "repeat": True},
        {"status": 404, "headers": error_headers("RepoNotFound")},
        {"exception": aiohttp.ClientConnectionError("reset"), "repeat": True},
        {"body": "<html>not json</html>"},
        {"payload": ["main", "dev"]},
        {"payload": {"branches": "main", "tags": None}},
        {"payload": {"branches": [{"ref": "refs/heads/main"}], "tags": ["v1"]}},
    ],
)
async def test_failing_refs_still_explain_a_missing_revision(
    hub: Hub, answer: dict[str, Any]
) -> None:
    registry = hub.registry()
    original = await _not_found(hub, "RevisionNotFound", registry)
    hub.mocked.get(REFS, **answer)

    explained = await registry.explain(original, repo=REPO, revision="mian")

    assert "revision 'mian' not found" in str(explained)
    assert explained.hint is not None
    assert "branches: -; tags: -" in explained.hint
