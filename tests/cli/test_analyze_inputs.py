"""`vcp analyze` on bad input: a clear message, the right exit code, no traceback, no report.

The models come from a cache filled once per session from the mirror; these runs are offline.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from vcp_testing.analysis import SAMPLE, config_data, make_media, write_config
from vcp_testing.cli import Run

pytestmark = pytest.mark.usefixtures("restore_logging")


def _no_traceback(text: str) -> bool:
    return "Traceback" not in text


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda d: d / "missing.mp4", "no such file or folder"),
        (lambda d: (d / "empty").mkdir() or d / "empty", "no video files in this folder"),
        (lambda d: (d / "notes.mp4").write_text("hello, I am text") and d / "notes.mp4", ""),
        (lambda d: (d / "zero.mp4").write_bytes(b"") or d / "zero.mp4", ""),
    ],
    ids=["missing", "folder-without-videos", "text-named-mp4", "zero-length"],
)
async def test_unreadable_inputs_exit_4_with_a_message(
    vcp: Run, config: Path, tmp_path: Path, make, message: str
) -> None:
    target = make(tmp_path)
    result = await vcp("analyze", target, "-c", config, "--progress", "none")
    assert result.returncode == 4, result.stderr
    assert result.stderr.startswith("error: ") and message in result.stderr
    assert "hint: " in result.stderr and _no_traceback(result.stderr)
    assert not list(tmp_path.rglob("*.vcp.json"))


async def test_a_report_in_a_missing_folder_is_refused_before_any_work(
    vcp: Run, config: Path, tmp_path: Path
) -> None:
    # (An existing folder as -o receives the report: tests/cli/test_analyze_outputs.py.)
    missing = await vcp("analyze", SAMPLE, "-c", config, "-o", tmp_path / "no" / "r.json")
    assert missing.returncode == 2 and "output folder does not exist" in missing.stderr


async def test_a_video_without_audio_skips_speech_and_says_so(
    vcp: Run, config: Path, tmp_path: Path
) -> None:
    film = make_media(tmp_path / "silent.mp4", audio=False)
    result = await vcp("analyze", film, "-c", config, "--progress", "none")
    assert result.returncode == 0, result.stderr
    report = json.loads((tmp_path / "silent.vcp.json").read_text())
    status = {d["name"]: (d["status"], d.get("reason")) for d in report["detectors"]}
    assert status["nudity"] == ("ran", None)
    assert status["profanity"] == ("skipped", "silent.mp4 has no audio stream")
    assert any("profanity: skipped" in w for w in report["warnings"])
    assert "warning: profanity skipped" in result.stderr


async def test_audio_only_skips_vision(vcp: Run, config: Path, tmp_path: Path) -> None:
    track = make_media(tmp_path / "speech.m4a", video=False)
    result = await vcp("analyze", track, "-c", config, "--progress", "none")
    assert result.returncode == 0, result.stderr
    report = json.loads((tmp_path / "speech.vcp.json").read_text())
    status = {d["name"]: d["status"] for d in report["detectors"]}
    assert status == {"nudity": "skipped", "profanity": "ran", "subtitles": "ran"}


async def test_a_truncated_video_is_reported_and_never_crashes(
    vcp: Run, config: Path, tmp_path: Path
) -> None:
    film = tmp_path / "cut.mp4"
    film.write_bytes(SAMPLE.read_bytes()[: SAMPLE.stat().st_size // 2])
    result = await vcp("analyze", film, "-c", config, "--progress", "none")
    assert _no_traceback(result.stderr)
    if result.returncode == 0:  # what could be read was analysed; the damage is on record
        report = json.loads((tmp_path / "cut.vcp.json").read_text())
        assert report["input"]["name"] == "cut.mp4"
    else:
        assert result.returncode == 4 and "hint: " in result.stderr
        assert not (tmp_path / "cut.vcp.json").exists()


async def test_one_bad_input_among_several_keeps_the_others_and_the_worst_code(
    vcp: Run, config: Path, tmp_path: Path
) -> None:
    good = make_media(tmp_path / "good.mp4")
    (tmp_path / "bad.mp4").write_text("not a video")
    result = await vcp("analyze", good, tmp_path / "bad.mp4", "-c", config, "--progress", "none")
    assert result.returncode == 4
    assert (tmp_path / "good.vcp.json").exists() and not (tmp_path / "bad.vcp.json").exists()
    assert "good.mp4: 0 segments" in result.stdout


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d["detectors"][0].update(type="llava"), "detectors[0]"),
        (
            lambda d: d["detectors"][1].update(model="whisper-huge"),
            "'whisper-huge' is not a source",
        ),
    ],
    ids=["unknown-type", "undeclared-model"],
)
async def test_config_errors_exit_2_with_the_place(
    vcp: Run, ready_cache: Path, tmp_path: Path, change, message: str
) -> None:
    data = config_data("http://127.0.0.1:9", ready_cache)
    change(data)
    config = write_config(tmp_path / "bad.yaml", data)
    result = await vcp("analyze", SAMPLE, "-c", config)
    assert result.returncode == 2
    assert message in result.stderr and "bad.yaml:" in result.stderr


async def test_export_in_the_same_run_writes_player_files_beside_the_video(
    vcp: Run, config: Path, tmp_path: Path
) -> None:
    film = tmp_path / "film.mp4"
    film.write_bytes(SAMPLE.read_bytes())
    result = await vcp("analyze", film, "-c", config, "--progress", "none", "--export", "edl,vtt")
    assert result.returncode == 0, result.stderr
    edl = (tmp_path / "film.edl").read_text().split("\n")
    mutes = [line for line in edl if line.endswith(" 1")]
    skips = [line for line in edl if line.endswith(" 0")]
    # the portrait's face ("faces", a video category: skipped) and, after it, words muted
    assert skips and float(skips[0].split()[0]) < 1.0
    assert len(mutes) >= 2 and all(float(m.split()[0]) > 6.5 for m in mutes)
    assert (tmp_path / "film.vcp.vtt").is_file()
    assert f"export: {tmp_path / 'film.edl'}" in result.stdout


async def test_an_unknown_export_format_is_refused_before_any_work(
    vcp: Run, config: Path, tmp_path: Path
) -> None:
    result = await vcp(
        "analyze", SAMPLE, "-c", config, "-o", tmp_path / "r.json", "--export", "sub"
    )
    assert result.returncode == 2 and "unknown export format 'sub'" in result.stderr
    assert not (tmp_path / "r.json").exists()


async def test_an_unreachable_mirror_is_one_clear_model_error_and_no_report(
    vcp: Run, tmp_path: Path
) -> None:
    cache = tmp_path / "cache"
    config = write_config(tmp_path / "vcp.yaml", config_data("http://127.0.0.1:9", cache))
    out = tmp_path / "r.vcp.json"
    result = await vcp("analyze", SAMPLE, "-c", config, "-o", out, "--download-models")
    assert result.returncode == 3
    assert "cannot connect to 127.0.0.1:9" in result.stderr
    assert "Traceback" not in result.stderr and "ExceptionGroup" not in result.stderr
    errors = [ln for ln in result.stderr.splitlines() if ln.startswith(("error:", "✗"))]
    assert sum("connection refused" in ln for ln in errors) == 1  # said once, at the end
    assert not out.exists()
