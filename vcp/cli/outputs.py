"""The options that answer an OutputError, added to its hint as it leaves a command.

The library says why an output was refused or not written and names no option; each command knows
its own (``--force``; ``-o`` for another place) and adds them here.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from vcp.errors import OutputError

__all__ = ["option_hints", "with_option_hints"]


def with_option_hints(exc: OutputError, *, force: bool = True) -> OutputError:
    """``exc`` with the options that help in its hint. ``force``: the command has ``--force``."""
    if exc.force_allows and force:
        options = "pass --force to replace it, or choose another place with -o"
    else:
        options = "choose another place with -o"
    exc.hint = f"{exc.hint}; or {options}" if exc.hint else options
    return exc


@contextmanager
def option_hints(*, force: bool = True) -> Iterator[None]:
    """Add the option hints to an OutputError raised inside the block."""
    try:
        yield
    except OutputError as exc:
        with_option_hints(exc, force=force)
        raise
