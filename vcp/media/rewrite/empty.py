"""A censored copy with no film in it is refused, not written.

Skips can cover a whole film. Writing what is left then gives a file of a few hundred bytes that
players refuse or show as a blank instant, and it would replace an earlier copy under ``--force``.
``check_kept`` refuses such a plan before any work; ``nothing_left`` is the one error, also
raised by the writer when no frame or sample reached the output (a film whose container claims
a length its streams do not have passes the first check).

Pure (no PyAV): ``vcp.censor`` calls ``check_kept`` once it has planned. The refusal is an
``OutputError`` naming the output: the copy is what is refused, for a reason the hint explains.
"""

from __future__ import annotations

from pathlib import Path

from vcp.actions import EditPlan
from vcp.errors import OutputError

__all__ = ["MIN_KEPT_SECONDS", "check_kept", "nothing_left"]

# Containers disagree about a film's length by up to about half a second (audio priming, rounded
# Matroska durations): what skips leave below that is rounding, not film.
MIN_KEPT_SECONDS = 0.5


def nothing_left(output: Path) -> OutputError:
    """The error for a copy at ``output`` that would hold nothing: every second of the film is
    skipped."""
    return OutputError(
        output,
        "nothing left to write: every second of the film is skipped",
        hint="allow some of the report's segments (`allow: true`), or set the category's video "
        "action to blank instead of skip (the film keeps its length, the picture goes black)",
    )


def check_kept(plan: EditPlan, *, output: Path) -> None:
    """``nothing_left`` when ``plan``'s skips leave less than ``MIN_KEPT_SECONDS`` of a film of
    known length."""
    kept = plan.output_duration()
    if plan.skips and kept is not None and kept < MIN_KEPT_SECONDS:
        raise nothing_left(output)
