"""The summary `vcp analyze` prints for a film: uncertain segments are counted per category, and
each detector that read only part of the film is named."""

from __future__ import annotations

from vcp_testing.reports import SAMPLE, make_report, sample_segments

from vcp.cli.progress.analysis import summary_lines
from vcp.report import DetectorEntry, Report


def test_uncertain_segments_are_counted_per_category_with_a_hint_to_review() -> None:
    segments = [
        s.model_copy(update={"uncertain": s.id in (2, 6)}) for s in sample_segments()
    ]  # two of the three profanity segments
    report = make_report(SAMPLE, segments)
    lines = summary_lines(report, None)
    (profanity,) = [line for line in lines if line.strip().startswith("profanity")]
    assert profanity == "  profanity       3 segment(s)       1.6 s, 2 uncertain"
    (blasphemy,) = [line for line in lines if line.strip().startswith("blasphemy")]
    assert "uncertain" not in blasphemy
    (hint,) = [line for line in lines if line.startswith("  2 of 6 segment(s) uncertain")]
    assert hint.endswith("check them with `vcp review`")


def test_a_film_without_uncertain_segments_prints_no_uncertain_line() -> None:
    lines = summary_lines(make_report(SAMPLE), None)
    assert not any("uncertain" in line for line in lines)


def test_the_summary_names_each_detector_that_read_part_of_the_film() -> None:
    entries = (
        DetectorEntry(name="nudity", type="nudenet", model="m", status="ran", analysed_seconds=3.5),
        DetectorEntry(name="profanity", type="s", model="w", status="ran", analysed_seconds=14.0),
        DetectorEntry(name="old", type="s", model="w", status="ran"),
    )
    report: Report = make_report(SAMPLE).model_copy(update={"detectors": entries})

    lines = summary_lines(report, None)

    partial = [line for line in lines if "analysed only" in line]
    assert partial == [
        "  nudity: analysed only 00:00:03.500 of 00:00:14.000: the rest could not be decoded"
    ]
