"""``vcp models download|list|verify`` as a user runs them, against the local mirror.

``vcp.cli.main.main`` runs in a worker thread (it calls ``asyncio.run``) while the mirror serves
from the test's event loop; stdout and stderr are read with capsys. ``vcp mirror serve`` runs as a
subprocess. Each test checks what the user sees (exit code, the lines printed) and what is left
in the cache: never an unverified file under a final name.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import shutil
import signal
import socket
import sys
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML
from vcp_testing.cli import Run, table
from vcp_testing.diskspace import nearly_full_disk
from vcp_testing.hashes import git_sha1, sha256
from vcp_testing.processes import holding_lock, interruptible

from vcp.config.loader import default_config_text
from vcp.mirror import MirrorServer, RequestRecord
from vcp.mirror.seed import NUDENET_REPO, WHISPER_COMMIT, WHISPER_REPO

WHISPER_FILES = ("config.json", "model.bin", "tokenizer.json", "vocabulary.txt")
DEFAULT_MODELS = {"whisper-tiny-en": WHISPER_FILES, "nudenet-320n": ("320n.onnx",)}
WHISPER_DIR = "models--" + WHISPER_REPO.replace("/", "--")
NUDENET_DIR = "models--" + NUDENET_REPO.replace("/", "--")
CONFIG_BLOB = "4065bb3bed375b176d5465be117d2d202e210434"  # whisper's config.json (git sha1)
NUDENET_BLOB = "c15d8273adad2d0a92f014cc69ab2d6c311a06777a55545f2c4eb46f51911f0f"
FAST_RETRIES = [0.01, 0.01, 0.01]

pytestmark = pytest.mark.usefixtures("restore_logging")


@pytest.fixture(autouse=True)
def cache_env(monkeypatch: pytest.MonkeyPatch, cache_dir: Path) -> None:
    monkeypatch.setenv("VCP_MODELS__CACHE_DIR", str(cache_dir))


@pytest.fixture
def endpoint(monkeypatch: pytest.MonkeyPatch, default_mirror: MirrorServer) -> MirrorServer:
    """The mirror of the default models, as HF_ENDPOINT: nothing may reach huggingface.co."""
    monkeypatch.setenv("HF_ENDPOINT", default_mirror.url)
    return default_mirror


def write_config(
    tmp_path: Path,
    *,
    download: dict[str, Any] | None = None,
    whisper_files: tuple[str, ...] | None = None,
) -> Path:
    """The built-in config with ``download`` overrides and, optionally, other whisper files."""
    config = YAML(typ="safe").load(default_config_text())
    config["models"]["download"].update(download or {})
    # The default NudeNet fallback is a GitHub URL; these subprocesses must never look it up.
    sources = [s for s in config["models"]["sources"] if "url" not in s]
    for source in sources:
        source.pop("fallbacks", None)
    config["models"]["sources"] = sources
    if whisper_files is not None:
        whisper = next(s for s in config["models"]["sources"] if s["name"] == "whisper-tiny-en")
        whisper["hf"]["files"] = list(whisper_files)
        whisper["checksums"] = {f: c for f, c in whisper["checksums"].items() if f in whisper_files}
    path = tmp_path / "vcp.yaml"
    path.write_text(json.dumps(config), encoding="utf-8")  # JSON is YAML
    return path


def hub_id(path: Path) -> str:
    """The Hub's id of a file's content: sha256 (64 hex digits) or the git blob sha1 (40)."""
    data = path.read_bytes()
    if len(path.name) == 64:
        return sha256(data)
    return git_sha1(data)


def unverified_final_files(cache: Path) -> list[Path]:
    """Files under a final name (a blob, or what a snapshot entry points at) that do not match."""
    bad = []
    for blob in cache.glob("models--*/blobs/*"):
        if ".incomplete" not in blob.name and blob.is_file() and hub_id(blob) != blob.name:
            bad.append(blob)
    for entry in cache.glob("models--*/snapshots/*/**/*"):
        if entry.is_symlink() or entry.is_file():
            target = entry.resolve()
            if target.parent.name != "blobs" or hub_id(target) != target.name:
                bad.append(entry)
    return bad


def ready_lines(stdout: str) -> dict[str, str]:
    return {ln.split()[1]: ln for ln in stdout.splitlines() if ln.startswith("ready ")}


def snapshot(cache: Path, folder: str, commit: str) -> Path:
    return cache / folder / "snapshots" / commit


def closed_port() -> int:
    """A loopback port nothing listens on (bound once by us, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def file_requests(mirror: MirrorServer, method: str | None = None) -> list[RequestRecord]:
    """Requests for model files (not the Hub API), optionally of one method."""
    return [
        r
        for r in mirror.stats.requests
        if "/resolve/" in r.path and (method is None or r.method == method)
    ]


def nudenet_commit(root: Path) -> str:
    return (root / NUDENET_DIR / "refs" / "main").read_text(encoding="utf-8").strip()


# -- download --------------------------------------------------------------------------------------


async def test_download_fetches_both_default_models_then_finds_them_cached(
    endpoint: MirrorServer, default_models_root: Path, cache_dir: Path, vcp: Run
) -> None:
    first = await vcp("models", "download", "--progress", "log")

    assert first.returncode == 0, first.stderr
    ready = ready_lines(first.stdout)
    paths = {
        "whisper-tiny-en": snapshot(cache_dir, WHISPER_DIR, WHISPER_COMMIT),
        "nudenet-320n": snapshot(cache_dir, NUDENET_DIR, nudenet_commit(default_models_root)),
    }
    assert set(ready) == set(DEFAULT_MODELS)
    for name, files in DEFAULT_MODELS.items():
        assert ready[name].endswith(f"  {paths[name]}"), ready[name]
        assert f"  {len(files)} file{'s' * (len(files) != 1)}  " in ready[name]
        for file in files:
            assert (paths[name] / file).is_file()
            # one plain line per file, as a CI log shows it
            assert re.search(rf"^✓ {name}/{re.escape(file)} .* verified \(", first.stderr, re.M)
        assert f"✓ {name} ready" in first.stderr.splitlines()
    assert "\r" not in first.stderr
    assert unverified_final_files(cache_dir) == []

    endpoint.stats.reset()
    again = await vcp("models", "download", "--progress", "log")

    assert again.returncode == 0, again.stderr
    assert ready_lines(again.stdout) == ready
    assert "whisper-tiny-en: 4 files already cached (78.1 MB)" in again.stderr
    assert "nudenet-320n: 1 file already cached (12.2 MB)" in again.stderr
    assert "verified" not in again.stderr and "downloading" not in again.stderr
    assert file_requests(endpoint) == [], "a cached model must not be asked for again"
    assert endpoint.stats.bytes_served == 0


async def test_list_shows_missing_then_cached_models(
    endpoint: MirrorServer, default_models_root: Path, cache_dir: Path, vcp: Run
) -> None:
    whisper_path = str(snapshot(cache_dir, WHISPER_DIR, WHISPER_COMMIT))
    before = await vcp("models", "list")

    assert before.returncode == 0, before.stderr
    rows = table(before.stdout)
    # whisper is pinned to a commit, so its revision and path are known before any download
    assert rows["whisper-tiny-en"] == ["missing", "-", WHISPER_COMMIT[:12], whisper_path]
    assert rows["nudenet-320n"] == ["missing", "-", "-", "-"]
    assert before.stdout.splitlines()[-1] == f"cache: {cache_dir}"
    assert endpoint.stats.count() == 0, "models list must not touch the network"

    assert (await vcp("models", "download")).returncode == 0
    after = table((await vcp("models", "list")).stdout)

    commit = nudenet_commit(default_models_root)
    assert after["whisper-tiny-en"] == ["cached", "78.1 MB", WHISPER_COMMIT[:12], whisper_path]
    assert after["nudenet-320n"] == [
        "cached",
        "12.2 MB",
        commit[:12],
        str(snapshot(cache_dir, NUDENET_DIR, commit)),
    ]


# -- verify ----------------------------------------------------------------------------------------


async def test_verify_names_a_replaced_blob_and_download_repairs_it(
    endpoint: MirrorServer, cache_dir: Path, vcp: Run
) -> None:
    assert (await vcp("models", "download")).returncode == 0
    good = await vcp("models", "verify")
    assert good.returncode == 0, good.stdout + good.stderr
    assert re.search(r"^ok\s+whisper-tiny-en$", good.stdout, re.M)
    assert re.search(r"^ok\s+nudenet-320n$", good.stdout, re.M)

    # A new file moved over the blob, as an editor or a sync tool would: new inode and mtime.
    blob = cache_dir / WHISPER_DIR / "blobs" / CONFIG_BLOB
    replacement = blob.with_name("replacement")
    replacement.write_text('{"tampered": true}\n', encoding="utf-8")
    os.replace(replacement, blob)
    bad = await vcp("models", "verify")

    assert bad.returncode == 3
    assert re.search(r"^corrupt\s+whisper-tiny-en$", bad.stdout, re.M)
    assert re.search(r"^\s+corrupt\s+config\.json\s", bad.stdout, re.M), bad.stdout
    assert "model.bin" not in bad.stdout
    assert "error: 1 file missing, partial or corrupt" in bad.stderr
    assert "vcp models download" in bad.stderr

    endpoint.stats.reset()
    repaired = await vcp("models", "download")
    assert repaired.returncode == 0, repaired.stderr
    fetched = {r.path.rsplit("/", 1)[1]: r.bytes_sent for r in file_requests(endpoint, "GET")}
    assert fetched == {"config.json": 2317}, "only the corrupt file should be fetched again"
    assert (await vcp("models", "verify")).returncode == 0
    assert unverified_final_files(cache_dir) == []


async def test_verify_full_catches_what_the_verification_record_hides(
    endpoint: MirrorServer, cache_dir: Path, vcp: Run
) -> None:
    assert (await vcp("models", "download", "nudenet-320n")).returncode == 0
    # Same size, same inode, mtime put back: vcp's record (size, mtime, inode) still matches.
    # The blob is vcp's own download, not a hard link into the mirror's packages, so it may be
    # changed in place.
    blob = cache_dir / NUDENET_DIR / "blobs" / NUDENET_BLOB
    before = blob.stat()
    with blob.open("r+b") as fh:
        fh.seek(1000)
        byte = fh.read(1)
        fh.seek(1000)
        fh.write(bytes([byte[0] ^ 0xFF]))
    os.utime(blob, ns=(before.st_atime_ns, before.st_mtime_ns))

    trusted = await vcp("models", "verify", "nudenet-320n")
    assert trusted.returncode == 0, "plain verify trusts the record and does not re-hash"
    assert re.search(r"^ok\s+nudenet-320n$", trusted.stdout, re.M)

    full = await vcp("models", "verify", "--full", "nudenet-320n")
    assert full.returncode == 3
    assert re.search(r"^\s+corrupt\s+320n\.onnx\s", full.stdout, re.M), full.stdout
    moved = re.search(r"moved to (\S+): the next download fetches it again", full.stdout)
    assert moved is not None, full.stdout
    assert Path(moved.group(1)).parent == cache_dir / ".vcp" / "quarantine"
    assert not blob.exists(), "the corrupt blob must be out of the way"

    # The record went with it: the next download fetches the file instead of trusting it.
    endpoint.stats.reset()
    fetched = await vcp("models", "download", "nudenet-320n")
    assert fetched.returncode == 0, fetched.stderr
    assert endpoint.stats.bytes_for("/320n.onnx") == before.st_size
    assert (await vcp("models", "verify", "--full", "nudenet-320n")).returncode == 0
    assert unverified_final_files(cache_dir) == []


def flip_byte_keeping_mtime(path: Path, offset: int = 1000) -> None:
    """Bit rot: one byte changes in place, size, inode and mtime stay (the record still matches)."""
    before = path.stat()
    with path.open("r+b") as fh:
        fh.seek(offset)
        byte = fh.read(1)
        fh.seek(offset)
        fh.write(bytes([byte[0] ^ 0xFF]))
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))


