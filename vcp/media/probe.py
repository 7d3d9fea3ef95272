"""What a media file holds: its container, duration and streams, read once without decoding.

``probe(path)`` is the one place that opens an input for the first time, so every way an input can
be unusable (missing, a folder, unreadable, not media, no audio or video, no duration) becomes a
``MediaError`` here, with the path and what to do about it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

import av

from vcp.core.streams import STREAM_KINDS, MediaKind, StreamKind
from vcp.errors import MediaError
from vcp.media.containers import open_input

__all__ = ["MediaInfo", "StreamInfo", "container_start", "packets_end", "probe"]

_MICROSECONDS = 1_000_000  # av.time_base: the unit of container.duration and start_time


@dataclass(frozen=True, slots=True)
class StreamInfo:
    """One stream of a media file. Video streams fill ``width``/``height``/``fps``, audio streams
    ``sample_rate``/``channels``/``bit_rate``; ``language`` is the stream's tag and ``duration``
    (seconds) the stream's own length, when the file says."""

    index: int
    type: StreamKind
    codec: str
    duration: float | None = None
    width: int | None = None
    height: int | None = None
    fps: float | None = None
    sample_rate: int | None = None
    channels: int | None = None
    bit_rate: int | None = None
    language: str | None = None

    def to_json(self) -> dict[str, Any]:
        """The stream as a JSON object, without the fields that do not apply to its type."""
        out: dict[str, Any] = {"index": self.index, "type": self.type, "codec": self.codec}
        keys = ("duration", "width", "height", "fps", "sample_rate", "channels", "bit_rate")
        for key in (*keys, "language"):
            value = getattr(self, key)
            if value is not None:
                out[key] = round(value, 3) if isinstance(value, float) else value
        return out


@dataclass(frozen=True, slots=True)
class MediaInfo:
    """A probed media file. ``start`` is the container's start time in seconds (negative, zero
    or positive, as the file says): every time vcp reads or writes is measured from it, as a
    player's clock is, so that ``0.0`` is the first moment of the film. ``duration`` (seconds)
    is the film's length from that moment: the container's, else the longest stream's."""

    path: Path
    size: int
    format_name: str
    duration: float
    streams: tuple[StreamInfo, ...]
    start: float = 0.0

    @property
    def video(self) -> StreamInfo | None:
        """The first video stream, or None."""
        return self._first("video")

    @property
    def audio(self) -> StreamInfo | None:
        """The first audio stream, or None."""
        return self._first("audio")

    def _first(self, kind: MediaKind) -> StreamInfo | None:
        return next((s for s in self.streams if s.type == kind), None)

    def to_json(self) -> dict[str, Any]:
        """The report's ``input`` section."""
        return {
            "path": str(self.path),
            "size": self.size,
            "format": self.format_name,
            "duration": round(self.duration, 3),
            "streams": [s.to_json() for s in self.streams],
        }


def probe(path: str | os.PathLike[str]) -> MediaInfo:
    """Read ``path``'s container and streams (no decoding). MediaError when it cannot be used."""
    path = Path(path)
    size = _check_file(path)
    with open_input(path) as container:
        info = _media_info(path, size, container)
    _check_usable(info)
    return info


def packets_end(path: str | os.PathLike[str]) -> float:
    """Where the last packet of ``path`` ends, in seconds from its first: the film's length
    measured by reading it (no decoding), for when its header cannot be believed. 0.0 when
    nothing can be read."""
    end = 0.0
    try:
        with open_input(path) as container:
            start = container_start(container)
            for packet in container.demux():
                if packet.pts is None or packet.time_base is None:
                    continue
                length = float((packet.pts + (packet.duration or 0)) * packet.time_base)
                end = max(end, length - start)
    except MediaError:
        pass  # as far as it could be read
    return end


