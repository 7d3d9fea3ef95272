"""Status codes, retries and redirects at the HTTP boundary, with aioresponses (no server).

``Http`` (probe, redirects, error translation), ``with_retries`` (what the manager wraps probes
in) and ``FileDownload`` (a file's GETs) are driven against canned answers; ``sleep`` is faked,
so every wait is recorded and none is taken. Nothing leaves the process: aioresponses answers
every request, and one it does not know fails as a refused connection.
"""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import aiohttp
import pytest
from aioresponses import aioresponses
from vcp_testing.fakes import FakeSleep
from vcp_testing.mocks import MockedHub
from yarl import URL

from vcp.cli.exit_codes import exit_code
from vcp.config.schema import DownloadSettings, HfRepo, ModelSource
from vcp.core.checksums import Checksum
from vcp.errors import AuthRequired, DownloadError, ModelNotFound
from vcp.models.cache.store import ModelCache
from vcp.models.context import Context
from vcp.models.downloading.transfer import FileDownload
from vcp.models.events import DownloadEvent, Retrying
from vcp.models.http.client import Auth, Http, new_session, origin
from vcp.models.http.failures import Transient
from vcp.models.http.policy import RetryPolicy
from vcp.models.http.retrying import policy_for, with_retries
from vcp.models.planning.specs import FileSpec, RemoteFile, file_specs

ENDPOINT = "http://127.0.0.1:9"  # never contacted: aioresponses answers instead
COMMIT = "0123456789abcdef0123456789abcdef01234567"
TOKEN = "hf_unit_test_token_0123456789"
DATA = bytes(range(256)) * 8
SHA = hashlib.sha256(DATA).hexdigest()
SPEC: FileSpec = file_specs(
    ModelSource(name="tiny", hf=HfRepo(repo="acme/tiny", revision=COMMIT, files=("model.bin",))),
    endpoint=ENDPOINT,
)[0]
URL_ = SPEC.url
HUB_HEADERS = {
    "X-Repo-Commit": COMMIT,
    "ETag": f'"{SHA}"',
    "X-Linked-Etag": f'"{SHA}"',
    "X-Linked-Size": str(len(DATA)),
}
DEFAULT_BACKOFF = DownloadSettings().retry_backoff_seconds


class Hub:
    """Canned answers by method and URL (in order; ``repeat=True`` answers forever)."""

    def __init__(self, mocked: aioresponses) -> None:
        self.mocked = mocked

    def answer(self, method: str, url: str, **kwargs: Any) -> None:
        self.mocked.add(url, method, **kwargs)

    def sent(self, method: str, url: str) -> list[dict[str, Any]]:
        """The keyword arguments of each request made to ``method url``."""
        return [call.kwargs for call in self.mocked.requests.get((method, URL(url)), [])]

    def count(self) -> int:
        return sum(len(calls) for calls in self.mocked.requests.values())


@pytest.fixture
def hub() -> Iterator[Hub]:
    with MockedHub() as mocked:
        yield Hub(mocked)


@pytest.fixture
async def http() -> AsyncIterator[Http]:
    session = new_session(DownloadSettings())
    try:
        yield Http(session, auth=Auth(TOKEN, origin(ENDPOINT)), max_redirects=10)
    finally:
        await session.close()


@pytest.fixture
def sleep() -> FakeSleep:
    return FakeSleep()


@pytest.fixture
def events() -> list[DownloadEvent]:
    return []


def retries(events: list[DownloadEvent]) -> list[Retrying]:
    return [e for e in events if isinstance(e, Retrying)]


def assert_backoff(delays: list[float], backoff: tuple[float, ...]) -> None:
    """Each wait is its configured step, give or take the 10 % jitter."""
    assert len(delays) == len(backoff)
    for delay, step in zip(delays, backoff, strict=True):
        assert step * 0.9 <= delay <= step * 1.1


def cache_for(tmp_path: Path) -> ModelCache:
    return ModelCache(tmp_path / "cache")


