"""The ``actions:`` section: what ``vcp censor`` (and the player sidecars) do with each category.

Every segment of a report has a category (``profanity``, ``nudity``...) and a kind: ``audio``
(words heard) or ``video`` (frames seen). For each category the section names an audio action
(``mute``, ``bleep`` or ``none``) and a video action (``skip``, ``blank``, ``blur`` or ``none``),
and optionally its own padding. A category that is not listed gets ``default``: its audio
segments are muted and its video segments skipped, unless configured otherwise. Category names
match case-insensitively (the default detectors call nudity ``Nudity``).

``mute`` says what an audio action covers: each word a segment is made of (``words``, the
default: the speech between two swear words stays audible) or the whole segment (``segments``).
``uncertain`` says whether segments the detectors were unsure of are acted on (``act``, the
default: recall first) or left alone (``ignore``).
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import Field, field_validator, model_validator

from vcp.config.schema.common import FieldError, _Section

__all__ = [
    "DEFAULT_AUDIO_PADDING_SECONDS",
    "DEFAULT_BLEEP_FREQUENCY_HZ",
    "DEFAULT_BLEEP_LEVEL_DBFS",
    "DEFAULT_BLUR_BOX_PADDING",
    "DEFAULT_BLUR_CELLS",
    "DEFAULT_CRF",
    "DEFAULT_PRESET",
    "DEFAULT_VIDEO_PADDING_SECONDS",
    "ActionsSettings",
    "AudioAction",
    "BleepSettings",
    "BlurSettings",
    "CategoryActions",
    "DefaultActions",
    "MuteScope",
    "PaddingSettings",
    "ResolvedActions",
    "UncertainPolicy",
    "VideoAction",
    "VideoEncodeSettings",
]

AudioAction = Literal["mute", "bleep", "none"]
VideoAction = Literal["skip", "blank", "blur", "none"]
MuteScope = Literal["words", "segments"]
UncertainPolicy = Literal["act", "ignore"]
X264Preset = Literal[
    "ultrafast", "superfast", "veryfast", "faster", "fast", "medium", "slow", "slower", "veryslow"
]

# Before and after a word. Whisper times words late; the speech detector widens each word to its
# sound, and this covers the rest: on the quality corpus (docs/quality.md) it silences >= 99% of
# found words' voiced audio with about 0.25 s of other speech muted per word.
DEFAULT_AUDIO_PADDING_SECONDS = (0.4, 0.1)
DEFAULT_VIDEO_PADDING_SECONDS = 0.0
DEFAULT_BLEEP_FREQUENCY_HZ = 1000.0
DEFAULT_BLEEP_LEVEL_DBFS = -12.0
DEFAULT_BLUR_BOX_PADDING = 0.15  # grow each box by this fraction of its size on every side
DEFAULT_BLUR_CELLS = 6  # mosaic cells across a box's longer side
DEFAULT_CRF = 20
DEFAULT_PRESET: X264Preset = "veryfast"
_MAX_PADDING_SECONDS = 10.0


class CategoryActions(_Section):
    """What happens to one category's segments; an action left out means ``none``."""

    audio: AudioAction = "none"
    video: VideoAction = "none"
    padding_before: float | None = Field(None, ge=0, le=_MAX_PADDING_SECONDS)
    padding_after: float | None = Field(None, ge=0, le=_MAX_PADDING_SECONDS)

    @model_validator(mode="before")
    @classmethod
    def _known_keys(cls, data: Any) -> Any:
        # Category entries sit under a free-form mapping, where the loader cannot suggest names.
        if isinstance(data, dict):
            for key in data:
                if key not in cls.model_fields:
                    raise FieldError((str(key),), _unknown(str(key), sorted(cls.model_fields)))
        return data


class DefaultActions(_Section):
    """The actions for a category the ``categories`` mapping does not list, by segment kind."""

    audio: AudioAction = "mute"
    video: VideoAction = "skip"


_Pad = Annotated[float, Field(ge=0, le=_MAX_PADDING_SECONDS)]


