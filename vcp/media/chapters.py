"""A stream copy of a film with chapters added: nothing is decoded or re-encoded.

``write_with_chapters(source, target, chapters)`` copies every video, audio and subtitle stream
packet by packet into ``target`` (Matroska for ``.mkv``, MP4 for ``.mp4``) with the given chapter
list, through PyAV's ``OutputContainer.set_chapters``. It writes a hidden temporary file beside
``target`` and renames it, so ``target`` is either the old file or the complete new one.
Streams the target container cannot hold (an MP4 data track in Matroska, say) are left out and
named in the returned ``CopyResult``.
"""

from __future__ import annotations

import contextlib
import logging
import os
import secrets
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any

from vcp.errors import MediaError, UsageError

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
    """Copy ``source`` to ``target`` with ``chapters``; raises MediaError or UsageError."""
    fmt = _FORMATS.get(target.suffix.lower())
    if fmt is None:
        raise UsageError(
            f"cannot write chapters to a {target.suffix or 'suffix-less'} file",
            where=str(target),
            hint="name the output .mkv or .mp4",
        )
    _check_source(source)
    tmp = target.with_name(f".{target.stem}.{secrets.token_hex(4)}.part{target.suffix}")
    try:
        result = _copy(source, tmp, fmt, chapters)
        os.replace(tmp, target)
    finally:
        with contextlib.suppress(OSError):
            tmp.unlink()
    return result


def _check_source(source: Path) -> None:
    if not source.is_file():
        raise MediaError(
            f"the video {source.name!r} is not there",
            where=str(source),
            hint="the chapters format copies the film: give the video, or a report whose "
            "input.path points at it",
        )


def _copy(source: Path, tmp: Path, fmt: str, chapters: list[Chapter]) -> CopyResult:
    import av  # only the chapters format needs PyAV

    try:
        with av.open(str(source)) as inp, av.open(str(tmp), "w", format=fmt) as out:
            return _remux(inp, out, chapters)
    except av.FFmpegError as exc:
        raise MediaError(
            f"copying {source.name!r} failed: {exc}",
            where=str(source),
            hint="check that the video plays; a damaged file cannot be copied",
        ) from exc
    except OSError as exc:
        raise UsageError(
            f"cannot write {tmp.parent}: {exc.strerror or exc}",
            where=str(tmp.parent),
            hint="choose a writable output folder with -o",
        ) from exc


def _remux(inp: Any, out: Any, chapters: list[Chapter]) -> CopyResult:
    result = CopyResult()
    streams = _add_streams(inp, out, result)
    out.set_chapters([_av_chapter(i, c) for i, c in enumerate(chapters, start=1)])
    mux = out.mux_one  # the loop runs once per packet (about 70 per second of film): keep it lean
    for packet in inp.demux(list(streams)):
        # Skip only the empty end-of-stream packets: a Matroska source's first packets have no
        # dts either, so ``dts is None`` would drop real (key) frames.
        if packet.size == 0:
            continue
        packet.stream = streams[packet.stream]
        mux(packet)
        result.packets += 1
    return result


def _add_streams(inp: Any, out: Any, result: CopyResult) -> dict[Any, Any]:
    import av

    streams = {}
    for stream in inp.streams:
        name = f"#{stream.index} {stream.type} ({stream.codec_context.name})"
        if stream.type not in _COPIED:
            result.dropped.append(name)
            continue
        try:
            streams[stream] = out.add_stream_from_template(stream)
        except (av.FFmpegError, ValueError) as exc:
            log.warning("leaving out stream %s: %s", name, exc)
            result.dropped.append(name)
    return streams


def _av_chapter(number: int, chapter: Chapter) -> dict[str, Any]:
    return {
        "id": number,
        "start": chapter.start_ms,
        "end": chapter.end_ms,
        "time_base": _MS,
        "metadata": {"title": chapter.title},
    }
