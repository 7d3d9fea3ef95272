"""An audio stream as overlapping windows of 16 kHz mono float32 samples, for speech detectors.

The decoder resamples (``av.AudioResampler``), so Python only ever holds the small mono signal, and
``iter_audio`` keeps one window's worth of it: memory does not grow with the film's length.
Consecutive windows overlap by ``overlap_seconds`` so that a word cut by one window's end is whole
in the next; a consumer that keeps each word from one window only (say, the window whose
non-overlapped core holds the word's middle) reports it once.

Window times come from the stream's own timestamps (the resampler keeps them, in samples), measured
from the container's start like ``vcp.media.probe.MediaInfo.start`` (of either sign: a player's
clock reads zero there). A hole in the timestamps up to
a window long is filled with silence so later samples keep their true time; a longer hole starts a
fresh window at the later time.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import av
import av.error
import numpy as np

from vcp.errors import MediaError
from vcp.media import DecodedUntil, DecodeProblem
from vcp.media.containers import UNDECODABLE_HINT, open_input, reason
from vcp.media.packets import packet_time, read_packets
from vcp.media.probe import MediaInfo

__all__ = ["AudioWindow", "iter_audio"]

SAMPLE_RATE = 16000
DEFAULT_WINDOW_SECONDS = 180.0
DEFAULT_OVERLAP_SECONDS = 5.0
# Timestamps are rounded by codecs; a jump smaller than this is jitter, not a hole.
_JITTER_SECONDS = 0.01
# A hole in the timestamps at least this long is reported (shorter ones are filled silently).
_HOLE_NOTICE_SECONDS = 1.0


@dataclass(frozen=True, slots=True)
class AudioWindow:
    """``samples`` (float32, mono, ``sample_rate`` Hz) starting ``start`` seconds into the media."""

    start: float
    samples: np.ndarray
    sample_rate: int = SAMPLE_RATE

    @property
    def end(self) -> float:
        """Seconds into the media just after the last sample."""
        return self.start + len(self.samples) / self.sample_rate


class _Windower:
    """Cuts a sample stream (positions in samples) into overlapping windows of one buffer."""

    def __init__(self, size: int, overlap: int, rate: int) -> None:
        self.buffer = np.zeros(size, dtype=np.float32)
        self.overlap, self.rate = overlap, rate
        self.start: int | None = None  # position of buffer[0]
        self.filled = 0
        self.carried = 0  # samples at the buffer's head already sent in the previous window

    @property
    def end(self) -> float:
        """Seconds into the media just after the last sample fed."""
        return 0.0 if self.start is None else (self.start + self.filled) / self.rate

    def gap(self, position: int | None) -> int:
        """Samples missing between what the buffer holds and ``position`` (negative: overlap)."""
        if position is None or self.start is None:
            return 0
        return position - (self.start + self.filled)

    def feed(self, position: int | None, samples: np.ndarray) -> Iterator[AudioWindow]:
        """Add ``samples`` whose first one is at ``position`` (None: right after the last)."""
        if self.start is None:
            self.start = position or 0
        gap = self.gap(position)
        if gap > len(self.buffer):
            yield from self.flush()
            self.start, self.filled, self.carried = position, 0, 0
        elif gap > _JITTER_SECONDS * self.rate:
            yield from self._append(np.zeros(gap, dtype=np.float32))
        elif gap < -_JITTER_SECONDS * self.rate:
            samples = samples[-gap:]  # already covered: keep the first copy
        yield from self._append(samples)

    def _append(self, samples: np.ndarray) -> Iterator[AudioWindow]:
        while len(samples):
            n = min(len(self.buffer) - self.filled, len(samples))
            self.buffer[self.filled : self.filled + n] = samples[:n]
            self.filled += n
            samples = samples[n:]
            if self.filled == len(self.buffer):
                yield self._window()
                self._shift()

    def _shift(self) -> None:
        assert self.start is not None
        hop = len(self.buffer) - self.overlap
        self.buffer[: self.overlap] = self.buffer[hop:]
        self.start += hop
        self.filled = self.carried = self.overlap

    def flush(self) -> Iterator[AudioWindow]:
        if self.filled > self.carried:
            yield self._window()
        self.filled = self.carried = 0

    def _window(self) -> AudioWindow:
        assert self.start is not None
        samples = self.buffer[: self.filled].copy()
        return AudioWindow(self.start / self.rate, samples, self.rate)


def iter_audio(
    media: MediaInfo,
    *,
    window_seconds: float = DEFAULT_WINDOW_SECONDS,
    overlap_seconds: float = DEFAULT_OVERLAP_SECONDS,
    sample_rate: int = SAMPLE_RATE,
) -> Iterator[AudioWindow | DecodeProblem | DecodedUntil]:
    """Yield ``media``'s first audio stream (``media.audio``) as mono float32 windows of
    ``window_seconds`` that overlap by ``overlap_seconds``; the last window is shorter. A packet
    that does not decode becomes a ``DecodeProblem`` and decoding goes on; last comes a
    ``DecodedUntil``: how far the audio could be read. MediaError when there is no audio stream
    or nothing decodes."""
    if not 0 <= overlap_seconds < window_seconds:
        raise ValueError(f"need 0 <= overlap ({overlap_seconds}) < window ({window_seconds})")
    if media.audio is None:
        raise MediaError(
            "the file has no audio stream",
            where=str(media.path),
            hint="speech detection needs an audio track; disable the speech detector for this file",
        )
    size, overlap = round(window_seconds * sample_rate), round(overlap_seconds * sample_rate)
    windower = _Windower(size, overlap, sample_rate)
    decoded = False
    first_problem: DecodeProblem | None = None
    origin = round(media.start * sample_rate)
    with open_input(media.path, doing="decoding the audio", hint=UNDECODABLE_HINT) as container:
        stream = container.streams[media.audio.index]
        resampler = av.AudioResampler(format="flt", layout="mono", rate=sample_rate)
        for item in _resampled(container, stream, resampler, media.start):
            if isinstance(item, DecodeProblem):
                first_problem = first_problem or item
                yield item
                continue
            decoded = True
            position = _position(item, sample_rate, origin)
            yield from _hole(windower, position)
            yield from windower.feed(position, item.to_ndarray()[0])
    if not decoded:
        detail = f": {first_problem.message}" if first_problem else ""
        raise MediaError(f"no audio could be decoded{detail}", where=str(media.path),
                         hint=UNDECODABLE_HINT)  # fmt: skip
    reached = windower.end
    yield from windower.flush()
    yield DecodedUntil(reached)


def _hole(windower: _Windower, position: int | None) -> Iterator[DecodeProblem]:
    """A notice when the stream's timestamps skip ahead by at least _HOLE_NOTICE_SECONDS."""
    hole = windower.gap(position) / windower.rate
    if position is not None and hole >= _HOLE_NOTICE_SECONDS:
        yield DecodeProblem(position / windower.rate - hole, f"{hole:.1f} s of audio missing")


def _resampled(container: Any, stream: Any, resampler: Any, origin: float) -> Iterator[Any]:
    """Resampled frames of ``stream`` and DecodeProblems, in order, then the resampler's tail;
    a packet that fails to decode becomes a DecodeProblem and decoding goes on."""
    last = 0.0
    for packet in read_packets(container.demux(stream), origin=origin):
        if isinstance(packet, DecodeProblem):
            yield packet
            break
        time = packet_time(packet)
        last = last if time is None else max(time - origin, 0.0)
        try:
            frames = packet.decode()
        except av.error.FFmpegError as exc:
            yield DecodeProblem(last, f"an audio packet did not decode: {reason(exc)}")
            continue
        for frame in frames:
            yield from resampler.resample(frame)
    yield from resampler.resample(None)


def _position(frame: Any, rate: int, origin: int) -> int | None:
    """The frame's first sample, counted in samples at ``rate`` from the media's start."""
    if frame.pts is None or frame.time_base is None:
        return None
    first: int = round(frame.pts * frame.time_base * rate)
    return first - origin