async def test_verify_full_repair_quarantines_and_fetches_in_one_go(
    endpoint: MirrorServer, cache_dir: Path, vcp: Run
) -> None:
    assert (await vcp("models", "download", "nudenet-320n")).returncode == 0
    blob = cache_dir / NUDENET_DIR / "blobs" / NUDENET_BLOB
    flip_byte_keeping_mtime(blob)
    endpoint.stats.reset()

    repaired = await vcp("models", "verify", "--full", "--repair", "nudenet-320n")

    assert repaired.returncode == 0, repaired.stdout + repaired.stderr
    assert re.search(r"^\s+corrupt\s+320n\.onnx\s", repaired.stdout, re.M), repaired.stdout
    assert "ready  nudenet-320n" in repaired.stdout
    assert endpoint.stats.bytes_for("/320n.onnx") == blob.stat().st_size > 0
    assert [p.name.split(".")[0] for p in (cache_dir / ".vcp" / "quarantine").iterdir()] == [
        NUDENET_BLOB
    ]
    assert (await vcp("models", "verify", "--full", "nudenet-320n")).returncode == 0
    assert unverified_final_files(cache_dir) == []


async def test_verify_full_json_lists_what_it_quarantined(
    endpoint: MirrorServer, cache_dir: Path, vcp: Run
) -> None:
    assert (await vcp("models", "download", "nudenet-320n")).returncode == 0
    blob = cache_dir / NUDENET_DIR / "blobs" / NUDENET_BLOB
    flip_byte_keeping_mtime(blob)

    result = await vcp("models", "verify", "--full", "--json", "nudenet-320n")

    assert result.returncode == 3
    doc = json.loads(result.stdout)
    assert doc["ok"] is False
    assert doc["models"][0]["files"][0]["state"] == "corrupt"
    [moved] = doc["quarantined"]
    assert moved["model"] == "nudenet-320n" and moved["file"] == "320n.onnx"
    assert moved["path"] == str(blob) and Path(moved["moved_to"]).is_file()


