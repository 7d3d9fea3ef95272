"""The kinds of stream vcp names, one vocabulary for every layer: what ``vcp.media.probe`` finds
in a file (``StreamKind``) and the two kinds that detectors read and reports' segments act on
(``MediaKind``). Literal strings, so they are what reports and ``--format json`` write."""

from __future__ import annotations

from typing import Literal, get_args

__all__ = ["MEDIA_KINDS", "STREAM_KINDS", "MediaKind", "StreamKind"]

# "attachment" also covers a cover picture (a one-frame video stream flagged as attached).
StreamKind = Literal["video", "audio", "subtitle", "data", "attachment"]
MediaKind = Literal["video", "audio"]  # the streams a detector reads and a segment acts on

STREAM_KINDS: tuple[StreamKind, ...] = get_args(StreamKind)
MEDIA_KINDS: tuple[MediaKind, ...] = get_args(MediaKind)