def _check_file(path: Path) -> int:
    """The file's size, after checking it is a readable, non-empty regular file."""
    if not path.exists():
        raise MediaError(
            "no such file", where=str(path), hint="check the path (and its spelling) and try again"
        )
    if path.is_dir():
        raise MediaError(
            "this is a folder, not a media file",
            where=str(path),
            hint="pass a video file, or a folder to `vcp analyze` to search it for videos",
        )
    if not os.access(path, os.R_OK):
        raise MediaError(
            "permission denied: the file is not readable",
            where=str(path),
            hint="give your user read permission on the file (chmod u+r)",
        )
    size = path.stat().st_size
    if size == 0:
        raise MediaError(
            "the file is empty (0 bytes)",
            where=str(path),
            hint="the file was not written completely: re-download or re-export it",
        )
    return size


def _media_info(path: Path, size: int, container: Any) -> MediaInfo:
    streams = tuple(_stream_info(s) for s in container.streams)
    start = container_start(container)
    return MediaInfo(
        path=path,
        size=size,
        format_name=container.format.name,
        duration=_duration(container, start),
        streams=streams,
        start=start,
    )


def container_start(container: Any) -> float:
    """An open container's start time in seconds, of either sign (0.0 when it has none): where a
    player's clock reads zero. Every time in vcp counts from it."""
    start = container.start_time
    return float(start / _MICROSECONDS) if start is not None else 0.0


def _duration(container: Any, start: float) -> float:
    if container.duration is not None and container.duration > 0:
        length = float(container.duration / _MICROSECONDS)
        # FFmpeg reads Matroska's duration as the last timestamp (the format counts it from
        # timestamp 0, not from the first frame); every other demuxer gives the length itself.
        if "matroska" in container.format.name:
            length -= start
        if length > 0:
            return length
    ends = [_stream_end(s) for s in container.streams]
    return max((end - start for end in ends if end is not None), default=0.0)


def _stream_duration(stream: Any) -> float | None:
    if stream.duration is None or stream.time_base is None or stream.duration <= 0:
        return None
    return float(stream.duration * stream.time_base)


def _stream_end(stream: Any) -> float | None:
    """The stream's last moment on the container's timeline, in seconds, when the file says."""
    length = _stream_duration(stream)
    if length is None:
        return None
    return float((stream.start_time or 0) * stream.time_base) + length


def _kind(stream: Any) -> StreamKind:
    if stream.type == "video" and stream.disposition & av.stream.Disposition.attached_pic:
        return "attachment"  # cover art of a song or an audiobook: one still, not a video
    kind: StreamKind = stream.type if stream.type in STREAM_KINDS else "data"
    return kind


def _stream_info(stream: Any) -> StreamInfo:
    kind = _kind(stream)
    codec = stream.codec_context.name if stream.codec_context is not None else "unknown"
    common: dict[str, Any] = {
        "index": stream.index,
        "type": kind,
        "codec": codec,
        "language": _language(stream),
        "duration": _stream_duration(stream),
    }
    if kind == "video":
        rate = stream.average_rate or stream.guessed_rate
        return StreamInfo(
            **common,
            width=stream.codec_context.width or None,
            height=stream.codec_context.height or None,
            fps=float(rate) if isinstance(rate, Fraction) and rate > 0 else None,
        )
    if kind == "audio":
        return StreamInfo(
            **common,
            sample_rate=stream.codec_context.sample_rate or None,
            channels=stream.codec_context.channels or None,
            bit_rate=stream.codec_context.bit_rate or stream.bit_rate or None,
        )
    return StreamInfo(**common)


def _language(stream: Any) -> str | None:
    tag = stream.metadata.get("language") or getattr(stream, "language", None)
    return None if not tag or tag == "und" else str(tag)  # "und": ISO 639 for "undetermined"


def _check_usable(info: MediaInfo) -> None:
    if info.video is None and info.audio is None:
        kinds = ", ".join(sorted({s.type for s in info.streams})) or "no streams at all"
        raise MediaError(
            f"the file has no video and no audio stream ({kinds})",
            where=str(info.path),
            hint="pass a file that holds a video or an audio track",
        )
    if info.duration <= 0:
        raise MediaError(
            "the file has zero duration: it holds no frames or samples",
            where=str(info.path),
            hint="the file is empty or was not written completely: re-export it",
        )
