"""Incremental analysis on the sample film with the real models: a report whose inference is
current is left alone, re-derived without loading a model when only word lists, thresholds or
the merge gap changed (and then equals a full analysis with the new settings), and only the
detectors whose inference settings changed run again.
"""

from __future__ import annotations

import asyncio
import copy
import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from vcp_testing.analysis import SAMPLE, config_data, write_config

from vcp import Analyzer, DetectorReady, Event, ModelManager, Report, Settings, load_report
from vcp.analysis.freshness import Current, Rederivable, Stale, report_status

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def analysed(ready_cache: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The sample film (a copy), analysed once with the default config into its report."""
    folder = tmp_path_factory.mktemp("incremental")
    film = shutil.copy(SAMPLE, folder / "sample.mp4")
    data = config_data("http://127.0.0.1:9", ready_cache)
    config = write_config(folder / "vcp.yaml", data)
    report = folder / "sample.vcp.json"
    _, outcome, _ = asyncio.run(_analyse(Settings.load(config), Path(film), report))
    assert outcome == "analysed"
    return {"film": Path(film), "report": report, "data": data, "folder": folder}


async def _analyse(
    settings: Settings, film: Path, report: Path, *, force: bool = False
) -> tuple[Report, str, list[Event]]:
    events: list[Event] = []
    async with (
        ModelManager(settings.models) as models,
        Analyzer(settings, models, on_event=events.append, force=force) as analyzer,
    ):
        result, outcome = await analyzer.analyze_film(film, report_path=report)
        assert outcome != "rederived" or analyzer.detectors == {}  # no model was loaded
    return result, outcome, events


def _settings(analysed: dict[str, Any], name: str, change: Any) -> Settings:
    data = copy.deepcopy(analysed["data"])
    change(data)
    return Settings.load(write_config(analysed["folder"] / name, data))


def _detector(data: dict[str, Any], name: str) -> dict[str, Any]:
    found: dict[str, Any] = next(d for d in data["detectors"] if d["name"] == name)
    return found


def _rules(data: dict[str, Any]) -> None:
    """New word lists, thresholds and merge gap: derivation only."""
    for name in ("profanity", "subtitles"):
        _detector(data, name)["allow"] = ["shit"]
        _detector(data, name)["words"] = {"mild": ["loud"]}
    _detector(data, "profanity")["threshold"] = 0.95
    _detector(data, "nudity")["threshold"] = 0.3
    data["processing"]["merge_gap_seconds"] = 0.5


def _without_times_of_day(report: Report) -> dict[str, Any]:
    data = report.model_dump(mode="json")
    data["vcp"].pop("created")
    return data


def _copy(analysed: dict[str, Any], tmp_path: Path) -> tuple[Path, Path]:
    report = tmp_path / "sample.vcp.json"
    shutil.copy(analysed["report"], report)
    return analysed["film"], report


async def test_a_current_report_is_left_as_it_is(analysed: dict[str, Any], tmp_path: Path) -> None:
    film, path = _copy(analysed, tmp_path)
    before = path.read_bytes()
    settings = Settings.load(analysed["folder"] / "vcp.yaml")
    report, outcome, events = await _analyse(settings, film, path)
    assert outcome == "current"
    assert path.read_bytes() == before
    assert not any(isinstance(e, DetectorReady) for e in events)
    assert report == load_report(path)


async def test_changed_rules_re_derive_without_a_model_and_equal_a_full_analysis(
    analysed: dict[str, Any], tmp_path: Path
) -> None:
    film, path = _copy(analysed, tmp_path)
    first = load_report(path)
    settings = _settings(analysed, "rules.yaml", _rules)
    assert isinstance(report_status(path, film, settings), Rederivable)

    rederived, outcome, events = await _analyse(settings, film, path)
    assert outcome == "rederived"
    assert not any(isinstance(e, DetectorReady) for e in events)  # no model loaded
    assert load_report(path) == rederived
    assert rederived.segments != first.segments  # the new rules changed what was found
    words = {d.word for s in rederived.segments for d in s.detections if d.word}
    assert "shit" not in words and "loud" in words

    full, outcome, _ = await _analyse(settings, film, tmp_path / "full.vcp.json", force=True)
    assert outcome == "analysed"
    assert _without_times_of_day(rederived) == _without_times_of_day(full)
    assert isinstance(report_status(path, film, settings), Current)


async def test_a_changed_inference_setting_runs_only_its_detector(
    analysed: dict[str, Any], tmp_path: Path
) -> None:
    film, path = _copy(analysed, tmp_path)

    def interval(data: dict[str, Any]) -> None:
        data["processing"]["frame_interval_seconds"] = 2.0

    settings = _settings(analysed, "interval.yaml", interval)
    status = report_status(path, film, settings)
    assert isinstance(status, Stale) and status.rerun == {"nudity"}

    partial, outcome, events = await _analyse(settings, film, path)
    assert outcome == "analysed"
    assert [e.detector for e in events if isinstance(e, DetectorReady)] == ["nudity"]
    full, _, _ = await _analyse(settings, film, tmp_path / "full.vcp.json", force=True)
    assert _without_times_of_day(partial) == _without_times_of_day(full)


def test_what_makes_a_report_stale(analysed: dict[str, Any], tmp_path: Path) -> None:
    film, path = _copy(analysed, tmp_path)
    settings = Settings.load(analysed["folder"] / "vcp.yaml")

    def beam(data: dict[str, Any]) -> None:
        _detector(data, "profanity")["beam_size"] = 2

    def low(data: dict[str, Any]) -> None:
        _detector(data, "nudity")["threshold"] = 0.01  # under the stored boxes' floor

    for change, rerun in ((beam, {"profanity"}), (low, {"nudity"})):
        status = report_status(path, film, _settings(analysed, "stale.yaml", change))
        assert isinstance(status, Stale) and status.rerun == rerun, status

    moved = Path(shutil.copy(film, tmp_path / "moved.mp4"))  # another time, the same content
    assert isinstance(report_status(path, moved, settings), Current)
    changed = bytearray(moved.read_bytes())
    changed[0] ^= 0xFF
    moved.write_bytes(bytes(changed))
    status = report_status(path, moved, settings)
    assert isinstance(status, Stale) and "film changed" in status.reason

    old = json.loads(path.read_text())
    old["version"], _ = 1, old.pop("inference")
    path.write_text(json.dumps(old))
    assert load_report(path).inference is None  # a version 1 report still loads
    status = report_status(path, film, settings)
    assert isinstance(status, Stale) and status.report is None and "older vcp" in status.reason
    assert isinstance(report_status(tmp_path / "none.json", film, settings), Stale)
