"""End to end on tests/fixtures/sample.mp4 (spoken profanity at known times) with a report written
from its truth file: what the acceptance criteria of issue #10 ask of a censored copy."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from vcp_testing.censor_films import (
    CLI,
    Film,
    audio_of,
    correlation,
    dbfs,
    durations,
    frames_of,
    seg,
    video_packets,
    window,
    write_report,
)

from vcp.config.schema.actions import ActionsSettings

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
SAMPLE = FIXTURES / "sample.mp4"
# the default padding of word segments: (before, after)
BEFORE, AFTER = ActionsSettings().padding.sides("audio")


@pytest.fixture
def sample(tmp_path: Path) -> tuple[Film, list[tuple[float, float]]]:
    if not SAMPLE.is_file():
        pytest.fail("tests/fixtures/sample.mp4 is missing: run `make sample`")
    truth = json.loads((FIXTURES / "sample.truth.json").read_text())
    film = Film(tmp_path / "sample.mp4", truth["duration"], True, False)
    film.path.write_bytes(SAMPLE.read_bytes())
    words = [(w["start"], w["end"], w["category"]) for w in truth["words"]]
    segments = [seg(i, a, b, c) for i, (a, b, c) in enumerate(words, 1)]
    write_report(film, segments)
    return film, [(a, b) for a, b, _ in words]


def _clear_of(words: list[tuple[float, float]], end: float) -> list[tuple[float, float]]:
    """The stretches between padded words, less a 50 ms margin for the codec's frames."""
    out, cursor = [], 0.1
    for a, b in words:
        out.append((cursor, a - BEFORE - 0.05))
        cursor = b + AFTER + 0.05
    out.append((cursor, end - 0.1))
    return [(a, b) for a, b in out if b - a > 0.3]


def test_sample_profanity_is_muted_and_the_rest_untouched(
    cli: CLI, sample: tuple[Film, list[tuple[float, float]]], tmp_path: Path
) -> None:
    film, words = sample
    out = tmp_path / "censored.mp4"
    result = cli("censor", film.path, "-o", out, "--progress", "none")
    assert result.returncode == 0, result.stderr
    source, censored = audio_of(film.path), audio_of(out)
    for start, end in words:
        assert dbfs(window(censored, start, end)) < -60
    for start, end in _clear_of(words, film.duration):
        before, after = window(source, start, end), window(censored, start, end)
        if dbfs(before) < -90:  # a pause in the speech: digital silence stays silent
            assert dbfs(after) < -60
        else:
            assert correlation(before, after) > 0.99
    assert video_packets(out) == video_packets(film.path)
    ends = durations(out)
    assert ends["audio"] == pytest.approx(film.duration, abs=0.05)


def test_sample_portrait_blanked_and_words_kept_when_allowed(
    cli: CLI, sample: tuple[Film, list[tuple[float, float]]], tmp_path: Path
) -> None:
    film, words = sample
    segments = [seg(1, 0.0, 7.0, "nudity", "video"), seg(2, *words[0], allow=True)]
    write_report(film, segments)
    config = tmp_path / "blank.yaml"
    config.write_text("actions:\n  categories: {nudity: {video: blank}}\n")
    out = tmp_path / "censored.mp4"
    result = cli("censor", film.path, "-o", out, "-c", config, "--progress", "none")
    assert result.returncode == 0, result.stderr
    frames = frames_of(out)
    assert all(mean < 2 for t, mean in frames if t < 7.0)
    assert all(mean > 10 for t, mean in frames if t >= 7.0)
    assert len(frames) == len(frames_of(film.path))
    start, end = words[0]
    source, censored = audio_of(film.path), audio_of(out)
    assert correlation(window(source, start, end), window(censored, start, end)) > 0.99