async def test_verify_full_leaves_a_corrupt_file_whose_lock_another_process_holds(
    endpoint: MirrorServer, cache_dir: Path, vcp: Run
) -> None:
    assert (await vcp("models", "download", "nudenet-320n")).returncode == 0
    blob = cache_dir / NUDENET_DIR / "blobs" / NUDENET_BLOB
    flip_byte_keeping_mtime(blob)
    lock = cache_dir / ".locks" / NUDENET_DIR / f"{NUDENET_BLOB}.lock"

    async with holding_lock(lock):
        result = await vcp("models", "verify", "--full", "nudenet-320n")

    assert result.returncode == 3
    assert "left in place: its lock is held by vcp process" in result.stdout, result.stdout
    assert blob.exists(), "a file another process holds the lock of must not be moved"


# -- errors ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("command", ["download", "verify"])
async def test_unknown_model_name(endpoint: MirrorServer, vcp: Run, command: str) -> None:
    result = await vcp("models", command, "no-such-model")

    assert result.returncode == 3
    assert "error: no model source named 'no-such-model'" in result.stderr
    assert re.search(r"hint: known sources: .*whisper-tiny-en", result.stderr)
    assert endpoint.stats.count() == 0


async def test_missing_file_on_the_server(
    endpoint: MirrorServer, tmp_path: Path, cache_dir: Path, vcp: Run
) -> None:
    config = write_config(tmp_path, whisper_files=("config.json", "no-such-file.bin"))
    result = await vcp("models", "download", "-c", config, "whisper-tiny-en")

    assert result.returncode == 3
    # Found out from the Hub's file list, or from a HEAD of the file: either way the error line
    # names the model, the file and the repo, and the hint points at hf.files in the config.
    error = re.search(
        r"^error: model 'whisper-tiny-en'.*'no-such-file\.bin'.*", result.stderr, re.M
    )
    assert error is not None and "not found" in error.group(), result.stderr
    assert WHISPER_REPO in result.stderr
    assert re.search(r"^  hint: check .*hf\.files", result.stderr, re.M)
    # ...and the error says where in the config file the source is declared
    place = re.search(r"^  config: (.+):(\d+) \(models\.sources\[(\d+)\]\)$", result.stderr, re.M)
    assert place is not None, result.stderr
    assert Path(place.group(1)) == config
    declared = config.read_text().splitlines()[int(place.group(2)) - 1]
    assert "whisper-tiny-en" in declared
    assert "Traceback" not in result.stderr
    assert unverified_final_files(cache_dir) == []


