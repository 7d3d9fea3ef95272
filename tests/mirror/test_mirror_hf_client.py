"""Fidelity: the official huggingface_hub client, unchanged, against the mirror.

The client reads its environment once, at import, so it runs in a fresh interpreter with the
environment a user would have: HF_HUB_OFFLINE unset, HF_HOME in a temporary folder, telemetry and
update checks off, HF_ENDPOINT and every call pointed at the mirror, proxies bypassed for loopback.
"""

from __future__ import annotations

import asyncio
import importlib.util
import json
import os
import sys
from pathlib import Path
from typing import Any

import pytest

from vcp.core.checksums import hash_file
from vcp.mirror import HubLayout, MirrorServer
from vcp.mirror.hub_api.documents import blob_id
from vcp.mirror.seed import NUDENET_REPO, WHISPER_COMMIT, WHISPER_REPO

pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("huggingface_hub") is None, reason="huggingface_hub is not installed"
)

DEFAULT_MODELS = ((WHISPER_REPO, WHISPER_COMMIT), (NUDENET_REPO, "main"))

# Runs in the child: each call is [function, args, kwargs]; prints one JSON list of results.
_CLIENT = r"""
import hashlib, json, sys
from pathlib import Path
import huggingface_hub as hf

def snapshot(repo_id, **kwargs):
    folder = Path(hf.snapshot_download(repo_id, **kwargs))
    files = {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*")) if p.is_file()
    }
    return {"folder": str(folder), "files": files}

def info(repo_id, **kwargs):
    info = hf.HfApi(endpoint=ENDPOINT).model_info(repo_id, files_metadata=True, **kwargs)
    siblings = {s.rfilename: [s.size, s.blob_id, s.lfs and [s.lfs.sha256, s.lfs.size]]
                for s in info.siblings}
    return {"sha": info.sha, "gated": info.gated, "tags": info.tags, "siblings": siblings}

def entry(e):
    if isinstance(e, hf.hf_api.RepoFolder):
        return ["directory", e.path, e.tree_id]
    return ["file", e.path, e.size, e.blob_id, e.lfs and [e.lfs.sha256, e.lfs.pointer_size]]

def tree(repo_id, **kwargs):
    return [entry(e) for e in hf.HfApi(endpoint=ENDPOINT).list_repo_tree(repo_id, **kwargs)]

def paths(repo_id, paths, **kwargs):
    api = hf.HfApi(endpoint=ENDPOINT)
    return [entry(e) for e in api.get_paths_info(repo_id, paths, **kwargs)]

def refs(repo_id, **kwargs):
    found = hf.HfApi(endpoint=ENDPOINT).list_repo_refs(repo_id, **kwargs)
    return {kind: sorted([r.name, r.ref, r.target_commit] for r in getattr(found, kind) or [])
            for kind in ("branches", "tags", "pull_requests")}

def search(**kwargs):
    return [m.id for m in hf.HfApi(endpoint=ENDPOINT).list_models(**kwargs)]

ENDPOINT, calls = sys.argv[1], json.loads(sys.argv[2])
results = []
for name, args, kwargs in calls:
    try:
        results.append(globals()[name](*args, **kwargs))
    except Exception as exc:
        results.append({"error": type(exc).__name__, "message": str(exc)})
print(json.dumps(results))
"""


@pytest.fixture(scope="session")
def seeded_sha256(seeded_root: Path) -> dict[str, dict[str, str]]:
    """repo id -> path -> sha256 of the default models' files, as seeded."""
    layout = HubLayout(seeded_root)
    out = {}
    for repo_id, revision in DEFAULT_MODELS:
        commit = layout.resolve_revision(repo_id, revision)
        assert commit is not None
        files = layout.list_files(repo_id, commit)
        out[repo_id] = {f.path: hash_file(f.blob_path, "sha256").hexdigest for f in files}
    return out


def client_env(home: Path, endpoint: str) -> dict[str, str]:
    """What a user's shell would hold: no offline switch, nothing that phones huggingface.co."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HF_", "HUGGING"))}
    env.pop("TRANSFORMERS_OFFLINE", None)
    env.update(
        HF_HOME=str(home),
        HF_ENDPOINT=endpoint,  # a call that forgets endpoint= still stays on the mirror
        HF_HUB_DISABLE_TELEMETRY="1",
        HF_HUB_DISABLE_UPDATE_CHECK="1",
        HF_HUB_DISABLE_PROGRESS_BARS="1",
        NO_PROXY="127.0.0.1,localhost",
        no_proxy="127.0.0.1,localhost",
    )
    return env


async def run_client(
    endpoint: str, home: Path, *calls: tuple[str, list[Any], dict[str, Any]]
) -> list[Any]:
    """Run the official client's calls in a fresh interpreter; their results (or errors)."""
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-c", _CLIENT, endpoint, json.dumps(calls),
        env=client_env(home, endpoint),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    try:
        out, err = await asyncio.wait_for(proc.communicate(), timeout=100)
    except TimeoutError:
        proc.kill()
        await proc.wait()
        raise
    assert proc.returncode == 0, err.decode()
    return list(json.loads(out.decode().splitlines()[-1]))


def snapshot_calls(cache: Path, **kwargs: Any) -> list[tuple[str, list[Any], dict[str, Any]]]:
    return [
        ("snapshot", [repo_id], {"revision": rev, "cache_dir": str(cache), **kwargs})
        for repo_id, rev in DEFAULT_MODELS
    ]


