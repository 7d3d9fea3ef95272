"""The .mcf file, read back by a parser written from the MovieContentFilter 1.0.0 specification."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from player_formats import MCF_PARENT, parse_mcf
from vcp_testing.cli import Result
from vcp_testing.reports import SAMPLE_DURATION, make_report, sample_segments

from vcp.export import write_sidecars

Run = Callable[..., Result]


def test_mcf_cues_match_the_report_to_the_millisecond(film: tuple[Path, Path], run: Run) -> None:
    video, _ = film
    assert run("export", video, "--format", "mcf").returncode == 0
    start, end, cues = parse_mcf((video.parent / "film.mcf").read_text(encoding="utf-8"))
    assert (start, end) == (0, round(SAMPLE_DURATION * 1000))
    active = [s for s in sample_segments() if not s.allow]
    assert [(c.start_ms, c.end_ms) for c in cues] == [
        (round(s.start * 1000), round(s.end * 1000)) for s in sorted(active, key=lambda s: s.start)
    ]


def test_mcf_categories_and_channels_follow_the_specification(
    film: tuple[Path, Path], run: Run
) -> None:
    video, _ = film
    assert run("export", video, "--format", "mcf").returncode == 0
    _, _, cues = parse_mcf((video.parent / "film.mcf").read_text(encoding="utf-8"))
    by_time = {c.start_ms: c for c in cues}
    # "faces" has no MCF name: a picture category vcp cannot place is filed under nudity
    assert (by_time[1000].category, by_time[1000].channel) == ("nudity", "video")
    assert (by_time[3072].category, by_time[3072].channel) == ("swearing", "audio")
    assert by_time[7400].category == "blasphemy"
    assert {MCF_PARENT[c.category] for c in cues} == {"nudity", "language"}
    assert {c.severity for c in cues} == {"high"}
    assert 9000 not in by_time  # the allowed segment


def test_nudity_labels_choose_the_mcf_subcategory(tmp_path: Path) -> None:
    picture = next(s for s in sample_segments() if s.kind == "video")
    labels = [
        ("FEMALE_BREAST_EXPOSED",),
        ("BUTTOCKS_EXPOSED",),
        ("BUTTOCKS_EXPOSED", "FEET_EXPOSED"),
    ]
    segments = [
        picture.model_copy(
            update={"id": i, "start": i, "end": i + 0.5, "category": "Nudity", "labels": names}
        )
        for i, names in enumerate(labels, start=1)
    ]
    [mcf] = write_sidecars(make_report(tmp_path / "f.mp4", segments), ["mcf"], out_dir=tmp_path)
    _, _, cues = parse_mcf(mcf.read_text(encoding="utf-8"))
    assert [c.category for c in cues] == ["toplessness", "bareButtocks", "nudity"]


def test_unknown_speech_category_is_language(tmp_path: Path) -> None:
    words = next(s for s in sample_segments() if s.kind == "audio")
    report = make_report(tmp_path / "f.mp4", [words.model_copy(update={"category": "insults-de"})])
    [mcf] = write_sidecars(report, ["mcf"], out_dir=tmp_path)
    _, _, [cue] = parse_mcf(mcf.read_text(encoding="utf-8"))
    assert (cue.category, cue.channel) == ("language", "audio")
