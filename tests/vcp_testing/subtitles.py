"""Films with text subtitle streams, made with PyAV for the subtitle tests: a copy of a film's
streams plus one subtitle stream encoded from (start, end, text) cues; the cues the subtitle tests
write (``LINES``), and the masker they mask with (``MASK``)."""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction
from pathlib import Path

import av

from vcp.analysis.detectors.subtitles import masker_of
from vcp.analysis.detectors.words import WordMatcher
from vcp.media.subtitles import ASS_HEADER

Cues = Sequence[tuple[float, float, str]]

# What the cues say; times in seconds. The second cue's word is split by markup.
LINES = [
    (0.5, 1.5, "{\\an8}What the {\\i1}fuck{\\i0} is this?"),
    (2.0, 2.8, "Oh, sh{\\b1}it{\\b0}.\\NNot again."),
    (3.0, 3.6, "A classic assistant."),
]
# The default word lists' masker, as the subtitles detector builds it.
MASK = masker_of(WordMatcher.build())


def with_subtitles(
    source: Path,
    target: Path,
    cues: Cues,
    *,
    codec: str = "subrip",
    language: str | None = None,
    streams: int = 1,
) -> Path:
    """``target``: every stream of ``source`` copied, then ``streams`` subtitle streams of
    ``codec`` saying ``cues`` (times in seconds, text in ASS markup: ``{\\i1}`` for italics)."""
    with av.open(str(source)) as inp, av.open(str(target), "w") as out:
        copies = {s.index: out.add_stream_from_template(s) for s in inp.streams}
        subs = [_subtitle_stream(out, codec, language) for _ in range(streams)]
        for sub in subs:
            for i, (start, end, text) in enumerate(cues):
                _cue(out, sub, i, start=start, end=end, text=text)
        for packet in inp.demux():
            if packet.size == 0 and packet.pts is None:
                continue
            packet.stream = copies[packet.stream.index]
            out.mux(packet)
    return target


def _subtitle_stream(out: av.container.OutputContainer, codec: str, language: str | None):  # type: ignore[no-untyped-def]
    stream = out.add_stream(codec)
    stream.codec_context.subtitle_header = ASS_HEADER
    stream.time_base = Fraction(1, 1000)
    if language:
        stream.metadata["language"] = language
    return stream


def _cue(out, stream, i: int, *, start: float, end: float, text: str) -> None:  # type: ignore[no-untyped-def]
    from av.subtitles.subtitle import SubtitleSet

    begin, length = round(start * 1000), round((end - start) * 1000)
    line = f"{i},0,Default,,0,0,0,,{text}".encode()
    packet = stream.codec_context.encode_subtitle(SubtitleSet.create(line, 0, length, pts=begin))
    packet.stream = stream
    packet.time_base = Fraction(1, 1000)
    packet.pts = packet.dts = begin
    packet.duration = length
    out.mux(packet)


def read_subtitle_texts(path: Path, *, index: int | None = None) -> list[tuple[float, bytes]]:
    """Each packet of the file's first (or ``index``th) subtitle stream: its time and payload."""
    with av.open(str(path)) as inp:
        stream = inp.streams.subtitles[0] if index is None else inp.streams[index]
        return [
            (float(p.pts * p.time_base), bytes(p))
            for p in inp.demux(stream)
            if p.size and p.pts is not None and p.time_base is not None
        ]
