"""Reports round-trip through JSON, are written atomically, and bad files get located errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from vcp_testing.reports import SAMPLE, make_report

from vcp.errors import ReportError
from vcp.report import (
    REPORT_VERSION,
    InputInfo,
    Report,
    Segment,
    SegmentDetection,
    Summary,
    ToolInfo,
    default_report_path,
    format_time,
    load_report,
    parse_time,
    write_report,
)


def _report(segments: tuple[Segment, ...] = ()) -> Report:
    return Report(
        input=InputInfo(path="/films/movie.mp4", name="movie.mp4", size=10, duration=60.0),
        summary=Summary.of(segments),
        segments=segments,
        vcp=ToolInfo(version="0.1.0", created="2026-12-01T00:00:00+00:00"),
    )


def _word(start: float, end: float) -> Segment:
    hit = SegmentDetection(
        detector="profanity", label="fuck", score=0.9, start=start, end=end, word="fucking"
    )
    return Segment(
        id=1,
        start=start,
        end=end,
        category="profanity",
        kind="audio",
        labels=("fuck",),
        confidence=0.9,
        detections=(hit,),
    )


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(0, "00:00:00.000"), (1.2345, "00:00:01.234"), (3725.5, "01:02:05.500"), (-1, "00:00:00.000")],
)
def test_time_format(seconds: float, text: str) -> None:
    assert format_time(seconds) == text


def test_time_parse_round_trip() -> None:
    assert parse_time("01:02:05.5") == 3725.5
    assert parse_time(format_time(4000.125)) == 4000.125
    with pytest.raises(ValueError, match="HH:MM:SS"):
        parse_time("1:99:00")


def test_report_round_trips_with_readable_times(tmp_path: Path) -> None:
    report = _report((_word(61.25, 61.75),))
    path = write_report(report, tmp_path / "movie.vcp.json")
    data = json.loads(path.read_text())
    assert data["format"] == "vcp-report" and data["version"] == REPORT_VERSION
    assert data["segments"][0]["start_time"] == "00:01:01.250"
    assert data["segments"][0]["allow"] is False
    assert load_report(path) == report


def test_uncertain_is_written_for_every_segment_and_hit_and_read_back(tmp_path: Path) -> None:
    word = _word(5.0, 5.4)
    unsure = word.model_copy(
        update={
            "uncertain": True,
            "detections": tuple(d.model_copy(update={"uncertain": True}) for d in word.detections),
        }
    )
    path = write_report(_report((unsure,)), tmp_path / "movie.vcp.json")
    data = json.loads(path.read_text())
    assert data["segments"][0]["uncertain"] is True
    assert data["segments"][0]["detections"][0]["uncertain"] is True
    assert load_report(path).segments[0].uncertain is True


def test_a_report_written_before_uncertain_existed_loads_as_certain(tmp_path: Path) -> None:
    path = write_report(_report((_word(5.0, 5.4),)), tmp_path / "movie.vcp.json")
    data = json.loads(path.read_text())
    del data["segments"][0]["uncertain"]
    del data["segments"][0]["detections"][0]["uncertain"]
    path.write_text(json.dumps(data))
    (segment,) = load_report(path).segments
    assert segment.uncertain is False and segment.detections[0].uncertain is False


def test_write_leaves_no_temp_file_and_replaces_the_old_report(tmp_path: Path) -> None:
    path = tmp_path / "movie.vcp.json"
    path.write_text("old")
    write_report(_report(), path)
    assert [p.name for p in tmp_path.iterdir()] == ["movie.vcp.json"]
    assert load_report(path).segments == ()


def test_summary_counts_categories_and_the_union_of_flagged_time() -> None:
    a, b = _word(1.0, 3.0), _word(2.0, 4.0)
    summary = Summary.of((a, b))
    assert summary.segments == 2
    assert summary.flagged_seconds == 3.0
    assert summary.categories["profanity"].seconds == 4.0


def test_default_report_path_sits_beside_the_video() -> None:
    assert default_report_path(Path("/f/movie.mp4")) == Path("/f/movie.vcp.json")


def test_corrupt_json_is_located(tmp_path: Path) -> None:
    path = tmp_path / "r.vcp.json"
    path.write_text('{"format": "vcp-report",\n "version": 1,\n oops}')
    with pytest.raises(ReportError) as info:
        load_report(path)
    assert info.value.where == f"{path}:3:2"
    assert "invalid JSON" in info.value.message


def test_unknown_version_is_refused_with_a_hint(tmp_path: Path) -> None:
    path = tmp_path / "r.vcp.json"
    path.write_text(json.dumps({"format": "vcp-report", "version": 7}))
    with pytest.raises(ReportError, match="version 7 is not supported") as info:
        load_report(path)
    assert "vcp analyze" in (info.value.hint or "")


def test_a_bad_field_is_named(tmp_path: Path) -> None:
    data = json.loads(json.dumps(_report((_word(1, 2),)).model_dump(mode="json")))
    data["segments"][0]["allow"] = "maybe"
    path = tmp_path / "r.vcp.json"
    path.write_text(json.dumps(data))
    with pytest.raises(ReportError, match=r"segments\.0\.allow"):
        load_report(path)


def test_not_a_report_and_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "other.json"
    path.write_text("[1, 2]")
    with pytest.raises(ReportError, match="not a vcp report"):
        load_report(path)
    with pytest.raises(ReportError, match="no such report file"):
        load_report(tmp_path / "missing.vcp.json")


def test_allowed_segments_are_not_active() -> None:
    kept, allowed = _word(1, 2), _word(3, 4).model_copy(update={"allow": True, "id": 2})
    assert _report((kept, allowed)).active_segments() == (kept,)


def test_without_scores_leaves_out_every_confidence_and_score(tmp_path: Path) -> None:
    report = _report((_word(1, 2),)).without_scores()
    data = json.loads(write_report(report, tmp_path / "r.vcp.json").read_text())
    assert data["segments"][0]["confidence"] is None
    assert data["segments"][0]["detections"][0]["score"] is None
    assert load_report(tmp_path / "r.vcp.json") == report


def test_a_report_without_coverage_still_loads(tmp_path: Path) -> None:
    # Reports written before analysed_seconds existed have no such key.
    path = tmp_path / "old.vcp.json"
    data = make_report(SAMPLE).model_dump(mode="json")
    data["detectors"] = [{"name": "nudity", "type": "nudenet", "model": "m", "status": "ran"}]
    path.write_text(json.dumps(data))

    (entry,) = load_report(path).detectors
    assert entry.analysed_seconds is None
