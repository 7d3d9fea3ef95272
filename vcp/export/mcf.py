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

MCF's top-level categories are commercial, discrimination, drugs, fear, language, nudity, sex and
violence; a vcp category named like one of them or of their subcategories (``racism``,
``alcohol``, ``weapons``...) is used as it is. Anything else heard is ``language``; anything else
seen has no honest MCF category (a picture vcp cannot place is not nudity, nor any other content
MCF names), so its cues are left out and a warning names the category.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterable

from vcp.export.cues import PlayerCue
from vcp.report.timecode import format_millis, format_time

__all__ = ["MCF_HEADER", "format_mcf", "mcf_category"]

log = logging.getLogger(__name__)

MCF_HEADER = "WEBVTT MovieContentFilter 1.0.0"

# The specification's categories (its categories.json): top level -> subcategories.
_MCF_TREE: dict[str, tuple[str, ...]] = {
    "commercial": ("advertBreak", "consumerism", "productPlacement"),
    "discrimination": (
        "adultism", "antisemitism", "genderism", "homophobia", "misandry", "misogyny", "racism",
        "sexism", "supremacism", "transphobia", "xenophobia",
    ),
    "drugs": (
        "alcohol", "antipsychotics", "cigarettes", "depressants", "gambling", "hallucinogens",
        "stimulants",
    ),
    "fear": (
        "accident", "acrophobia", "aliens", "arachnophobia", "astraphobia", "aviophobia",
        "chemophobia", "claustrophobia", "coulrophobia", "cynophobia", "death", "dentophobia",
        "emetophobia", "enochlophobia", "explosion", "fire", "gerascophobia", "ghosts", "grave",
        "hemophobia", "hylophobia", "melissophobia", "misophonia", "musophobia", "mysophobia",
        "nosocomephobia", "nyctophobia", "siderodromophobia", "thalassophobia", "vampires",
    ),
    "language": ("blasphemy", "nameCalling", "sexualDialogue", "swearing", "vulgarity"),
    "nudity": ("bareButtocks", "exposedGenitalia", "fullNudity", "toplessness"),
    "sex": (
        "adultery", "analSex", "coitus", "kissing", "masturbation", "objectification", "oralSex",
        "premaritalSex", "promiscuity", "prostitution", "rape",
    ),
    "violence": (
        "choking", "crueltyToAnimals", "culturalViolence", "desecration", "emotionalViolence",
        "kicking", "massacre", "murder", "punching", "rape", "slapping", "slavery", "stabbing",
        "torture", "warfare", "weapons",
    ),
}  # fmt: skip
_MCF_NAMES = {name.lower(): name for top, subs in _MCF_TREE.items() for name in (top, *subs)}

# vcp category (lower case) -> MCF category, beyond MCF's own names. Speech lists name their
# categories freely; these are the names vcp's word lists and default config use, and synonyms.
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
    "crude": "vulgarity",
    "drug": "drugs",
    "smoking": "cigarettes",
    "drinking": "alcohol",
    "gore": "violence",
    "horror": "fear",
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

# A category vcp cannot place: what is heard is language (it came from a word list); what is seen
# has no MCF category that would not be a guess, so it is left out (None).
_FALLBACK: dict[str, str | None] = {"audio": "language", "video": None}

# vcp flags what its configuration asks it to flag; ``high`` makes an MCF player filter the span
# whatever severity threshold the viewer chose for its category.
SEVERITY = "high"


def mcf_category(cue: PlayerCue) -> str | None:
    """The MCF category for ``cue``: by name, refined by labels, else by kind (None: no honest
    MCF category, the cue is left out)."""
    name = cue.category.strip().lower()
    category = _MCF_NAMES.get(name) or _CATEGORIES.get(name) or _FALLBACK[cue.kind]
    if category == "nudity":
        refined = {_NUDITY_LABELS.get(label) for label in cue.labels}
        if len(refined) == 1 and None not in refined:
            return refined.pop() or category
    return category


def format_mcf(cues: Iterable[PlayerCue], *, duration: float) -> str:
    """The MCF text for ``cues`` of a film ``duration`` seconds long."""
    lines = [MCF_HEADER, "", "NOTE", f"START {format_millis(0)}", f"END {format_time(duration)}"]
    left_out: Counter[str] = Counter()
    for cue in cues:
        category = mcf_category(cue)
        if category is None:
            left_out[cue.category] += 1
            continue
        for start, end in cue.words_ms or ((cue.start_ms, cue.end_ms),):
            times = f"{format_millis(start)} --> {format_millis(end)}"
            lines += ["", times, f"{category}={SEVERITY}={cue.kind}"]
    for name, count in sorted(left_out.items()):
        log.warning(
            "the .mcf file leaves out %d picture segment(s) of category %r: "
            "MovieContentFilter has no category for it",
            count,
            name,
        )
    return "\n".join(lines) + "\n"