async def test_unreachable_mirror_gives_up_after_one_quick_retry_in_plain_words(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, cache_dir: Path, vcp: Run
) -> None:
    port = closed_port()
    monkeypatch.setenv("HF_ENDPOINT", f"http://127.0.0.1:{port}")
    config = write_config(tmp_path, download={"retry_backoff_seconds": FAST_RETRIES})
    result = await vcp("models", "download", "-c", config, "--progress", "log", "whisper-tiny-en")

    assert result.returncode == 3
    assert re.search(
        rf"error: model 'whisper-tiny-en': cannot reach the Hub: cannot connect to "
        rf"127\.0\.0\.1:{port}: connection refused$",
        result.stderr,
        re.M,
    ), result.stderr
    # one quick retry, announced; not the whole schedule a server error would get
    assert "(attempt 1)" in result.stderr and "(attempt 2)" not in result.stderr
    assert "ssl:default" not in result.stderr and "ClientConnectorError" not in result.stderr
    assert "hint: check the network" in result.stderr and "--offline" in result.stderr
    assert unverified_final_files(cache_dir) == []


async def test_unreachable_mirror_hint_names_where_to_put_the_file_by_hand(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, cache_dir: Path, vcp: Run
) -> None:
    monkeypatch.setenv("HF_ENDPOINT", f"http://127.0.0.1:{closed_port()}")
    config = write_config(
        tmp_path, download={"retry_backoff_seconds": FAST_RETRIES}, whisper_files=("config.json",)
    )
    result = await vcp("models", "download", "-c", config, "whisper-tiny-en")

    assert result.returncode == 3
    hand = snapshot(cache_dir, WHISPER_DIR, WHISPER_COMMIT) / "config.json"
    assert f"download the file by hand to {hand}" in result.stderr, result.stderr


