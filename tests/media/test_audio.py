"""iter_audio on real files written with PyAV: window times, overlap, resampling, holes, damage."""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

import av
import numpy as np
import pytest

from vcp.errors import MediaError
from vcp.media import DecodedUntil, DecodeProblem
from vcp.media.audio import AudioWindow, iter_audio
from vcp.media.probe import probe

RATE = 16000
SAMPLE = Path(__file__).resolve().parents[1] / "fixtures" / "sample.mp4"


def write_audio(
    path: Path,
    signal: np.ndarray,
    *,
    rate: int = RATE,
    codec: str = "pcm_s16le",
    stereo: bool = False,
    hole_at: float | None = None,
    hole_seconds: float = 0.0,
) -> Path:
    """``signal`` (mono float32 at ``rate``) as a file; optionally a hole in the timestamps."""
    pieces = [(0, signal)]
    if hole_at is not None:
        cut = int(hole_at * rate)
        pieces = [(0, signal[:cut]), (cut + int(hole_seconds * rate), signal[cut:])]
    layout = "stereo" if stereo else "mono"
    with av.open(str(path), "w") as out:
        stream: Any = out.add_stream(codec, rate=rate, layout=layout)
        for offset, piece in pieces:
            for start in range(0, len(piece), 1024):
                chunk = piece[start : start + 1024]
                planes = np.stack([chunk, chunk * 0.5] if stereo else [chunk])
                frame = av.AudioFrame.from_ndarray(planes, format="fltp", layout=layout)
                frame.sample_rate, frame.pts = rate, offset + start
                out.mux(stream.encode(frame))
        out.mux(stream.encode())
    return path


def ramp(seconds: float, rate: int = RATE) -> np.ndarray:
    """A signal whose every sample differs: windows can be compared sample for sample."""
    return np.linspace(-0.5, 0.5, int(seconds * rate), dtype=np.float32)


