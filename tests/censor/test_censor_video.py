"""Video actions on a real film: black frames, blurred boxes, and cuts that keep sound and picture
together."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import av
import numpy as np
import pytest
from vcp_testing.censor_films import (
    CLI,
    FLASHES,
    FONT,
    Film,
    attachments_of,
    audio_of,
    clicks_at,
    correlation,
    durations,
    frames_of,
    seg,
    subtitles_of,
    window,
    write_report,
)

BLANK_AND_BLUR = (
    "actions:\n  categories:\n    violence: {video: blank}\n    nudity: {video: blur}\n"
    "  blur: {box_padding: 0, cells: 4}\n"
)


def censored(cli: CLI, film: Film, tmp_path: Path, config: str | None = None) -> Path:
    out = tmp_path / ("out" + film.path.suffix)
    extra: list[str | Path] = []
    if config is not None:
        (tmp_path / "actions.yaml").write_text(config)
        extra = ["-c", tmp_path / "actions.yaml"]
    result = cli("censor", film.path, "-o", out, "--progress", "none", *extra)
    assert result.returncode == 0, result.stderr
    return out


def test_blank_frames_are_black_and_timing_is_kept(cli: CLI, film: Film, tmp_path: Path) -> None:
    allowed = seg(2, 4.0, 5.0, "violence", "video", allow=True)
    write_report(film, [seg(1, 2.0, 3.0, "violence", "video"), allowed])
    out = censored(cli, film, tmp_path, BLANK_AND_BLUR)
    frames = frames_of(out)
    assert len(frames) == len(frames_of(film.path))
    inside = [mean for t, mean in frames if 2.0 <= t < 3.0]
    outside = [mean for t, mean in frames if t < 1.9 or t >= 3.1]  # the allowed one included
    assert len(inside) == 25 and max(inside) < 2
    assert min(outside) > 30
    assert durations(out)["video"] == pytest.approx(film.duration, abs=0.05)
    source = audio_of(film.path)
    assert correlation(window(source, 0.1, 5.9), window(audio_of(out), 0.1, 5.9)) > 0.99


def _crop(path: Path, at: float, box: tuple[int, int, int, int]) -> np.ndarray:
    x, y, w, h = box
    with av.open(str(path)) as c:
        for frame in c.decode(video=0):
            if frame.time is not None and abs(frame.time - at) < 0.01:
                return frame.to_ndarray(format="gray")[y : y + h, x : x + w].astype(float)
    raise AssertionError(f"no frame at {at}")


def test_blur_hides_the_boxes_and_only_them(cli: CLI, film: Film, tmp_path: Path) -> None:
    box = (96, 64, 96, 96)
    hits = [{"detector": "nudity", "label": "X", "score": 0.9, "start": 2.0, "end": 2.0,
             "box": list(box)}]  # fmt: skip
    write_report(film, [seg(1, 2.0, 3.0, "nudity", "video", detections=hits)])
    out = censored(cli, film, tmp_path, BLANK_AND_BLUR)
    detail = _crop(film.path, 2.4, box).std()
    assert detail > 30  # the checkerboard
    assert _crop(out, 2.4, box).std() < detail / 5  # four cells across: the pattern is gone
    elsewhere = (200, 140, 96, 96)
    assert _crop(out, 2.4, elsewhere).std() > 30
    assert _crop(out, 4.0, box).std() > 30  # after the segment


def test_skip_removes_the_time_from_every_stream(cli: CLI, film: Film, tmp_path: Path) -> None:
    write_report(film, [seg(1, 3.5, 4.5, "nudity", "video")])
    out = censored(cli, film, tmp_path)
    ends = durations(out)
    assert ends["video"] == pytest.approx(film.duration - 1.0, abs=0.05)
    assert ends["audio"] == pytest.approx(film.duration - 1.0, abs=0.05)
    # "World" (4.0-5.0) lost its first half-second to the cut: its tail starts at the cut.
    assert subtitles_of(out) == [(1.0, 2.0, "Hello"), (3.5, 4.0, "World")]
    assert attachments_of(out) == [("font.ttf", FONT)]
    source, result = audio_of(film.path), audio_of(out)
    assert correlation(window(source, 4.6, 5.9), window(result, 3.6, 4.9)) > 0.99


def test_skip_keeps_sound_and_picture_in_sync(
    cli: CLI, films: Callable[[str], Film], tmp_path: Path
) -> None:
    film = films("sync")  # a white frame and a click at each of FLASHES
    write_report(film, [seg(1, 1.8, 2.3, "nudity", "video"), seg(2, 3.9, 4.33, "nudity", "video")])
    out = censored(cli, film, tmp_path)
    flashes = [t for t, mean in frames_of(out) if mean > 200]
    heard = clicks_at(audio_of(out))
    assert len(flashes) == len(heard) == len(FLASHES)
    for seen, click in zip(flashes, heard, strict=True):
        assert abs(seen - click) < 0.040
    assert flashes[-1] == pytest.approx(FLASHES[-1] - 0.5 - 0.43, abs=0.04)


def test_an_odd_sized_picture_is_re_encoded_at_an_even_size(cli: CLI, tmp_path: Path) -> None:
    path = tmp_path / "odd.mkv"  # 4:4:4 allows 321x241; the 4:2:0 output cannot
    with av.open(str(path), "w") as odd:
        video = odd.add_stream("libx264", rate=25)
        video.width, video.height, video.pix_fmt = 321, 241, "yuv444p"
        for i in range(50):
            frame = av.VideoFrame.from_ndarray(np.full((241, 321, 3), 120, np.uint8), "rgb24")
            frame.pts = i
            odd.mux(video.encode(frame))
        odd.mux(video.encode(None))
    film = Film(path, 2.0, False, False)
    write_report(film, [seg(1, 0.4, 0.8, "violence", "video")])
    out = censored(cli, film, tmp_path, BLANK_AND_BLUR)
    with av.open(str(out)) as c:
        assert (c.streams.video[0].width, c.streams.video[0].height) == (320, 240)
    frames = frames_of(out)
    assert len(frames) == 50
    assert [round(t, 2) for t, mean in frames if mean < 2] == [
        round(0.4 + i / 25, 2) for i in range(10)
    ]
