"""Small JPEG stills of a video at given times, for the review page.

``grab_thumbnails(video, times)`` opens the video once, seeks to the key frame before each time and
decodes forward to the first frame at or after it, scales it to ``width`` pixels (height keeps the
aspect ratio) and encodes it with FFmpeg's MJPEG encoder, so no imaging library is needed.
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction
from pathlib import Path
from typing import Any

from vcp.errors import MediaError

__all__ = ["THUMBNAIL_WIDTH", "grab_thumbnails"]

THUMBNAIL_WIDTH = 160


def grab_thumbnails(
    video: Path, times: Sequence[float], *, width: int = THUMBNAIL_WIDTH
) -> list[bytes | None]:
    """A JPEG per time in ``times`` (``None`` where no frame could be decoded)."""
    import av

    try:
        with av.open(str(video)) as container:
            if not container.streams.video:
                return [None] * len(times)
            stream = container.streams.video[0]
            return [_still(container, stream, t, width) for t in times]
    except (av.FFmpegError, OSError) as exc:
        raise MediaError(
            f"cannot read stills from {video.name!r}: {exc}",
            where=str(video),
            hint="check that the video plays, or review without thumbnails (--no-stills)",
        ) from exc


def _still(container: Any, stream: Any, seconds: float, width: int) -> bytes | None:
    import av

    offset = int(seconds / stream.time_base) + (stream.start_time or 0)
    container.seek(offset, stream=stream, backward=True, any_frame=False)
    last = None
    try:
        for frame in container.decode(stream):
            last = frame
            if frame.time is not None and frame.time >= seconds - 1e-3:
                break
    except av.FFmpegError:  # a damaged stretch: use what was decoded before it, if anything
        pass
    return _jpeg(last, width) if last is not None else None


def _jpeg(frame: Any, width: int) -> bytes:
    import av

    height = max(2, round(width * frame.height / frame.width / 2) * 2)
    small = frame.reformat(width=width, height=height, format="yuvj420p")
    encoder = av.CodecContext.create("mjpeg", "w")
    encoder.width, encoder.height, encoder.pix_fmt = width, height, "yuvj420p"
    encoder.time_base = Fraction(1, 25)  # any will do: one frame is encoded
    small.pts = 0
    return b"".join(bytes(p) for p in (*encoder.encode(small), *encoder.encode(None)))