def click_signal(seconds: float, clicks: list[float], rate: int) -> np.ndarray:
    signal = np.zeros(int(seconds * rate), dtype=np.float32)
    for at in clicks:
        signal[int(at * rate) : int(at * rate) + rate // 100] = 0.8
    return signal


def onsets(samples: np.ndarray) -> list[int]:
    """Where each loud burst of ``samples`` starts."""
    loud = np.flatnonzero(np.abs(samples) > 0.2)
    starts = np.diff(loud, prepend=-RATE) > 100
    return [int(i) for i in loud[starts]]


def windows(path: Path, **kwargs: float) -> list[AudioWindow]:
    """The windows of a sound file, after checking the last item says it was read to its end."""
    *items, until = iter_audio(probe(path), **kwargs)  # type: ignore[arg-type]
    assert all(isinstance(i, AudioWindow) for i in items), items
    assert isinstance(until, DecodedUntil) and until.seconds == pytest.approx(items[-1].end)
    return items  # type: ignore[return-value]


def test_windows_start_every_window_minus_overlap(tmp_path: Path) -> None:
    path = write_audio(tmp_path / "a.mka", ramp(10.5))
    got = windows(path, window_seconds=4.0, overlap_seconds=1.0)
    assert [w.start for w in got] == [0.0, 3.0, 6.0, 9.0]
    assert [len(w.samples) for w in got] == [64000, 64000, 64000, 24000]
    assert got[-1].end == pytest.approx(10.5)


def test_no_window_repeats_only_the_overlap(tmp_path: Path) -> None:
    path = write_audio(tmp_path / "a.mka", ramp(10.0))
    got = windows(path, window_seconds=4.0, overlap_seconds=1.0)
    assert [(w.start, w.end) for w in got] == [(0.0, 4.0), (3.0, 7.0), (6.0, 10.0)]
    assert all(w.samples.dtype == np.float32 and w.samples.ndim == 1 for w in got)


def test_overlapping_parts_hold_the_same_samples_and_nothing_is_lost(tmp_path: Path) -> None:
    signal = ramp(10.5)
    path = write_audio(tmp_path / "a.mka", signal)
    got = windows(path, window_seconds=4.0, overlap_seconds=1.0)
    for before, after in itertools.pairwise(got):
        np.testing.assert_array_equal(before.samples[-RATE:], after.samples[:RATE])
    joined = np.concatenate([got[0].samples] + [w.samples[RATE:] for w in got[1:]])
    np.testing.assert_allclose(joined, signal, atol=1e-4)  # 16-bit PCM round trip


def test_a_short_file_is_one_window(tmp_path: Path) -> None:
    path = write_audio(tmp_path / "a.mka", ramp(2.5))
    (only,) = windows(path)
    assert only.start == 0.0 and len(only.samples) == 40000


def test_stereo_44k_aac_is_resampled_and_keeps_its_timing(tmp_path: Path) -> None:
    clicks = [1.0, 4.5, 8.25]
    path = write_audio(
        tmp_path / "a.mp4", click_signal(10.0, clicks, 44100), rate=44100, codec="aac", stereo=True
    )
    got = windows(path, window_seconds=3.0, overlap_seconds=0.5)
    heard = [w.start + i / RATE for w in got for i in onsets(w.samples)]
    assert sorted({round(t, 2) for t in heard}) == pytest.approx(clicks, abs=0.02)


def test_a_hole_in_the_timestamps_is_silence_and_later_audio_keeps_its_time(
    tmp_path: Path,
) -> None:
    signal = click_signal(6.0, [1.0, 5.0], RATE)
    path = write_audio(tmp_path / "a.mka", signal, hole_at=3.0, hole_seconds=2.0)
    items = list(iter_audio(probe(path), window_seconds=20.0, overlap_seconds=1.0))
    problems = [i for i in items if isinstance(i, DecodeProblem)]
    (window,) = [i for i in items if isinstance(i, AudioWindow)]
    assert [round(p.seconds, 2) for p in problems] == [3.0]
    assert "2.0 s of audio missing" in problems[0].message
    assert window.end == pytest.approx(8.0, abs=0.01)
    assert np.abs(window.samples[int(7.0 * RATE) : int(7.01 * RATE)]).min() > 0.4


def test_a_damaged_packet_is_reported_and_decoding_goes_on(tmp_path: Path) -> None:
    path = write_audio(tmp_path / "a.mp4", ramp(10.0), codec="libmp3lame")
    with av.open(str(path)) as container:
        packets = [p for p in container.demux(container.streams.audio[0]) if p.size]
    middle = packets[len(packets) // 2]
    assert middle.pos is not None
    data = bytearray(path.read_bytes())
    data[middle.pos : middle.pos + middle.size] = b"\xff" * middle.size
    path.write_bytes(bytes(data))
    items = list(iter_audio(probe(path), window_seconds=4.0, overlap_seconds=1.0))
    problems = [i for i in items if isinstance(i, DecodeProblem)]
    assert len(problems) == 1 and 4.0 < problems[0].seconds < 6.0
    assert "did not decode" in problems[0].message
    starts = [i.start for i in items if isinstance(i, AudioWindow)]
    assert starts[:4] == [0.0, 3.0, 6.0, 9.0]


def test_a_video_without_audio_is_a_media_error(tmp_path: Path) -> None:
    path = tmp_path / "silent.mp4"
    with av.open(str(path), "w") as out:
        stream = out.add_stream("libx264", rate=10)
        stream.width, stream.height, stream.pix_fmt = 64, 64, "yuv420p"
        for i in range(5):
            frame = av.VideoFrame.from_ndarray(np.zeros((64, 64, 3), np.uint8), format="rgb24")
            frame.pts = i
            out.mux(stream.encode(frame))
        out.mux(stream.encode())
    with pytest.raises(MediaError, match="no audio stream") as caught:
        list(iter_audio(probe(path)))
    assert caught.value.where == str(path) and caught.value.hint


def test_a_file_gone_since_it_was_probed_is_a_media_error(tmp_path: Path) -> None:
    path = write_audio(tmp_path / "a.mka", ramp(2.0))
    media = probe(path)
    path.unlink()
    with pytest.raises(MediaError, match="cannot read the file: No such file") as caught:
        list(iter_audio(media))
    assert caught.value.where == str(path) and caught.value.hint


def test_overlap_must_be_shorter_than_the_window() -> None:
    with pytest.raises(ValueError, match="overlap"):
        list(iter_audio(probe(SAMPLE), window_seconds=5.0, overlap_seconds=5.0))


def test_the_sample_video_is_read_whole() -> None:
    got = windows(SAMPLE, window_seconds=5.0, overlap_seconds=1.0)
    assert [w.start for w in got] == [0.0, 4.0, 8.0, 12.0]
    assert got[-1].end == pytest.approx(14.0, abs=0.05)


def test_audio_cut_short_says_how_far_it_reached(tmp_path: Path) -> None:
    # An MP4 whose index (first, faststart) promises 10 s, cut at half its bytes: the demuxer
    # meets the end of the file where the index promised more.
    whole = tmp_path / "whole.mp4"
    with av.open(str(whole), "w", options={"movflags": "faststart"}) as out:
        stream: Any = out.add_stream("aac", rate=RATE, layout="mono")
        signal = ramp(10.0)
        for start in range(0, len(signal), 1024):
            frame = av.AudioFrame.from_ndarray(
                signal[start : start + 1024].reshape(1, -1), format="flt", layout="mono"
            )
            frame.sample_rate, frame.pts = RATE, start
            out.mux(stream.encode(frame))
        out.mux(stream.encode())
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(whole.read_bytes()[: whole.stat().st_size // 2])

    items = list(iter_audio(probe(cut), window_seconds=4.0, overlap_seconds=1.0))

    assert probe(cut).duration == pytest.approx(10.0, abs=0.1)  # what the index promises
    last = items[-1]
    assert isinstance(last, DecodedUntil) and 3.0 < last.seconds < 7.0
    assert last.seconds == pytest.approx(max(w.end for w in items if isinstance(w, AudioWindow)))
