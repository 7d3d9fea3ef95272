"""Sampled RGB frames of a video, one every ``interval`` seconds, for the vision detectors.

A sample is the first frame presented at or after ``k * interval``. Two ways to reach the samples,
chosen per file: decode every frame and keep the samples (cheap when keyframes are far apart: a
seek would decode most of the frames between them anyway, some twice), or seek to each sample's
keyframe and decode from there (cheap when keyframes are frequent and samples sparse, as in films
sampled once a second; see ``_seek_is_cheaper``). Frames are scaled and converted to RGB inside
the decoder (swscale), so Python never holds a full-size frame. ``iter_frames`` is a generator:
memory does not grow with the film's length.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Generator, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Literal

import av
import av.error
import numpy as np

from vcp.errors import MediaError
from vcp.media import DecodedUntil, DecodeProblem
from vcp.media.containers import UNDECODABLE_HINT, open_input, reason
from vcp.media.packets import packet_length, packet_time, read_packets
from vcp.media.probe import MediaInfo

__all__ = ["Frame", "Strategy", "fit_size", "iter_frames", "keyframe_spacing"]

Strategy = Literal["auto", "decode", "seek"]

logger = logging.getLogger(__name__)

# Timestamps are rounded to the stream's time base; a frame this close before a sample time is
# taken as being at it (a 1 ms time base puts 1.0 s at 0.9999 s or 1.001 s).
_TOLERANCE_SECONDS = 1e-3
# How much of the stream is demuxed (no decoding) to measure the keyframe spacing.
_SPACING_KEYFRAMES = 5
_SPACING_MIN_SECONDS = 4.0
# Seek to each sample when keyframes are at most this many intervals apart (see _seek_is_cheaper).
_SEEK_MAX_SPACING_INTERVALS = 2.0


@dataclass(frozen=True, slots=True)
class Frame:
    """One sampled frame: ``time`` in seconds from the start of the media, ``image`` an
    ``(height, width, 3)`` uint8 RGB array, ``source_size`` the video's ``(width, height)``."""

    time: float
    image: np.ndarray
    source_size: tuple[int, int]


class _Sampler:
    """Which decoded frames are samples: the first at or after each multiple of ``interval``;
    and how far the stream has decoded (``reached``: the end of the last packet that did)."""

    def __init__(self, interval: float) -> None:
        self.interval = interval
        self.target = 0.0
        self.reached = 0.0

    def wants(self, time: float) -> bool:
        return time >= self.target - _TOLERANCE_SECONDS

    def took(self, time: float) -> None:
        # Skip every sample time this frame already stands for (a gap in the stream).
        self.target = (math.floor((time + _TOLERANCE_SECONDS) / self.interval) + 1) * self.interval


def iter_frames(
    media: MediaInfo, *, interval: float, fit: int | None = None, strategy: Strategy = "auto"
) -> Iterator[Frame | DecodeProblem | DecodedUntil]:
    """Yield a ``Frame`` every ``interval`` seconds of ``media``'s first video stream, scaled so
    its longer side is ``fit`` pixels (unscaled when None), a ``DecodeProblem`` for each part
    that does not decode, and last a ``DecodedUntil``: how far the stream could be read (short
    of the film's end when the file is truncated). MediaError when there is no video stream or
    nothing decodes.

    ``strategy`` "auto" seeks when keyframes are at most two intervals apart and decodes every
    frame otherwise; "decode" and "seek" force one way (same samples, different cost)."""
    if interval <= 0:
        raise ValueError(f"interval must be positive, got {interval}")
    seek = strategy == "seek" or (strategy == "auto" and _seek_is_cheaper(media, interval))
    sampler = _Sampler(interval)
    decoded = False
    first_problem: DecodeProblem | None = None
    for item in _samples(media, sampler, seek=seek):
        if isinstance(item, DecodeProblem):
            first_problem = first_problem or item
            yield item
        else:
            decoded = True
            yield _to_frame(item, media, fit)
    if not decoded:
        _nothing_decoded(media, first_problem)
    yield DecodedUntil(min(sampler.reached, media.duration))


