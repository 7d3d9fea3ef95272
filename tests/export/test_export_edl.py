"""The .edl beside the film, read back by a parser written from the Kodi/MPlayer description."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from player_formats import parse_edl
from vcp_testing.cli import Result
from vcp_testing.reports import ALLOWED_ID, make_report, sample_segments

from vcp.export.edl import Edit, EdlAction, format_edl
from vcp.report import Segment, SegmentDetection, write_report

Run = Callable[..., Result]
SKIP, MUTE = 0, 1


def _ms(seconds: float) -> int:
    return round(seconds * 1000)


def _expected(before_ms: int, after_ms: int) -> list[tuple[int, int, int]]:
    """Pictures skipped, words muted (padded), a mute inside a skip dropped; allowed left out."""
    active = [s for s in sample_segments() if not s.allow]
    skips = [(_ms(s.start), _ms(s.end), SKIP) for s in active if s.kind == "video"]
    mutes = [
        (max(0, _ms(s.start) - before_ms), _ms(s.end) + after_ms, MUTE)
        for s in active
        if s.kind == "audio"
    ]
    outside = [m for m in mutes if not any(k[0] <= m[0] and m[1] <= k[1] for k in skips)]
    return sorted(skips + outside)


def test_edl_named_after_the_film_matches_the_report_to_the_millisecond(
    film: tuple[Path, Path], run: Run, no_padding: Path
) -> None:
    video, _ = film
    result = run("export", video, "--format", "edl", "-c", no_padding)
    assert result.returncode == 0, result.stderr
    edl = video.parent / "film.edl"  # Kodi and MPlayer look for <video stem>.edl
    assert result.stdout.splitlines() == [str(edl)]
    assert parse_edl(edl.read_text()) == _expected(before_ms=0, after_ms=0)


def test_edl_uses_the_configured_padding(film: tuple[Path, Path], run: Run) -> None:
    video, _ = film
    assert run("export", video, "--format", "edl").returncode == 0
    edits = parse_edl((video.parent / "film.edl").read_text())
    # the default: 0.4 s before a word and 0.1 s after it (whisper times words late), none on frames
    assert edits == _expected(before_ms=400, after_ms=100)


def _two_words_in_one_segment(video: Path, report: Path) -> None:
    hits = tuple(
        SegmentDetection(detector="profanity", label="fuck", score=0.9, start=a, end=b, word="fuck")
        for a, b in ((3.0, 3.4), (4.9, 5.3))  # 1.5 s apart: one segment
    )
    segment = Segment(
        id=1, start=3.0, end=5.3, category="profanity", kind="audio", labels=("fuck",),
        confidence=0.9, detections=hits,
    )  # fmt: skip
    write_report(make_report(video, [segment]), report)


def test_edl_mutes_each_word_of_a_segment_not_the_speech_between(
    film: tuple[Path, Path], run: Run, tmp_path: Path
) -> None:
    video, report = film
    _two_words_in_one_segment(video, report)
    assert run("export", video, "--format", "edl").returncode == 0
    edits = parse_edl((video.parent / "film.edl").read_text())
    assert edits == [(2600, 3500, MUTE), (4500, 5400, MUTE)]
    config = tmp_path / "segments.yaml"
    config.write_text("actions:\n  mute: segments\n")
    assert run("export", video, "--format", "edl", "-c", config).returncode == 0
    edits = parse_edl((video.parent / "film.edl").read_text())
    assert edits == [(2600, 5400, MUTE)]


def test_allowed_segment_is_not_in_the_edl(film: tuple[Path, Path], run: Run) -> None:
    video, _ = film
    allowed = next(s for s in sample_segments() if s.id == ALLOWED_ID)
    assert run("export", video, "--format", "edl").returncode == 0
    edits = parse_edl((video.parent / "film.edl").read_text())
    assert all(end <= _ms(allowed.start) or start >= _ms(allowed.end) for start, end, _ in edits)


def test_category_with_action_none_is_left_out(
    film: tuple[Path, Path], run: Run, tmp_path: Path
) -> None:
    video, _ = film
    config = tmp_path / "keep-pictures.yaml"
    config.write_text("actions:\n  categories:\n    faces: {video: none}\n    profanity: {}\n")
    assert run("export", video, "--format", "edl", "-c", config).returncode == 0
    edits = parse_edl((video.parent / "film.edl").read_text())
    assert edits and all(action == MUTE for _, _, action in edits)


def test_overlapping_edits_become_a_list_kodi_accepts() -> None:
    text = format_edl(
        [
            Edit(0, 1000, EdlAction.MUTE),
            Edit(500, 2000, EdlAction.SKIP),
            Edit(1800, 2500, EdlAction.MUTE),
            Edit(3000, 4000, EdlAction.SKIP),
            Edit(3500, 4500, EdlAction.SKIP),
        ]
    )
    assert parse_edl(text) == [
        (0, 500, MUTE),
        (500, 2000, SKIP),
        (2000, 2500, MUTE),
        (3000, 4500, SKIP),
    ]
    assert text.splitlines()[0] == "0.000 0.500 1"  # seconds with millisecond precision


def test_mcf_describes_each_word_of_a_segment_not_the_speech_between(
    film: tuple[Path, Path], run: Run
) -> None:
    from player_formats import parse_mcf

    video, report = film
    _two_words_in_one_segment(video, report)
    assert run("export", video, "--format", "mcf").returncode == 0
    _, _, cues = parse_mcf((video.parent / "film.mcf").read_text(encoding="utf-8"))
    assert [(c.start_ms, c.end_ms) for c in cues] == [(3000, 3400), (4900, 5300)]
