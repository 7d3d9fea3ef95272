"""A hand-edited or hostile report's stored inference is refused with the field named, never a
crash or an unbounded allocation: columns of one length, indexes inside their tables, finite
times within the film bounds, bounded sizes. A version 1 report (no inference) still loads."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from vcp.errors import ReportError
from vcp.report import load_report

_FRAMES = {"floor": 0.05, "labels": ["FACE_FEMALE"], "time": [1.0], "label": [0],
           "score": [0.9], "box": [1, 2, 3, 4]}  # fmt: skip


def _report(frames: dict[str, Any], *, version: int = 2) -> dict[str, Any]:
    data: dict[str, Any] = {
        "format": "vcp-report",
        "version": version,
        "input": {"path": "/f/a.mp4", "name": "a.mp4", "size": 1, "duration": 10.0},
        "summary": {"segments": 0, "flagged_seconds": 0.0, "categories": {}},
        "vcp": {"version": "0.1.0", "created": "now"},
    }
    if version == 2:
        data["inference"] = {
            "fingerprint": {"size": 1, "mtime_ns": 0, "sample": "blake2b-128:00"},
            "detectors": [{"name": "nudity", "type": "nudenet", "status": "ran",
                           "frames": frames}],
        }  # fmt: skip
    return data


def _load(tmp_path: Path, data: dict[str, Any] | str) -> None:
    path = tmp_path / "a.vcp.json"
    path.write_text(data if isinstance(data, str) else json.dumps(data))
    load_report(path)


def test_a_well_formed_inference_loads(tmp_path: Path) -> None:
    _load(tmp_path, _report(_FRAMES))
    _load(tmp_path, _report(_FRAMES, version=1))


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"time": [1.0, 2.0]}, "columns of different lengths"),
        ({"box": [1, 2, 3]}, "box holds 3 numbers"),
        ({"label": [5]}, "label index"),
        ({"time": [2e6]}, "time"),
        ({"score": [1.5]}, "score"),
    ],
)
def test_inconsistent_or_out_of_range_columns_are_refused(
    tmp_path: Path, change: dict[str, Any], field: str
) -> None:
    with pytest.raises(ReportError, match="inference") as info:
        _load(tmp_path, _report({**_FRAMES, **change}))
    assert field in str(info.value.message) or field in str(info.value)


def test_non_finite_and_oversized_values_are_refused(tmp_path: Path) -> None:
    text = json.dumps(_report(_FRAMES)).replace('"time": [1.0]', '"time": [NaN]')
    with pytest.raises(ReportError, match="not a finite number"):
        _load(tmp_path, text)
    with pytest.raises(ReportError, match="inference"):
        _load(tmp_path, _report({**_FRAMES, "labels": ["x" * 5_000]}))
