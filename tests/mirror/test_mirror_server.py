"""Running the mirror: the context manager, ``serve``, the CLI command, a real Hub client."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import re
from pathlib import Path

import aiohttp
import pytest

from vcp.cli.commands import mirror as mirror_cmd
from vcp.mirror import MirrorServer, serve
from vcp.mirror import server as mirror_server
from vcp.mirror.seed import NUDENET_REPO, WHISPER_COMMIT, WHISPER_REPO


async def test_a_server_runs_only_once(seeded_root: Path) -> None:
    server = MirrorServer(seeded_root)
    async with server:
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+", server.url)
        assert server.cdn_url is None
    with pytest.raises(RuntimeError):
        async with server:
            pass


async def test_start_and_aclose_without_a_context_manager(seeded_root: Path) -> None:
    server = MirrorServer(seeded_root, cdn=True)
    await server.start()
    try:
        assert server.url and server.cdn_url is not None
        with pytest.raises(RuntimeError):
            await server.start()
    finally:
        await server.aclose()


async def wait_for_url(caplog: pytest.LogCaptureFixture) -> str:
    for _ in range(200):
        found = re.findall(r"listening on (http://\S+)", caplog.text)
        if found:
            return str(found[0])
        await asyncio.sleep(0.01)
    raise AssertionError("serve() logged no URL")


async def test_serve_mounts_the_stats_routes_only_when_asked(
    seeded_root: Path, caplog: pytest.LogCaptureFixture, http: aiohttp.ClientSession
) -> None:
    caplog.set_level(logging.INFO, logger="vcp.mirror.server")
    for stats_routes, status in ((False, 404), (True, 200)):
        caplog.clear()
        task = asyncio.create_task(serve(seeded_root, port=0, stats_routes=stats_routes))
        try:
            url = await wait_for_url(caplog)
            async with http.get(f"{url}/_mirror/stats") as resp:
                assert resp.status == status, stats_routes
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task


async def test_serve_logs_its_url_and_stops_when_cancelled(
    seeded_root: Path, caplog: pytest.LogCaptureFixture, http: aiohttp.ClientSession
) -> None:
    caplog.set_level(logging.INFO, logger="vcp.mirror.server")
    task = asyncio.create_task(serve(seeded_root, host="127.0.0.1", port=0, cdn_port=0))
    try:
        for _ in range(200):
            found = re.findall(r"listening on (http://\S+)", caplog.text)
            if found:
                break
            await asyncio.sleep(0.01)
        assert found and "redirect to http://localhost:" in caplog.text
        url = f"{found[0]}/{WHISPER_REPO}/resolve/main/model.bin"
        async with http.head(url, allow_redirects=False) as resp:
            assert resp.status == 302
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
    assert task.cancelled()


def test_cli_command_parses_the_fault_knobs(tmp_path: Path) -> None:
    parser = argparse.ArgumentParser(prog="vcp")
    sub = parser.add_subparsers(dest="command", required=True)
    mirror_cmd.register(sub, argparse.ArgumentParser(add_help=False))
    args = parser.parse_args(
        ["mirror", "serve", "--root", str(tmp_path), "--port", "0", "--cdn-port", "0",
         "--drop-after", "100", "--fail-first", "2", "--fail-status", "429",
         "--retry-after", "1.5", "--flip-byte", "7", "--ignore-range", "--rate", "1000",
         "--latency", "0.1", "--only", "*.bin"]
    )  # fmt: skip
    assert args.handler is mirror_cmd.run_serve
    assert (args.root, args.port, args.cdn_port) == (tmp_path, 0, 0)
    faults = mirror_cmd.faults_from_args(args)
    assert (faults.drop_after_bytes, faults.fail_first, faults.fail_status) == (100, 2, 429)
    assert (faults.retry_after, faults.flip_byte_at, faults.ignore_range) == (1.5, 7, True)
    assert (faults.bytes_per_second, faults.latency, faults.only) == (1000, 0.1, "*.bin")
    assert args.stats is False  # /_mirror/stats stays off unless asked


def test_cli_stats_option_reaches_serve(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    parser = argparse.ArgumentParser(prog="vcp")
    mirror_cmd.register(parser.add_subparsers(), argparse.ArgumentParser(add_help=False))
    args = parser.parse_args(["mirror", "serve", "--root", str(tmp_path), "--stats"])
    args.quiet = True  # leave the server's log level alone
    seen: dict[str, object] = {}

    async def fake_serve(root: Path, **options: object) -> None:
        seen.update(options, root=root)

    monkeypatch.setattr(mirror_server, "serve", fake_serve)  # the handler imports it when run
    assert mirror_cmd.run_serve(args) == 0
    assert seen["stats_routes"] is True and seen["root"] == tmp_path


def test_cli_defaults_inject_no_faults(tmp_path: Path) -> None:
    parser = argparse.ArgumentParser(prog="vcp")
    mirror_cmd.register(parser.add_subparsers(), argparse.ArgumentParser(add_help=False))
    args = parser.parse_args(["mirror", "serve", "--root", str(tmp_path)])
    assert (args.host, args.port, args.cdn_port) == ("127.0.0.1", 8080, None)
    faults = mirror_cmd.faults_from_args(args)
    assert faults == type(faults)()


async def test_official_hub_client_downloads_through_the_cdn(
    seeded_root: Path, tmp_path: Path, known_files: dict[tuple[str, str], tuple[int, str]]
) -> None:
    huggingface_hub = pytest.importorskip("huggingface_hub")
    async with MirrorServer(seeded_root, cdn=True) as server:

        def download(repo_id: str, filename: str, revision: str) -> tuple[str, int]:
            path = huggingface_hub.hf_hub_download(
                repo_id, filename, revision=revision, endpoint=server.url,
                cache_dir=tmp_path, token=False,
            )  # fmt: skip
            blob = Path(path).resolve()
            return blob.name, blob.stat().st_size

        config = await asyncio.to_thread(download, WHISPER_REPO, "config.json", WHISPER_COMMIT)
        onnx = await asyncio.to_thread(download, NUDENET_REPO, "320n.onnx", "main")
        assert server.stats.count(path_suffix="/320n.onnx") == 1  # HEAD; the GET went to the CDN
    assert config == tuple(reversed(known_files[(WHISPER_REPO, "config.json")]))
    assert onnx == tuple(reversed(known_files[(NUDENET_REPO, "320n.onnx")]))


def test_cli_token_comes_from_the_option_or_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    parser = argparse.ArgumentParser(prog="vcp")
    mirror_cmd.register(parser.add_subparsers(), argparse.ArgumentParser(add_help=False))
    plain = parser.parse_args(["mirror", "serve", "--root", str(tmp_path)])
    assert mirror_cmd.token_from_args(plain) is None
    monkeypatch.setenv(mirror_cmd.TOKEN_ENV, "from-env")
    assert mirror_cmd.token_from_args(plain) == "from-env"
    given = parser.parse_args(["mirror", "serve", "--root", str(tmp_path), "--token", "given"])
    assert mirror_cmd.token_from_args(given) == "given"