def _samples(media: MediaInfo, sampler: _Sampler, *, seek: bool) -> Iterator[Any]:
    """The sampled av.VideoFrames and DecodeProblems, by seeking or by decoding every frame."""
    if seek:
        with _open_video(media) as (container, stream):
            overshot = yield from _seeking(container, stream, media, sampler)
        if not overshot:
            return
        logger.debug("%s: seeking is not exact in this file; decoding every frame", media.path)
    resume = sampler.target - sampler.interval  # everything before was reported already
    with _open_video(media) as (container, stream):
        for item in _decoding(container, stream, media, sampler):
            if not (isinstance(item, DecodeProblem) and item.seconds < resume):
                yield item


def _seek_is_cheaper(media: MediaInfo, interval: float) -> bool:
    # A seek decodes from the keyframe before the sample: with keyframes every `spacing` seconds
    # that is on average (spacing / interval - 1) / 2 intervals of frames per sample, against one
    # interval when decoding everything; so seeking wins below 3 intervals between keyframes.
    # 2 leaves a margin for keyframes costing more to decode (measured on 720p H.264: with
    # keyframes every 2 s and a sample a second, seeking took 0.37 s where decoding took 0.53 s).
    spacing = keyframe_spacing(media)
    seek = spacing is not None and spacing <= _SEEK_MAX_SPACING_INTERVALS * interval
    logger.debug("%s: keyframes every %ss: %s", media.path, spacing, "seek" if seek else "decode")
    return seek


def keyframe_spacing(media: MediaInfo) -> float | None:
    """The mean seconds between keyframes over the first few, measured by demuxing packets
    without decoding. ``math.inf`` when only one keyframe starts the measured span; None when
    the video stream has no timed packets."""
    times: list[float] = []
    first: float | None = None
    with _open_video(media) as (container, stream):
        try:
            for packet in container.demux(stream):
                time = packet_time(packet)
                if time is None:
                    continue
                first = time if first is None else first
                if packet.is_keyframe:
                    times.append(time)
                if len(times) >= _SPACING_KEYFRAMES or time - first > _SPACING_MIN_SECONDS:
                    break
        except av.error.FFmpegError:
            pass  # a damaged start: decide on what was read; decoding reports the damage
    if first is None:
        return None
    if len(times) < 2:
        return math.inf
    return (times[-1] - times[0]) / (len(times) - 1)


def _decoding(container: Any, stream: Any, media: MediaInfo, sampler: _Sampler) -> Iterator[Any]:
    """Every frame decoded in order; the samples (av.VideoFrame) and problems are yielded."""
    for item in _decode(container.demux(stream), stream, media, sampler):
        if isinstance(item, DecodeProblem):
            yield item
        elif sampler.wants(time := _frame_time(item, media)):
            sampler.took(time)
            yield item


def _seeking(
    container: Any, stream: Any, media: MediaInfo, sampler: _Sampler
) -> Generator[Any, None, bool]:
    """For each sample time: seek to the keyframe before it and decode up to it. Returns True
    when a seek failed or landed past its target (some formats, e.g. MPEG-TS, seek only
    roughly): the caller then decodes the rest instead, which is exact."""
    seeked = False  # the first sample needs no seek: a file opens at its start
    while sampler.target < media.duration:
        target = sampler.target
        if seeked and not _seek(container, stream, target + media.start):
            return True  # no usable index: decoding every frame still finds the samples
        landed = False
        for item in _decode(container.demux(stream), stream, media, sampler):
            if isinstance(item, DecodeProblem):
                landed = True  # frames missing for damage, not for an inexact seek
                yield item
                continue
            time = _frame_time(item, media)
            if seeked and not landed and time > target + _TOLERANCE_SECONDS:
                return True
            landed = True
            if sampler.wants(time):
                sampler.took(time)
                yield item
                break
        else:  # the stream ended before the target
            return False
        seeked = True
    # Every sample is taken; decode the rest too, so that how far the stream reads is known
    # (a file cut short ends here, whatever its index promises).
    tail = _decode(container.demux(stream), stream, media, sampler)
    yield from (item for item in tail if isinstance(item, DecodeProblem))
    return False


