"""A config that changes only a part of the settings still analyses with every default detector,
and a config that leaves no detector enabled is refused, never answered with an empty report.

Issue 14's repro: a file with only an ``actions`` section used to lose every detector, and the
film looked clean (an empty report, exit 0). The models come from a cache filled once per
session; the endpoint is a closed port, so nothing is downloaded.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from vcp_testing.analysis import SAMPLE, TRUTH, covers, segments_of
from vcp_testing.cli import Run

from vcp import Analyzer, ConfigError, ModelManager, analyze, load_settings
from vcp.report.files import dump_report

pytestmark = pytest.mark.usefixtures("restore_logging")

ACTIONS_ONLY = """\
actions:
  categories:
    profanity: {audio: bleep}
    blasphemy: {audio: mute}
"""

NOTHING_ENABLED = "detectors:\n" + "".join(
    f"  - {{name: {d.name}, enabled: false}}\n" for d in load_settings(None).detectors
)


@pytest.fixture(autouse=True)
def cached_models(ready_cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The default models in the session's cache, through the environment: the files under test
    say nothing about models."""
    monkeypatch.setenv("VCP_MODELS__CACHE_DIR", str(ready_cache))
    monkeypatch.setenv("HF_ENDPOINT", "http://127.0.0.1:9")


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "my.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def assert_finds_every_word(report: dict) -> None:
    profane = segments_of(report, "profanity") + segments_of(report, "blasphemy")
    for word in TRUTH["words"]:
        assert covers(profane, word["start"], word["end"], 0.5), (word, profane)
    assert {d["name"] for d in report["detectors"]} >= {"nudity", "profanity"}


@pytest.mark.slow
async def test_the_cli_with_an_actions_only_config_finds_the_samples_words(
    vcp: Run, tmp_path: Path
) -> None:
    out = tmp_path / "sample.vcp.json"
    result = await vcp("analyze", SAMPLE, "-c", write(tmp_path, ACTIONS_ONLY), "-o", out)
    assert result.returncode == 0, result.stderr
    assert_finds_every_word(json.loads(out.read_text()))


@pytest.mark.slow
async def test_the_api_with_an_actions_only_config_finds_the_samples_words(
    tmp_path: Path,
) -> None:
    settings = load_settings(write(tmp_path, ACTIONS_ONLY))
    async with ModelManager(settings.models, offline=True) as models:
        report = await analyze(SAMPLE, settings, models=models)
    assert_finds_every_word(json.loads(dump_report(report)))


async def test_the_cli_refuses_a_config_without_an_enabled_detector(
    vcp: Run, tmp_path: Path
) -> None:
    out = tmp_path / "sample.vcp.json"
    config = write(tmp_path, NOTHING_ENABLED)
    result = await vcp("analyze", SAMPLE, "-c", config, "-o", out)
    assert result.returncode == 2
    assert result.stderr.startswith(f"error: {config}: detectors: no detector is enabled")
    assert "hint: " in result.stderr and "enabled: false" in result.stderr
    assert not out.exists()


async def test_the_api_refuses_settings_without_an_enabled_detector(tmp_path: Path) -> None:
    settings = load_settings(write(tmp_path, NOTHING_ENABLED))
    report_path = tmp_path / "r.vcp.json"
    with pytest.raises(ConfigError, match="no detector is enabled"):
        await analyze(SAMPLE, settings, report_path=report_path)
    async with ModelManager(settings.models, offline=True) as models:
        with pytest.raises(ConfigError, match="no detector is enabled"):
            Analyzer(settings, models)
    assert not report_path.exists()
