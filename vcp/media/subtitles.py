"""Text subtitles: read from a film's streams or the files beside it, cleaned, written back.

Every source becomes a ``pysubs2.SSAFile`` whose events carry ASS-style text (``{\\i1}``
overrides, ``\\N`` line breaks), whatever the source was: FFmpeg decodes SubRip, ASS, mov_text
and WebVTT packets to ASS dialogue, and pysubs2 reads SRT, WebVTT and ASS files to the same form.
``visible`` strips the markup a viewer does not read, keeping where each visible character sits
in the raw text, so ``mask_markup`` can star out letters of listed words without touching the
markup around them. ``mask_packet`` does the same on one demuxed packet for ``vcp censor``, which
copies subtitle packets with a rewritten payload (PyAV's subtitle encoders need an ASS header and
drop a stream's own styling; the payload of a text packet is just the text).

Hostile files are bounded: a file past ``max_bytes`` is refused, at most ``max_cues`` cues are
read from one source, and text that is not UTF-8 is read as cp1252 (then latin-1) with a notice.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from vcp.errors import MediaError

if TYPE_CHECKING:
    import pysubs2

    from vcp.media.probe import MediaInfo, StreamInfo

__all__ = [
    "ASS_HEADER",
    "SIDECAR_FORMATS",
    "TEXT_CODECS",
    "Cue",
    "Masker",
    "clean_file",
    "clean_text",
    "read_file",
    "SubtitleSource",
    "Subtitles",
    "find_sidecars",
    "load_subtitles",
    "mask_markup",
    "mask_packet",
    "sources_of",
    "visible",
]

# FFmpeg's text subtitle encoders open only with an ASS header (styles); SubRip and mov_text
# write what they need of it.
ASS_HEADER = (
    b"[Script Info]\r\nScriptType: v4.00+\r\nPlayResX: 384\r\nPlayResY: 288\r\n\r\n"
    b"[V4+ Styles]\r\nFormat: Name, Fontname, Fontsize, PrimaryColour, SecondaryColour, "
    b"OutlineColour, BackColour, Bold, Italic, Underline, StrikeOut, ScaleX, ScaleY, Spacing, "
    b"Angle, BorderStyle, Outline, Shadow, Alignment, MarginL, MarginR, MarginV, Encoding\r\n"
    b"Style: Default,Arial,16,&Hffffff,&Hffffff,&H0,&H0,0,0,0,0,100,100,0,0,1,1,0,2,10,10,10,0"
    b"\r\n\r\n[Events]\r\nFormat: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, "
    b"Effect, Text\r\n"
)
TEXT_CODECS = frozenset({"subrip", "srt", "ass", "ssa", "mov_text", "webvtt", "text"})
SIDECAR_FORMATS = {".srt": "srt", ".vtt": "vtt", ".ass": "ass", ".ssa": "ssa"}
CLEAN_TAG = "clean"  # `movie.clean.srt`: vcp's own output, never read back as a source
MAX_CLEANED_CUES = 10_000_000  # a file cleaned for output keeps every cue it has
MAX_CUE_CHARS = 4_000  # a cue is a line or two; a longer one is cut (hostile or broken)
# ASS override blocks, HTML-like tags (<i>, </font>, WebVTT's <v Bob> and <00:00:01.000>), and
# ASS's hard line break, soft line break and hard space.
_MARKUP = re.compile(r"\{[^}]*\}|</?[A-Za-z][^>\n]*>|<\d[\d:.]*>|\\[Nnh]")
_WORD = re.compile(r"\S+")
MaskStyle = Literal["keep-first", "keep-ends", "all"]
# The visible-text spans of listed words in a cue's visible text.
SpanFinder = Callable[[str], Iterable[tuple[int, int]]]
Masker = Callable[[str], str]  # raw cue text -> the same with listed words starred


@dataclass(frozen=True, slots=True)
class Cue:
    """One subtitle: seconds from the start of the film and the text a viewer reads."""

    start: float
    end: float
    text: str


@dataclass(frozen=True, slots=True)
class SubtitleSource:
    """A text subtitle stream of the film (``stream`` is its index) or a file beside it."""

    name: str  # "stream 2" or "movie.en.srt": how reports and messages name it
    language: str | None
    stream: int | None = None
    path: Path | None = None


@dataclass
class Subtitles:
    """A source's subtitles as pysubs2 events, and what went wrong reading them."""

    source: SubtitleSource
    file: pysubs2.SSAFile
    notices: list[str] = field(default_factory=list)

    def cues(self) -> Iterator[Cue]:
        """Each dialogue event as a cue, its markup stripped, lines joined by a space."""
        for event in self.file.events:
            if event.is_comment or not event.text:
                continue
            text = " ".join(visible(event.text)[0].split())
            if text:
                yield Cue(event.start / 1000, max(event.end, event.start) / 1000, text)


