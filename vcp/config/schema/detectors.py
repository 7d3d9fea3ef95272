"""The ``detectors:`` section: one entry per detector, told apart by its ``type``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, field_validator, model_validator

from vcp.config.schema.common import FieldError, _Section
from vcp.core.labels import NUDENET_LABELS
from vcp.core.wordlists import SHIPPED_CATEGORIES, WordListError, parse_entry, read_list

DEFAULT_THRESHOLD = 0.5


DEFAULT_DETECTOR_THREADS = 1  # per detector: see the comment on NudeNetSettings.threads
MAX_THREADS = 256


class _Detector(_Section):
    name: str
    model: str
    enabled: bool = True
    # An optional detector whose model cannot be made ready is skipped (recorded in the report)
    # instead of stopping the run.
    optional: bool = False
    threshold: float = Field(DEFAULT_THRESHOLD, ge=0, le=1)


# Frames per onnxruntime call. Batches of 4 or 8 were no faster than single frames on a 2-core
# CPU, and a single frame gives progress after every frame.
DEFAULT_NUDENET_BATCH_SIZE = 1


class NudeNetSettings(_Detector):
    """NudeNet on sampled frames; ``categories`` groups its labels into report categories.

    A box is reported when its score reaches its category's entry in ``thresholds``, else
    ``threshold``. ``threads`` is onnxruntime's intra-op thread count (default 1; 0: one per
    core); ``batch_size`` frames go through the model at once.
    """

    type: Literal["nudenet"]
    categories: dict[str, tuple[str, ...]] = Field(default_factory=dict)
    thresholds: dict[str, Annotated[float, Field(ge=0, le=1)]] = Field(default_factory=dict)
    # One thread: the two detectors run side by side, and onnxruntime's and CTranslate2's pools
    # spin while they wait, so two threads each on 2 cores cost 3x the CPU (docs/benchmarks.md).
    threads: int = Field(DEFAULT_DETECTOR_THREADS, ge=0, le=MAX_THREADS)
    batch_size: int = Field(DEFAULT_NUDENET_BATCH_SIZE, ge=1, le=64)

    @model_validator(mode="after")
    def _threshold_categories(self) -> NudeNetSettings:
        for category in self.thresholds:
            if category not in self.categories:
                known = ", ".join(self.categories) or "none declared"
                raise FieldError(
                    ("thresholds", category),
                    f"{category!r} is not one of this detector's categories ({known})",
                )
        return self

    @field_validator("categories")
    @classmethod
    def _labels(cls, value: dict[str, tuple[str, ...]]) -> dict[str, tuple[str, ...]]:
        for category, labels in value.items():
            for i, label in enumerate(labels):
                if label not in NUDENET_LABELS:
                    raise FieldError(
                        (category, i),
                        f"{label!r} is not a NudeNet label; known: " + ", ".join(NUDENET_LABELS),
                    )
        return value


# Speech: a hit's score is whisper's mean word probability; clearly heard swearing scores 0.8+,
# misheard words under 0.4.
DEFAULT_SPEECH_THRESHOLD = 0.4
DEFAULT_BEAM_SIZE = 5
DEFAULT_WINDOW_SECONDS = 180.0
DEFAULT_OVERLAP_SECONDS = 5.0
# A window is decoded into memory whole (16 kHz float32: 64 kB a second), and whisper works on
# 30 s pieces of it; 5 s to 30 min keeps both sane (30 s and more is what whisper is made for).
MIN_WINDOW_SECONDS, MAX_WINDOW_SECONDS = 5.0, 1800.0
MAX_OVERLAP_SECONDS = 60.0  # a word or phrase cut by a window's end is seconds long, not minutes


class WordListSettings(_Section):
    """The word-list fields shared by every detector that matches words (speech, subtitles):
    ``categories`` picks the shipped lists; ``words`` adds the user's own entries per category,
    ``word_lists`` whole list files, ``allow`` entries or spoken forms never to report."""

    categories: tuple[str, ...] = SHIPPED_CATEGORIES
    words: dict[str, tuple[str, ...]] = Field(default_factory=dict)
    allow: tuple[str, ...] = ()
    word_lists: tuple[Path, ...] = ()

    @field_validator("categories")
    @classmethod
    def _shipped(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for i, category in enumerate(value):
            if category not in SHIPPED_CATEGORIES:
                known = ", ".join(SHIPPED_CATEGORIES)
                message = f"no shipped word list {category!r}; shipped: {known} (own words: words)"
                raise FieldError((i,), message)
        return value

    @field_validator("words")
    @classmethod
    def _entries(cls, value: dict[str, tuple[str, ...]]) -> dict[str, tuple[str, ...]]:
        for category, entries in value.items():
            _check_entries(entries, category, (category,))
        return value

    @field_validator("allow")
    @classmethod
    def _allowed(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        _check_entries(value, "allow", ())
        return value

    @field_validator("word_lists")
    @classmethod
    def _files(cls, value: tuple[Path, ...]) -> tuple[Path, ...]:
        for i, path in enumerate(value):
            try:
                read_list(path)
            except OSError as exc:
                reason = exc.strerror or str(exc)
                raise FieldError((i,), f"cannot read word list {str(path)!r}: {reason}") from None
            except UnicodeDecodeError:
                raise FieldError((i,), f"word list {str(path)!r} is not UTF-8 text") from None
            except WordListError as exc:
                raise FieldError((i,), str(exc)) from None
        return value


class SpeechProfanitySettings(_Detector, WordListSettings):
    """Whisper word timestamps matched against word lists (vcp.analysis.detectors.words).

    The word lists are ``WordListSettings``. A hit whose mean word probability is under
    ``threshold`` is reported as uncertain. Audio is transcribed in windows of
    ``window_seconds`` that overlap by
    ``overlap_seconds``."""

    type: Literal["speech-profanity"]
    threshold: float = Field(DEFAULT_SPEECH_THRESHOLD, ge=0, le=1)
    languages: tuple[str, ...] = ("en",)
    compute_type: Literal["auto", "int8", "int8_float32", "int16", "float32"] = "int8"
    threads: int = Field(DEFAULT_DETECTOR_THREADS, ge=0, le=MAX_THREADS)  # 0: one per core
    beam_size: int = Field(DEFAULT_BEAM_SIZE, ge=1, le=20)
    # Each 30 s chunk decoded on its own: on the quality corpus, feeding whisper the text before
    # it lost 13 of 240 words (a misheard word makes the next chunk mishear alike).
    condition_on_previous_text: bool = False
    # Off: on the quality corpus, silero VAD dropped words under noise and music (113-118 of 240
    # found with it, 121 without) and saved no CPU.
    vad_filter: bool = False
    window_seconds: float = Field(
        DEFAULT_WINDOW_SECONDS, ge=MIN_WINDOW_SECONDS, le=MAX_WINDOW_SECONDS
    )
    overlap_seconds: float = Field(DEFAULT_OVERLAP_SECONDS, ge=0, le=MAX_OVERLAP_SECONDS)

    @model_validator(mode="after")
    def _windows(self) -> SpeechProfanitySettings:
        if self.overlap_seconds >= self.window_seconds:
            message = f"must be shorter than window_seconds ({self.window_seconds})"
            raise FieldError(("overlap_seconds",), message)
        return self


def _check_entries(entries: tuple[str, ...], category: str, loc: tuple[str | int, ...]) -> None:
    for i, entry in enumerate(entries):
        try:
            parse_entry(entry, category)
        except WordListError as exc:
            raise FieldError((*loc, i), str(exc)) from None


# Subtitles: a cue's text is certain, so there is no threshold; sidecar files past this size are
# not read (a film's subtitles are a few hundred kB), nor more cues than this per source.
DEFAULT_MAX_SUBTITLE_BYTES = 10_000_000
DEFAULT_MAX_CUES = 50_000
SubtitleMask = Literal["keep-first", "keep-ends", "all"]


class SubtitlesSettings(WordListSettings):
    """Listed words in the film's text subtitle streams and the subtitle files beside it.

    It needs no model (``model`` is always empty). Streams and files tagged with a language not
    in ``languages`` are not read (untagged ones are). ``mask`` is how ``vcp censor`` and
    ``vcp export --format srt`` write a listed word: ``keep-first`` (``f***``), ``keep-ends``
    (``f**k``) or ``all`` (``****``)."""

    name: str
    type: Literal["subtitles"]
    model: None = None
    enabled: bool = True
    optional: bool = False
    languages: tuple[str, ...] = ("en",)
    sidecars: bool = True
    mask: SubtitleMask = "keep-first"
    max_file_bytes: int = Field(DEFAULT_MAX_SUBTITLE_BYTES, ge=1_000, le=1_000_000_000)
    max_cues: int = Field(DEFAULT_MAX_CUES, ge=1, le=10_000_000)


DetectorSettings = NudeNetSettings | SpeechProfanitySettings | SubtitlesSettings
"""One detector's settings: the class its ``type`` names (``nudenet``, ``speech-profanity``,
``subtitles``)."""

AnyDetectorSettings = Annotated[DetectorSettings, Field(discriminator="type")]
"""``DetectorSettings`` as the config reads it: told apart by ``type``, so a field that another
type has is an error located at that detector (``detectors[1].beam_size``)."""
