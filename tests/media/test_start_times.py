"""Films whose timestamps start at +30 s or at -2.046 s: every time vcp reads or writes is measured
from the film's start as a player shows it (the container's start time, whatever its sign)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import av
import numpy as np
import pytest
from vcp_testing.offsets import (
    EVENT,
    FPS,
    RATE,
    jpeg_brightness,
    start_of,
    write_offset_film,
)

from vcp.media.audio import AudioWindow, iter_audio
from vcp.media.chapters import Chapter, write_with_chapters
from vcp.media.frames import Frame, Strategy, iter_frames
from vcp.media.probe import probe
from vcp.media.thumbnails import grab_thumbnails

# (suffix, first timestamp, audio codec): Matroska keeps either sign; MP4 keeps a late start
# (an empty edit) but hides what lies before zero, so it has no negative case.
FILMS = [
    ("mkv", 30.0, "pcm_s16le"),
    ("mkv", -2.046, "pcm_s16le"),
    ("mp4", 30.0, None),
    ("mp4", 30.0, "aac"),
]
IDS = ["mkv+30", "mkv-2.046", "mp4+30", "mp4+30-aac"]


@dataclass(frozen=True)
class Film:
    path: Path
    offset: float  # the video's first timestamp: the white frame is EVENT after it

    @property
    def event(self) -> float:
        """When the white frame and the tone burst are shown, on a player's clock."""
        return self.offset + EVENT - start_of(self.path)


@pytest.fixture(params=FILMS, ids=IDS)
def film(request: pytest.FixtureRequest, tmp_path: Path) -> Film:
    suffix, offset, audio = request.param
    path = write_offset_film(tmp_path / f"film.{suffix}", offset, audio=audio)
    # AAC's priming samples start 1024 samples before the picture: allow for them.
    assert start_of(path) == pytest.approx(offset, abs=0.07)
    return Film(path, offset)


def white_times(path: Path, **kwargs: Any) -> list[float]:
    """The times iter_frames gives the white frame (each sample that is white)."""
    frames = iter_frames(probe(path), **kwargs)
    return [f.time for f in frames if isinstance(f, Frame) and f.image.mean() > 200]


def test_the_duration_leaves_out_the_start_offset(film: Film) -> None:
    media = probe(film.path)

    assert media.duration == pytest.approx(8.0, abs=0.1)
    assert media.start == pytest.approx(start_of(film.path))


def test_frame_times_count_from_the_start_a_player_shows(film: Film) -> None:
    assert white_times(film.path, interval=1 / FPS) == [pytest.approx(film.event, abs=1e-3)]


@pytest.mark.parametrize("strategy", ["decode", "seek"])
def test_a_sample_on_the_event_second_is_the_event(film: Film, strategy: Strategy) -> None:
    on_a_second = film.event == pytest.approx(round(film.event), abs=1e-3)
    expected = [pytest.approx(film.event, abs=1e-3)] if on_a_second else []

    assert white_times(film.path, interval=1.0, strategy=strategy) == expected


def test_audio_window_times_count_from_the_start_a_player_shows(film: Film) -> None:
    media = probe(film.path)
    if media.audio is None:
        pytest.skip("a film without sound")
    items = iter_audio(media, window_seconds=3.0, overlap_seconds=0.5)
    windows = [w for w in items if isinstance(w, AudioWindow)]

    loud = [(w.start, np.flatnonzero(np.abs(w.samples) > 0.2)) for w in windows]
    onsets = [start + int(found[0]) / RATE for start, found in loud if len(found)]
    assert onsets and onsets[0] == pytest.approx(film.event, abs=0.01)
    assert windows[-1].end == pytest.approx(media.duration, abs=0.1)


def test_a_still_at_the_event_time_shows_the_event(film: Film) -> None:
    at_event, before = grab_thumbnails(film.path, [film.event, film.event - 1.0])

    assert at_event is not None and before is not None
    assert jpeg_brightness(at_event) > 200
    assert jpeg_brightness(before) < 100


def test_exported_chapters_start_at_the_player_time_asked_for(film: Film, tmp_path: Path) -> None:
    target = tmp_path / f"chapters{film.path.suffix}"
    asked = [Chapter(0, 5000, "clear"), Chapter(5000, 5300, "profanity"), Chapter(5300, 8000, "")]
    write_with_chapters(film.path, target, asked)

    with av.open(str(target)) as out:
        start = (out.start_time or 0) / 1_000_000
        times = [float(c["start"] * c["time_base"]) - start for c in out.chapters()]
    # (an MP4 chapter track always begins at the timeline's zero: the first chapter may sit
    # before the film's start, which a player shows as the start)
    assert times[0] <= 0.001 and times[1:] == [pytest.approx(5.0, abs=2e-3), pytest.approx(5.3)]
    assert probe(target).duration == pytest.approx(probe(film.path).duration, abs=0.05)
    # the copy's picture is where it was: the white frame at the same time on a player's clock
    assert white_times(target, interval=1 / FPS) == [pytest.approx(film.event, abs=1e-3)]