async def test_dropped_connections_exhaust_retries_and_hint_names_the_path(
    endpoint: MirrorServer, tmp_path: Path, cache_dir: Path, vcp: Run
) -> None:
    endpoint.faults.drop_after_bytes = 0  # every answer closes before its first body byte
    config = write_config(
        tmp_path, download={"retry_backoff_seconds": FAST_RETRIES}, whisper_files=("config.json",)
    )
    result = await vcp("models", "download", "-c", config, "whisper-tiny-en")

    assert result.returncode == 3
    assert "file 'config.json': gave up after 4 attempts" in result.stderr
    hand = snapshot(cache_dir, WHISPER_DIR, WHISPER_COMMIT) / "config.json"
    assert f"download the file by hand to {hand}" in result.stderr, result.stderr
    assert len(file_requests(endpoint, "GET")) == 4  # the first attempt and three retries
    assert unverified_final_files(cache_dir) == []


async def test_a_file_put_by_hand_where_the_hint_says_is_adopted(
    endpoint: MirrorServer, default_models_root: Path, tmp_path: Path, cache_dir: Path, vcp: Run
) -> None:
    endpoint.faults.drop_after_bytes = 0
    config = write_config(
        tmp_path, download={"retry_backoff_seconds": FAST_RETRIES}, whisper_files=("config.json",)
    )
    failed = await vcp("models", "download", "-c", config, "whisper-tiny-en")
    hinted = re.search(r"download the file by hand to (\S+)", failed.stderr)
    assert hinted is not None, failed.stderr
    by_hand = Path(hinted.group(1))
    by_hand.parent.mkdir(parents=True, exist_ok=True)  # as `mkdir -p` before a manual download
    shutil.copyfile(
        snapshot(default_models_root, WHISPER_DIR, WHISPER_COMMIT) / "config.json", by_hand
    )

    result = await vcp("models", "download", "-c", config, "--offline", "whisper-tiny-en")

    assert result.returncode == 0, result.stderr
    assert hub_id(by_hand) == CONFIG_BLOB
    assert (await vcp("models", "verify", "-c", config, "whisper-tiny-en")).returncode == 0


