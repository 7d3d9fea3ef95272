"""Audio actions on a real film: what a listener hears inside and outside the censored words."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest
from vcp_testing.censor_films import (
    CLI,
    FONT,
    SUBTITLES,
    Film,
    attachments_of,
    audio_of,
    correlation,
    dbfs,
    durations,
    peak_hz,
    seg,
    subtitles_of,
    video_packets,
    window,
    write_report,
)

from vcp.config.schema.actions import ActionsSettings

# the default padding of word segments: (before, after)
BEFORE, AFTER = ActionsSettings().padding.sides("audio")


def censored(cli: CLI, film: Film, *extra: str | Path) -> Path:
    out = film.path.with_name("out" + film.path.suffix)
    result = cli("censor", film.path, "-o", out, "--progress", "none", *extra)
    assert result.returncode == 0, result.stderr
    return out


def test_muted_words_are_silent_and_the_rest_is_unchanged(cli: CLI, film: Film) -> None:
    words = [(1.0, 1.5), (3.2, 3.6)]
    write_report(film, [seg(i, a, b) for i, (a, b) in enumerate(words, 1)])
    out = censored(cli, film)
    source, result = audio_of(film.path), audio_of(out)
    for start, end in words:
        assert dbfs(window(result, start, end)) < -60
    clear = [(0.05, 1.0 - BEFORE - 0.05), (1.5 + AFTER + 0.05, 3.2 - BEFORE - 0.05), (3.85, 5.9)]
    for start, end in clear:  # clear of the padded edits
        assert correlation(window(source, start, end), window(result, start, end)) > 0.99
    assert abs(len(result) - len(source)) < 0.03 * 48000


def test_only_the_audio_is_re_encoded(cli: CLI, film: Film) -> None:
    write_report(film, [seg(1, 1.0, 1.5)])
    out = censored(cli, film)
    mask = os.umask(0o022)
    os.umask(mask)
    assert out.stat().st_mode & 0o777 == 0o666 & ~mask  # as any new file, not a private temp
    assert video_packets(out) == video_packets(film.path)  # copied, bit for bit
    assert subtitles_of(out) == [(a, b, text) for a, b, text in SUBTITLES]
    assert attachments_of(out) == [("font.ttf", FONT)]
    ends = durations(out)
    assert ends["video"] == pytest.approx(film.duration, abs=0.05)
    assert ends["audio"] == pytest.approx(film.duration, abs=0.05)


def test_bleep_is_a_tone_of_the_configured_frequency(cli: CLI, film: Film, tmp_path: Path) -> None:
    config = tmp_path / "bleep.yaml"
    config.write_text(
        "actions:\n  categories: {profanity: {audio: bleep}}\n"
        "  bleep: {frequency_hz: 800, level_dbfs: -12}\n"
    )
    write_report(film, [seg(1, 2.0, 3.0)])
    result = audio_of(censored(cli, film, "-c", config))
    inside = window(result, 2.0, 3.0)
    assert peak_hz(inside) == pytest.approx(800, abs=5)
    assert dbfs(inside) == pytest.approx(
        -12 - 3.0, abs=1
    )  # the level is the peak: RMS is 3 dB less


def test_an_allowed_segment_is_left_alone(cli: CLI, film: Film) -> None:
    write_report(film, [seg(1, 1.0, 1.5), seg(2, 3.0, 4.0, allow=True)])
    source, result = audio_of(film.path), audio_of(censored(cli, film))
    assert dbfs(window(result, 1.0, 1.5)) < -60
    assert correlation(window(source, 3.0, 4.0), window(result, 3.0, 4.0)) > 0.99


def test_every_audio_track_is_censored(cli: CLI, films: Callable[[str], Film]) -> None:
    film = films("dub")  # two audio tracks, as a film with a dubbed language has
    write_report(film, [seg(1, 2.0, 2.5)])
    out = censored(cli, film)
    for track in (0, 1):
        source, result = audio_of(film.path, track), audio_of(out, track)
        assert dbfs(window(result, 2.0, 2.5)) < -60
        assert correlation(window(source, 3.0, 5.0), window(result, 3.0, 5.0)) > 0.99


def test_a_codec_pyav_cannot_write_becomes_aac_and_says_so(
    cli: CLI, films: Callable[[str], Film]
) -> None:
    film = films("vorbis")  # FFmpeg's Vorbis encoder is experimental: vcp does not use it
    write_report(film, [seg(1, 2.0, 2.5)])
    out = film.path.with_name("out.mkv")
    result = cli("censor", film.path, "-o", out, "--progress", "log")
    assert result.returncode == 0, result.stderr
    assert "no encoder for 'vorbis'" in result.stderr and "re-encoded as AAC" in result.stderr
    assert "audio 1: re-encoded (vorbis -> aac)" in result.stdout
    assert dbfs(window(audio_of(out), 2.0, 2.5)) < -60
    assert dbfs(window(audio_of(out), 3.0, 5.0)) > -30


def test_mp4_keeps_its_container_and_codec(cli: CLI, films: Callable[[str], Film]) -> None:
    film = films("mp4")
    write_report(film, [seg(1, 2.0, 2.5)])
    out = censored(cli, film)
    source, result = audio_of(film.path), audio_of(out)
    assert dbfs(window(result, 2.0, 2.5)) < -60
    assert correlation(window(source, 3.0, 5.0), window(result, 3.0, 5.0)) > 0.99
    assert video_packets(out) == video_packets(film.path)


def _two_words(film: Film) -> list[tuple[float, float]]:
    """One segment (as the analysis merges it) of two words 1.5 s apart."""
    words = [(1.0, 1.4), (2.9, 3.3)]
    hits = [
        {"detector": "profanity", "label": "fuck", "score": 0.9, "start": a, "end": b,
         "word": "fuck", "masked": "f**k"}
        for a, b in words
    ]  # fmt: skip
    write_report(film, [seg(1, 1.0, 3.3, detections=hits)])
    return words


def test_the_speech_between_two_words_of_one_segment_stays_audible(cli: CLI, film: Film) -> None:
    words = _two_words(film)
    out = censored(cli, film)
    source, result = audio_of(film.path), audio_of(out)
    for start, end in words:
        assert dbfs(window(result, start - BEFORE, end + AFTER)) < -60
    gap = (1.4 + AFTER + 0.05, 2.9 - BEFORE - 0.05)
    assert dbfs(window(result, *gap)) == pytest.approx(dbfs(window(source, *gap)), abs=1)
    assert correlation(window(source, *gap), window(result, *gap)) > 0.99


def test_mute_segments_silences_the_speech_between_the_words_too(
    cli: CLI, film: Film, tmp_path: Path
) -> None:
    _two_words(film)
    config = tmp_path / "segments.yaml"
    config.write_text("actions:\n  mute: segments\n")
    result = audio_of(censored(cli, film, "-c", config))
    assert dbfs(window(result, 1.0 - BEFORE, 3.3 + AFTER)) < -60
