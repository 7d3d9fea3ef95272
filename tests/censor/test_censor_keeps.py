"""What a censored copy and a chapters copy keep of the film besides the edits: stream languages,
titles and default flags, the picture's rotation, attachments (fonts and a cover), and times that
mean the same instant on a film whose timestamps do not start at zero."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path
from typing import Any

import av
import numpy as np
import pytest
from vcp_testing.censor_films import CLI, FONT, Film, attachments_of, make_film, seg, write_report
from vcp_testing.offsets import EVENT, burst_signal, start_of, write_offset_film

Tags = dict[int, tuple[dict[str, str], int]]
DEFAULT, FORCED = av.stream.Disposition.default, av.stream.Disposition.forced
# (stream type, language, title, disposition) written onto the test film, in stream order.
LABELS = {
    "video": ("eng", "picture", DEFAULT),
    "audio": [("eng", "English", DEFAULT), ("fra", "Français", 0)],
    "subtitle": ("fra", "sous-titres", FORCED),
}
ONE_OF_EACH = [seg(1, 1.0, 1.5), seg(2, 3.0, 3.5, "nudity", "video")]  # a mute and a skip


def tag_film(source: Path, target: Path) -> Path:
    """A copy of ``source`` whose streams carry languages, titles and default/forced flags, and
    whose container has a title; attachments are copied as they are."""
    with av.open(str(source)) as inp, av.open(str(target), "w") as out:
        out.metadata.update({"title": "The Film", "comment": "kept"})
        streams, sounds = {}, iter(LABELS["audio"])
        for stream in inp.streams:
            if stream.type == "attachment":
                out.add_attachment(name=stream.name, mimetype=stream.mimetype, data=stream.data)
                continue
            copy = streams[stream] = out.add_stream_from_template(stream)
            label: Any = next(sounds) if stream.type == "audio" else LABELS[stream.type]
            language, title, disposition = label
            copy.metadata.update({"language": language, "title": title})
            copy.metadata["handler_name"] = f"{title} handler"
            copy.disposition = disposition
        for packet in inp.demux():
            if packet.size:
                packet.stream = streams[packet.stream]
                out.mux(packet)
    return target


def stream_tags(path: Path) -> tuple[dict[str, str], list[tuple[str, str, str, str, int]]]:
    """The container's title and comment, and per stream (type, language, title, handler,
    disposition), with the tag names of either container."""
    with av.open(str(path)) as c:
        tags = {k.lower(): v for k, v in c.metadata.items() if k.lower() in ("title", "comment")}
        streams = []
        for s in c.streams:
            meta = {k.lower(): v for k, v in s.metadata.items()}
            title = meta.get("title") or meta.get("name", "")  # MP4 calls a track's title "name"
            handler = meta.get("handler_name", "")
            streams.append((s.type, meta.get("language", ""), title, handler, int(s.disposition)))
    return tags, streams


@pytest.fixture(params=["mkv", "mp4"])
def tagged(request: pytest.FixtureRequest, tmp_path: Path) -> Film:
    """A 6 s film with two audio tracks (eng default, fra not), and subtitles and a font in MKV."""
    mkv = request.param == "mkv"
    raw = make_film(tmp_path / f"raw.{request.param}", tracks=2, subtitles=mkv)
    path = tag_film(raw.path, tmp_path / f"film.{request.param}")
    return Film(path, raw.duration, True, mkv)


def test_censor_keeps_every_streams_language_title_and_flags(
    cli: CLI, tagged: Film, tmp_path: Path
) -> None:
    write_report(tagged, ONE_OF_EACH)
    out = tmp_path / f"out{tagged.path.suffix}"

    result = cli("censor", tagged.path, "-o", out, "--progress", "none")

    assert result.returncode == 0, result.stderr
    assert result.stdout.count("re-encoded") == 3  # a skip re-encodes the video and both tracks
    assert stream_tags(out) == stream_tags(tagged.path)
    languages = [lang for kind, lang, *_ in stream_tags(out)[1] if kind == "audio"]
    assert languages == ["eng", "fra"]


def test_chapters_keep_every_streams_language_title_and_flags(
    cli: CLI, tagged: Film, tmp_path: Path
) -> None:
    write_report(tagged, ONE_OF_EACH)

    out = chapters_copy(cli, tagged, tmp_path / "exported")

    assert stream_tags(out) == stream_tags(tagged.path)
    if tagged.subtitles:
        assert attachments_of(out) == [("font.ttf", FONT)]


def chapters_copy(cli: CLI, film: Film, folder: Path) -> Path:
    """``vcp export --format chapters`` of ``film`` into ``folder``: the copy it wrote."""
    folder.mkdir()
    result = cli("export", film.path, "--format", "chapters", "-o", folder)
    assert result.returncode == 0, result.stderr
    assert "not copied" not in result.stderr
    (out,) = folder.iterdir()
    return out


# -- rotation -------------------------------------------------------------------------------------


def phone_film(path: Path, *, degrees: int) -> Film:
    """4 s of a 64x48 picture, white on its stored top half, shown rotated by ``degrees``."""
    with av.open(str(path), "w") as out:
        video = out.add_stream("libx264", rate=25)
        video.width, video.height, video.pix_fmt = 64, 48, "yuv420p"
        video.set_display_rotation(degrees)
        sound = out.add_stream("aac", rate=48000, layout="stereo")
        image = np.zeros((48, 64, 3), np.uint8)
        image[:24] = 255
        for i in range(100):
            frame = av.VideoFrame.from_ndarray(image, format="rgb24")
            frame.pts = i
            out.mux(video.encode(frame))
        out.mux(video.encode(None))
        for k in range(0, 4 * 48000, 1024):
            chunk = np.full((2, 1024), 0.1, np.float32)
            frame = av.AudioFrame.from_ndarray(chunk, format="fltp", layout="stereo")
            frame.sample_rate, frame.pts, frame.time_base = 48000, k, Fraction(1, 48000)
            out.mux(sound.encode(frame))
        out.mux(sound.encode(None))
    return Film(path, 4.0, True, False)


def shown(path: Path) -> tuple[int, tuple[int, int], float, float]:
    """The first frame's rotation, stored size, and the brightness of its stored top and bottom
    rows: rotated as a player rotates it, the picture is upright when these match the source."""
    with av.open(str(path)) as c:
        frame = next(c.decode(video=0))
        grey = frame.to_ndarray(format="gray")
        return frame.rotation, (frame.width, frame.height), grey[:20].mean(), grey[-20:].mean()


@pytest.mark.parametrize("segment", [seg(1, 1.0, 2.0, "nudity", "video"), seg(1, 1.0, 2.0)])
def test_a_rotated_phone_video_stays_upright(cli: CLI, tmp_path: Path, segment: Any) -> None:
    # A skip re-encodes the picture, a mute copies it: either way the rotation must survive.
    film = phone_film(tmp_path / "phone.mp4", degrees=90)
    write_report(film, [segment])
    out = tmp_path / "out.mp4"

    result = cli("censor", film.path, "-o", out, "--progress", "none")

    assert result.returncode == 0, result.stderr
    rotation, size, top, bottom = shown(out)
    assert (rotation, size) == (90, (64, 48)) == shown(film.path)[:2]
    assert top > 200 and bottom < 50


# -- attachments ----------------------------------------------------------------------------------


def png(size: int = 32) -> bytes:
    """A small grey PNG picture."""
    encoder = av.CodecContext.create("png", "w")
    encoder.width = encoder.height = size
    encoder.pix_fmt, encoder.time_base = "rgb24", Fraction(1, 25)
    frame = av.VideoFrame.from_ndarray(np.full((size, size, 3), 200, np.uint8), format="rgb24")
    frame.pts = 0
    return b"".join(bytes(p) for p in (*encoder.encode(frame), *encoder.encode(None)))


COVER = png()


@pytest.fixture
def covered(tmp_path: Path) -> Film:
    """A Matroska film with a PNG cover and a font attached (FFmpeg reads the cover as a
    one-frame video stream)."""
    raw = make_film(tmp_path / "raw.mkv")
    path = tmp_path / "cover.mkv"
    with av.open(str(raw.path)) as inp, av.open(str(path), "w") as out:
        streams = {
            s: out.add_stream_from_template(s) for s in inp.streams if s.type != "attachment"
        }
        out.add_attachment(name="font.ttf", mimetype="font/ttf", data=FONT)
        out.add_attachment(name="cover.png", mimetype="image/png", data=COVER)
        for packet in inp.demux():
            if packet.size:
                packet.stream = streams[packet.stream]
                out.mux(packet)
    return Film(path, raw.duration, True, True)


def attached(path: Path) -> list[tuple[str, str, bytes]]:
    """(name, mime type, bytes) of every attachment, covers included, whichever way FFmpeg
    presents them."""
    found = []
    with av.open(str(path)) as c:
        for s in c.streams:
            if s.type == "attachment":
                found.append((str(s.name), str(s.mimetype), bytes(s.data)))
            elif s.disposition & av.stream.Disposition.attached_pic:
                data = next(bytes(p) for p in c.demux(s) if p.size)
                found.append((s.metadata["filename"], s.metadata["mimetype"], data))
                c.seek(0)
    return sorted(found)


def test_censor_carries_a_cover_picture_and_a_font_across(
    cli: CLI, covered: Film, tmp_path: Path
) -> None:
    write_report(covered, ONE_OF_EACH)
    out = tmp_path / "o.mkv"

    result = cli("censor", covered.path, "-o", out, "--progress", "none")

    assert result.returncode == 0, result.stderr
    assert (
        attached(out)
        == attached(covered.path)
        == sorted([("cover.png", "image/png", COVER), ("font.ttf", "font/ttf", FONT)])
    )


def test_chapters_carry_a_cover_picture_and_a_font_across(
    cli: CLI, covered: Film, tmp_path: Path
) -> None:
    write_report(covered, ONE_OF_EACH)

    out = chapters_copy(cli, covered, tmp_path / "exported")

    assert attached(out) == attached(covered.path)


# -- films that do not start at zero --------------------------------------------------------------


@pytest.mark.parametrize(
    ("suffix", "offset"), [("mkv", 30.0), ("mkv", -2.046), ("mp4", 30.0)], ids=str
)
def test_segment_times_mean_the_same_instant_whatever_the_films_start(
    cli: CLI, tmp_path: Path, suffix: str, offset: float
) -> None:
    # The white frame and the tone burst are at 5 s on a player's clock: skip the frame, mute
    # the burst. (PCM does not fit MP4: AAC there, whose priming moves the start 64 ms earlier.)
    path = write_offset_film(
        tmp_path / f"film.{suffix}", offset, audio="pcm_s16le" if suffix == "mkv" else "aac"
    )
    at = offset + EVENT - start_of(path)
    film = Film(path, 8.0 + (0.064 if suffix == "mp4" else 0.0), True, False)
    segments = [seg(1, at - 0.1, at + 0.5), seg(2, at - 0.02, at + 0.02, "nudity", "video")]
    write_report(film, segments)
    out = tmp_path / f"out.{suffix}"

    result = cli("censor", path, "-o", out, "--progress", "none")

    assert result.returncode == 0, result.stderr
    with av.open(str(out)) as c:
        brightest = max(f.to_ndarray(format="gray").mean() for f in c.decode(video=0))
    with av.open(str(out)) as c:
        sound = np.concatenate([f.to_ndarray().ravel() for f in c.decode(audio=0)])
    assert brightest < 100  # the white frame was skipped
    assert np.abs(sound).max() < 0.05 < np.abs(burst_signal(8.0)).max()  # the burst was muted