def by_hand_path(tmp_path: Path) -> Path:
    return cache_for(tmp_path).snapshot_path(SPEC.folder, COMMIT, SPEC.name)


def download(
    http: Http, tmp_path: Path, events: list[DownloadEvent], sleep: FakeSleep, **settings: Any
) -> FileDownload:
    """A FileDownload of ``DATA`` from ``URL_`` into a fresh cache, as the manager builds it."""
    cache = cache_for(tmp_path)
    download = DownloadSettings(**settings)
    return FileDownload(
        spec=SPEC,
        remote=RemoteFile(URL_, len(DATA), SHA, COMMIT, accepts_ranges=False),
        final=cache.blob_path(SPEC.folder, SHA),
        expected=Checksum("sha256", SHA),
        cache=cache,
        ctx=Context(http, download, events.append, policy_for(download), sleep=sleep),
        manual_path=by_hand_path(tmp_path),
    )


async def probe(http: Http, events: list[DownloadEvent], sleep: FakeSleep) -> RemoteFile:
    """HEAD the file with the retries the manager wraps probes in."""
    return await with_retries(
        lambda: http.probe(SPEC),
        spec=SPEC,
        policy=RetryPolicy(backoff=DEFAULT_BACKOFF),
        emit=events.append,
        sleep=sleep,
    )


# -- retries and their timing ----------------------------------------------------------------------


@pytest.mark.parametrize("backoff", [DEFAULT_BACKOFF, (0.5, 1.5)], ids=["default", "custom"])
async def test_retries_wait_the_configured_backoff_then_give_up_naming_the_path(
    hub: Hub,
    http: Http,
    tmp_path: Path,
    events: list[DownloadEvent],
    sleep: FakeSleep,
    backoff: tuple[float, ...],
) -> None:
    hub.answer("GET", URL_, status=503, repeat=True)
    fetch = download(http, tmp_path, events, sleep, retry_backoff_seconds=backoff)
    with pytest.raises(DownloadError) as caught:
        await fetch.run()

    attempts = len(backoff) + 1
    err = caught.value
    assert type(err) is DownloadError
    assert err.attempts == attempts and f"{attempts} attempts" in str(err)
    assert err.status == 503 and "503" in str(err)
    assert (err.model, err.file) == ("tiny", "model.bin")
    assert err.hint and str(by_hand_path(tmp_path)) in err.hint  # where to put it by hand
    assert exit_code(err) == 3
    assert len(hub.sent("GET", URL_)) == attempts
    assert_backoff(sleep.delays, backoff)
    assert [e.attempt for e in retries(events)] == list(range(1, attempts))
    assert [e.delay for e in retries(events)] == sleep.delays
    assert not fetch.final.exists()


@pytest.mark.parametrize("status", [408, 429, 500, 502, 503, 504])
async def test_retryable_statuses_are_retried(
    hub: Hub, http: Http, tmp_path: Path, events: list[DownloadEvent], sleep: FakeSleep, status: int
) -> None:
    hub.answer("GET", URL_, status=status)
    hub.answer("GET", URL_, status=200, body=DATA)
    fetch = download(http, tmp_path, events, sleep)
    checksum = await fetch.run()

    assert checksum == Checksum("sha256", SHA)
    assert fetch.final.read_bytes() == DATA
    assert len(hub.sent("GET", URL_)) == 2
    (retry,) = retries(events)
    assert str(status) in retry.reason
    assert_backoff(sleep.delays, DEFAULT_BACKOFF[:1])


@pytest.mark.parametrize(
    "failure",
    [
        aiohttp.ClientConnectionError("Connection reset by peer"),
        aiohttp.ServerDisconnectedError(),
        TimeoutError(),
    ],
    ids=["connection-error", "disconnected", "timeout"],
)
async def test_connection_errors_and_timeouts_are_retried(
    hub: Hub,
    http: Http,
    tmp_path: Path,
    events: list[DownloadEvent],
    sleep: FakeSleep,
    failure: Exception,
) -> None:
    hub.answer("HEAD", URL_, exception=failure)
    hub.answer("GET", URL_, exception=failure)
    hub.answer("HEAD", URL_, status=200, headers=HUB_HEADERS)
    hub.answer("GET", URL_, status=200, body=DATA)

    remote = await probe(http, events, sleep)
    await download(http, tmp_path, events, sleep).run()

    assert (remote.etag, remote.size, remote.commit) == (SHA, len(DATA), COMMIT)
    assert [e.attempt for e in retries(events)] == [1, 1]  # one for the HEAD, one for the GET
    assert all(e.reason for e in retries(events))
    assert len(sleep.delays) == 2


