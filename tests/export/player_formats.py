"""Readers for the player formats, written from their public descriptions, not from vcp's writers.

- EDL (Kodi wiki "Edit decision list"; MPlayer's -edl): one edit per line, ``start end action``
  separated by white space; times in seconds (decimals allowed) or ``[hh:]mm:ss.sss``; action 0 cut
  (skip), 1 mute, 2 scene marker, 3 commercial break. Kodi refuses a file whose edits overlap.
- MCF 1.0.0 (moviecontentfilter.com/specification): a WebVTT subset. Line 1
  ``WEBVTT MovieContentFilter 1.0.0``, line 2 blank, line 3 ``NOTE``, lines 4 and 5
  ``START <timestamp>`` and ``END <timestamp>``, line 6 blank; timestamps always have hours; each
  cue's payload lines are ``category=severity`` with an optional ``=channel``; categories from
  the specification's hierarchy, severities low/medium/high, channels both (default)/video/audio.
- WebVTT (W3C): ``WEBVTT`` first, then blocks separated by blank lines; a cue is an optional
  identifier line, a timing line ``start --> end`` and text lines.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass

MCF_CATEGORIES: dict[str, tuple[str, ...]] = {  # the specification's categories.json
    "commercial": ("advertBreak", "consumerism", "productPlacement"),
    "discrimination": (
        "adultism",
        "antisemitism",
        "genderism",
        "homophobia",
        "misandry",
        "misogyny",
        "racism",
        "sexism",
        "supremacism",
        "transphobia",
        "xenophobia",
    ),
    "drugs": (
        "alcohol",
        "antipsychotics",
        "cigarettes",
        "depressants",
        "gambling",
        "hallucinogens",
        "stimulants",
    ),
    "fear": (
        "accident",
        "acrophobia",
        "aliens",
        "arachnophobia",
        "astraphobia",
        "aviophobia",
        "chemophobia",
        "claustrophobia",
        "coulrophobia",
        "cynophobia",
        "death",
        "dentophobia",
        "emetophobia",
        "enochlophobia",
        "explosion",
        "fire",
        "gerascophobia",
        "ghosts",
        "grave",
        "hemophobia",
        "hylophobia",
        "melissophobia",
        "misophonia",
        "musophobia",
        "mysophobia",
        "nosocomephobia",
        "nyctophobia",
        "siderodromophobia",
        "thalassophobia",
        "vampires",
    ),
    "language": ("blasphemy", "nameCalling", "sexualDialogue", "swearing", "vulgarity"),
    "nudity": ("bareButtocks", "exposedGenitalia", "fullNudity", "toplessness"),
    "sex": (
        "adultery",
        "analSex",
        "coitus",
        "kissing",
        "masturbation",
        "objectification",
        "oralSex",
        "premaritalSex",
        "promiscuity",
        "prostitution",
        "rape",
    ),
    "violence": (
        "choking",
        "crueltyToAnimals",
        "culturalViolence",
        "desecration",
        "emotionalViolence",
        "kicking",
        "massacre",
        "murder",
        "punching",
        "rape",
        "slapping",
        "slavery",
        "stabbing",
        "torture",
        "warfare",
        "weapons",
    ),
}
MCF_PARENT = {sub: top for top, subs in MCF_CATEGORIES.items() for sub in subs} | {
    top: top for top in MCF_CATEGORIES
}

_VTT_TIME = re.compile(r"(?:(\d{2,}):)?([0-5]\d):([0-5]\d)\.(\d{3})")
_VTT_HOURS = re.compile(r"(\d{2,}):([0-5]\d):([0-5]\d)\.(\d{3})")


def vtt_ms(text: str, *, hours_required: bool = False) -> int:
    """A WebVTT timestamp in milliseconds."""
    match = (_VTT_HOURS if hours_required else _VTT_TIME).fullmatch(text)
    assert match, f"not a WebVTT timestamp: {text!r}"
    h, m, s, ms = (int(g or 0) for g in match.groups())
    return ((h * 60 + m) * 60 + s) * 1000 + ms


def _edl_ms(text: str) -> int:
    if ":" in text:
        *hm, sec = text.split(":")
        seconds = float(sec) + sum(int(v) * 60 ** (len(hm) - i) for i, v in enumerate(hm))
    else:
        seconds = float(text)
    return round(seconds * 1000)


def parse_edl(text: str) -> list[tuple[int, int, int]]:
    """``(start_ms, end_ms, action)`` per line; asserts what Kodi requires."""
    edits = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        fields = line.split()
        assert len(fields) == 3, f"line {number}: expected 'start end action': {line!r}"
        start, end, action = _edl_ms(fields[0]), _edl_ms(fields[1]), int(fields[2])
        assert action in (0, 1, 2, 3), f"line {number}: unknown action {action}"
        assert start < end, f"line {number}: empty edit"
        edits.append((start, end, action))
    for before, after in itertools.pairwise(edits):
        assert before[1] <= after[0], f"edits overlap (Kodi rejects the file): {before} {after}"
    return edits


@dataclass(frozen=True)
class McfCue:
    """One MCF cue line: its cue's times and one ``category=severity=channel``."""

    start_ms: int
    end_ms: int
    category: str
    severity: str
    channel: str


