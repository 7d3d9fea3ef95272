"""probe() on real files written with PyAV, and on every kind of input it must refuse clearly."""

from __future__ import annotations

import os
import wave
from pathlib import Path

import av
import numpy as np
import pytest
from vcp_testing.videos import write_video

from vcp.cli.exit_codes import exit_code
from vcp.core.streams import STREAM_KINDS
from vcp.errors import MediaError
from vcp.media.probe import probe


def test_a_video_with_sound_lists_both_streams_and_its_duration(tmp_path: Path) -> None:
    media = probe(write_video(tmp_path / "film.mp4", seconds=4.0))

    assert media.duration == pytest.approx(4.0, abs=0.1)
    assert media.video is not None and media.audio is not None
    assert (media.video.width, media.video.height, media.video.fps) == (160, 120, 25.0)
    assert media.video.codec == "h264"
    assert (media.audio.codec, media.audio.sample_rate, media.audio.channels) == ("aac", 16000, 1)
    assert media.size == (tmp_path / "film.mp4").stat().st_size
    assert [s.type for s in media.streams] == ["video", "audio"]
    assert {s.type for s in media.streams} <= set(STREAM_KINDS)  # vcp.core.streams' vocabulary


def test_the_report_input_section_names_the_file_and_each_stream(tmp_path: Path) -> None:
    path = write_video(tmp_path / "film.mp4", seconds=2.0)

    section = probe(path).to_json()

    assert section["path"] == str(path)
    assert section["duration"] == pytest.approx(2.0, abs=0.1)
    video, audio = section["streams"]
    assert video == {
        "index": 0,
        "type": "video",
        "codec": "h264",
        "duration": pytest.approx(2.0, abs=0.1),
        "width": 160,
        "height": 120,
        "fps": 25.0,
    }
    assert audio["type"] == "audio" and audio["sample_rate"] == 16000 and "width" not in audio


def test_a_silent_video_has_no_audio_stream(tmp_path: Path) -> None:
    media = probe(write_video(tmp_path / "silent.mp4", audio=False))

    assert media.video is not None
    assert media.audio is None


def test_an_audio_file_has_no_video_stream(tmp_path: Path) -> None:
    path = tmp_path / "voice.wav"
    with av.open(str(path), "w") as out:
        stream = out.add_stream("pcm_s16le", rate=16000)
        frame = av.AudioFrame(format="s16", layout="mono", samples=16000)
        frame.sample_rate, frame.pts = 16000, 0
        out.mux(stream.encode(frame))
        out.mux(stream.encode())

    media = probe(path)

    assert media.video is None and media.audio is not None
    assert media.duration == pytest.approx(1.0, abs=0.05)


def refused(path: Path) -> MediaError:
    with pytest.raises(MediaError) as caught:
        probe(path)
    error = caught.value
    assert error.where == str(path)
    assert error.hint
    assert exit_code(error) == 4
    return error


def test_a_missing_file_is_named(tmp_path: Path) -> None:
    assert "no such file" in str(refused(tmp_path / "nope.mp4"))


def test_a_folder_is_not_a_media_file(tmp_path: Path) -> None:
    error = refused(tmp_path)
    assert "folder" in str(error)
    assert "vcp analyze" in (error.hint or "")


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root reads any file")
def test_an_unreadable_file_says_permission_denied(tmp_path: Path) -> None:
    path = write_video(tmp_path / "locked.mp4", seconds=1.0)
    path.chmod(0)

    assert "permission denied" in str(refused(path))


def test_a_text_file_named_mp4_is_not_media(tmp_path: Path) -> None:
    path = tmp_path / "notes.mp4"
    path.write_text("this is a shopping list, not a film\n" * 20)

    error = refused(path)

    assert "not a media file" in str(error)
    assert isinstance(error.__cause__, av.error.FFmpegError)


def test_an_empty_file_is_refused_before_pyav_sees_it(tmp_path: Path) -> None:
    path = tmp_path / "empty.mp4"
    path.touch()

    assert "empty (0 bytes)" in str(refused(path))


def test_a_file_of_zero_duration_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "nothing.wav"
    with wave.open(str(path), "wb") as out:  # a valid header over no samples at all
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(16000)

    assert "zero duration" in str(refused(path))


def test_a_file_with_neither_video_nor_audio_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "subtitles.srt"
    path.write_text("1\n00:00:01,000 --> 00:00:02,000\nHello\n\n")

    error = refused(path)

    assert "no video and no audio stream (subtitle)" in str(error)


def test_an_mp4_cut_before_its_index_cannot_be_opened(tmp_path: Path) -> None:
    # PyAV writes the MP4 index (moov) last: the first half alone has no index.
    whole = write_video(tmp_path / "whole.mp4", seconds=2.0)
    half = tmp_path / "half.mp4"
    half.write_bytes(whole.read_bytes()[: whole.stat().st_size // 2])

    assert "not a media file" in str(refused(half))


def test_cover_art_is_not_a_video(tmp_path: Path) -> None:
    path = tmp_path / "song.mp3"
    with av.open(str(path), "w") as out:
        sound = out.add_stream("libmp3lame", rate=16000, layout="mono")
        cover = out.add_stream("mjpeg", rate=1)
        cover.width, cover.height, cover.pix_fmt = 64, 64, "yuvj420p"
        cover.disposition = av.stream.Disposition.attached_pic
        picture = av.VideoFrame.from_ndarray(np.full((64, 64, 3), 128, np.uint8), format="rgb24")
        picture.pts = 0
        out.mux(cover.encode(picture))
        out.mux(cover.encode())
        samples = av.AudioFrame(format="s16p", layout="mono", samples=16000)
        for plane in samples.planes:
            plane.update(bytes(plane.buffer_size))
        samples.sample_rate, samples.pts = 16000, 0
        out.mux(sound.encode(samples))
        out.mux(sound.encode())

    media = probe(path)

    assert media.video is None and media.audio is not None
    assert [s.type for s in media.streams] == ["audio", "attachment"]
