"""``--json`` for scripts: ``vcp models download|list|verify`` print one JSON document on stdout,
against the real mirror of the default models."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from vcp_testing.cli import Result, Run

from vcp.mirror import MirrorServer

pytestmark = pytest.mark.usefixtures("restore_logging")
DEFAULT_MODELS = {"whisper-tiny-en", "nudenet-320n"}


@pytest.fixture(autouse=True)
def endpoint(
    monkeypatch: pytest.MonkeyPatch, default_mirror: MirrorServer, cache_dir: Path
) -> MirrorServer:
    monkeypatch.setenv("HF_ENDPOINT", default_mirror.url)
    monkeypatch.setenv("VCP_MODELS__CACHE_DIR", str(cache_dir))
    return default_mirror


def document(result: Result) -> Any:
    try:
        return json.loads(result.stdout)
    except ValueError:
        pytest.fail(f"stdout is not one JSON document:\n{result.stdout}\n{result.stderr}")


async def test_download_json_lists_every_ready_model_with_its_files(
    vcp: Run, cache_dir: Path
) -> None:
    result = await vcp("models", "download", "--json", "--progress", "none")

    assert result.returncode == 0, result.stderr
    summary = document(result)
    assert summary["ok"] is True
    assert summary["cache"] == str(cache_dir)
    assert {m["name"] for m in summary["models"]} == DEFAULT_MODELS
    for model in summary["models"]:
        assert model["ok"] is True and Path(model["path"]).exists()
        assert model["size"] == sum(f["size"] for f in model["files"].values()) > 0
        for file in model["files"].values():
            assert file["checksum"].startswith(("sha256:", "git-sha1:"))


async def test_download_json_reports_a_failure_with_its_error_and_exit_3(
    vcp: Run, tmp_path: Path
) -> None:
    config = tmp_path / "vcp.yaml"
    sources = [{"name": "gone", "hf": {"repo": "acme/gone", "files": ["x.bin"]}}]
    config.write_text(
        json.dumps({"merge_defaults": False, "models": {"sources": sources}, "detectors": []})
    )

    result = await vcp("models", "download", "-c", config, "--json", "--progress", "none")

    assert result.returncode == 3
    summary = document(result)
    assert summary["ok"] is False
    (gone,) = summary["models"]
    assert gone["name"] == "gone" and gone["ok"] is False
    assert gone["error"]["type"] == "ModelNotFound"
    assert "acme/gone" in gone["error"]["message"] and gone["error"]["hint"]
    assert "error: model 'gone'" in result.stderr  # people still read it on stderr


async def test_list_json_shows_missing_then_cached(vcp: Run) -> None:
    before = document(await vcp("models", "list", "--json"))
    await vcp("models", "download", "--progress", "none")
    after = document(await vcp("models", "list", "--json"))

    states = {m["name"]: m["state"] for m in before["models"]}
    assert {states[n] for n in DEFAULT_MODELS} == {"missing"}
    cached = {m["name"]: m for m in after["models"]}
    for name in DEFAULT_MODELS:
        assert cached[name]["state"] == "cached"
        assert cached[name]["size"] > 0 and cached[name]["revision"]
        assert all(f["state"] == "cached" for f in cached[name]["files"])


async def test_verify_json_names_the_missing_file_and_exits_3(vcp: Run) -> None:
    await vcp("models", "download", "--progress", "none")
    listed = document(await vcp("models", "list", "--json"))
    nudenet = next(m for m in listed["models"] if m["name"] == "nudenet-320n")
    Path(nudenet["files"][0]["path"]).resolve().unlink()  # the blob the snapshot links to

    result = await vcp("models", "verify", "--json")

    assert result.returncode == 3
    report = document(result)
    assert report["ok"] is False
    states = {m["name"]: {f["name"]: f["state"] for f in m["files"]} for m in report["models"]}
    assert states["nudenet-320n"] == {"320n.onnx": "missing"}
    assert set(states["whisper-tiny-en"].values()) == {"cached"}
