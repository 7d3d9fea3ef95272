"""How much of a film each detector analysed: a cut or damaged film is never reported as clean.

A faststart MP4 cut at half its bytes opens (its index is first) and promises its whole length;
the picture data stops halfway. The report says how far each detector read, warns for the rest,
and the summary on stdout says so (its lines: tests/cli/test_analysis_summary.py; a report older
than the coverage field: tests/report/test_report_files.py). The models come from a cache filled
once per session.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from vcp_testing.analysis import make_media
from vcp_testing.cli import Run
from vcp_testing.videos import truncate, write_video

from vcp.report import load_report

pytestmark = pytest.mark.usefixtures("restore_logging")


@pytest.fixture
def cut_film(tmp_path: Path) -> Path:
    """8 s of noisy picture and a tone, index first, cut at half its bytes."""
    whole = write_video(
        tmp_path / "whole.mp4", seconds=8.0, noise=True, options={"movflags": "faststart"}
    )
    cut = truncate(whole, tmp_path / "cut.mp4", keep=0.5)
    whole.unlink()
    return cut


async def test_a_cut_film_reports_how_much_each_detector_analysed(
    vcp: Run, config: Path, cut_film: Path
) -> None:
    result = await vcp("analyze", cut_film, "-c", config, "--progress", "none")

    assert result.returncode == 0, result.stderr
    report = json.loads(cut_film.with_name("cut.vcp.json").read_text())
    assert report["input"]["duration"] == pytest.approx(8.0, abs=0.1)
    # (the subtitles detector reads no stream of pictures or sound: it has nothing to cut short)
    analysed = {
        d["name"]: d["analysed_seconds"] for d in report["detectors"] if d["type"] != "subtitles"
    }
    assert set(analysed) == {"nudity", "profanity"}
    assert all(1.0 < seconds < 6.0 for seconds in analysed.values()), analysed
    for name, seconds in analysed.items():
        warning = (
            f"{name}: only {seconds:.1f} s of 8.0 s could be decoded; the rest was not analysed"
        )
        assert warning in report["warnings"]
        assert f"({name}): only {seconds:.1f} s of 8.0 s could be decoded" in result.stderr
        assert f"  {name}: analysed only 00:00:0{seconds:.3f} of 00:00:08" in result.stdout


async def test_sound_that_just_stops_early_is_reported_too(
    vcp: Run, config: Path, cut_film: Path
) -> None:
    # The cut sound raises nothing: its demuxer meets the end of the file early. Only comparing
    # how far it got with the length the file declares tells.
    await vcp("analyze", cut_film, "-c", config, "--progress", "none")

    report = load_report(cut_film.with_name("cut.vcp.json"))
    entry = next(d for d in report.detectors if d.name == "profanity")
    assert entry.analysed_seconds is not None and entry.analysed_seconds < 6.0
    assert not [w for w in report.warnings if w.startswith("profanity: at ")]  # no decode error
    assert any(w.startswith("profanity: only ") for w in report.warnings)


async def test_a_whole_film_is_analysed_to_its_end_without_a_warning(
    vcp: Run, config: Path, tmp_path: Path
) -> None:
    film = make_media(tmp_path / "whole.mp4", seconds=3.0)

    result = await vcp("analyze", film, "-c", config, "--progress", "none")

    report = load_report(tmp_path / "whole.vcp.json")
    assert result.returncode == 0 and report.warnings == ()
    assert [d.analysed_seconds for d in report.detectors] == [report.input.duration] * 3
    assert "analysed only" not in result.stdout
