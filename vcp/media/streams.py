"""What a copy of a film keeps besides its packets: tags, flags, picture orientation, attachments.

Shared by ``vcp.media.chapters`` (a stream copy) and ``vcp.media.rewrite.writer`` (a copy with
some streams re-encoded), so that both keep the same things:

- the container's tags (title, comment, ...) and each stream's (language, title, handler name),
  less the statistics a muxer writes for itself, which a cut would make wrong;
- each stream's disposition (default, forced, hearing impaired, ...);
- a video's display matrix (a phone's "rotate 90°"), which an encoder does not carry over;
- attachments: fonts, and cover pictures, which FFmpeg reads from Matroska as one-frame video
  streams and which go back into Matroska as attachments, not as video.
"""

from __future__ import annotations

import struct
from typing import Any

import av
import av.error

from vcp.media.containers import open_input

__all__ = [
    "add_attachment",
    "copy_container_tags",
    "copy_stream_properties",
    "display_matrix",
    "holds_attachments",
    "is_cover",
]

# Tags a muxer writes itself (or mkvmerge's statistics, which a cut or a re-encode makes wrong).
_MUXER_TAGS = frozenset(
    {
        "duration",
        "encoder",
        "bps",
        "number_of_frames",
        "number_of_bytes",
        "_statistics_tags",
        "_statistics_writing_app",
        "_statistics_writing_date_utc",
    }
)
_COVER_TYPES = {"png": "image/png", "mjpeg": "image/jpeg", "bmp": "image/bmp", "webp": "image/webp"}


def copy_container_tags(source: Any, target: Any) -> None:
    """The input container's tags onto the output's (before its header is written)."""
    for key, value in source.metadata.items():
        if key.lower() not in _MUXER_TAGS:
            target.metadata[key] = value


def copy_stream_properties(source: Any, target: Any) -> None:
    """``source``'s tags and disposition onto ``target``, copied or re-encoded from it."""
    for key, value in source.metadata.items():
        if key.lower() not in _MUXER_TAGS:
            target.metadata[key] = value
    # FFmpeg reads an MP4 track's title as "name" but writes it (in any container) from "title".
    if "name" in target.metadata and "title" not in target.metadata:
        target.metadata["title"] = target.metadata.pop("name")
    target.disposition = source.disposition


def is_cover(stream: Any) -> bool:
    """True for a cover picture: a one-frame video stream flagged as an attached picture."""
    return stream.type == "video" and bool(stream.disposition & av.stream.Disposition.attached_pic)


def holds_attachments(container: Any) -> bool:
    """True when ``container`` (an output) stores attachments: Matroska does, MP4 does not."""
    return "matroska" in container.format.name


def add_attachment(target: Any, stream: Any, *, source: str) -> None:
    """Write ``stream`` of the file ``source`` (an attachment, or a cover picture) into
    ``target`` as an attachment, with its name and type."""
    if stream.type == "attachment":
        target.add_attachment(name=stream.name, mimetype=stream.mimetype, data=stream.data)
        return
    codec = stream.codec_context.name
    name = stream.metadata.get("filename") or f"cover.{'jpg' if codec == 'mjpeg' else codec}"
    mimetype = stream.metadata.get("mimetype") or _COVER_TYPES.get(codec, "image/png")
    attached = target.add_attachment(name=name, mimetype=mimetype, data=_picture(source, stream))
    for key, value in stream.metadata.items():
        attached.metadata.setdefault(key, value)  # a title or comment, if it has one


def _picture(source: str, stream: Any) -> bytes:
    """The picture of a cover stream: its one packet, read from a second opening of the file
    (demuxing the first would take packets away from the copy)."""
    with open_input(source, doing="reading a cover picture") as again:
        for packet in again.demux(again.streams[stream.index]):
            if packet.size:
                return bytes(packet)
    return b""


def display_matrix(source: str, index: int) -> list[int] | None:
    """The display matrix (nine integers, FFmpeg's ``DISPLAYMATRIX`` layout) a player applies to
    the video stream ``index`` of the file ``source``, read from its first decoded frame; None
    when the picture is shown as stored."""
    with open_input(source, doing="reading the picture's orientation") as again:
        stream = again.streams[index]
        try:
            frame: Any = next(iter(again.decode(stream)), None)
        except av.error.FFmpegError:
            return None  # the copy reports the damage; the picture keeps its stored orientation
    if frame is None:
        return None
    matrix = next((d for d in frame.side_data if d.type.name == "DISPLAYMATRIX"), None)
    return list(struct.unpack("=9i", bytes(matrix))) if matrix is not None else None
