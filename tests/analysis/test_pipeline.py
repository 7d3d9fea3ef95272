"""The analysis runner through its embedding API: readiness-driven start, optional detectors.

Real mirror, real models, the sample video; assertions are on the order of events, not on time.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from vcp_testing.analysis import SAMPLE, TRUTH, config_data

from vcp import analyze
from vcp.analysis.events import DetectionFound, DetectorReady, ReportWritten
from vcp.cli.exit_codes import exit_code
from vcp.config import Settings
from vcp.errors import ModelError
from vcp.mirror import Faults, MirrorServer
from vcp.models.events import ModelReady
from vcp.models.manager import ModelManager

pytestmark = pytest.mark.slow


def _settings(url: str, cache: Path, **detector_changes: object) -> Settings:
    data = config_data(url, cache)
    for detector in data["detectors"]:
        detector.update(detector_changes.get(detector["name"], {}))  # type: ignore[call-overload]
    return Settings(**data)


async def test_vision_results_come_before_whisper_has_arrived(
    default_models_root: Path, tmp_path: Path
) -> None:
    # whisper's model.bin trickles; NudeNet's 12 MB arrive at once.
    faults = Faults(bytes_per_second=1_500_000, only="*model.bin")
    events: list[object] = []
    async with MirrorServer(default_models_root, faults=faults) as mirror:
        settings = _settings(mirror.url, tmp_path / "cache")
        async with ModelManager(settings.models, on_event=events.append) as models:
            report = await analyze(
                SAMPLE, settings, models=models, on_event=events.append,
                report_path=tmp_path / "r.json",
            )  # fmt: skip
    first_face = next(
        i for i, e in enumerate(events)
        if isinstance(e, DetectionFound) and e.detection.category == "faces"
    )  # fmt: skip
    whisper = next(
        i
        for i, e in enumerate(events)
        if isinstance(e, ModelReady) and e.model == "whisper-tiny-en"
    )
    assert first_face < whisper
    # subtitles needs no model: it is ready before any download is done
    ready = [e.detector for e in events if isinstance(e, DetectorReady)]
    assert ready == ["subtitles", "nudity", "profanity"]
    assert isinstance(events[-2], ReportWritten) or any(
        isinstance(e, ReportWritten) for e in events
    )
    # the late detector still read the whole film: every truth word is in the report
    labels = {d.word.lower() for s in report.segments for d in s.detections if d.word}
    assert len(labels) >= len(TRUTH["words"]) - 1


async def test_an_optional_detector_whose_model_fails_is_skipped_and_recorded(
    default_models_root: Path, tmp_path: Path
) -> None:
    faults = Faults(fail_first=1000, fail_status=404, only="*model.bin")
    async with MirrorServer(default_models_root, faults=faults) as mirror:
        settings = _settings(mirror.url, tmp_path / "cache", profanity={"optional": True})
        report = await analyze(SAMPLE, settings)
    status = {d.name: (d.status, d.reason) for d in report.detectors}
    assert status["nudity"] == ("ran", None)
    assert status["profanity"][0] == "skipped"
    assert "whisper-tiny-en" in (status["profanity"][1] or "")
    assert any(w.startswith("profanity: skipped") for w in report.warnings)
    # what is left: the vision detector's faces, and the words the sample's subtitles spell out
    assert {s.category for s in report.segments} == {"faces", "profanity", "blasphemy"}
    assert {d.detector for s in report.segments for d in s.detections} == {"nudity", "subtitles"}


async def test_a_required_detector_whose_model_fails_stops_with_that_error(
    default_models_root: Path, tmp_path: Path
) -> None:
    faults = Faults(fail_first=1000, fail_status=404, only="*model.bin")
    async with MirrorServer(default_models_root, faults=faults) as mirror:
        settings = _settings(mirror.url, tmp_path / "cache")
        with pytest.raises(ModelError) as info:
            await analyze(SAMPLE, settings, report_path=tmp_path / "r.json")
    assert exit_code(info.value) == 3
    assert "model.bin" in str(info.value) or "whisper" in str(info.value)
    assert not (tmp_path / "r.json").exists()
