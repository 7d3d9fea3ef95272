"""The subtitles detector on real films with subtitle streams and real subtitle files, and the
masker it builds (words masked inside markup)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from vcp_testing.subtitles import LINES, MASK, with_subtitles

from vcp.analysis.detectors import DecodeProblem, Detection, Progress, detector_class
from vcp.analysis.detectors.subtitles import masker_of
from vcp.analysis.detectors.words import WordMatcher
from vcp.config.schema import ProcessingSettings, SubtitlesSettings
from vcp.media.probe import probe


def _scan(film: Path, **config: object) -> list[object]:
    settings = SubtitlesSettings(name="subtitles", type="subtitles", **config)  # type: ignore[arg-type]
    detector = detector_class("subtitles").load(settings, None, processing=ProcessingSettings())
    return list(detector.scan(probe(film)))


def _hits(steps: list[object]) -> list[tuple[str, str | None, float, float]]:
    return [
        (s.label, s.word, round(s.start, 3), round(s.end, 3))
        for s in steps
        if isinstance(s, Detection)
    ]


@pytest.mark.parametrize(
    ("codec", "suffix"), [("subrip", ".mkv"), ("mov_text", ".mp4"), ("ass", ".mkv")]
)
def test_listed_words_in_a_subtitle_stream_are_found_at_their_cues(
    plain_film: Path, tmp_path: Path, codec: str, suffix: str
) -> None:
    film = with_subtitles(plain_film, tmp_path / f"film{suffix}", LINES, codec=codec)
    steps = _scan(film)
    # markup ({\an8}, {\i1}, a word split by {\b1}) is not text: "shit" is still one word;
    # "classic assistant" is clean
    # (Matroska's muxer moves every stream of this film 64 ms later: the cues move with them)
    expected = [("fuck*", "fuck", 0.5, 1.5), ("shit*", "shit", 2.0, 2.8)]
    assert [h[:2] for h in _hits(steps)] == [h[:2] for h in expected]
    for (*_, start, end), (*_, want_start, want_end) in zip(_hits(steps), expected, strict=True):
        assert start == pytest.approx(want_start, abs=0.1) and end == pytest.approx(
            want_end, abs=0.1
        )
    first = next(s for s in steps if isinstance(s, Detection))
    assert first.source == "subtitle stream 2" and first.masked == "f**k" and first.score == 1.0
    assert isinstance(steps[-1], Progress) and steps[-1].seconds == pytest.approx(4.0, abs=0.1)


def test_a_webvtt_file_beside_the_film_is_read(plain_film: Path, tmp_path: Path) -> None:
    film = shutil.copy(plain_film, tmp_path / "movie.mp4")
    (tmp_path / "movie.en.vtt").write_text(
        "WEBVTT\n\n00:00:01.000 --> 00:00:02.500\n<v Bob>You <i>bastard</i>!\n", encoding="utf-8"
    )
    steps = _scan(Path(film))
    (hit,) = [s for s in steps if isinstance(s, Detection)]
    assert (hit.word, hit.start, hit.end, hit.source) == ("bastard", 1.0, 2.5, "movie.en.vtt")


def test_a_subtitle_file_in_another_language_is_not_read(plain_film: Path, tmp_path: Path) -> None:
    film = Path(shutil.copy(plain_film, tmp_path / "movie.mp4"))
    (tmp_path / "movie.fr.srt").write_text("1\n00:00:01,000 --> 00:00:02,000\nfuck\n")
    assert _hits(_scan(film)) == []
    assert _hits(_scan(film, languages=["en", "fr"])) == [("fuck*", "fuck", 1.0, 2.0)]


def test_a_sidecar_copy_of_the_stream_does_not_report_each_word_twice(
    plain_film: Path, tmp_path: Path
) -> None:
    film = with_subtitles(plain_film, tmp_path / "movie.mkv", LINES, language="eng")
    (tmp_path / "movie.srt").write_text(
        "1\n00:00:00,500 --> 00:00:01,500\nWhat the <i>fuck</i> is this?\n", encoding="utf-8"
    )
    assert [h[0] for h in _hits(_scan(film))] == ["fuck*", "shit*"]


def test_a_subtitle_file_that_is_not_utf8_is_read_as_cp1252_with_a_notice(
    plain_film: Path, tmp_path: Path
) -> None:
    film = Path(shutil.copy(plain_film, tmp_path / "movie.mp4"))
    text = "1\n00:00:01,000 --> 00:00:02,000\nCafé? Damn it.\n"
    (tmp_path / "movie.srt").write_bytes(text.encode("cp1252"))
    steps = _scan(film)
    assert _hits(steps) == [("damn", "Damn", 1.0, 2.0)]
    notices = [s.message for s in steps if isinstance(s, DecodeProblem)]
    assert notices == ["movie.srt is not UTF-8 text: read as cp1252"]


def test_an_oversized_subtitle_file_is_refused_with_a_notice(
    plain_film: Path, tmp_path: Path
) -> None:
    film = Path(shutil.copy(plain_film, tmp_path / "movie.mp4"))
    cue = "1\n00:00:01,000 --> 00:00:02,000\nfuck\n\n"
    (tmp_path / "movie.srt").write_text(cue * 200)
    steps = _scan(film, max_file_bytes=1000)
    assert _hits(steps) == []
    (notice,) = [s.message for s in steps if isinstance(s, DecodeProblem)]
    assert "larger than 1000 bytes" in notice


def test_thousands_of_cues_are_read_up_to_the_limit(plain_film: Path, tmp_path: Path) -> None:
    film = Path(shutil.copy(plain_film, tmp_path / "movie.mp4"))
    cues = [f"{i}\n00:00:0{i % 4},000 --> 00:00:0{i % 4},500\nshit {i}\n\n" for i in range(5000)]
    (tmp_path / "movie.srt").write_text("".join(cues))
    steps = _scan(film, max_cues=3000)
    assert len(_hits(steps)) == 3000
    assert any("more than 3000 cues" in s.message for s in steps if isinstance(s, DecodeProblem))


def test_a_garbage_subtitle_file_is_a_notice_not_a_failure(
    plain_film: Path, tmp_path: Path
) -> None:
    film = Path(shutil.copy(plain_film, tmp_path / "movie.mp4"))
    (tmp_path / "movie.ass").write_bytes(b"\x00\x01 not a subtitle file \xff" * 10)
    steps = _scan(film)
    assert _hits(steps) == [] and isinstance(steps[-1], Progress)


def test_listed_words_are_masked_and_the_markup_around_them_kept() -> None:
    assert MASK("What the {\\i1}fuck{\\i0} is this?") == "What the {\\i1}f***{\\i0} is this?"
    assert MASK("Oh, sh{\\b1}it{\\b0}! A classic assistant.") == (
        "Oh, s*{\\b1}**{\\b0}! A classic assistant."
    )
    assert masker_of(WordMatcher.build(), style="keep-ends")("Fucking hell") == "F*****g hell"
