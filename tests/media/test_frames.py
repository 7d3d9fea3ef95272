"""iter_frames on real files written with PyAV: sample times, sizes, colours, both ways of reaching
the samples, and damaged files."""

from __future__ import annotations

import dataclasses
import math
from pathlib import Path

import av
import numpy as np
import pytest
from vcp_testing.videos import FPS, scramble, truncate, write_video

from vcp.errors import MediaError
from vcp.media import DecodedUntil, DecodeProblem
from vcp.media.frames import Frame, Strategy, iter_frames, keyframe_spacing
from vcp.media.probe import probe

FRAME = 1 / FPS
# The MP4 index first, so that damage or a cut hits picture data and the file still opens.
FASTSTART = {"movflags": "faststart"}


def frames_of(path: Path, **kwargs: object) -> list[Frame]:
    """The frames of a sound file, after checking it was read to its end."""
    media = probe(path)
    *items, until = iter_frames(media, **kwargs)  # type: ignore[arg-type]
    assert all(isinstance(item, Frame) for item in items), items
    assert isinstance(until, DecodedUntil) and until.seconds >= media.duration - 0.1, until
    return items  # type: ignore[return-value]


def test_one_frame_per_interval_at_its_presentation_time(tmp_path: Path) -> None:
    path = write_video(tmp_path / "film.mp4", seconds=4.0)

    times = [frame.time for frame in frames_of(path, interval=0.5)]

    assert len(times) == 8
    for k, time in enumerate(times):
        assert k * 0.5 <= time + 1e-6 < k * 0.5 + FRAME  # the first frame at or after k * 0.5


def test_frames_are_scaled_in_the_decoder_to_fit_keeping_the_aspect(tmp_path: Path) -> None:
    path = write_video(tmp_path / "film.mp4", seconds=1.0, size=(160, 120))

    frame = frames_of(path, interval=1.0, fit=64)[0]

    assert frame.image.shape == (48, 64, 3) and frame.image.dtype == np.uint8
    assert frame.source_size == (160, 120)


def test_a_portrait_video_fits_its_height(tmp_path: Path) -> None:
    path = write_video(tmp_path / "phone.mp4", seconds=1.0, size=(120, 160), audio=False)

    frame = frames_of(path, interval=1.0, fit=320)[0]

    assert frame.image.shape == (320, 240, 3)


def test_without_fit_frames_keep_their_size(tmp_path: Path) -> None:
    path = write_video(tmp_path / "film.mp4", seconds=1.0)

    assert frames_of(path, interval=1.0)[0].image.shape == (120, 160, 3)


def test_frames_are_rgb(tmp_path: Path) -> None:
    # Frame 0 is grey with a pure red column at x=0.
    path = write_video(tmp_path / "film.mp4", seconds=1.0, size=(160, 120))

    image = frames_of(path, interval=1.0)[0].image

    red, green, blue = (int(v) for v in image[60, 0])
    assert red > 150 and green < 100 and blue < 100, (red, green, blue)


@pytest.mark.parametrize("keyframe_every", [5, 50])
@pytest.mark.parametrize("interval", [0.13, 0.5, 1.0])
def test_seeking_and_decoding_everything_give_the_same_samples(
    tmp_path: Path, keyframe_every: int, interval: float
) -> None:
    path = write_video(tmp_path / "film.mp4", seconds=4.0, keyframe_every=keyframe_every)

    decoded = frames_of(path, interval=interval, fit=64, strategy="decode")
    sought = frames_of(path, interval=interval, fit=64, strategy="seek")

    assert [f.time for f in sought] == [f.time for f in decoded]
    assert len(decoded) == math.ceil(4.0 / interval)
    assert all(np.array_equal(a.image, b.image) for a, b in zip(sought, decoded, strict=True))


@pytest.mark.parametrize("strategy", ["decode", "seek"])
def test_with_b_frames_the_samples_are_those_of_a_plain_decode(
    tmp_path: Path, strategy: Strategy
) -> None:
    # iter_frames lets the decoder drop unreferenced frames before each sample time; the samples
    # must still be exactly the frames a plain decode of every frame shows at those times.
    path = write_video(tmp_path / "film.mp4", seconds=3.0, keyframe_every=30, bframes=3)

    ours = frames_of(path, interval=0.3, fit=64, strategy=strategy)

    plain = plain_samples(path, interval=0.3, size=(64, 48))
    assert [f.time for f in ours] == [time for time, _ in plain]
    assert all(np.array_equal(f.image, image) for f, (_, image) in zip(ours, plain, strict=True))


