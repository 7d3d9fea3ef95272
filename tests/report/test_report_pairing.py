"""Which report belongs to which film: the one check (by name and length), refused once and in
one way for every command, and the report and film each finds of the other."""

from __future__ import annotations

from pathlib import Path

import pytest

from vcp.errors import ReportError, ReportMismatch
from vcp.report import Report, check_pairing, locate_video, report_for, report_mismatch


def _report(name: str, duration: float, path: str | None = None) -> Report:
    return Report.model_validate(
        {
            "input": {"path": path or f"/x/{name}", "name": name, "size": 1, "duration": duration},
            "summary": {"segments": 0, "flagged_seconds": 0, "categories": {}},
            "vcp": {"version": "0.1.0", "created": "now"},
        }
    )


def test_a_report_matches_its_film_by_name_and_duration() -> None:
    assert (
        report_mismatch(_report("a.mkv", 600.0), Path("/elsewhere/a.mkv"), duration=600.2) is None
    )
    why = report_mismatch(_report("b.mkv", 90.0), Path("/films/a.mkv"), duration=600.2)
    assert why == (
        "it was written for 'b.mkv', not 'a.mkv'; "
        "it says the film lasts 90.000 s, the file lasts 600.200 s"
    )


def test_another_films_report_is_refused_unless_forced_and_the_hint_names_no_option() -> None:
    report, film = _report("b.mkv", 90.0), Path("/films/a.mkv")
    with pytest.raises(ReportMismatch) as caught:
        check_pairing(report, film, duration=600.0, report_path=Path("/r/b.vcp.json"))
    error = caught.value
    assert isinstance(error, ReportError)  # exits as every report problem does
    assert str(error).startswith("this report does not belong to a.mkv: it was written for")
    assert error.where == "/r/b.vcp.json" and error.video == film
    assert error.hint is not None and "--" not in error.hint
    reason = check_pairing(report, film, duration=600.0, force=True)
    assert reason is not None and "'b.mkv'" in reason
    assert check_pairing(_report("a.mkv", 600.0), film, duration=600.0) is None


def test_a_video_names_its_report_and_a_report_its_video(tmp_path: Path) -> None:
    video = tmp_path / "movie.mp4"
    video.write_bytes(b"")
    with pytest.raises(ReportError, match=r"no report for movie\.mp4"):
        report_for(video)
    (tmp_path / "movie.vcp.json").write_text("{}")
    assert report_for(video) == tmp_path / "movie.vcp.json"
    assert report_for(tmp_path / "edited.json") == tmp_path / "edited.json"
    # A report moved with its film finds it beside itself when input.path is gone.
    moved = _report("movie.mp4", 1.0, path="/gone/movie.mp4")
    assert locate_video(moved, tmp_path / "movie.vcp.json") == video
