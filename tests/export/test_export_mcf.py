"""The .mcf file, read back by a parser written from the MovieContentFilter 1.0.0 specification."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
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
    # every segment not allowed, except the pictures of "faces", which MCF has no category for
    active = [s for s in sample_segments() if not s.allow and s.category != "faces"]
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
    assert (by_time[3072].category, by_time[3072].channel) == ("swearing", "audio")
    assert by_time[7400].category == "blasphemy"
    assert {MCF_PARENT[c.category] for c in cues} == {"language"}
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


def test_an_unknown_picture_category_is_left_out_with_a_warning_naming_it(
    film: tuple[Path, Path], run: Run
) -> None:
    # "faces" (NudeNet's FACE_FEMALE) is not nudity, nor anything else MCF names: filing it under
    # a category would make an MCF player cut a harmless picture.
    video, _ = film
    result = run("export", video, "--format", "mcf")
    assert result.returncode == 0
    text = (video.parent / "film.mcf").read_text(encoding="utf-8")
    _, _, cues = parse_mcf(text)
    assert 1000 not in {c.start_ms for c in cues}
    assert "=video" not in text
    assert "1 picture segment(s) of category 'faces'" in result.stderr
    assert "MovieContentFilter has no category for it" in result.stderr


@pytest.mark.parametrize(
    ("category", "kind", "mcf"),
    [
        ("racism", "audio", "racism"),
        ("Alcohol", "video", "alcohol"),
        ("weapons", "video", "weapons"),
        ("violence", "video", "violence"),
        ("gore", "video", "violence"),
        ("SexualDialogue", "audio", "sexualDialogue"),
        ("sex", "video", "sex"),
    ],
)
def test_a_category_named_like_an_mcf_one_is_used_as_it_is(
    tmp_path: Path, category: str, kind: str, mcf: str
) -> None:
    base = next(s for s in sample_segments() if s.kind == kind)
    report = make_report(tmp_path / "f.mp4", [base.model_copy(update={"category": category})])
    [path] = write_sidecars(report, ["mcf"], out_dir=tmp_path)
    _, _, [cue] = parse_mcf(path.read_text(encoding="utf-8"))
    assert (cue.category, cue.channel) == (mcf, kind)
