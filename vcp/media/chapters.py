"""A stream copy of a film with chapters added: nothing is decoded or re-encoded.

``write_with_chapters(source, target, chapters)`` copies every video, audio and subtitle stream
packet by packet into ``target`` (Matroska for ``.mkv``, MP4 for ``.mp4``) with the given chapter
list, through PyAV's ``OutputContainer.set_chapters``. It is written like every output of vcp
(``vcp.core.atomic.write_output``): a hidden temporary file beside ``target``, renamed when
complete, so ``target`` is either the old file or the complete new one; a write the system refuses
(a full disk, a size limit) is an ``OutputError`` naming ``target``, made there. The files are
opened through ``vcp.media.containers``.
Tags, dispositions, fonts and cover pictures are kept (``vcp.media.streams``); streams the target
container cannot hold (an MP4 data track in Matroska, say) are left out and named in the returned
``CopyResult``.

Chapter times count from the film's start as a player shows it, like every time in vcp: a film
whose timestamps start at 30 s gets its chapters 30 s further on its timeline. A film that starts
before zero is moved to start at zero (muxers would do it anyway, but without moving chapters).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any

from vcp.core.atomic import write_output
from vcp.errors import MediaError, OutputError

__all__ = ["Chapter", "CopyResult", "write_with_chapters"]

log = logging.getLogger(__name__)

_FORMATS = {".mkv": "matroska", ".mp4": "mp4", ".m4v": "mp4", ".mov": "mov"}
_COPIED = ("video", "audio", "subtitle")
_MS = Fraction(1, 1000)


@dataclass(frozen=True, slots=True)
class Chapter:
    """One chapter: from ``start_ms`` to ``end_ms`` (milliseconds), called ``title``."""

    start_ms: int
    end_ms: int
    title: str


@dataclass
class CopyResult:
    """What the copy wrote: how many packets, and the streams left out."""

    packets: int = 0
    dropped: list[str] = field(default_factory=list)  # "#2 data (tmcd)"


def write_with_chapters(source: Path, target: Path, chapters: list[Chapter]) -> CopyResult:
    """Copy ``source`` to ``target`` with ``chapters``. MediaError when the film cannot be read;
    OutputError when ``target`` cannot be written (a container that holds no chapters, a full
    disk)."""
    fmt = _FORMATS.get(target.suffix.lower())
    if fmt is None:
        raise OutputError(
            target,
            f"cannot write chapters to a {target.suffix or 'suffix-less'} file",
            hint="name the output .mkv or .mp4",
        )
    _check_source(source)
    results: list[CopyResult] = []
    # The muxer is told the format, but the temporary name keeps the suffix all the same: a
    # leftover from a killed run is then recognisable as the film it was becoming.
    write_output(
        target,
        lambda tmp: results.append(_copy(source, tmp, fmt, chapters, shown_as=target)),
        suffix=f".partial{target.suffix}",
    )
    return results[0]


def _check_source(source: Path) -> None:
    if not source.is_file():
        raise MediaError(
            f"the video {source.name!r} is not there",
            where=str(source),
            hint="the chapters format copies the film: give the video, or a report whose "
            "input.path points at it",
        )


def _copy(
    source: Path, tmp: Path, fmt: str, chapters: list[Chapter], *, shown_as: Path
) -> CopyResult:
    """Write the copy into ``tmp``; ``shown_as`` is the name errors give it."""
    from vcp.media.containers import open_input, open_output  # only chapters needs PyAV

    doing = "copying it"
    hint = "check that the video plays; a damaged file cannot be copied"
    with (
        open_output(tmp, format=fmt, shown_as=shown_as) as out,
        open_input(source, doing=doing, hint=hint) as inp,
    ):
        return _remux(inp, out, chapters)


def _remux(inp: Any, out: Any, chapters: list[Chapter]) -> CopyResult:
    from vcp.media.probe import container_start
    from vcp.media.streams import copy_container_tags

    result = CopyResult()
    copy_container_tags(inp, out)
    streams = _add_streams(inp, out, result)
    start = container_start(inp)
    shift = Fraction(max(-start, 0.0))  # seconds every timestamp moves: a start below 0 to 0
    out.set_chapters([_av_chapter(i, c, start + shift) for i, c in enumerate(chapters, start=1)])
    mux = out.mux_one  # the loop runs once per packet (about 70 per second of film): keep it lean
    for packet in inp.demux(list(streams)):
        # Skip only the empty end-of-stream packets: a Matroska source's first packets have no
        # dts either, so ``dts is None`` would drop real (key) frames.
        if packet.size == 0:
            continue
        target = streams[packet.stream]
        if (
            target.type == "subtitle"
            and packet.stream.codec_context.name == "mov_text"
            and (target.codec_context.name != "mov_text")
        ):
            packet = _as_subrip(packet)
            if packet is None:
                continue
        if shift:
            _move(packet, shift)
        packet.stream = target
        mux(packet)
        result.packets += 1
    return result


def _holds_mov_text(out: Any) -> bool:
    return any(name in ("mp4", "mov") for name in out.format.name.split(","))


def _as_subrip(packet: Any) -> Any:
    """A mov_text cue as a SubRip packet: its text (after the two-byte length; the style boxes
    after the text are dropped), same times. None for the empty cues that clear the screen."""
    import av

    data = bytes(packet)
    length = int.from_bytes(data[:2], "big") if len(data) >= 2 else 0
    text = data[2 : 2 + length]
    if not text:
        return None
    out = av.Packet(text)
    out.pts, out.dts, out.duration = packet.pts, packet.dts, packet.duration
    out.time_base = packet.time_base
    return out


def _move(packet: Any, seconds: Fraction) -> None:
    ticks = round(seconds / packet.time_base)
    if packet.pts is not None:
        packet.pts += ticks
    if packet.dts is not None:
        packet.dts += ticks


def _add_streams(inp: Any, out: Any, result: CopyResult) -> dict[Any, Any]:
    """The output stream of each input stream whose packets are copied; attachments and cover
    pictures go into the header of a container that holds them."""
    import av

    from vcp.media.streams import (
        add_attachment,
        copy_stream_properties,
        holds_attachments,
        is_cover,
    )
    from vcp.media.subtitles import ASS_HEADER

    streams = {}
    for stream in inp.streams:
        codec = stream.codec_context.name if stream.codec_context is not None else "none"
        name = f"#{stream.index} {stream.type} ({codec})"
        try:
            if (stream.type == "attachment" or is_cover(stream)) and holds_attachments(out):
                add_attachment(out, stream, source=inp.name)
            elif codec == "mov_text" and not _holds_mov_text(out):  # read back as "srt"
                streams[stream] = out.add_stream("subrip")  # the same text, as Matroska holds it
                streams[stream].codec_context.subtitle_header = ASS_HEADER  # the encoder needs one
                copy_stream_properties(stream, streams[stream])
                streams[stream].time_base = stream.time_base
            elif stream.type in _COPIED:
                streams[stream] = out.add_stream_from_template(stream)
                copy_stream_properties(stream, streams[stream])
            else:
                result.dropped.append(name)
        except (av.FFmpegError, ValueError) as exc:
            log.warning("leaving out stream %s: %s", name, exc)
            result.dropped.append(name)
    return streams


def _av_chapter(number: int, chapter: Chapter, start: float) -> dict[str, Any]:
    """A chapter for PyAV, on the output's timeline, which begins at ``start`` seconds."""
    offset = round(start * 1000)
    return {
        "id": number,
        "start": chapter.start_ms + offset,
        "end": chapter.end_ms + offset,
        "time_base": _MS,
        "metadata": {"title": chapter.title},
    }