def _seek(container: Any, stream: Any, seconds: float) -> bool:
    try:
        container.seek(_pts(seconds, stream), stream=stream, backward=True)
    except av.error.FFmpegError as exc:
        logger.debug("seeking to %.3f s failed (%s)", seconds, reason(exc))
        return False
    return True


def _decode(
    packets: Iterator[Any], stream: Any, media: MediaInfo, sampler: _Sampler
) -> Iterator[Any]:
    """Decoded frames (with a time) from ``packets``; a packet that fails to demux or decode
    becomes a DecodeProblem and decoding goes on (demuxing cannot: it ends there). Each packet
    that decodes moves ``sampler.reached`` to its end."""
    last = 0.0
    for packet in read_packets(packets, origin=media.start):
        if isinstance(packet, DecodeProblem):
            yield packet
            return
        time = packet_time(packet)
        _skip_unneeded(stream, None if time is None else time - media.start, sampler)
        last = _relative(time, media, default=last)
        try:
            frames = packet.decode()
        except av.error.EOFError:
            return  # the decoder was drained already (seeking reached the end): nothing follows
        except av.error.FFmpegError as exc:
            yield DecodeProblem(last, f"a video packet did not decode: {reason(exc)}")
            continue
        if time is not None and packet.size:
            sampler.reached = max(sampler.reached, last + packet_length(packet))
        yield from (f for f in frames if f.time is not None)


def _skip_unneeded(stream: Any, time: float | None, sampler: _Sampler) -> None:
    # A frame shown before the next sample time is never a sample; if no other frame refers to
    # it (most B-frames), the decoder may drop it unseen. Dropping them makes decoding H.264
    # about twice as fast, and the samples are the same frames as without.
    skip = "NONREF" if time is not None and not sampler.wants(time) else "DEFAULT"
    if stream.codec_context.skip_frame != skip:
        stream.codec_context.skip_frame = skip


def _to_frame(frame: Any, media: MediaInfo, fit: int | None) -> Frame:
    width, height = frame.width, frame.height
    out_w, out_h = fit_size(width, height, fit)
    rgb = frame.reformat(width=out_w, height=out_h, format="rgb24")
    return Frame(_frame_time(frame, media), rgb.to_ndarray(), (width, height))


def fit_size(width: int, height: int, fit: int | None) -> tuple[int, int]:
    """``(width, height)`` scaled so the longer side is ``fit``, keeping the aspect ratio."""
    if fit is None:
        return width, height
    scale = fit / max(width, height)
    return max(1, round(width * scale)), max(1, round(height * scale))


def _frame_time(frame: Any, media: MediaInfo) -> float:
    return max(float(frame.time) - media.start, 0.0)


def _relative(time: float | None, media: MediaInfo, *, default: float) -> float:
    return default if time is None else max(time - media.start, 0.0)


def _pts(seconds: float, stream: Any) -> int:
    pts: int = math.floor(seconds / stream.time_base)
    return pts


@contextmanager
def _open_video(media: MediaInfo) -> Iterator[tuple[Any, Any]]:
    """The open container and the video stream ``media.video`` names, with threaded decoding."""
    if media.video is None:
        raise MediaError(
            "the file has no video stream",
            where=str(media.path),
            hint="vision detectors need a video; audio-only files get speech detection only",
        )
    with open_input(media.path, doing="decoding the video", hint=UNDECODABLE_HINT) as container:
        stream = container.streams[media.video.index]
        stream.thread_type = "AUTO"
        yield container, stream


def _nothing_decoded(media: MediaInfo, problem: DecodeProblem | None) -> None:
    detail = f": {problem.message}" if problem else ""
    raise MediaError(f"no video frame could be decoded{detail}", where=str(media.path),
                     hint=UNDECODABLE_HINT)  # fmt: skip