def visible(raw: str) -> tuple[str, list[int]]:
    """The text a viewer reads in ``raw`` and, for each of its characters, its index in ``raw``
    (-1 for a line break or hard space that stands for an escape)."""
    chars: list[str] = []
    where: list[int] = []
    pos = 0
    for found in _MARKUP.finditer(raw):
        chars += raw[pos : found.start()]
        where += range(pos, found.start())
        token = found.group()
        if token in ("\\N", "\\n", "\\h"):
            chars.append(" ")
            where.append(-1)
        pos = found.end()
    chars += raw[pos:]
    where += range(pos, len(raw))
    return "".join(chars), where


def mask_markup(raw: str, spans: SpanFinder, *, style: MaskStyle = "keep-first") -> str:
    """``raw`` with the letters of each span ``spans`` finds in its visible text starred, as
    ``style`` says (``keep-first``: f***; ``keep-ends``: f**k; ``all``: ****); markup is kept."""
    text, where = visible(raw)
    out = list(raw)
    for start, end in spans(text):
        for word in _WORD.finditer(text, start, end):
            letters = [i for i in range(word.start(), word.end()) if text[i].isalnum()]
            for i in _starred(letters, style):
                if where[i] >= 0:
                    out[where[i]] = "*"
    return "".join(out)


def _starred(letters: list[int], style: MaskStyle) -> list[int]:
    if style == "all":
        return letters
    if style == "keep-ends":
        return letters[1:-1] if len(letters) >= 3 else []
    return letters[1:]


def mask_packet(codec: str, data: bytes, masker: Masker) -> bytes:
    """The payload of one text subtitle packet with its listed words masked: the whole payload
    for SubRip and WebVTT, the last of nine fields for ASS (``ReadOrder,Layer,Style,...,Text``),
    and for mov_text the text after its two-byte length, the style boxes after it kept (a masked
    letter is one character, so their character offsets still hold)."""
    if codec == "mov_text":
        if len(data) < 2:
            return data
        length = int.from_bytes(data[:2], "big")
        text = _masked_bytes(data[2 : 2 + length], masker)
        return len(text).to_bytes(2, "big") + text + data[2 + length :]
    if codec in ("ass", "ssa"):
        fields = data.split(b",", 8)
        if len(fields) < 9:
            return data
        return b",".join([*fields[:8], _masked_bytes(fields[8], masker)])
    return _masked_bytes(data, masker)


def _masked_bytes(data: bytes, masker: Masker) -> bytes:
    # surrogateescape: bytes that are not UTF-8 survive the round trip untouched.
    text = data.decode("utf-8", errors="surrogateescape")
    return masker(text).encode("utf-8", errors="surrogateescape")


# -- sources -----------------------------------------------------------------------------------


def sources_of(
    media: MediaInfo, *, sidecars: bool = True, languages: Iterable[str] = ()
) -> tuple[list[SubtitleSource], list[str]]:
    """The film's text subtitle streams, then the subtitle files beside it, whose language is
    one of ``languages`` or unknown (all of them when ``languages`` is empty); and a notice for
    each picture subtitle stream, which cannot be read as text."""
    wanted = _language_set(languages)
    found: list[SubtitleSource] = []
    notices = []
    for stream in media.streams:
        if stream.type != "subtitle":
            continue
        if stream.codec not in TEXT_CODECS:
            notices.append(f"subtitle stream {stream.index} ({stream.codec}) is pictures, not text")
        elif _wanted(stream.language, wanted):
            found.append(_stream_source(stream))
    if sidecars:
        for path in find_sidecars(media.path):
            language = _sidecar_language(path, media.path)
            if _wanted(language, wanted):
                found.append(SubtitleSource(path.name, language, path=path))
    return found, notices


def _stream_source(stream: StreamInfo) -> SubtitleSource:
    return SubtitleSource(f"stream {stream.index}", stream.language, stream=stream.index)


