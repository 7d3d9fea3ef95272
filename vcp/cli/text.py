"""Small wording helpers shared by the commands' output."""

from __future__ import annotations

__all__ = ["count"]


def count(n: int, noun: str, plural: str | None = None) -> str:
    """``1 file``, ``2 files``, ``0 files``; ``plural`` for nouns that do not just take an s."""
    return f"{n} {noun if n == 1 else plural or noun + 's'}"