def plain_samples(
    path: Path, *, interval: float, size: tuple[int, int]
) -> list[tuple[float, np.ndarray]]:
    """The first frame at or after each multiple of ``interval``, from decoding every frame."""
    samples, target = [], 0.0
    with av.open(str(path)) as container:
        for frame in container.decode(video=0):
            if frame.time >= target - 1e-3:
                image = frame.to_ndarray(width=size[0], height=size[1], format="rgb24")
                samples.append((frame.time, image))
                target = (math.floor((frame.time + 1e-3) / interval) + 1) * interval
    return samples


def test_seeking_in_mpeg_ts_falls_back_to_exact_samples(tmp_path: Path) -> None:
    # MPEG-TS seeks land on a keyframe after the target; the samples must not move with it.
    path = write_video(tmp_path / "broadcast.ts", seconds=3.0, keyframe_every=10, audio=False)

    sought = frames_of(path, interval=0.5, strategy="seek")

    times = [f.time for f in sought]
    assert times == [f.time for f in frames_of(path, interval=0.5, strategy="decode")]
    assert all(k * 0.5 <= t + 1e-6 < k * 0.5 + FRAME for k, t in enumerate(times))


def test_keyframe_spacing_is_measured_without_decoding(tmp_path: Path) -> None:
    dense = probe(write_video(tmp_path / "dense.mp4", seconds=3.0, keyframe_every=5))
    sparse = probe(write_video(tmp_path / "sparse.mp4", seconds=3.0, keyframe_every=1000))

    assert keyframe_spacing(dense) == pytest.approx(5 * FRAME)
    assert keyframe_spacing(sparse) == math.inf


def test_an_audio_file_has_no_frames(tmp_path: Path) -> None:
    media = probe(write_video(tmp_path / "film.mp4", seconds=1.0))
    sound_only = dataclasses.replace(media, streams=media.streams[1:])  # the audio stream alone

    with pytest.raises(MediaError, match="no video stream") as caught:
        next(iter_frames(sound_only, interval=1.0))
    assert caught.value.where == str(media.path)


@pytest.mark.parametrize("strategy", ["decode", "seek"])
def test_damage_mid_file_is_reported_once_and_decoding_goes_on(
    tmp_path: Path, strategy: Strategy
) -> None:
    whole = write_video(tmp_path / "whole.mp4", noise=True, keyframe_every=10, options=FASTSTART)
    damaged = scramble(whole, tmp_path / "damaged.mp4", at=0.5)

    items = list(iter_frames(probe(damaged), interval=0.5, fit=64, strategy=strategy))

    problems = [i.seconds for i in items if isinstance(i, DecodeProblem)]
    times = [i.time for i in items if isinstance(i, Frame)]
    assert problems and all(
        "did not decode" in i.message for i in items if isinstance(i, DecodeProblem)
    )
    assert 1.0 < problems[0] < 3.0  # in the middle, where the bytes were overwritten
    assert problems == sorted(set(problems))  # each place once, in time order
    assert times[0] == 0.0 and times[-1] >= 3.5  # frames before and after the damage


@pytest.mark.parametrize("strategy", ["decode", "seek"])
def test_a_truncated_file_yields_what_it_holds_then_how_far_it_decoded(
    tmp_path: Path, strategy: Strategy
) -> None:
    whole = write_video(tmp_path / "whole.mp4", noise=True, options=FASTSTART)
    cut = truncate(whole, tmp_path / "cut.mp4", keep=0.5)
    media = probe(cut)

    items = list(iter_frames(media, interval=0.5, fit=64, strategy=strategy))

    frames = [i for i in items if isinstance(i, Frame)]
    assert 1.0 <= frames[-1].time <= 3.0
    last = items[-1]
    assert media.duration == pytest.approx(4.0, abs=0.1)  # what the index promises
    assert isinstance(last, DecodedUntil)
    assert frames[-1].time < last.seconds <= frames[-1].time + 0.5 + FRAME


def test_a_whole_file_decodes_to_its_end_either_way(tmp_path: Path) -> None:
    path = write_video(tmp_path / "film.mp4", seconds=4.0, keyframe_every=5, audio=False)

    for strategy in ("decode", "seek"):
        *_, last = iter_frames(probe(path), interval=1.0, strategy=strategy)  # type: ignore[arg-type]
        assert last == DecodedUntil(pytest.approx(4.0)), strategy  # type: ignore[arg-type]


def test_a_file_where_no_frame_decodes_is_a_media_error(tmp_path: Path) -> None:
    whole = write_video(tmp_path / "whole.mp4", seconds=2.0, noise=True, options=FASTSTART)
    data = bytearray(whole.read_bytes())
    start = data.find(b"mdat") + 8  # every byte of picture data overwritten
    ruined = scramble(whole, tmp_path / "ruined.mp4", at=start / len(data), length=len(data))

    with pytest.raises(MediaError, match="no video frame could be decoded") as caught:
        list(iter_frames(probe(ruined), interval=0.5))
    assert caught.value.where == str(ruined) and caught.value.hint
