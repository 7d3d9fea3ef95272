"""The stream-copied .chapters.mkv, read back by PyAV: chapter times and titles, streams intact."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

import av
from vcp_testing.cli import Result

Run = Callable[..., Result]

# The sample's report: a picture 1-4 s (the word at 3.072 s lies inside it), three more words,
# and a picture at 9-10.5 s the user allowed, which must not become a chapter.
EXPECTED = [
    (0, 1000, "Film"),
    (1000, 4000, "faces + profanity"),
    (4000, 5628, "Film"),
    (5628, 6018, "profanity"),
    (6018, 7400, "Film"),
    (7400, 8136, "blasphemy"),
    (8136, 11088, "Film"),
    (11088, 11884, "profanity"),
    (11884, 14000, "Film"),
]


def _chapters(path: Path) -> list[tuple[int, int, str]]:
    with av.open(str(path)) as container:
        return [
            (
                round(c["start"] * c["time_base"] * 1000),
                round(c["end"] * c["time_base"] * 1000),
                c["metadata"]["title"],
            )
            for c in container.chapters()
        ]


def _texts(path: Path) -> list[bytes]:
    """The subtitle cues' text, whatever the codec (mov_text has a 2-byte length first)."""
    with av.open(str(path)) as container:
        out = []
        for packet in container.demux(subtitles=0):
            data = bytes(packet)
            if packet.stream.codec_context.name == "mov_text":
                data = data[2 : 2 + int.from_bytes(data[:2], "big")]
            if data:
                out.append(data)
        return out


def _picture_and_sound(path: Path) -> list[tuple[str, str, int]]:
    return [s for s in _streams(path) if s[0] != "subtitle"]


def _streams(path: Path) -> list[tuple[str, str, int]]:
    with av.open(str(path)) as container:
        counts = dict.fromkeys(range(len(container.streams)), 0)
        for packet in container.demux():
            if packet.size:  # not the empty end-of-stream packet
                counts[packet.stream.index] += 1
        return [(s.type, s.codec_context.name, counts[s.index]) for s in container.streams]


def test_chapters_mark_each_segment_and_streams_are_copied(
    film: tuple[Path, Path], run: Run
) -> None:
    video, _ = film
    result = run("export", video, "--format", "chapters")
    assert result.returncode == 0, result.stderr
    copy = video.parent / "film.chapters.mkv"
    assert result.stdout.splitlines() == [str(copy)]
    assert _chapters(copy) == EXPECTED
    # same codecs, every packet: nothing re-encoded
    assert _picture_and_sound(copy) == _picture_and_sound(video)
    # Matroska holds no mov_text: the film's subtitles become SubRip, the same lines
    assert [(t, c) for t, c, _ in _streams(copy) if t == "subtitle"] == [("subtitle", "srt")]
    assert _texts(copy) == _texts(video) and len(_texts(video)) == 6
    assert sorted(p.name for p in video.parent.iterdir()) == [
        "film.chapters.mkv",
        "film.mp4",
        "film.vcp.json",
    ]


def test_existing_copy_needs_force(film: tuple[Path, Path], run: Run) -> None:
    video, _ = film
    copy = video.parent / "film.chapters.mkv"
    copy.write_bytes(b"the user's own file")
    refused = run("export", video, "--format", "chapters")
    assert refused.returncode == 2
    assert "already exists" in refused.stderr and "--force" in refused.stderr
    assert copy.read_bytes() == b"the user's own file"
    assert run("export", video, "--format", "chapters", "--force").returncode == 0
    assert _chapters(copy) == EXPECTED


def test_missing_video_is_a_media_error_and_writes_nothing(
    film: tuple[Path, Path], run: Run
) -> None:
    video, report = film
    before = hashlib.sha256(report.read_bytes()).hexdigest()
    video.unlink()
    result = run("export", report, "--format", "chapters")
    assert result.returncode == 4
    assert "film.mp4" in result.stderr and "hint:" in result.stderr
    assert sorted(p.name for p in video.parent.iterdir()) == ["film.vcp.json"]
    assert hashlib.sha256(report.read_bytes()).hexdigest() == before


def test_matroska_source_keeps_every_packet(film: tuple[Path, Path], run: Run) -> None:
    video, report = film
    assert run("export", video, "--format", "chapters").returncode == 0
    # A Matroska film (its first packets carry no dts) with the same report, exported again.
    mkv = video.with_name("again.mkv")
    (video.parent / "film.chapters.mkv").rename(mkv)
    text = report.read_text().replace(str(video), str(mkv)).replace('"film.mp4"', '"again.mkv"')
    mkv.with_name("again.vcp.json").write_text(text)
    assert run("export", mkv, "--format", "chapters").returncode == 0
    again = video.parent / "again.chapters.mkv"
    assert _streams(again) == _streams(mkv)
    assert _picture_and_sound(again) == _picture_and_sound(video)
    assert _chapters(again) == EXPECTED


def test_report_of_another_film_needs_force(film: tuple[Path, Path], run: Run) -> None:
    video, report = film
    report.write_text(report.read_text().replace('"name": "film.mp4"', '"name": "other.mp4"'))
    refused = run("export", video, "--format", "chapters")
    assert refused.returncode == 2
    assert "does not belong to film.mp4" in refused.stderr and "other.mp4" in refused.stderr
    assert not (video.parent / "film.chapters.mkv").exists()
    forced = run("export", video, "--format", "chapters", "--force")
    assert forced.returncode == 0 and "does not belong" in forced.stderr
    assert _chapters(video.parent / "film.chapters.mkv") == EXPECTED
