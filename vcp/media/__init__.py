"""Reading and writing media with PyAV: the only package of vcp that imports ``av``.

``probe`` (what a file holds), ``frames`` (sampled RGB frames for the vision detectors), ``audio``
(16 kHz mono windows for speech), ``chapters`` and ``thumbnails`` (for export and review), and
``censor/`` (writing a censored copy). Import the submodule you need: importing ``vcp.media``
itself does not load PyAV.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["DecodeProblem", "DecodedUntil"]


@dataclass(frozen=True, slots=True)
class DecodeProblem:
    """Part of a stream could not be decoded at ``seconds``; reading went on after it."""

    seconds: float
    message: str


@dataclass(frozen=True, slots=True)
class DecodedUntil:
    """A stream was read up to ``seconds`` from the start of the media: the end of the last
    packet that decoded. Short of the film's duration when the file is truncated or its end
    does not decode; nothing after it was seen. The last item of a reading generator."""

    seconds: float
