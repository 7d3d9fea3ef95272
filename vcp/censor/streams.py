"""Which streams ``censor`` copies, re-encodes or leaves out, decided before any media is read.

Pure: it sees the probed stream list and the edit plan, and asks ``encoder_for`` (supplied by
``vcp.media.rewrite.writer``) whether PyAV can write a codec. Copying is the default: audio is
re-encoded only when an audio edit or a skip touches it, the film's video only when a video edit
does. Subtitle streams are always copied; with ``masks_subtitles`` a picture subtitle stream
(DVD, Blu-ray, DVB), whose words cannot be read, gets a notice.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from vcp.actions import EditPlan
from vcp.media.subtitles import TEXT_CODECS

if TYPE_CHECKING:
    from vcp.media.probe import StreamInfo

__all__ = [
    "FALLBACK_AUDIO_ENCODER",
    "MIN_AUDIO_BIT_RATE_PER_CHANNEL",
    "VIDEO_ENCODER",
    "StreamJob",
    "StreamPlan",
    "plan_streams",
]

FALLBACK_AUDIO_ENCODER = "aac"
MIN_AUDIO_BIT_RATE_PER_CHANNEL = 64_000
VIDEO_ENCODER = "libx264"
StreamAction = Literal["copy", "encode"]


@dataclass(frozen=True, slots=True)
class StreamJob:
    """What happens to one input stream: copied packet for packet, or decoded and re-encoded."""

    index: int
    type: str
    action: StreamAction
    source_codec: str
    codec: str  # the encoder written with, or the source codec when copied
    bit_rate: int | None = None
    note: str | None = None  # said to the user, e.g. that AAC replaced an unsupported codec


@dataclass(frozen=True, slots=True)
class StreamPlan:
    """Every stream's job, in input order, and what the user should be told about the choices."""

    jobs: tuple[StreamJob, ...]
    notices: tuple[str, ...]

    @property
    def copies_everything(self) -> bool:
        """True when nothing is re-encoded (the output is a remux)."""
        return all(job.action == "copy" for job in self.jobs)

    def job(self, index: int) -> StreamJob | None:
        """The job of input stream ``index``."""
        return next((j for j in self.jobs if j.index == index), None)


def plan_streams(
    streams: Sequence[StreamInfo],
    plan: EditPlan,
    *,
    encoder_for: Callable[[StreamInfo], str | None],
    masks_subtitles: bool = False,
) -> StreamPlan:
    """Each stream's job. ``encoder_for(stream)`` names PyAV's encoder for an audio stream's
    codec, or None when there is none that can write it. ``masks_subtitles``: text subtitle
    streams are copied with their listed words masked."""
    film = next((s.index for s in streams if s.type == "video"), None)
    audio_changes = bool(plan.audio or plan.skips)
    jobs: list[StreamJob] = []
    for stream in streams:
        if stream.type == "audio" and audio_changes:
            jobs.append(_audio_job(stream, encoder_for))
        elif stream.index == film and plan.video:
            jobs.append(_encode(stream, VIDEO_ENCODER))
        else:
            jobs.append(_copy(stream, masks_subtitles=masks_subtitles))
    return StreamPlan(tuple(jobs), tuple(_notices(streams, plan, film)))


def _copy(stream: StreamInfo, *, masks_subtitles: bool) -> StreamJob:
    note = None
    if masks_subtitles and stream.type == "subtitle" and stream.codec not in TEXT_CODECS:
        note = (
            f"subtitle stream {stream.index} ({stream.codec}) is pictures, not text: copied as "
            "it is, its words could not be checked"
        )
    elif masks_subtitles and stream.type == "subtitle":
        note = f"subtitle stream {stream.index} ({stream.codec}): listed words masked"
    return StreamJob(stream.index, stream.type, "copy", stream.codec, stream.codec, note=note)


def _audio_job(stream: StreamInfo, encoder_for: Callable[[StreamInfo], str | None]) -> StreamJob:
    encoder = encoder_for(stream)
    if encoder is not None:
        return _encode(stream, encoder)
    note = (
        f"audio stream {stream.index}: PyAV has no encoder for {stream.codec!r} at "
        f"{stream.sample_rate} Hz, {stream.channels} channel(s); "
        f"re-encoded as AAC instead"
    )
    return _encode(stream, FALLBACK_AUDIO_ENCODER, note=note)


def _encode(stream: StreamInfo, encoder: str, *, note: str | None = None) -> StreamJob:
    rate = None
    if stream.type == "audio" and stream.bit_rate:
        # A second lossy generation at a low rate is audibly worse than the first: keep the
        # source's rate, but never below a floor per channel.
        floor = MIN_AUDIO_BIT_RATE_PER_CHANNEL * (stream.channels or 2)
        rate = max(stream.bit_rate, floor)
    return StreamJob(stream.index, stream.type, "encode", stream.codec, encoder, rate, note)


def _notices(streams: Sequence[StreamInfo], plan: EditPlan, film: int | None) -> list[str]:
    has_audio = any(s.type == "audio" for s in streams)
    notices = []
    if not plan.audio and not plan.video:
        notices.append(
            "no segment needs an action (none found, all allowed, or their actions are 'none'): "
            "the output is a copy of every stream"
        )
    if plan.audio and not has_audio:
        notices.append(
            f"the file has no audio stream: the {len(plan.audio)} audio edit(s) have nothing to "
            "act on, so its streams are copied through"
        )
    changes_picture = any(e.action != "skip" for e in plan.video)
    if changes_picture and film is None:
        notices.append("the file has no video stream: 'blank' and 'blur' have nothing to act on")
    return notices
