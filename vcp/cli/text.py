"""Small wording helpers shared by the commands' output."""

from __future__ import annotations

from os import PathLike

from vcp.core.terminal import terminal_safe

__all__ = ["count", "shown"]


def count(n: int, noun: str, plural: str | None = None) -> str:
    """``1 file``, ``2 files``, ``0 files``; ``plural`` for nouns that do not just take an s."""
    return f"{n} {noun if n == 1 else plural or noun + 's'}"


def shown(path: str | PathLike[str]) -> str:
    """A path (or a name) as a command prints it: control characters in it escaped, so a file
    named with terminal escapes cannot retitle, clear or forge lines of the user's terminal."""
    return terminal_safe(path)