async def test_connection_errors_that_persist_give_up_after_the_retries(
    hub: Hub, http: Http, tmp_path: Path, events: list[DownloadEvent], sleep: FakeSleep
) -> None:
    hub.answer("GET", URL_, exception=aiohttp.ClientConnectionError("refused"), repeat=True)
    with pytest.raises(DownloadError) as caught:
        await download(http, tmp_path, events, sleep).run()

    assert caught.value.attempts == 4 and "refused" in str(caught.value)
    assert_backoff(sleep.delays, DEFAULT_BACKOFF)


@pytest.mark.parametrize(
    ("failure", "says", "hint"),
    [
        (aiohttp.InvalidURL("ht!tp://bad"), "invalid URL", "models.hub.endpoint"),
        (
            aiohttp.ClientSSLError(
                SimpleNamespace(host="hub.test", port=443, ssl=True),
                OSError(1, "certificate verify failed"),
            ),
            "TLS failed",
            "CA certificates",
        ),
    ],
    ids=["invalid-url", "tls"],
)
async def test_failures_retrying_cannot_fix_fail_at_once(
    hub: Hub,
    http: Http,
    tmp_path: Path,
    events: list[DownloadEvent],
    sleep: FakeSleep,
    failure: Exception,
    says: str,
    hint: str,
) -> None:
    hub.answer("GET", URL_, exception=failure, repeat=True)
    with pytest.raises(DownloadError) as caught:
        await download(http, tmp_path, events, sleep).run()

    assert says in str(caught.value)
    assert caught.value.hint is not None and hint in caught.value.hint
    assert sleep.delays == [] and hub.count() == 1  # one request, no retry


# -- what the server's answer means ----------------------------------------------------------------


@pytest.mark.parametrize("status", [401, 403])
@pytest.mark.parametrize("method", ["HEAD", "GET"])
async def test_auth_failures_are_not_retried_and_ask_for_a_token(
    hub: Hub,
    http: Http,
    tmp_path: Path,
    events: list[DownloadEvent],
    sleep: FakeSleep,
    status: int,
    method: str,
) -> None:
    hub.answer(method, URL_, status=status, headers={"X-Error-Code": "GatedRepo"})
    with pytest.raises(AuthRequired) as caught:
        if method == "HEAD":
            await probe(http, events, sleep)
        else:
            await download(http, tmp_path, events, sleep).run()

    err = caught.value
    assert err.status == status and exit_code(err) == 3
    assert err.hint and "HF_TOKEN" in err.hint
    assert TOKEN not in f"{err} {err.hint} {err!r}"
    assert hub.count() == 1
    assert not sleep.delays and not retries(events)


@pytest.mark.parametrize(
    ("status", "code", "message", "hint"),
    [
        (401, "RepoNotFound", "repository not found", "repo name"),
        (404, "RepoNotFound", "repository not found", "repo name"),
        (404, "RevisionNotFound", "revision not found", COMMIT),
        (404, "EntryNotFound", "file not found in this revision", "'model.bin'"),
        (404, None, "not found", "model.bin"),
    ],
    ids=["repo-401", "repo-404", "revision", "entry", "no-code"],
)
async def test_not_found_is_not_retried_and_says_what_is_missing(
    hub: Hub,
    http: Http,
    events: list[DownloadEvent],
    sleep: FakeSleep,
    status: int,
    code: str | None,
    message: str,
    hint: str,
) -> None:
    headers = {"X-Error-Code": code, "X-Error-Message": "Not Found"} if code else {}
    hub.answer("HEAD", URL_, status=status, headers=headers)
    with pytest.raises(ModelNotFound) as caught:
        await probe(http, events, sleep)

    err = caught.value
    assert message in str(err) and "'tiny'" in str(err)
    assert err.code == code and err.status == status and err.url == URL_
    assert err.hint and hint in err.hint
    assert hub.count() == 1
    assert not sleep.delays and not retries(events)