class PaddingSettings(_Section):
    """Seconds added before and after each segment, by kind (a category may override them):
    one number for both sides, or ``[before, after]``."""

    audio: tuple[_Pad, _Pad] = DEFAULT_AUDIO_PADDING_SECONDS
    video: tuple[_Pad, _Pad] = (DEFAULT_VIDEO_PADDING_SECONDS, DEFAULT_VIDEO_PADDING_SECONDS)

    @field_validator("audio", "video", mode="before")
    @classmethod
    def _both_sides(cls, value: Any) -> Any:
        if not isinstance(value, int | float) or isinstance(value, bool):
            return value
        if not 0 <= value <= _MAX_PADDING_SECONDS:  # one problem, not one per side
            raise FieldError((), f"must be from 0 to {_MAX_PADDING_SECONDS:g} (got {value:g})")
        return (value, value)

    def sides(self, kind: Literal["audio", "video"]) -> tuple[float, float]:
        """``(before, after)`` for segments of ``kind``."""
        return self.audio if kind == "audio" else self.video


class BleepSettings(_Section):
    """The tone that replaces a bleeped segment."""

    frequency_hz: float = Field(DEFAULT_BLEEP_FREQUENCY_HZ, ge=20, le=20000)
    level_dbfs: float = Field(DEFAULT_BLEEP_LEVEL_DBFS, ge=-60, le=0)


class BlurSettings(_Section):
    """How a ``blur`` hides the detector's boxes."""

    box_padding: float = Field(DEFAULT_BLUR_BOX_PADDING, ge=0, le=2)
    cells: int = Field(DEFAULT_BLUR_CELLS, ge=1, le=64)


class VideoEncodeSettings(_Section):
    """The H.264 encoder used when a video action forces a re-encode."""

    crf: int = Field(DEFAULT_CRF, ge=0, le=51)
    preset: X264Preset = DEFAULT_PRESET


_DEFAULT_CATEGORIES: dict[str, CategoryActions] = {
    "profanity": CategoryActions(audio="mute"),
    "slurs": CategoryActions(audio="mute"),
    "blasphemy": CategoryActions(audio="mute"),
    "nudity": CategoryActions(video="skip"),
}


@dataclass(frozen=True, slots=True)
class ResolvedActions:
    """The actions and padding that apply to one segment."""

    audio: AudioAction
    video: VideoAction
    padding_before: float
    padding_after: float


class ActionsSettings(_Section):
    """Per-category audio and video actions, padding, and how bleeps, blurs and re-encodes look."""

    categories: dict[str, CategoryActions] = Field(
        default_factory=lambda: dict(_DEFAULT_CATEGORIES)
    )
    default: DefaultActions = DefaultActions()
    mute: MuteScope = "words"
    uncertain: UncertainPolicy = "act"
    padding: PaddingSettings = PaddingSettings()
    bleep: BleepSettings = BleepSettings()
    blur: BlurSettings = BlurSettings()
    video: VideoEncodeSettings = VideoEncodeSettings()

    @field_validator("categories")
    @classmethod
    def _distinct_names(cls, value: dict[str, CategoryActions]) -> dict[str, CategoryActions]:
        seen: dict[str, str] = {}
        for name in value:
            key = name.strip().casefold()
            if not key:
                raise FieldError((name,), "a category needs a name")
            if key in seen:
                raise FieldError(
                    (name,), f"{name!r} is the same category as {seen[key]!r} (case is ignored)"
                )
            seen[key] = name
        return value

    def for_category(self, category: str) -> CategoryActions | None:
        """The configured entry for ``category`` (matched ignoring case), or None."""
        key = category.strip().casefold()
        for name, entry in self.categories.items():
            if name.strip().casefold() == key:
                return entry
        return None

    def resolve(self, category: str, kind: Literal["audio", "video"]) -> ResolvedActions:
        """The actions and padding for a segment of ``category`` and ``kind``."""
        entry = self.for_category(category)
        before, after = self.padding.sides(kind)
        if entry is None:
            audio: AudioAction = self.default.audio if kind == "audio" else "none"
            video: VideoAction = self.default.video if kind == "video" else "none"
            return ResolvedActions(
                audio=audio, video=video, padding_before=before, padding_after=after
            )
        return ResolvedActions(
            audio=entry.audio,
            video=entry.video,
            padding_before=before if entry.padding_before is None else entry.padding_before,
            padding_after=after if entry.padding_after is None else entry.padding_after,
        )


def _unknown(name: str, known: list[str]) -> str:
    close = difflib.get_close_matches(name, known, n=1)
    if close:
        return f"unknown field {name!r}; did you mean {close[0]!r}?"
    return f"unknown field {name!r}; known fields: {', '.join(known)}"
