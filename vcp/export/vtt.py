"""WebVTT subtitles that name what is flagged while it is on screen, for players without EDL.

One cue per flagged span, numbered by the report's segment id; the text is the category in
brackets and, for speech, the masked words (``[profanity] f**k``); a segment the detector was
unsure of says so (``[profanity, uncertain] f**k``). Report strings are user input:
``&``, ``<`` and ``>`` are escaped as WebVTT requires, line breaks and ``-->`` removed.
"""

from __future__ import annotations

from collections.abc import Iterable

from vcp.export.cues import PlayerCue
from vcp.report.timecode import format_millis

__all__ = ["cue_text", "format_vtt"]


def format_vtt(cues: Iterable[PlayerCue]) -> str:
    """The WebVTT text for ``cues``."""
    blocks = ["WEBVTT"]
    for cue in cues:
        times = f"{format_millis(cue.start_ms)} --> {format_millis(cue.end_ms)}"
        blocks.append(f"vcp-{cue.segment_id}\n{times}\n{_escape(cue_text(cue))}")
    return "\n\n".join(blocks) + "\n"


def cue_text(cue: PlayerCue) -> str:
    """What a viewer reads during ``cue``: ``[category]`` (``[category, uncertain]``) and the
    masked words heard."""
    text = f"[{cue.category}, uncertain]" if cue.uncertain else f"[{cue.category}]"
    return f"{text} {' '.join(cue.words)}" if cue.words else text


def _escape(text: str) -> str:
    text = " ".join(text.split())  # no line breaks: a blank line would end the cue
    text = text.replace("-->", "->")
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