@pytest.mark.parametrize(
    ("headers", "at_least"),
    [
        ({"RateLimit": '"api";r=0;t=30'}, 30),
        ({"Retry-After": "45"}, 45),
        ({"Retry-After": "1", "RateLimit": '"resolvers";r=0;t=90'}, 90),  # the longer wins
    ],
    ids=["ratelimit", "retry-after", "both"],
)
async def test_rate_limit_reset_is_waited_for(
    hub: Hub,
    http: Http,
    events: list[DownloadEvent],
    sleep: FakeSleep,
    headers: dict[str, str],
    at_least: float,
) -> None:
    hub.answer("HEAD", URL_, status=429, headers=headers)
    hub.answer("HEAD", URL_, status=200, headers=HUB_HEADERS)
    remote = await probe(http, events, sleep)

    assert remote.etag == SHA
    assert len(sleep.delays) == 1 and sleep.delays[0] >= at_least
    (retry,) = retries(events)
    assert retry.delay >= at_least and "429" in retry.reason


# -- redirects and the token -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "cdn",
    ["http://localhost:9", "http://127.0.0.1:10", "https://127.0.0.1:9"],
    ids=["other-host", "other-port", "other-scheme"],
)
async def test_redirect_to_another_origin_drops_the_token(hub: Hub, http: Http, cdn: str) -> None:
    blob_url = f"{cdn}/cdn/acme/tiny/{SHA}"
    hub.answer("HEAD", URL_, status=302, headers={**HUB_HEADERS, "Location": blob_url})
    hub.answer("HEAD", blob_url, status=200, headers={"Content-Length": str(len(DATA))})
    remote = await http.probe(SPEC)

    # the Hub's X-Linked-* headers on the redirect describe the file; the CDN serves it
    assert (remote.url, remote.etag, remote.size, remote.commit) == (
        blob_url,
        SHA,
        len(DATA),
        COMMIT,
    )
    (to_hub,) = hub.sent("HEAD", URL_)
    (to_cdn,) = hub.sent("HEAD", blob_url)
    assert to_hub["headers"]["Authorization"] == f"Bearer {TOKEN}"
    assert "Authorization" not in to_cdn["headers"]
    assert TOKEN not in repr(to_cdn)


async def test_redirect_on_the_same_host_keeps_the_token(hub: Hub, http: Http) -> None:
    moved = f"{ENDPOINT}/api/resolve-cache/models/acme/tiny/{COMMIT}/model.bin"
    hub.answer("HEAD", URL_, status=307, headers={"Location": moved.removeprefix(ENDPOINT)})
    hub.answer("HEAD", moved, status=200, headers=HUB_HEADERS)
    remote = await http.probe(SPEC)

    assert remote.url == moved
    (to_hub,) = hub.sent("HEAD", URL_)
    (again,) = hub.sent("HEAD", moved)
    assert to_hub["headers"]["Authorization"] == again["headers"]["Authorization"]
    assert again["headers"]["Authorization"] == f"Bearer {TOKEN}"


@pytest.mark.parametrize(("hops", "ok"), [(3, True), (4, False)])
async def test_at_most_max_redirects_are_followed(
    hub: Hub, http: Http, events: list[DownloadEvent], sleep: FakeSleep, hops: int, ok: bool
) -> None:
    http.max_redirects = 3
    urls = [URL_] + [f"{ENDPOINT}/hop/{i}" for i in range(1, hops + 1)]
    for here, there in itertools.pairwise(urls):
        hub.answer("HEAD", here, status=302, headers={"Location": there})
    hub.answer("HEAD", urls[-1], status=200, headers=HUB_HEADERS)

    if ok:
        assert (await probe(http, events, sleep)).url == urls[-1]
        return
    with pytest.raises(DownloadError) as caught:
        await probe(http, events, sleep)
    assert "more than 3 redirects" in str(caught.value)
    assert caught.value.hint and "redirect" in caught.value.hint
    assert hub.count() == 4  # the first request and 3 redirects, not retried
    assert not sleep.delays


