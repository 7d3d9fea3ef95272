"""Writing a censored copy of a film: one pass over the input, each stream copied or re-encoded.

``transcode`` demuxes the source once. Streams named in ``encoders`` are decoded, edited and
re-encoded (``audio`` and ``video`` beside this module); every other stream is copied packet for
packet, its timestamps moved back by the time skips removed before them; a text subtitle stream
is copied packet for packet too, each payload's listed words masked when the recipe has a
``subtitle_masker`` (``vcp.media.subtitles.mask_packet``). Either way a stream keeps
its tags, its disposition and (video) its display matrix, and attachments and cover pictures go
into the output's header (``vcp.media.streams``). The files are opened through
``vcp.media.containers``, which makes a failure to read the film a ``MediaError`` and lets a write
the system refuses (a full disk, a size limit) through for ``vcp.core.atomic.write_output`` (the
caller writes ``target`` with it) to name the output. A stream the output's container cannot hold
is an ``OutputError`` naming the output.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import av
import av.error

from vcp.actions import EditPlan
from vcp.config.schema.actions import ActionsSettings
from vcp.errors import OutputError
from vcp.media.containers import open_input, open_output
from vcp.media.probe import StreamInfo
from vcp.media.rewrite.audio import AudioCensor
from vcp.media.rewrite.empty import nothing_left
from vcp.media.rewrite.video import VideoCensor
from vcp.media.streams import (
    add_attachment,
    copy_container_tags,
    copy_stream_properties,
    display_matrix,
    holds_attachments,
    is_cover,
)
from vcp.media.subtitles import TEXT_CODECS, Masker, mask_packet

__all__ = ["PROGRESS_STEP_SECONDS", "Recipe", "encoder_for", "transcode"]

PROGRESS_STEP_SECONDS = 1.0  # report progress each time this much more of the source is read
_ENCODER_NAMES = {"mp3": "libmp3lame", "opus": "libopus", "vorbis": "libvorbis"}
_LAYOUTS = {1: "mono", 2: "stereo", 3: "2.1", 4: "quad", 5: "5.0", 6: "5.1", 7: "6.1", 8: "7.1"}
_UNUSABLE = frozenset({"vorbis"})  # FFmpeg's own Vorbis encoder is experimental: refused


def encoder_for(stream: StreamInfo) -> str | None:
    """PyAV's encoder for an audio stream's codec, if there is one that opens at the stream's
    sample rate and channel count; None otherwise (the caller falls back to AAC)."""
    return _encoder(stream.codec, stream.sample_rate or 48000, stream.channels or 2)


@functools.cache
def _encoder(codec: str, rate: int, channels: int) -> str | None:
    for name in (_ENCODER_NAMES.get(codec), codec):
        if not name or name in _UNUSABLE:
            continue
        try:
            context: Any = av.CodecContext.create(name, "w")
            context.sample_rate = rate
            context.layout = _LAYOUTS.get(channels, "stereo")
            context.format = context.codec.audio_formats[0]
            context.open()  # e.g. AC-3 refuses 22050 Hz, libopus anything but its five rates
            return str(context.codec.name)
        except (av.error.FFmpegError, ValueError, TypeError):
            continue
    return None


@dataclass(frozen=True)
class Recipe:
    """How to write the copy: which streams to re-encode with which encoder, and the edits."""

    plan: EditPlan
    actions: ActionsSettings
    encoders: Mapping[int, str]  # input stream index -> encoder; the others are copied
    bit_rates: Mapping[int, int] = field(default_factory=dict)
    start: float = 0.0  # the source's start time (either sign): report times count from it
    subtitle_masker: Masker | None = None  # stars listed words out of copied text subtitles


def transcode(
    source: Path,
    target: Path,
    recipe: Recipe,
    *,
    on_progress: Callable[[float], None],
    shown_as: Path | None = None,
) -> None:
    """Write ``target`` from ``source`` as ``recipe`` says; ``on_progress(seconds)`` as it reads.

    ``target`` is meant to be the temporary file of ``vcp.core.atomic.write_output``, which turns
    a write the system refused (an OSError) into the OutputError naming the output; ``shown_as``
    names it in the other errors. MediaError when the film cannot be read; OutputError when the
    output's container cannot hold a stream of the film, or nothing is left to write.
    """
    output = shown_as or target
    hint = "check that the input plays to its end; re-download or re-export it if not"
    with (
        open_output(target, shown_as=output) as out,
        open_input(source, doing="reading or writing the film", hint=hint) as inp,
    ):
        copy_container_tags(inp, out)
        writers = {s.index: _writer(out, s, recipe, source=source, output=output)
                   for s in inp.streams}  # fmt: skip
        writers = {index: w for index, w in writers.items() if w is not None}
        _pump(inp, writers, start=recipe.start, on_progress=on_progress)
        for writer in writers.values():
            writer.flush()
        _check_written(writers.values(), output=output)


def _check_written(writers: Iterable[Any], *, output: Path) -> None:
    """``nothing_left`` unless a video or audio packet reached the output (the muxer counts them
    in ``frames``); a file of headers alone is no film."""
    if not any(w.stream.frames for w in writers if w.stream.type in ("video", "audio")):
        raise nothing_left(output)


def unfit_container(exc: ValueError, *, source: Path, output: Path) -> OutputError:
    """The error for a stream of ``source`` that ``output``'s container cannot hold (PyAV's
    check when a stream is added: "'mp4' format does not support 'srt' codec")."""
    return OutputError(
        output,
        f"the output's container cannot hold a stream of the input: {exc}",
        hint=f"give the output the input's extension ({source.suffix}), which holds them all",
    )


def _pump(
    inp: Any, writers: Mapping[int, Any], *, start: float, on_progress: Callable[[float], None]
) -> None:
    reported = -PROGRESS_STEP_SECONDS
    for packet in inp.demux():
        writer = writers.get(packet.stream.index)
        if writer is None:
            continue
        writer.packet(packet)
        if packet.pts is not None and packet.time_base is not None:
            seconds = float(packet.pts * packet.time_base) - start
            if seconds - reported >= PROGRESS_STEP_SECONDS:
                on_progress(seconds)
                reported = seconds


def _writer(out: Any, stream: Any, recipe: Recipe, *, source: Path, output: Path) -> Any:
    """The writer of one input stream (its packets go to it), or None for an attachment or a
    cover picture, which goes into the output's header whole."""
    if stream.type == "attachment" or (is_cover(stream) and holds_attachments(out)):
        add_attachment(out, stream, source=stream.container.name)
        return None
    try:
        writer = _new_writer(out, stream, recipe)
    except ValueError as exc:  # PyAV's errors are ValueErrors too: a broken film stays a MediaError
        if isinstance(exc, av.error.FFmpegError):
            raise
        raise unfit_container(exc, source=source, output=output) from exc
    copy_stream_properties(stream, writer.stream)
    if isinstance(writer, VideoCensor):  # an encoder does not carry a phone's rotation over
        matrix = display_matrix(stream.container.name, stream.index)
        if matrix is not None:
            writer.stream.set_display_matrix(matrix)
    return writer


