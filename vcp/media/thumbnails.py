"""Small JPEG stills of a video at given times, for the review page.

``grab_thumbnails(video, times)`` opens the video once, seeks to the key frame before each time and
decodes forward to the first frame at or after it, scales it to ``width`` pixels (height keeps the
aspect ratio) and encodes it with FFmpeg's MJPEG encoder, so no imaging library is needed. A file
that refuses to seek is decoded once from its start instead. Times count from the container's
start time, as everywhere in vcp (``vcp.media.probe.container_start``).
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from fractions import Fraction
from pathlib import Path
from typing import Any

__all__ = ["THUMBNAIL_WIDTH", "grab_thumbnails"]

THUMBNAIL_WIDTH = 160
_TOLERANCE_SECONDS = 1e-3  # timestamps are rounded to the stream's time base
_HINT = "check that the video plays; the review page is still written without its stills"


def grab_thumbnails(
    video: Path, times: Sequence[float], *, width: int = THUMBNAIL_WIDTH
) -> list[bytes | None]:
    """A JPEG per time in ``times`` (``None`` where no frame could be decoded). MediaError when
    the video cannot be read."""
    from vcp.media.containers import open_input  # PyAV is loaded only when stills are made
    from vcp.media.probe import container_start

    with open_input(video, doing="reading stills", hint=_HINT) as container:
        if not container.streams.video:
            return [None] * len(times)
        targets = [container_start(container) + t for t in times]  # on the container's timeline
        frames = _seek_frames(container, targets)
        if frames is not None:
            return _jpegs(frames, width)
    # A file without a usable index (some Matroska cuts): read it once from its start.
    with open_input(video, doing="reading stills", hint=_HINT) as again:
        return _jpegs(_in_one_pass(again, again.streams.video[0], targets), width)


def _jpegs(frames: Sequence[Any], width: int) -> list[bytes | None]:
    return [_jpeg(frame, width) if frame is not None else None for frame in frames]


def _seek_frames(container: Any, targets: Sequence[float]) -> list[Any] | None:
    """The first frame at or after each target, seeking to each; None when seeking fails."""
    import av

    stream = container.streams.video[0]
    try:
        return [_seek_frame(container, stream, at) for at in targets]
    except av.FFmpegError:
        return None


def _seek_frame(container: Any, stream: Any, at: float) -> Any:
    """The first frame shown at or after ``at`` (seconds on the container's timeline)."""
    container.seek(math.floor(at / stream.time_base), stream=stream, backward=True)
    last = None
    for frame in _timed(container, stream):
        last = frame
        if frame.time >= at - _TOLERANCE_SECONDS:
            break
    return last


def _in_one_pass(container: Any, stream: Any, targets: Sequence[float]) -> list[Any]:
    """For each target, the first frame at or after it, decoding the file once from its start."""
    order = sorted(range(len(targets)), key=lambda i: targets[i])
    found: list[Any] = [None] * len(targets)
    last, waiting = None, iter(order)
    current = next(waiting, None)
    for frame in _timed(container, stream):
        last = frame
        while current is not None and frame.time >= targets[current] - _TOLERANCE_SECONDS:
            found[current], current = frame, next(waiting, None)
        if current is None:
            break
    for index in order:  # past the end: the last frame there is, as a seek would give
        found[index] = found[index] if found[index] is not None else last
    return found


def _timed(container: Any, stream: Any) -> Iterator[Any]:
    """Decoded frames that carry a time; a damaged stretch ends the run with what came before."""
    import av

    try:
        for frame in container.decode(stream):
            if frame.time is not None:
                yield frame
    except av.FFmpegError:
        return


def _jpeg(frame: Any, width: int) -> bytes:
    import av

    height = max(2, round(width * frame.height / frame.width / 2) * 2)
    small = frame.reformat(width=width, height=height, format="yuvj420p")
    encoder = av.CodecContext.create("mjpeg", "w")
    encoder.width, encoder.height, encoder.pix_fmt = width, height, "yuvj420p"
    encoder.time_base = Fraction(1, 25)  # any will do: one frame is encoded
    small.pts = 0
    return b"".join(bytes(p) for p in (*encoder.encode(small), *encoder.encode(None)))