async def test_a_redirect_loop_fails_with_the_default_limit(
    hub: Hub, http: Http, events: list[DownloadEvent], sleep: FakeSleep
) -> None:
    hub.answer("HEAD", URL_, status=302, headers={"Location": URL_}, repeat=True)
    with pytest.raises(DownloadError) as caught:
        await probe(http, events, sleep)

    assert "more than 10 redirects" in str(caught.value)
    assert len(hub.sent("HEAD", URL_)) == 11


async def test_a_failure_after_progress_is_retried_at_once_and_not_counted(
    sleep: FakeSleep, events: list[DownloadEvent]
) -> None:
    # The one retry loop, as transfers use it: progress resets nothing but skips the wait.
    received = 0
    calls = 0

    async def op() -> str:
        nonlocal received, calls
        calls += 1
        if calls <= 5:
            received += 1  # some bytes, then the connection drops
            raise Transient("connection reset")
        return "done"

    policy = RetryPolicy(backoff=(1.0,), jitter=0.0)
    got = await with_retries(
        op, spec=SPEC, policy=policy, emit=events.append, sleep=sleep, progress=lambda: received
    )
    assert got == "done" and calls == 6
    assert sleep.delays == [] and events == []


# -- a server's own words --------------------------------------------------------------------------


@pytest.mark.parametrize("status", [404, 503])
async def test_a_servers_message_reaches_the_user_escaped_capped_and_without_the_token(
    hub: Hub, http: Http, events: list[DownloadEvent], sleep: FakeSleep, status: int
) -> None:
    said = f"\x1b[2J\x1b[31mgone\r\nfake prompt $ \u202eevil token={TOKEN} " + "x" * 2000
    headers = {"X-Error-Code": "EntryNotFound", "X-Error-Message": said}
    hub.answer("HEAD", URL_, status=status, headers=headers, repeat=True)
    with pytest.raises(DownloadError) as caught:
        await probe(http, events, sleep)

    shown = [str(caught.value), *(r.reason for r in retries(events))]
    for text in shown:
        assert "\x1b" not in text and "\r" not in text and "\n" not in text
        assert "\u202e" not in text and TOKEN not in text
        assert "\\x1b[31mgone" in text and "token=***" in text
        assert len(text) < 500  # the server's 2 KiB are cut to a few hundred characters


async def test_a_redirect_to_a_non_http_scheme_is_refused_at_once(
    hub: Hub, http: Http, events: list[DownloadEvent], sleep: FakeSleep
) -> None:
    hub.answer("HEAD", URL_, status=302, headers={"Location": "file:///etc/passwd"})
    with pytest.raises(DownloadError) as caught:
        await probe(http, events, sleep)

    assert "non-HTTP URL (file:///etc/passwd)" in str(caught.value)
    assert caught.value.hint and "http:// and https:// only" in caught.value.hint
    assert hub.count() == 1 and not sleep.delays and not retries(events)


async def test_a_json_error_body_is_shown_like_the_servers_other_words(
    hub: Hub, http: Http, events: list[DownloadEvent], sleep: FakeSleep
) -> None:
    body = {"error": f"\x1b[31mno such repo\x1b[0m for {TOKEN}\n" + "z" * 5000}
    hub.answer("GET", URL_, status=404, payload=body, headers={"X-Error-Code": "RepoNotFound"})
    with pytest.raises(ModelNotFound) as caught:
        async with http.request("GET", URL_, SPEC):
            pass

    text = str(caught.value)
    assert "repository not found" in text and "\\x1b[31mno such repo" in text
    assert "\x1b" not in text and "\n" not in text and TOKEN not in text and "for ***" in text
    assert len(text) < 500
