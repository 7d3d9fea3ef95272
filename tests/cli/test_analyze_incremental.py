"""`vcp analyze` on a folder: films whose report is current are skipped with a one-line tally,
`--force` analyses every film again. The sample film with the real models."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from vcp_testing.analysis import SAMPLE, config_data, write_config
from vcp_testing.cli import Run

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("restore_logging")]


async def test_a_folder_skips_current_films_and_force_analyses_them_again(
    vcp: Run, config: Path, tmp_path: Path
) -> None:
    films = tmp_path / "films"
    films.mkdir()
    shutil.copy(SAMPLE, films / "a.mp4")
    first = await vcp("analyze", films, "-c", config, "--progress", "none")
    assert first.returncode == 0, first.stderr
    assert first.stdout.splitlines()[-1] == "0 current, 1 analysed, 0 failed"
    report = (films / "a.vcp.json").read_bytes()

    shutil.copy(SAMPLE, films / "b.mp4")  # a film added to the library
    second = await vcp("analyze", films, "-c", config, "--progress", "none")
    assert second.returncode == 0, second.stderr
    assert second.stdout.splitlines()[-1] == "1 current, 1 analysed, 0 failed"
    assert "a.mp4:" not in second.stdout  # a current film prints nothing but the tally
    assert (films / "a.vcp.json").read_bytes() == report

    forced = await vcp("analyze", films, "-c", config, "--progress", "none", "--force")
    assert forced.returncode == 0, forced.stderr
    assert forced.stdout.splitlines()[-1] == "0 current, 2 analysed, 0 failed"


async def test_new_rules_need_no_model_in_the_cache(
    vcp: Run, ready_cache: Path, tmp_path: Path
) -> None:
    # Analysed once with the models; then the cache is gone and the word lists change: the
    # report's segments are derived again from what it stores, and no model is asked for.
    film = tmp_path / "a.mp4"
    shutil.copy(SAMPLE, film)
    data = config_data("http://127.0.0.1:9", ready_cache)
    first = await vcp("analyze", film, "-c", write_config(tmp_path / "a.yaml", data))
    assert first.returncode == 0, first.stderr
    before = json.loads((tmp_path / "a.vcp.json").read_text())
    assert any(s["category"] == "profanity" for s in before["segments"])

    for words in (d for d in data["detectors"] if d["type"] in ("speech-profanity", "subtitles")):
        words["categories"] = [c for c in words["categories"] if c != "profanity"]
    data["models"]["cache_dir"] = str(tmp_path / "empty-cache")
    second = await vcp("analyze", film, "-c", write_config(tmp_path / "b.yaml", data))
    assert second.returncode == 0, second.stderr
    after = json.loads((tmp_path / "a.vcp.json").read_text())
    assert not any(s["category"] == "profanity" for s in after["segments"])
    assert not (tmp_path / "empty-cache" / "models--Systran--faster-whisper-tiny.en").exists()

    missing = await vcp("analyze", film, "-c", write_config(tmp_path / "c.yaml", data), "--force")
    assert missing.returncode == 3 and "not downloaded yet" in missing.stderr
