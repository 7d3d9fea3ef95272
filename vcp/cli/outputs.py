"""The options that answer an OutputError or a ReportMismatch, added to its hint as it leaves a
command.

The library says why an output was refused or not written, or why a report is not the film's, and
names no option; each command knows its own (``--force``; ``-o`` for another place; ``--report``
for the film's own report) and adds them here.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TypeVar

from vcp.errors import EmptyOutput, OutputError, ReportMismatch, VcpError

__all__ = ["option_hints", "with_mismatch_hints", "with_option_hints"]

E = TypeVar("E", bound=VcpError)


def with_option_hints(exc: OutputError, *, force: bool = True) -> OutputError:
    """``exc`` with the options that help in its hint. ``force``: the command has ``--force``."""
    if isinstance(exc, EmptyOutput):
        return exc  # nothing to write: no option makes something of it
    if exc.force_allows and force:
        options = "pass --force to replace it, or choose another place with -o"
    else:
        options = "choose another place with -o"
    return _add(exc, options)


def with_mismatch_hints(exc: ReportMismatch, *, report_option: str | None = None) -> ReportMismatch:
    """``exc`` with ``--force`` (and ``report_option``, which names the film's own report)."""
    own = f"pass the film's own report with {report_option}, or " if report_option else ""
    return _add(exc, f"{own}--force uses this report anyway")


def _add(exc: E, options: str) -> E:
    exc.hint = f"{exc.hint}; or {options}" if exc.hint else options
    return exc


@contextmanager
def option_hints(*, force: bool = True, report_option: str | None = None) -> Iterator[None]:
    """Add the option hints to an OutputError or a ReportMismatch raised inside the block;
    ``report_option`` is the command's option for a report (censor's ``--report``)."""
    try:
        yield
    except OutputError as exc:
        with_option_hints(exc, force=force)
        raise
    except ReportMismatch as exc:
        with_mismatch_hints(exc, report_option=report_option)
        raise
