"""Spoken profanity: faster-whisper word timestamps matched against word lists.

The audio comes in overlapping windows (``vcp.media.audio``), each transcribed on its own. A hit
belongs to the window whose core (the window less half the overlap at each inner edge) holds its
middle; because the same word can be timed a little differently by the two windows that hear it,
each window also keeps hits up to ``_EDGE_SLACK`` seconds past its core, and drops a hit of the
same category that the previous window reported within ``_SAME_WORD_SECONDS`` of it (one window
may hear "God damn" where the other hears "goddamn"). Hits are reported as soon as enough words
follow them to be sure no longer phrase starts there, so detections and progress stay in order.

``WhisperModel.transcribe`` is safe to call from several threads (CTranslate2 queues the calls
of one model; faster-whisper keeps no per-call state on the model), so one loaded detector
scans two files at once; ``tests/analysis/detectors/test_speech.py`` checks it.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from vcp.analysis.detectors.base import (
    DecodeProblem,
    Detection,
    MediaKind,
    Progress,
    Step,
    model_folder,
    settings_as,
)
from vcp.analysis.detectors.edges import frame_levels, widen
from vcp.analysis.detectors.observed import (
    WindowHeard,
    levels_of,
    quantized_levels,
    rounded_word,
)
from vcp.analysis.detectors.words import Word, WordMatch, WordMatcher, word_matcher
from vcp.errors import DetectorError
from vcp.media import DecodedUntil
from vcp.media.audio import AudioWindow, iter_audio

if TYPE_CHECKING:
    from faster_whisper import WhisperModel

    from vcp.config.schema import DetectorSettings, ProcessingSettings
    from vcp.config.schema import SpeechProfanitySettings as SpeechSettings
    from vcp.media.probe import MediaInfo

__all__ = ["SpeechProfanityDetector", "heard_detections"]

logger = logging.getLogger(__name__)

# Seconds a window reaches past its core for hits (the two windows' timings of a word differ by
# a tenth of a second or so); must stay under half the overlap.
_EDGE_SLACK = 1.0
# Two windows' hits of one category this close together are the same words heard twice.
_SAME_WORD_SECONDS = 0.3


class SpeechProfanityDetector:
    """Transcribes the first audio stream with whisper and reports listed words and phrases."""

    stream: ClassVar[MediaKind] = "audio"

    def __init__(self, config: SpeechSettings, model: WhisperModel, matcher: WordMatcher) -> None:
        self.name = config.name
        self.config = config
        self._model: WhisperModel | None = model
        self._matcher = matcher

    @classmethod
    def load(
        cls, config: DetectorSettings, model_dir: Path | None, *, processing: ProcessingSettings
    ) -> SpeechProfanityDetector:
        """Load the CTranslate2 whisper model in ``model_dir`` and the configured word lists."""
        from vcp.config.schema import SpeechProfanitySettings as SpeechSettings

        settings = settings_as(config, SpeechSettings)
        matcher = word_matcher(settings, where=settings.name)
        return cls(settings, _whisper(settings, model_folder(model_dir, config)), matcher)

    def close(self) -> None:
        """Drop the whisper model (CTranslate2 frees it with its last reference)."""
        self._model = None

    def _open_model(self) -> WhisperModel:
        if self._model is None:
            raise RuntimeError(f"detector {self.name!r} is closed")
        return self._model

    def scan(self, media: MediaInfo) -> Iterator[Step]:
        """Detections, progress and notices for ``media``'s first audio stream, in time order;
        the last progress is how far the audio could be decoded."""
        windows = iter_audio(
            media,
            window_seconds=self.config.window_seconds,
            overlap_seconds=self.config.overlap_seconds,
        )
        boundaries = _Boundaries(self.config.overlap_seconds)
        reached = 0.0
        for item in windows:
            if isinstance(item, DecodedUntil):
                reached = item.seconds
                continue
            if isinstance(item, DecodeProblem):
                yield item
                continue
            full = self._is_full(item)
            start, end = round(item.start, 3), round(item.end, 3)  # as the report stores them
            yield from self._detections(boundaries.next_window(start, end, full=full))
            yield from self._window(item, boundaries, full=full)
        yield from self._detections(boundaries.finish())
        yield Progress(min(reached, media.duration))

    def _is_full(self, window: AudioWindow) -> bool:
        return len(window.samples) >= round(self.config.window_seconds * window.sample_rate)

    def _window(
        self, window: AudioWindow, boundaries: _Boundaries, *, full: bool
    ) -> Iterator[Step]:
        transcript = _Transcript(self._matcher)
        levels = quantized_levels(frame_levels(window.samples, window.sample_rate))
        edges = _Edges(round(window.start, 3), levels)
        for end, words in self._segments(window):
            yield from self._detections(boundaries.keep(edges.widen(transcript.add(words))))
            # words that may still begin a hit hold progress back, so detections stay in order
            yield Progress(boundaries.progress(min(end, transcript.undecided_from(end))))
        yield from self._detections(boundaries.keep(edges.widen(transcript.close())))
        yield WindowHeard(
            round(window.start, 3), round(window.end, 3), full, tuple(transcript.words), levels
        )

    def _segments(self, window: AudioWindow) -> Iterator[tuple[float, list[Word]]]:
        """Each transcribed segment's end and words, timed from the start of the media."""
        segments, _ = self._transcribe(window)
        while True:
            try:
                segment = next(segments)
            except StopIteration:
                return
            except RuntimeError as exc:
                raise self._failed(exc, window) from exc
            words = [_word(w, window.start) for w in segment.words or ()]
            yield window.start + segment.end, words

    def _transcribe(self, window: AudioWindow) -> tuple[Iterator[Any], Any]:
        model = self._open_model()
        try:
            segments, info = model.transcribe(
                window.samples,
                language=self.config.languages[0] if self.config.languages else None,
                beam_size=self.config.beam_size,
                # Beam search only: no temperature fallback, whose random sampling
                # made the same film give different words from run to run.
                temperature=0.0,
                condition_on_previous_text=self.config.condition_on_previous_text,
                word_timestamps=True,
                vad_filter=self.config.vad_filter,
            )
        except (RuntimeError, ValueError) as exc:
            raise self._failed(exc, window) from exc
        return iter(segments), info

    def _failed(self, exc: Exception, window: AudioWindow) -> DetectorError:
        return DetectorError(
            f"speech recognition failed at {window.start:.1f} s: {exc}",
            where=self.name,
            hint="check the model files (`vcp models verify`) and the compute_type setting",
        )

    def _detections(self, hits: Iterable[WordMatch]) -> Iterator[Detection]:
        return _word_detections(self.name, self.config.threshold, hits)


