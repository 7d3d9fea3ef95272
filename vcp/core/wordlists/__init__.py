"""Word lists: the shipped lists (``*.txt`` beside this module) and the parser of list files and
entries. Pure: the only I/O is reading list files. Config validation and the analysis's word
matcher (``vcp.analysis.detectors.words``) both use it, so it lives below both.

A list file holds one entry per line; ``#`` starts a comment. An entry is one word or a phrase of
words that must be spoken in a row (``son of a bitch``). Case, apostrophes, hyphens and other
punctuation are ignored on both sides, so ``Fuck!`` matches ``fuck`` and ``for Christ's sake``
matches ``for christs sake``. A word ending in ``*`` matches every word that starts with it
(``fuck*``: fuck, fucks, fucked, fucking, fucker); the stem needs at least three letters. There
is deliberately no stemming beyond that: ``ass`` is listed as a word, not as ``ass*``, so
"assistant", "class" and "Scunthorpe" stay clean. A line ``# category: NAME`` at the top of a
user's list names its category (otherwise the file name does).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

__all__ = [
    "MIN_STEM",
    "SHIPPED_CATEGORIES",
    "Entry",
    "Token",
    "WordListError",
    "mask",
    "normalize",
    "parse_entry",
    "read_list",
    "shipped_list",
]

SHIPPED_CATEGORIES = ("profanity", "slurs", "blasphemy")
MIN_STEM = 3  # letters before a "*": shorter stems ("as*", "a*") would match half the language
_NOT_WORD = re.compile(r"[^\w]|_", re.UNICODE)
_HEADER = re.compile(r"^#\s*category\s*:\s*(\S+)\s*$", re.IGNORECASE)


class WordListError(ValueError):
    """An entry that cannot be used; ``where`` is ``file:line`` when it came from a file."""

    def __init__(self, message: str, *, where: str | None = None) -> None:
        super().__init__(f"{where}: {message}" if where else message)
        self.where = where


@dataclass(frozen=True, slots=True)
class Token:
    stem: str
    prefix: bool  # the entry word ended in "*"

    def matches(self, word: str) -> bool:
        return word.startswith(self.stem) if self.prefix else word == self.stem


@dataclass(frozen=True, slots=True)
class Entry:
    """A list entry: ``label`` as written (lower case), its ``category``, and its words."""

    category: str
    label: str
    tokens: tuple[Token, ...]

    def matches(self, words: Sequence[str]) -> bool:
        """True when ``words`` (normalised) start with this entry."""
        if len(words) < len(self.tokens):
            return False
        return all(t.matches(w) for t, w in zip(self.tokens, words, strict=False))


def normalize(text: str) -> str:
    """``text`` lower-cased with everything but letters and digits removed (``Christ's`` ->
    ``christs``, ``mother-fucker`` -> ``motherfucker``)."""
    return _NOT_WORD.sub("", text.casefold())


def parse_entry(text: str, category: str) -> Entry:
    """One entry of a list (``fuck*``, ``god damn``). WordListError when it cannot match safely."""
    words = text.split()
    if not words:
        raise WordListError("an empty entry")
    tokens = tuple(_parse_token(word, text) for word in words)
    label = " ".join(words).casefold()
    return Entry(category, label, tokens)


def _parse_token(word: str, entry: str) -> Token:
    prefix = word.endswith("*")
    stem = normalize(word[:-1] if prefix else word)
    if "*" in word[:-1]:
        raise WordListError(f"{entry!r}: '*' may only end a word")
    if not stem:
        raise WordListError(f"{entry!r}: {word!r} has no letters")
    if prefix and len(stem) < MIN_STEM:
        raise WordListError(f"{entry!r}: a stem before '*' needs at least {MIN_STEM} letters")
    return Token(stem, prefix)


def read_list(path: Path, category: str | None = None) -> list[Entry]:
    """The entries of the list file at ``path``. The category is ``category`` if given, else the
    file's ``# category: NAME`` header, else the file name without its extension."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return _parse_lines(lines, category or _header(lines) or path.stem, str(path))


def shipped_list(category: str) -> list[Entry]:
    """The list vcp ships for ``category`` (one of SHIPPED_CATEGORIES)."""
    if category not in SHIPPED_CATEGORIES:
        known = ", ".join(SHIPPED_CATEGORIES)
        raise WordListError(f"no shipped word list {category!r}; shipped: {known}")
    text = resources.files(__name__).joinpath(f"{category}.txt").read_text()
    return _parse_lines(text.splitlines(), category, f"{category}.txt")


def _header(lines: list[str]) -> str | None:
    for line in lines:
        if not line.startswith("#"):
            return None
        if found := _HEADER.match(line):
            return found.group(1)
    return None


def _parse_lines(lines: list[str], category: str, source: str) -> list[Entry]:
    entries = []
    for number, line in enumerate(lines, 1):
        text = line.partition("#")[0].strip()
        if not text:
            continue
        try:
            entries.append(parse_entry(text, category))
        except WordListError as exc:
            raise WordListError(str(exc), where=f"{source}:{number}") from None
    return entries


def mask(text: str) -> str:
    """``text`` fit for display: in each word of three letters or more, every letter but the
    first and the last becomes ``*`` (``fucking`` -> ``f*****g``, ``God damn`` -> ``G*d d**n``)."""
    return " ".join(_mask_word(word) for word in text.split())


def _mask_word(word: str) -> str:
    letters = [i for i, c in enumerate(word) if c.isalnum()]
    if len(letters) < 3:
        return word
    inner = set(letters[1:-1])
    return "".join("*" if i in inner else c for i, c in enumerate(word))
