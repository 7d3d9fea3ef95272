"""Listed words in the film's text subtitles: its SubRip, ASS, mov_text and WebVTT streams and
the subtitle files beside it (``movie.srt``, ``movie.en.srt``, ``movie.vtt``, ``movie.ass``).

No model: it starts at once and takes a moment. Each cue's visible text (markup stripped by
``vcp.media.subtitles``) goes through the same ``WordMatcher`` as speech, so the same lists,
categories, own words and allow list apply. A hit spans its cue (a cue does not time its words);
``vcp.analysis.subtitle_hits`` moves it onto the spoken word's times when speech heard it too.
The same hit in a second source (the film's stream and a sidecar copy of it, say) is reported
once. ``subtitle_masker`` is the same matching, used to star words out of subtitles that
``vcp censor`` copies and ``vcp export --format srt`` writes.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Collection, Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from vcp.analysis.detectors.base import (
    DecodeProblem,
    Detection,
    MediaKind,
    Progress,
    Step,
    settings_as,
)
from vcp.analysis.detectors.observed import CuesRead
from vcp.analysis.detectors.words import Word, WordMatch, WordMatcher, word_matcher
from vcp.errors import MediaError
from vcp.media.subtitles import (
    Masker,
    MaskStyle,
    Subtitles,
    load_subtitles,
    mask_markup,
    sources_of,
)
from vcp.report.inference import MAX_TEXT

if TYPE_CHECKING:
    from vcp.config.schema import DetectorSettings, ProcessingSettings, SubtitlesSettings
    from vcp.config.settings import Settings
    from vcp.media.probe import MediaInfo

__all__ = [
    "SubtitlesDetector",
    "cue_detections",
    "cue_hits",
    "masker_of",
    "subtitle_masker",
]

_WORD = re.compile(r"\S+")
# Two sources' hits of one entry this close are the same line in two copies of the subtitles.
_SAME_CUE_SECONDS = 0.5


class SubtitlesDetector:
    """Reports listed words in text subtitles; its hits are words, so they act on the audio."""

    stream: ClassVar[MediaKind] = "audio"

    def __init__(self, config: SubtitlesSettings, matcher: WordMatcher) -> None:
        self.name = config.name
        self.config = config
        self._matcher = matcher

    @classmethod
    def load(
        cls, config: DetectorSettings, model_dir: Path | None, *, processing: ProcessingSettings
    ) -> SubtitlesDetector:
        """Build the word matcher (``model_dir`` is unused: no model)."""
        from vcp.config.schema import SubtitlesSettings

        settings = settings_as(config, SubtitlesSettings)
        return cls(settings, word_matcher(settings, where=settings.name))

    def close(self) -> None:
        """Nothing to release: the detector holds no model."""

    def scan(self, media: MediaInfo) -> Iterator[Step]:
        """Every source's hits in time order, after a notice for each source it could not read."""
        sources, notices = sources_of(
            media, sidecars=self.config.sidecars, languages=self.config.languages
        )
        for message in notices:
            yield DecodeProblem(0.0, f"{message}: its words were not checked")
        read: list[CuesRead] = []
        for source in sources:
            try:
                subs = load_subtitles(
                    media, source, max_bytes=self.config.max_file_bytes,
                    max_cues=self.config.max_cues,
                )  # fmt: skip
            except MediaError as exc:
                yield DecodeProblem(0.0, f"{source.name}: {exc.message}")
                continue
            yield from (DecodeProblem(0.0, message) for message in subs.notices)
            read.append(_cues_read(subs))
            yield read[-1]
        yield from cue_detections(self.name, self._matcher, read)
        yield Progress(media.duration)


def _cues_read(subs: Subtitles) -> CuesRead:
    """A source's cues as the report stores them (times to the millisecond, never negative)."""
    origin = subs.source.name
    label = origin if subs.source.path is not None else f"subtitle {origin}"
    return CuesRead(label, tuple(
        (round(max(c.start, 0.0), 3), round(max(c.end, c.start, 0.0), 3), c.text[:MAX_TEXT])
        for c in subs.cues()
    ))  # fmt: skip


def cue_detections(name: str, matcher: WordMatcher, sources: Iterable[CuesRead]) -> list[Detection]:
    """Every source's hits in time order, less a hit an earlier source already reported."""
    found = [hit for read in sources for hit in _detections(name, matcher, read)]
    return list(_distinct(found))


def _detections(name: str, matcher: WordMatcher, read: CuesRead) -> Iterator[Detection]:
    for start, end, text in read.cues:
        for hit in cue_hits(matcher, text):
            yield Detection(
                detector=name,
                category=hit.category,
                label=hit.label,
                score=1.0,  # the text is certain; only its times are the cue's
                start=start,
                end=end,
                word=hit.text,
                masked=hit.masked,
                source=read.source,
            )


def cue_hits(matcher: WordMatcher, text: str) -> list[WordMatch]:
    """The listed entries in a cue's visible ``text``; each hit's ``start``/``end`` are the
    character offsets of its first and last word in ``text``."""
    words = [Word(m.group(), m.start(), m.end(), 1.0) for m in _WORD.finditer(text)]
    return matcher.match(words)


def _distinct(found: list[Detection]) -> Iterator[Detection]:
    """``found`` in time order, less a hit that an earlier source already reported."""
    kept: list[Detection] = []
    for hit in sorted(found, key=lambda d: (d.start, d.end)):
        if any(
            k.source != hit.source
            and k.label == hit.label
            and abs(k.start - hit.start) <= _SAME_CUE_SECONDS
            for k in kept
        ):
            continue
        kept.append(hit)
        yield hit


def subtitle_masker(settings: Settings) -> Masker:
    """What ``vcp censor`` and ``vcp export --format srt`` do to subtitle text: the words of the
    first ``subtitles`` detector's lists (its defaults when there is none) starred as its
    ``mask`` says, for each category whose audio action is not ``none``."""
    from vcp.config.schema import SubtitlesSettings

    config = next((d for d in settings.detectors if isinstance(d, SubtitlesSettings)), None)
    config = config or SubtitlesSettings(name="subtitles", type="subtitles")
    matcher = word_matcher(config, where=config.name)
    categories = {
        c.casefold()
        for c in matcher.categories
        if settings.actions.resolve(c, "audio").audio != "none"
    }
    return masker_of(matcher, style=config.mask, categories=categories)


def masker_of(
    matcher: WordMatcher,
    *,
    style: MaskStyle = "keep-first",
    categories: Collection[str] | None = None,
) -> Masker:
    """A function from a cue's raw text to the same text with ``matcher``'s words starred as
    ``style`` says; with ``categories`` (lower case) only words of those categories."""

    def spans(text: str) -> list[tuple[int, int]]:
        return [
            (int(hit.start), int(hit.end))
            for hit in cue_hits(matcher, text)
            if categories is None or hit.category.casefold() in categories
        ]

    return functools.partial(mask_markup, spans=spans, style=style)