def heard_detections(
    config: SpeechSettings, matcher: WordMatcher, windows: Iterable[WindowHeard]
) -> list[Detection]:
    """The hits a scan that heard ``windows`` reports: the same windows, edges and boundaries,
    without the model (``vcp.analysis.rederive``). A window's words are matched at once, which
    finds what matching them segment by segment finds (the matcher is greedy, left to right)."""
    found: list[Detection] = []
    boundaries = _Boundaries(config.overlap_seconds)
    for heard in windows:
        found += _word_detections(config.name, config.threshold, boundaries.next_window(
            heard.start, heard.end, full=heard.full
        ))  # fmt: skip
        transcript, edges = _Transcript(matcher), _Edges(heard.start, heard.levels)
        hits = transcript.add(list(heard.words)) + transcript.close()
        found += _word_detections(config.name, config.threshold, boundaries.keep(edges.widen(hits)))
    found += _word_detections(config.name, config.threshold, boundaries.finish())
    return found


def _word_detections(name: str, threshold: float, hits: Iterable[WordMatch]) -> Iterator[Detection]:
    for hit in hits:
        # Recall first: whisper gives swear words low probabilities (0.1-0.4) even when it
        # heard them right, so a hit under the threshold is reported as uncertain, not lost.
        yield Detection(
            detector=name,
            category=hit.category,
            label=hit.label,
            score=hit.score,
            start=hit.start,
            end=hit.end,
            word=hit.text,
            masked=hit.masked,
            uncertain=hit.score < threshold,
        )


def _word(word: Any, offset: float) -> Word:
    # faster-whisper's times are numpy floats: plain floats keep reports JSON-ready; rounded as
    # the report stores them, so a re-derivation sees the very same words.
    start, end = float(offset + word.start), float(offset + word.end)
    return rounded_word(Word(word.word.strip(), start, end, float(word.probability)))