async def test_not_enough_disk_space(
    endpoint: MirrorServer,
    tmp_path: Path,
    cache_dir: Path,
    vcp: Run,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    nearly_full_disk(monkeypatch)
    config = write_config(tmp_path, download={"disk_space_factor": 2.0})
    result = await vcp("models", "download", "-c", config)

    assert result.returncode == 3
    assert re.search(
        rf"error: not enough disk space: [\d,.]+ MB needed, [\d,.]+ MB free at {cache_dir}$",
        result.stderr,
        re.M,
    ), result.stderr
    assert "hint: free some space" in result.stderr
    assert file_requests(endpoint, "GET") == [], "no byte may be fetched before the check"
    assert unverified_final_files(cache_dir) == []


@pytest.mark.parametrize("how", ["--offline", "HF_HUB_OFFLINE=1"])
async def test_offline_with_an_empty_cache(
    endpoint: MirrorServer, monkeypatch: pytest.MonkeyPatch, vcp: Run, how: str
) -> None:
    if how == "--offline":
        result = await vcp("models", "download", "--offline")
    else:
        monkeypatch.setenv("HF_HUB_OFFLINE", "1")
        result = await vcp("models", "download")

    assert result.returncode == 3
    for name in DEFAULT_MODELS:
        assert re.search(rf"^error: model '{name}': .*offline mode is on", result.stderr, re.M)
        assert re.search(rf"^  hint: run `vcp models download {name}`", result.stderr, re.M)
    assert endpoint.stats.count() == 0, "offline mode must not touch the network"


# -- vcp mirror serve ------------------------------------------------------------------------------


async def test_download_through_vcp_mirror_serve(
    default_models_root: Path, monkeypatch: pytest.MonkeyPatch, cache_dir: Path, vcp: Run
) -> None:
    server = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "vcp", "mirror", "serve", "--root", str(default_models_root),
        "--port", "0",
        env=dict(os.environ), stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        preexec_fn=interruptible,
    )  # fmt: skip
    try:
        assert server.stderr is not None
        line = (await asyncio.wait_for(server.stderr.readline(), 30)).decode()
        listening = re.search(r"listening on (http://127\.0\.0\.1:\d+)", line)
        assert listening is not None, f"the mirror did not say where it listens: {line!r}"
        monkeypatch.setenv("HF_ENDPOINT", listening.group(1))

        result = await vcp("models", "download", "nudenet-320n")

        assert result.returncode == 0, result.stderr
        assert "ready  nudenet-320n" in result.stdout
        server.send_signal(signal.SIGINT)
        await asyncio.wait_for(server.wait(), 30)
        assert server.returncode == 130
    finally:
        if server.returncode is None:
            server.kill()
        await server.communicate()
    assert unverified_final_files(cache_dir) == []
