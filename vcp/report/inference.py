"""What inference produced, stored in the report (format version 2) before any word list,
threshold, category or merge rule is applied, so that changed rules re-derive the segments
without loading a model (``vcp.analysis.rederive``).

Columnar and rounded, to keep a 2-hour film's report a few megabytes (docs/incremental.md):

- ``FrameBoxes``: every box NudeNet kept (after its non-maximum suppression) scoring at least
  ``floor``, one row per box: the frame's time (ms), a label index, the score (4 decimals) and
  the box (4 ints, flattened).
- ``SpeechWindows``: each audio window whisper transcribed (start, end, whether it was full),
  every word heard in it (text, start, end, probability: all words, not only listed ones) and the
  window's loudness in 10 ms frames (``levels``: base64 of one byte a frame, 0.5 dB steps), from
  which a hit's edges are widened.
- ``SubtitleCues``: each subtitle source's cues (start, end, visible text).

Hostile input: every array and string has a bound, every time is finite and at most
``MAX_SECONDS``, and the columns of one record must be of one length (``_Columns``).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from vcp.report.untrusted import MAX_SECONDS

__all__ = [
    "MAX_ROWS",
    "DetectorInference",
    "FilmFingerprint",
    "FrameBoxes",
    "Inference",
    "SpeechWindows",
    "SubtitleCues",
]

# A 10-hour film sampled 25 times a second with 40 boxes a frame stays under this.
MAX_ROWS = 40_000_000
MAX_TEXT = 10_000  # one word or one cue (the analysis cuts a longer cue's text here)
MAX_LEVELS = 1_000_000  # base64 characters of one window's levels (30 min at 10 ms: 240,000)
MAX_NAME = 1_000

Seconds = Annotated[float, Field(ge=0, le=MAX_SECONDS)]
Unit = Annotated[float, Field(ge=0, le=1)]
Text = Annotated[str, Field(max_length=MAX_TEXT)]
Name = Annotated[str, Field(max_length=MAX_NAME)]
Setting = str | int | float | bool | None | tuple[str, ...]


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


def _rows(*columns: tuple[Any, ...]) -> int:
    lengths = {len(c) for c in columns}
    if len(lengths) > 1:
        raise ValueError(f"columns of different lengths: {sorted(lengths)}")
    return lengths.pop() if lengths else 0


class FrameBoxes(_Frozen):
    """NudeNet's boxes, one row per box (see the module docstring)."""

    floor: Unit
    labels: tuple[Name, ...] = Field((), max_length=1_000)
    time: tuple[Seconds, ...] = Field((), max_length=MAX_ROWS)
    label: tuple[Annotated[int, Field(ge=0)], ...] = Field((), max_length=MAX_ROWS)
    score: tuple[Unit, ...] = Field((), max_length=MAX_ROWS)
    box: tuple[Annotated[int, Field(ge=-(2**31), le=2**31)], ...] = Field(
        (), max_length=4 * MAX_ROWS
    )

    @model_validator(mode="after")
    def _same_length(self) -> FrameBoxes:
        rows = _rows(self.time, self.label, self.score)
        if len(self.box) != 4 * rows:
            raise ValueError(f"box holds {len(self.box)} numbers, expected {4 * rows}")
        if any(i >= len(self.labels) for i in self.label):
            raise ValueError("a label index is past the labels")
        return self


class SpeechWindows(_Frozen):
    """Whisper's words per audio window, and each window's loudness (see the module docstring)."""

    start: tuple[Seconds, ...] = Field((), max_length=100_000)
    end: tuple[Seconds, ...] = Field((), max_length=100_000)
    full: tuple[bool, ...] = Field((), max_length=100_000)
    levels: tuple[Annotated[str, Field(max_length=MAX_LEVELS)], ...] = Field((), max_length=100_000)
    window: tuple[Annotated[int, Field(ge=0)], ...] = Field((), max_length=MAX_ROWS)
    text: tuple[Text, ...] = Field((), max_length=MAX_ROWS)
    word_start: tuple[Seconds, ...] = Field((), max_length=MAX_ROWS)
    word_end: tuple[Seconds, ...] = Field((), max_length=MAX_ROWS)
    probability: tuple[Unit, ...] = Field((), max_length=MAX_ROWS)

    @model_validator(mode="after")
    def _same_length(self) -> SpeechWindows:
        windows = _rows(self.start, self.end, self.full, self.levels)
        _rows(self.window, self.text, self.word_start, self.word_end, self.probability)
        if any(i >= windows for i in self.window):
            raise ValueError("a word's window index is past the windows")
        return self


class SubtitleCues(_Frozen):
    """Each subtitle source's cues: ``source`` indexes ``sources`` (the hit's ``source`` label)."""

    sources: tuple[Name, ...] = Field((), max_length=1_000)
    source: tuple[Annotated[int, Field(ge=0)], ...] = Field((), max_length=MAX_ROWS)
    start: tuple[Seconds, ...] = Field((), max_length=MAX_ROWS)
    end: tuple[Seconds, ...] = Field((), max_length=MAX_ROWS)
    text: tuple[Text, ...] = Field((), max_length=MAX_ROWS)

    @model_validator(mode="after")
    def _same_length(self) -> SubtitleCues:
        _rows(self.source, self.start, self.end, self.text)
        if any(i >= len(self.sources) for i in self.source):
            raise ValueError("a cue's source index is past the sources")
        return self


class DetectorInference(_Frozen):
    """One detector's inference: the settings and model that produced it, how it ended (``ran``,
    or ``skipped`` when the film has no stream for it), its warnings, and its data."""

    name: Name
    type: Name
    status: Literal["ran", "skipped"]
    reason: Text | None = None
    analysed_seconds: float | None = Field(None, ge=0)  # as DetectorEntry: bounded elsewhere
    model: dict[Name, Setting] | None = Field(None, max_length=50)  # the model's source config
    settings: dict[Name, Setting] = Field(default_factory=dict, max_length=50)
    warnings: tuple[Text, ...] = Field((), max_length=100)
    frames: FrameBoxes | None = None
    speech: SpeechWindows | None = None
    cues: SubtitleCues | None = None


class FilmFingerprint(_Frozen):
    """``vcp.core.fingerprint.Fingerprint`` as stored."""

    size: int = Field(ge=0)
    mtime_ns: int
    sample: Annotated[str, Field(max_length=200)]


class Inference(_Frozen):
    """The film's fingerprint, each detector's inference (config order), the warnings about the
    film itself, and ``derivation``: a digest of the settings the segments were derived with."""

    fingerprint: FilmFingerprint
    detectors: tuple[DetectorInference, ...] = Field((), max_length=100)
    warnings: tuple[Text, ...] = Field((), max_length=100)
    derivation: Annotated[str, Field(max_length=200)] = ""
