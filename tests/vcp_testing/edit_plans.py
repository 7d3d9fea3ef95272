"""A film's streams and an edit of each kind, for the pure tests of what censor plans, what the
rewrite's edits do to samples and pixels, and what the censor progress renderer prints."""

from __future__ import annotations

from vcp.actions import AudioEdit, VideoEdit
from vcp.media.probe import StreamInfo

STREAMS = (
    StreamInfo(0, "video", "h264", width=320, height=240),
    StreamInfo(1, "audio", "aac", sample_rate=48000, channels=2, bit_rate=128000),
    StreamInfo(2, "audio", "dts", sample_rate=48000, channels=6),
    StreamInfo(3, "subtitle", "subrip"),
)
MUTE = AudioEdit(1.0, 2.0, "mute", ("profanity",), (1,))
SKIP = VideoEdit(3.0, 4.0, "skip", ("nudity",), (2,))
BLANK = VideoEdit(5.0, 6.0, "blank", ("gore",), (3,))


def encoders(stream: StreamInfo) -> str | None:
    """An encoder lookup that knows AAC and H.264 only (the writer's is ``encoder_for``)."""
    return {"aac": "aac", "h264": "libx264"}.get(stream.codec)
