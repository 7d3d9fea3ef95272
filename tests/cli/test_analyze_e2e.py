"""`vcp analyze` end to end: the real mirror, the real models, the sample video.

The sample (tests/fixtures/sample.mp4) shows a portrait for 7 s, then a coffee cup, over speech
with four profane words at the times its truth file gives.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from vcp_testing.analysis import SAMPLE, TRUTH, config_data, covers, segments_of, write_config
from vcp_testing.cli import Run
from vcp_testing.tolerances import SEGMENT_COVER_SLACK

from vcp.mirror import MirrorServer

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("restore_logging")]


def _blob_of(cache: Path, repo_folder: str, name: str) -> Path:
    return (cache / repo_folder / "snapshots").glob(f"*/{name}").__next__().resolve()


async def test_analyze_downloads_reports_and_runs_again_without_a_download(
    vcp: Run, default_mirror: MirrorServer, tmp_path: Path
) -> None:
    cache = tmp_path / "cache"
    config = write_config(tmp_path / "vcp.yaml", config_data(default_mirror.url, cache))
    out = tmp_path / "sample.vcp.json"

    first = await vcp("analyze", SAMPLE, "-c", config, "-o", out, "--download-models")
    assert first.returncode == 0, first.stderr
    report = json.loads(out.read_text())
    profane = segments_of(report, "profanity") + segments_of(report, "blasphemy")
    for word in TRUTH["words"]:
        assert covers(profane, word["start"], word["end"], SEGMENT_COVER_SLACK), (word, profane)
    faces = segments_of(report, "faces")
    assert faces and all(end <= 7.0 + 1.0 for _, end in faces)  # the portrait half only
    assert not any(start >= 7.0 for start, _ in faces)  # the coffee cup is no one
    assert {d["status"] for d in report["detectors"]} == {"ran"}
    assert {m["name"] for m in report["models"]} == {"nudenet-320n", "whisper-tiny-en"}
    assert "sample.mp4: " in first.stdout and f"report: {out}" in first.stdout

    served = default_mirror.stats.bytes_served
    second = await vcp("analyze", SAMPLE, "-c", config, "-o", out, "--download-models")
    assert second.returncode == 0, second.stderr
    assert default_mirror.stats.bytes_served == served  # nothing downloaded the second time
    assert json.loads(out.read_text())["segments"] == report["segments"]

    # A cached model damaged on disk is fetched again, and the analysis still succeeds.
    onnx = _blob_of(cache, "models--deepghs--nudenet_onnx", "320n.onnx")
    data = bytearray(onnx.read_bytes())
    data[1000] ^= 0xFF
    onnx.write_bytes(bytes(data))
    third = await vcp("analyze", SAMPLE, "-c", config, "-o", out, "--download-models", "--force")
    assert third.returncode == 0, third.stderr
    assert default_mirror.stats.bytes_served > served
    assert segments_of(json.loads(out.read_text()), "faces") == faces


async def test_without_download_models_a_missing_model_stops_before_any_work(
    vcp: Run, default_mirror: MirrorServer, tmp_path: Path
) -> None:
    config = write_config(
        tmp_path / "vcp.yaml", config_data(default_mirror.url, tmp_path / "cache")
    )
    out = tmp_path / "r.vcp.json"
    result = await vcp("analyze", SAMPLE, "-c", config, "-o", out)
    assert result.returncode == 3
    assert "not downloaded yet" in result.stderr
    assert "vcp models download nudenet-320n whisper-tiny-en" in result.stderr
    assert "--download-models" in result.stderr
    assert not out.exists()
    assert default_mirror.stats.count() == 0  # not even a metadata request


async def test_several_inputs_and_jobs_give_the_same_reports(
    vcp: Run, config: Path, tmp_path: Path
) -> None:
    films = tmp_path / "films"
    (films / "season").mkdir(parents=True)
    os.link(SAMPLE, films / "a.mp4")
    os.link(SAMPLE, films / "season" / "b.mkv.mp4")
    (films / "notes.txt").write_text("not a video")
    one, two = tmp_path / "one", tmp_path / "two"

    first = await vcp("analyze", films, "-c", config, "-o", one)
    assert first.returncode == 0, first.stderr
    second = await vcp("analyze", films, "-c", config, "-o", two, "--jobs", "2")
    assert second.returncode == 0, second.stderr
    names = sorted(p.name for p in one.iterdir())
    assert names == ["a.vcp.json", "b.mkv.vcp.json"]
    for name in names:
        a, b = (json.loads((d / name).read_text()) for d in (one, two))
        assert a["segments"] == b["segments"] and a["segments"]
