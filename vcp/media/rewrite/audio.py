"""Re-encoding one audio stream with the plan's mutes, bleeps and skips applied.

Frames are converted to planar float (the source's rate and channel layout), edited as arrays by
``vcp.media.rewrite.edits``, and handed to the encoder, which re-chunks them to its frame size.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterator, Sequence
from fractions import Fraction
from typing import Any, Generic, TypeVar

import av
import numpy as np

from vcp.actions import AudioEdit, EditPlan, VideoEdit
from vcp.config.schema.actions import BleepSettings
from vcp.media.rewrite.edits import Samples, apply_audio_edits, kept_samples

__all__ = ["AudioCensor"]

_Edit = TypeVar("_Edit", AudioEdit, VideoEdit)
_GAP_TOLERANCE_SECONDS = 0.05  # timestamp jitter below this is absorbed; above it, a real gap


class AudioCensor:
    """Decodes ``source``'s packets, edits the samples, muxes ``codec`` packets into ``output``."""

    def __init__(
        self,
        output: Any,
        source: Any,
        *,
        codec: str,
        bit_rate: int | None,
        plan: EditPlan,
        bleep: BleepSettings,
        start: float,
    ) -> None:
        ctx = source.codec_context
        self._rate: int = ctx.sample_rate
        self._layout: str = ctx.layout.name
        self._output, self._plan, self._bleep, self._start = output, plan, bleep, start
        self.stream = output.add_stream(codec, rate=self._rate)
        self.stream.layout = self._layout
        if bit_rate:
            self.stream.bit_rate = bit_rate
        self._resampler = av.AudioResampler(format="fltp", layout=self._layout, rate=self._rate)
        self._audio = _Lookup(plan.audio)
        self._skips = _Lookup(plan.skips)
        self._next_pts: int | None = None
        self._next_time = 0.0  # where a frame without a timestamp begins

    def packet(self, packet: Any) -> None:
        """Decode, edit and encode one demuxed packet."""
        for frame in packet.decode():
            self._frame(frame)

    def flush(self) -> None:
        """Drain the decoder and the encoder."""
        for frame in self._resampler.resample(None):
            self._samples(_planar(frame), self._next_time)
        for packet in self.stream.encode(None):
            self._output.mux(packet)

    def _frame(self, frame: Any) -> None:
        begin = self._next_time
        if frame.time is not None:
            stamped = float(frame.time) - self._start
            # Containers store times in coarse units (Matroska: ms), so a frame's stamp can be off
            # by a fraction of a millisecond; counting samples keeps a bleep's phase continuous.
            if self._next_pts is None or abs(stamped - begin) > _GAP_TOLERANCE_SECONDS:
                begin = stamped
        chunks = [_planar(f) for f in self._resampler.resample(frame)]
        if chunks:
            self._samples(np.concatenate(chunks, axis=1), begin)

    def _samples(self, samples: Samples, begin: float) -> None:
        count = samples.shape[1]
        end = begin + count / self._rate
        self._next_time = end
        samples = apply_audio_edits(
            samples,
            start=begin,
            rate=self._rate,
            edits=self._audio.between(begin, end),
            bleep_hz=min(self._bleep.frequency_hz, self._rate / 2 * 0.9),
            bleep_dbfs=self._bleep.level_dbfs,
        )
        mask = kept_samples(
            count, start=begin, rate=self._rate, skips=self._skips.between(begin, end)
        )
        half = 0.5 / self._rate  # a run starts on a sample; its time is exact to less than this
        for first, last in _runs(mask, count):
            out = self._plan.output_time(begin + first / self._rate + half)
            if out is not None and out >= half:
                self._encode(np.ascontiguousarray(samples[:, first:last]), out - half)

    def _encode(self, samples: Samples, seconds: float) -> None:
        pts = round((self._start + seconds) * self._rate)
        if self._next_pts is not None:
            jitter = abs(pts - self._next_pts) <= _GAP_TOLERANCE_SECONDS * self._rate
            pts = self._next_pts if jitter else max(pts, self._next_pts)
        frame = av.AudioFrame.from_ndarray(samples, format="fltp", layout=self._layout)
        frame.sample_rate = self._rate
        frame.time_base = Fraction(1, self._rate)
        frame.pts = pts
        self._next_pts = pts + samples.shape[1]
        for packet in self.stream.encode(frame):
            self._output.mux(packet)


def _planar(frame: Any) -> Samples:
    # fltp: (channels, samples)
    samples: Samples = frame.to_ndarray().astype(np.float32, copy=False)
    return samples


def _runs(mask: np.ndarray | None, count: int) -> Iterator[tuple[int, int]]:
    """``[first, last)`` index ranges of the kept samples (all of them when ``mask`` is None)."""
    if mask is None:
        yield 0, count
        return
    edges = np.flatnonzero(np.diff(np.concatenate(([0], mask.astype(np.int8), [0]))))
    for first, last in zip(edges[::2], edges[1::2], strict=True):
        yield int(first), int(last)


class _Lookup(Generic[_Edit]):
    """The edits overlapping a stretch of time, found by bisection (edits are sorted, disjoint)."""

    def __init__(self, edits: Sequence[_Edit]) -> None:
        self._edits: list[_Edit] = list(edits)
        self._ends: list[float] = [e.end for e in self._edits]

    def between(self, begin: float, end: float) -> list[_Edit]:
        """Edits that overlap ``[begin, end)``."""
        out = []
        for edit in self._edits[bisect.bisect_right(self._ends, begin) :]:
            if edit.start >= end:
                break
            out.append(edit)
        return out