class _Edges:
    """Each hit's first word started and its last word ended where the window's audio says
    (``vcp.analysis.detectors.edges``): whisper's times are mostly late."""

    def __init__(self, start: float, levels: bytes) -> None:
        self._start = start
        self._levels = levels_of(levels)

    def widen(self, hits: list[WordMatch]) -> list[WordMatch]:
        return [self._widened(hit) for hit in hits]

    def _widened(self, hit: WordMatch) -> WordMatch:
        start, end = widen(self._levels, hit.start - self._start, hit.end - self._start)
        first = replace(hit.words[0], start=min(hit.start, self._start + start))
        words = (first, *hit.words[1:])
        last = replace(words[-1], end=max(hit.end, self._start + end))
        return replace(hit, words=(*words[:-1], last))


@dataclass
class _Transcript:
    """Words of one window as they arrive; a hit is final once enough words follow its start
    that no longer entry could start there too."""

    matcher: WordMatcher
    words: list[Word] = field(default_factory=list)
    settled: int = 0  # words before this index are decided

    def add(self, words: list[Word]) -> list[WordMatch]:
        self.words += words
        return self._settle(len(self.words) - self.settled - self.matcher.longest + 1)

    def close(self) -> list[WordMatch]:
        return self._settle(len(self.words) - self.settled)

    def undecided_from(self, default: float) -> float:
        """When the first word not yet decided starts (``default`` when all are)."""
        return self.words[self.settled].start if self.settled < len(self.words) else default

    def _settle(self, limit: int) -> list[WordMatch]:
        pending = self.words[self.settled :]
        position = {id(w): i for i, w in enumerate(pending)}
        final = [h for h in self._matcher_hits(pending) if position[id(h.words[0])] < limit]
        ends = [position[id(h.words[-1])] + 1 for h in final]
        self.settled += max([max(limit, 0), *ends])
        return final

    def _matcher_hits(self, words: list[Word]) -> list[WordMatch]:
        return self.matcher.match(words) if words else []


@dataclass
class _Boundaries:
    """Which window reports a hit heard in two of them, and how far progress may go."""

    overlap: float
    previous_end: float = -math.inf
    low: float = -math.inf  # this window's core starts here (less the slack)
    high: float = math.inf  # and ends here (plus the slack)
    safe: float = math.inf  # the next window starts here: progress stops short of it
    reported: list[WordMatch] = field(default_factory=list)  # by this window
    before: list[WordMatch] = field(default_factory=list)  # by the previous window
    held: list[WordMatch] = field(default_factory=list)  # past the core: the next window's, if any
    done: float = 0.0

    def next_window(self, start: float, end: float, *, full: bool) -> list[WordMatch]:
        """Start the window ``start``-``end``; the previous window's held hits when this one
        does not reach them (it starts after a hole in the stream), for reporting now."""
        overlaps = start < self.previous_end
        self.low = start + self.overlap / 2 - _EDGE_SLACK if overlaps else -math.inf
        self.previous_end = end
        released = [] if overlaps else self.finish()
        self.before, self.reported = (self.reported if overlaps else []), []
        self.held = []  # this window reaches them and reports them
        last = not full
        self.high = math.inf if last else end - self.overlap / 2 + _EDGE_SLACK
        self.safe = math.inf if last else end - self.overlap
        return released

    def keep(self, hits: list[WordMatch]) -> list[WordMatch]:
        """The hits this window reports now (others are held or belong to a neighbour)."""
        out = []
        for hit in hits:
            middle = (hit.start + hit.end) / 2
            if middle < self.low or self._repeats(hit):
                continue
            if middle >= self.high:
                self.held.append(hit)
                continue
            out.append(hit)
        self.reported += out
        return out

    def _repeats(self, hit: WordMatch) -> bool:
        return any(
            r.category == hit.category
            and r.start < hit.end + _SAME_WORD_SECONDS
            and hit.start < r.end + _SAME_WORD_SECONDS
            for r in self.before
        )

    def progress(self, seconds: float) -> float:
        self.done = max(self.done, min(seconds, self.safe))
        return self.done

    def finish(self) -> list[WordMatch]:
        """Held hits of the last window: no window came after it."""
        held, self.held = self.held, []
        return held


def _whisper(settings: SpeechSettings, model_dir: Path) -> WhisperModel:
    from faster_whisper import WhisperModel

    try:
        return WhisperModel(
            str(model_dir),
            device="cpu",
            compute_type=settings.compute_type,
            cpu_threads=settings.threads,
        )
    except (RuntimeError, ValueError, OSError) as exc:
        raise DetectorError(
            f"cannot load the whisper model: {exc}",
            where=str(model_dir),
            hint="the folder must hold a CTranslate2 whisper model (model.bin, config.json, "
            "tokenizer.json, vocabulary.txt); `vcp models verify` checks it",
        ) from exc