def parse_mcf(text: str) -> tuple[int, int, list[McfCue]]:
    """``(START, END, cues)`` of an MCF 1.0.0 file; asserts the specification's rules."""
    assert not text.startswith("\ufeff"), "MCF files have no byte order mark"
    lines = text.split("\n")
    assert lines[0] == "WEBVTT MovieContentFilter 1.0.0"
    assert lines[1] == "" and lines[2] == "NOTE" and lines[5] == ""
    start_word, start = lines[3].split(" ")
    end_word, end = lines[4].split(" ")
    assert (start_word, end_word) == ("START", "END")
    cues = []
    for block in "\n".join(lines[6:]).strip("\n").split("\n\n"):
        timing, *payload = block.split("\n")
        first, arrow, last = timing.split(" ")
        assert arrow == "-->" and payload, f"bad cue: {block!r}"
        for span in payload:
            cues.append(
                _mcf_span(
                    vtt_ms(first, hours_required=True), vtt_ms(last, hours_required=True), span
                )
            )
    return vtt_ms(start, hours_required=True), vtt_ms(end, hours_required=True), cues


def _mcf_span(start: int, end: int, span: str) -> McfCue:
    parts = span.split("=")
    assert len(parts) in (2, 3), f"expected category=severity[=channel]: {span!r}"
    category, severity = parts[0], parts[1]
    channel = parts[2] if len(parts) == 3 else "both"
    assert category in MCF_PARENT, f"{category!r} is not an MCF category"
    assert severity in ("low", "medium", "high"), severity
    assert channel in ("both", "video", "audio"), channel
    return McfCue(start, end, category, severity, channel)


@dataclass(frozen=True)
class VttCue:
    """A WebVTT cue: identifier, times, text."""

    identifier: str | None
    start_ms: int
    end_ms: int
    text: str


def parse_vtt(text: str) -> list[VttCue]:
    """The cues of a WebVTT file (NOTE, STYLE and REGION blocks skipped)."""
    blocks = text.replace("\r\n", "\n").strip("\n").split("\n\n")
    assert blocks[0].split("\n")[0].split(" ")[0] == "WEBVTT"
    cues = []
    for block in blocks[1:]:
        lines = block.split("\n")
        if lines[0].startswith(("NOTE", "STYLE", "REGION")):
            continue
        identifier = None if "-->" in lines[0] else lines.pop(0)
        start, end = (part.split()[0] for part in lines[0].split("-->"))
        cues.append(
            VttCue(identifier, vtt_ms(start.strip()), vtt_ms(end.strip()), "\n".join(lines[1:]))
        )
    return cues
