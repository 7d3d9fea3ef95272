"""The mirror's Hub JSON API: every endpoint and error on a loopback server."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from vcp_testing.hashes import git_sha1
from yarl import URL

from vcp.mirror import HubLayout, MirrorServer, add_repo, update_repo_meta
from vcp.mirror.hub_api.documents import lfs_pointer
from vcp.mirror.seed import NUDENET_REPO, WHISPER_COMMIT, WHISPER_REPO

MODEL_SHA256 = "1a5afae06a4db91c975c9a9d78be5cc110ee4ea022ad57d55492e4550e936b2a"
MODEL_SIZE = 75537502
TINY = "acme/tiny"


def test_only_repo_folders_count_as_repos(seeded_root: Path) -> None:
    assert sorted(p.name for p in seeded_root.iterdir() if p.name.startswith(".")) == [
        ".locks",
        ".mirror",
        ".vcp",
    ]
    assert HubLayout(seeded_root).repo_ids() == [
        "Systran/faster-whisper-tiny.en",
        "acme/disabled",
        "acme/gated",
        "acme/private",
        "acme/tiny",
        "deepghs/nudenet_onnx",
    ]


# -- the endpoints on a real server ----------------------------------------------------------------


async def get_json(
    http: aiohttp.ClientSession, url: str | URL, *, token: str | None = None
) -> tuple[int, Any, aiohttp.ClientResponse]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    async with http.get(url, headers=headers) as resp:
        data = await resp.json() if resp.content_type == "application/json" else None
        return resp.status, data, resp


async def test_repo_info_names_the_commit_and_the_files(
    mirror: MirrorServer, http: aiohttp.ClientSession
) -> None:
    status, info, resp = await get_json(http, f"{mirror.url}/api/models/{WHISPER_REPO}")
    assert status == 200
    assert info["id"] == info["modelId"] == WHISPER_REPO
    assert info["sha"] == WHISPER_COMMIT
    assert (info["private"], info["gated"], info["disabled"]) == (False, False, False)
    assert "automatic-speech-recognition" in info["tags"]
    assert info["lastModified"].endswith("Z")
    assert info["siblings"] == [
        {"rfilename": name}
        for name in ("config.json", "model.bin", "tokenizer.json", "vocabulary.txt")
    ]
    assert not any(h.lower().startswith("x-xet") for h in resp.headers)


async def test_repo_info_with_blobs_has_the_hub_sizes_and_hashes(
    mirror: MirrorServer,
    http: aiohttp.ClientSession,
    known_files: dict[tuple[str, str], tuple[int, str]],
) -> None:
    url = f"{mirror.url}/api/models/{WHISPER_REPO}/revision/{WHISPER_COMMIT}?blobs=true"
    status, info, _ = await get_json(http, url)
    assert status == 200
    siblings = {s["rfilename"]: s for s in info["siblings"]}
    for name in ("config.json", "tokenizer.json", "vocabulary.txt"):
        size, etag = known_files[(WHISPER_REPO, name)]
        assert siblings[name] == {"rfilename": name, "blobId": etag, "size": size}
    pointer = lfs_pointer(MODEL_SHA256, MODEL_SIZE)
    assert siblings["model.bin"] == {
        "rfilename": "model.bin",
        "blobId": git_sha1(pointer),
        "size": MODEL_SIZE,
        "lfs": {"sha256": MODEL_SHA256, "size": MODEL_SIZE, "pointerSize": len(pointer)},
    }
    assert "xetHash" not in str(info)


async def test_repo_info_at_a_quoted_pr_ref_or_a_tag(
    mirror: MirrorServer, http: aiohttp.ClientSession
) -> None:
    _, main, _ = await get_json(http, f"{mirror.url}/api/models/{TINY}")
    for revision in ("refs%2Fpr%2F1", "v1.0"):
        url = URL(f"{mirror.url}/api/models/{TINY}/revision/{revision}", encoded=True)
        status, info, _ = await get_json(http, url)
        assert (status, info["sha"]) == (200, main["sha"])


async def test_tree_lists_files_and_folders(
    mirror: MirrorServer, http: aiohttp.ClientSession, small_files: dict[str, bytes]
) -> None:
    base = f"{mirror.url}/api/models/{TINY}/tree/main"
    status, everything, _ = await get_json(http, base + "?recursive=true&expand=false")
    assert status == 200
    assert [(e["type"], e["path"]) for e in everything] == [
        ("file", "config.json"),
        ("directory", "sub"),
        ("directory", "sub/dir"),
        ("file", "sub/dir/notes.txt"),
        ("file", "weights.bin"),
    ]
    files = {e["path"]: e for e in everything if e["type"] == "file"}
    assert files["config.json"]["oid"] == git_sha1(small_files["config.json"])
    weights = small_files["weights.bin"]
    assert files["weights.bin"]["lfs"]["oid"] == hashlib.sha256(weights).hexdigest()
    _, top, _ = await get_json(http, base)
    assert [e["path"] for e in top] == ["config.json", "sub", "weights.bin"]
    _, sub, _ = await get_json(http, URL(base + "/sub%2Fdir", encoded=True))
    assert [e["path"] for e in sub] == ["sub/dir/notes.txt"]
    status, _, resp = await get_json(http, base + "/nowhere")
    assert (status, resp.headers["X-Error-Code"]) == (404, "EntryNotFound")


async def test_a_long_tree_is_paginated_with_link_headers(
    seeded_root: Path, http: aiohttp.ClientSession
) -> None:
    async with MirrorServer(seeded_root, page_size=2) as mirror:
        url: URL | None = URL(
            f"{mirror.url}/api/models/{TINY}/tree/refs%2Fpr%2F1?recursive=true", encoded=True
        )
        pages = []
        while url is not None:
            async with http.get(url) as resp:
                assert resp.status == 200
                pages.append([e["path"] for e in await resp.json()])
                link = resp.links.get("next")
                url = URL(str(link["url"]), encoded=True) if link else None
                if url is not None:
                    assert "refs%2Fpr%2F1" in str(url) and url.query["recursive"] == "true"
    assert pages == [["config.json", "sub"], ["sub/dir", "sub/dir/notes.txt"], ["weights.bin"]]


async def test_paths_info_answers_the_paths_that_exist(
    mirror: MirrorServer, http: aiohttp.ClientSession
) -> None:
    url = f"{mirror.url}/api/models/{TINY}/paths-info/main"
    form = [("paths", "weights.bin"), ("paths", "sub"), ("paths", "absent"), ("expand", "false")]
    async with http.post(url, data=form) as resp:
        assert resp.status == 200
        found = await resp.json()
    assert [(e["path"], e["type"]) for e in found] == [
        ("weights.bin", "file"),
        ("sub", "directory"),
    ]
    assert found[0]["lfs"]["size"] == found[0]["size"] == 16384
    async with http.post(url.replace("/main", "/nope"), data=form) as resp:
        assert (resp.status, resp.headers["X-Error-Code"]) == (404, "RevisionNotFound")


async def test_refs_lists_branches_and_tags(
    mirror: MirrorServer, http: aiohttp.ClientSession
) -> None:
    _, info, _ = await get_json(http, f"{mirror.url}/api/models/{TINY}")
    commit = info["sha"]
    status, refs, _ = await get_json(http, f"{mirror.url}/api/models/{TINY}/refs")
    assert status == 200
    assert refs == {
        "branches": [{"name": "main", "ref": "refs/heads/main", "targetCommit": commit}],
        "tags": [{"name": "v1.0", "ref": "refs/tags/v1.0", "targetCommit": commit}],
        "converts": [],
    }
    _, with_prs, _ = await get_json(http, f"{mirror.url}/api/models/{TINY}/refs?include_prs=1")
    assert [pr["ref"] for pr in with_prs["pullRequests"]] == ["refs/pr/1"]


async def test_search_finds_repos_by_words_author_and_sorts(
    mirror: MirrorServer, http: aiohttp.ClientSession
) -> None:
    api = f"{mirror.url}/api/models"
    _, found, _ = await get_json(http, f"{api}?search=WHISPER")
    assert [m["id"] for m in found] == [WHISPER_REPO]
    assert found[0]["pipeline_tag"] == "automatic-speech-recognition"
    assert found[0]["library_name"] == "ctranslate2"
    assert set(found[0]) >= {"id", "modelId", "likes", "downloads", "private", "tags", "createdAt"}
    _, acme, _ = await get_json(http, f"{api}?author=acme&sort=downloads")
    assert [m["id"] for m in acme] == ["acme/gated", "acme/tiny"]  # no private, no disabled
    _, top, _ = await get_json(http, f"{api}?sort=likes&limit=1")
    assert [m["id"] for m in top] == ["acme/tiny"]
    _, everything, _ = await get_json(http, api)
    assert [m["id"] for m in everything] == [
        WHISPER_REPO,
        "acme/gated",
        "acme/tiny",
        NUDENET_REPO,
    ]
    status, _, resp = await get_json(http, f"{api}?sort=stars")
    assert status == 400 and "Invalid sort" in resp.headers["X-Error-Message"]


async def test_search_is_paginated_and_shows_private_repos_to_the_token(
    seeded_root: Path, http: aiohttp.ClientSession, mirror_token: str
) -> None:
    async with MirrorServer(seeded_root, token=mirror_token, page_size=3) as mirror:
        status, first, resp = await get_json(http, f"{mirror.url}/api/models", token=mirror_token)
        assert status == 200 and len(first) == 3
        _, rest, _ = await get_json(http, resp.links["next"]["url"], token=mirror_token)
    assert [m["id"] for m in first + rest] == [
        WHISPER_REPO,
        "acme/gated",
        "acme/private",
        "acme/tiny",
        NUDENET_REPO,
    ]


API_ROUTES = ["", "/revision/main", "/tree/main", "/refs"]


@pytest.mark.parametrize("route", API_ROUTES)
async def test_a_missing_repo_is_401_without_a_token_and_404_with_one(
    mirror: MirrorServer, http: aiohttp.ClientSession, route: str
) -> None:
    url = f"{mirror.url}/api/models/acme/missing{route}"
    for token, expected in ((None, 401), ("hf_any_valid_token", 404)):
        status, body, resp = await get_json(http, url, token=token)
        assert status == expected
        assert resp.headers["X-Error-Code"] == "RepoNotFound"
        assert body == {"error": "Repository not found"}


@pytest.mark.parametrize("route", ["/revision/nope", "/tree/nope", "/tree/nope/sub"])
async def test_a_missing_revision_is_404_revision_not_found(
    mirror: MirrorServer, http: aiohttp.ClientSession, route: str
) -> None:
    status, _, resp = await get_json(http, f"{mirror.url}/api/models/{TINY}{route}")
    assert status == 404
    assert resp.headers["X-Error-Code"] == "RevisionNotFound"
    assert resp.headers["X-Error-Message"] == "Invalid rev id: nope"


async def test_a_gated_repo_shows_its_info_but_files_need_the_token(
    token_mirror: MirrorServer, http: aiohttp.ClientSession, mirror_token: str
) -> None:
    status, info, _ = await get_json(http, f"{token_mirror.url}/api/models/acme/gated")
    assert (status, info["gated"]) == (200, "manual")
    status, _, _ = await get_json(http, f"{token_mirror.url}/api/models/acme/gated/tree/main")
    assert status == 200
    url = f"{token_mirror.url}/acme/gated/resolve/main/config.json"
    for token, expected in ((None, 401), ("hf_someone_else", 403), (mirror_token, 200)):
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        for method in ("HEAD", "GET"):
            async with http.request(method, url, headers=headers) as resp:
                assert resp.status == expected, (token, method)
                if expected != 200:
                    assert resp.headers["X-Error-Code"] == "GatedRepo"
                    assert "acme/gated" in resp.headers["X-Error-Message"]


async def test_without_a_configured_token_a_gated_repo_never_opens(
    mirror: MirrorServer, http: aiohttp.ClientSession, mirror_token: str
) -> None:
    headers = {"Authorization": f"Bearer {mirror_token}"}
    async with http.get(f"{mirror.url}/acme/gated/resolve/main/config.json", headers=headers) as r:
        assert (r.status, r.headers["X-Error-Code"]) == (403, "GatedRepo")


async def test_a_private_repo_is_missing_except_to_the_token(
    token_mirror: MirrorServer,
    http: aiohttp.ClientSession,
    mirror_token: str,
    flagged_files: dict[str, bytes],
) -> None:
    info_url = f"{token_mirror.url}/api/models/acme/private"
    for token, expected in ((None, 401), ("hf_someone_else", 404)):
        status, _, resp = await get_json(http, info_url, token=token)
        assert (status, resp.headers["X-Error-Code"]) == (expected, "RepoNotFound")
    status, info, _ = await get_json(http, info_url, token=mirror_token)
    assert (status, info["private"]) == (200, True)
    headers = {"Authorization": f"Bearer {mirror_token}"}
    async with http.get(f"{token_mirror.url}/acme/private/resolve/main/config.json") as resp:
        assert resp.status == 401
    file_url = f"{token_mirror.url}/acme/private/resolve/main/config.json"
    async with http.get(file_url, headers=headers) as resp:
        assert await resp.read() == flagged_files["config.json"]


@pytest.mark.parametrize(
    "path",
    [
        "/api/models/acme/disabled",
        "/api/models/acme/disabled/tree/main",
        "/api/models/acme/disabled/refs",
        "/acme/disabled/resolve/main/config.json",
    ],
)
async def test_a_disabled_repo_answers_403_everywhere(
    token_mirror: MirrorServer, http: aiohttp.ClientSession, mirror_token: str, path: str
) -> None:
    for token in (None, mirror_token):
        status, _, resp = await get_json(http, token_mirror.url + path, token=token)
        assert status == 403
        assert resp.headers["X-Error-Code"] == "DisabledRepo"
        assert resp.headers["X-Error-Message"] == "Access to this resource is disabled."


async def test_flags_apply_to_a_running_mirror(tmp_path: Path, http: aiohttp.ClientSession) -> None:
    add_repo(tmp_path, "acme/live", {"a.txt": b"1"})
    async with MirrorServer(tmp_path) as mirror:
        url = f"{mirror.url}/acme/live/resolve/main/a.txt"
        async with http.get(url) as resp:
            assert resp.status == 200
        update_repo_meta(tmp_path, "acme/live", disabled=True)
        async with http.get(url) as resp:
            assert resp.status == 403
        assert [r.status for r in mirror.stats.requests] == [200, 403]


async def test_api_requests_are_recorded_in_the_stats(
    mirror: MirrorServer, http: aiohttp.ClientSession
) -> None:
    await get_json(http, f"{mirror.url}/api/models/{TINY}/refs", token="hf_x")
    [record] = mirror.stats.requests
    assert (record.method, record.path, record.status) == ("GET", f"/api/models/{TINY}/refs", 200)
    assert record.had_authorization


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        ("application/json", b'{"paths": ["a'),
        ("application/json", b'["weights.bin"]'),
        ("application/json", b'{"paths": 5}'),
        ("application/json", b'{"paths": "\xff"}'),
        ("application/x-www-form-urlencoded", b"paths=\xff\xfe"),
        ("application/x-www-form-urlencoded; charset=no-such-charset", b"paths=a"),
        ("multipart/form-data", b"--x\r\n"),
        ("multipart/form-data; boundary=x", b"--x\r\nnot a header\r\n\r\n"),
    ],
)
async def test_a_malformed_paths_info_body_is_a_hub_style_400(
    mirror: MirrorServer, http: aiohttp.ClientSession, content_type: str, body: bytes
) -> None:
    url = f"{mirror.url}/api/models/{TINY}/paths-info/main"
    async with http.post(url, data=body, headers={"Content-Type": content_type}) as resp:
        assert resp.status == 400
        assert resp.headers["X-Error-Message"].startswith(("Invalid request body", '"paths"'))
        assert (await resp.json())["error"] == resp.headers["X-Error-Message"]


async def test_paths_info_accepts_a_json_body(
    mirror: MirrorServer, http: aiohttp.ClientSession
) -> None:
    url = f"{mirror.url}/api/models/{TINY}/paths-info/main"
    for paths in (["config.json", 7, "absent"], "config.json"):
        async with http.post(url, json={"paths": paths}) as resp:
            assert resp.status == 200
            assert [e["path"] for e in await resp.json()] == ["config.json"]
