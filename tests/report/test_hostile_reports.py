"""Hostile reports: non-finite numbers, absurd nesting and absurd times are refused at load with a
located ReportError, and export, censor and review exit 2 with a message, not a traceback."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from pydantic import ValidationError
from vcp_testing.cli import Result

from vcp.errors import ReportError
from vcp.report import InputInfo, SegmentDetection, load_report

Run = Callable[..., Result]


def _edited(report: Path, old: str, new: str) -> Path:
    """The report with the first ``old`` replaced by ``new`` in its text (written in place)."""
    text = report.read_text()
    assert old in text
    report.write_text(text.replace(old, new, 1))
    return report


@pytest.mark.parametrize("literal", ["Infinity", "-Infinity", "NaN"])
def test_a_non_finite_constant_is_refused_at_its_line(
    film: tuple[Path, Path], literal: str
) -> None:
    _, report = film
    _edited(report, '"end": 4.0', f'"end": {literal}')
    line = next(i for i, text in enumerate(report.read_text().splitlines(), 1) if literal in text)
    with pytest.raises(ReportError, match="not a finite number") as info:
        load_report(report)
    assert (info.value.where or "").startswith(f"{report}:{line}:")


@pytest.mark.parametrize("literal", ["1e999", "-1e999"])
def test_a_number_that_overflows_is_refused_naming_its_field(
    film: tuple[Path, Path], literal: str
) -> None:
    _, report = film
    _edited(report, '"end": 4.0', f'"end": {literal}')
    with pytest.raises(ReportError, match=r"^segments\.0\.end: .*finite number") as info:
        load_report(report)
    assert info.value.where == str(report)


def test_a_number_that_overflows_in_a_stream_entry_is_refused(film: tuple[Path, Path]) -> None:
    _, report = film
    _edited(report, '"streams": []', '"streams": [{"bit_rate": 1e999}]')
    with pytest.raises(ReportError, match="not a finite number"):
        load_report(report)


def test_a_category_named_like_a_number_is_still_a_name(film: tuple[Path, Path]) -> None:
    _, report = film
    _edited(report, '"category": "profanity"', '"category": "Infinity"')
    assert any(s.category == "Infinity" for s in load_report(report).segments)


@pytest.mark.parametrize(
    "payload",
    [
        "[" * 200_000,
        '{"a":' * 100_000 + "1" + "}" * 100_000,
        "[" * 500 + "]" * 500,
        '{"format": "vcp-report", "version": 1, "vcp": ' + "[" * 100 + "]" * 100 + "}",
    ],
)
def test_absurd_nesting_is_refused(tmp_path: Path, payload: str) -> None:
    path = tmp_path / "deep.vcp.json"
    path.write_text(payload)
    with pytest.raises(ReportError, match="nests deeper than") as info:
        load_report(path)
    assert info.value.where == str(path)


def test_deep_nesting_inside_a_stream_entry_is_refused(film: tuple[Path, Path]) -> None:
    # input.streams holds free-form data: the one place pydantic would take any depth.
    _, report = film
    data = json.loads(report.read_text())
    data["input"]["streams"] = [json.loads('{"tags":' * 900 + "{}" + "}" * 900)]
    report.write_text(json.dumps(data))
    with pytest.raises(ReportError, match="nests deeper than"):
        load_report(report)


def test_deep_nesting_inside_a_segment_is_a_field_error(film: tuple[Path, Path]) -> None:
    _, report = film
    data = json.loads(report.read_text())
    data["segments"][0]["labels"] = json.loads("[" * 400 + "]" * 400)
    report.write_text(json.dumps(data))
    with pytest.raises(ReportError, match=r"segments\.0\.labels"):
        load_report(report)


def test_an_integer_too_long_to_read_is_refused(film: tuple[Path, Path]) -> None:
    _, report = film
    _edited(report, '"size": ', '"size": ' + "9" * 5000 + ', "x": ')
    with pytest.raises(ReportError, match="invalid JSON"):
        load_report(report)


@pytest.mark.parametrize(
    ("path", "field"),
    [
        (("segments", 0, "end"), "segments.0.end"),
        (("input", "duration"), "input.duration"),
        (("segments", 1, "detections", 0, "end"), "segments.1.detections.0.end"),
    ],
)
def test_a_time_longer_than_any_film_is_refused(
    film: tuple[Path, Path], path: tuple[str | int, ...], field: str
) -> None:
    _, report = film
    data = json.loads(report.read_text())
    *parents, last = path
    node = data
    for part in parents:
        node = node[part]
    node[last] = 1e300
    report.write_text(json.dumps(data))
    with pytest.raises(ReportError, match="longer than any film") as info:
        load_report(report)
    assert info.value.message.startswith(f"{field}: 1e+300 s")
    assert info.value.where == str(report)


def test_the_models_refuse_non_finite_numbers_too() -> None:
    with pytest.raises(ValidationError, match="finite"):
        InputInfo(path="a.mp4", name="a.mp4", size=1, duration=float("inf"))
    with pytest.raises(ValidationError, match="finite"):
        SegmentDetection(detector="d", label="l", score=float("nan"), start=0, end=1)


_HOSTILE = {
    "infinity": ('"end": 4.0', '"end": Infinity'),
    "overflow": ('"end": 4.0', '"end": 1e999'),
    "absurd time": ('"end": 4.0', '"end": 1e300'),
    "nesting": ("{", "[" * 200_000 + "{"),
}


def _commands(video: Path, report: Path, out: Path) -> dict[str, list[str | Path]]:
    return {
        "export": ["export", report, "--format", "edl,mcf,vtt,chapters", "-o", out],
        "censor": ["censor", video, "--report", report, "-o", out / "censored.mp4"],
        "review": ["review", report, "-o", out / "review.html"],
    }


@pytest.mark.parametrize("command", ["export", "censor", "review"])
@pytest.mark.parametrize("case", list(_HOSTILE))
def test_commands_exit_2_on_a_hostile_report_and_write_nothing(
    film: tuple[Path, Path], run: Run, tmp_path: Path, command: str, case: str
) -> None:
    video, report = film
    _edited(report, *_HOSTILE[case])
    out = tmp_path / "out"
    out.mkdir()
    result = run(*_commands(video, report, out)[command])
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert str(report) in result.stderr
    assert list(out.iterdir()) == []
