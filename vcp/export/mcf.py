"""MovieContentFilter (``.mcf``) files: the flagged spans in the MCF 1.0.0 WebVTT subset.

The layout follows the specification (moviecontentfilter.com/specification, v1.0.0)::

    WEBVTT MovieContentFilter 1.0.0

    NOTE
    START 00:00:00.000
    END 01:32:10.480

    00:01:02.300 --> 00:01:02.810
    swearing=high=audio

Every timestamp has hours. ``START``/``END`` bound the film material; vcp does not know where the
opening titles end, so they are the file's start and its duration. A cue line is
``category=severity=channel``: the category is one of MCF's (top level or subcategory), the
severity ``low``, ``medium`` or ``high``, the channel ``both``, ``video`` or ``audio``.
"""

from __future__ import annotations

from collections.abc import Iterable

from vcp.export.cues import Cue, clock, millis

__all__ = ["MCF_HEADER", "format_mcf", "mcf_category"]

MCF_HEADER = "WEBVTT MovieContentFilter 1.0.0"

# vcp category (lower case) -> MCF category. Speech lists name their categories freely; these are
# the names vcp's word lists and default config use, plus common synonyms.
_CATEGORIES: dict[str, str] = {
    "profanity": "swearing",
    "swearing": "swearing",
    "cursing": "swearing",
    "blasphemy": "blasphemy",
    "slur": "nameCalling",
    "slurs": "nameCalling",
    "insult": "nameCalling",
    "insults": "nameCalling",
    "sexual": "sexualDialogue",
    "vulgarity": "vulgarity",
    "crude": "vulgarity",
    "nudity": "nudity",
    "sex": "sex",
    "violence": "violence",
    "drugs": "drugs",
}

# NudeNet labels that name an MCF nudity subcategory; a segment whose labels all map to one
# subcategory gets it, any other nudity segment the top-level ``nudity``.
_NUDITY_LABELS: dict[str, str] = {
    "FEMALE_BREAST_EXPOSED": "toplessness",
    "FEMALE_GENITALIA_EXPOSED": "exposedGenitalia",
    "MALE_GENITALIA_EXPOSED": "exposedGenitalia",
    "BUTTOCKS_EXPOSED": "bareButtocks",
    "ANUS_EXPOSED": "bareButtocks",
}

# A category vcp cannot place: what is heard is language, what is seen nudity (vcp's only
# visual detector finds nudity).
_FALLBACK = {"audio": "language", "video": "nudity"}

# vcp flags what its configuration asks it to flag; ``high`` makes an MCF player filter the span
# whatever severity threshold the viewer chose for its category.
SEVERITY = "high"


def mcf_category(cue: Cue) -> str:
    """The MCF category for ``cue``: mapped by name, refined by labels, else by kind."""
    category = _CATEGORIES.get(cue.category.strip().lower(), _FALLBACK[cue.kind])
    if category == "nudity":
        refined = {_NUDITY_LABELS.get(label) for label in cue.labels}
        if len(refined) == 1 and None not in refined:
            return refined.pop() or category
    return category


def format_mcf(cues: Iterable[Cue], *, duration: float) -> str:
    """The MCF text for ``cues`` of a film ``duration`` seconds long."""
    lines = [MCF_HEADER, "", "NOTE", f"START {clock(0)}", f"END {clock(millis(duration))}"]
    for cue in cues:
        lines += ["", f"{clock(cue.start_ms)} --> {clock(cue.end_ms)}", _span(cue)]
    return "\n".join(lines) + "\n"


def _span(cue: Cue) -> str:
    return f"{mcf_category(cue)}={SEVERITY}={cue.kind}"
