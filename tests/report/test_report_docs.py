"""docs/report.md's example is a valid report, and the field tables name every field there is."""

from __future__ import annotations

import json
import re
from pathlib import Path

from vcp.report import Report, Segment, SegmentDetection

DOC = (Path(__file__).resolve().parents[2] / "docs" / "report.md").read_text()


def test_the_documented_example_is_a_valid_report() -> None:
    (block,) = re.findall(r"```json\n(.*?)```", DOC, re.S)
    report = Report.model_validate(json.loads(block))
    assert report.segments[0].start_time == "00:00:03.060"


def test_every_field_is_documented() -> None:
    documented = set(re.findall(r"`([a-z_]+)`", DOC))
    for model in (Report, Segment, SegmentDetection):
        fields = set(model.model_fields) | set(model.model_computed_fields)
        assert fields <= documented, (model.__name__, sorted(fields - documented))
