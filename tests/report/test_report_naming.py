"""How reports are named and found: ``movie.vcp.json``, or ``two.mkv.vcp.json`` beside a
``two.mp4``; a report of the stem is taken for a video only when it can be no other's."""

from __future__ import annotations

import time
from pathlib import Path

from vcp_testing.reports import make_report

from vcp.report import write_report
from vcp.report.naming import find_report, report_path, run_report_paths


def _touch(*paths: Path) -> None:
    for path in paths:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"")


def test_a_lone_video_keeps_the_short_name(tmp_path: Path) -> None:
    _touch(tmp_path / "movie.mp4", tmp_path / "movie.srt", tmp_path / "movie.nfo")
    assert report_path(tmp_path / "movie.mp4") == tmp_path / "movie.vcp.json"


def test_videos_sharing_a_stem_are_named_in_full(tmp_path: Path) -> None:
    _touch(tmp_path / "two.mkv", tmp_path / "two.MP4")
    assert report_path(tmp_path / "two.mkv") == tmp_path / "two.mkv.vcp.json"
    assert run_report_paths([tmp_path / "two.MP4"], tmp_path / "r") == [
        tmp_path / "r" / "two.MP4.vcp.json"
    ]


def test_videos_of_one_run_sharing_a_stem_into_one_folder(tmp_path: Path) -> None:
    a, b = tmp_path / "a" / "x.mp4", tmp_path / "b" / "x.mkv"
    _touch(a, b)
    assert run_report_paths([a, b]) == [a.with_name("x.vcp.json"), b.with_name("x.vcp.json")]
    out = tmp_path / "reports"
    assert run_report_paths([a, b], out) == [out / "x.mp4.vcp.json", out / "x.mkv.vcp.json"]


def test_finding_prefers_the_full_name_then_the_stem(tmp_path: Path) -> None:
    video = tmp_path / "movie.mp4"
    _touch(video)
    assert find_report(video) is None
    write_report(make_report(video), tmp_path / "movie.vcp.json")
    assert find_report(video) == tmp_path / "movie.vcp.json"
    write_report(make_report(video), tmp_path / "movie.mp4.vcp.json")
    assert find_report(video) == tmp_path / "movie.mp4.vcp.json"


def test_a_stem_report_beside_two_videos_is_taken_only_by_its_own(tmp_path: Path) -> None:
    mp4, mkv = tmp_path / "two.mp4", tmp_path / "two.mkv"
    _touch(mp4, mkv)
    write_report(make_report(mp4), tmp_path / "two.vcp.json")  # written before the rule
    assert find_report(mp4) == tmp_path / "two.vcp.json"
    assert find_report(mkv) is None


def test_finding_in_a_folder_of_reports(tmp_path: Path) -> None:
    video, reports = tmp_path / "films" / "a.mp4", tmp_path / "reports"
    _touch(video)
    reports.mkdir()
    assert find_report(video, reports) is None
    write_report(make_report(video), reports / "a.vcp.json")
    assert find_report(video, reports) == reports / "a.vcp.json"


def test_naming_a_large_library_reads_each_folder_once(tmp_path: Path) -> None:
    videos = [tmp_path / f"film {i:05d}.mp4" for i in range(5000)]
    _touch(*videos, tmp_path / "film 00042.mkv")
    began = time.monotonic()
    paths = run_report_paths(videos)
    assert time.monotonic() - began < 2.0
    assert paths[42].name == "film 00042.mp4.vcp.json"
    assert paths[43].name == "film 00043.vcp.json"