def find_sidecars(video: Path) -> list[Path]:
    """Subtitle files beside ``video`` named after it: ``movie.srt``, ``movie.en.srt``,
    ``movie.vtt``, ``movie.ass``... (not vcp's own ``movie.clean.srt``), sorted by name."""
    try:
        entries = list(video.parent.iterdir())
    except OSError:
        return []
    out = []
    for path in entries:
        if path.suffix.lower() not in SIDECAR_FORMATS or not path.name.startswith(video.stem):
            continue
        middle = path.name[len(video.stem) : -len(path.suffix)]
        if (middle == "" or (middle.startswith(".") and "." not in middle[1:])) and (
            middle[1:].lower() != CLEAN_TAG and path.is_file()
        ):
            out.append(path)
    return sorted(out, key=lambda p: (len(p.name), p.name))


def _sidecar_language(path: Path, video: Path) -> str | None:
    middle = path.name[len(video.stem) : -len(path.suffix)].lstrip(".")
    return middle.lower() or None


# ISO 639-1 codes and their 639-2 forms (bibliographic and terminological), for the languages a
# stream's tag most often names; another tag is compared as written.
_ISO_639 = {
    "en": ("eng",), "fr": ("fre", "fra"), "de": ("ger", "deu"), "es": ("spa",),
    "it": ("ita",), "nl": ("dut", "nld"), "pt": ("por",), "sv": ("swe",), "da": ("dan",),
    "no": ("nor",), "fi": ("fin",), "pl": ("pol",), "ru": ("rus",), "ja": ("jpn",),
    "zh": ("chi", "zho"), "ko": ("kor",), "ar": ("ara",), "tr": ("tur",), "cs": ("cze", "ces"),
}  # fmt: skip
_UNKNOWN = frozenset({"und", "unk", "mis", "zxx", ""})


def _language_set(languages: Iterable[str]) -> frozenset[str]:
    out: set[str] = set()
    for language in languages:
        key = language.lower()
        out.add(key)
        out.update(_ISO_639.get(key, ()))
        out.update(short for short, long in _ISO_639.items() if key in long)
    return frozenset(out)


def _wanted(language: str | None, wanted: frozenset[str]) -> bool:
    if not wanted or language is None or language.lower() in _UNKNOWN:
        return True
    key = language.lower().replace("_", "-").split("-")[0]  # en-US, pt_BR
    return key in wanted or key not in _known_codes()


def _known_codes() -> frozenset[str]:
    # A sidecar's middle name that is no language code ("movie.forced.srt", "movie.sdh.srt")
    # says nothing about the language: it is read.
    return frozenset([*_ISO_639, *(c for codes in _ISO_639.values() for c in codes)])


def clean_text(subs: Subtitles, masker: Masker, *, fmt: str) -> str:
    """``subs`` with ``masker`` applied to every event, as the text of a ``fmt`` file."""
    for event in subs.file.events:
        event.text = masker(event.text)
    text: str = subs.file.to_string(fmt)
    return text


def read_file(path: Path, *, max_bytes: int) -> Subtitles:
    """The subtitle file at ``path`` (see ``load_subtitles``)."""
    return _load_file(SubtitleSource(path.name, None, path=path), max_bytes=max_bytes,
                      max_cues=MAX_CLEANED_CUES)  # fmt: skip


def clean_file(source: Path, target: Path, masker: Masker, *, max_bytes: int) -> Path:
    """Write ``target``: the subtitle file ``source`` with its listed words masked, in the
    format of ``target``'s extension (atomically; OutputError when it cannot be written)."""
    from vcp.core.atomic import write_text_output

    fmt = SIDECAR_FORMATS.get(target.suffix.lower(), "srt")
    text = clean_text(read_file(source, max_bytes=max_bytes), masker, fmt=fmt)
    return write_text_output(target, text)


# -- reading -----------------------------------------------------------------------------------


def load_subtitles(
    media: MediaInfo, source: SubtitleSource, *, max_bytes: int, max_cues: int
) -> Subtitles:
    """``source``'s subtitles (cue times from the first moment of the film). MediaError when a
    file is too large or cannot be parsed, or the stream cannot be read."""
    if source.path is not None:
        return _load_file(source, max_bytes=max_bytes, max_cues=max_cues)
    return _load_stream(media, source, max_cues=max_cues)


