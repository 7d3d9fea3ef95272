"""Reading and writing media with PyAV: the only package of vcp that imports ``av``.

``containers`` (the one place files are opened with PyAV and its errors translated), ``probe``
(what a file holds), ``frames`` (sampled RGB frames for the vision detectors), ``audio`` (16 kHz
mono windows for speech), ``subtitles``, ``chapters`` and ``thumbnails`` (for export and review),
and ``rewrite/`` (writing an edited copy, for ``vcp censor``). Import the submodule you need:
importing ``vcp.media`` itself does not load PyAV.

A stretch of media that cannot be read is a ``DecodeProblem``: the readers here yield it, the
detectors pass it on as a step of their scan, and the analysis turns it into its
``MediaWarning`` event.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["DecodeProblem", "DecodedUntil"]


@dataclass(frozen=True, slots=True)
class DecodeProblem:
    """Part of the media could not be read at ``seconds`` (a packet that does not decode, a
    subtitle source that cannot be read, a hole in the timestamps); reading went on after it."""

    seconds: float
    message: str


@dataclass(frozen=True, slots=True)
class DecodedUntil:
    """A stream was read up to ``seconds`` from the start of the media: the end of the last
    packet that decoded. Short of the film's duration when the file is truncated or its end
    does not decode; nothing after it was seen. The last item of a reading generator."""

    seconds: float