async def test_snapshot_download_through_the_cdn_is_byte_identical(
    seeded_root: Path, tmp_path: Path, seeded_sha256: dict[str, dict[str, str]]
) -> None:
    async with MirrorServer(seeded_root, cdn=True) as mirror:
        results = await run_client(
            mirror.url, tmp_path / "home", *snapshot_calls(tmp_path / "cache", token=False)
        )
        cdn_gets = [r for r in mirror.stats.requests if r.path.startswith("/cdn/")]
    for (repo_id, _), result in zip(DEFAULT_MODELS, results, strict=True):
        assert result.get("files") == seeded_sha256[repo_id], result
    assert {r.path.rsplit("/", 1)[1] for r in cdn_gets} == {
        seeded_sha256[WHISPER_REPO]["model.bin"],
        seeded_sha256[NUDENET_REPO]["320n.onnx"],
    }
    assert results[0]["folder"].endswith(f"snapshots/{WHISPER_COMMIT}")


async def test_a_cache_the_official_client_filled_can_be_served_again(
    seeded_root: Path, tmp_path: Path, seeded_sha256: dict[str, dict[str, str]]
) -> None:
    first, second = tmp_path / "team-cache", tmp_path / "my-cache"
    async with MirrorServer(seeded_root) as mirror:
        results = await run_client(mirror.url, tmp_path / "home", *snapshot_calls(first))
    for (repo_id, _), result in zip(DEFAULT_MODELS, results, strict=True):
        assert result.get("files") == seeded_sha256[repo_id], result
    # the client's cache holds .locks/ and per-repo trees/ beside the layout: serve it as is
    assert (first / ".locks").is_dir()
    async with MirrorServer(first) as team:
        again = await run_client(team.url, tmp_path / "home2", *snapshot_calls(second))
        served = team.stats.bytes_served
    for (repo_id, _), result in zip(DEFAULT_MODELS, again, strict=True):
        assert result.get("files") == seeded_sha256[repo_id], result
    assert served > 80_000_000


async def test_hf_api_reads_what_the_hub_would(
    seeded_root: Path, tmp_path: Path, known_files: dict[tuple[str, str], tuple[int, str]]
) -> None:
    layout = HubLayout(seeded_root)
    tiny_commit = layout.resolve_revision("acme/tiny", "main")
    async with MirrorServer(seeded_root, page_size=2) as mirror:
        info, tree, refs, paths, search = await run_client(
            mirror.url,
            tmp_path / "home",
            ("info", [WHISPER_REPO], {}),
            ("tree", ["acme/tiny"], {"recursive": True}),
            ("refs", ["acme/tiny"], {"include_pull_requests": True}),
            ("paths", ["acme/tiny", ["weights.bin", "sub", "nope"]], {"revision": "refs/pr/1"}),
            ("search", [], {"search": "whisper"}),
        )
        tree_requests = mirror.stats.count("GET", "/tree/main")
    assert info["sha"] == WHISPER_COMMIT and info["gated"] is False
    model = next(f for f in layout.list_files(WHISPER_REPO, WHISPER_COMMIT) if f.is_lfs)
    for name, (size, etag) in known_files.items():
        if name[0] == WHISPER_REPO and name[1] != "model.bin":
            assert info["siblings"][name[1]] == [size, etag, None]
    assert info["siblings"]["model.bin"] == [
        model.size,
        blob_id(model),
        [model.etag, model.size],
    ]
    assert [(e[0], e[1]) for e in tree] == [
        ("file", "config.json"),
        ("directory", "sub"),
        ("directory", "sub/dir"),
        ("file", "sub/dir/notes.txt"),
        ("file", "weights.bin"),
    ]
    assert tree_requests == 3  # five entries, two a page: the client followed the Link headers
    assert refs == {
        "branches": [["main", "refs/heads/main", tiny_commit]],
        "tags": [["v1.0", "refs/tags/v1.0", tiny_commit]],
        "pull_requests": [["refs/pr/1", "refs/pr/1", tiny_commit]],
    }
    assert [(e[0], e[1]) for e in paths] == [("file", "weights.bin"), ("directory", "sub")]
    assert search == [WHISPER_REPO]


async def test_the_official_client_sees_gated_private_and_disabled_repos_as_on_the_hub(
    seeded_root: Path, tmp_path: Path, mirror_token: str, flagged_files: dict[str, bytes]
) -> None:
    cache = str(tmp_path / "cache")
    async with MirrorServer(seeded_root, token=mirror_token) as mirror:
        results = await run_client(
            mirror.url,
            tmp_path / "home",
            ("snapshot", ["acme/gated"], {"cache_dir": cache, "token": False}),
            ("snapshot", ["acme/gated"], {"cache_dir": cache, "token": "hf_not_approved"}),
            ("snapshot", ["acme/gated"], {"cache_dir": cache, "token": mirror_token}),
            ("info", ["acme/private"], {"token": False}),
            ("snapshot", ["acme/private"], {"cache_dir": cache, "token": mirror_token}),
            ("info", ["acme/disabled"], {"token": mirror_token}),
            ("info", ["acme/tiny"], {"revision": "nope", "token": False}),
        )
    no_token, not_approved, gated, private, private_ok, disabled, no_revision = results
    assert no_token["error"] == not_approved["error"] == "GatedRepoError"
    assert "401" in no_token["message"] and "403" in not_approved["message"]
    assert sorted(gated["files"]) == sorted(flagged_files)
    assert private["error"] == "RepositoryNotFoundError"
    assert sorted(private_ok["files"]) == sorted(flagged_files)
    assert disabled["error"] == "DisabledRepoError"
    assert no_revision["error"] == "RevisionNotFoundError"