def _load_file(source: SubtitleSource, *, max_bytes: int, max_cues: int) -> Subtitles:
    import pysubs2

    assert source.path is not None
    text, notices = _read_text(source.path, max_bytes=max_bytes)
    fmt = SIDECAR_FORMATS.get(source.path.suffix.lower())
    try:
        file = pysubs2.SSAFile.from_string(text, format_=fmt)
    except (pysubs2.Pysubs2Error, ValueError, LookupError, TypeError) as exc:
        raise MediaError(
            f"cannot read the subtitles: {exc}",
            where=str(source.path),
            hint="check that the file is a subtitle file of the format its extension names",
        ) from exc
    subs = Subtitles(source, file, notices)
    _cap(subs, max_cues)
    return subs


def _read_text(path: Path, *, max_bytes: int) -> tuple[str, list[str]]:
    """The file's text, read as UTF-8 (with or without a byte-order mark), UTF-16 when it starts
    with its mark, else cp1252, else latin-1, which reads any bytes."""
    try:
        with path.open("rb") as handle:
            data = handle.read(max_bytes + 1)
    except OSError as exc:
        raise MediaError(
            f"cannot read the subtitles: {exc.strerror or exc}",
            where=str(path),
            hint="check the file's permissions",
        ) from exc
    if len(data) > max_bytes:
        raise MediaError(
            f"the subtitle file is larger than {max_bytes} bytes: not read",
            where=str(path),
            hint="raise the subtitles detector's max_file_bytes if this file is genuine",
        )
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace"), []
    try:
        return data.decode("utf-8-sig"), []
    except UnicodeDecodeError:
        pass
    for encoding in ("cp1252", "latin-1"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        return text, [f"{path.name} is not UTF-8 text: read as {encoding}"]
    raise AssertionError("latin-1 decodes any bytes")  # pragma: no cover


def _load_stream(media: MediaInfo, source: SubtitleSource, *, max_cues: int) -> Subtitles:
    import pysubs2

    from vcp.media.containers import open_input

    assert source.stream is not None
    file = pysubs2.SSAFile()
    subs = Subtitles(source, file)
    doing = f"reading subtitle stream {source.stream}"
    with open_input(media.path, doing=doing, hint="check that the file plays to its end") as inp:
        if not 0 <= source.stream < len(inp.streams):
            raise MediaError(f"{doing} failed: the file has no such stream", where=str(media.path),
                             hint="the file changed since it was probed; run again")  # fmt: skip
        for packet in inp.demux(inp.streams[source.stream]):
            if len(file.events) > max_cues:
                break
            file.events.extend(_events(packet, subs, start=media.start))
    _cap(subs, max_cues)
    return subs


def _events(packet: Any, subs: Subtitles, *, start: float) -> list[pysubs2.SSAEvent]:
    import av.error
    import pysubs2

    from vcp.media.containers import reason

    if packet.pts is None or not packet.size or packet.time_base is None:
        return []
    begin = float(packet.pts * packet.time_base) - start
    length = float(packet.duration * packet.time_base) if packet.duration else 0.0
    try:
        decoded = packet.decode()
    except av.error.FFmpegError as exc:
        subs.notices.append(f"{subs.source.name}: a cue at {begin:.3f} s is damaged: {reason(exc)}")
        return []
    out = []
    for text in _dialogues(decoded):
        ms = round(begin * 1000)
        out.append(pysubs2.SSAEvent(start=ms, end=ms + round(length * 1000), text=text))
    return out


def _dialogues(decoded: Iterable[Any]) -> Iterator[str]:
    """The ASS text of each text rectangle (PyAV 14+ yields rectangles, older a SubtitleSet of
    them); a rectangle's ``ass`` is ``ReadOrder,Layer,Style,Name,MarginL,MarginR,MarginV,Effect,
    Text``, or in old FFmpeg versions a whole ``Dialogue:`` line with times."""
    for item in decoded:
        for rect in item if hasattr(item, "rects") else (item,):
            raw = getattr(rect, "ass", None)
            if not raw:
                continue
            line = raw.decode("utf-8", errors="replace").rstrip("\r\n")
            fields = 10 if line.startswith("Dialogue:") else 9
            parts = line.split(",", fields - 1)
            if len(parts) == fields and parts[-1]:
                yield parts[-1][:MAX_CUE_CHARS]


def _cap(subs: Subtitles, max_cues: int) -> None:
    events = subs.file.events
    for event in events:
        if len(event.text) > MAX_CUE_CHARS:
            event.text = event.text[:MAX_CUE_CHARS]
    if len(events) > max_cues:
        del events[max_cues:]
        subs.notices.append(
            f"{subs.source.name}: more than {max_cues} cues; the rest were not read"
        )