def _new_writer(out: Any, stream: Any, recipe: Recipe) -> Any:
    codec = recipe.encoders.get(stream.index)
    name = stream.codec_context.name if stream.type == "subtitle" else ""
    if codec is None and recipe.subtitle_masker is not None and name in TEXT_CODECS:
        return _MaskedCopy(out, stream, plan=recipe.plan, start=recipe.start,
                           masker=recipe.subtitle_masker)  # fmt: skip
    if codec is None:
        return _Copy(out, stream, plan=recipe.plan, start=recipe.start)
    if stream.type == "audio":
        return AudioCensor(
            out, stream, codec=codec, bit_rate=recipe.bit_rates.get(stream.index),
            plan=recipe.plan, bleep=recipe.actions.bleep, start=recipe.start,
        )  # fmt: skip
    return VideoCensor(
        out, stream, plan=recipe.plan, blur=recipe.actions.blur,
        encode=recipe.actions.video, start=recipe.start,
    )  # fmt: skip


class _Copy:
    """Packets copied unchanged, except: those inside a skip are dropped, later ones moved back."""

    def __init__(self, output: Any, source: Any, *, plan: EditPlan, start: float) -> None:
        self._output, self._plan, self._start = output, plan, start
        self.stream = output.add_stream_from_template(source)

    def packet(self, packet: Any) -> None:
        """Mux ``packet`` into the output at its place on the output's timeline."""
        if packet.size == 0 and packet.pts is None and packet.dts is None:
            return  # the demuxer's end-of-stream marker, not data
        if self._plan.skips and not self._retime(packet):
            return
        packet.stream = self.stream
        self._output.mux(packet)

    def _retime(self, packet: Any) -> bool:
        """Move ``packet`` back by the skipped time before it; False if a skip removes it."""
        stamp = packet.pts if packet.pts is not None else packet.dts
        if stamp is None or packet.time_base is None:
            return True
        seconds = float(stamp * packet.time_base) - self._start
        out = self._plan.output_time(seconds)
        if out is None:
            return self._trim(packet, seconds)
        shift = round((seconds - out) / packet.time_base)
        if packet.pts is not None:
            packet.pts -= shift
        if packet.dts is not None:
            packet.dts -= shift
        return True

    def _trim(self, packet: Any, seconds: float) -> bool:
        """A subtitle that starts inside a skip but lasts past it: keep its tail, from the cut."""
        skip = self._plan.video_at(seconds)
        if self.stream.type != "subtitle" or not packet.duration or skip is None:
            return False
        end = seconds + float(packet.duration * packet.time_base)
        out = self._plan.output_time(skip.end)
        if end <= skip.end or out is None:
            return False
        cut = round((skip.end - seconds) / packet.time_base)
        packet.duration -= cut
        shift = round((seconds - out) / packet.time_base)
        packet.pts -= shift  # the trimmed cue starts at the cut, on the output's timeline
        if packet.dts is not None:
            packet.dts -= shift
        return True

    def flush(self) -> None:
        """Nothing is buffered."""


class _MaskedCopy(_Copy):
    """A text subtitle stream copied with the listed words of each packet masked."""

    def __init__(
        self, output: Any, source: Any, *, plan: EditPlan, start: float, masker: Masker
    ) -> None:
        super().__init__(output, source, plan=plan, start=start)
        self._codec: str = source.codec_context.name
        self._masker = masker

    def packet(self, packet: Any) -> None:
        """Mask ``packet``'s text, then copy it as ``_Copy`` does."""
        if packet.size:
            data = bytes(packet)
            masked = mask_packet(self._codec, data, self._masker)
            if masked != data:
                packet = _with_payload(packet, masked)
        super().packet(packet)


def _with_payload(packet: Any, data: bytes) -> Any:
    """A packet carrying ``data`` with ``packet``'s times and flags."""
    out = av.Packet(data)
    out.time_base = packet.time_base
    out.pts, out.dts, out.duration = packet.pts, packet.dts, packet.duration
    out.is_keyframe = packet.is_keyframe
    return out
